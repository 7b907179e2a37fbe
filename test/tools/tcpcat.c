/* tcpcat: TCP transfers with a content check, for the tests (busybox nc
 * cuts bulk transfers short).  The data is a pseudo-random stream of SIZE
 * bytes from SEED; both ends print "BYTES HASH" (FNV-1a 64 of what went
 * through), so a test compares the two lines.
 *   tcpcat -g SIZE SEED            print what the stream's line must be
 *   tcpcat -l PORT [-s SIZE SEED]  accept one connection; print the
 *                                  peer's address, then receive to EOF
 *                                  (or send the stream) and print its line
 *   tcpcat HOST PORT [-s SIZE SEED]
 *                                  connect; receive to EOF (or send the
 *                                  stream) and print its line
 * A connection that stalls for 30 s fails.  Built static for the busybox
 * test image.  IPv4 and IPv6 addresses both work. */
#include <arpa/inet.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

struct stream {
    uint64_t state, hash, bytes;
};

static void hash_add(struct stream *s, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        s->hash = (s->hash ^ p[i]) * 0x100000001b3ULL;
    }
    s->bytes += n;
}

/* The next 'n' bytes of the stream (xorshift64). */
static void fill(struct stream *s, unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        s->state ^= s->state << 13;
        s->state ^= s->state >> 7;
        s->state ^= s->state << 17;
        p[i] = (unsigned char) s->state;
    }
}

static void print(const struct stream *s)
{
    printf("%llu %016llx\n", (unsigned long long) s->bytes,
           (unsigned long long) s->hash);
}

static int transfer(int fd, long long size, uint64_t seed)
{
    struct stream s = { .state = seed | 1, .hash = 0xcbf29ce484222325ULL };
    unsigned char buf[65536];

    if (size < 0) {
        for (;;) {
            ssize_t n = read(fd, buf, sizeof buf);
            if (n < 0) {
                perror("read");
                return 1;
            }
            if (n == 0) {
                break;
            }
            hash_add(&s, buf, (size_t) n);
        }
    } else {
        while (s.bytes < (uint64_t) size) {
            size_t n = sizeof buf;
            if ((uint64_t) size - s.bytes < n) {
                n = (size_t) ((uint64_t) size - s.bytes);
            }
            fill(&s, buf, n);
            for (size_t off = 0; off < n;) {
                ssize_t w = write(fd, buf + off, n - off);
                if (w <= 0) {
                    perror("write");
                    return 1;
                }
                off += (size_t) w;
            }
            hash_add(&s, buf, n);
        }
        shutdown(fd, SHUT_WR);
        /* Wait for the other end to close: all of it arrived. */
        while (read(fd, buf, sizeof buf) > 0) {
        }
    }
    print(&s);
    return 0;
}

static void timeouts(int fd)
{
    struct timeval tv = { .tv_sec = 30 };

    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

int main(int argc, char **argv)
{
    long long size = -1;
    uint64_t seed = 0;
    int fd;

    if (argc == 4 && !strcmp(argv[1], "-g")) {
        struct stream s = { .state = strtoull(argv[3], NULL, 0) | 1,
                            .hash = 0xcbf29ce484222325ULL };
        unsigned char buf[65536];
        long long left = atoll(argv[2]);
        while (left > 0) {
            size_t n = left < (long long) sizeof buf ? (size_t) left
                                                      : sizeof buf;
            fill(&s, buf, n);
            hash_add(&s, buf, n);
            left -= (long long) n;
        }
        print(&s);
        return 0;
    }
    if (argc >= 5 && !strcmp(argv[argc - 3], "-s")) {
        size = atoll(argv[argc - 2]);
        seed = strtoull(argv[argc - 1], NULL, 0);
        argc -= 3;
    }
    if (argc == 3 && !strcmp(argv[1], "-l")) {
        struct sockaddr_in6 sa = { .sin6_family = AF_INET6,
                                   .sin6_port = htons((uint16_t)
                                                      atoi(argv[2])) };
        struct sockaddr_storage peer;
        socklen_t plen = sizeof peer;
        char host[INET6_ADDRSTRLEN];
        int one = 1, zero = 0, l = socket(AF_INET6, SOCK_STREAM, 0);
        if (l < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one,
                                sizeof one) < 0
            || setsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &zero,
                          sizeof zero) < 0
            || bind(l, (struct sockaddr *) &sa, sizeof sa) < 0
            || listen(l, 1) < 0) {
            perror("listen");
            return 2;
        }
        if ((fd = accept(l, (struct sockaddr *) &peer, &plen)) < 0) {
            perror("accept");
            return 2;
        }
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *) &peer)->sin6_addr,
                  host, sizeof host);
        /* An IPv4 peer on a dual-stack socket: without the ::ffff:. */
        printf("peer %s\n", strncmp(host, "::ffff:", 7) ? host : host + 7);
        fflush(stdout);
        timeouts(fd);
        return transfer(fd, size, seed);
    }
    if (argc == 3) {
        struct sockaddr_in s4 = { .sin_family = AF_INET };
        struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };
        uint16_t port = htons((uint16_t) atoi(argv[2]));
        bool v6 = inet_pton(AF_INET6, argv[1], &s6.sin6_addr) == 1;
        if (!v6 && inet_pton(AF_INET, argv[1], &s4.sin_addr) != 1) {
            fprintf(stderr, "tcpcat: bad address %s\n", argv[1]);
            return 2;
        }
        s4.sin_port = s6.sin6_port = port;
        fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
        timeouts(fd);
        if (fd < 0
            || connect(fd, v6 ? (struct sockaddr *) &s6
                              : (struct sockaddr *) &s4,
                       v6 ? sizeof s6 : sizeof s4) < 0) {
            perror("connect");
            return 1;
        }
        return transfer(fd, size, seed);
    }
    fprintf(stderr, "usage: tcpcat -g SIZE SEED | -l PORT [-s SIZE SEED] "
            "| HOST PORT [-s SIZE SEED]\n");
    return 2;
}
