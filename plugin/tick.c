#include "tick.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "netfilter.h"
#include "ovn.h"
#include "ovsgw.h"
#include "restore.h"
#include "spares.h"
#include "timeval.h"
#include "uplink.h"
#include "util.h"
#include "vswitch.h"

/* Every this many ticks, the flows themselves are checked, and the
 * OpenFlow ports of others on each bridge are read again. */
#define SLOW_TICKS (5000 / TICK_MS)

/* The pid in ovs-vswitchd's pid file, or 0. */
static long vswitchd_pid(const struct ovsgw *g)
{
    _cleanup_free_ char *path = xasprintf("%s/ovs-vswitchd.pid", g->rundir);
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
static int refresh_ofports(struct ovsgw *g, char **ret_err)
{
    json_t *rows = NULL, *row;
    size_t i;
    int r = vswitch_ifaces(g->db, "name,ofport", &rows, ret_err);

    if (r < 0) {
        return r;
    }
    json_array_foreach(rows, i, row) {
        const char *name = json_string_value(json_object_get(row, "name"));
        int ofport = (int) ovsdb_int_value(json_object_get(row, "ofport"),
                                           -1);
        for (struct network *n = g->model.networks; n && name; n = n->next) {
            for (struct endpoint *e = n->endpoints;
                 e && !network_is_ovn(n); e = e->next) {
                if (strcmp(e->host_if, name)) {
                    continue;
                }
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
    json_decref(rows);
    if (r < 0 && !*ret_err) {
        *ret_err = xstrdup("ovs-vswitchd has not numbered every port yet");
    }
    return r;
}

/* Re-applies every network's flows; stays pending until all succeed. */
static void resync(struct ovsgw *g)
{
    _cleanup_free_ char *err = NULL;
    int n_nets = 0;

    if (refresh_ofports(g, &err) < 0) {
        log_debug("resync: %s", err);
        return;
    }
    /* ovs-vswitchd may have numbered the spares anew: spares_verify()
     * reads their numbers again. */
    for (struct spare *s = g->model.spares; s; s = s->next) {
        s->verified = false;
    }
    for (struct network *n = g->model.networks; n; n = n->next) {
        free(err);
        err = NULL;
        if (network_is_ovn(n)) {
            continue; /* ovn-controller's flows */
        }
        if (flowset_network_apply(g->fs, n, &err) < 0) {
            log_debug("resync: network %.12s on %s: %s", n->id, n->bridge,
                      err);
            return;
        }
        n_nets++;
    }
    g->resync = false;
    log_info("re-applied the flows of %d network(s)", n_nets);
}

/* True if the bridge of 'n' is also that of a network before it in the
 * list: each bridge is then looked at once. */
static bool bridge_seen(const struct ovsgw *g, const struct network *n)
{
    for (const struct network *o = g->model.networks; o != n; o = o->next) {
        if (!strcmp(o->bridge, n->bridge)) {
            return true;
        }
    }
    return false;
}

/* True if some bridge has lost ovsgw's table-miss flows: someone wiped
 * its flow table, or ovs-vswitchd restarted unseen.  Also reads the
 * OpenFlow ports of others on each bridge, for new endpoints. */
static bool flows_missing(struct ovsgw *g)
{
    bool tso;

    /* Without ovsdb-server, ovs-vswitchd answers no OpenFlow: asking
     * would block until the timeout. */
    if (vswitch_userspace_tso(g->db, &tso, NULL) < 0) {
        return false;
    }
    for (struct network *n = g->model.networks; n; n = n->next) {
        uint32_t count = 0;
        int *ports = NULL;
        size_t n_ports = 0;
        if (bridge_seen(g, n) || network_is_ovn(n)) {
            continue;
        }
        if (vswitch_bridge_ofports(g->db, n->bridge, &ports, &n_ports,
                                   NULL) == 0) {
            model_set_foreign_ports(&g->model, n->bridge, ports, n_ports);
        }
        if (flowset_bridge_flows(g->fs, n->bridge, &count, NULL) == 0
            && count == 0) {
            log_info("bridge %s has lost its flows", n->bridge);
            return true;
        }
    }
    return false;
}

/* Checks the OpenFlow port ovs-vswitchd gave each new endpoint; if it is
 * not the one asked for (someone else held it), moves the endpoint's
 * flows to the real one. */
static void verify_ports(struct ovsgw *g)
{
    for (struct network *n = g->model.networks; n; n = n->next) {
        for (struct endpoint *e = n->endpoints; e; e = e->next) {
            json_t *row = NULL;
            if (e->verified || network_is_ovn(n)
                || vswitch_iface_get(g->db, e->host_if, "ofport,error",
                                     &row, NULL) <= 0) {
                continue;
            }
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
                log_info("endpoint %.12s: port %s got OpenFlow port %d, not "
                         "%d: moving its flows", e->id, e->host_if, ofport,
                         e->fe.ofport);
                e->fe.ofport = ofport;
                /* ovs-vswitchd may number it once more (it renumbers a
                 * port whose request it can grant a moment later): not
                 * verified until a look finds the number unchanged. */
                if (flowset_endpoint_replace(g->fs, n, e, NULL) < 0) {
                    g->resync = true;
                }
            } else if (ofport > 0) {
                e->verified = true;
            }
            json_decref(row);
        }
    }
}

/* The host's side of the uplinks and the netfilter rules, as the model
 * wants them: after ovs-vswitchd made new taps, after someone flushed the
 * rules, after dockerd re-made its chains. */
static void host_side(struct ovsgw *g)
{
    _cleanup_free_ char *err = NULL;
    bool moved, changed;

    uplink_check(g, &moved);
    if (moved) {
        g->resync = true;
    }
    if (netfilter_sync(g, &changed, &err) < 0) {
        log_warn_rl(&g->rl_netfilter, "netfilter: %s", err);
    } else if (changed) {
        log_info("netfilter: ovsgw's rules were not as they should be: "
                 "restored");
    }
}

/* A bridge whose solicitations ovsgw answers (IPv6 on the kernel
 * datapath) needs its connection open even when no call uses it, e.g.
 * after a packet-out failed. */
static void open_nd_bridges(struct ovsgw *g)
{
    for (const struct network *n = g->model.networks; n; n = n->next) {
        struct flows_network fn = network_flows(n);
        if (!network_is_ovn(n) && fn.nd_controller && n->n_subnets6) {
            flowset_open(g->fs, n->bridge, NULL);
        }
    }
}

/* What the bridges sent: packet-ins (ndproxy.h), errors for flow changes
 * sent without waiting (then every flow is applied again). */
static void read_bridges(struct ovsgw *g)
{
    _cleanup_free_ char *err = NULL;

    if (flowset_poll(g->fs, &err) == -EINVAL) {
        log_error("%s: re-applying every flow", err);
        g->resync = true;
    }
}

static void tick(struct ovsgw *g)
{
    _cleanup_free_ char *err = NULL;

    if (!g->restored && restore_ensure(g, &err) < 0) {
        return;
    }
    long pid = vswitchd_pid(g);
    if (pid && g->vswitchd_pid && pid != g->vswitchd_pid) {
        log_info("ovs-vswitchd restarted (pid %ld, was %ld): re-applying "
                 "flows", pid, g->vswitchd_pid);
        g->resync = true;
    }
    if (pid) {
        g->vswitchd_pid = pid;
    }
    bool slow = ++g->ticks % SLOW_TICKS == 0;
    if (!g->resync && slow) {
        g->resync = flows_missing(g);
    }
    if (slow || g->resync) {
        host_side(g);
    }
    if (slow) {
        open_nd_bridges(g);
    }
    if (slow && g->ovn_stale && ovn_reconcile(g) >= 0) {
        g->ovn_stale = false;
    }
    if (g->resync) {
        resync(g);
    }
    read_bridges(g);
    verify_ports(g);
    spares_verify(g);
    spares_expire(g);
}

void tick_run(void *ovsgw)
{
    time_budget_begin(TICK_BUDGET_MS);
    tick(ovsgw);
    time_budget_end();
}

size_t tick_fds(void *ovsgw, int *fds, size_t max)
{
    const struct ovsgw *g = ovsgw;

    return flowset_fds(g->fs, fds, max);
}

void tick_input(void *ovsgw)
{
    time_budget_begin(TICK_BUDGET_MS);
    read_bridges(ovsgw);
    time_budget_end();
}
