#include "flows.h"

#include <inttypes.h>
#include <stdio.h>

/* Priorities: specific matches at 100, table-miss at 0.  Policy rules
 * use their own range (policy.c).  In the forward table, what is not an
 * endpoint but in a subnet, or loopback, drops before the default route
 * to the uplink.  PRIO_ND goes before PRIO_MATCH where ND overlaps with a
 * wider flow: in table 0 an NS before the IPv6 it is part of, in table 10
 * an NS without source link-layer option before stage 1, in table 20 the
 * ICMPv6 control messages of containers before the gateways' flows. */
enum {
    PRIO_ND = 110,
    PRIO_MATCH = 100,
    PRIO_GW_DROP = 90,
    PRIO_NO_EXIT = 50,
    PRIO_DEFAULT_ROUTE = 10,
    PRIO_MISS = 0,
};

/* ICMPv6 types (RFC 4443, 4861, 2710, 3810). */
enum {
    ICMP6_ECHO_REQUEST = 128,
    ICMP6_ECHO_REPLY = 129,
    ND_NEIGHBOR_SOLICIT = 135,
    ND_NEIGHBOR_ADVERT = 136,
    ND_OPT_TARGET_LINKADDR = 2,
};

/* The flags word of a Neighbor Advertisement (nd_reserved): the gateway
 * is a router; every answer is solicited and overrides the cache. */
#define ND_FLAGS_GATEWAY UINT32_C(0xe0000000) /* Router|Solicited|Override */
#define ND_FLAGS_PROXY UINT32_C(0x60000000)   /* Solicited|Override */

/* reg1 of an NS that ND stage 1 turned into an NA and resubmitted. */
#define ND_MARK 1

/* What containers send that the virtual network never passes on, dropped
 * in table 20 whatever their addresses: MLD queries, reports and done
 * (130-132, 143), router solicitations (no RAs: Docker sets addresses and
 * routes), and the ND messages only routers or proxies send (RA 134,
 * redirect 137).  Every NS is answered by the flows, so a container's NA
 * (136) is needed by nobody, and an NS that table 0 did not send to table
 * 10 (135: its source link-layer option is none or not the port's MAC)
 * may not reach anyone either: a forged NA or NS poisons no cache. */
static const int icmp6_dropped[] = { 130, 131, 132, 133, 134, 135, 136, 137,
                                     143 };

uint64_t flows_cookie(uint32_t tag, uint32_t endpoint_id)
{
    return (uint64_t) tag << 32 | endpoint_id;
}

static void flow(struct strbuf *sb, uint64_t cookie, int table, int prio,
                 const char *match, const char *actions)
{
    strbuf_addf(sb, "cookie=0x%016" PRIx64 ",table=%d,priority=%d%s%s "
                "actions=%s\n", cookie, table, prio, *match ? "," : "",
                match, actions);
}

char *flows_bridge(void)
{
    struct strbuf sb = { 0 };
    char goto_policy[32], goto_forward[32];

    snprintf(goto_policy, sizeof goto_policy, "goto_table:%d",
             FLOWS_T_POLICY);
    snprintf(goto_forward, sizeof goto_forward, "goto_table:%d",
             FLOWS_T_FORWARD);
    flow(&sb, FLOWS_COOKIE_BRIDGE, FLOWS_T_INGRESS, PRIO_MISS, "", "drop");
    flow(&sb, FLOWS_COOKIE_BRIDGE, FLOWS_T_ARP, PRIO_MISS, "", "drop");
    /* Table 11 (ND stage 2) needs none: it is only reached by resubmit,
     * and a resubmit that misses does nothing, so the packet, which has no
     * other action, is dropped. */
    flow(&sb, FLOWS_COOKIE_BRIDGE, FLOWS_T_IP, PRIO_MISS, "", goto_policy);
    flow(&sb, FLOWS_COOKIE_BRIDGE, FLOWS_T_POLICY, PRIO_MISS, "",
         goto_forward);
    flow(&sb, FLOWS_COOKIE_BRIDGE, FLOWS_T_FORWARD, PRIO_MISS, "", "drop");
    return strbuf_take(&sb);
}

