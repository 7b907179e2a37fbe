#include "vswitch.h"

#include <errno.h>
#include <string.h>

#include "util.h"

/* How often a transaction guarded by a "wait" is tried when the rows
 * keep changing under it. */
#define VSWITCH_TRIES 5

static json_t *where_name(const char *name)
{
    return json_pack("[[s,s,s]]", "name", "==", name);
}

/* Runs 'ops' (taken) and returns the "count" of operation 'i' (rows an
 * update or mutate touched), or -errno. */
static long long transact_count(struct ovsdb *db, json_t *ops, size_t i,
                                char **ret_err)
{
    json_t *res = NULL;
    int r;

    if ((r = ovsdb_transact(db, ops, &res, ret_err)) < 0) {
        return r;
    }
    long long count = json_integer_value(
        json_object_get(json_array_get(res, i), "count"));
    json_decref(res);
    return count;
}

/* Runs 'ops' (taken), whose operation 'i' must touch one row of the
 * 'kind' called 'name': -ENOENT with a message if it touched none (the
 * row is gone), else 0 or -errno. */
static int transact_one(struct ovsdb *db, json_t *ops, size_t i,
                        const char *kind, const char *name, char **ret_err)
{
    long long count = transact_count(db, ops, i, ret_err);

    if (count < 0) {
        return (int) count;
    }
    if (count != 1) {
        if (ret_err) {
            *ret_err = xasprintf("%s %s is gone from OVSDB", kind, name);
        }
        return -ENOENT;
    }
    return 0;
}

/* Replaces the external_ids column of 'row' by an object of strings. */
static void row_ext_to_object(json_t *row)
{
    json_object_set_new(row, "external_ids",
                        ovsdb_map_to_object(json_object_get(
                            row, "external_ids")));
}

int vswitch_bridge_get(struct ovsdb *db, const char *name, json_t **ret_row,
                       char **ret_err)
{
    json_t *rows = NULL;
    int r = ovsdb_select(db, "Bridge", name,
                         "_uuid,external_ids,datapath_type,fail_mode", &rows,
                         ret_err);

    if (r < 0) {
        return r;
    }
    if (json_array_size(rows) == 0) {
        json_decref(rows);
        return 0;
    }
    *ret_row = json_incref(json_array_get(rows, 0));
    json_decref(rows);
    row_ext_to_object(*ret_row);
    return 1;
}

int vswitch_bridge_create(struct ovsdb *db, const char *name,
                          const char *datapath, json_t *ext, char **ret_err)
{
    return vswitch_bridge_create_as(db, name, datapath, "secure", NULL, ext,
                                    NULL, ret_err);
}

int vswitch_bridge_create_as(struct ovsdb *db, const char *name,
                             const char *datapath, const char *fail_mode,
                             const char *hwaddr, json_t *ext,
                             json_t *iface_ext, char **ret_err)
{
    json_t *ops = json_pack(
        "[{s:s,s:s,s:{s:s,s:s,s:o},s:s},"
        " {s:s,s:s,s:{s:s,s:o},s:s},"
        " {s:s,s:s,s:{s:s,s:o,s:s,s:s,s:[s,[s,s,s]],s:o,s:o},s:s},"
        " {s:s,s:s,s:[],s:[[s,s,o]]}]",
        "op", "insert", "table", "Interface", "row", "name", name, "type",
        "internal", "external_ids",
        iface_ext ? ovsdb_map(iface_ext) : ovsdb_map_take(json_object()),
        "uuid-name",
        "iface",
        "op", "insert", "table", "Port", "row", "name", name, "interfaces",
        ovsdb_named("iface"), "uuid-name", "port",
        "op", "insert", "table", "Bridge", "row", "name", name, "ports",
        ovsdb_named("port"), "fail_mode", fail_mode, "datapath_type",
        datapath, "protocols", "set", "OpenFlow10", "OpenFlow13",
        "OpenFlow14", "external_ids", ovsdb_map(ext), "other_config",
        ovsdb_map_take(hwaddr ? json_pack("{s:s}", "hwaddr", hwaddr)
                              : json_object()),
        "uuid-name", "br",
        "op", "mutate", "table", "Open_vSwitch", "where", "mutations",
        "bridges", "insert", ovsdb_named("br"));

    json_decref(ext);
    json_decref(iface_ext);
    return ovsdb_transact(db, ops, NULL, ret_err);
}

