/* Uses the host's exported function and data object: loads only into dlhost. */
int host_api_version(void);
extern int host_counter;

int plugin_entry(void) { return host_api_version() + host_counter; }
