/* udpcat: the UDP half of a test that busybox nc cannot do.
 *   udpcat -l PORT [SECONDS]   print the first datagram to PORT (IPv4 or
 *                              IPv6), exit 0; exit 1 if none comes in
 *                              SECONDS (5)
 *   udpcat HOST PORT MESSAGE   send MESSAGE once to HOST:PORT (an IPv4 or
 *                              IPv6 address)
 * Built static so that it runs in the busybox test image. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[1], "-l")) {
        struct sockaddr_in6 sa = { .sin6_family = AF_INET6 };
        int secs = argc > 3 ? atoi(argv[3]) : 5, zero = 0;
        int fd = socket(AF_INET6, SOCK_DGRAM, 0);
        char buf[2048];
        sa.sin6_port = htons((uint16_t) atoi(argv[2]));
        if (fd < 0
            || setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero,
                          sizeof zero) < 0
            || bind(fd, (struct sockaddr *) &sa, sizeof sa) < 0) {
            perror("bind");
            return 2;
        }
        struct pollfd p = { .fd = fd, .events = POLLIN };
        if (poll(&p, 1, secs * 1000) != 1) {
            return 1;
        }
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n < 0) {
            perror("recv");
            return 2;
        }
        fwrite(buf, 1, (size_t) n, stdout);
        putchar('\n');
        return 0;
    }
    if (argc == 4) {
        struct sockaddr_in s4 = { .sin_family = AF_INET };
        struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };
        int v6 = inet_pton(AF_INET6, argv[1], &s6.sin6_addr) == 1;
        if (!v6 && inet_pton(AF_INET, argv[1], &s4.sin_addr) != 1) {
            fprintf(stderr, "udpcat: bad address %s\n", argv[1]);
            return 2;
        }
        s4.sin_port = s6.sin6_port = htons((uint16_t) atoi(argv[2]));
        int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);
        if (fd < 0
            || sendto(fd, argv[3], strlen(argv[3]), 0,
                      v6 ? (struct sockaddr *) &s6 : (struct sockaddr *) &s4,
                      v6 ? sizeof s6 : sizeof s4) < 0) {
            perror("sendto");
            return 1;
        }
        return 0;
    }
    fprintf(stderr, "usage: udpcat -l PORT [SECONDS] | udpcat HOST PORT "
                    "MESSAGE\n");
    return 2;
}
