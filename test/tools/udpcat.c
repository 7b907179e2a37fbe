/* udpcat: the UDP half of a test that busybox nc cannot do.
 *   udpcat -l PORT [SECONDS]   print the first datagram to PORT, exit 0;
 *                              exit 1 if none comes in SECONDS (5)
 *   udpcat HOST PORT MESSAGE   send MESSAGE once to HOST:PORT
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
    struct sockaddr_in sa = { .sin_family = AF_INET };
    int fd = socket(AF_INET, SOCK_DGRAM, 0);

    if (fd < 0) {
        perror("socket");
        return 2;
    }
    if (argc >= 3 && !strcmp(argv[1], "-l")) {
        int secs = argc > 3 ? atoi(argv[3]) : 5;
        char buf[2048];
        sa.sin_port = htons((uint16_t) atoi(argv[2]));
        if (bind(fd, (struct sockaddr *) &sa, sizeof sa) < 0) {
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
        sa.sin_port = htons((uint16_t) atoi(argv[2]));
        if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1) {
            fprintf(stderr, "udpcat: bad address %s\n", argv[1]);
            return 2;
        }
        if (sendto(fd, argv[3], strlen(argv[3]), 0, (struct sockaddr *) &sa,
                   sizeof sa) < 0) {
            perror("sendto");
            return 1;
        }
        return 0;
    }
    fprintf(stderr, "usage: udpcat -l PORT [SECONDS] | udpcat HOST PORT "
                    "MESSAGE\n");
    return 2;
}
