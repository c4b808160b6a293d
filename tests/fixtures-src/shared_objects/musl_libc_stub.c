/* A link-time stand-in for Alpine's libc.musl-x86_64.so.1 (only its soname and puts matter). */
int puts(const char *s) { return s != 0; }
