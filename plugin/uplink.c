#include "uplink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "link.h"
#include "log.h"
#include "nfrules.h"
#include "ovnnb.h"
#include "state.h"
#include "util.h"
#include "vswitch.h"

const struct in6_addr uplink_transit6 = { { { 0xfd, 0x6f, 0x76, 0x73, 0x67,
                                              0x77, 0, 0, 0, 0, 0, 0, 0, 0,
                                              0, 1 } } };

const struct in6_addr uplink_ovn_router6 = { { { 0xfd, 0x6f, 0x76, 0x73,
                                                 0x67, 0x77, 0, 0, 0, 0, 0,
                                                 0, 0, 0, 0, 2 } } };

/* How long the host end may take to appear after ovs-vswitchd numbered
 * the port. */
#define UPLINK_LINK_WAIT_MS 2000

void uplink_name(const char *bridge, char ret[IFNAMSIZ])
{
    snprintf(ret, IFNAMSIZ, NFRULES_UPLINK_PREFIX "%08x", util_hash(bridge));
}

void uplink_mac(const char *bridge, uint8_t ret[MAC_LEN])
{
    uint32_t h = util_hash(bridge);

    /* Locally administered, unicast; not a gateway's 06: or an
     * endpoint's 02:42:. */
    ret[0] = 0x0a;
    ret[1] = 0x6f;
    ret[2] = (uint8_t) (h >> 24);
    ret[3] = (uint8_t) (h >> 16);
    ret[4] = (uint8_t) (h >> 8);
    ret[5] = (uint8_t) h;
}

/* Readies the host end, which appears shortly after ovs-vswitchd numbered
 * the port. */
static int host_end(const char *name)
{
    struct timespec pause = { 0, 20 * 1000 * 1000 };
    int r;

    for (int waited = 0;; waited += 20) {
        r = link_uplink_setup(name, UPLINK_TRANSIT, &uplink_transit6);
        if (r != -ENODEV || waited >= UPLINK_LINK_WAIT_MS) {
            return r;
        }
        nanosleep(&pause, NULL);
    }
}

/* Route 'i' of 'n': its IPv4 subnets first, then its IPv6 ones. */
static int route_op(const struct network *n, size_t i, bool add)
{
    /* Local mode: via the subnet's gateway, which the flows answer on the
     * uplink; OVN mode: via the logical router's address outside. */
    bool ovn = network_is_ovn(n);
    if (i < n->n_subnets) {
        const struct flows_subnet *s = &n->subnets[i];
        uint32_t dst = htonl(s->net);
        uint32_t gw = htonl(ovn ? UPLINK_OVN_ROUTER : s->gateway);
        uint32_t src = htonl(UPLINK_TRANSIT);
        return add ? link_route_add(AF_INET, &dst, s->plen, &gw,
                                    n->uplink_if, &src)
                   : link_route_del(AF_INET, &dst, s->plen, n->uplink_if);
    }
    const struct flows_subnet6 *s = &n->subnets6[i - n->n_subnets];
    return add ? link_route_add(AF_INET6, &s->net, s->plen,
                                ovn ? &uplink_ovn_router6 : &s->gateway,
                                n->uplink_if, &uplink_transit6)
               : link_route_del(AF_INET6, &s->net, s->plen, n->uplink_if);
}

static bool route_present(const struct network *n, size_t i)
{
    if (i < n->n_subnets) {
        uint32_t dst = htonl(n->subnets[i].net);
        return link_route_present(AF_INET, &dst, n->subnets[i].plen,
                                  n->uplink_if);
    }
    const struct flows_subnet6 *s = &n->subnets6[i - n->n_subnets];
    return link_route_present(AF_INET6, &s->net, s->plen, n->uplink_if);
}

/* The subnet of route 'i' as text. */
static char *route_text(const struct network *n, size_t i)
{
    char ip[IP6_STRLEN];

    if (i < n->n_subnets) {
        return xasprintf("%s/%d", addr_ip4_format(n->subnets[i].net, ip),
                         n->subnets[i].plen);
    }
    const struct flows_subnet6 *s = &n->subnets6[i - n->n_subnets];
    return xasprintf("%s/%d", addr_ip6_format(&s->net, ip), s->plen);
}

static size_t n_routes(const struct network *n)
{
    return n->n_subnets + n->n_subnets6;
}

