#include "ovn.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "link.h"
#include "log.h"
#include "ovnnb.h"
#include "state.h"
#include "teardown.h"
#include "timeval.h"
#include "uplink.h"
#include "util.h"
#include "vswitch.h"

/* A transaction guarded by a "wait" is tried again when someone changed
 * the rows meanwhile: another host joining or leaving at the same time. */
#define TRIES 5
#define BUSY "the logical network kept changing under ovsgw (other hosts "  \
             "at the same time): try again"

/* What this host's Open_vSwitch row says about OVN. */
struct host {
    char *chassis;
    char *bridge;
    char *nb_remote;
};

static void host_destroy(struct host *h)
{
    free(h->chassis);
    free(h->bridge);
    free(h->nb_remote);
}

static int host_read(struct ovsgw *g, struct host *h, char **ret_err)
{
    json_t *rows = NULL;
    int r = ovsdb_select(g->db, "Open_vSwitch", NULL, "external_ids", &rows,
                         ret_err);

    *h = (struct host) { 0 };
    if (r < 0) {
        return r;
    }
    json_t *ext = ovsdb_map_to_object(json_object_get(json_array_get(rows, 0),
                                                      "external_ids"));
    const char *chassis = json_string_value(json_object_get(ext,
                                                            "system-id"));
    const char *bridge = json_string_value(json_object_get(ext,
                                                           "ovn-bridge"));
    const char *nb = json_string_value(json_object_get(ext, "ovn-nb"));

    if (!chassis || !*chassis) {
        *ret_err = xstrdup("this host is not set up for OVN: its "
                           "Open_vSwitch row has no external_ids:system-id "
                           "(ovs-vsctl set open . external_ids:system-id=...,"
                           " with ovn-remote and ovn-encap-ip for "
                           "ovn-controller)");
        r = -EINVAL;
    } else {
        h->chassis = xstrdup(chassis);
        h->bridge = xstrdup(bridge && *bridge ? bridge : OVN_BRIDGE_DEFAULT);
        h->nb_remote = xstrdup(g->ovn_nb ? g->ovn_nb
                               : nb && *nb ? nb : OVN_NB_DEFAULT);
    }
    json_decref(ext);
    json_decref(rows);
    return r;
}

/* The northbound client for 'h', made anew when the address changed. */
static int nb_client(struct ovsgw *g, const struct host *h, char **ret_err)
{
    struct ovsdb *nb = NULL;

    if (g->nb && !strcmp(g->nb_remote, h->nb_remote)) {
        return 0;
    }
    if (ovsdb_new_db(h->nb_remote, "OVN_Northbound", &nb) < 0) {
        *ret_err = xasprintf("bad OVN northbound address \"%s\": want "
                             "unix:PATH, tcp:IP:PORT or tcp:[IPv6]:PORT",
                             h->nb_remote);
        return -EINVAL;
    }
    ovsdb_free(g->nb);
    free(g->nb_remote);
    g->nb = nb;
    g->nb_remote = xstrdup(h->nb_remote);
    return 0;
}

/* Reads this host and connects to its northbound database. */
static int host_and_nb(struct ovsgw *g, struct host *h, char **ret_err)
{
    int r = host_read(g, h, ret_err);

    if (r >= 0 && (r = nb_client(g, h, ret_err)) < 0) {
        host_destroy(h);
    }
    return r;
}

/* A northbound error as the Err says it. */
static char *nb_error(const char *what, int r, char *err)
{
    char *msg = xasprintf("OVN northbound database: %s: %s", what,
                          err ? err : strerror(-r));
    free(err);
    return msg;
}

/* The switch called 'ls': 1 and its row (_uuid, ports, external_ids; the
 * caller owns it), 0 if there is none, or -errno. */
