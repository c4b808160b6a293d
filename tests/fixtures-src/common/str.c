/* A library function returning a string that tells which copy was loaded.
 * Built with -DFN=<name> -DWHERE="<text>". */
const char *FN(void) { return WHERE; }
