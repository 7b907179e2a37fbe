/* TCP policy of a network: rule text -> parsed rules -> flow lines.
 * Pure: no I/O.
 *
 * Grammar (comma-separated, first match wins, whitespace tolerated):
 *   ACTION FROM->TO[:PORTS]
 *   ACTION  allow | deny
 *   FROM/TO an IPv4 address, an IPv4 CIDR, or any
 *   PORTS   N or N-M, destination ports 1..65535
 * A rule decides whether a new connection may start: it matches the
 * client's SYN (SYN set, ACK clear), so replies and established traffic
 * are never cut. */
#ifndef OVSGW_POLICY_H
#define OVSGW_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define POLICY_MAX_RULES 128

struct policy_rule {
    bool allow;
    uint32_t src, dst; /* host order, host bits zero */
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
 * continue to 'next_table' or drop.  Malloc'd; "" when there is nothing to
 * enforce. */
char *policy_flows(const struct policy *p, uint32_t tag, uint64_t cookie,
                   int table, int next_table);

/* The policy in canonical text, e.g. "deny 10.20.2.0/24->10.20.1.100:80,
 * default allow".  Malloc'd. */
char *policy_format(const struct policy *p);

#endif