/* Turns an ARP request for 'ip' into the reply "ip is at 'mac'" and sends
 * it back where it came from. */
static char *arp_responder(uint32_t ip, const uint8_t mac[MAC_LEN])
{
    char m[MAC_STRLEN], a[IP4_STRLEN];

    addr_mac_format(mac, m);
    addr_ip4_format(ip, a);
    return xasprintf("move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],"
                     "set_field:%s->eth_src,set_field:2->arp_op,"
                     "move:NXM_NX_ARP_SHA[]->NXM_NX_ARP_THA[],"
                     "set_field:%s->arp_sha,"
                     "move:NXM_OF_ARP_SPA[]->NXM_OF_ARP_TPA[],"
                     "set_field:%s->arp_spa,IN_PORT", m, m, a);
}

/* ND stage 2: an NS for 'target', turned into an NA by stage 1, gets the
 * flags and 'mac' as its target link-layer option, and goes back where it
 * came from.  OVS recomputes the ICMPv6 checksum. */
static void nd_responder(struct strbuf *sb, uint64_t cookie, uint32_t tag,
                         const struct in6_addr *target,
                         const uint8_t mac[MAC_LEN], uint32_t flags)
{
    char m[MAC_STRLEN], t[IP6_STRLEN];
    _cleanup_free_ char *match = NULL, *actions = NULL;

    addr_mac_format(mac, m);
    addr_ip6_format(target, t);
    match = xasprintf("reg0=0x%" PRIx32 ",reg1=%d,icmp6,icmpv6_type=%d,"
                      "nd_target=%s", tag, ND_MARK, ND_NEIGHBOR_ADVERT, t);
    actions = xasprintf("set_field:0x%08" PRIx32 "->nd_reserved,"
                        "set_field:%s->nd_tll,"
                        "move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],"
                        "set_field:%s->eth_src,"
                        "move:NXM_NX_IPV6_SRC[]->NXM_NX_IPV6_DST[],"
                        "set_field:%s->ipv6_src,IN_PORT", flags, m, m, t);
    flow(sb, cookie, FLOWS_T_ND2, PRIO_MATCH, match, actions);
}

/* The IPv6 flows of a network with IPv6 subnets.
 *
 * The NS->NA responder takes two stages because OVS refuses to set nd_tll
 * unless the match says ICMPv6 type 136 (a set_field earlier in the same
 * actions does not count: OFPBAC_MATCH_INCONSISTENT).  Stage 1, one flow
 * per network, turns every NS into an NA (type 136, target link-layer
 * option type 2 in place of the source one), marks it in reg1 and
 * resubmits it to table 11; stage 2, one flow per known address, sets the
 * flags (nd_reserved may be set there too: its match says type 136) and
 * the target's MAC and sends it back.  So stage 1 is once per network and
 * an address costs one flow.  An NS for an address nobody has misses in
 * table 11 and is dropped: nothing floods.
 *
 * An NS without source link-layer option gets its own flow that drops
 * it.  An answer would need the Solicited flag in nd_reserved, and OVS
 * 3.1 writes nd_reserved and nd_options_type together
 * (packet_set_nd_ext()), storing the option type at the first option's
 * place even when the 24-byte message has none: no flow can answer it
 * without writing past the packet.  That drops DAD probes (source ::),
 * and DAD completes, and unicast reachability probes without the option
 * (RFC 4861 allows them), which Linux never sends (it includes the option
 * unless the source is ::); a stack that does falls back to a multicast
 * NS, with the option, once its probes go unanswered.
 *
 * On the kernel datapath (net->nd_controller), stage 1 sends the NS to
 * the controller instead, and there is no stage 2: ovsgw answers from its
 * model, with the same flags and addresses (plugin/ndproxy.c).  Everything
 * else, the drops and the port security in front of stage 1 included, is
 * the same flows. */