/* Removes the first 'count' routes of 'n'; returns the first error. */
static int routes_del(const struct network *n, size_t count)
{
    int first = 0;

    for (size_t i = 0; i < count; i++) {
        int r = route_op(n, i, false);
        if (r < 0 && !first) {
            first = r;
        }
    }
    return first;
}

/* Readies the host end 'name' and routes the subnets of 'n' through it;
 * sets n->uplink_if.  '*ret_routed' counts the routes added (on failure
 * the caller removes them). */
static int host_side_up(struct network *n, const char *name,
                        size_t *ret_routed, char **ret_err)
{
    int r;

    *ret_routed = 0;
    if ((r = host_end(name)) < 0) {
        *ret_err = xasprintf("uplink %s: cannot ready its host end: %s",
                             name, strerror(-r));
        return r;
    }
    strcpy(n->uplink_if, name);
    for (; *ret_routed < n_routes(n); (*ret_routed)++) {
        if ((r = route_op(n, *ret_routed, true)) < 0) {
            _cleanup_free_ char *net = route_text(n, *ret_routed);
            *ret_err = xasprintf("cannot route %s through %s: %s", net,
                                 name, strerror(-r));
            return r;
        }
    }
    return 0;
}

int uplink_routes_del(const struct network *n)
{
    return n->uplink_if[0] ? routes_del(n, n_routes(n)) : 0;
}

int uplink_attach(struct ovsgw *g, struct network *n, char **ret_err)
{
    char name[IFNAMSIZ], mac[MAC_STRLEN];
    uint8_t m[MAC_LEN];
    json_t *row = NULL;
    bool created = false;
    size_t routed = 0;
    int ofport = -1, r;

    if (n->internal) {
        return 0;
    }
    uplink_name(n->bridge, name);
    uplink_mac(n->bridge, m);
    if ((r = vswitch_iface_get(g->db, name, "ofport", &row, ret_err)) < 0) {
        return r;
    }
    if (r == 0) {
        r = vswitch_internal_add(g->db, n->bridge, name, UPLINK_OFPORT,
                                 addr_mac_format(m, mac),
                                 json_pack("{s:s}", UPLINK_KEY, n->bridge),
                                 ret_err);
        if (r < 0) {
            return r;
        }
        created = true;
    }
    json_decref(row);
    if ((r = vswitch_iface_wait_ofport(g->db, name, &ofport, ret_err)) < 0) {
        goto undo;
    }
    if ((r = host_side_up(n, name, &routed, ret_err)) < 0) {
        goto undo;
    }
    n->uplink.ofport = ofport;
    memcpy(n->uplink.mac, m, MAC_LEN);
    n->has_uplink = true;
    return 0;

undo:
    if (n->uplink_if[0]) {
        routes_del(n, routed); /* only what was added */
    }
    n->uplink_if[0] = '\0';
    if (created) {
        _cleanup_free_ char *err = NULL;
        if (vswitch_port_del(g->db, n->bridge, name, &err) < 0) {
            log_error("uplink %s: cannot remove it again: %s", name, err);
        }
    }
    return r;
}

/* The OVN network's bridge and host end: one name. */
static void ovn_uplink_name(const struct network *n, char ret[IFNAMSIZ])
{
    _cleanup_free_ char *key = xasprintf("ovn:%s", n->opts.ovn_name);

    snprintf(ret, IFNAMSIZ, NFRULES_UPLINK_PREFIX "%08x", util_hash(key));
}

/* ovn-bridge-mappings: the localnet of 'n' is 'bridge' here, or nothing
 * (NULL). */
static int map_bridge(struct ovsgw *g, const struct network *n,
                      const char *bridge, char **ret_err)
{
    _cleanup_free_ char *physnet = ovnnb_physnet(n->opts.ovn_name);
    _cleanup_free_ char *item = bridge ? xasprintf("%s:%s", physnet, bridge)
                                       : NULL;

    return vswitch_system_list_set(g->db, "ovn-bridge-mappings", physnet,
                                   item, ret_err);
}

