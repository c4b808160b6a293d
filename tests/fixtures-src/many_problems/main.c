/* Every kind of problem at once: libmp_absent_a/b.so.1 are missing, libmp.so.1 is installed
 * without version MP_2 (mp_new) and without mp_gone_data (read: a start-up relocation) and
 * mp_gone_fn (called: lazy under glibc), mp_old resolves. */
#include <stdio.h>

int mp_old(void);
int mp_new(void);
int mp_gone_fn(void);
extern int mp_gone_data;

int main(void) {
    puts("started");
    fflush(stdout);
    printf("%d %d\n", mp_old(), mp_gone_data);
    printf("%d %d\n", mp_new(), mp_gone_fn());
    return 0;
}
