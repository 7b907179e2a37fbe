#include "ovnnb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ovsdb.h"
#include "policy.h"
#include "util.h"

char *ovnnb_switch_name(const char *name)
{
    return xasprintf("ovsgw-%s", name);
}

char *ovnnb_router_name(const char *name)
{
    return xasprintf("ovsgw-%s:lr", name);
}

char *ovnnb_ext_switch_name(const char *name)
{
    return xasprintf("ovsgw-%s:ext", name);
}

char *ovnnb_physnet(const char *name)
{
    return xasprintf("ovsgw-%s", name);
}

char *ovnnb_lrp_name(const char *name)
{
    return xasprintf("ovsgw-%s:lrp", name);
}

char *ovnnb_rtr_port_name(const char *name)
{
    return xasprintf("ovsgw-%s:rtr", name);
}

char *ovnnb_endpoint_port_name(const char *endpoint_id)
{
    return xasprintf("ovsgw-%s", endpoint_id);
}

char *ovnnb_host_key(const char *chassis)
{
    return xasprintf(OVNNB_EXT_HOST_PREFIX "%s", chassis);
}

/* The router port's networks: every subnet's gateway with its prefix
 * length, IPv4 first.  A new array of strings. */
static json_t *gateways(const struct network *n)
{
    json_t *a = json_array();
    char ip[IP6_STRLEN];

    for (size_t i = 0; i < n->n_subnets; i++) {
        json_array_append_new(a, json_sprintf("%s/%d",
            addr_ip4_format(n->subnets[i].gateway, ip), n->subnets[i].plen));
    }
    for (size_t i = 0; i < n->n_subnets6; i++) {
        json_array_append_new(a, json_sprintf("%s/%d",
            addr_ip6_format(&n->subnets6[i].gateway, ip),
            n->subnets6[i].plen));
    }
    return a;
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(const char *const *) a, *(const char *const *) b);
}

char *ovnnb_config(const struct network *n)
{
    char mac[MAC_STRLEN];
    json_t *gws = gateways(n);
    size_t n_gws = json_array_size(gws);
    const char **sorted = xmalloc((n_gws + 1) * sizeof *sorted);
    struct strbuf s = { 0 };
    _cleanup_free_ char *policy = policy_format(&n->opts.policy);

    /* Docker gives the subnets in no fixed order: sorted, hosts agree. */
    for (size_t i = 0; i < n_gws; i++) {
        sorted[i] = json_string_value(json_array_get(gws, i));
    }
    qsort(sorted, n_gws, sizeof *sorted, compare_strings);
    strbuf_addf(&s, "gateway_mac=%s gateways=",
                addr_mac_format(n->gateway_mac, mac));
    for (size_t i = 0; i < n_gws; i++) {
        strbuf_addf(&s, "%s%s", i ? "," : "", sorted[i]);
    }
    free(sorted);
    strbuf_addf(&s, " tcp_policy=%s internal=%s", policy,
                n->internal ? "yes" : "no");
    json_decref(gws);
    return s.buf;
}

/* ---- ACLs ----------------------------------------------------------- */

/* A new connection's first segment: SYN set, ACK clear. */
#define SYN_ONLY "tcp.flags[1] == 1 && tcp.flags[4] == 0"

static void addr_match(struct strbuf *s, const struct policy_rule *r,
                       bool src)
{
    int plen = src ? r->src_plen : r->dst_plen;
    const char *dir = src ? "src" : "dst";
    char ip[IP6_STRLEN];

    if (plen == 0) {
        return;
    }
    if (r->family == POLICY_IPV6) {
        addr_ip6_format(src ? &r->src6 : &r->dst6, ip);
        strbuf_addf(s, " && ip6.%s == %s", dir, ip);
        if (plen < 128) {
            strbuf_addf(s, "/%d", plen);
        }
    } else {
        addr_ip4_format(src ? r->src : r->dst, ip);
        strbuf_addf(s, " && ip4.%s == %s", dir, ip);
        if (plen < 32) {
            strbuf_addf(s, "/%d", plen);
        }
    }
}

static json_t *acl(int priority, const char *match, bool allow)
{
    return json_pack("{s:i,s:s,s:s,s:s}", "priority", priority, "direction",
                     "from-lport", "match", match, "action",
                     allow ? "allow-stateless" : "drop");
}

