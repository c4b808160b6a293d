/* A shared object that needs only libc. */
#include <stdio.h>

int so_entry(void) { return puts("so_entry"); }
