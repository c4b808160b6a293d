#include <stdio.h>

void ldsim_stub_marker(void);

int main(void) {
    puts("started");
    fflush(stdout);
    ldsim_stub_marker();
    return 0;
}
