/* libU as linked against: exports the three symbols the programs use. */
int f_data = 42;
int f_call(void) { return 1; }
int f_ptr(void) { return 2; }
const char *u_version(void) { return "v1"; }
