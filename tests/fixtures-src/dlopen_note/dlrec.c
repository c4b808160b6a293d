/* libdlrec.so.2: the second alternative of plugin_user.c's recommended dependency. Built
 * without libc, so the same file loads under glibc and musl. */
int dlrec_version(void) { return 2; }