static void network6_flows(struct strbuf *sb, const struct flows_network *net,
                           uint64_t cookie)
{
    char gwmac[MAC_STRLEN], gw[IP6_STRLEN];

    addr_mac_format(net->gateway_mac, gwmac);
    _cleanup_free_ char *m_nosll = xasprintf("reg0=0x%" PRIx32 ",icmp6,"
                                             "icmpv6_type=%d,"
                                             "nd_sll=00:00:00:00:00:00",
                                             net->tag, ND_NEIGHBOR_SOLICIT);
    flow(sb, cookie, FLOWS_T_ARP, PRIO_ND, m_nosll, "drop");
    _cleanup_free_ char *m_ns = xasprintf("reg0=0x%" PRIx32 ",icmp6,"
                                          "icmpv6_type=%d", net->tag,
                                          ND_NEIGHBOR_SOLICIT);
    _cleanup_free_ char *a_ns = xasprintf("set_field:%d->icmpv6_type,"
                                          "set_field:%d->nd_options_type,"
                                          "set_field:%d->reg1,"
                                          "resubmit(,%d)", ND_NEIGHBOR_ADVERT,
                                          ND_OPT_TARGET_LINKADDR, ND_MARK,
                                          FLOWS_T_ND2);
    flow(sb, cookie, FLOWS_T_ARP, PRIO_MATCH, m_ns,
         net->nd_controller ? "controller" : a_ns);
    for (size_t i = 0; i < ARRAY_SIZE(icmp6_dropped); i++) {
        _cleanup_free_ char *m = xasprintf("reg0=0x%" PRIx32 ",icmp6,"
                                           "icmpv6_type=%d", net->tag,
                                           icmp6_dropped[i]);
        flow(sb, cookie, FLOWS_T_IP, PRIO_ND, m, "drop");
    }

    for (size_t i = 0; i < net->n_subnets6; i++) {
        const struct flows_subnet6 *s = &net->subnets6[i];
        _cleanup_free_ char *m_echo = NULL, *a_echo = NULL, *m_drop = NULL;

        addr_ip6_format(&s->gateway, gw);
        if (!net->nd_controller) {
            nd_responder(sb, cookie, net->tag, &s->gateway,
                         net->gateway_mac, ND_FLAGS_GATEWAY);
        }

        /* OVS fixes the ICMPv6 checksum after these rewrites. */
        m_echo = xasprintf("reg0=0x%" PRIx32 ",icmp6,ipv6_dst=%s,"
                           "icmpv6_type=%d,icmpv6_code=0", net->tag, gw,
                           ICMP6_ECHO_REQUEST);
        a_echo = xasprintf("move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],"
                           "set_field:%s->eth_src,"
                           "move:NXM_NX_IPV6_SRC[]->NXM_NX_IPV6_DST[],"
                           "set_field:%s->ipv6_src,set_field:255->nw_ttl,"
                           "set_field:%d->icmpv6_type,IN_PORT", gwmac, gw,
                           ICMP6_ECHO_REPLY);
        flow(sb, cookie, FLOWS_T_IP, PRIO_MATCH, m_echo, a_echo);

        /* The gateway is virtual: nothing else addressed to it goes on. */
        m_drop = xasprintf("reg0=0x%" PRIx32 ",ipv6,ipv6_dst=%s", net->tag,
                           gw);
        flow(sb, cookie, FLOWS_T_IP, PRIO_GW_DROP, m_drop, "drop");
    }
}

/* The IPv6 way between the network and the host's stack: the host routes
 * each IPv6 subnet via its gateway through the uplink, so it solicits the
 * gateway's address and sends to the gateway MAC. */
