/* arc4random_uniform: GLIBC_2.36. */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    printf("%u\n", arc4random_uniform(1));
    return 0;
}
