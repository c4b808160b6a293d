/* Calls f (f@V2 in the library it is linked against) and g (g@V1). */
int f(void);
int g(void);

int so_entry(void) { return f() + g(); }