static void uplink6_flows(struct strbuf *sb, const struct flows_network *net,
                          uint64_t cookie)
{
    static const char *const no_exit[] = {
        "::1",       /* the host's loopback */
        "fe80::/10", /* link-local: not routed */
        "ff00::/8",  /* multicast: the host would take it */
    };
    char gwmac[MAC_STRLEN], upmac[MAC_STRLEN], a[IP6_STRLEN];
    int up = net->uplink->ofport;

    addr_mac_format(net->gateway_mac, gwmac);
    addr_mac_format(net->uplink->mac, upmac);
    for (size_t i = 0; i < net->n_subnets6; i++) {
        const struct flows_subnet6 *s = &net->subnets6[i];
        _cleanup_free_ char *m_ns = NULL, *a_ns = NULL, *m_ip = NULL,
                            *a_ip = NULL, *m_no = NULL;

        /* Before the subnet's flow: a unicast NS for the gateway is to
         * an address of the subnet too. */
        m_ns = xasprintf("in_port=%d,icmp6,icmpv6_type=%d,nd_target=%s", up,
                         ND_NEIGHBOR_SOLICIT,
                         addr_ip6_format(&s->gateway, a));
        a_ns = xasprintf("set_field:0x%" PRIx32 "->reg0,goto_table:%d",
                         net->tag, FLOWS_T_ARP);
        flow(sb, cookie, FLOWS_T_INGRESS, PRIO_ND, m_ns, a_ns);
        m_ip = xasprintf("in_port=%d,ipv6,ipv6_dst=%s/%d", up,
                         addr_ip6_format(&s->net, a), s->plen);
        a_ip = xasprintf("set_field:0x%" PRIx32 "->reg0,goto_table:%d",
                         net->tag, FLOWS_T_IP);
        flow(sb, cookie, FLOWS_T_INGRESS, PRIO_MATCH, m_ip, a_ip);
        /* An address of the subnet that no endpoint has is nowhere. */
        m_no = xasprintf("reg0=0x%" PRIx32 ",ipv6,ipv6_dst=%s/%d", net->tag,
                         addr_ip6_format(&s->net, a), s->plen);
        flow(sb, cookie, FLOWS_T_FORWARD, PRIO_NO_EXIT, m_no, "drop");
    }
    for (size_t i = 0; i < ARRAY_SIZE(no_exit); i++) {
        _cleanup_free_ char *m = xasprintf("reg0=0x%" PRIx32 ",ipv6,"
                                           "ipv6_dst=%s", net->tag,
                                           no_exit[i]);
        flow(sb, cookie, FLOWS_T_FORWARD, PRIO_NO_EXIT, m, "drop");
    }
    _cleanup_free_ char *m_out = xasprintf("reg0=0x%" PRIx32 ",ipv6,"
                                           "dl_dst=%s", net->tag, gwmac);
    _cleanup_free_ char *a_out = xasprintf("set_field:%s->eth_src,"
                                           "set_field:%s->eth_dst,dec_ttl,"
                                           "output:%d", gwmac, upmac, up);
    flow(sb, cookie, FLOWS_T_FORWARD, PRIO_DEFAULT_ROUTE, m_out, a_out);
}