static int switch_get(struct ovsgw *g, const char *ls, json_t **ret_row,
                      char **ret_err)
{
    json_t *rows = NULL;
    int r = ovsdb_select(g->nb, "Logical_Switch", ls,
                         "_uuid,ports,external_ids", &rows, ret_err);

    if (r < 0) {
        return r;
    }
    if (json_array_size(rows) > 1) {
        *ret_err = xasprintf("%zu logical switches are called %s: delete "
                             "all but one", json_array_size(rows), ls);
        json_decref(rows);
        return -EEXIST;
    }
    *ret_row = json_incref(json_array_get(rows, 0));
    json_decref(rows);
    return *ret_row ? 1 : 0;
}

static const char *row_uuid(const json_t *row)
{
    return json_string_value(json_array_get(json_object_get(row, "_uuid"),
                                            1));
}

/* The "count" of operation 'i' of a transaction, or -errno. */
static long long transact_count(struct ovsdb *db, json_t *ops, size_t i,
                                char **ret_err)
{
    json_t *res = NULL;
    int r = ovsdb_transact(db, ops, &res, ret_err);

    if (r < 0) {
        return r;
    }
    long long count = json_integer_value(json_object_get(
        json_array_get(res, i), "count"));
    json_decref(res);
    return count;
}

/* ---- networks ------------------------------------------------------- */

/* Checks that the existing switch 'row' is ovsgw's network 'name' made
 * with what 'n' has.  Returns NULL or a malloc'd message. */
static char *check_same(const json_t *row, const struct network *n)
{
    json_t *ext = ovsdb_map_to_object(json_object_get(row, "external_ids"));
    const char *name = json_string_value(json_object_get(ext,
                                                         OVNNB_EXT_NAME));
    const char *config = json_string_value(json_object_get(ext,
                                                           OVNNB_EXT_CONFIG));
    _cleanup_free_ char *ours = ovnnb_config(n);
    char *err = NULL;

    if (!name || strcmp(name, n->opts.ovn_name)) {
        err = xasprintf("logical switch ovsgw-%s exists and is not ovsgw's",
                        n->opts.ovn_name);
    } else if (!config || strcmp(config, ours)) {
        err = xasprintf("logical network %s exists with %s; this network "
                        "has %s: create it alike on every host",
                        n->opts.ovn_name, config ? config : "no settings",
                        ours);
    }
    json_decref(ext);
    return err;
}

/* Creates the logical network or joins it. */
static int nb_join(struct ovsgw *g, const struct network *n,
                   const char *chassis, char **ret_err)
{
    _cleanup_free_ char *ls = ovnnb_switch_name(n->opts.ovn_name);
    int r = -EAGAIN;

    for (int try = 0; try < TRIES && r == -EAGAIN; try++) {
        json_t *row = NULL;
        free(*ret_err);
        *ret_err = NULL;
        if ((r = switch_get(g, ls, &row, ret_err)) < 0) {
            break;
        }
        if (r == 0) {
            r = ovsdb_transact(g->nb, ovnnb_create_ops(n, chassis), NULL,
                               ret_err);
            continue; /* -EAGAIN: another host made it meanwhile */
        }
        if ((*ret_err = check_same(row, n))) {
            r = -EEXIST;
        } else {
            long long c = transact_count(
                g->nb, ovnnb_join_ops(row_uuid(row), n, chassis), 0,
                ret_err);
            r = c < 0 ? (int) c : c == 1 ? 0 : -EAGAIN; /* deleted */
        }
        json_decref(row);
    }
    if (r == -EAGAIN) {
        free(*ret_err);
        *ret_err = xstrdup(BUSY);
    }
    return r;
}