int uplink_ovn_attach(struct ovsgw *g, struct network *n, char **ret_err)
{
    _cleanup_free_ char *key = xasprintf("ovn:%s", n->opts.ovn_name);
    char name[IFNAMSIZ], mac[MAC_STRLEN];
    uint8_t m[MAC_LEN];
    json_t *row = NULL;
    size_t routed = 0;
    int r;

    ovn_uplink_name(n, name);
    uplink_mac(name, m);
    if ((r = vswitch_bridge_get(g->db, name, &row, ret_err)) < 0) {
        return r;
    }
    json_decref(row);
    /* Standalone: with no controller, OVS switches between the host end
     * and the patch port ovn-controller adds. */
    if (r == 0
        && ((r = vswitch_bridge_create_as(
                 g->db, name, n->netdev ? "netdev" : "system", "standalone",
                 addr_mac_format(m, mac),
                 json_pack("{s:s}", STATE_EXT_OWNED, "true"),
                 json_pack("{s:s}", UPLINK_KEY, key), ret_err)) < 0
            || (r = vswitch_bridge_wait(g->db, name, ret_err)) < 0)) {
        goto undo;
    }
    if ((r = map_bridge(g, n, name, ret_err)) < 0) {
        goto undo;
    }
    if ((r = host_side_up(n, name, &routed, ret_err)) < 0) {
        goto undo;
    }
    return 0;

undo:
    if (n->uplink_if[0]) {
        routes_del(n, routed);
    }
    n->uplink_if[0] = '\0';
    {
        _cleanup_free_ char *e1 = NULL, *e2 = NULL;
        if (map_bridge(g, n, NULL, &e1) < 0) {
            log_error("uplink %s: cannot unmap it again: %s", name, e1);
        }
        if (vswitch_bridge_delete(g->db, name, &e2) < 0) {
            log_error("uplink %s: cannot remove it again: %s", name, e2);
        }
    }
    return r;
}

int uplink_ovn_detach(struct ovsgw *g, struct network *n, char **ret_err)
{
    char name[IFNAMSIZ];
    int r, first = uplink_routes_del(n);

    if (first < 0) {
        *ret_err = xasprintf("cannot remove the routes through %s: %s",
                             n->uplink_if, strerror(-first));
    }
    ovn_uplink_name(n, name);
    n->uplink_if[0] = '\0';
    if ((r = map_bridge(g, n, NULL, first ? NULL : ret_err)) < 0
        && !first) {
        first = r;
    }
    if ((r = vswitch_bridge_delete(g->db, name, first ? NULL : ret_err)) < 0
        && !first) {
        first = r;
    }
    return first;
}

int uplink_port_del(struct ovsgw *g, const char *bridge, char **ret_err)
{
    char name[IFNAMSIZ];

    uplink_name(bridge, name);
    return vswitch_port_del(g->db, bridge, name, ret_err);
}

void uplink_restore(struct model *m, const char *bridge, const char *name,
                    int ofport)
{
    for (struct network *n = m->networks; n; n = n->next) {
        /* An OVN network's is named by its logical network. */
        bool ovn = network_is_ovn(n);
        if (n->internal || strlen(name) >= IFNAMSIZ
            || (ovn ? strncmp(bridge, "ovn:", 4)
                          || strcmp(bridge + 4, n->opts.ovn_name)
                    : strcmp(n->bridge, bridge))) {
            continue;
        }
        strcpy(n->uplink_if, name);
        uplink_mac(bridge, n->uplink.mac);
        n->uplink.ofport = ofport;
        n->has_uplink = ofport > 0;
    }
}

void uplink_check(struct ovsgw *g, bool *ret_moved)
{
    *ret_moved = false;
    for (struct network *n = g->model.networks; n; n = n->next) {
        json_t *row = NULL;
        int r;
        if (n->internal || !n->uplink_if[0]) {
            continue;
        }
        if (vswitch_iface_get(g->db, n->uplink_if, "ofport", &row,
                              NULL) > 0) {
            int ofport = (int) ovsdb_int_value(json_object_get(row,
                                                               "ofport"),
                                               -1);
            if (ofport > 0 && (!n->has_uplink
                               || ofport != n->uplink.ofport)) {
                log_info("network %.12s: uplink %s is OpenFlow port %d",
                         n->id, n->uplink_if, ofport);
                n->uplink.ofport = ofport;
                n->has_uplink = true;
                *ret_moved = true;
            }
            json_decref(row);
        }
        if ((r = link_uplink_setup(n->uplink_if, UPLINK_TRANSIT,
                                   &uplink_transit6)) < 0) {
            log_debug("uplink %s: %s; later", n->uplink_if, strerror(-r));
            continue;
        }
        for (size_t i = 0; i < n_routes(n); i++) {
            if (!route_present(n, i)) {
                _cleanup_free_ char *net = route_text(n, i);
                log_info("network %.12s: route to %s through %s is gone: "
                         "adding it", n->id, net, n->uplink_if);
                route_op(n, i, true);
            }
        }
    }
}