/* The way between the network and the host's stack through the uplink. */
static void uplink_flows(struct strbuf *sb, const struct flows_network *net,
                         uint64_t cookie)
{
    char gwmac[MAC_STRLEN], upmac[MAC_STRLEN], ip[IP4_STRLEN];
    int up = net->uplink->ofport;

    addr_mac_format(net->gateway_mac, gwmac);
    addr_mac_format(net->uplink->mac, upmac);
    for (size_t i = 0; i < net->n_subnets; i++) {
        const struct flows_subnet *s = &net->subnets[i];
        _cleanup_free_ char *m_arp = NULL, *m_ip = NULL, *a_arp = NULL,
                            *a_ip = NULL, *m_no = NULL;

        /* The host routes each subnet via its gateway (onlink): it asks
         * for the gateway's MAC, then sends to it. */
        m_arp = xasprintf("in_port=%d,arp,arp_tpa=%s", up,
                          addr_ip4_format(s->gateway, ip));
        a_arp = xasprintf("set_field:0x%" PRIx32 "->reg0,goto_table:%d",
                          net->tag, FLOWS_T_ARP);
        flow(sb, cookie, FLOWS_T_INGRESS, PRIO_MATCH, m_arp, a_arp);
        m_ip = xasprintf("in_port=%d,ip,nw_dst=%s/%d", up,
                         addr_ip4_format(s->net, ip), s->plen);
        a_ip = xasprintf("set_field:0x%" PRIx32 "->reg0,goto_table:%d",
                         net->tag, FLOWS_T_IP);
        flow(sb, cookie, FLOWS_T_INGRESS, PRIO_MATCH, m_ip, a_ip);
        /* An address of the subnet that no endpoint has is nowhere: the
         * host would only route it back. */
        m_no = xasprintf("reg0=0x%" PRIx32 ",ip,nw_dst=%s/%d", net->tag,
                         addr_ip4_format(s->net, ip), s->plen);
        flow(sb, cookie, FLOWS_T_FORWARD, PRIO_NO_EXIT, m_no, "drop");
    }
    _cleanup_free_ char *m_lo = xasprintf("reg0=0x%" PRIx32 ",ip,"
                                          "nw_dst=127.0.0.0/8", net->tag);
    flow(sb, cookie, FLOWS_T_FORWARD, PRIO_NO_EXIT, m_lo, "drop");
    _cleanup_free_ char *m_out = xasprintf("reg0=0x%" PRIx32 ",ip,dl_dst=%s",
                                           net->tag, gwmac);
    _cleanup_free_ char *a_out = xasprintf("set_field:%s->eth_src,"
                                           "set_field:%s->eth_dst,dec_ttl,"
                                           "output:%d", gwmac, upmac, up);
    flow(sb, cookie, FLOWS_T_FORWARD, PRIO_DEFAULT_ROUTE, m_out, a_out);
}

char *flows_network(const struct flows_network *net)
{
    struct strbuf sb = { 0 };
    uint64_t cookie = flows_cookie(net->tag, 0);
    char gwmac[MAC_STRLEN], gw[IP4_STRLEN];

    addr_mac_format(net->gateway_mac, gwmac);
    for (size_t i = 0; i < net->n_subnets; i++) {
        _cleanup_free_ char *arp = NULL, *m1 = NULL, *m2 = NULL, *m3 = NULL,
                            *icmp = NULL;

        addr_ip4_format(net->subnets[i].gateway, gw);
        m1 = xasprintf("reg0=0x%" PRIx32 ",arp,arp_op=1,arp_tpa=%s",
                       net->tag, gw);
        arp = arp_responder(net->subnets[i].gateway, net->gateway_mac);
        flow(&sb, cookie, FLOWS_T_ARP, PRIO_MATCH, m1, arp);

        /* OVS fixes the IP and ICMP checksums after these rewrites. */
        m2 = xasprintf("reg0=0x%" PRIx32 ",icmp,nw_dst=%s,icmp_type=8,"
                       "icmp_code=0", net->tag, gw);
        icmp = xasprintf("move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],"
                         "set_field:%s->eth_src,"
                         "move:NXM_OF_IP_SRC[]->NXM_OF_IP_DST[],"
                         "set_field:%s->ip_src,set_field:255->nw_ttl,"
                         "set_field:0->icmp_type,IN_PORT", gwmac, gw);
        flow(&sb, cookie, FLOWS_T_IP, PRIO_MATCH, m2, icmp);

        /* The gateway is virtual: nothing else addressed to it goes on. */
        m3 = xasprintf("reg0=0x%" PRIx32 ",ip,nw_dst=%s", net->tag, gw);
        flow(&sb, cookie, FLOWS_T_IP, PRIO_GW_DROP, m3, "drop");
    }
    if (net->n_subnets6) {
        network6_flows(&sb, net, cookie);
    }
    if (net->policy) {
        _cleanup_free_ char *pf = policy_flows(net->policy,
                                               net->n_subnets6 > 0, net->tag,
                                               cookie, FLOWS_T_POLICY,
                                               FLOWS_T_FORWARD);
        strbuf_add(&sb, pf);
    }
    if (net->uplink) {
        uplink_flows(&sb, net, cookie);
        if (net->n_subnets6) {
            uplink6_flows(&sb, net, cookie);
        }
    }
    return strbuf_take(&sb);
}

