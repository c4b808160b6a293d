/* foo@VD_1 is the old, hidden (non-default) version; foo@@VD_2 the default one. */
const char *foo_1(void) { return "VD_1"; }
const char *foo_2(void) { return "VD_2"; }
__asm__(".symver foo_1, foo@VD_1");
__asm__(".symver foo_2, foo@@VD_2");