/* Takes 'chassis' out of the logical network; the last host deletes it. */
static int nb_leave(struct ovsgw *g, const struct network *n,
                    const char *chassis, char **ret_err)
{
    _cleanup_free_ char *ls = ovnnb_switch_name(n->opts.ovn_name);
    _cleanup_free_ char *key = ovnnb_host_key(chassis);
    int r = -EAGAIN;

    for (int try = 0; try < TRIES && r == -EAGAIN; try++) {
        json_t *row = NULL;
        free(*ret_err);
        *ret_err = NULL;
        if ((r = switch_get(g, ls, &row, ret_err)) <= 0) {
            break; /* gone already: nothing to do */
        }
        json_t *ext = ovsdb_map_to_object(json_object_get(row,
                                                          "external_ids"));
        const char *k;
        json_t *v;
        bool last = true;
        json_object_foreach(ext, k, v) {
            if (!strncmp(k, OVNNB_EXT_HOST_PREFIX,
                         strlen(OVNNB_EXT_HOST_PREFIX))
                && strcmp(k, key)) {
                last = false;
            }
        }
        json_decref(ext);
        r = ovsdb_transact(g->nb,
                           ovnnb_leave_ops(row_uuid(row),
                                           json_object_get(row,
                                                           "external_ids"),
                                           chassis, last,
                                           n->opts.ovn_name),
                           NULL, ret_err);
        if (r == 0) {
            log_info("logical network %s: host %s left%s",
                     n->opts.ovn_name, chassis,
                     last ? ", the last one: deleted" : "");
        }
        json_decref(row);
    }
    if (r == -EAGAIN) {
        free(*ret_err);
        *ret_err = xstrdup(BUSY);
    }
    return r;
}

/* Another network of this host with the same logical network: one is
 * enough. */
static char *name_taken(const struct ovsgw *g, const struct network *n)
{
    for (const struct network *o = g->model.networks; o; o = o->next) {
        if (o != n && o->opts.mode == OPTIONS_MODE_OVN
            && !strcmp(o->opts.ovn_name, n->opts.ovn_name)) {
            return xasprintf("network %.12s of this host is already the "
                             "logical network %s", o->id, n->opts.ovn_name);
        }
    }
    return NULL;
}

int ovn_network_join(struct ovsgw *g, struct network *n, char **ret_err)
{
    _cleanup_free_ char *key = state_network_key(n->id);
    _cleanup_free_ char *state = NULL;
    struct host h;
    json_t *row = NULL;
    char *err = NULL;
    int r;

    if ((*ret_err = name_taken(g, n))) {
        return -EEXIST;
    }
    if ((r = host_and_nb(g, &h, ret_err)) < 0) {
        return r;
    }
    /* The integration bridge is ovn-controller's to make. */
    if ((r = vswitch_bridge_get(g->db, h.bridge, &row, ret_err)) <= 0) {
        if (r == 0) {
            *ret_err = xasprintf("OVN's integration bridge %s does not "
                                 "exist: is ovn-controller running?",
                                 h.bridge);
            r = -ENOENT;
        }
        goto out;
    }
    snprintf(n->bridge, sizeof n->bridge, "%s", h.bridge);
    n->bridge_owned = false;
    n->netdev = !strcmp(json_string_value(json_object_get(
                            row, "datapath_type")) ?: "", "netdev");
    n->tag = model_pick_tag(&g->model, n->bridge, n->id, NULL, 0);
    json_decref(row);

    if ((r = nb_join(g, n, h.chassis, &err)) < 0) {
        *ret_err = nb_error("cannot create or join the logical network", r,
                            err);
        goto out;
    }
    if (!n->internal && (r = uplink_ovn_attach(g, n, ret_err)) < 0) {
        goto undo_nb;
    }
    state = state_network_encode(n, g->name);
    if ((r = vswitch_bridge_set_key(g->db, n->bridge, key, state,
                                    ret_err)) < 0) {
        _cleanup_free_ char *e2 = NULL;
        if (n->uplink_if[0] && uplink_ovn_detach(g, n, &e2) < 0) {
            log_error("network %.12s: rollback: %s", n->id, e2);
        }
        goto undo_nb;
    }
    goto out;

undo_nb:
    {
        _cleanup_free_ char *e2 = NULL;
        if (nb_leave(g, n, h.chassis, &e2) < 0) {
            log_error("network %.12s: rollback in OVN: %s", n->id, e2);
        }
    }
out:
    host_destroy(&h);
    return r;
}

