/* libB: forwards to libA, so loading libB needs libA (built with -DFN=b_where -DNEXT=a_where). */
const char *NEXT(void);
const char *FN(void) { return NEXT(); }