/* 'list' (comma-separated "name:value" items) with the item of 'name'
 * replaced by 'item', or dropped if 'item' is NULL.  Malloc'd. */
static char *list_edit(const char *list, const char *name, const char *item)
{
    _cleanup_free_ char *copy = xstrdup(list ? list : "");
    struct strbuf out = { 0 };
    size_t n = strlen(name);
    char *save = NULL;

    strbuf_add(&out, "");
    for (char *t = strtok_r(copy, ",", &save); t;
         t = strtok_r(NULL, ",", &save)) {
        if (!strncmp(t, name, n) && t[n] == ':') {
            continue;
        }
        strbuf_addf(&out, "%s%s", out.len ? "," : "", t);
    }
    if (item) {
        strbuf_addf(&out, "%s%s", out.len ? "," : "", item);
    }
    return strbuf_take(&out);
}

int vswitch_system_list_set(struct ovsdb *db, const char *key,
                            const char *name, const char *item,
                            char **ret_err)
{
    char *err = NULL;
    int r = -EAGAIN;

    for (int tries = 0; tries < VSWITCH_TRIES && r == -EAGAIN; tries++) {
        json_t *rows = NULL;
        free(err);
        err = NULL;
        if ((r = ovsdb_select(db, "Open_vSwitch", NULL, "external_ids",
                              &rows, &err)) < 0) {
            break;
        }
        const json_t *seen = json_object_get(json_array_get(rows, 0),
                                             "external_ids");
        json_t *ext = ovsdb_map_to_object(seen);
        _cleanup_free_ char *value = list_edit(
            json_string_value(json_object_get(ext, key)), name, item);
        /* Only if no key changed meanwhile (ovn-controller writes some). */
        json_t *ops = json_pack(
            "[{s:s,s:s,s:[],s:[s],s:s,s:[{s:O}],s:i},"
            " {s:s,s:s,s:[],s:[[s,s,[s,[s]]]]}]",
            "op", "wait", "table", "Open_vSwitch", "where", "columns",
            "external_ids", "until", "==", "rows", "external_ids",
            seen ? seen : json_null(), "timeout", 0,
            "op", "mutate", "table", "Open_vSwitch", "where", "mutations",
            "external_ids", "delete", "set", key);
        if (*value) {
            json_array_append_new(ops, json_pack(
                "{s:s,s:s,s:[],s:[[s,s,o]]}", "op", "mutate", "table",
                "Open_vSwitch", "where", "mutations", "external_ids",
                "insert", ovsdb_map_take(json_pack("{s:s}", key, value))));
        }
        json_decref(ext);
        r = ovsdb_transact(db, ops, NULL, &err);
        json_decref(rows);
    }
    if (r < 0 && ret_err) {
        *ret_err = TAKE_PTR(err);
    }
    free(err);
    return r;
}

