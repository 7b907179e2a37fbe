#include "driver.h"

#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../flows/flows.h"
#include "link.h"
#include "log.h"
#include "ofconn.h"
#include "ofctl.h"
#include "options.h"
#include "ovsdb.h"
#include "request.h"

/* OVSDB external_ids keys.  A bridge can carry several networks, so each
 * network has a key of its own on the bridge. */
#define EXT_OWNED "ovsgw-owned"
#define EXT_NET_PREFIX "ovsgw-net-"
#define EXT_ENDPOINT "ovsgw-endpoint"
#define EXT_NETWORK "ovsgw-network"
#define EXT_IPV4 "ovsgw-ipv4"
#define EXT_MAC "ovsgw-mac"
#define EXT_COOKIE "ovsgw-cookie"
#define EXT_PEER "ovsgw-peer"
#define EXT_SPARE "ovsgw-spare"   /* a spare port: the driver's name */
#define EXT_BRIDGE "ovsgw-bridge" /* a spare port's bridge */

/* How long to wait for ovs-vswitchd to pick up a new bridge or port. */
#define VSWITCHD_WAIT_MS 5000

struct endpoint {
    struct endpoint *next;
    char id[REQUEST_ID_MAX + 1];
    struct flows_endpoint fe; /* cookie id, IP, MAC, OpenFlow port */
    int plen;
    size_t subnet;
    char host_if[IFNAMSIZ]; /* on the bridge */
    char peer_if[IFNAMSIZ]; /* moved into the container by Docker */
    bool verified; /* ovs-vswitchd gave it the OpenFlow port we asked for */
};

struct network {
    struct network *next;
    const char *driver; /* the driver's name (owned by the driver) */
    char id[REQUEST_ID_MAX + 1];
    char bridge[OPTIONS_BRIDGE_MAX + 1];
    bool bridge_owned; /* ovsgw created it: deleted with its last network */
    bool netdev;
    uint32_t tag;
    uint8_t gateway_mac[MAC_LEN];
    struct options opts;
    json_t *generic; /* the driver options as given, persisted */
    size_t n_subnets;
    struct flows_subnet subnets[REQUEST_MAX_SUBNETS];
    struct endpoint *endpoints;
};

/* A port kept after its endpoint went, for the next endpoint on its
 * bridge: see endpoint_keep(). */
struct spare {
    struct spare *next;
    char bridge[OPTIONS_BRIDGE_MAX + 1];
    char host_if[IFNAMSIZ];
    char peer_if[IFNAMSIZ];
    int ofport;
    bool verified;      /* as struct endpoint's */
    long long since_ms; /* CLOCK_MONOTONIC */
};

struct driver {
    struct ovsdb *db;
    char *rundir;
    char *name;    /* driver name, stored with every network */
    struct network *networks;
    struct ofconn **conns; /* one OpenFlow connection per bridge in use */
    size_t n_conns;
    struct spare *spares;
    unsigned pool_max;     /* spares kept per bridge */
    long long pool_idle_ms;
    bool restored; /* the model was read from OVSDB */
    bool resync;   /* flows must be re-applied everywhere */
    long vswitchd_pid;
    unsigned ticks;
};

/* ---- replies ---------------------------------------------------------- */

/* Sets an {"Err": msg} reply, logs it and returns 'status'.  Takes
 * ownership of 'msg'. */
static unsigned fail(json_t **ret, unsigned status, const char *call,
                     const char *id, char *msg)
{
    log_warn("%s %.12s: %s", call, id ? id : "-", msg);
    *ret = json_pack("{s:s}", "Err", msg);
    free(msg);
    return status;
}

/* ---- model ------------------------------------------------------------ */

static struct network *find_network(struct driver *d, const char *id)
{
    for (struct network *n = d->networks; n; n = n->next) {
        if (!strcmp(n->id, id)) {
            return n;
        }
    }
    return NULL;
}

static struct endpoint *find_endpoint(struct network *n, const char *id)
{
    for (struct endpoint *e = n->endpoints; e; e = e->next) {
        if (!strcmp(e->id, id)) {
            return e;
        }
    }
    return NULL;
}

static struct flows_network flows_net(const struct network *n)
{
    return (struct flows_network) { .tag = n->tag,
                                    .n_subnets = n->n_subnets,
                                    .subnets = n->subnets,
                                    .policy = &n->opts.policy,
                                    .gateway_mac = { n->gateway_mac[0],
                                                     n->gateway_mac[1],
                                                     n->gateway_mac[2],
                                                     n->gateway_mac[3],
                                                     n->gateway_mac[4],
                                                     n->gateway_mac[5] } };
}

/* The first 8 hex digits of a Docker ID as a number. */
static uint32_t id_prefix32(const char *id)
{
    char buf[9];
    memcpy(buf, id, 8);
    buf[8] = '\0';
    return (uint32_t) strtoul(buf, NULL, 16);
}

/* A locally administered MAC from 'first' and 5 bytes of an ID. */
static void mac_from_id(uint8_t first, const char *id, uint8_t ret[MAC_LEN])
{
    ret[0] = first;
    for (int i = 1; i < MAC_LEN; i++) {
        char b[3] = { id[2 * i - 2], id[2 * i - 1], '\0' };
        ret[i] = (uint8_t) strtoul(b, NULL, 16);
    }
}

/* A network tag for 'n' that no other network on its bridge uses. */
static uint32_t pick_tag(struct driver *d, const char *bridge, const char *id)
{
    uint32_t tag = id_prefix32(id);

    for (;;) {
        bool taken = tag == 0;
        for (struct network *o = d->networks; o && !taken; o = o->next) {
            taken = !strcmp(o->bridge, bridge) && o->tag == tag;
        }
        if (!taken) {
            return tag;
        }
        tag++;
    }
}

static void network_free(struct network *n)
{
    while (n->endpoints) {
        struct endpoint *e = n->endpoints;
        n->endpoints = e->next;
        free(e);
    }
    json_decref(n->generic);
    free(n);
}

static void network_unlink(struct driver *d, struct network *n)
{
    for (struct network **p = &d->networks; *p; p = &(*p)->next) {
        if (*p == n) {
            *p = n->next;
            return;
        }
    }
}

static void endpoint_unlink(struct network *n, struct endpoint *e)
{
    for (struct endpoint **p = &n->endpoints; *p; p = &(*p)->next) {
        if (*p == e) {
            *p = e->next;
            return;
        }
    }
}

/* The lowest OpenFlow port number that no ovsgw endpoint on 'bridge'
 * has.  Asked for with ofport_request, so that flows can be installed
 * without waiting for ovs-vswitchd; a port of someone else that holds the
 * number makes ovs-vswitchd pick another, which driver_tick() notices. */
static int pick_ofport(struct driver *d, const char *bridge)
{
    for (int port = 1;; port++) {
        bool taken = false;
        for (const struct spare *s = d->spares; s && !taken; s = s->next) {
            taken = s->ofport == port && !strcmp(s->bridge, bridge);
        }
        for (struct network *n = d->networks; n && !taken; n = n->next) {
            if (strcmp(n->bridge, bridge)) {
                continue;
            }
            for (struct endpoint *e = n->endpoints; e && !taken;
                 e = e->next) {
                taken = e->fe.ofport == port;
            }
        }
        if (!taken) {
            return port;
        }
    }
}

static bool bridge_shared(struct driver *d, const struct network *n)
{
    for (struct network *o = d->networks; o; o = o->next) {
        if (o != n && !strcmp(o->bridge, n->bridge)) {
            return true;
        }
    }
    return false;
}

/* ---- OVSDB operations ------------------------------------------------- */

static json_t *where_name(const char *name)
{
    return json_pack("[[s,s,s]]", "name", "==", name);
}

/* The subnets of 'n' as [{NET_KEY: "10.20.1.0/24", "gateway": ...}]. */
static json_t *subnets_json(const struct network *n, const char *net_key)
{
    json_t *subnets = json_array();
    char ip[IP4_STRLEN], gw[IP4_STRLEN];

    for (size_t i = 0; i < n->n_subnets; i++) {
        _cleanup_free_ char *pool = xasprintf(
            "%s/%d", util_ip4_format(n->subnets[i].net, ip),
            n->subnets[i].plen);
        json_array_append_new(subnets, json_pack(
            "{s:s,s:s}", net_key, pool, "gateway",
            util_ip4_format(n->subnets[i].gateway, gw)));
    }
    return subnets;
}

/* The network's state as stored on its bridge. */
static char *network_state(const struct network *n)
{
    json_t *subnets = subnets_json(n, "pool");
    char mac[MAC_STRLEN];
    _cleanup_free_ char *policy = policy_format(&n->opts.policy);
    json_t *j = json_pack("{s:s,s:I,s:s,s:o,s:O,s:s}", "driver", n->driver,
                          "tag", (json_int_t) n->tag,
                          "gateway_mac", util_mac_format(n->gateway_mac, mac),
                          "subnets", subnets, "options",
                          n->generic ? n->generic : json_null(),
                          "tcp_policy", policy);
    char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(j);
    return s;
}

/* Reads the Bridge row called 'name'.  Returns 1 and the row (caller
 * owns) if it exists, 0 if not, or -errno. */
