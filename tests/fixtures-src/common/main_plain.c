/* Needs nothing but libc. */
#include <stdio.h>

int main(void) {
    puts("started");
    fflush(stdout);
    puts("done");
    return 0;
}
