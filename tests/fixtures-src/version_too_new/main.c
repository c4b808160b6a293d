/* arc4random appeared in glibc 2.36: needs GLIBC_2.36 on top of GLIBC_2.34. */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    puts("started");
    fflush(stdout);
    unsigned int r = arc4random();
    printf("random %s\n", r == r ? "ok" : "?");
    return 0;
}