static int bridge_get(struct driver *d, const char *name, json_t **ret_row,
                      char **ret_err)
{
    json_t *rows = NULL;
    int r = ovsdb_select(d->db, "Bridge", name,
                         "_uuid,external_ids,datapath_type", &rows, ret_err);
    if (r < 0) {
        return r;
    }
    if (json_array_size(rows) == 0) {
        json_decref(rows);
        return 0;
    }
    *ret_row = json_incref(json_array_get(rows, 0));
    json_decref(rows);
    return 1;
}

/* Creates the bridge of 'n', or adds 'n' to the existing bridge of that
 * name, with the network's state in external_ids; waits until
 * ovs-vswitchd has the bridge. */
static int bridge_attach(struct driver *d, struct network *n, bool kernel_dp,
                         char **ret_err)
{
    _cleanup_free_ char *key = xasprintf(EXT_NET_PREFIX "%s", n->id);
    _cleanup_free_ char *state = NULL;
    json_t *row = NULL;
    int r;

    r = bridge_get(d, n->bridge, &row, ret_err);
    if (r < 0) {
        return r;
    }
    if (r > 0) {
        json_t *ext = ovsdb_map_to_object(json_object_get(row,
                                                          "external_ids"));
        const char *dp = json_string_value(json_object_get(row,
                                                           "datapath_type"));
        n->bridge_owned = json_object_get(ext, EXT_OWNED) != NULL;
        n->netdev = dp && !strcmp(dp, "netdev");
        json_decref(ext);
        json_decref(row);
        if (n->opts.datapath != OPTIONS_DP_AUTO
            && (n->opts.datapath == OPTIONS_DP_NETDEV) != n->netdev) {
            *ret_err = xasprintf("ovsgw.datapath: bridge %s exists with "
                                 "datapath %s", n->bridge,
                                 n->netdev ? "netdev" : "system");
            return -EINVAL;
        }
        state = network_state(n);
        return ovsdb_transact(
            d->db,
            json_pack("[{s:s,s:s,s:o,s:[[s,s,o]]}]", "op", "mutate",
                      "table", "Bridge", "where", where_name(n->bridge),
                      "mutations", "external_ids", "insert",
                      ovsdb_map(json_pack("{s:s}", key, state))),
            NULL, ret_err);
    }

    enum options_datapath dp = n->opts.datapath;
    if (dp == OPTIONS_DP_AUTO) {
        dp = kernel_dp ? OPTIONS_DP_SYSTEM : OPTIONS_DP_NETDEV;
    }
    n->netdev = dp == OPTIONS_DP_NETDEV;
    n->bridge_owned = true;
    state = network_state(n);
    json_t *ops = json_pack(
        "[{s:s,s:s,s:{s:s,s:s},s:s},"
        " {s:s,s:s,s:{s:s,s:o},s:s},"
        " {s:s,s:s,s:{s:s,s:o,s:s,s:s,s:[s,[s,s,s]],s:o},s:s},"
        " {s:s,s:s,s:[],s:[[s,s,o]]}]",
        "op", "insert", "table", "Interface", "row", "name", n->bridge,
        "type", "internal", "uuid-name", "iface",
        "op", "insert", "table", "Port", "row", "name", n->bridge,
        "interfaces", ovsdb_named("iface"), "uuid-name", "port",
        "op", "insert", "table", "Bridge", "row", "name", n->bridge,
        "ports", ovsdb_named("port"), "fail_mode", "secure",
        "datapath_type", options_datapath_name(dp), "protocols", "set",
        "OpenFlow10", "OpenFlow13", "OpenFlow14", "external_ids",
        ovsdb_map(json_pack("{s:s,s:s}", EXT_OWNED, "true", key, state)),
        "uuid-name", "br",
        "op", "mutate", "table", "Open_vSwitch", "where", "mutations",
        "bridges", "insert", ovsdb_named("br"));
    if ((r = ovsdb_transact(d->db, ops, NULL, ret_err)) < 0) {
        return r;
    }
    /* ovs-vswitchd fills in datapath_id once the bridge exists. */
    return ovsdb_transact(
        d->db,
        json_pack("[{s:s,s:s,s:o,s:[s],s:s,s:[{s:[s,[]]}],s:i}]", "op",
                  "wait", "table", "Bridge", "where", where_name(n->bridge),
                  "columns", "datapath_id", "until", "!=", "rows",
                  "datapath_id", "set", "timeout", VSWITCHD_WAIT_MS),
        NULL, ret_err);
}

static struct ofconn *conn_for(struct driver *d, const char *bridge)
{
    for (size_t i = 0; i < d->n_conns; i++) {
        if (!strcmp(ofconn_bridge(d->conns[i]), bridge)) {
            return d->conns[i];
        }
    }
    d->conns = xrealloc(d->conns, (d->n_conns + 1) * sizeof *d->conns);
    return d->conns[d->n_conns++] = ofconn_new(d->rundir, bridge);
}

/* Closes the connection to a bridge that ovsgw deleted. */
static void conn_drop(struct driver *d, const char *bridge)
{
    for (size_t i = 0; i < d->n_conns; i++) {
        if (!strcmp(ofconn_bridge(d->conns[i]), bridge)) {
            ofconn_free(d->conns[i]);
            d->conns[i] = d->conns[--d->n_conns];
            return;
        }
    }
}

/* Removes 'n' from its bridge: deletes the bridge if ovsgw created it and
 * no other network uses it, else just the network's key. */
static int bridge_detach(struct driver *d, struct network *n, char **ret_err)
{
    _cleanup_free_ char *key = xasprintf(EXT_NET_PREFIX "%s", n->id);
    json_t *row = NULL;
    int r;

    if (!n->bridge_owned || bridge_shared(d, n)) {
        return ovsdb_transact(
            d->db,
            json_pack("[{s:s,s:s,s:o,s:[[s,s,[s,[s]]]]}]", "op", "mutate",
                      "table", "Bridge", "where", where_name(n->bridge),
                      "mutations", "external_ids", "delete", "set", key),
            NULL, ret_err);
    }
    r = bridge_get(d, n->bridge, &row, ret_err);
    if (r <= 0) {
        return r;
    }
    const char *uuid = json_string_value(
        json_array_get(json_object_get(row, "_uuid"), 1));
    /* Bridge, Port and Interface rows go with the last reference. */
    conn_drop(d, n->bridge);
    r = ovsdb_transact(
        d->db,
        json_pack("[{s:s,s:s,s:[],s:[[s,s,o]]}]", "op", "mutate", "table",
                  "Open_vSwitch", "where", "mutations", "bridges", "delete",
                  ovsdb_uuid(uuid)),
        NULL, ret_err);
    json_decref(row);
    return r;
}

/* Runs 'ops' (taken) and returns the "count" of operation 'i' (rows an
 * update or mutate touched), or -errno. */
static long long transact_count(struct driver *d, json_t *ops, size_t i,
                                char **ret_err)
{
    json_t *res = NULL;
    int r;

    if ((r = ovsdb_transact(d->db, ops, &res, ret_err)) < 0) {
        return r;
    }
    long long count = json_integer_value(
        json_object_get(json_array_get(res, i), "count"));
    json_decref(res);
    return count;
}

/* Adds the host end of 'e' to the bridge with the endpoint's state in
 * external_ids, asking for the OpenFlow port 'e->fe.ofport'.  Does not
 * wait for ovs-vswitchd (its reconfiguration grows with the number of
 * ports): driver_tick() checks the number it gives. */
/* The endpoint's state as its interface keeps it in external_ids. */
static json_t *endpoint_ext(const struct network *n, const struct endpoint *e)
{
    char mac[MAC_STRLEN], ip[IP4_STRLEN], cookie[16];
    _cleanup_free_ char *addr = xasprintf(
        "%s/%d", util_ip4_format(e->fe.ip, ip), e->plen);

    snprintf(cookie, sizeof cookie, "0x%08" PRIx32, e->fe.id);
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", EXT_ENDPOINT, e->id,
                     EXT_NETWORK, n->id, EXT_IPV4, addr, EXT_MAC,
                     util_mac_format(e->fe.mac, mac), EXT_COOKIE, cookie,
                     EXT_PEER, e->peer_if);
}

static int port_add(struct driver *d, struct network *n, struct endpoint *e,
                    char **ret_err)
{
    json_t *ext = endpoint_ext(n, e);

    json_t *ops = json_pack(
        "[{s:s,s:s,s:{s:s,s:i,s:o},s:s},"
        " {s:s,s:s,s:{s:s,s:o},s:s},"
        " {s:s,s:s,s:o,s:[[s,s,o]]}]",
        "op", "insert", "table", "Interface", "row", "name", e->host_if,
        "ofport_request", e->fe.ofport, "external_ids", ovsdb_map(ext),
        "uuid-name", "iface",
        "op", "insert", "table", "Port", "row", "name", e->host_if,
        "interfaces", ovsdb_named("iface"), "uuid-name", "port",
        "op", "mutate", "table", "Bridge", "where", where_name(n->bridge),
        "mutations", "ports", "insert", ovsdb_named("port"));
    json_decref(ext);
    long long count = transact_count(d, ops, 2, ret_err);
    if (count < 0) {
        return (int) count;
    }
    if (count != 1) {
        /* The unreferenced Port and Interface rows were dropped. */
        *ret_err = xasprintf("bridge %s is gone from OVSDB", n->bridge);
        return -ENOENT;
    }
    return 0;
}

