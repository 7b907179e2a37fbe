/* Addresses as ovsgw reads and writes them: MAC, IPv4 and IPv6, with
 * prefixes.  Parsers are strict (one canonical-enough form, no trailing
 * text) and never write their outputs on failure.  Pure. */
#ifndef OVSGW_ADDR_H
#define OVSGW_ADDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#define MAC_LEN 6
#define MAC_STRLEN 18 /* "xx:xx:xx:xx:xx:xx" + NUL */

/* Parses "xx:xx:xx:xx:xx:xx" (hex, either case). */
bool addr_mac_parse(const char *s, uint8_t ret[MAC_LEN]);
/* Formats 'mac' into 'buf' (MAC_STRLEN bytes), returns 'buf'. */
char *addr_mac_format(const uint8_t mac[MAC_LEN], char buf[MAC_STRLEN]);
/* True for a MAC a port may have: not multicast (broadcast included),
 * not all zeros. */
bool addr_mac_is_unicast(const uint8_t mac[MAC_LEN]);

#define IP4_STRLEN 16
/* Parses a dotted-quad IPv4 address strictly (four decimal octets, no
 * leading zeros beyond "0").  'ret' is in host order. */
bool addr_ip4_parse(const char *s, uint32_t *ret);
/* Parses "A.B.C.D/N" (N 0..32).  With 'strict_net', bits outside the
 * prefix must be zero. */
bool addr_cidr4_parse(const char *s, bool strict_net, uint32_t *ret_addr,
                      int *ret_plen);
/* Formats a host-order address into 'buf' (IP4_STRLEN bytes). */
char *addr_ip4_format(uint32_t ip, char buf[IP4_STRLEN]);
/* The netmask of a prefix length, host order (0 for /0). */
uint32_t addr_plen_mask(int plen);

#define IP6_STRLEN 46 /* INET6_ADDRSTRLEN */
/* Parses an IPv6 address in any RFC 4291 text form (no zone, no
 * prefix). */
bool addr_ip6_parse(const char *s, struct in6_addr *ret);
/* Parses "ADDR/N" (N 0..128); with 'strict_net', bits outside the prefix
 * must be zero. */
bool addr_cidr6_parse(const char *s, bool strict_net, struct in6_addr *ret,
                      int *ret_plen);
/* Formats 'a' in the RFC 5952 form into 'buf' (IP6_STRLEN bytes). */
char *addr_ip6_format(const struct in6_addr *a, char buf[IP6_STRLEN]);
/* 'a' with every bit after the first 'plen' cleared. */
struct in6_addr addr_ip6_mask(const struct in6_addr *a, int plen);
/* True if 'a' and 'b' agree in their first 'plen' bits. */
bool addr_ip6_same_prefix(const struct in6_addr *a, const struct in6_addr *b,
                          int plen);
bool addr_ip6_equal(const struct in6_addr *a, const struct in6_addr *b);
/* The link-local address fe80::/64 with the modified EUI-64 interface ID
 * of 'mac' (RFC 4291 appendix A), as Linux gives a veth. */
struct in6_addr addr_ip6_link_local(const uint8_t mac[MAC_LEN]);
/* The solicited-node multicast address of 'a' (ff02::1:ffXX:XXXX). */
struct in6_addr addr_ip6_solicited_node(const struct in6_addr *a);

#endif
