/* stat and fstat are functions of their own since GLIBC_2.33 (before: __xstat, __fxstat). */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
    struct stat a, b;
    int fd = open("/", O_RDONLY);
    int same = stat("/", &a) == 0 && fd >= 0 && fstat(fd, &b) == 0 && a.st_ino == b.st_ino;
    printf("%d\n", same);
    return 0;
}