/* Removes the port 'name' from 'bridge'.  A port that is not there is
 * not an error. */
static int port_del(struct driver *d, const char *bridge, const char *name,
                    char **ret_err)
{
    json_t *rows = NULL;
    int r = ovsdb_select(d->db, "Port", name, "_uuid", &rows, ret_err);
    if (r < 0) {
        return r;
    }
    const char *uuid = json_string_value(json_array_get(
        json_object_get(json_array_get(rows, 0), "_uuid"), 1));
    if (uuid) {
        r = ovsdb_transact(
            d->db,
            json_pack("[{s:s,s:s,s:o,s:[[s,s,o]]}]", "op", "mutate",
                      "table", "Bridge", "where", where_name(bridge),
                      "mutations", "ports", "delete", ovsdb_uuid(uuid)),
            NULL, ret_err);
    }
    json_decref(rows);
    return r;
}

/* Whether ovs-vswitchd keeps TSO on userspace ports (then veths keep their
 * offloads), from Open_vSwitch other_config.  Also shows that ovsdb-server
 * answers: ovs-vswitchd serves no OpenFlow while it has lost ovsdb-server
 * (a flow change would wait for it), so a call must fail before that. */
static int userspace_tso(struct driver *d, bool *ret_on, char **ret_err)
{
    json_t *rows = NULL;
    int r;

    if ((r = ovsdb_select(d->db, "Open_vSwitch", NULL, "other_config",
                          &rows, ret_err)) < 0) {
        return r;
    }
    json_t *oc = ovsdb_map_to_object(json_object_get(
        json_array_get(rows, 0), "other_config"));
    const char *v = json_string_value(
        json_object_get(oc, "userspace-tso-enable"));
    *ret_on = v && !strcmp(v, "true");
    json_decref(oc);
    json_decref(rows);
    return 0;
}

/* ---- flows ------------------------------------------------------------ */

static int apply(struct driver *d, const char *bridge, const char *flows,
                 char **ret_err)
{
    return ofconn_bundle(conn_for(d, bridge), flows, ret_err);
}

/* One round trip instead of two, not all-or-nothing: for one endpoint's
 * flows, which one delete by cookie undoes.  On the userspace datapath
 * each round trip waits for an iteration of ovs-vswitchd's main loop,
 * which grows with the port count. */
static int apply_quick(struct driver *d, const char *bridge,
                       const char *flows, char **ret_err)
{
    return ofconn_flows(conn_for(d, bridge), flows, ret_err);
}

/* For deletions by cookie: sent, not waited for (see ofconn.h); the tick
 * reads a late error and then re-applies every flow. */
static int apply_nowait(struct driver *d, const char *bridge,
                        const char *flows, char **ret_err)
{
    return ofconn_flows_nowait(conn_for(d, bridge), flows, ret_err);
}

/* Re-applies every flow of 'n' in one bundle: its own, its endpoints',
 * the bridge's table-miss flows.  Flows of other networks are untouched. */
static int apply_all(struct driver *d, struct network *n, char **ret_err)
{
    struct flows_network fn = flows_net(n);
    struct strbuf sb = { 0 };
    _cleanup_free_ char *del = flows_delete(n->tag, 0);
    _cleanup_free_ char *bridge_flows = flows_bridge();
    _cleanup_free_ char *net_flows = flows_network(&fn);

    strbuf_addf(&sb, "%s%s%s", del, bridge_flows, net_flows);
    for (struct endpoint *e = n->endpoints; e; e = e->next) {
        _cleanup_free_ char *ef = flows_endpoint(&fn, &e->fe);
        strbuf_add(&sb, ef);
    }
    _cleanup_free_ char *all = strbuf_take(&sb);
    return apply(d, n->bridge, all, ret_err);
}

/* ---- handlers --------------------------------------------------------- */

static int ensure_restored(struct driver *d, char **ret_err);

/* Reads the state from OVSDB on first use.  On failure sets the Err reply
 * and returns its status, else returns 0. */
static unsigned need_state(struct driver *d, const char *call,
                           const char *id, json_t **ret)
{
    char *err = NULL;

    if (ensure_restored(d, &err) < 0) {
        char *msg = xasprintf("cannot read ovsgw state from OVSDB: %s",
                              err ? err : "unknown error");
        free(err);
        return fail(ret, 503, call, id, msg);
    }
    return 0;
}

/* A call that changes things touches nothing unless ovsdb-server answers
 * (see userspace_tso()).  On failure sets the Err reply and returns its
 * status, else returns 0. */
static unsigned need_ovsdb(struct driver *d, const char *call,
                           const char *id, json_t **ret)
{
    char *err = NULL;
    bool tso;
    int r;

    if ((r = userspace_tso(d, &tso, &err)) < 0) {
        return fail(ret, 500, call, id,
                    err ? err : xasprintf("cannot reach ovsdb-server: %s",
                                          strerror(-r)));
    }
    return 0;
}

static unsigned h_activate(void *ud, const json_t *req, json_t **ret)
{
    (void) ud, (void) req;
    *ret = json_pack("{s:[s]}", "Implements", "NetworkDriver");
    return 200;
}

static unsigned h_capabilities(void *ud, const json_t *req, json_t **ret)
{
    (void) ud, (void) req;
    *ret = json_pack("{s:s,s:s}", "Scope", "local", "ConnectivityScope",
                     "local");
    return 200;
}

static unsigned h_empty(void *ud, const json_t *req, json_t **ret)
{
    (void) ud, (void) req;
    *ret = json_object();
    return 200;
}

static bool subnets_overlap(const struct flows_subnet *a,
                            const struct flows_subnet *b)
{
    uint32_t m = util_plen_mask(a->plen < b->plen ? a->plen : b->plen);
    return (a->net & m) == (b->net & m);
}

static unsigned h_create_network(void *ud, const json_t *req, json_t **ret)
{
    static const char call[] = "CreateNetwork";
    struct driver *d = ud;
    struct request_network rn;
    struct network *n;
    unsigned status;
    char *err = NULL;
    int r;

    if ((err = request_parse_network(req, &rn))) {
        return fail(ret, 400, call, NULL, err);
    }
    n = xzalloc(sizeof *n);
    n->driver = d->name;
    strcpy(n->id, rn.network);
    if ((err = options_parse(rn.generic, &n->opts))) {
        network_free(n);
        return fail(ret, 400, call, rn.network, err);
    }
    if ((status = need_state(d, call, rn.network, ret))) {
        network_free(n);
        return status;
    }
    if (find_network(d, rn.network)) {
        network_free(n);
        return fail(ret, 400, call, rn.network,
                    xasprintf("network %.12s exists", rn.network));
    }
    n->generic = rn.generic ? json_deep_copy(rn.generic) : NULL;
    n->n_subnets = rn.n_subnets;
    memcpy(n->subnets, rn.subnets, sizeof rn.subnets);
    if (n->opts.bridge[0]) {
        strcpy(n->bridge, n->opts.bridge);
    } else {
        snprintf(n->bridge, sizeof n->bridge, "ovsgw-%.9s", n->id);
    }
    if (n->opts.gateway_mac_set) {
        memcpy(n->gateway_mac, n->opts.gateway_mac, MAC_LEN);
    } else {
        mac_from_id(0x06, n->id, n->gateway_mac);
    }
    /* Networks on one bridge are told apart by their tag, and their
     * addresses must not overlap or forwarding would be ambiguous. */
    for (struct network *o = d->networks; o; o = o->next) {
        if (strcmp(o->bridge, n->bridge)) {
            continue;
        }
        for (size_t i = 0; i < n->n_subnets; i++) {
            for (size_t j = 0; j < o->n_subnets; j++) {
                if (subnets_overlap(&n->subnets[i], &o->subnets[j])) {
                    char a[IP4_STRLEN];
                    util_ip4_format(n->subnets[i].net, a);
                    network_free(n);
                    return fail(ret, 400, call, rn.network, xasprintf(
                        "subnet %s/%d overlaps network %.12s on bridge %s",
                        a, rn.subnets[i].plen, o->id, o->bridge));
                }
            }
        }
    }
    n->tag = pick_tag(d, n->bridge, n->id);

    bool kernel_dp = access("/sys/module/openvswitch", F_OK) == 0;
    if ((r = bridge_attach(d, n, kernel_dp, &err)) < 0) {
        goto fail;
    }
    if ((r = apply_all(d, n, &err)) < 0) {
        goto undo_bridge;
    }
    n->next = d->networks;
    d->networks = n;
    log_info("%s %.12s: bridge %s (%s, %s), %zu subnet(s)", call, n->id,
             n->bridge, n->netdev ? "netdev" : "system",
             n->bridge_owned ? "created" : "shared", n->n_subnets);
    *ret = json_object();
    return 200;

undo_bridge:
    {
        _cleanup_free_ char *e2 = NULL;
        _cleanup_free_ char *del = flows_delete(n->tag, 0);
        apply(d, n->bridge, del, NULL);
        if (bridge_detach(d, n, &e2) < 0) {
            log_error("%s %.12s: rollback: %s", call, n->id, e2);
        }
    }
fail:
    {
        char *msg = xasprintf("bridge %s: %s", n->bridge,
                              err ? err : strerror(-r));
        free(err);
        network_free(n);
        return fail(ret, 500, call, rn.network, msg);
    }
}

