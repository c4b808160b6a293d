/* The installed library: only g@V1 (f came with V2). */
int g(void) { return 1; }
