#include "state.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "policy.h"
#include "util.h"

char *state_network_key(const char *id)
{
    return xasprintf(STATE_EXT_NET_PREFIX "%s", id);
}

const char *state_network_key_id(const char *key)
{
    size_t n = strlen(STATE_EXT_NET_PREFIX);

    if (strncmp(key, STATE_EXT_NET_PREFIX, n)
        || strlen(key + n) > REQUEST_ID_MAX
        || !util_is_hex_id(key + n, 12)) {
        return NULL;
    }
    return key + n;
}

json_t *state_subnets(const struct network *n, const char *net_key,
                      bool v4, bool v6)
{
    json_t *subnets = json_array();
    char ip[IP6_STRLEN], gw[IP6_STRLEN];

    for (size_t i = 0; v6 && i < n->n_subnets6; i++) {
        _cleanup_free_ char *pool = xasprintf(
            "%s/%d", addr_ip6_format(&n->subnets6[i].net, ip),
            n->subnets6[i].plen);
        json_array_append_new(subnets, json_pack(
            "{s:s,s:s}", net_key, pool, "gateway",
            addr_ip6_format(&n->subnets6[i].gateway, gw)));
    }
    for (size_t i = 0; v4 && i < n->n_subnets; i++) {
        _cleanup_free_ char *pool = xasprintf(
            "%s/%d", addr_ip4_format(n->subnets[i].net, ip),
            n->subnets[i].plen);
        json_array_append_new(subnets, json_pack(
            "{s:s,s:s}", net_key, pool, "gateway",
            addr_ip4_format(n->subnets[i].gateway, gw)));
    }
    return subnets;
}

char *state_network_encode(const struct network *n, const char *driver)
{
    char mac[MAC_STRLEN];
    _cleanup_free_ char *policy = policy_format(&n->opts.policy);
    json_t *j = json_pack("{s:i,s:i,s:s,s:I,s:s,s:o,s:O,s:s,s:b}",
                          "version", STATE_VERSION, "compat",
                          network_is_ovn(n) ? STATE_COMPAT_OVN
                          : n->n_subnets6 && !n->netdev
                              ? STATE_COMPAT_IPV6_KERNEL
                          : n->n_subnets6 ? STATE_COMPAT_IPV6
                                          : STATE_COMPAT,
                          "driver", driver, "tag", (json_int_t) n->tag,
                          "gateway_mac",
                          addr_mac_format(n->gateway_mac, mac), "subnets",
                          state_subnets(n, "pool", true, false), "options",
                          n->generic ? n->generic : json_null(),
                          "tcp_policy", policy, "internal", n->internal);
    if (n->n_subnets6) {
        json_object_set_new(j, "subnets6",
                            state_subnets(n, "pool", false, true));
    }
    char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);

    json_decref(j);
    return s;
}

bool state_network_tag(const char *text, uint32_t *ret)
{
    json_t *j = text ? json_loads(text, 0, NULL) : NULL;
    json_int_t tag = json_integer_value(json_object_get(j, "tag"));

    json_decref(j);
    if (tag <= 0 || tag > UINT32_MAX) {
        return false;
    }
    *ret = (uint32_t) tag;
    return true;
}

char *state_network_decode(const char *id, const char *bridge,
                           const char *text, const char *driver,
                           struct network **ret)
{
    json_t *j = text ? json_loads(text, 0, NULL) : NULL;
    const json_t *subnets = json_object_get(j, "subnets"), *sn;
    const json_t *version = json_object_get(j, "version");
    const json_t *compat = json_object_get(j, "compat");
    json_int_t tag = json_integer_value(json_object_get(j, "tag"));
    const char *owner = json_string_value(json_object_get(j, "driver"));
    const json_t *opts = json_object_get(j, "options");
    const json_t *subnets6 = json_object_get(j, "subnets6");
    struct network *n = NULL;
    char *err = NULL;
    size_t i;

