#include "bridge.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "spares.h"
#include "state.h"
#include "uplink.h"
#include "util.h"
#include "vswitch.h"

/* The tags of the networks stored in a bridge's external_ids other than
 * the network 'id': a malloc'd array of '*ret_n'.  '*ret_keys' (may be
 * NULL) counts their keys, also those whose state has no tag. */
static uint32_t *other_tags(const json_t *ext, const char *id, size_t *ret_n,
                            size_t *ret_keys)
{
    uint32_t *tags = xmalloc((json_object_size(ext) + 1) * sizeof *tags);
    const char *key;
    json_t *val;
    size_t n = 0, keys = 0;

    json_object_foreach((json_t *) ext, key, val) {
        const char *nid = state_network_key_id(key);
        if (!nid || !strcmp(nid, id)) {
            continue;
        }
        keys++;
        if (state_network_tag(json_string_value(val), &tags[n])) {
            n++;
        }
    }
    *ret_n = n;
    if (ret_keys) {
        *ret_keys = keys;
    }
    return tags;
}

/* Checks that an existing bridge can carry 'n': its datapath as asked,
 * and, if ovsgw did not create it, nothing of its owner's that ovsgw's
 * flows would override. */
static int check_existing(struct ovsgw *g, struct network *n,
                          const json_t *row, const uint32_t *tags,
                          size_t n_tags, char **ret_err)
{
    const char *dp = json_string_value(json_object_get(row,
                                                       "datapath_type"));
    const char *fail_mode = json_string_value(json_object_get(row,
                                                              "fail_mode"));
    _cleanup_free_ char *what = NULL;
    int r;

    n->netdev = dp && !strcmp(dp, "netdev");
    if (n->opts.datapath != OPTIONS_DP_AUTO
        && (n->opts.datapath == OPTIONS_DP_NETDEV) != n->netdev) {
        *ret_err = xasprintf("ovsgw.datapath: bridge %s exists with "
                             "datapath %s", n->bridge,
                             n->netdev ? "netdev" : "system");
        return -EINVAL;
    }
    if (n->bridge_owned) {
        return 0;
    }
    /* An empty fail_mode is ["set",[]]: standalone. */
    if (!fail_mode || strcmp(fail_mode, "secure")) {
        *ret_err = xasprintf("bridge %s is not ovsgw's and its fail_mode is "
                             "%s: OVS would then switch packets past "
                             "ovsgw's flows whenever it has no controller; "
                             "use fail_mode=secure or a bridge of ovsgw's "
                             "own", n->bridge,
                             fail_mode ? fail_mode : "standalone");
        return -EBUSY;
    }
    if ((r = flowset_foreign_flows(g->fs, n->bridge, tags, n_tags, &what,
                                   ret_err)) < 0) {
        return r;
    }
    if (what) {
        *ret_err = xasprintf("bridge %s is not ovsgw's and has %s, which "
                             "ovsgw's flows would replace or bypass: use a "
                             "bridge of ovsgw's own", n->bridge, what);
        return -EBUSY;
    }
    return 0;
}

/* Creates the bridge of 'n' with the network's state, and waits for
 * ovs-vswitchd to make it; deletes it again if that fails. */
static int create(struct ovsgw *g, struct network *n, char **ret_err)
{
    _cleanup_free_ char *key = state_network_key(n->id);
    _cleanup_free_ char *state = NULL;
    enum options_datapath dp = n->opts.datapath;
    int r;

    if (dp == OPTIONS_DP_AUTO) {
        dp = access("/sys/module/openvswitch", F_OK) == 0
                 ? OPTIONS_DP_SYSTEM : OPTIONS_DP_NETDEV;
    }
    n->netdev = dp == OPTIONS_DP_NETDEV;
    n->bridge_owned = true;
    n->tag = model_pick_tag(&g->model, n->bridge, n->id, NULL, 0);
    state = state_network_encode(n, g->name);
    r = vswitch_bridge_create(g->db, n->bridge, options_datapath_name(dp),
                              json_pack("{s:s,s:s}", STATE_EXT_OWNED, "true",
                                        key, state),
                              ret_err);
    if (r < 0) {
        return r;
    }
    if ((r = vswitch_bridge_wait(g->db, n->bridge, ret_err)) < 0) {
        _cleanup_free_ char *err = NULL;
        if (vswitch_bridge_delete(g->db, n->bridge, &err) < 0) {
            log_error("bridge %s: cannot delete it again: %s", n->bridge,
                      err);
        }
    }
    return r;
}

int bridge_join(struct ovsgw *g, struct network *n, char **ret_err)
{
    _cleanup_free_ char *key = state_network_key(n->id);
    _cleanup_free_ char *state = NULL;
    _cleanup_free_ uint32_t *tags = NULL;
    size_t n_tags = 0;
    json_t *row = NULL;
    int *ports = NULL;
    size_t n_ports = 0;
    int r;

    if ((r = vswitch_bridge_get(g->db, n->bridge, &row, ret_err)) < 0) {
        return r;
    }
    if (r == 0) {
        r = create(g, n, ret_err);
    } else {
        const json_t *ext = json_object_get(row, "external_ids");
        n->bridge_owned = json_object_get(ext, STATE_EXT_OWNED) != NULL;
        tags = other_tags(ext, n->id, &n_tags, NULL);
        r = check_existing(g, n, row, tags, n_tags, ret_err);
        if (r >= 0) {
            n->tag = model_pick_tag(&g->model, n->bridge, n->id, tags,
                                    n_tags);
            state = state_network_encode(n, g->name);
            r = vswitch_bridge_set_key(g->db, n->bridge, key, state,
                                       ret_err);
        }
        json_decref(row);
    }
    if (r < 0) {
        return r;
    }
    /* Ports of others on the bridge keep their OpenFlow numbers. */
    if (vswitch_bridge_ofports(g->db, n->bridge, &ports, &n_ports,
                               NULL) == 0) {
        model_set_foreign_ports(&g->model, n->bridge, ports, n_ports);
    }
    return 0;
}

int bridge_leave(struct ovsgw *g, struct network *n, bool *ret_deleted,
                 char **ret_err)
{
    _cleanup_free_ char *key = state_network_key(n->id);
    _cleanup_free_ uint32_t *tags = NULL;
    size_t n_tags = 0, others = 0;
    json_t *row = NULL;
    int r;

    if (ret_deleted) {
        *ret_deleted = false;
    }
    if ((r = vswitch_bridge_get(g->db, n->bridge, &row, ret_err)) <= 0) {
        return r;
    }
    tags = other_tags(json_object_get(row, "external_ids"), n->id, &n_tags,
                      &others);
    json_decref(row);
    bool deleting = n->bridge_owned && others == 0;
    if (!model_bridge_shared(&g->model, n)) {
        spares_drop(g, n->bridge, !deleting);
    }
    if (deleting) {
        flowset_forget(g->fs, n->bridge);
        if ((r = vswitch_bridge_delete(g->db, n->bridge, ret_err)) >= 0
            && ret_deleted) {
            *ret_deleted = true;
        }
        return r;
    }
    /* The bridge stays: take out this network's flows, and the shared
     * table-miss flows and the uplink if no ovsgw network is left on
     * it. */
    if ((r = flowset_network_delete(g->fs, n, others == 0, ret_err)) < 0) {
        return r;
    }
    if (others == 0 && (r = uplink_port_del(g, n->bridge, ret_err)) < 0) {
        return r;
    }
    return vswitch_bridge_del_key(g->db, n->bridge, key, ret_err);
}
