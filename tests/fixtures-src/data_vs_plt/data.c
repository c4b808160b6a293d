/* Reading f_data needs a COPY (or GLOB_DAT) relocation, resolved at start-up. */
#include <stdio.h>

extern int f_data;

int main(void) {
    puts("started");
    fflush(stdout);
    printf("f_data=%d\n", f_data);
    return 0;
}