int vswitch_bridge_wait(struct ovsdb *db, const char *name, char **ret_err)
{
    _cleanup_free_ char *err = NULL;
    json_t *row = NULL;
    int r;

    r = ovsdb_transact(
        db,
        json_pack("[{s:s,s:s,s:o,s:[s],s:s,s:[{s:[s,[]]}],s:i}]", "op",
                  "wait", "table", "Bridge", "where", where_name(name),
                  "columns", "datapath_id", "until", "!=", "rows",
                  "datapath_id", "set", "timeout", VSWITCH_BRIDGE_WAIT_MS),
        NULL, &err);
    if (r >= 0) {
        return 0;
    }
    if (!ret_err) {
        return r;
    }
    /* The wait ran out (-EAGAIN): ovs-vswitchd may say why in the error
     * column of the bridge's own interface. */
    bool ran_out = r == -EAGAIN;
    const json_t *why = NULL;
    if (ran_out && vswitch_iface_get(db, name, "error", &row, NULL) > 0) {
        why = json_object_get(row, "error");
        if (json_is_array(why)) { /* an empty optional is ["set",[]] */
            why = json_array_get(json_array_get(why, 1), 0);
        }
    }
    if (json_is_string(why)) {
        *ret_err = xasprintf("ovs-vswitchd cannot create it: %s",
                             json_string_value(why));
    } else if (ran_out) {
        *ret_err = xasprintf("ovs-vswitchd did not create it within %d s "
                             "(its log says why)",
                             VSWITCH_BRIDGE_WAIT_MS / 1000);
    } else {
        *ret_err = TAKE_PTR(err);
    }
    if (ran_out) {
        r = -ETIMEDOUT;
    }
    json_decref(row);
    return r;
}

int vswitch_bridge_delete(struct ovsdb *db, const char *name,
                          char **ret_err)
{
    json_t *row = NULL;
    int r = vswitch_bridge_get(db, name, &row, ret_err);

    if (r <= 0) {
        return r;
    }
    const char *uuid = json_string_value(
        json_array_get(json_object_get(row, "_uuid"), 1));
    /* Bridge, Port and Interface rows go with the last reference. */
    r = ovsdb_transact(
        db,
        json_pack("[{s:s,s:s,s:[],s:[[s,s,o]]}]", "op", "mutate", "table",
                  "Open_vSwitch", "where", "mutations", "bridges", "delete",
                  ovsdb_uuid(uuid ? uuid : "")),
        NULL, ret_err);
    json_decref(row);
    return r;
}

int vswitch_bridge_set_key(struct ovsdb *db, const char *name,
                           const char *key, const char *value,
                           char **ret_err)
{
    /* A map insert does not replace a key that is there: delete first. */
    return transact_one(
        db,
        json_pack("[{s:s,s:s,s:o,s:[[s,s,[s,[s]]]]},"
                  " {s:s,s:s,s:o,s:[[s,s,o]]}]",
                  "op", "mutate", "table", "Bridge", "where",
                  where_name(name), "mutations", "external_ids", "delete",
                  "set", key, "op", "mutate", "table", "Bridge", "where",
                  where_name(name), "mutations", "external_ids", "insert",
                  ovsdb_map_take(json_pack("{s:s}", key, value))),
        1, "bridge", name, ret_err);
}

int vswitch_bridge_del_key(struct ovsdb *db, const char *name,
                           const char *key, char **ret_err)
{
    return ovsdb_transact(
        db,
        json_pack("[{s:s,s:s,s:o,s:[[s,s,[s,[s]]]]}]", "op", "mutate",
                  "table", "Bridge", "where", where_name(name), "mutations",
                  "external_ids", "delete", "set", key),
        NULL, ret_err);
}

/* Adds a port of one interface whose row is 'iface' (taken); see
 * vswitch_port_add(). */
static int port_add(struct ovsdb *db, const char *bridge, const char *ifname,
                    json_t *iface, char **ret_err)
{
    json_t *ops = json_pack(
        "[{s:s,s:s,s:o,s:s},"
        " {s:s,s:s,s:{s:s,s:o},s:s},"
        " {s:s,s:s,s:o,s:[[s,s,o]]}]",
        "op", "insert", "table", "Interface", "row", iface,
        "uuid-name", "iface",
        "op", "insert", "table", "Port", "row", "name", ifname,
        "interfaces", ovsdb_named("iface"), "uuid-name", "port",
        "op", "mutate", "table", "Bridge", "where", where_name(bridge),
        "mutations", "ports", "insert", ovsdb_named("port"));

    /* Without the bridge, the unreferenced Port and Interface rows are
     * dropped. */
    return transact_one(db, ops, 2, "bridge", bridge, ret_err);
}

