#include "request.h"

#include <string.h>

/* Docker's IDs are 64 hex digits; shorter ones (12 and up) are taken so
 * that tools and tests can use short IDs. */
#define ID_MIN 12

/* A value from the request, for a message: at most 'max' characters, cut
 * at a character boundary, odd bytes escaped.  Malloc'd. */
static char *shown(const char *s, size_t max)
{
    return util_str_clean(s, strlen(s), max);
}

static char *parse_id(const json_t *req, const char *key,
                      char ret[REQUEST_ID_MAX + 1])
{
    const json_t *v = json_object_get(req, key);
    const char *s;

    if (!v) {
        return xasprintf("missing %s", key);
    }
    if (!json_is_string(v)) {
        return xasprintf("%s: want a string", key);
    }
    s = json_string_value(v);
    if (strlen(s) > REQUEST_ID_MAX || !util_is_hex_id(s, ID_MIN)) {
        _cleanup_free_ char *bad = shown(s, 80);
        return xasprintf("%s: bad ID \"%s\": want %d to %d hex digits",
                         key, bad, ID_MIN, REQUEST_ID_MAX);
    }
    strcpy(ret, s);
    return NULL;
}

char *request_parse_ids(const json_t *req, bool need_endpoint,
                        struct request_ids *ret)
{
    struct request_ids ids = { 0 };
    char *err;

    if (!json_is_object(req)) {
        return xstrdup("request: want a JSON object");
    }
    if ((err = parse_id(req, "NetworkID", ids.network))) {
        return err;
    }
    if (need_endpoint && (err = parse_id(req, "EndpointID", ids.endpoint))) {
        return err;
    }
    *ret = ids;
    return NULL;
}

static char *parse_pool(const json_t *d, size_t i, struct flows_subnet *ret)
{
    const json_t *pool = json_object_get(d, "Pool");
    const json_t *gw = json_object_get(d, "Gateway");
    uint32_t net, gwip;
    int plen, gwplen;

    if (!json_is_object(d)) {
        return xasprintf("IPv4Data[%zu]: want an object", i);
    }
    if (!json_is_string(pool)
        || !addr_cidr4_parse(json_string_value(pool), true, &net, &plen)) {
        return xasprintf("IPv4Data[%zu].Pool: want an IPv4 network like "
                         "10.20.1.0/24", i);
    }
    if (plen > 30) {
        return xasprintf("IPv4Data[%zu].Pool %s: too small, want /30 or "
                         "larger", i, json_string_value(pool));
    }
    if (!json_is_string(gw) || !*json_string_value(gw)) {
        return xasprintf("IPv4Data[%zu]: missing Gateway", i);
    }
    /* Docker sends the gateway as CIDR; a bare address is taken too. */
    if (!addr_cidr4_parse(json_string_value(gw), false, &gwip, &gwplen)) {
        if (!addr_ip4_parse(json_string_value(gw), &gwip)) {
            _cleanup_free_ char *v = shown(json_string_value(gw), 40);
            return xasprintf("IPv4Data[%zu].Gateway: bad address \"%s\"",
                             i, v);
        }
    }
    if ((gwip & addr_plen_mask(plen)) != net) {
        return xasprintf("IPv4Data[%zu].Gateway %s is outside the pool %s",
                         i, json_string_value(gw), json_string_value(pool));
    }
    if (gwip == net || gwip == (net | ~addr_plen_mask(plen))) {
        return xasprintf("IPv4Data[%zu].Gateway %s is the %s address of "
                         "the pool %s", i, json_string_value(gw),
                         gwip == net ? "network" : "broadcast",
                         json_string_value(pool));
    }
    *ret = (struct flows_subnet) { .net = net, .plen = plen,
                                   .gateway = gwip };
    return NULL;
}

static char *parse_pool6(const json_t *d, size_t i, struct flows_subnet6 *ret)
{
    const json_t *pool = json_object_get(d, "Pool");
    const json_t *gw = json_object_get(d, "Gateway");
    struct in6_addr net, gwip;
    int plen, gwplen;

    if (!json_is_object(d)) {
        return xasprintf("IPv6Data[%zu]: want an object", i);
    }
    if (!json_is_string(pool)
        || !addr_cidr6_parse(json_string_value(pool), true, &net, &plen)) {
        return xasprintf("IPv6Data[%zu].Pool: want an IPv6 network like "
                         "fd00:20:1::/64", i);
    }
    if (plen > 126 || plen < 8) {
        return xasprintf("IPv6Data[%zu].Pool %s: want a prefix length from "
                         "/8 to /126", i, json_string_value(pool));
    }
    if (!json_is_string(gw) || !*json_string_value(gw)) {
        return xasprintf("IPv6Data[%zu]: missing Gateway", i);
    }
    if (!addr_cidr6_parse(json_string_value(gw), false, &gwip, &gwplen)
        && !addr_ip6_parse(json_string_value(gw), &gwip)) {
        _cleanup_free_ char *v = shown(json_string_value(gw), 60);
        return xasprintf("IPv6Data[%zu].Gateway: bad address \"%s\"", i, v);
    }
    if (!addr_ip6_same_prefix(&gwip, &net, plen)) {
        return xasprintf("IPv6Data[%zu].Gateway %s is outside the pool %s",
                         i, json_string_value(gw), json_string_value(pool));
    }
    if (addr_ip6_equal(&gwip, &net)) {
        return xasprintf("IPv6Data[%zu].Gateway %s is the subnet-router "
                         "anycast address of the pool %s", i,
                         json_string_value(gw), json_string_value(pool));
    }
    *ret = (struct flows_subnet6) { .net = net, .plen = plen,
                                    .gateway = gwip };
    return NULL;
}

