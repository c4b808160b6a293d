/* Prints "started", then what library function FN returns. */
#include <stdio.h>

const char *FN(void);

int main(void) {
    puts("started");
    fflush(stdout);
    printf("%s\n", FN());
    return 0;
}