json_t *ovnnb_acls(const struct policy *p, bool ipv6)
{
    json_t *acls = json_array();

    for (size_t i = 0; i < p->n_rules; i++) {
        const struct policy_rule *r = &p->rules[i];
        struct strbuf m = { 0 };
        if (r->family == POLICY_IPV6 && !ipv6) {
            continue;
        }
        strbuf_addf(&m, "%s && " SYN_ONLY,
                    r->family == POLICY_IPV4   ? "ip4 && tcp"
                    : r->family == POLICY_IPV6 ? "ip6 && tcp"
                                               : "tcp");
        addr_match(&m, r, true);
        addr_match(&m, r, false);
        if (r->port_lo && r->port_lo == r->port_hi) {
            strbuf_addf(&m, " && tcp.dst == %u", r->port_lo);
        } else if (r->port_lo) {
            strbuf_addf(&m, " && tcp.dst >= %u && tcp.dst <= %u", r->port_lo,
                        r->port_hi);
        }
        json_array_append_new(acls, acl(OVNNB_PRIO_RULE - (int) i, m.buf,
                                        r->allow));
        free(m.buf);
    }
    if (p->default_deny) {
        json_array_append_new(acls, acl(OVNNB_PRIO_DEFAULT,
                                        "tcp && " SYN_ONLY, false));
    }
    return acls;
}

/* ---- transactions --------------------------------------------------- */

static json_t *where_uuid(const char *uuid)
{
    return json_pack("[[s,s,o]]", "_uuid", "==", ovsdb_uuid(uuid));
}

static json_t *where_name(const char *name)
{
    return json_pack("[[s,s,s]]", "name", "==", name);
}

static json_t *set_of(json_t *array)
{
    return json_pack("[s,o]", "set", array);
}

/* The rows of the way out, added to 'ops': the switch with its localnet
 * and router ports, the router's port there and its default routes;
 * appends the router's port and routes to 'lr_ports' and 'routes'. */
static void way_out_ops(const struct network *n, json_t *ops,
                        json_t *lr_ports, json_t *routes)
{
    const char *name = n->opts.ovn_name;
    _cleanup_free_ char *ext = ovnnb_ext_switch_name(name);
    _cleanup_free_ char *lrpx = xasprintf("ovsgw-%s:lrpx", name);
    /* Not ':' here: ovn-controller names its patch ports after it.  No
     * other row can have this name: an endpoint's port is ovsgw- and a
     * hex ID, other rows hold a ':'. */
    _cleanup_free_ char *ln = xasprintf("ovsgw-%s-ln", name);
    _cleanup_free_ char *xrtr = xasprintf("ovsgw-%s:extrtr", name);
    _cleanup_free_ char *physnet = ovnnb_physnet(name);
    uint32_t h = util_hash(name);
    char mac[MAC_STRLEN];
    json_t *nets = json_pack("[s]", OVNNB_ROUTER_EXT "/24");

    /* The same MAC on every host: each host's stack learns it. */
    snprintf(mac, sizeof mac, "0e:6f:%02x:%02x:%02x:%02x", h >> 24,
             (h >> 16) & 0xff, (h >> 8) & 0xff, h & 0xff);
    json_array_append_new(routes, ovsdb_named("rt4"));
    json_array_append_new(ops, json_pack(
        "{s:s,s:s,s:{s:s,s:s},s:s}", "op", "insert", "table",
        "Logical_Router_Static_Route", "row", "ip_prefix", "0.0.0.0/0",
        "nexthop", OVNNB_HOST_EXT, "uuid-name", "rt4"));
    if (n->n_subnets6) {
        json_array_append_new(nets, json_string(OVNNB_ROUTER_EXT6 "/64"));
        json_array_append_new(routes, ovsdb_named("rt6"));
        json_array_append_new(ops, json_pack(
            "{s:s,s:s,s:{s:s,s:s},s:s}", "op", "insert", "table",
            "Logical_Router_Static_Route", "row", "ip_prefix", "::/0",
            "nexthop", OVNNB_HOST_EXT6, "uuid-name", "rt6"));
    }
    json_array_append_new(lr_ports, ovsdb_named("lrpx"));
    json_array_append_new(ops, json_pack(
        "{s:s,s:s,s:{s:s,s:s,s:o},s:s}", "op", "insert", "table",
        "Logical_Router_Port", "row", "name", lrpx, "mac", mac, "networks",
        set_of(nets), "uuid-name", "lrpx"));
    json_array_append_new(ops, json_pack(
        "{s:s,s:s,s:{s:s,s:s,s:o,s:o},s:s}", "op", "insert", "table",
        "Logical_Switch_Port", "row", "name", xrtr, "type", "router",
        "addresses", ovsdb_set1(json_string("router")), "options",
        ovsdb_map_take(json_pack("{s:s}", "router-port", lrpx)), "uuid-name",
        "xrtr"));
    json_array_append_new(ops, json_pack(
        "{s:s,s:s,s:{s:s,s:s,s:o,s:o},s:s}", "op", "insert", "table",
        "Logical_Switch_Port", "row", "name", ln, "type", "localnet",
        "addresses", ovsdb_set1(json_string("unknown")), "options",
        ovsdb_map_take(json_pack("{s:s}", "network_name", physnet)), "uuid-name",
        "ln"));
    json_array_append_new(ops, json_pack(
        "{s:s,s:s,s:{s:s,s:[s,[o,o]],s:o}}", "op", "insert", "table",
        "Logical_Switch", "row", "name", ext, "ports", "set",
        ovsdb_named("xrtr"), ovsdb_named("ln"), "external_ids",
        ovsdb_map_take(json_pack("{s:s}", OVNNB_EXT_NAME, name))));
}

