/* References a function and a data object that nothing defines (the link is -shared, which
 * allows undefined symbols). The data object is bound through GLOB_DAT (at load time), the
 * function through the PLT. */
extern int so_nowhere_data;
int so_nowhere_fn(void);

int so_entry(void) { return so_nowhere_fn() + so_nowhere_data; }
