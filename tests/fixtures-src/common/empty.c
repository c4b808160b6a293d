/* A link-time stub: only its soname matters. */
void ldsim_stub_marker(void) {}
