/* A static glibc program that loads code at run time (loader-facts §12.2): every lookup
 * misses, so each database asks every service its /etc/nsswitch.conf line names, and the IDN
 * lookup (a UTF-8 locale, a non-ASCII name, AI_IDN) dlopens libidn2.so.0. Run it with
 * LC_ALL=C.UTF-8. */
#define _GNU_SOURCE
#include <grp.h>
#include <locale.h>
#include <netdb.h>
#include <pwd.h>
#include <stdio.h>
#include <sys/socket.h>

int main(void) {
    setlocale(LC_ALL, "");
    struct addrinfo *res = NULL;
    struct addrinfo plain = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo idn = {.ai_family = AF_UNSPEC, .ai_flags = AI_IDN};
    struct passwd *pw = getpwnam("ldsim-no-such-user");
    struct group *gr = getgrnam("ldsim-no-such-group");
    struct protoent *pr = getprotobyname("ldsim-no-such-protocol");
    struct servent *se = getservbyname("ldsim-no-such-service", "tcp");
    int host = getaddrinfo("ldsim-no-such-host.invalid", NULL, &plain, &res);
    int idn_host = getaddrinfo("ldsim-n\xc3\xb6-such-host.invalid", NULL, &idn, &res);
    printf("passwd %d group %d protocol %d service %d host %d idn %d\n", pw != NULL,
           gr != NULL, pr != NULL, se != NULL, host, idn_host);
    return 0;
}