/* Undoes everything an endpoint has: flows, port, veth.  Goes on after a
 * failed step so that as little as possible is left; returns the first
 * error with its message. */
static int endpoint_teardown(struct driver *d, struct network *n,
                             struct endpoint *e, char **ret_err)
{
    _cleanup_free_ char *del = flows_delete(n->tag, e->fe.id);
    char *err = NULL;
    int r, first = 0;

    if ((r = apply_nowait(d, n->bridge, del, &err)) < 0) {
        first = r;
        *ret_err = TAKE_PTR(err);
    }
    free(err);
    err = NULL;
    if ((r = port_del(d, n->bridge, e->host_if, &err)) < 0 && !first) {
        first = r;
        *ret_err = TAKE_PTR(err);
    }
    free(err);
    r = link_delete(e->host_if);
    if (r < 0 && r != -ENODEV && !first) {
        first = r;
        *ret_err = xasprintf("cannot delete veth %s: %s", e->host_if,
                             strerror(-r));
    }
    return first;
}

/* ---- spare ports ------------------------------------------------------
 * When an endpoint goes, its veth pair and OVS port can stay as a spare of
 * the bridge, without flows (nothing passes a port that has none), and the
 * next endpoint on that bridge takes them over with its own MAC and flows.
 * That saves the kernel's veth deletion (it waits for an RCU grace period)
 * and ovs-vswitchd's reconfiguration for a port added or removed (it grows
 * with the number of ports): a spare changes only external_ids, which
 * ovs-vswitchd does not watch.  The tick deletes spares idle for
 * pool_idle_ms; at most pool_max are kept per bridge. */

static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static unsigned spares_on(const struct driver *d, const char *bridge)
{
    unsigned n = 0;

    for (const struct spare *s = d->spares; s; s = s->next) {
        n += !strcmp(s->bridge, bridge);
    }
    return n;
}

/* Replaces the external_ids of the interface 'name' with 'ext' (taken). */
static int iface_set_ext(struct driver *d, const char *name, json_t *ext,
                         char **ret_err)
{
    json_t *ops = json_pack("[{s:s,s:s,s:o,s:{s:o}}]", "op", "update",
                            "table", "Interface", "where", where_name(name),
                            "row", "external_ids", ovsdb_map(ext));

    json_decref(ext);
    long long count = transact_count(d, ops, 0, ret_err);
    if (count < 0) {
        return (int) count;
    }
    if (count != 1) {
        *ret_err = xasprintf("interface %s is gone from OVSDB", name);
        return -ENOENT;
    }
    return 0;
}

/* Deletes a spare's veth, and its port unless the bridge goes anyway. */
static void spare_destroy(struct driver *d, struct spare *s, bool port)
{
    _cleanup_free_ char *err = NULL;
    int r;

    if (port && port_del(d, s->bridge, s->host_if, &err) < 0) {
        log_warn("spare port %s on %s: %s", s->host_if, s->bridge, err);
    }
    if ((r = link_delete(s->host_if)) < 0 && r != -ENODEV) {
        log_warn("spare port %s: cannot delete veth: %s", s->host_if,
                 strerror(-r));
    }
    free(s);
}

/* Deletes every spare of 'bridge'. */
static void spares_drop(struct driver *d, const char *bridge, bool port)
{
    for (struct spare **p = &d->spares; *p;) {
        struct spare *s = *p;
        if (strcmp(s->bridge, bridge)) {
            p = &s->next;
            continue;
        }
        *p = s->next;
        spare_destroy(d, s, port);
    }
}

/* The most recently kept spare of 'bridge', unlinked, or NULL. */
static struct spare *spare_take(struct driver *d, const char *bridge)
{
    for (struct spare **p = &d->spares; *p; p = &(*p)->next) {
        struct spare *s = *p;
        if (!strcmp(s->bridge, bridge)) {
            *p = s->next;
            return s;
        }
    }
    return NULL;
}

static void spare_add(struct driver *d, const char *bridge, const char *host,
                      const char *peer, int ofport, bool verified)
{
    struct spare *s = xzalloc(sizeof *s);

    snprintf(s->bridge, sizeof s->bridge, "%s", bridge);
    snprintf(s->host_if, sizeof s->host_if, "%s", host);
    snprintf(s->peer_if, sizeof s->peer_if, "%s", peer);
    s->ofport = ofport;
    s->verified = verified;
    s->since_ms = now_ms();
    s->next = d->spares;
    d->spares = s;
}

/* Keeps the port of the endpoint 'e', which is going, as a spare: its
 * flows out, the container end down (Docker has moved it back from the
 * container), external_ids saying it is a spare.  Returns false if it did
 * not (pool full, container end gone, or a step failed): then
 * endpoint_teardown() must remove what is left. */
static bool endpoint_keep(struct driver *d, struct network *n,
                          struct endpoint *e)
{
    _cleanup_free_ char *del = flows_delete(n->tag, e->fe.id);
    _cleanup_free_ char *err = NULL;
    int r;

    if (e->fe.ofport <= 0 || spares_on(d, n->bridge) >= d->pool_max
        || !link_exists(e->peer_if)) {
        return false;
    }
    if (apply_nowait(d, n->bridge, del, &err) < 0
        || (r = link_set_down(e->peer_if)) < 0
        || iface_set_ext(d, e->host_if,
                         json_pack("{s:s,s:s,s:s}", EXT_SPARE, d->name,
                                   EXT_BRIDGE, n->bridge, EXT_PEER,
                                   e->peer_if), &err) < 0) {
        log_warn("endpoint %.12s: cannot keep port %s as a spare (%s): "
                 "deleting it", e->id, e->host_if,
                 err ? err : "cannot take the veth down");
        return false;
    }
    spare_add(d, n->bridge, e->host_if, e->peer_if, e->fe.ofport,
              e->verified);
    return true;
}

/* From the tick: deletes one spare that has been idle too long or is one
 * too many (after a restart with a smaller --pool); one per tick, as each
 * costs a veth deletion and a reconfiguration. */
static void spares_expire(struct driver *d)
{
    long long now = now_ms();

    for (struct spare **p = &d->spares; *p; p = &(*p)->next) {
        struct spare *s = *p;
        bool idle = now - s->since_ms >= d->pool_idle_ms;
        if (idle || spares_on(d, s->bridge) > d->pool_max) {
            _cleanup_free_ char *err = NULL;
            /* Port first: while OVSDB is unreachable the spare stays
             * whole, for the next tick. */
            if (port_del(d, s->bridge, s->host_if, &err) < 0) {
                log_debug("spare port %s: %s; later", s->host_if, err);
                return;
            }
            log_info("spare port %s on %s: %s, deleted", s->host_if,
                     s->bridge, idle ? "idle" : "over the --pool limit");
            *p = s->next;
            spare_destroy(d, s, false);
            return;
        }
    }
}

static unsigned h_delete_network(void *ud, const json_t *req, json_t **ret)
{
    static const char call[] = "DeleteNetwork";
    struct driver *d = ud;
    struct request_ids ids;
    struct network *n;
    unsigned status;
    char *err = NULL;
    int r = 0;

    if ((err = request_parse_ids(req, false, &ids))) {
        return fail(ret, 400, call, NULL, err);
    }
    if ((status = need_state(d, call, ids.network, ret))) {
        return status;
    }
    if (!(n = find_network(d, ids.network))) {
        return fail(ret, 404, call, ids.network,
                    xasprintf("no network %.12s", ids.network));
    }
    /* Half a network must not be left behind. */
    if ((status = need_ovsdb(d, call, n->id, ret))) {
        return status;
    }
    /* Docker removes endpoints first; clean up any it left. */
    while (n->endpoints) {
        struct endpoint *e = n->endpoints;
        _cleanup_free_ char *e2 = NULL;
        if (endpoint_teardown(d, n, e, &e2) < 0) {
            log_warn("%s %.12s: endpoint %.12s: %s", call, n->id, e->id, e2);
        }
        n->endpoints = e->next;
        free(e);
    }
    bool last = !bridge_shared(d, n);
    if (last) {
        spares_drop(d, n->bridge, !n->bridge_owned);
    }
    if (!(last && n->bridge_owned)) {
        /* The bridge stays: take out this network's flows, and the shared
         * table-miss flows if no ovsgw network is left on it. */
        _cleanup_free_ char *del = flows_delete(n->tag, 0);
        _cleanup_free_ char *all = last ? xasprintf(
            "%sdelete cookie=0x%016" PRIx64 "/-1\n", del,
            FLOWS_COOKIE_BRIDGE) : xstrdup(del);
        r = apply(d, n->bridge, all, &err);
    }
    if (r >= 0) {
        r = bridge_detach(d, n, &err);
    }
    if (r < 0) {
        char *msg = xasprintf("bridge %s: %s", n->bridge, err);
        free(err);
        return fail(ret, 500, call, n->id, msg);
    }
    log_info("%s %.12s: bridge %s %s", call, n->id, n->bridge,
             last && n->bridge_owned ? "deleted" : "kept");
    network_unlink(d, n);
    network_free(n);
    *ret = json_object();
    return 200;
}