    if (!j || tag <= 0 || tag > UINT32_MAX || !json_is_array(subnets)
        || json_array_size(subnets) == 0
        || json_array_size(subnets) > REQUEST_MAX_SUBNETS
        || (version && !json_is_integer(version))
        || (compat && !json_is_integer(compat))
        || strlen(id) > REQUEST_ID_MAX
        || strlen(bridge) > OPTIONS_BRIDGE_MAX) {
        err = xstrdup("malformed state");
        goto out;
    }
    /* Another instance's network (other driver name) is not ours. */
    if (strcmp(owner ? owner : "ovsgw", driver)) {
        *ret = NULL;
        goto out;
    }
    if (json_integer_value(compat) > STATE_VERSION) {
        err = xasprintf("state version %" JSON_INTEGER_FORMAT " needs a "
                        "newer ovsgw (this one reads up to version %d)",
                        json_integer_value(version), STATE_VERSION);
        goto out;
    }
    n = xzalloc(sizeof *n);
    strcpy(n->id, id);
    strcpy(n->bridge, bridge);
    n->tag = (uint32_t) tag;
    n->internal = json_is_true(json_object_get(j, "internal"));
    if ((err = options_parse(opts, &n->opts))) {
        goto out;
    }
    n->generic = json_is_object(opts) ? json_deep_copy(opts) : NULL;
    if (!addr_mac_parse(json_string_value(json_object_get(j, "gateway_mac"))
                            ?: "", n->gateway_mac)) {
        err = xstrdup("bad gateway_mac");
        goto out;
    }
    json_array_foreach(subnets, i, sn) {
        struct flows_subnet *s = &n->subnets[i];
        const char *pool = json_string_value(json_object_get(sn, "pool"));
        const char *gw = json_string_value(json_object_get(sn, "gateway"));
        if (!pool || !gw || !addr_cidr4_parse(pool, true, &s->net, &s->plen)
            || !addr_ip4_parse(gw, &s->gateway)) {
            err = xstrdup("bad subnet");
            goto out;
        }
    }
    n->n_subnets = json_array_size(subnets);
    if (subnets6 && (!json_is_array(subnets6)
                     || json_array_size(subnets6) > REQUEST_MAX_SUBNETS)) {
        err = xstrdup("bad subnets6");
        goto out;
    }
    json_array_foreach(subnets6, i, sn) {
        struct flows_subnet6 *s = &n->subnets6[i];
        const char *pool = json_string_value(json_object_get(sn, "pool"));
        const char *gw = json_string_value(json_object_get(sn, "gateway"));
        if (!pool || !gw || !addr_cidr6_parse(pool, true, &s->net, &s->plen)
            || !addr_ip6_parse(gw, &s->gateway)) {
            err = xstrdup("bad subnet");
            goto out;
        }
    }
    n->n_subnets6 = json_array_size(subnets6);
    *ret = TAKE_PTR(n);

out:
    network_free(n);
    json_decref(j);
    return err;
}

json_t *state_ports(const struct endpoint *e)
{
    json_t *a = json_array();
    char ip[IP4_STRLEN];

    for (size_t i = 0; i < e->n_ports; i++) {
        const struct published_port *p = &e->ports[i];
        json_array_append_new(a, json_pack(
            "{s:s,s:i,s:s,s:i}", "proto", p->proto == 17 ? "udp" : "tcp",
            "port", p->port, "host_ip",
            p->host_ip_set ? addr_ip4_format(p->host_ip, ip) : "",
            "host_port", p->host_port));
    }
    return a;
}

json_t *state_endpoint_encode(const struct network *n,
                              const struct endpoint *e)
{
    char mac[MAC_STRLEN], ip[IP4_STRLEN], cookie[16];
    _cleanup_free_ char *addr = xasprintf(
        "%s/%d", addr_ip4_format(e->fe.ip, ip), e->plen);

    snprintf(cookie, sizeof cookie, "0x%08" PRIx32, e->fe.id);
    json_t *ext = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", STATE_EXT_ENDPOINT,
                            e->id, STATE_EXT_NETWORK, n->id, STATE_EXT_IPV4,
                            addr, STATE_EXT_MAC,
                            addr_mac_format(e->fe.mac, mac),
                            STATE_EXT_COOKIE, cookie, STATE_EXT_PEER,
                            e->peer_if);
    if (e->fe.has_ip6) {
        char ip6[IP6_STRLEN];
        _cleanup_free_ char *a6 = xasprintf(
            "%s/%d", addr_ip6_format(&e->fe.ip6, ip6), e->plen6);
        json_object_set_new(ext, STATE_EXT_IPV6, json_string(a6));
    }
    if (e->n_ports) {
        json_t *ports = state_ports(e);
        char *text = json_dumps(ports, JSON_COMPACT);
        json_object_set_new(ext, STATE_EXT_PORTS, json_string(text));
        free(text);
        json_decref(ports);
    }
    return ext;
}

/* The published ports stored as 'text' into 'e'.  Returns false if they
 * are malformed. */