int vswitch_internal_add(struct ovsdb *db, const char *bridge,
                         const char *ifname, int ofport, const char *mac,
                         json_t *ext, char **ret_err)
{
    json_t *iface = json_pack("{s:s,s:s,s:i,s:s,s:o}", "name", ifname,
                              "type", "internal", "ofport_request", ofport,
                              "mac", mac, "external_ids", ovsdb_map(ext));

    json_decref(ext);
    return port_add(db, bridge, ifname, iface, ret_err);
}

int vswitch_iface_wait_ofport(struct ovsdb *db, const char *name,
                              int *ret_ofport, char **ret_err)
{
    json_t *row = NULL;
    int r = ovsdb_transact(
        db,
        json_pack("[{s:s,s:s,s:[[s,s,s]],s:[s],s:s,s:[{s:[s,[]]}],s:i}]",
                  "op", "wait", "table", "Interface", "where", "name", "==",
                  name, "columns", "ofport", "until", "!=", "rows", "ofport",
                  "set", "timeout", VSWITCH_BRIDGE_WAIT_MS),
        NULL, NULL);

    if (r < 0 || vswitch_iface_get(db, name, "ofport", &row, ret_err) <= 0) {
        if (ret_err && !*ret_err) {
            *ret_err = xasprintf("ovs-vswitchd did not add %s within %d s",
                                 name, VSWITCH_BRIDGE_WAIT_MS / 1000);
        }
        return r < 0 ? r : -ENOENT;
    }
    *ret_ofport = (int) ovsdb_int_value(json_object_get(row, "ofport"), -1);
    json_decref(row);
    if (*ret_ofport <= 0) {
        if (ret_err) {
            *ret_err = xasprintf("ovs-vswitchd could not add %s", name);
        }
        return -EIO;
    }
    return 0;
}

int vswitch_port_add(struct ovsdb *db, const char *bridge,
                     const char *ifname, int ofport, json_t *ext,
                     char **ret_err)
{
    json_t *iface = json_pack("{s:s,s:o}", "name", ifname, "external_ids",
                              ovsdb_map(ext));

    if (ofport > 0) {
        json_object_set_new(iface, "ofport_request", json_integer(ofport));
    }

    json_decref(ext);
    return port_add(db, bridge, ifname, iface, ret_err);
}

int vswitch_port_del(struct ovsdb *db, const char *bridge, const char *name,
                     char **ret_err)
{
    json_t *rows = NULL;
    int r = ovsdb_select(db, "Port", name, "_uuid", &rows, ret_err);

    if (r < 0) {
        return r;
    }
    const char *uuid = json_string_value(json_array_get(
        json_object_get(json_array_get(rows, 0), "_uuid"), 1));
    if (uuid) {
        r = ovsdb_transact(
            db,
            json_pack("[{s:s,s:s,s:o,s:[[s,s,o]]}]", "op", "mutate",
                      "table", "Bridge", "where", where_name(bridge),
                      "mutations", "ports", "delete", ovsdb_uuid(uuid)),
            NULL, ret_err);
    }
    json_decref(rows);
    return r;
}

