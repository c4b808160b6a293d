#include <stdio.h>

int new_fn(void);

int main(void) {
    puts("started");
    fflush(stdout);
    printf("new_fn=%d\n", new_fn());
    return 0;
}
