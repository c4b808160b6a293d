/* libv 2.0, linked against: new_fn is VERS_2.0. */
int old_fn(void) { return 1; }
int new_fn(void) { return 2; }
