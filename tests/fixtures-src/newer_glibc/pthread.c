/* pthread_create and pthread_join moved into libc.so.6 as GLIBC_2.34. */
#include <pthread.h>
#include <stdio.h>

static void *work(void *arg)
{
    return arg;
}

int main(void)
{
    pthread_t t;
    void *out = NULL;
    if (pthread_create(&t, NULL, work, "joined") == 0)
        pthread_join(t, &out);
    puts(out ? (const char *)out : "no thread");
    return 0;
}
