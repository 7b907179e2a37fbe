#include "nd.h"

#include <string.h>

#include "bytes.h"

enum {
    ETH_LEN = 14,
    IP6_LEN = 40,
    ETH_TYPE_IPV6 = 0x86dd,
    IPPROTO_ICMP6 = 58,
    ICMP6_NS = 135,
    ICMP6_NA = 136,
    NS_LEN = 24,       /* type, code, checksum, reserved, target */
    OPT_TLL = 2,
};

bool nd_parse_ns(const uint8_t *frame, size_t len, struct nd_solicit *ret)
{
    if (len < ETH_LEN + IP6_LEN + NS_LEN
        || get16(frame + 12) != ETH_TYPE_IPV6) {
        return false;
    }
    const uint8_t *ip = frame + ETH_LEN;
    size_t plen = get16(ip + 4);
    if ((ip[0] >> 4) != 6 || ip[6] != IPPROTO_ICMP6 || ip[7] != 255
        || plen < NS_LEN || plen > len - ETH_LEN - IP6_LEN) {
        return false;
    }
    const uint8_t *icmp = ip + IP6_LEN;
    if (icmp[0] != ICMP6_NS || icmp[1] != 0 || icmp[8] == 0xff) {
        return false; /* not an NS, or a multicast target */
    }
    /* Options: each at least 8 bytes long, none past the end. */
    for (size_t off = NS_LEN; off < plen;) {
        if (plen - off < 2 || icmp[off + 1] == 0
            || icmp[off + 1] * 8u > plen - off) {
            return false;
        }
        off += icmp[off + 1] * 8u;
    }
    memcpy(&ret->src, ip + 8, 16);
    if (IN6_IS_ADDR_UNSPECIFIED(&ret->src)) {
        return false;
    }
    struct in6_addr dst;
    memcpy(&dst, ip + 24, 16);
    if (nd_icmp6_checksum(&ret->src, &dst, icmp, plen) != 0) {
        return false;
    }
    memcpy(ret->src_mac, frame + 6, MAC_LEN);
    memcpy(&ret->target, icmp + 8, 16);
    return true;
}

/* RFC 1071's sum over 'len' bytes, folded into 'sum'. */
static uint32_t sum16(uint32_t sum, const uint8_t *p, size_t len)
{
    for (size_t i = 0; i + 1 < len; i += 2) {
        sum += get16(p + i);
    }
    if (len & 1) {
        sum += (uint32_t) p[len - 1] << 8;
    }
    return sum;
}

uint16_t nd_icmp6_checksum(const struct in6_addr *src,
                           const struct in6_addr *dst, const uint8_t *msg,
                           size_t len)
{
    uint8_t tail[8] = { len >> 24, len >> 16, len >> 8, len, 0, 0, 0,
                        IPPROTO_ICMP6 };
    uint32_t sum = sum16(0, src->s6_addr, 16);

    sum = sum16(sum, dst->s6_addr, 16);
    sum = sum16(sum, tail, sizeof tail);
    sum = sum16(sum, msg, len);
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return (uint16_t) ~sum;
}

void nd_build_na(const struct nd_solicit *ns, const uint8_t mac[MAC_LEN],
                 uint32_t flags, uint8_t frame[ND_NA_LEN])
{
    uint8_t *ip = frame + ETH_LEN, *icmp = ip + IP6_LEN;

    memset(frame, 0, ND_NA_LEN);
    memcpy(frame, ns->src_mac, MAC_LEN);
    memcpy(frame + 6, mac, MAC_LEN);
    be16(frame + 12, ETH_TYPE_IPV6);

    ip[0] = 6 << 4;
    be16(ip + 4, ND_NA_LEN - ETH_LEN - IP6_LEN);
    ip[6] = IPPROTO_ICMP6;
    ip[7] = 255;
    memcpy(ip + 8, &ns->target, 16);
    memcpy(ip + 24, &ns->src, 16);

    icmp[0] = ICMP6_NA;
    be32(icmp + 4, flags);
    memcpy(icmp + 8, &ns->target, 16);
    icmp[24] = OPT_TLL;
    icmp[25] = 1; /* 8 bytes */
    memcpy(icmp + 26, mac, MAC_LEN);
    be16(icmp + 2, nd_icmp6_checksum(&ns->target, &ns->src, icmp,
                                      ND_NA_LEN - ETH_LEN - IP6_LEN));
}