int ovn_network_leave(struct ovsgw *g, struct network *n, char **ret_err)
{
    _cleanup_free_ char *key = state_network_key(n->id);
    struct host h;
    char *err = NULL;
    int r;

    if ((r = host_and_nb(g, &h, ret_err)) < 0) {
        return r;
    }
    if ((r = nb_leave(g, n, h.chassis, &err)) < 0) {
        *ret_err = nb_error("cannot leave the logical network", r, err);
    } else {
        _cleanup_free_ char *e2 = NULL;
        if (n->uplink_if[0] && uplink_ovn_detach(g, n, &e2) < 0) {
            log_warn("network %.12s: %s", n->id, e2);
        }
        r = vswitch_bridge_del_key(g->db, n->bridge, key, ret_err);
        if (r == -ENOENT) {
            r = 0; /* the bridge went: so did the state */
        }
    }
    host_destroy(&h);
    return r;
}

/* ---- endpoints ------------------------------------------------------ */

/* The UUIDs in a UUID column value (["uuid", U] or a set of them), into
 * 'out'. */
static void uuids_of(const json_t *col, json_t *out)
{
    const char *kind = json_string_value(json_array_get(col, 0));
    const json_t *u;
    size_t i;

    if (kind && !strcmp(kind, "uuid")) {
        json_array_append(out, json_array_get(col, 1));
        return;
    }
    json_array_foreach(json_array_get(col, 1), i, u) {
        uuids_of(u, out);
    }
}

/* The logical port rows (_uuid, name, addresses, external_ids) of the
 * switch 'row', read by UUID in one transaction: only the switch's, however
 * many the database holds.  A new array in '*ret_lsps'. */
static int switch_ports(struct ovsgw *g, const json_t *row,
                        json_t **ret_lsps, char **ret_err)
{
    json_t *uuids = json_array(), *ops = json_array(), *res = NULL, *u, *r1;
    size_t i;
    int r;

    uuids_of(json_object_get(row, "ports"), uuids);
    json_array_foreach(uuids, i, u) {
        json_array_append_new(ops, json_pack(
            "{s:s,s:s,s:[[s,s,[s,O]]],s:[s,s,s,s]}", "op", "select",
            "table", "Logical_Switch_Port", "where", "_uuid", "==", "uuid",
            u, "columns", "_uuid", "name", "addresses", "external_ids"));
    }
    json_decref(uuids);
    *ret_lsps = json_array();
    if (json_array_size(ops) == 0) {
        json_decref(ops);
        return 0;
    }
    if ((r = ovsdb_transact(g->nb, ops, &res, ret_err)) < 0) {
        return r;
    }
    json_array_foreach(res, i, r1) {
        json_array_extend(*ret_lsps, json_object_get(r1, "rows"));
    }
    json_decref(res);
    return 0;
}

/* A port of this chassis ('chassis') in 'lsps' whose endpoint 'n' does not
 * have (left by a call that failed half-way, a crash, or a delete while
 * the database was away), or NULL. */
static const json_t *stale_port(const json_t *lsps, const struct network *n,
                                const char *chassis)
{
    const json_t *lsp;
    size_t i;

    json_array_foreach(lsps, i, lsp) {
        const char *name = json_string_value(json_object_get(lsp, "name"));
        json_t *ext = ovsdb_map_to_object(json_object_get(lsp,
                                                          "external_ids"));
        const char *host = json_string_value(json_object_get(
            ext, OVNNB_EXT_HOST));
        bool stale = name && host && !strcmp(host, chassis)
                     && !strncmp(name, "ovsgw-", 6)
                     && !network_find_endpoint(n, name + 6);
        json_decref(ext);
        if (stale) {
            return lsp;
        }
    }
    return NULL;
}

/* The logical port called 'name' among 'lsps', or NULL. */
static const json_t *port_named(const json_t *lsps, const char *name)
{
    const json_t *lsp;
    size_t i;

    json_array_foreach(lsps, i, lsp) {
        const char *n = json_string_value(json_object_get(lsp, "name"));
        if (n && !strcmp(n, name)) {
            return lsp;
        }
    }
    return NULL;
}

