/* Pure flow generation: a network model in, ovs-ofctl flow lines out.
 * No I/O.  The text is fed to 'ovs-ofctl --bundle add-flows', one flow per
 * line; lines may start with "delete" to remove flows by cookie.
 *
 * Pipeline (see DESIGN.md):
 *   table 0  ingress / port security: tags the packet with the network in
 *            reg0, anything else is dropped
 *   table 10 ARP and ND: gateway responder, proxy ARP for endpoints; every
 *            Neighbor Solicitation is turned into an advertisement
 *            (stage 1) and resubmitted to table 11
 *   table 11 ND stage 2: the advertisement of a known target (gateway or
 *            endpoint) goes back out IN_PORT; an unknown one is dropped
 *   table 20 IP input: ICMP and ICMPv6 echo responders for gateways; the
 *            ND, MLD and router messages of containers are dropped
 *   table 30 policy: TCP rules
 *   table 40 forward: routed (via the gateway MAC) or same-subnet, and
 *            link-local between endpoints; what is none of the network's
 *            subnets goes to the uplink
 *
 * Cookies: the high 32 bits name the network ('tag'), the low 32 bits the
 * endpoint (0 for the network's own flows).  Flows shared by every network
 * of a bridge carry FLOWS_COOKIE_BRIDGE. */
#ifndef OVSGW_FLOWS_H
#define OVSGW_FLOWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "util.h"
#include "policy.h"

enum {
    FLOWS_T_INGRESS = 0,
    FLOWS_T_ARP = 10,
    FLOWS_T_ND2 = 11,
    FLOWS_T_IP = 20,
    FLOWS_T_POLICY = 30,
    FLOWS_T_FORWARD = 40,
};

#define FLOWS_COOKIE_BRIDGE UINT64_C(0x00000000ffffffff)
#define FLOWS_COOKIE_NET_MASK UINT64_C(0xffffffff00000000)

struct flows_subnet {
    uint32_t net;     /* host order, host bits zero */
    int plen;
    uint32_t gateway; /* host order */
};

/* An IPv6 subnet.  Its gateway, like the IPv4 one, exists only as flows
 * (ND and echo responders) with the network's gateway MAC. */
struct flows_subnet6 {
    struct in6_addr net;     /* host bits zero */
    int plen;                /* 1..128; Docker gives /64 typically */
    struct in6_addr gateway;
};

/* The bridge's uplink: an internal port to the host's own stack, the
 * network's way out (NAT, published ports and host access are the
 * host's; see DESIGN.md "Uplink"). */
struct flows_uplink {
    int ofport;
    uint8_t mac[MAC_LEN]; /* of the host's end */
};

struct flows_network {
    uint32_t tag;     /* nonzero, unique on its bridge */
    uint8_t gateway_mac[MAC_LEN];
    size_t n_subnets;
    const struct flows_subnet *subnets;
    size_t n_subnets6;       /* 0: the network has no IPv6 */
    const struct flows_subnet6 *subnets6;
    const struct policy *policy; /* TCP rules, or NULL */
    const struct flows_uplink *uplink; /* NULL: no way out (--internal) */
    /* The kernel datapath cannot answer a Neighbor Solicitation by itself
     * (OVS refuses to set nd_reserved and nd_options_type there): send
     * each one to the controller, ovsgw, which answers it (lib/nd.h). */
    bool nd_controller;
};

struct flows_endpoint {
    uint32_t id;      /* nonzero, unique in its network */
    uint32_t ip;      /* host order */
    uint8_t mac[MAC_LEN];
    int ofport;
    bool has_ip6;            /* only used when the network has IPv6 */
    struct in6_addr ip6;     /* its global IPv6 address; its link-local
                              * address is fe80::/64 + EUI-64 of 'mac'
                              * (addr_ip6_link_local() in lib/addr.h) */
};

/* Cookie of a network's flows (endpoint 0) or of one endpoint's flows. */
uint64_t flows_cookie(uint32_t tag, uint32_t endpoint_id);

/* Flow lines shared by every network on a bridge: the table-miss entries.
 * Returns a malloc'd string. */
char *flows_bridge(void);

/* The network's own flows: gateway ARP and ICMP responders per subnet,
 * with IPv6 subnets the ND stage 1 and the drops of containers' ND, MLD
 * and router messages once, and the gateway's ND (stage 2) and ICMPv6
 * echo responders per IPv6 subnet; its TCP policy (IPv6 rules only when
 * the network has IPv6); and with an uplink the way out: the host's
 * traffic to the network's subnets comes in (ARP or NS for the gateways,
 * IPv4 or IPv6 to the subnets), everything else routed goes out, but
 * nothing to the host's loopback, to link-local or multicast IPv6, or to
 * an address of the subnets that no endpoint has.
 * A network without IPv6 subnets gets exactly its IPv4 flows.
 * The ND responder sets nd_reserved and nd_options_type, which only the
 * userspace (netdev) datapath can do: ovs-vswitchd 3.1 refuses such flows
 * (OFPBAC_BAD_SET_ARGUMENT) on a datapath without IPv6 ND extensions, the
 * Linux kernel module included ('ovs-appctl dpif/show-dp-features BRIDGE'
 * says which).
 * Returns a malloc'd string. */
char *flows_network(const struct flows_network *net);

/* One endpoint's flows: port security, proxy ARP, forwarding; with
 * 'ep->has_ip6' on a network with IPv6 subnets also IPv6 port security
 * (its global and link-local addresses, NS source link-layer option),
 * proxy ND for both addresses and IPv6 forwarding (same subnet, routed,
 * link-local).  Returns a malloc'd string. */
char *flows_endpoint(const struct flows_network *net,
                     const struct flows_endpoint *ep);

/* A "delete" line for every flow of the network 'tag' (its endpoints'
 * too), or of one endpoint when 'endpoint_id' is nonzero.  Malloc'd. */
char *flows_delete(uint32_t tag, uint32_t endpoint_id);

#endif
