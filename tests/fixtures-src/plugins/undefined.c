/* References a data object (GLOB_DAT) and a function (PLT) nothing defines. */
extern int plugin_nowhere_data;
int plugin_nowhere_fn(void);

int plugin_entry(void) { return plugin_nowhere_fn() + plugin_nowhere_data; }
