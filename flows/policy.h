/* TCP policy of a network: rule text -> parsed rules -> flow lines.
 * Pure: no I/O.
 *
 * Grammar (comma-separated, first match wins, whitespace tolerated):
 *   ACTION FROM->TO[:PORTS]
 *   ACTION  allow | deny
 *   FROM/TO an IPv4 or IPv6 address, an IPv4 or IPv6 CIDR, or any; an
 *           IPv6 one may be put in brackets, and must be in TO when PORTS
 *           follow: "[ADDR]:PORTS" (a bare TO with colons is an IPv6
 *           address, never address and port)
 *   PORTS   N or N-M, destination ports 1..65535
 * e.g. "deny 10.20.2.0/24->10.20.1.100:80",
 *      "deny fd00:20:2::/64->[fd00:20:1::/64]:80-90",
 *      "allow any->fd00:20:1::10".
 * A rule applies to the family of its addresses; with any on both sides
 * to IPv4 and IPv6.  A rule mixing the two families is an error.
 * A rule decides whether a new connection may start: it matches the
 * client's SYN (SYN set, ACK clear), so replies and established traffic
 * are never cut. */
#ifndef OVSGW_POLICY_H
#define OVSGW_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#define POLICY_MAX_RULES 128

/* What a rule applies to. */
enum policy_family {
    POLICY_BOTH = 0, /* any->any: IPv4 and IPv6 */
    POLICY_IPV4 = 4,
    POLICY_IPV6 = 6,
};

struct policy_rule {
    bool allow;
    enum policy_family family;
    uint32_t src, dst; /* IPv4: host order, host bits zero */
    struct in6_addr src6, dst6; /* IPv6: host bits zero */
    int src_plen, dst_plen; /* 0 = any */
    uint16_t port_lo, port_hi; /* 0, 0 = any port */
};

struct policy {
    bool default_deny;
    size_t n_rules;
    struct policy_rule rules[POLICY_MAX_RULES];
};

/* Parses 'rules' (the value of 'key', e.g. "ovsgw.tcp.rules") into
 * 'ret->rules'; "" means no rules.  Returns NULL, or a malloc'd message
 * that names the key, the rule's position and the bad token, e.g.
 *   ovsgw.tcp.rules: rule 2 "deny 10.0.0.0/33->any": bad CIDR
 *   "10.0.0.0/33"
 * 'ret' is not written on failure; 'ret->default_deny' is never written. */
char *policy_parse_rules(const char *key, const char *rules,
                         struct policy *ret);

/* A value/mask pair of a TCP port match. */
struct policy_port_mask {
    uint16_t value, mask;
};

/* Covers the ports lo..hi (lo <= hi, 1 <= lo) with the fewest value/mask
 * pairs; writes at most 32 into 'out' and returns how many. */
size_t policy_port_masks(uint16_t lo, uint16_t hi,
                         struct policy_port_mask out[32]);

/* Table-30 flow lines of 'p' for the network 'tag' with 'cookie'; they
 * continue to 'next_table' or drop.  IPv4 rules always give flows, IPv6
 * rules only with 'ipv6' (the network has IPv6), rules for both families
 * and the default deny one flow of each.  Malloc'd; "" when there is
 * nothing to enforce. */
char *policy_flows(const struct policy *p, bool ipv6, uint32_t tag,
                   uint64_t cookie, int table, int next_table);

/* The policy in canonical text, e.g. "deny 10.20.2.0/24->10.20.1.100:80,
 * allow any->[fd00:20:1::10]:80, default allow": IPv6 in RFC 5952 form,
 * in brackets where ports follow.  policy_parse_rules() reads it back to
 * the same rules.  Malloc'd. */
char *policy_format(const struct policy *p);

#endif
