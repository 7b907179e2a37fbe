#include "uplink.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "link.h"
#include "log.h"
#include "nfrules.h"
#include "util.h"
#include "vswitch.h"

/* How long the host end may take to appear after ovs-vswitchd numbered
 * the port. */
#define UPLINK_LINK_WAIT_MS 2000

static uint32_t name_hash(const char *bridge)
{
    uint32_t h = 2166136261u; /* FNV-1a */

    for (const char *p = bridge; *p; p++) {
        h = (h ^ (uint8_t) *p) * 16777619u;
    }
    return h;
}

void uplink_name(const char *bridge, char ret[IFNAMSIZ])
{
    snprintf(ret, IFNAMSIZ, NFRULES_UPLINK_PREFIX "%08x", name_hash(bridge));
}

void uplink_mac(const char *bridge, uint8_t ret[MAC_LEN])
{
    uint32_t h = name_hash(bridge);

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
        r = link_uplink_setup(name, UPLINK_TRANSIT);
        if (r != -ENODEV || waited >= UPLINK_LINK_WAIT_MS) {
            return r;
        }
        nanosleep(&pause, NULL);
    }
}

static int routes_add(const struct network *n, size_t *ret_done)
{
    int r = 0;

    for (*ret_done = 0; *ret_done < n->n_subnets; (*ret_done)++) {
        const struct flows_subnet *s = &n->subnets[*ret_done];
        if ((r = link_route4_add(s->net, s->plen, s->gateway, n->uplink_if,
                                 UPLINK_TRANSIT)) < 0) {
            break;
        }
    }
    return r;
}

int uplink_routes_del(const struct network *n)
{
    int first = 0;

    if (!n->uplink_if[0]) {
        return 0;
    }
    for (size_t i = 0; i < n->n_subnets; i++) {
        int r = link_route4_del(n->subnets[i].net, n->subnets[i].plen,
                                n->uplink_if);
        if (r < 0 && !first) {
            first = r;
        }
    }
    return first;
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
    if ((r = host_end(name)) < 0) {
        *ret_err = xasprintf("uplink %s: cannot ready its host end: %s",
                             name, strerror(-r));
        goto undo;
    }
    strcpy(n->uplink_if, name);
    if ((r = routes_add(n, &routed)) < 0) {
        char net[IP4_STRLEN];
        *ret_err = xasprintf("cannot route %s/%d through %s: %s",
                             addr_ip4_format(n->subnets[routed].net, net),
                             n->subnets[routed].plen, name, strerror(-r));
        n->n_subnets = routed; /* only what was added goes */
        goto undo;
    }
    n->uplink.ofport = ofport;
    memcpy(n->uplink.mac, m, MAC_LEN);
    n->has_uplink = true;
    return 0;

undo:
    if (n->uplink_if[0]) {
        size_t all = n->n_subnets;
        uplink_routes_del(n);
        n->n_subnets = all;
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
        if (n->internal || strcmp(n->bridge, bridge)
            || strlen(name) >= IFNAMSIZ) {
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
        if ((r = link_uplink_setup(n->uplink_if, UPLINK_TRANSIT)) < 0) {
            log_debug("uplink %s: %s; later", n->uplink_if, strerror(-r));
            continue;
        }
        for (size_t i = 0; i < n->n_subnets; i++) {
            const struct flows_subnet *s = &n->subnets[i];
            if (!link_route4_present(s->net, s->plen, n->uplink_if)) {
                char net[IP4_STRLEN];
                log_info("network %.12s: route to %s/%d through %s is "
                         "gone: adding it", n->id,
                         addr_ip4_format(s->net, net), s->plen,
                         n->uplink_if);
                link_route4_add(s->net, s->plen, s->gateway, n->uplink_if,
                                UPLINK_TRANSIT);
            }
        }
    }
}
