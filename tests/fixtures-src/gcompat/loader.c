/* A stand-in for Alpine gcompat's loader/loader.c, installed as /lib/ld-linux-x86-64.so.2.
 * The kernel runs it as the interpreter of a glibc program; it re-runs the program under musl's
 * loader with libgcompat preloaded:
 *   /lib/ld-musl-x86_64.so.1 --argv0 ARGV0 --preload "/lib/libgcompat.so.0 $LD_PRELOAD" TARGET ARGS...
 * Unlike gcompat, TARGET comes from AT_EXECFN rather than readlink("/proc/self/exe"): the fixture
 * roots are entered with chroot and may have no /proc. ldsim recognises the stub by the two literal
 * paths below, so they must stay plain string constants. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#define LOADER_NAME "ld-linux-x86-64.so.2"
#define LINKER_PATH "/lib/ld-musl-x86_64.so.1"
#define LIBGCOMPAT "/lib/libgcompat.so.0"

int main(int argc, char **argv) {
    const char *target = (const char *)getauxval(AT_EXECFN);
    if (target == NULL || argc < 1) {
        fputs(LOADER_NAME ": cannot find the program to run (no AT_EXECFN)\n", stderr);
        return 127;
    }

    /* gcompat appends the caller's LD_PRELOAD to its own preload list. */
    const char *user = getenv("LD_PRELOAD");
    char *preload = (char *)LIBGCOMPAT;
    if (user != NULL && *user != '\0') {
        size_t len = strlen(LIBGCOMPAT) + 1 + strlen(user) + 1;
        preload = malloc(len);
        if (preload == NULL) return 127;
        snprintf(preload, len, "%s %s", LIBGCOMPAT, user);
    }

    char **args = calloc((size_t)argc + 6, sizeof *args);
    if (args == NULL) return 127;
    int n = 0;
    args[n++] = (char *)LOADER_NAME;
    args[n++] = (char *)"--argv0";
    args[n++] = argv[0];
    args[n++] = (char *)"--preload";
    args[n++] = preload;
    args[n++] = (char *)target;
    for (int i = 1; i < argc; i++) args[n++] = argv[i];
    args[n] = NULL;

    execv(LINKER_PATH, args);
    fprintf(stderr, LOADER_NAME ": cannot run " LINKER_PATH "\n");
    return 127;
}
