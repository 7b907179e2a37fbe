#include "flows.h"

#include <inttypes.h>
#include <stdio.h>

/* Priorities: specific matches at 100, table-miss at 0.  Policy rules
 * use their own range (policy.c).  In the forward table, what is not an
 * endpoint but in a subnet, or loopback, drops before the default route
 * to the uplink. */
enum {
    PRIO_MATCH = 100,
    PRIO_GW_DROP = 90,
    PRIO_NO_EXIT = 50,
    PRIO_DEFAULT_ROUTE = 10,
    PRIO_MISS = 0,
};

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
    if (net->policy) {
        _cleanup_free_ char *pf = policy_flows(net->policy, false, net->tag,
                                               cookie, FLOWS_T_POLICY,
                                               FLOWS_T_FORWARD);
        strbuf_add(&sb, pf);
    }
    if (net->uplink) {
        uplink_flows(&sb, net, cookie);
    }
    return strbuf_take(&sb);
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