int vswitch_iface_set_ext(struct ovsdb *db, const char *name, json_t *ext,
                          char **ret_err)
{
    char *err = NULL;
    int r = -EAGAIN;

    for (int tries = 0; tries < VSWITCH_TRIES && r == -EAGAIN; tries++) {
        json_t *row = NULL;
        free(err);
        err = NULL;
        if ((r = vswitch_iface_get(db, name, "external_ids", &row,
                                   &err)) <= 0) {
            if (r == 0) {
                err = xasprintf("interface %s is gone from OVSDB", name);
                r = -ENOENT;
            }
            break;
        }
        /* ovsgw's keys go, the others' stay (OVN's iface-id and
         * ovn-installed), if nobody changed the keys meanwhile. */
        const json_t *seen = json_object_get(row, "external_ids");
        json_t *old = ovsdb_map_to_object(seen), *drop = json_array(), *v;
        const char *k;
        json_object_foreach(old, k, v) {
            if (!strncmp(k, "ovsgw-", 6)) {
                json_array_append_new(drop, json_string(k));
            }
        }
        r = ovsdb_transact(db, json_pack(
            "[{s:s,s:s,s:o,s:[s],s:s,s:[{s:O}],s:i},"
            " {s:s,s:s,s:o,s:[[s,s,[s,o]],[s,s,o]]}]",
            "op", "wait", "table", "Interface", "where", where_name(name),
            "columns", "external_ids", "until", "==", "rows",
            "external_ids", seen, "timeout", 0,
            "op", "mutate", "table", "Interface", "where", where_name(name),
            "mutations", "external_ids", "delete", "set", drop,
            "external_ids", "insert", ovsdb_map(ext)), NULL, &err);
        json_decref(old);
        json_decref(row);
    }
    json_decref(ext);
    if (r < 0 && ret_err) {
        *ret_err = TAKE_PTR(err);
    }
    free(err);
    return r;
}

