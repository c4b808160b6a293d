/* libv 1.0, installed: has new_fn too (so musl, which ignores versions, runs), but only VERS_1.0. */
int old_fn(void) { return 1; }
int new_fn(void) { return 102; }
