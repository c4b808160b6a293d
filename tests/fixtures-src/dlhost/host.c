/* A plugin host: dlopen(argv[1], RTLD_NOW). Prints "dlopen ok" (exit 0) or dlerror() on one
 * line of stdout (exit 1). Linked with -rdynamic so plugins can use host_api_version and
 * host_counter. */
#include <dlfcn.h>
#include <stdio.h>

int host_counter = 41;

int host_api_version(void) { return 3; }

int main(int argc, char **argv) {
    if (argc < 2) {
        fputs("usage: host PLUGIN\n", stderr);
        return 2;
    }
    void *handle = dlopen(argv[1], RTLD_NOW);
    if (!handle) {
        const char *err = dlerror();
        printf("%s\n", err ? err : "(no dlerror)");
        return 1;
    }
    puts("dlopen ok");
    return 0;
}