static bool decode_ports(const char *text, struct endpoint *e)
{
    json_t *a = json_loads(text, 0, NULL), *v;
    size_t i;
    bool ok = json_is_array(a) && json_array_size(a) <= 4096;

    if (ok && json_array_size(a)) {
        e->ports = xzalloc(json_array_size(a) * sizeof *e->ports);
    }
    json_array_foreach(a, i, v) {
        struct published_port *p = &e->ports[i];
        const char *proto = json_string_value(json_object_get(v, "proto"));
        const char *hip = json_string_value(json_object_get(v, "host_ip"));
        json_int_t port = json_integer_value(json_object_get(v, "port"));
        json_int_t hport = json_integer_value(json_object_get(v,
                                                              "host_port"));
        if (!ok || !proto || (strcmp(proto, "tcp") && strcmp(proto, "udp"))
            || port < 1 || port > 65535 || hport < 1 || hport > 65535
            || !hip || (*hip && !addr_ip4_parse(hip, &p->host_ip))) {
            ok = false;
            break;
        }
        p->proto = !strcmp(proto, "udp") ? 17 : 6;
        p->port = (uint16_t) port;
        p->host_port = (uint16_t) hport;
        p->host_ip_set = *hip != '\0';
        e->n_ports++;
    }
    json_decref(a);
    return ok;
}

static const char *ext_str(const json_t *ext, const char *key)
{
    return json_string_value(json_object_get(ext, key));
}

char *state_endpoint_decode(const json_t *ext, const char *name,
                            long long ofport, long long ofport_request,
                            struct endpoint **ret, const char **ret_network)
{
    const char *id = ext_str(ext, STATE_EXT_ENDPOINT);
    const char *nid = ext_str(ext, STATE_EXT_NETWORK);
    const char *addr = ext_str(ext, STATE_EXT_IPV4);
    const char *mac = ext_str(ext, STATE_EXT_MAC);
    const char *cookie = ext_str(ext, STATE_EXT_COOKIE);
    const char *peer = ext_str(ext, STATE_EXT_PEER);
    struct endpoint *e;
    long long port = ofport > 0 ? ofport : ofport_request;
    char *end;

    if (!id || !nid || !addr || !mac || !cookie || !peer) {
        return xstrdup("incomplete ovsgw state");
    }
    if (strlen(id) > REQUEST_ID_MAX || !util_is_hex_id(id, 12)
        || strlen(name) >= IFNAMSIZ || strlen(peer) >= IFNAMSIZ
        || port > 0xfeff) {
        return xstrdup("bad ovsgw state");
    }
    e = xzalloc(sizeof *e);
    strcpy(e->id, id);
    strcpy(e->host_if, name);
    strcpy(e->peer_if, peer);
    unsigned long c = strtoul(cookie, &end, 16);
    /* Until ovs-vswitchd numbers the port, the number asked for; with
     * neither, -1: restore then removes the endpoint. */
    e->fe.ofport = port > 0 ? (int) port : -1;
    e->verified = ofport > 0;
    e->fe.id = (uint32_t) c;
    const char *ports = ext_str(ext, STATE_EXT_PORTS);
    const char *addr6 = ext_str(ext, STATE_EXT_IPV6);
    e->fe.has_ip6 = addr6 != NULL;
    if (*end || c == 0 || c > UINT32_MAX
        || (addr6 && !addr_cidr6_parse(addr6, false, &e->fe.ip6, &e->plen6))
        || !addr_cidr4_parse(addr, false, &e->fe.ip, &e->plen)
        || !addr_mac_parse(mac, e->fe.mac)
        || (ports && !decode_ports(ports, e))) {
        endpoint_free(e);
        return xstrdup("bad ovsgw state");
    }
    *ret = e;
    *ret_network = nid;
    return NULL;
}

json_t *state_spare_encode(const char *driver, const char *bridge,
                           const char *peer)
{
    return json_pack("{s:s,s:s,s:s}", STATE_EXT_SPARE, driver,
                     STATE_EXT_BRIDGE, bridge, STATE_EXT_PEER, peer);
}

const char *state_spare_driver(const json_t *ext)
{
    return ext_str(ext, STATE_EXT_SPARE);
}

char *state_spare_decode(const json_t *ext, const char *name,
                         long long ofport, struct spare *ret)
{
    const char *br = ext_str(ext, STATE_EXT_BRIDGE);
    const char *peer = ext_str(ext, STATE_EXT_PEER);

    if (!br || !peer || strlen(br) > OPTIONS_BRIDGE_MAX
        || strlen(name) >= IFNAMSIZ || strlen(peer) >= IFNAMSIZ) {
        return xstrdup("bad spare state");
    }
    *ret = (struct spare) { .ofport = (int) (ofport > 0 ? ofport : 0),
                            .verified = ofport > 0 };
    strcpy(ret->bridge, br);
    strcpy(ret->host_if, name);
    strcpy(ret->peer_if, peer);
    return NULL;
}