static unsigned h_create_endpoint(void *ud, const json_t *req, json_t **ret)
{
    static const char call[] = "CreateEndpoint";
    struct driver *d = ud;
    struct request_endpoint re;
    struct network *n;
    struct endpoint *e;
    struct flows_network fn;
    /* Declared before any goto: the labels below must never skip the
     * initialisation of a _cleanup_ variable. */
    _cleanup_free_ char *flows = NULL;
    struct spare *spare;
    bool reused, tso = false, flows_sent = false;
    int flows_r = 0;
    char mac[MAC_STRLEN], ip[IP4_STRLEN];
    unsigned status;
    char *err = NULL;
    int r;

    if ((err = request_parse_endpoint(req, &re))) {
        return fail(ret, 400, call, NULL, err);
    }
    if ((status = need_state(d, call, re.ids.endpoint, ret))) {
        return status;
    }
    if (!(n = find_network(d, re.ids.network))) {
        return fail(ret, 404, call, re.ids.endpoint,
                    xasprintf("no network %.12s", re.ids.network));
    }
    if (find_endpoint(n, re.ids.endpoint)) {
        return fail(ret, 400, call, re.ids.endpoint,
                    xasprintf("endpoint %.12s exists", re.ids.endpoint));
    }
    e = xzalloc(sizeof *e);
    strcpy(e->id, re.ids.endpoint);
    e->fe.ip = re.ip;
    e->plen = re.plen;
    util_ip4_format(re.ip, ip);
    e->subnet = n->n_subnets;
    for (size_t i = 0; i < n->n_subnets; i++) {
        if ((re.ip & util_plen_mask(n->subnets[i].plen))
            == n->subnets[i].net) {
            e->subnet = i;
        }
    }
    if (e->subnet == n->n_subnets) {
        free(e);
        return fail(ret, 400, call, re.ids.endpoint,
                    xasprintf("address %s is in none of the network's "
                              "subnets", ip));
    }
    if (re.ip == n->subnets[e->subnet].gateway) {
        free(e);
        return fail(ret, 400, call, re.ids.endpoint,
                    xasprintf("address %s is the gateway", ip));
    }
    if (re.mac_given) {
        memcpy(e->fe.mac, re.mac, MAC_LEN);
    } else {
        /* From the address, as Docker's bridge driver does: a container
         * that comes back with the same --ip keeps its MAC, so its peers'
         * ARP caches stay right.  Unique: addresses are unique on a
         * bridge (overlapping networks cannot share one). */
        e->fe.mac[0] = 0x02;
        e->fe.mac[1] = 0x42;
        for (int i = 0; i < 4; i++) {
            e->fe.mac[2 + i] = (uint8_t) (re.ip >> (24 - 8 * i));
        }
    }
    e->fe.id = id_prefix32(e->id);
    for (struct endpoint *o = n->endpoints; o; o = o->next) {
        if (o->fe.ip == re.ip || !memcmp(o->fe.mac, e->fe.mac, MAC_LEN)) {
            free(e);
            return fail(ret, 400, call, re.ids.endpoint, xasprintf(
                "address %s or MAC is already used by endpoint %.12s", ip,
                o->id));
        }
    }
    /* The cookie's endpoint half must be unique in the network. */
    for (bool taken = true; taken;) {
        taken = e->fe.id == 0;
        for (struct endpoint *o = n->endpoints; o && !taken; o = o->next) {
            taken = o->fe.id == e->fe.id;
        }
        if (taken) {
            e->fe.id++;
        }
    }
    /* A spare if there is one, else a new veth and port. */
    /* OVSDB first: without ovsdb-server this fails at once and nothing
     * is touched, whereas ovs-vswitchd then serves no OpenFlow (see
     * userspace_tso()). */
    if ((r = userspace_tso(d, &tso, &err)) < 0) {
        goto fail;
    }
    reused = (spare = spare_take(d, n->bridge)) != NULL;
    if (reused) {
        strcpy(e->host_if, spare->host_if);
        strcpy(e->peer_if, spare->peer_if);
        e->fe.ofport = spare->ofport;
        e->verified = spare->verified;
        free(spare);
    } else {
        snprintf(e->host_if, sizeof e->host_if, "og%.12s", e->id);
        snprintf(e->peer_if, sizeof e->peer_if, "oc%.12s", e->id);
        e->fe.ofport = pick_ofport(d, n->bridge);
    }
    /* The flows first, while ovs-vswitchd is idle: any link change on the
     * host (a new veth, a MAC) makes it reconfigure all its bridges, and
     * with hundreds of ports that holds up the next OpenFlow reply for
     * tens of milliseconds.  Nothing matches them before the veth is
     * ready. */
    fn = flows_net(n);
    flows = flows_endpoint(&fn, &e->fe);
    flows_sent = true;
    if ((r = flows_r = apply_quick(d, n->bridge, flows, &err)) < 0) {
        if (reused) {
            goto undo_port;
        }
        goto undo_flows;
    }
    if (reused) {
        if ((r = link_veth_reuse(e->host_if, e->peer_if,
                                 n->opts.mtu)) < 0) {
            err = xasprintf("cannot ready spare veth %s: %s", e->host_if,
                            strerror(-r));
            goto undo_port;
        }
        /* Last: a crash before this leaves a spare (whose flows the
         * restore replaces), not an endpoint Docker does not know. */
        if ((r = iface_set_ext(d, e->host_if, endpoint_ext(n, e),
                               &err)) < 0) {
            goto undo_port;
        }
        goto done;
    }
    r = link_veth_create(e->host_if, e->peer_if, e->fe.mac, n->opts.mtu);
    if (r < 0) {
        err = xasprintf("cannot create veth %s: %s", e->host_if,
                        strerror(-r));
        goto undo_flows;
    }
    /* Without userspace TSO, a netdev bridge passes TCP segments with
     * unfinished checksums: compute them in the container instead. */
    if (n->netdev && !tso
        && (r = link_set_tx_csum(e->peer_if, false)) < 0) {
        err = xasprintf("cannot turn off TX checksum offload on %s: %s",
                        e->peer_if, strerror(-r));
        goto undo_veth;
    }
    if ((r = port_add(d, n, e, &err)) < 0) {
        goto undo_veth;
    }
done:
    e->next = n->endpoints;
    n->endpoints = e;
    log_info("%s %.12s: %s %s port %s ofport %d on %s", call, e->id, ip,
             util_mac_format(e->fe.mac, mac), e->host_if, e->fe.ofport,
             n->bridge);
    *ret = re.mac_given
               ? json_object()
               : json_pack("{s:{s:s}}", "Interface", "MacAddress", mac);
    return 200;

undo_port:
    {
        _cleanup_free_ char *e2 = NULL;
        if (port_del(d, n->bridge, e->host_if, &e2) < 0) {
            log_error("%s %.12s: rollback: %s", call, e->id, e2);
        }
    }
undo_veth:
    link_delete(e->host_if);
undo_flows:
    if (flows_sent) {
        /* Unless OVS cleanly refused a line, some of the flows may still
         * come (sent on a connection that broke): the tick re-applies
         * every flow, by network cookie, once OVS answers.  After a
         * timeout, no second wait here. */
        if (flows_r < 0 && flows_r != -EINVAL) {
            d->resync = true;
        }
        if (flows_r != -ETIMEDOUT) {
            _cleanup_free_ char *del = flows_delete(n->tag, e->fe.id);
            if (apply_quick(d, n->bridge, del, NULL) < 0) {
                d->resync = true;
            }
        }
    }
fail:
    {
        char *msg = xasprintf("endpoint %s: %s", ip, err ? err : "failed");
        free(err);
        free(e);
        return fail(ret, 500, call, re.ids.endpoint, msg);
    }
}

/* Finds the network and endpoint a request names, or sets the Err
 * reply and returns its status. */
static unsigned lookup(struct driver *d, const json_t *req, const char *call,
                       struct network **ret_n, struct endpoint **ret_e,
                       json_t **ret)
{
    struct request_ids ids;
    unsigned status;
    char *err;

    if ((err = request_parse_ids(req, true, &ids))) {
        return fail(ret, 400, call, NULL, err);
    }
    if ((status = need_state(d, call, ids.endpoint, ret))) {
        return status;
    }
    if (!(*ret_n = find_network(d, ids.network))) {
        return fail(ret, 404, call, ids.endpoint,
                    xasprintf("no network %.12s", ids.network));
    }
    if (!(*ret_e = find_endpoint(*ret_n, ids.endpoint))) {
        return fail(ret, 404, call, ids.endpoint,
                    xasprintf("no endpoint %.12s in network %.12s",
                              ids.endpoint, ids.network));
    }
    return 0;
}

static unsigned h_delete_endpoint(void *ud, const json_t *req, json_t **ret)
{
    static const char call[] = "DeleteEndpoint";
    struct driver *d = ud;
    struct network *n;
    struct endpoint *e;
    unsigned status;
    char *err = NULL;

    if ((status = lookup(d, req, call, &n, &e, ret))) {
        return status;
    }
    if ((status = need_ovsdb(d, call, e->id, ret))) {
        return status;
    }
    if (endpoint_keep(d, n, e)) {
        log_info("%s %.12s: port %s kept as a spare on %s", call, e->id,
                 e->host_if, n->bridge);
    } else if (endpoint_teardown(d, n, e, &err) < 0) {
        return fail(ret, 500, call, e->id, err);
    } else {
        log_info("%s %.12s: port %s removed from %s", call, e->id,
                 e->host_if, n->bridge);
    }
    endpoint_unlink(n, e);
    free(e);
    *ret = json_object();
    return 200;
}