int vswitch_iface_get(struct ovsdb *db, const char *name,
                      const char *columns, json_t **ret_row, char **ret_err)
{
    json_t *rows = NULL;
    int r = ovsdb_select(db, "Interface", name, columns, &rows, ret_err);

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

int vswitch_ifaces(struct ovsdb *db, const char *columns, json_t **ret_rows,
                   char **ret_err)
{
    return ovsdb_select(db, "Interface", NULL, columns, ret_rows, ret_err);
}

/* The UUIDs in a set column (or a single UUID). */
static void uuids_of(const json_t *col, json_t *out)
{
    const char *kind = json_string_value(json_array_get(col, 0));
    size_t i;
    json_t *u;

    if (kind && !strcmp(kind, "uuid")) {
        json_array_append(out, json_array_get(col, 1));
        return;
    }
    json_array_foreach(json_array_get(col, 1), i, u) {
        json_array_append(out, json_array_get(u, 1));
    }
}

static bool str_in(const json_t *arr, const char *s)
{
    size_t i;
    json_t *v;

    json_array_foreach(arr, i, v) {
        if (s && !strcmp(json_string_value(v), s)) {
            return true;
        }
    }
    return false;
}

int vswitch_bridge_ofports(struct ovsdb *db, const char *bridge, int **ret,
                           size_t *ret_n, char **ret_err)
{
    json_t *res = NULL, *row;
    size_t i;
    int r = ovsdb_transact(
        db,
        json_pack("[{s:s,s:s,s:o,s:[s]},{s:s,s:s,s:[],s:[s,s]},"
                  " {s:s,s:s,s:[],s:[s,s,s]}]",
                  "op", "select", "table", "Bridge", "where",
                  where_name(bridge), "columns", "ports",
                  "op", "select", "table", "Port", "where", "columns",
                  "_uuid", "interfaces",
                  "op", "select", "table", "Interface", "where", "columns",
                  "_uuid", "ofport", "ofport_request"),
        &res, ret_err);

    if (r < 0) {
        return r;
    }
    json_t *ports = json_array(), *ifaces = json_array();
    uuids_of(json_object_get(json_array_get(json_object_get(
                 json_array_get(res, 0), "rows"), 0), "ports"), ports);
    json_array_foreach(json_object_get(json_array_get(res, 1), "rows"), i,
                       row) {
        const char *u = json_string_value(json_array_get(
            json_object_get(row, "_uuid"), 1));
        if (str_in(ports, u)) {
            uuids_of(json_object_get(row, "interfaces"), ifaces);
        }
    }
    int *out = xmalloc((json_array_size(ifaces) * 2 + 1) * sizeof *out);
    size_t n = 0;
    json_array_foreach(json_object_get(json_array_get(res, 2), "rows"), i,
                       row) {
        const char *u = json_string_value(json_array_get(
            json_object_get(row, "_uuid"), 1));
        if (!str_in(ifaces, u)) {
            continue;
        }
        long long of = ovsdb_int_value(json_object_get(row, "ofport"), -1);
        long long req = ovsdb_int_value(json_object_get(row,
                                                        "ofport_request"),
                                        -1);
        if (of > 0) {
            out[n++] = (int) of;
        }
        if (req > 0 && req != of) {
            out[n++] = (int) req;
        }
    }
    json_decref(ports);
    json_decref(ifaces);
    json_decref(res);
    *ret = out;
    *ret_n = n;
    return 0;
}

int vswitch_userspace_tso(struct ovsdb *db, bool *ret_on, char **ret_err)
{
    json_t *rows = NULL;
    int r;

    if ((r = ovsdb_select(db, "Open_vSwitch", NULL, "other_config", &rows,
                          ret_err)) < 0) {
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

int vswitch_load(struct ovsdb *db, json_t **ret_bridges, json_t **ret_ifaces,
                 char **ret_err)
{
    json_t *res = NULL, *row;
    size_t i;
    int r = ovsdb_transact(
        db,
        json_pack("[{s:s,s:s,s:[],s:[s,s,s]},{s:s,s:s,s:[],s:[s,s,s,s]}]",
                  "op", "select", "table", "Bridge", "where", "columns",
                  "name", "external_ids", "datapath_type", "op", "select",
                  "table", "Interface", "where", "columns", "name",
                  "external_ids", "ofport", "ofport_request"),
        &res, ret_err);

    if (r < 0) {
        return r;
    }
    *ret_bridges = json_incref(json_object_get(json_array_get(res, 0),
                                               "rows"));
    *ret_ifaces = json_incref(json_object_get(json_array_get(res, 1),
                                              "rows"));
    json_decref(res);
    if (!json_is_array(*ret_bridges) || !json_is_array(*ret_ifaces)) {
        json_decref(*ret_bridges);
        json_decref(*ret_ifaces);
        if (ret_err) {
            *ret_err = xstrdup("OVSDB sent no rows");
        }
        return -EPROTO;
    }
    json_array_foreach(*ret_bridges, i, row) {
        row_ext_to_object(row);
    }
    json_array_foreach(*ret_ifaces, i, row) {
        row_ext_to_object(row);
    }
    return 0;
}

json_t *vswitch_iface_stats(struct ovsdb *db)
{
    json_t *rows = NULL, *row, *out = json_object();
    size_t i;

    if (ovsdb_select(db, "Interface", NULL, "name,statistics,external_ids",
                     &rows, NULL) < 0) {
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
        json_t *ext = ovsdb_map_to_object(json_object_get(row,
                                                          "external_ids"));
        const char *installed = json_string_value(json_object_get(
            ext, "ovn-installed"));
        if (name) {
            json_object_set_new(out, name, json_pack(
                "[I,I,b]", rx, tx, installed && !strcmp(installed, "true")));
        }
        json_decref(ext);
    }
    json_decref(rows);
    return out;
}

char *vswitch_system_key(struct ovsdb *db, const char *key)
{
    json_t *rows = NULL;
    char *value = NULL;

    if (ovsdb_select(db, "Open_vSwitch", NULL, "external_ids", &rows,
                     NULL) < 0) {
        return NULL;
    }
    json_t *ext = ovsdb_map_to_object(json_object_get(json_array_get(rows, 0),
                                                      "external_ids"));
    const char *v = json_string_value(json_object_get(ext, key));
    if (v && *v) {
        value = xstrdup(v);
    }
    json_decref(ext);
    json_decref(rows);
    return value;
}
