/* libG (the real one) and libP (the preload) both define greet; -DWHO picks the text. */
const char *greet(void) { return WHO; }