static unsigned h_join(void *ud, const json_t *req, json_t **ret)
{
    struct driver *d = ud;
    struct network *n;
    struct endpoint *e;
    unsigned status;
    char gw[IP4_STRLEN];

    if ((status = lookup(d, req, "Join", &n, &e, ret))) {
        return status;
    }
    util_ip4_format(n->subnets[e->subnet].gateway, gw);
    log_info("Join %.12s: %s as eth*, gateway %s", e->id, e->peer_if, gw);
    *ret = json_pack("{s:{s:s,s:s},s:s}", "InterfaceName", "SrcName",
                     e->peer_if, "DstPrefix", "eth", "Gateway", gw);
    return 200;
}

static unsigned h_leave(void *ud, const json_t *req, json_t **ret)
{
    struct driver *d = ud;
    struct network *n;
    struct endpoint *e;
    unsigned status;

    if ((status = lookup(d, req, "Leave", &n, &e, ret))) {
        return status;
    }
    log_info("Leave %.12s", e->id);
    *ret = json_object();
    return 200;
}

static unsigned h_oper_info(void *ud, const json_t *req, json_t **ret)
{
    struct driver *d = ud;
    struct network *n;
    struct endpoint *e;
    unsigned status;
    char mac[MAC_STRLEN], ip[IP4_STRLEN], gw[IP4_STRLEN];

    if ((status = lookup(d, req, "EndpointOperInfo", &n, &e, ret))) {
        return status;
    }
    _cleanup_free_ char *addr = xasprintf(
        "%s/%d", util_ip4_format(e->fe.ip, ip), e->plen);
    _cleanup_free_ char *policy = policy_format(&n->opts.policy);
    *ret = json_pack("{s:{s:s,s:s,s:i,s:s,s:s,s:s,s:s}}", "Value", "bridge",
                     n->bridge, "port", e->host_if, "ofport", e->fe.ofport,
                     "address", addr, "mac", util_mac_format(e->fe.mac, mac),
                     "gateway",
                     util_ip4_format(n->subnets[e->subnet].gateway, gw),
                     "tcp_policy", policy);
    return 200;
}


/* ---- rebuilding from OVSDB ---------------------------------------------- */

/* Rebuilds one network from the JSON state stored on its bridge.  Returns
 * NULL, or a malloc'd reason why the state is unusable. */
static char *network_from_state(const struct driver *d, const char *id,
                                const char *bridge, const json_t *ext,
                                const char *dp, const char *text,
                                struct network **ret)
{
    json_t *j = json_loads(text, 0, NULL);
    const json_t *subnets = json_object_get(j, "subnets"), *sn;
    struct network *n;
    char *err;
    size_t i;

    if (!j || !json_is_integer(json_object_get(j, "tag"))
        || !json_is_array(subnets) || json_array_size(subnets) == 0
        || json_array_size(subnets) > REQUEST_MAX_SUBNETS) {
        json_decref(j);
        return xstrdup("malformed state");
    }
    /* Another instance's network (other driver name) is not ours. */
    const char *owner = json_string_value(json_object_get(j, "driver"));
    if (strcmp(owner ? owner : "ovsgw", d->name)) {
        json_decref(j);
        *ret = NULL;
        return NULL;
    }
    n = xzalloc(sizeof *n);
    n->driver = d->name;
    strcpy(n->id, id);
    strcpy(n->bridge, bridge);
    n->bridge_owned = json_object_get(ext, EXT_OWNED) != NULL;
    n->netdev = dp && !strcmp(dp, "netdev");
    n->tag = (uint32_t) json_integer_value(json_object_get(j, "tag"));
    const json_t *opts = json_object_get(j, "options");
    if ((err = options_parse(opts, &n->opts))) {
        goto bad;
    }
    n->generic = json_is_object(opts) ? json_deep_copy(opts) : NULL;
    if (!util_mac_parse(json_string_value(json_object_get(j, "gateway_mac"))
                            ?: "", n->gateway_mac)) {
        err = xstrdup("bad gateway_mac");
        goto bad;
    }
    json_array_foreach(subnets, i, sn) {
        struct flows_subnet *s = &n->subnets[i];
        const char *pool = json_string_value(json_object_get(sn, "pool"));
        const char *gw = json_string_value(json_object_get(sn, "gateway"));
        if (!pool || !gw || !util_cidr4_parse(pool, true, &s->net, &s->plen)
            || !util_ip4_parse(gw, &s->gateway)) {
            err = xstrdup("bad subnet");
            goto bad;
        }
    }
    n->n_subnets = json_array_size(subnets);
    json_decref(j);
    *ret = n;
    return NULL;

bad:
    json_decref(j);
    network_free(n);
    return err;
}

/* Rebuilds one endpoint from its Interface row, into its network. */
static void endpoint_from_row(struct driver *d, const char *name,
                              const json_t *ext, long long ofport,
                              long long request)
{
    const char *ep = json_string_value(json_object_get(ext, EXT_ENDPOINT));
    const char *nid = json_string_value(json_object_get(ext, EXT_NETWORK));
    const char *addr = json_string_value(json_object_get(ext, EXT_IPV4));
    const char *mac = json_string_value(json_object_get(ext, EXT_MAC));
    const char *cookie = json_string_value(json_object_get(ext, EXT_COOKIE));
    const char *peer = json_string_value(json_object_get(ext, EXT_PEER));
    struct network *n = nid ? find_network(d, nid) : NULL;
    struct endpoint *e;

    if (!n) {
        return; /* not a network of this driver */
    }
    if (!ep || strlen(ep) > REQUEST_ID_MAX || !addr || !mac || !cookie
        || !peer || strlen(name) >= IFNAMSIZ || strlen(peer) >= IFNAMSIZ) {
        log_warn("restore: interface %s: incomplete ovsgw state, ignored",
                 name);
        return;
    }
    e = xzalloc(sizeof *e);
    strcpy(e->id, ep);
    strcpy(e->host_if, name);
    strcpy(e->peer_if, peer);
    e->fe.id = (uint32_t) strtoul(cookie, NULL, 16);
    /* Until ovs-vswitchd numbers the port, the number asked for. */
    e->fe.ofport = (int) (ofport > 0 ? ofport : request);
    e->verified = ofport > 0;
    if (!util_cidr4_parse(addr, false, &e->fe.ip, &e->plen)
        || !util_mac_parse(mac, e->fe.mac) || e->fe.id == 0) {
        log_warn("restore: interface %s: bad ovsgw state, ignored", name);
        free(e);
        return;
    }
    e->subnet = 0;
    for (size_t i = 0; i < n->n_subnets; i++) {
        if ((e->fe.ip & util_plen_mask(n->subnets[i].plen))
            == n->subnets[i].net) {
            e->subnet = i;
        }
    }
    e->next = n->endpoints;
    n->endpoints = e;
}

/* A spare port found in OVSDB: kept if its bridge still carries one of
 * this driver's networks and both veth ends are there, else deleted. */
static void spare_from_row(struct driver *d, const char *name,
                           const json_t *ext, long long ofport,
                           bool read_only)
{
    const char *br = json_string_value(json_object_get(ext, EXT_BRIDGE));
    const char *peer = json_string_value(json_object_get(ext, EXT_PEER));
    bool valid = br && peer && strlen(br) <= OPTIONS_BRIDGE_MAX
                 && strlen(name) < IFNAMSIZ && strlen(peer) < IFNAMSIZ;
    bool used = false;

    if (read_only) { /* 'ovsgw status' changes nothing */
        if (valid) {
            spare_add(d, br, name, peer, (int) ofport, true);
        }
        return;
    }
    for (struct network *n = d->networks; n && valid; n = n->next) {
        used |= !strcmp(n->bridge, br);
    }
    if (used && ofport > 0 && link_exists(name) && link_exists(peer)) {
        spare_add(d, br, name, peer, (int) ofport, true);
        return;
    }
    log_info("restore: spare port %s is no longer usable, deleted", name);
    if (br && strlen(br) <= OPTIONS_BRIDGE_MAX) {
        _cleanup_free_ char *err = NULL;
        if (port_del(d, br, name, &err) < 0) {
            log_warn("restore: spare port %s: %s", name, err);
        }
    }
    link_delete(name);
}

/* Reads every ovsgw network and endpoint from OVSDB into the model, drops
 * endpoints whose veth vanished while the daemon was down, and re-applies
 * all flows. */