char *request_parse_network(const json_t *req, struct request_network *ret)
{
    struct request_network n = { 0 };
    struct request_ids ids;
    const json_t *v4, *v6, *opts, *generic = NULL;
    char *err;

    if ((err = request_parse_ids(req, false, &ids))) {
        return err;
    }
    strcpy(n.network, ids.network);

    v6 = json_object_get(req, "IPv6Data");
    if (v6 && !json_is_null(v6) && !json_is_array(v6)) {
        return xstrdup("IPv6Data: want an array");
    }
    if (json_array_size(v6) > REQUEST_MAX_SUBNETS) {
        return xasprintf("IPv6Data: at most %d subnets",
                         REQUEST_MAX_SUBNETS);
    }
    for (size_t i = 0; i < json_array_size(v6); i++) {
        if ((err = parse_pool6(json_array_get(v6, i), i,
                               &n.subnets6[i]))) {
            return err;
        }
        for (size_t j = 0; j < i; j++) {
            const struct flows_subnet6 *a = &n.subnets6[i];
            const struct flows_subnet6 *b = &n.subnets6[j];
            if (addr_ip6_same_prefix(&a->net, &b->net,
                                     a->plen < b->plen ? a->plen
                                                       : b->plen)) {
                return xasprintf("IPv6Data[%zu] overlaps IPv6Data[%zu]", i,
                                 j);
            }
        }
    }
    n.n_subnets6 = json_array_size(v6);
    v4 = json_object_get(req, "IPv4Data");
    if (!json_is_array(v4) || json_array_size(v4) == 0) {
        return xstrdup(n.n_subnets6
                           ? "IPv4Data: ovsgw needs at least one IPv4 "
                             "subnet, also beside IPv6 ones"
                           : "IPv4Data: ovsgw needs at least one IPv4 "
                             "subnet");
    }
    if (json_array_size(v4) > REQUEST_MAX_SUBNETS) {
        return xasprintf("IPv4Data: at most %d subnets",
                         REQUEST_MAX_SUBNETS);
    }
    for (size_t i = 0; i < json_array_size(v4); i++) {
        if ((err = parse_pool(json_array_get(v4, i), i, &n.subnets[i]))) {
            return err;
        }
        for (size_t j = 0; j < i; j++) {
            const struct flows_subnet *a = &n.subnets[i], *b = &n.subnets[j];
            uint32_t m = addr_plen_mask(a->plen < b->plen ? a->plen
                                                          : b->plen);
            if ((a->net & m) == (b->net & m)) {
                return xasprintf("IPv4Data[%zu] overlaps IPv4Data[%zu]", i,
                                 j);
            }
        }
    }
    n.n_subnets = json_array_size(v4);

    opts = json_object_get(req, "Options");
    if (opts && !json_is_null(opts)) {
        if (!json_is_object(opts)) {
            return xstrdup("Options: want an object");
        }
        generic = json_object_get(opts, "com.docker.network.generic");
        /* Docker sets it in Options; take it from the generic options
         * too, where an API client may put it. */
        const json_t *internal = json_object_get(opts,
                                                 "com.docker.network.internal");
        if (!internal && json_is_object(generic)) {
            internal = json_object_get(generic,
                                       "com.docker.network.internal");
        }
        if (internal && !json_is_boolean(internal)
            && !(json_is_string(internal)
                 && (!strcmp(json_string_value(internal), "true")
                     || !strcmp(json_string_value(internal), "false")))) {
            return xstrdup("Options.com.docker.network.internal: want true "
                           "or false");
        }
        n.internal = json_is_true(internal)
                     || (json_is_string(internal)
                         && !strcmp(json_string_value(internal), "true"));
    }
    n.generic = generic;
    *ret = n;
    return NULL;
}