/* An endpoint's IPv6 flows, for its global address and its link-local
 * one.  Port security: from its port and MAC, only its two addresses
 * enter (never ::, so DAD probes and early MLD reports drop in table 0);
 * an NS goes to the ND table only with the port's own MAC as its source
 * link-layer option, everything else to table 20, where the ND, MLD and
 * router messages of containers drop (icmp6_dropped[]). */
static void endpoint6_flows(struct strbuf *sb, const struct flows_network *net,
                            const struct flows_endpoint *ep, uint64_t cookie)
{
    struct in6_addr ll = addr_ip6_link_local(ep->mac);
    const struct in6_addr *own[] = { &ep->ip6, &ll };
    char mac[MAC_STRLEN], gwmac[MAC_STRLEN], a[IP6_STRLEN];

    addr_mac_format(ep->mac, mac);
    addr_mac_format(net->gateway_mac, gwmac);
    for (size_t i = 0; i < ARRAY_SIZE(own); i++) {
        _cleanup_free_ char *m_ip = NULL, *a_ip = NULL, *m_ns = NULL,
                            *a_ns = NULL;

        addr_ip6_format(own[i], a);
        m_ip = xasprintf("in_port=%d,dl_src=%s,ipv6,ipv6_src=%s", ep->ofport,
                         mac, a);
        a_ip = xasprintf("set_field:0x%" PRIx32 "->reg0,goto_table:%d",
                         net->tag, FLOWS_T_IP);
        flow(sb, cookie, FLOWS_T_INGRESS, PRIO_MATCH, m_ip, a_ip);
        m_ns = xasprintf("in_port=%d,dl_src=%s,icmp6,ipv6_src=%s,"
                         "icmpv6_type=%d,nd_sll=%s", ep->ofport, mac, a,
                         ND_NEIGHBOR_SOLICIT, mac);
        a_ns = xasprintf("set_field:0x%" PRIx32 "->reg0,goto_table:%d",
                         net->tag, FLOWS_T_ARP);
        flow(sb, cookie, FLOWS_T_INGRESS, PRIO_ND, m_ns, a_ns);
    }

    /* Proxy ND: answer for both addresses instead of flooding (on the
     * kernel datapath, ovsgw answers from the same model). */
    for (size_t i = 0; !net->nd_controller && i < ARRAY_SIZE(own); i++) {
        nd_responder(sb, cookie, net->tag, own[i], ep->mac, ND_FLAGS_PROXY);
    }

    /* Routed from another IPv6 subnet through the virtual gateway; same
     * subnet; link-local between endpoints of the network. */
    addr_ip6_format(&ep->ip6, a);
    _cleanup_free_ char *m_routed = xasprintf("reg0=0x%" PRIx32 ",ipv6,"
                                              "dl_dst=%s,ipv6_dst=%s",
                                              net->tag, gwmac, a);
    _cleanup_free_ char *a_routed = xasprintf("set_field:%s->eth_src,"
                                              "set_field:%s->eth_dst,dec_ttl,"
                                              "output:%d", gwmac, mac,
                                              ep->ofport);
    flow(sb, cookie, FLOWS_T_FORWARD, PRIO_MATCH, m_routed, a_routed);
    _cleanup_free_ char *a_out = xasprintf("output:%d", ep->ofport);
    for (size_t i = 0; i < ARRAY_SIZE(own); i++) {
        _cleanup_free_ char *m = xasprintf("reg0=0x%" PRIx32 ",ipv6,"
                                           "dl_dst=%s,ipv6_dst=%s", net->tag,
                                           mac, addr_ip6_format(own[i], a));
        flow(sb, cookie, FLOWS_T_FORWARD, PRIO_MATCH, m, a_out);
    }
}

