/* ndsend: neighbor discovery messages that a test forges (busybox has no
 * tool for them), from the container's eth0.
 *   ndsend na TARGET MAC        an unsolicited advertisement to ff02::1:
 *                               "TARGET is at MAC" (override flag set)
 *   ndsend ns TARGET MAC        a solicitation for TARGET to its solicited-
 *                               node address, with MAC as the source
 *                               link-layer option
 * The kernel fills in the checksum.  Built static for the busybox test
 * image; needs CAP_NET_RAW. */
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int parse_mac(const char *s, unsigned char mac[6])
{
    unsigned v[6];

    if (sscanf(s, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4],
               &v[5]) != 6) {
        return -1;
    }
    for (int i = 0; i < 6; i++) {
        mac[i] = (unsigned char) v[i];
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct {
        struct icmp6_hdr h;  /* type, code, checksum, 4 bytes of flags */
        struct in6_addr target;
        unsigned char opt_type, opt_len, mac[6];
    } msg = { 0 };
    struct sockaddr_in6 to = { .sin6_family = AF_INET6 };
    int hops = 255, fd;
    unsigned idx = if_nametoindex("eth0");

    if (argc != 4 || (strcmp(argv[1], "na") && strcmp(argv[1], "ns"))
        || inet_pton(AF_INET6, argv[2], &msg.target) != 1
        || parse_mac(argv[3], msg.mac) < 0) {
        fprintf(stderr, "usage: ndsend na|ns TARGET MAC\n");
        return 2;
    }
    msg.opt_len = 1;
    if (!strcmp(argv[1], "na")) {
        msg.h.icmp6_type = ND_NEIGHBOR_ADVERT;
        msg.h.icmp6_data32[0] = htonl(0x20000000); /* override */
        msg.opt_type = 2;                           /* target LL address */
        inet_pton(AF_INET6, "ff02::1", &to.sin6_addr);
    } else {
        msg.h.icmp6_type = ND_NEIGHBOR_SOLICIT;
        msg.opt_type = 1;                           /* source LL address */
        inet_pton(AF_INET6, "ff02::1:ff00:0", &to.sin6_addr);
        memcpy(&to.sin6_addr.s6_addr[13], &msg.target.s6_addr[13], 3);
    }
    to.sin6_scope_id = idx;
    fd = socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
    if (fd < 0
        || setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops,
                      sizeof hops) < 0
        || setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &idx,
                      sizeof idx) < 0
        || sendto(fd, &msg, sizeof msg, 0, (struct sockaddr *) &to,
                  sizeof to) < 0) {
        perror("ndsend");
        return 1;
    }
    return 0;
}
