/* libmp.so.1 as linked against: mp_old, mp_gone_fn, mp_gone_data @MP_1 and mp_new@MP_2. */
int mp_old(void) { return 1; }
int mp_gone_fn(void) { return 3; }
int mp_gone_data = 4;
int mp_new(void) { return 2; }