/* Adds the logical port of 'e', unless another has its addresses. */
static int nb_port_add(struct ovsgw *g, const struct network *n,
                       const struct endpoint *e, const char *chassis,
                       char **ret_err)
{
    _cleanup_free_ char *ls = ovnnb_switch_name(n->opts.ovn_name);
    char hostname[256] = "";
    int r = -EAGAIN;

    gethostname(hostname, sizeof hostname - 1);
    for (int try = 0; try < TRIES && r == -EAGAIN; try++) {
        json_t *row = NULL, *lsps = NULL;
        free(*ret_err);
        *ret_err = NULL;
        if ((r = switch_get(g, ls, &row, ret_err)) <= 0) {
            if (r == 0) {
                *ret_err = xasprintf("logical switch %s is gone", ls);
                r = -ENOENT;
            }
            break;
        }
        if ((r = switch_ports(g, row, &lsps, ret_err)) == 0) {
            const json_t *old = stale_port(lsps, n, chassis);
            if (old) {
                /* This host's, and no endpoint's (its own, left by a
                 * crash before Docker heard back, is one): away first. */
                r = ovsdb_transact(g->nb,
                                   ovnnb_port_del_ops(row_uuid(row),
                                                      row_uuid(old)),
                                   NULL, ret_err);
                r = r < 0 ? r : -EAGAIN;
            } else if ((*ret_err = ovnnb_conflict(lsps, e))) {
                r = -EADDRINUSE;
            } else {
                r = ovsdb_transact(g->nb,
                                   ovnnb_port_add_ops(
                                       row_uuid(row),
                                       json_object_get(row, "ports"), n, e,
                                       chassis, hostname),
                                   NULL, ret_err);
            }
        }
        json_decref(lsps);
        json_decref(row);
    }
    if (r == -EAGAIN) {
        free(*ret_err);
        *ret_err = xstrdup(BUSY);
    }
    return r;
}

/* Deletes the logical port of endpoint 'id' of 'n', if it is there. */
static int nb_port_del(struct ovsgw *g, const struct network *n,
                       const char *id, char **ret_err)
{
    _cleanup_free_ char *ls = ovnnb_switch_name(n->opts.ovn_name);
    _cleanup_free_ char *lsp_name = ovnnb_endpoint_port_name(id);
    json_t *row = NULL, *lsps = NULL;
    int r;

    if ((r = switch_get(g, ls, &row, ret_err)) <= 0) {
        return r;
    }
    if ((r = switch_ports(g, row, &lsps, ret_err)) == 0) {
        const json_t *lsp = port_named(lsps, lsp_name);
        if (lsp) {
            r = ovsdb_transact(g->nb,
                               ovnnb_port_del_ops(row_uuid(row),
                                                  row_uuid(lsp)),
                               NULL, ret_err);
        }
    }
    json_decref(lsps);
    json_decref(row);
    return r;
}

int ovn_endpoint_add(struct ovsgw *g, struct network *n, struct endpoint *e,
                     char **ret_err)
{
    _cleanup_free_ char *lsp_name = ovnnb_endpoint_port_name(e->id);
    struct host h;
    char *err = NULL;
    int r;

    if ((r = host_and_nb(g, &h, ret_err)) < 0) {
        return r;
    }
    if ((r = nb_port_add(g, n, e, h.chassis, &err)) < 0) {
        *ret_err = r == -EADDRINUSE
                       ? err
                       : nb_error("cannot add the logical port", r, err);
        host_destroy(&h);
        return r;
    }
    host_destroy(&h);
    e->fe.ofport = 0; /* ovs-vswitchd numbers it: no flow of ours uses it */
    e->verified = true;
    if ((r = link_veth_create(e->host_if, e->peer_if, e->fe.mac,
                              n->opts.mtu)) < 0) {
        *ret_err = xasprintf("cannot create veth %s: %s", e->host_if,
                             strerror(-r));
    } else {
        json_t *ext = state_endpoint_encode(n, e);
        json_object_set_new(ext, "iface-id", json_string(lsp_name));
        if ((r = vswitch_port_add(g->db, n->bridge, e->host_if, 0, ext,
                                  ret_err)) < 0) {
            link_delete(e->host_if);
        }
    }
    if (r < 0) {
        _cleanup_free_ char *e2 = NULL;
        if (nb_port_del(g, n, e->id, &e2) < 0) {
            log_error("endpoint %.12s: rollback in OVN: %s", e->id, e2);
        }
    }
    return r;
}