char *request_parse_endpoint(const json_t *req, struct request_endpoint *ret)
{
    struct request_endpoint e = { 0 };
    const json_t *iface, *addr, *mac;
    char *err;

    if ((err = request_parse_ids(req, true, &e.ids))) {
        return err;
    }
    iface = json_object_get(req, "Interface");
    if (!json_is_object(iface)) {
        return xstrdup("Interface: want an object with an IPv4 Address");
    }
    addr = json_object_get(iface, "Address");
    if (!json_is_string(addr) || !*json_string_value(addr)) {
        return xstrdup("Interface.Address: ovsgw needs an IPv4 address");
    }
    if (!addr_cidr4_parse(json_string_value(addr), false, &e.ip, &e.plen)) {
        _cleanup_free_ char *v = shown(json_string_value(addr), 40);
        return xasprintf("Interface.Address: bad IPv4 CIDR \"%s\"", v);
    }
    addr = json_object_get(iface, "AddressIPv6");
    if (addr && !json_is_null(addr)) {
        if (!json_is_string(addr)) {
            return xstrdup("Interface.AddressIPv6: want a string");
        }
        if (*json_string_value(addr)) {
            if (!addr_cidr6_parse(json_string_value(addr), false, &e.ip6,
                                  &e.plen6)) {
                _cleanup_free_ char *v = shown(json_string_value(addr), 60);
                return xasprintf("Interface.AddressIPv6: bad IPv6 CIDR "
                                 "\"%s\"", v);
            }
            e.has_ip6 = true;
        }
    }
    mac = json_object_get(iface, "MacAddress");
    if (mac && !json_is_null(mac)) {
        if (!json_is_string(mac)) {
            return xstrdup("Interface.MacAddress: want a string");
        }
        if (*json_string_value(mac)) {
            if (!addr_mac_parse(json_string_value(mac), e.mac)
                || !addr_mac_is_unicast(e.mac)) {
                _cleanup_free_ char *v = shown(json_string_value(mac), 40);
                return xasprintf("Interface.MacAddress: bad unicast MAC "
                                 "\"%s\"", v);
            }
            e.mac_given = true;
        }
    }
    *ret = e;
    return NULL;
}

/* A port number in [min, 65535] from a JSON integer. */
static bool port_value(const json_t *v, long min, uint16_t *ret)
{
    json_int_t n = json_integer_value(v);

    if (!json_is_integer(v) || n < min || n > 65535) {
        return false;
    }
    *ret = (uint16_t) n;
    return true;
}

static char *parse_port(const json_t *b, size_t i, struct request_port *ret,
                        bool *ret_skip)
{
    const json_t *proto = json_object_get(b, "Proto");
    const char *host_ip = json_string_value(json_object_get(b, "HostIP"));
    struct request_port p = { 0 };
    struct in6_addr ip6;

    *ret_skip = false;
    if (!json_is_object(b)) {
        return xasprintf("portmap[%zu]: want an object", i);
    }
    if (!json_is_integer(proto)
        || (json_integer_value(proto) != 6
            && json_integer_value(proto) != 17)) {
        return xasprintf("portmap[%zu].Proto: want 6 (TCP) or 17 (UDP)", i);
    }
    p.proto = (uint8_t) json_integer_value(proto);
    if (!port_value(json_object_get(b, "Port"), 1, &p.port)) {
        return xasprintf("portmap[%zu].Port: want 1 to 65535", i);
    }
    if (!port_value(json_object_get(b, "HostPort"), 0, &p.host_lo)) {
        return xasprintf("portmap[%zu].HostPort: want 0 to 65535", i);
    }
    const json_t *end = json_object_get(b, "HostPortEnd");
    p.host_hi = p.host_lo;
    if (end && json_integer_value(end) != 0
        && (!port_value(end, 1, &p.host_hi) || p.host_hi < p.host_lo
            || p.host_lo == 0)) {
        return xasprintf("portmap[%zu].HostPortEnd: want %u to 65535", i,
                         p.host_lo ? p.host_lo : 1);
    }
    if (host_ip && *host_ip && strcmp(host_ip, "0.0.0.0")) {
        if (addr_ip6_parse(host_ip, &ip6)) {
            *ret_skip = true;
            return NULL;
        }
        if (!addr_ip4_parse(host_ip, &p.host_ip)) {
            _cleanup_free_ char *bad = shown(host_ip, 40);
            return xasprintf("portmap[%zu].HostIP: bad address \"%s\"", i,
                             bad);
        }
        p.host_ip_set = true;
    }
    *ret = p;
    return NULL;
}

char *request_parse_ports(const json_t *req, struct request_ports *ret)
{
    const json_t *opts = json_object_get(req, "Options");
    const json_t *map = json_object_get(opts, "com.docker.network.portmap");
    struct request_ports *p = xzalloc(sizeof *p);
    char *err = NULL;

    if (opts && !json_is_null(opts) && !json_is_object(opts)) {
        err = xstrdup("Options: want an object");
        goto out;
    }
    if (map && !json_is_null(map) && !json_is_array(map)) {
        err = xstrdup("portmap: want an array");
        goto out;
    }
    for (size_t i = 0; i < json_array_size(map); i++) {
        bool skip;
        if (p->n == REQUEST_MAX_PORTS) {
            err = xasprintf("portmap: at most %d published ports",
                            REQUEST_MAX_PORTS);
            goto out;
        }
        if ((err = parse_port(json_array_get(map, i), i, &p->v[p->n],
                              &skip))) {
            goto out;
        }
        p->n += !skip;
    }
    memcpy(ret, p, sizeof *p);

out:
    free(p);
    return err;
}
