/* Links against stub libpthread.so.0 and libm.so.6: musl maps both names to itself. */
#include <math.h>
#include <stdio.h>

int main(void) {
    volatile double x = 2.0;
    puts("started");
    fflush(stdout);
    printf("%.3f\n", sqrt(x));
    return 0;
}