json_t *ovnnb_create_ops(const struct network *n, const char *chassis)
{
    const char *name = n->opts.ovn_name;
    _cleanup_free_ char *ls = ovnnb_switch_name(name);
    _cleanup_free_ char *lr = ovnnb_router_name(name);
    _cleanup_free_ char *lrp = ovnnb_lrp_name(name);
    _cleanup_free_ char *rtr = ovnnb_rtr_port_name(name);
    _cleanup_free_ char *key = ovnnb_host_key(chassis);
    _cleanup_free_ char *config = ovnnb_config(n);
    json_t *acls = ovnnb_acls(&n->opts.policy, n->n_subnets6 > 0), *a;
    json_t *acl_refs = json_array();
    json_t *ops = json_array();
    char mac[MAC_STRLEN];
    size_t i;

    /* Only if nobody made it meanwhile (OVSDB has no index on a switch's
     * name). */
    json_array_append_new(ops, json_pack(
        "{s:s,s:s,s:o,s:[s],s:s,s:[],s:i}", "op", "wait", "table",
        "Logical_Switch", "where", where_name(ls), "columns", "name",
        "until", "==", "rows", "timeout", 0));
    json_array_foreach(acls, i, a) {
        char ref[32];
        snprintf(ref, sizeof ref, "acl%zu", i);
        json_object_set_new(a, "external_ids", ovsdb_map_take(json_pack(
            "{s:s}", OVNNB_EXT_NAME, name)));
        json_array_append_new(ops, json_pack("{s:s,s:s,s:O,s:s}", "op",
                                             "insert", "table", "ACL", "row",
                                             a, "uuid-name", ref));
        json_array_append_new(acl_refs, ovsdb_named(ref));
    }
    json_t *lr_ports = json_pack("[o]", ovsdb_named("lrp"));
    json_t *routes = json_array();
    if (!n->internal) {
        way_out_ops(n, ops, lr_ports, routes);
    }
    json_array_append_new(ops, json_pack(
        "{s:s,s:s,s:{s:s,s:s,s:o},s:s}", "op", "insert", "table",
        "Logical_Router_Port", "row", "name", lrp, "mac",
        addr_mac_format(n->gateway_mac, mac), "networks",
        set_of(gateways(n)), "uuid-name", "lrp"));
    json_array_append_new(ops, json_pack(
        "{s:s,s:s,s:{s:s,s:o,s:o,s:o}}", "op", "insert", "table",
        "Logical_Router", "row", "name", lr, "ports", set_of(lr_ports),
        "static_routes", set_of(routes), "external_ids",
        ovsdb_map_take(json_pack("{s:s}", OVNNB_EXT_NAME, name))));
    json_array_append_new(ops, json_pack(
        "{s:s,s:s,s:{s:s,s:s,s:o,s:o},s:s}", "op", "insert", "table",
        "Logical_Switch_Port", "row", "name", rtr, "type", "router",
        "addresses", ovsdb_set1(json_string("router")), "options",
        ovsdb_map_take(json_pack("{s:s}", "router-port", lrp)), "uuid-name",
        "rtr"));
    json_array_append_new(ops, json_pack(
        "{s:s,s:s,s:{s:s,s:o,s:o,s:o}}", "op", "insert", "table",
        "Logical_Switch", "row", "name", ls, "ports",
        ovsdb_set1(ovsdb_named("rtr")), "acls", set_of(acl_refs),
        "external_ids",
        ovsdb_map_take(json_pack("{s:s,s:s,s:s}", OVNNB_EXT_NAME, name,
                            OVNNB_EXT_CONFIG, config, key, n->id))));
    json_decref(acls);
    return ops;
}

