#include "addr.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

/* Splits "ADDR/N": ADDR into 'buf' ('size' bytes), N (0..max, decimal,
 * no leading zero) into '*ret_plen'. */
static bool split_prefix(const char *s, char *buf, size_t size, long max,
                         long *ret_plen)
{
    const char *slash = strchr(s, '/');

    if (!slash || (size_t) (slash - s) >= size
        || !util_parse_int(slash + 1, 0, max, ret_plen)
        || (slash[1] == '0' && slash[2])) {
        return false;
    }
    memcpy(buf, s, (size_t) (slash - s));
    buf[slash - s] = '\0';
    return true;
}

bool addr_mac_parse(const char *s, uint8_t ret[MAC_LEN])
{
    uint8_t mac[MAC_LEN];

    for (int i = 0; i < MAC_LEN; i++) {
        int hi = util_hexval(s[0]);
        int lo = hi < 0 ? -1 : util_hexval(s[1]);
        if (lo < 0) {
            return false;
        }
        mac[i] = (uint8_t) (hi << 4 | lo);
        s += 2;
        if (i < MAC_LEN - 1 && *s++ != ':') {
            return false;
        }
    }
    if (*s) {
        return false;
    }
    memcpy(ret, mac, MAC_LEN);
    return true;
}

char *addr_mac_format(const uint8_t mac[MAC_LEN], char buf[MAC_STRLEN])
{
    snprintf(buf, MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x",
             mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
    return buf;
}

bool addr_ip4_parse(const char *s, uint32_t *ret)
{
    uint32_t ip = 0;

    for (int i = 0; i < 4; i++) {
        if (!isdigit((unsigned char) *s)) {
            return false;
        }
        unsigned v = 0;
        int digits = 0;
        const char *start = s;
        while (isdigit((unsigned char) *s)) {
            v = v * 10 + (unsigned) (*s - '0');
            s++;
            if (++digits > 3) {
                return false;
            }
        }
        if (v > 255 || (digits > 1 && *start == '0')) {
            return false;
        }
        ip = ip << 8 | v;
        if (i < 3 && *s++ != '.') {
            return false;
        }
    }
    if (*s) {
        return false;
    }
    *ret = ip;
    return true;
}

uint32_t addr_plen_mask(int plen)
{
    return plen <= 0 ? 0 : plen >= 32 ? 0xffffffffu
                                      : ~(0xffffffffu >> plen);
}

bool addr_cidr4_parse(const char *s, bool strict_net, uint32_t *ret_addr,
                      int *ret_plen)
{
    char addr[IP4_STRLEN];
    uint32_t ip;
    long plen;

    if (!split_prefix(s, addr, sizeof addr, 32, &plen)
        || !addr_ip4_parse(addr, &ip)) {
        return false;
    }
    if (strict_net && (ip & ~addr_plen_mask((int) plen))) {
        return false;
    }
    *ret_addr = ip;
    *ret_plen = (int) plen;
    return true;
}

char *addr_ip4_format(uint32_t ip, char buf[IP4_STRLEN])
{
    snprintf(buf, IP4_STRLEN, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff,
             (ip >> 8) & 0xff, ip & 0xff);
    return buf;
}

bool addr_mac_is_unicast(const uint8_t mac[MAC_LEN])
{
    static const uint8_t zero[MAC_LEN];

    return !(mac[0] & 1) && memcmp(mac, zero, MAC_LEN) != 0;
}

bool addr_ip6_parse(const char *s, struct in6_addr *ret)
{
    struct in6_addr a;

    /* inet_pton() takes every RFC 4291 form and nothing else: no zone,
     * no prefix, no brackets. */
    if (strlen(s) >= IP6_STRLEN || inet_pton(AF_INET6, s, &a) != 1) {
        return false;
    }
    *ret = a;
    return true;
}

bool addr_cidr6_parse(const char *s, bool strict_net, struct in6_addr *ret,
                      int *ret_plen)
{
    char text[IP6_STRLEN];
    struct in6_addr a;
    long plen;

    if (!split_prefix(s, text, sizeof text, 128, &plen)
        || !addr_ip6_parse(text, &a)) {
        return false;
    }
    if (strict_net) {
        struct in6_addr m = addr_ip6_mask(&a, (int) plen);
        if (!addr_ip6_equal(&m, &a)) {
            return false;
        }
    }
    *ret = a;
    *ret_plen = (int) plen;
    return true;
}

char *addr_ip6_format(const struct in6_addr *a, char buf[IP6_STRLEN])
{
    if (!inet_ntop(AF_INET6, a, buf, IP6_STRLEN)) {
        snprintf(buf, IP6_STRLEN, "::"); /* cannot happen */
    }
    return buf;
}

struct in6_addr addr_ip6_mask(const struct in6_addr *a, int plen)
{
    struct in6_addr m = *a;

    for (int i = 0; i < 16; i++) {
        int bits = plen - 8 * i;
        if (bits <= 0) {
            m.s6_addr[i] = 0;
        } else if (bits < 8) {
            m.s6_addr[i] &= (uint8_t) (0xff << (8 - bits));
        }
    }
    return m;
}

bool addr_ip6_same_prefix(const struct in6_addr *a, const struct in6_addr *b,
                          int plen)
{
    struct in6_addr ma = addr_ip6_mask(a, plen), mb = addr_ip6_mask(b, plen);

    return addr_ip6_equal(&ma, &mb);
}

bool addr_ip6_equal(const struct in6_addr *a, const struct in6_addr *b)
{
    return !memcmp(a->s6_addr, b->s6_addr, 16);
}

struct in6_addr addr_ip6_link_local(const uint8_t mac[MAC_LEN])
{
    struct in6_addr a = { 0 };

    a.s6_addr[0] = 0xfe;
    a.s6_addr[1] = 0x80;
    a.s6_addr[8] = mac[0] ^ 0x02;
    a.s6_addr[9] = mac[1];
    a.s6_addr[10] = mac[2];
    a.s6_addr[11] = 0xff;
    a.s6_addr[12] = 0xfe;
    a.s6_addr[13] = mac[3];
    a.s6_addr[14] = mac[4];
    a.s6_addr[15] = mac[5];
    return a;
}

struct in6_addr addr_ip6_solicited_node(const struct in6_addr *a)
{
    struct in6_addr m = { 0 };

    m.s6_addr[0] = 0xff;
    m.s6_addr[1] = 0x02;
    m.s6_addr[11] = 0x01;
    m.s6_addr[12] = 0xff;
    memcpy(&m.s6_addr[13], &a->s6_addr[13], 3);
    return m;
}
