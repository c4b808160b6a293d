/* libV as installed: v_call is gone. */
int v_other(void) { return 0; }