json_t *ovnnb_join_ops(const char *ls_uuid, const struct network *n,
                       const char *chassis)
{
    _cleanup_free_ char *key = ovnnb_host_key(chassis);

    /* Delete, then insert: a key left by an earlier network of this host
     * gets this network's ID. */
    return json_pack(
        "[{s:s,s:s,s:o,s:[[s,s,o],[s,s,o]]}]", "op", "mutate", "table",
        "Logical_Switch", "where", where_uuid(ls_uuid), "mutations",
        "external_ids", "delete", set_of(json_pack("[s]", key)),
        "external_ids", "insert",
        ovsdb_map_take(json_pack("{s:s}", key, n->id)));
}

json_t *ovnnb_leave_ops(const char *ls_uuid, const json_t *ext_seen,
                        const char *chassis, bool last, const char *name)
{
    _cleanup_free_ char *router = ovnnb_router_name(name);
    _cleanup_free_ char *ext = ovnnb_ext_switch_name(name);
    _cleanup_free_ char *key = ovnnb_host_key(chassis);
    /* Only if no host joined or left meanwhile. */
    json_t *ops = json_pack(
        "[{s:s,s:s,s:o,s:[s],s:s,s:[{s:O}],s:i}]", "op", "wait", "table",
        "Logical_Switch", "where", where_uuid(ls_uuid), "columns",
        "external_ids", "until", "==", "rows", "external_ids", ext_seen,
        "timeout", 0);

    if (last) {
        json_array_append_new(ops, json_pack(
            "{s:s,s:s,s:o}", "op", "delete", "table", "Logical_Switch",
            "where", where_uuid(ls_uuid)));
        json_array_append_new(ops, json_pack(
            "{s:s,s:s,s:o}", "op", "delete", "table", "Logical_Router",
            "where", where_name(router)));
        json_array_append_new(ops, json_pack(
            "{s:s,s:s,s:o}", "op", "delete", "table", "Logical_Switch",
            "where", where_name(ext)));
    } else {
        json_array_append_new(ops, json_pack(
            "{s:s,s:s,s:o,s:[[s,s,o]]}", "op", "mutate", "table",
            "Logical_Switch", "where", where_uuid(ls_uuid), "mutations",
            "external_ids", "delete", set_of(json_pack("[s]", key))));
    }
    return ops;
}

char *ovnnb_endpoint_address(const struct endpoint *e)
{
    char mac[MAC_STRLEN], ip[IP4_STRLEN], ip6[IP6_STRLEN];

    addr_mac_format(e->fe.mac, mac);
    addr_ip4_format(e->fe.ip, ip);
    if (e->fe.has_ip6) {
        return xasprintf("%s %s %s", mac, ip,
                         addr_ip6_format(&e->fe.ip6, ip6));
    }
    return xasprintf("%s %s", mac, ip);
}

json_t *ovnnb_port_add_ops(const char *ls_uuid, const json_t *ports_seen,
                           const struct network *n, const struct endpoint *e,
                           const char *chassis, const char *hostname)
{
    _cleanup_free_ char *name = ovnnb_endpoint_port_name(e->id);
    _cleanup_free_ char *address = ovnnb_endpoint_address(e);

    return json_pack(
        "[{s:s,s:s,s:o,s:[s],s:s,s:[{s:O}],s:i},"
        " {s:s,s:s,s:{s:s,s:o,s:o,s:o},s:s},"
        " {s:s,s:s,s:o,s:[[s,s,o]]}]",
        "op", "wait", "table", "Logical_Switch", "where",
        where_uuid(ls_uuid), "columns", "ports", "until", "==", "rows",
        "ports", ports_seen, "timeout", 0,
        "op", "insert", "table", "Logical_Switch_Port", "row", "name", name,
        "addresses", ovsdb_set1(json_string(address)), "port_security",
        ovsdb_set1(json_string(address)), "external_ids",
        ovsdb_map_take(json_pack("{s:s,s:s,s:s}", OVNNB_EXT_NAME,
                            n->opts.ovn_name, OVNNB_EXT_HOST, chassis,
                            OVNNB_EXT_HOSTNAME, hostname)),
        "uuid-name", "ep",
        "op", "mutate", "table", "Logical_Switch", "where",
        where_uuid(ls_uuid), "mutations", "ports", "insert",
        ovsdb_set1(ovsdb_named("ep")));
}