static int restore(struct driver *d, bool read_only, char **ret_err)
{
    json_t *res = NULL, *row;
    size_t i;
    int r, n_nets = 0, n_eps = 0, n_gone = 0, n_spares = 0;

    r = ovsdb_transact(
        d->db,
        json_pack("[{s:s,s:s,s:[],s:[s,s,s]},{s:s,s:s,s:[],s:[s,s,s,s]}]",
                  "op", "select", "table", "Bridge", "where", "columns",
                  "name", "external_ids", "datapath_type", "op", "select",
                  "table", "Interface", "where", "columns", "name",
                  "external_ids", "ofport", "ofport_request"),
        &res, ret_err);
    if (r < 0) {
        return r;
    }
    json_array_foreach(json_object_get(json_array_get(res, 0), "rows"), i,
                       row) {
        const char *br = json_string_value(json_object_get(row, "name"));
        const char *dp = json_string_value(json_object_get(row,
                                                           "datapath_type"));
        json_t *ext = ovsdb_map_to_object(json_object_get(row,
                                                          "external_ids"));
        const char *key;
        json_t *val;
        json_object_foreach(ext, key, val) {
            const char *id = key + strlen(EXT_NET_PREFIX);
            struct network *n = NULL;
            if (strncmp(key, EXT_NET_PREFIX, strlen(EXT_NET_PREFIX))
                || strlen(id) > REQUEST_ID_MAX || !util_is_hex_id(id, 12)
                || !br || strlen(br) > OPTIONS_BRIDGE_MAX
                || find_network(d, id)) {
                continue;
            }
            _cleanup_free_ char *why = network_from_state(
                d, id, br, ext, dp, json_string_value(val), &n);
            if (why) {
                log_warn("restore: bridge %s: network %.12s: %s", br, id,
                         why);
                continue;
            }
            if (!n) {
                continue; /* another driver's */
            }
            n->next = d->networks;
            d->networks = n;
            n_nets++;
        }
        json_decref(ext);
    }
    json_array_foreach(json_object_get(json_array_get(res, 1), "rows"), i,
                       row) {
        json_t *ext = ovsdb_map_to_object(json_object_get(row,
                                                          "external_ids"));
        const char *name = json_string_value(json_object_get(row, "name"));
        const char *spare = json_string_value(json_object_get(ext,
                                                              EXT_SPARE));
        if (name && json_object_get(ext, EXT_ENDPOINT)) {
            endpoint_from_row(
                d, name, ext,
                ovsdb_int_value(json_object_get(row, "ofport"), -1),
                ovsdb_int_value(json_object_get(row, "ofport_request"), -1));
        } else if (name && spare && !strcmp(spare, d->name)) {
            spare_from_row(d, name, ext,
                           ovsdb_int_value(json_object_get(row, "ofport"),
                                           -1), read_only);
            n_spares++;
        }
        json_decref(ext);
    }
    json_decref(res);
    if (read_only) {
        return 0;
    }

    for (struct network *n = d->networks; n; n = n->next) {
        for (struct endpoint **p = &n->endpoints; *p;) {
            struct endpoint *e = *p;
            if (link_exists(e->host_if) && e->fe.ofport > 0) {
                /* A port ovs-vswitchd has not numbered yet is alive. */
                n_eps++;
                p = &e->next;
                continue;
            }
            /* The container went away while nobody was listening. */
            _cleanup_free_ char *why = NULL;
            if (endpoint_teardown(d, n, e, &why) < 0) {
                log_warn("restore: endpoint %.12s: %s", e->id, why);
            }
            log_info("restore: endpoint %.12s: veth %s is gone, removed",
                     e->id, e->host_if);
            n_gone++;
            *p = e->next;
            free(e);
        }
        _cleanup_free_ char *why = NULL;
        if (apply_all(d, n, &why) < 0) {
            log_warn("restore: network %.12s: flows on %s: %s", n->id,
                     n->bridge, why);
        }
    }
    /* Reading OVSDB and re-applying every flow took memory in proportion
     * to the whole state, once: give it back. */
    malloc_trim(0);
    log_info("restored %d network(s), %d endpoint(s), %d spare port(s); "
             "removed %d stale endpoint(s)", n_nets, n_eps, n_spares,
             n_gone);
    return 0;
}

/* The pid in ovs-vswitchd's pid file, or 0. */
static long vswitchd_pid(const struct driver *d)
{
    _cleanup_free_ char *path = xasprintf("%s/ovs-vswitchd.pid", d->rundir);
    FILE *f = fopen(path, "r");
    long pid = 0;

    if (f) {
        if (fscanf(f, "%ld", &pid) != 1) {
            pid = 0;
        }
        fclose(f);
    }
    return pid;
}

/* Re-reads every endpoint's OpenFlow port: ovs-vswitchd may hand out new
 * numbers when it comes back. */
static int refresh_ofports(struct driver *d, char **ret_err)
{
    json_t *rows = NULL, *row;
    size_t i;
    int r = ovsdb_select(d->db, "Interface", NULL, "name,ofport", &rows,
                         ret_err);
    if (r < 0) {
        return r;
    }
    json_array_foreach(rows, i, row) {
        const char *name = json_string_value(json_object_get(row, "name"));
        int ofport = (int) ovsdb_int_value(json_object_get(row, "ofport"),
                                           -1);
        for (struct network *n = d->networks; n && name; n = n->next) {
            for (struct endpoint *e = n->endpoints; e; e = e->next) {
                if (!strcmp(e->host_if, name)) {
                    if (ofport <= 0) {
                        r = -EAGAIN; /* not back yet */
                    } else if (ofport != e->fe.ofport) {
                        log_info("endpoint %.12s: OpenFlow port %d -> %d",
                                 e->id, e->fe.ofport, ofport);
                        e->fe.ofport = ofport;
                    }
                }
            }
        }
    }
    json_decref(rows);
    if (r < 0 && !*ret_err) {
        *ret_err = xstrdup("ovs-vswitchd has not numbered every port yet");
    }
    return r;
}

/* Re-applies every network's flows; stays pending until all succeed. */
static void resync(struct driver *d)
{
    _cleanup_free_ char *err = NULL;
    int n_nets = 0;

    if (refresh_ofports(d, &err) < 0) {
        log_debug("resync: %s", err);
        return;
    }
    /* ovs-vswitchd may have numbered the spares anew: the tick reads
     * their numbers again (verify_spares()). */
    for (struct spare *sp = d->spares; sp; sp = sp->next) {
        sp->verified = false;
    }
    for (struct network *n = d->networks; n; n = n->next) {
        free(err);
        err = NULL;
        if (apply_all(d, n, &err) < 0) {
            log_debug("resync: network %.12s on %s: %s", n->id, n->bridge,
                      err);
            return;
        }
        n_nets++;
    }
    d->resync = false;
    log_info("re-applied the flows of %d network(s)", n_nets);
}

/* True if some bridge has lost ovsgw's table-miss flows: someone wiped
 * its flow table, or ovs-vswitchd restarted unseen. */
static bool flows_missing(struct driver *d)
{
    bool tso;

    /* Without ovsdb-server, ovs-vswitchd answers no OpenFlow: asking
     * would block the daemon until ovs-ofctl's timeout. */
    if (userspace_tso(d, &tso, NULL) < 0) {
        return false;
    }
    for (struct network *n = d->networks; n; n = n->next) {
        bool seen = false;
        for (struct network *o = d->networks; o != n && !seen; o = o->next) {
            seen = !strcmp(o->bridge, n->bridge);
        }
        if (!seen
            && ofctl_count(d->rundir, n->bridge, FLOWS_COOKIE_BRIDGE,
                           UINT64_MAX) == 0) {
            log_info("bridge %s has lost its flows", n->bridge);
            return true;
        }
    }
    return false;
}

/* Checks the OpenFlow port ovs-vswitchd gave each new endpoint; if it is
 * not the one asked for (someone else held it), moves the endpoint's
 * flows to the real one. */
static void verify_ports(struct driver *d)
{
    for (struct network *n = d->networks; n; n = n->next) {
        for (struct endpoint *e = n->endpoints; e; e = e->next) {
            json_t *rows = NULL;
            if (e->verified
                || ovsdb_select(d->db, "Interface", e->host_if,
                                "ofport,error", &rows, NULL) < 0) {
                continue;
            }
            json_t *row = json_array_get(rows, 0);
            int ofport = (int) ovsdb_int_value(json_object_get(row,
                                                               "ofport"), 0);
            if (ofport < 0) {
                const json_t *why = json_array_get(
                    json_array_get(json_object_get(row, "error"), 1), 0);
                log_error("endpoint %.12s: ovs-vswitchd could not add port "
                          "%s: %s", e->id, e->host_if,
                          json_is_string(why) ? json_string_value(why)
                                              : "no OpenFlow port");
                e->verified = true;
            } else if (ofport > 0 && ofport != e->fe.ofport) {
                struct flows_network fn = flows_net(n);
                _cleanup_free_ char *del = flows_delete(n->tag, e->fe.id);
                log_info("endpoint %.12s: port %s got OpenFlow port %d, not "
                         "%d: moving its flows", e->id, e->host_if, ofport,
                         e->fe.ofport);
                e->fe.ofport = ofport;
                _cleanup_free_ char *add = flows_endpoint(&fn, &e->fe);
                _cleanup_free_ char *both = xasprintf("%s%s", del, add);
                e->verified = apply(d, n->bridge, both, NULL) == 0;
            } else if (ofport > 0) {
                e->verified = true;
            }
            json_decref(rows);
        }
    }
}

/* The OpenFlow port ovs-vswitchd gave a spare that was kept before the
 * tick checked it: the number asked for, another one (the next endpoint
 * will use that), or none (the spare is deleted). */
