#include "statusdoc.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "policy.h"
#include "state.h"
#include "util.h"


/* 'doc' with the endpoint's IPv6 address, if it has one. */
static json_t *with_ip6(json_t *doc, const struct endpoint *e)
{
    char ip6[IP6_STRLEN];

    if (e->fe.has_ip6) {
        _cleanup_free_ char *a = xasprintf(
            "%s/%d", addr_ip6_format(&e->fe.ip6, ip6), e->plen6);
        json_object_set_new(doc, "address_ipv6", json_string(a));
    }
    return doc;
}

static json_t *endpoint_doc(const struct network *n, const struct endpoint *e,
                            const json_t *stats)
{
    const json_t *st = json_object_get(stats, e->host_if);
    char ip[IP4_STRLEN], mac[MAC_STRLEN], cookie[24];
    _cleanup_free_ char *addr = xasprintf(
        "%s/%d", addr_ip4_format(e->fe.ip, ip), e->plen);

    snprintf(cookie, sizeof cookie, "0x%016" PRIx64,
             flows_cookie(n->tag, e->fe.id));
    if (network_is_ovn(n)) {
        cookie[0] = '\0'; /* no flow of ovsgw's */
    }
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:i,s:s,s:I,s:I,s:o}",
                     "endpoint", e->id, "container_side", e->peer_if,
                     "address", addr, "mac", addr_mac_format(e->fe.mac, mac),
                     "port", e->host_if, "ofport", e->fe.ofport, "cookie",
                     cookie, "rx_packets",
                     json_integer_value(json_array_get(st, 0)), "tx_packets",
                     json_integer_value(json_array_get(st, 1)),
                     "published_ports", state_ports(e));
}

/* 'doc' with where OVN has the endpoint: the chassis, and whether
 * ovn-controller installed its port. */
static json_t *with_ovn(json_t *doc, const struct network *n,
                        const struct endpoint *e, const json_t *stats,
                        const char *chassis)
{
    if (network_is_ovn(n)) {
        const json_t *st = json_object_get(stats, e->host_if);
        json_object_set_new(doc, "chassis", json_string(chassis ?: ""));
        json_object_set_new(doc, "ovn_installed",
                            json_boolean(json_is_true(json_array_get(st,
                                                                     2))));
    }
    return doc;
}

static json_t *network_doc(const struct model *m, const struct network *n,
                           const json_t *stats, const char *chassis)
{
    json_t *eps = json_array(), *spares = json_array();
    _cleanup_free_ char *policy = policy_format(&n->opts.policy);
    char mac[MAC_STRLEN], cookie[24];

    for (const struct endpoint *e = n->endpoints; e; e = e->next) {
        json_array_append_new(eps, with_ovn(with_ip6(endpoint_doc(n, e,
                                                                  stats),
                                                     e),
                                            n, e, stats, chassis));
    }
    for (const struct spare *s = m->spares; s; s = s->next) {
        if (!strcmp(s->bridge, n->bridge)) {
            json_array_append_new(spares, json_string(s->host_if));
        }
    }
    snprintf(cookie, sizeof cookie, "0x%016" PRIx64,
             flows_cookie(n->tag, 0));
    json_t *doc = json_pack(
        "{s:s,s:o,s:s,s:s,s:b,s:s,s:o,s:s,s:i,s:s,s:o,s:b,s:b,s:s,s:s}",
        "network", n->id, "spare_ports", spares, "bridge", n->bridge,
        "datapath", n->netdev ? "netdev" : "system", "bridge_owned",
        n->bridge_owned, "gateway_mac", addr_mac_format(n->gateway_mac, mac),
        "subnets", state_subnets(n, "subnet", true, true), "tcp_policy", policy, "mtu",
        n->opts.mtu, "cookie", cookie, "endpoints", eps, "internal",
        n->internal, "nat", n->opts.nat && !n->internal,
        "uplink", n->internal ? "" : n->uplink_if, "mode",
        network_is_ovn(n) ? "ovn" : "local");
    if (network_is_ovn(n)) {
        json_object_set_new(doc, "ovn_name", json_string(n->opts.ovn_name));
        json_object_set_new(doc, "chassis", json_string(chassis ?: ""));
    }
    return doc;
}

json_t *statusdoc_build(const struct model *m, const json_t *stats,
                        const char *chassis, const char *source)
{
    json_t *nets = json_array();

    for (const struct network *n = m->networks; n; n = n->next) {
        json_array_append_new(nets, network_doc(m, n, stats, chassis));
    }
    return json_pack("{s:o,s:s}", "networks", nets, "source", source);
}