json_t *ovnnb_port_del_ops(const char *ls_uuid, const char *lsp_uuid)
{
    return json_pack("[{s:s,s:s,s:o,s:[[s,s,o]]}]", "op", "mutate", "table",
                     "Logical_Switch", "where", where_uuid(ls_uuid),
                     "mutations", "ports", "delete",
                     ovsdb_set1(ovsdb_uuid(lsp_uuid)));
}

/* The strings of a column that is a string or a set of strings. */
static json_t *strings_of(const json_t *col)
{
    if (json_is_string(col)) {
        return json_pack("[O]", col);
    }
    if (json_is_array(col) && json_array_size(col) == 2
        && json_is_array(json_array_get(col, 1))) {
        return json_incref(json_array_get(col, 1));
    }
    return json_array();
}

/* Which of 'e''s addresses the "MAC IP..." text 'addresses' holds, the
 * IP addresses before the MAC (a MAC derived from an address repeats
 * it): a description in 'buf', or NULL. */
static const char *shared_address(const char *addresses,
                                  const struct endpoint *e, char *buf,
                                  size_t size)
{
    _cleanup_free_ char *copy = xstrdup(addresses);
    char *save = NULL;
    uint8_t mac[MAC_LEN];
    uint32_t ip;
    struct in6_addr ip6;
    bool same_mac = false;

    for (char *t = strtok_r(copy, " ", &save); t;
         t = strtok_r(NULL, " ", &save)) {
        if (addr_ip4_parse(t, &ip) && ip == e->fe.ip) {
            snprintf(buf, size, "address %s", t);
            return buf;
        }
        if (e->fe.has_ip6 && addr_ip6_parse(t, &ip6)
            && addr_ip6_equal(&ip6, &e->fe.ip6)) {
            snprintf(buf, size, "IPv6 address %s", t);
            return buf;
        }
        same_mac |= addr_mac_parse(t, mac) && !memcmp(mac, e->fe.mac,
                                                      MAC_LEN);
    }
    if (same_mac) {
        char m[MAC_STRLEN];
        snprintf(buf, size, "MAC %s", addr_mac_format(e->fe.mac, m));
        return buf;
    }
    return NULL;
}

char *ovnnb_conflict(const json_t *lsps, const struct endpoint *e)
{
    _cleanup_free_ char *own = ovnnb_endpoint_port_name(e->id);
    const json_t *row;
    size_t i;

    json_array_foreach(lsps, i, row) {
        const char *name = json_string_value(json_object_get(row, "name"));
        json_t *addrs = strings_of(json_object_get(row, "addresses")), *a;
        size_t j;
        char what[80];
        const char *hit = NULL;
        if (!name || !strcmp(name, own)) {
            json_decref(addrs);
            continue;
        }
        json_array_foreach(addrs, j, a) {
            if (json_is_string(a)
                && (hit = shared_address(json_string_value(a), e, what,
                                         sizeof what))) {
                break;
            }
        }
        json_decref(addrs);
        if (hit) {
            json_t *ext = ovsdb_map_to_object(json_object_get(row,
                                                               "external_ids"));
            const char *host = json_string_value(json_object_get(
                ext, OVNNB_EXT_HOSTNAME));
            const char *chassis = json_string_value(json_object_get(
                ext, OVNNB_EXT_HOST));
            bool ours = !strncmp(name, "ovsgw-", 6);
            char *msg = xasprintf(
                "%s is already used by %s %.*s on host %s (chassis %s): "
                "each host allocates addresses by itself, so give each one "
                "its own --ip-range of the subnet", hit,
                ours ? "endpoint" : "port", ours ? 12 : 200,
                ours ? name + 6 : name, host ? host : "?",
                chassis ? chassis : "?");
            json_decref(ext);
            return msg;
        }
    }
    return NULL;
}