int ovn_endpoint_del(struct ovsgw *g, const struct network *n,
                     const struct endpoint *e, char **ret_err)
{
    struct host h;
    char *err = NULL;
    int r;

    if ((r = host_and_nb(g, &h, ret_err)) < 0) {
        return r;
    }
    host_destroy(&h);
    if ((r = nb_port_del(g, n, e->id, &err)) < 0) {
        /* The container is gone whatever OVN says: its side goes too, and
         * the logical port when the database answers (ovn_reconcile). */
        log_warn("endpoint %.12s: cannot delete its logical port now (%s); "
                 "later", e->id, err ? err : strerror(-r));
        free(err);
        g->ovn_stale = true;
    }
    return teardown_port(g, n->bridge, e->host_if, ret_err);
}

int ovn_reconcile(struct ovsgw *g)
{
    struct host h;
    char *err = NULL;
    int r, removed = 0;

    if ((r = host_and_nb(g, &h, &err)) < 0) {
        free(err);
        return r;
    }
    for (const struct network *n = g->model.networks; n && r >= 0;
         n = n->next) {
        _cleanup_free_ char *ls = network_is_ovn(n)
                                      ? ovnnb_switch_name(n->opts.ovn_name)
                                      : NULL;
        json_t *row = NULL, *lsps = NULL;
        const json_t *old;
        if (!ls || (r = switch_get(g, ls, &row, &err)) <= 0) {
            continue;
        }
        while ((r = switch_ports(g, row, &lsps, &err)) == 0
               && (old = stale_port(lsps, n, h.chassis))) {
            const char *name = json_string_value(json_object_get(old,
                                                                 "name"));
            if ((r = ovsdb_transact(g->nb,
                                    ovnnb_port_del_ops(row_uuid(row),
                                                       row_uuid(old)),
                                    NULL, &err)) < 0) {
                break;
            }
            log_info("logical network %s: removed port %s, left by an "
                     "endpoint this host no longer has", n->opts.ovn_name,
                     name);
            removed++;
            json_decref(lsps);
            lsps = NULL;
            json_decref(row);
            if ((r = switch_get(g, ls, &row, &err)) <= 0) {
                row = NULL;
                break;
            }
        }
        json_decref(lsps);
        json_decref(row);
    }
    if (r < 0) {
        log_debug("reconcile with OVN: %s", err ? err : strerror(-r));
    }
    free(err);
    host_destroy(&h);
    return r < 0 ? r : removed;
}

int ovn_endpoint_wait(struct ovsgw *g, const struct endpoint *e,
                      char **ret_err)
{
    long long deadline = time_deadline(OVN_INSTALL_WAIT_MS);

    for (;;) {
        json_t *row = NULL;
        int r = vswitch_iface_get(g->db, e->host_if, "external_ids", &row,
                                  ret_err);
        if (r < 0) {
            return r;
        }
        json_t *ext = ovsdb_map_to_object(json_object_get(row,
                                                          "external_ids"));
        bool done = !strcmp(json_string_value(json_object_get(
                                ext, OVN_EXT_INSTALLED)) ?: "", "true");
        json_decref(ext);
        json_decref(row);
        if (r == 0) {
            *ret_err = xasprintf("port %s is gone from OVSDB", e->host_if);
            return -ENOENT;
        }
        if (done) {
            return 0;
        }
        if (time_msec() >= deadline) {
            *ret_err = xasprintf(
                "ovn-controller has not installed port %s in %d s: is it "
                "running, and connected to the southbound database?",
                e->host_if, OVN_INSTALL_WAIT_MS / 1000);
            return -ETIMEDOUT;
        }
        poll(NULL, 0, 20);
    }
}

char *ovn_chassis(struct ovsgw *g)
{
    struct host h;
    char *err = NULL;

    if (host_read(g, &h, &err) < 0) {
        free(err);
        return NULL;
    }
    char *chassis = TAKE_PTR(h.chassis);
    host_destroy(&h);
    return chassis;
}
