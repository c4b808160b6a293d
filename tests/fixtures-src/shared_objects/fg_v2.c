/* The library linked against: g@V1 and f@V2. */
int g(void) { return 1; }
int f(void) { return 2; }
