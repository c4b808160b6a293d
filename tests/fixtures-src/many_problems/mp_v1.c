/* libmp.so.1 as installed: only mp_old@MP_1. */
int mp_old(void) { return 1; }
