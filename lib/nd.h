/* Neighbor Discovery packets (RFC 4861), for the kernel datapath's
 * virtual IPv6 gateway: there OVS cannot rewrite a Neighbor Solicitation
 * into an Advertisement in the datapath (it refuses to set nd_reserved and
 * nd_options_type), so the solicitation comes to ovsgw as a packet-in and
 * the advertisement goes back as a packet-out.  Pure: bytes in, bytes out. */
#ifndef OVSGW_ND_H
#define OVSGW_ND_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

/* The flags word of an advertisement. */
#define ND_NA_ROUTER UINT32_C(0x80000000)
#define ND_NA_SOLICITED UINT32_C(0x40000000)
#define ND_NA_OVERRIDE UINT32_C(0x20000000)

/* An Ethernet frame carrying an advertisement, as nd_build_na() writes
 * it: Ethernet, IPv6 and a 32-byte ICMPv6 message with the target
 * link-layer address option. */
#define ND_NA_LEN (14 + 40 + 32)

struct nd_solicit {
    uint8_t src_mac[MAC_LEN];  /* the Ethernet source */
    struct in6_addr src;       /* the IPv6 source (never ::) */
    struct in6_addr target;
};

/* Reads a Neighbor Solicitation from an untagged Ethernet frame: IPv6 with
 * ICMPv6 as its next header (no extension header), hop limit 255, type 135
 * code 0, a unicast target, well-formed options, a right checksum.  A
 * solicitation from :: (duplicate address detection) is refused: nobody
 * answers those.  Returns false for anything else. */
bool nd_parse_ns(const uint8_t *frame, size_t len, struct nd_solicit *ret);

/* Writes into 'frame' (ND_NA_LEN bytes) the advertisement that answers
 * 'ns': "target is at 'mac'" with 'flags' (ND_NA_*), from 'mac' to the
 * solicitation's source, with the target link-layer address option and
 * the ICMPv6 checksum. */
void nd_build_na(const struct nd_solicit *ns, const uint8_t mac[MAC_LEN],
                 uint32_t flags, uint8_t frame[ND_NA_LEN]);

/* The ICMPv6 checksum of 'msg' (its checksum field taken as is) between
 * 'src' and 'dst': 0 for a message whose checksum is right. */
uint16_t nd_icmp6_checksum(const struct in6_addr *src,
                           const struct in6_addr *dst, const uint8_t *msg,
                           size_t len);

#endif
