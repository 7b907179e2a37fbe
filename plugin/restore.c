#include "restore.h"

#include <malloc.h>
#include <string.h>

#include "link.h"
#include "netfilter.h"
#include "log.h"
#include "spares.h"
#include "state.h"
#include "teardown.h"
#include "uplink.h"
#include "util.h"
#include "vswitch.h"

/* The networks stored on one Bridge row. */
static void load_bridge(const json_t *row, const char *driver,
                        struct model *m)
{
    const char *br = json_string_value(json_object_get(row, "name"));
    const char *dp = json_string_value(json_object_get(row,
                                                       "datapath_type"));
    const json_t *ext = json_object_get(row, "external_ids");
    const char *key;
    json_t *val;

    json_object_foreach((json_t *) ext, key, val) {
        const char *id = state_network_key_id(key);
        struct network *n = NULL;
        if (!id || !br || model_find_network(m, id)) {
            continue;
        }
        _cleanup_free_ char *why = state_network_decode(
            id, br, json_string_value(val), driver, &n);
        if (why) {
            log_warn("restore: bridge %s: network %.12s: %s; left alone", br,
                     id, why);
            continue;
        }
        if (!n) {
            continue; /* another driver's */
        }
        n->bridge_owned = json_object_get(ext, STATE_EXT_OWNED) != NULL;
        n->netdev = dp && !strcmp(dp, "netdev");
        model_add_network(m, n);
    }
}

/* One Interface row: an endpoint of one of the networks in 'm', a spare
 * of 'driver', or neither. */
static void load_iface(const json_t *row, const char *driver,
                       struct model *m)
{
    const char *name = json_string_value(json_object_get(row, "name"));
    const json_t *ext = json_object_get(row, "external_ids");
    const char *spare_of = state_spare_driver(ext);
    long long ofport = ovsdb_int_value(json_object_get(row, "ofport"), -1);

    if (!name) {
        return;
    }
    const char *uplink_of = json_string_value(json_object_get(ext,
                                                              UPLINK_KEY));
    if (uplink_of) {
        uplink_restore(m, uplink_of, name, (int) ofport);
    } else if (json_object_get(ext, STATE_EXT_ENDPOINT)) {
        struct endpoint *e = NULL;
        const char *nid = NULL;
        struct network *n = model_find_network(
            m, json_string_value(json_object_get(ext, STATE_EXT_NETWORK))
                   ?: "");
        if (!n) {
            return; /* not a network of this driver */
        }
        _cleanup_free_ char *why = state_endpoint_decode(
            ext, name, ofport,
            ovsdb_int_value(json_object_get(row, "ofport_request"), -1), &e,
            &nid);
        if (why) {
            log_warn("restore: interface %s: %s, ignored", name, why);
            return;
        }
        e->subnet = network_subnet_of(n, e->fe.ip);
        e->subnet6 = e->fe.has_ip6 ? network_subnet6_of(n, &e->fe.ip6) : 0;
        if (e->fe.has_ip6 && e->subnet6 == n->n_subnets6) {
            char ip6[IP6_STRLEN];
            log_warn("restore: endpoint %.12s: address %s is in none of the "
                     "IPv6 subnets of network %.12s, dropped", e->id,
                     addr_ip6_format(&e->fe.ip6, ip6), n->id);
            endpoint_free(e);
            return;
        }
        if (e->subnet == n->n_subnets) {
            char ip[IP4_STRLEN];
            log_warn("restore: endpoint %.12s: address %s is in none of the "
                     "subnets of network %.12s, dropped", e->id,
                     addr_ip4_format(e->fe.ip, ip), n->id);
            endpoint_free(e);
            return;
        }
        network_add_endpoint(n, e);
    } else if (spare_of && !strcmp(spare_of, driver)) {
        struct spare s;
        _cleanup_free_ char *why = state_spare_decode(ext, name, ofport, &s);
        if (why) {
            log_warn("restore: spare port %s: %s, ignored", name, why);
            return;
        }
        model_add_spare(m, s.bridge, s.host_if, s.peer_if, s.ofport,
                        s.verified, 0);
    }
}

int restore_load(struct ovsdb *db, const char *driver, struct model *m,
                 char **ret_err)
{
    json_t *bridges = NULL, *ifaces = NULL, *row;
    size_t i;
    int r = vswitch_load(db, &bridges, &ifaces, ret_err);

    if (r < 0) {
        return r;
    }
    json_array_foreach(bridges, i, row) {
        load_bridge(row, driver, m);
    }
    json_array_foreach(ifaces, i, row) {
        load_iface(row, driver, m);
    }
    json_decref(bridges);
    json_decref(ifaces);
    return 0;
}

/* Removes the endpoints whose veth vanished while nobody was listening
 * (the container went away), or that ovs-vswitchd never numbered and no
 * number was asked for.  Returns how many. */
static int drop_stale_endpoints(struct ovsgw *g, struct network *n)
{
    int gone = 0;

    for (struct endpoint **p = &n->endpoints; *p;) {
        struct endpoint *e = *p;
        /* OVN's ports are not numbered by ovsgw: the veth says enough. */
        if (link_exists(e->host_if)
            && (e->fe.ofport > 0 || network_is_ovn(n))) {
            /* A port ovs-vswitchd has not numbered yet is alive. */
            p = &e->next;
            continue;
        }
        _cleanup_free_ char *why = NULL;
        if (teardown_endpoint(g, n, e, &why) < 0) {
            log_warn("restore: endpoint %.12s: %s", e->id, why);
        }
        log_info("restore: endpoint %.12s: veth %s is gone, removed", e->id,
                 e->host_if);
        gone++;
        *p = e->next;
        endpoint_free(e);
    }
    return gone;
}

int restore_ensure(struct ovsgw *g, char **ret_err)
{
    int r, n_nets = 0, n_eps = 0, n_gone = 0, n_spares = 0;

    if (g->restored) {
        return 0;
    }
    model_clear(&g->model);
    if ((r = restore_load(g->db, g->name, &g->model, ret_err)) < 0) {
        model_clear(&g->model);
        return r;
    }
    spares_restore(g);
    for (struct spare *s = g->model.spares; s; s = s->next) {
        n_spares++;
    }
    for (struct network *n = g->model.networks; n; n = n->next) {
        n_nets++;
        /* What OVN holds for this host is checked by the tick. */
        g->ovn_stale |= network_is_ovn(n);
        n_gone += drop_stale_endpoints(g, n);
        for (struct endpoint *e = n->endpoints; e; e = e->next) {
            n_eps++;
        }
        _cleanup_free_ char *why = NULL;
        if (!network_is_ovn(n) && flowset_network_apply(g->fs, n, &why) < 0) {
            log_warn("restore: network %.12s: flows on %s: %s", n->id,
                     n->bridge, why);
        }
    }
    /* The host's side: uplinks, routes and netfilter rules as the model
     * wants them (a restart adds nothing twice). */
    bool moved;
    uplink_check(g, &moved);
    {
        _cleanup_free_ char *why = NULL;
        if (netfilter_sync(g, NULL, &why) < 0) {
            log_warn("restore: %s; the tick retries", why);
        }
    }
    /* Reading OVSDB and re-applying every flow took memory in proportion
     * to the whole state, once: give it back. */
    malloc_trim(0);
    log_info("restored %d network(s), %d endpoint(s), %d spare port(s); "
             "removed %d stale endpoint(s)", n_nets, n_eps, n_spares,
             n_gone);
    g->restored = true;
    return 0;
}
