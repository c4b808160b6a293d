/* Taking the address of f_ptr needs GLOB_DAT, resolved at start-up. */
#include <stdio.h>

int f_ptr(void);

int main(void) {
    int (*volatile p)(void) = f_ptr;
    puts("started");
    fflush(stdout);
    printf("f_ptr=%d\n", p());
    return 0;
}