char *flows_endpoint(const struct flows_network *net,
                     const struct flows_endpoint *ep)
{
    struct strbuf sb = { 0 };
    uint64_t cookie = flows_cookie(net->tag, ep->id);
    char mac[MAC_STRLEN], gwmac[MAC_STRLEN], ip[IP4_STRLEN];
    _cleanup_free_ char *m_arp = NULL, *m_ip = NULL, *a_tag_arp = NULL,
                        *a_tag_ip = NULL, *m_proxy = NULL, *a_proxy = NULL,
                        *m_routed = NULL, *a_routed = NULL, *m_local = NULL,
                        *a_out = NULL;

    addr_mac_format(ep->mac, mac);
    addr_mac_format(net->gateway_mac, gwmac);
    addr_ip4_format(ep->ip, ip);

    /* Port security: only the endpoint's own MAC and IP enter. */
    m_arp = xasprintf("in_port=%d,dl_src=%s,arp,arp_spa=%s,arp_sha=%s",
                      ep->ofport, mac, ip, mac);
    a_tag_arp = xasprintf("set_field:0x%" PRIx32 "->reg0,goto_table:%d",
                          net->tag, FLOWS_T_ARP);
    flow(&sb, cookie, FLOWS_T_INGRESS, PRIO_MATCH, m_arp, a_tag_arp);
    m_ip = xasprintf("in_port=%d,dl_src=%s,ip,nw_src=%s", ep->ofport, mac,
                     ip);
    a_tag_ip = xasprintf("set_field:0x%" PRIx32 "->reg0,goto_table:%d",
                         net->tag, FLOWS_T_IP);
    flow(&sb, cookie, FLOWS_T_INGRESS, PRIO_MATCH, m_ip, a_tag_ip);

    /* Proxy ARP: answer for the endpoint instead of flooding. */
    m_proxy = xasprintf("reg0=0x%" PRIx32 ",arp,arp_op=1,arp_tpa=%s",
                        net->tag, ip);
    a_proxy = arp_responder(ep->ip, ep->mac);
    flow(&sb, cookie, FLOWS_T_ARP, PRIO_MATCH, m_proxy, a_proxy);

    /* Routed from another subnet through the virtual gateway. */
    m_routed = xasprintf("reg0=0x%" PRIx32 ",ip,dl_dst=%s,nw_dst=%s",
                         net->tag, gwmac, ip);
    a_routed = xasprintf("set_field:%s->eth_src,set_field:%s->eth_dst,"
                         "dec_ttl,output:%d", gwmac, mac, ep->ofport);
    flow(&sb, cookie, FLOWS_T_FORWARD, PRIO_MATCH, m_routed, a_routed);

    /* Same subnet: straight to the port. */
    m_local = xasprintf("reg0=0x%" PRIx32 ",ip,dl_dst=%s,nw_dst=%s",
                        net->tag, mac, ip);
    a_out = xasprintf("output:%d", ep->ofport);
    flow(&sb, cookie, FLOWS_T_FORWARD, PRIO_MATCH, m_local, a_out);

    /* IPv6 only where the network has it: without the network's flows
     * (table 20's drops above all) an endpoint's ND would pass. */
    if (ep->has_ip6 && net->n_subnets6) {
        endpoint6_flows(&sb, net, ep, cookie);
    }
    return strbuf_take(&sb);
}

char *flows_delete(uint32_t tag, uint32_t endpoint_id)
{
    if (endpoint_id) {
        return xasprintf("delete cookie=0x%016" PRIx64 "/-1\n",
                         flows_cookie(tag, endpoint_id));
    }
    return xasprintf("delete cookie=0x%016" PRIx64 "/0x%016" PRIx64 "\n",
                     flows_cookie(tag, 0), FLOWS_COOKIE_NET_MASK);
}
