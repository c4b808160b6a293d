/* A small stand-in for Alpine's gcompat libgcompat.so.0 (gcompat libgcompat/*.c): glibc-only
 * entry points implemented on top of musl. Built with musl-gcc, soname libgcompat.so.0. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Fortify checks (gcompat libgcompat/string.c, stdio.c): abort on overflow like glibc. */
static void chk_fail(void) { abort(); }

int __vprintf_chk(int flag, const char *fmt, va_list ap) {
    (void)flag;
    return vprintf(fmt, ap);
}

int __printf_chk(int flag, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int r = __vprintf_chk(flag, fmt, ap);
    va_end(ap);
    return r;
}

int __vfprintf_chk(FILE *f, int flag, const char *fmt, va_list ap) {
    (void)flag;
    return vfprintf(f, fmt, ap);
}

int __fprintf_chk(FILE *f, int flag, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int r = __vfprintf_chk(f, flag, fmt, ap);
    va_end(ap);
    return r;
}

int __vsnprintf_chk(char *s, size_t maxlen, int flag, size_t slen, const char *fmt, va_list ap) {
    (void)flag;
    if (maxlen > slen) chk_fail();
    return vsnprintf(s, maxlen, fmt, ap);
}

int __snprintf_chk(char *s, size_t maxlen, int flag, size_t slen, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int r = __vsnprintf_chk(s, maxlen, flag, slen, fmt, ap);
    va_end(ap);
    return r;
}

int __sprintf_chk(char *s, int flag, size_t slen, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int r = __vsnprintf_chk(s, slen, flag, slen, fmt, ap);
    va_end(ap);
    return r;
}

void *__memcpy_chk(void *d, const void *s, size_t n, size_t dlen) {
    if (n > dlen) chk_fail();
    return memcpy(d, s, n);
}

void *__memmove_chk(void *d, const void *s, size_t n, size_t dlen) {
    if (n > dlen) chk_fail();
    return memmove(d, s, n);
}

void *__memset_chk(void *d, int c, size_t n, size_t dlen) {
    if (n > dlen) chk_fail();
    return memset(d, c, n);
}

char *__strcpy_chk(char *d, const char *s, size_t dlen) {
    size_t n = strlen(s);
    if (n >= dlen) chk_fail();
    return memcpy(d, s, n + 1);
}

char *__strcat_chk(char *d, const char *s, size_t dlen) {
    size_t used = strlen(d);
    if (used >= dlen) chk_fail();
    __strcpy_chk(d + used, s, dlen - used);
    return d;
}

char *__strncpy_chk(char *d, const char *s, size_t n, size_t dlen) {
    if (n > dlen) chk_fail();
    return strncpy(d, s, n);
}

/* gcompat libgcompat/version.c */
const char *gnu_get_libc_version(void) { return "2.36"; }
const char *gnu_get_libc_release(void) { return "stable"; }

/* glibc 2.32+ data symbol; 0 is always a safe answer. */
char __libc_single_threaded = 0;
