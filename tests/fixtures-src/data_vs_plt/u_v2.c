/* libU as installed: f_call, f_ptr and f_data are gone. */
const char *u_version(void) { return "v2"; }