static void verify_spares(struct driver *d)
{
    for (struct spare **p = &d->spares; *p;) {
        struct spare *s = *p;
        json_t *rows = NULL;
        if (s->verified || ovsdb_select(d->db, "Interface", s->host_if,
                                        "ofport", &rows, NULL) < 0) {
            p = &s->next;
            continue;
        }
        int ofport = (int) ovsdb_int_value(
            json_object_get(json_array_get(rows, 0), "ofport"), 0);
        json_decref(rows);
        if (ofport < 0) {
            log_warn("spare port %s: ovs-vswitchd could not add it, "
                     "deleted", s->host_if);
            *p = s->next;
            spare_destroy(d, s, true);
            continue;
        }
        if (ofport > 0) {
            s->ofport = ofport;
            s->verified = true;
        }
        p = &s->next;
    }
}

void driver_tick(void *driver)
{
    struct driver *d = driver;
    _cleanup_free_ char *err = NULL;

    if (!d->restored && ensure_restored(d, &err) < 0) {
        return;
    }
    long pid = vswitchd_pid(d);
    if (pid && d->vswitchd_pid && pid != d->vswitchd_pid) {
        log_info("ovs-vswitchd restarted (pid %ld, was %ld): re-applying "
                 "flows", pid, d->vswitchd_pid);
        d->resync = true;
    }
    if (pid) {
        d->vswitchd_pid = pid;
    }
    /* Every 5 s, look for the flows themselves. */
    if (!d->resync && ++d->ticks % (5000 / DRIVER_TICK_MS) == 0) {
        d->resync = flows_missing(d);
    }
    if (d->resync) {
        resync(d);
    }
    for (size_t i = 0; i < d->n_conns; i++) {
        _cleanup_free_ char *e2 = NULL;
        if (ofconn_poll(d->conns[i], &e2) == -EINVAL) {
            log_error("%s: re-applying every flow", e2);
            d->resync = true;
        }
    }
    verify_ports(d);
    verify_spares(d);
    spares_expire(d);
}

/* Makes sure the model was read from OVSDB before a call uses it. */
static int ensure_restored(struct driver *d, char **ret_err)
{
    int r;

    if (d->restored) {
        return 0;
    }
    d->vswitchd_pid = vswitchd_pid(d);
    if ((r = restore(d, false, ret_err)) == 0) {
        d->restored = true;
    }
    return r;
}

/* ---- status ------------------------------------------------------------ */

/* Packet counters of every interface, by name: {"og...": [rx, tx]}. */
static json_t *interface_stats(struct driver *d)
{
    json_t *rows = NULL, *row, *out = json_object();
    size_t i;

    if (ovsdb_select(d->db, "Interface", NULL, "name,statistics", &rows,
                     NULL) < 0) {
        return out;
    }
    json_array_foreach(rows, i, row) {
        const char *name = json_string_value(json_object_get(row, "name"));
        const json_t *pairs = json_array_get(json_object_get(row,
                                                             "statistics"),
                                             1);
        json_int_t rx = 0, tx = 0;
        size_t k;
        json_t *pair;
        json_array_foreach(pairs, k, pair) {
            const char *key = json_string_value(json_array_get(pair, 0));
            json_int_t v = json_integer_value(json_array_get(pair, 1));
            if (key && !strcmp(key, "rx_packets")) {
                rx = v;
            } else if (key && !strcmp(key, "tx_packets")) {
                tx = v;
            }
        }
        if (name) {
            json_object_set_new(out, name, json_pack("[I,I]", rx, tx));
        }
    }
    json_decref(rows);
    return out;
}

static json_t *status_json(struct driver *d)
{
    json_t *nets = json_array(), *stats = interface_stats(d);
    char ip[IP4_STRLEN], mac[MAC_STRLEN];

    for (struct network *n = d->networks; n; n = n->next) {
        json_t *subnets = subnets_json(n, "subnet"), *eps = json_array();
        _cleanup_free_ char *policy = policy_format(&n->opts.policy);
        char cookie[24];

        for (struct endpoint *e = n->endpoints; e; e = e->next) {
            const json_t *st = json_object_get(stats, e->host_if);
            _cleanup_free_ char *addr = xasprintf(
                "%s/%d", util_ip4_format(e->fe.ip, ip), e->plen);
            snprintf(cookie, sizeof cookie, "0x%016" PRIx64,
                     flows_cookie(n->tag, e->fe.id));
            json_array_append_new(eps, json_pack(
                "{s:s,s:s,s:s,s:s,s:s,s:i,s:s,s:I,s:I}", "endpoint", e->id,
                "container_side", e->peer_if, "address", addr, "mac",
                util_mac_format(e->fe.mac, mac), "port", e->host_if,
                "ofport", e->fe.ofport, "cookie", cookie, "rx_packets",
                json_integer_value(json_array_get(st, 0)), "tx_packets",
                json_integer_value(json_array_get(st, 1))));
        }
        json_t *spares = json_array();
        for (const struct spare *sp = d->spares; sp; sp = sp->next) {
            if (!strcmp(sp->bridge, n->bridge)) {
                json_array_append_new(spares, json_string(sp->host_if));
            }
        }
        snprintf(cookie, sizeof cookie, "0x%016" PRIx64,
                 flows_cookie(n->tag, 0));
        json_array_append_new(nets, json_pack(
            "{s:s,s:o,s:s,s:s,s:b,s:s,s:o,s:s,s:i,s:s,s:o}", "network", n->id,
            "spare_ports", spares,
            "bridge", n->bridge, "datapath", n->netdev ? "netdev" : "system",
            "bridge_owned", n->bridge_owned, "gateway_mac",
            util_mac_format(n->gateway_mac, mac), "subnets", subnets,
            "tcp_policy", policy, "mtu", n->opts.mtu, "cookie", cookie,
            "endpoints", eps));
    }
    json_decref(stats);
    return json_pack("{s:o}", "networks", nets);
}

static unsigned h_status(void *ud, const json_t *req, json_t **ret)
{
    struct driver *d = ud;
    unsigned status;

    (void) req;
    if ((status = need_state(d, "Status", NULL, ret))) {
        return status;
    }
    *ret = status_json(d);
    json_object_set_new(*ret, "source", json_string("daemon"));
    return 200;
}

int driver_status_offline(struct driver *d, json_t **ret, char **ret_err)
{
    int r = restore(d, true, ret_err);

    if (r < 0) {
        return r;
    }
    *ret = status_json(d);
    json_object_set_new(*ret, "source", json_string("ovsdb"));
    return 0;
}

static const struct http_route routes[] = {
    { "/ovsgw.Status", h_status },
    { "/Plugin.Activate", h_activate },
    { "/NetworkDriver.GetCapabilities", h_capabilities },
    { "/NetworkDriver.CreateNetwork", h_create_network },
    { "/NetworkDriver.DeleteNetwork", h_delete_network },
    { "/NetworkDriver.CreateEndpoint", h_create_endpoint },
    { "/NetworkDriver.EndpointOperInfo", h_oper_info },
    { "/NetworkDriver.DeleteEndpoint", h_delete_endpoint },
    { "/NetworkDriver.Join", h_join },
    { "/NetworkDriver.Leave", h_leave },
    { "/NetworkDriver.ProgramExternalConnectivity", h_empty },
    { "/NetworkDriver.RevokeExternalConnectivity", h_empty },
    { "/NetworkDriver.DiscoverNew", h_empty },
    { "/NetworkDriver.DiscoverDelete", h_empty },
    { "/NetworkDriver.AllocateNetwork", h_empty },
    { "/NetworkDriver.FreeNetwork", h_empty },
};

const struct http_route *driver_routes(size_t *ret_n)
{
    *ret_n = ARRAY_SIZE(routes);
    return routes;
}

char *driver_name_from_socket(const char *socket_path)
{
    const char *base = strrchr(socket_path, '/');
    char *name = xstrdup(base ? base + 1 : socket_path);
    char *dot = strrchr(name, '.');

    if (dot && !strcmp(dot, ".sock")) {
        *dot = '\0';
    }
    return name;
}

int driver_new(const struct driver_config *cfg, struct driver **ret)
{
    struct driver *d = xzalloc(sizeof *d);
    int r;

    if ((r = ovsdb_new(cfg->ovsdb_remote, &d->db)) < 0) {
        free(d);
        return r;
    }
    d->rundir = xstrdup(cfg->ovs_rundir);
    d->name = xstrdup(cfg->name ? cfg->name : "ovsgw");
    d->pool_max = cfg->pool_max;
    d->pool_idle_ms = (long long) cfg->pool_idle_s * 1000;
    *ret = d;
    return 0;
}

int driver_restore(struct driver *d)
{
    _cleanup_free_ char *err = NULL;
    int r = ensure_restored(d, &err);

    if (r < 0) {
        log_warn("cannot read ovsgw state from OVSDB yet (%s); will retry "
                 "on the next call", err ? err : strerror(-r));
    }
    return r;
}

void driver_free(struct driver *d)
{
    if (!d) {
        return;
    }
    while (d->networks) {
        struct network *n = d->networks;
        d->networks = n->next;
        network_free(n);
    }
    while (d->spares) { /* they stay, in OVSDB, for the next start */
        struct spare *sp = d->spares;
        d->spares = sp->next;
        free(sp);
    }
    for (size_t i = 0; i < d->n_conns; i++) {
        ofconn_free(d->conns[i]);
    }
    free(d->conns);
    ovsdb_free(d->db);
    free(d->rundir);
    free(d->name);
    free(d);
}
