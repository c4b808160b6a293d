/* A weak undefined reference resolves to NULL when nothing defines it. */
#include <stdio.h>

extern void ldsim_maybe(void) __attribute__((weak));

int main(void) {
    puts("started");
    fflush(stdout);
    puts(ldsim_maybe ? "present" : "absent");
    return 0;
}
