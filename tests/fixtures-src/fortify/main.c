/* -O2 -D_FORTIFY_SOURCE=2 turns these calls into __strcpy_chk and __printf_chk. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
    char buf[64];
    const char *volatile src = "fortified";
    puts("started");
    fflush(stdout);
    strcpy(buf, src);
    printf("%s %d\n", buf, argc);
    (void)argv;
    return 0;
}
