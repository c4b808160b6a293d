/* JUMP_SLOT only: with lazy binding glibc fails only when f_call is first called. */
#include <stdio.h>

int f_call(void);

int main(void) {
    puts("started");
    fflush(stdout);
    printf("f_call=%d\n", f_call());
    return 0;
}
