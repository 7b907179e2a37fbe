/* The daemon's state: its configuration, its connections to OVSDB and to
 * the bridges, and the model.  One 'struct ovsgw' per daemon; the HTTP
 * handlers (driver.h) and the housekeeping tick (tick.h) work on it, one
 * at a time (single-threaded). */
#ifndef OVSGW_OVSGW_H
#define OVSGW_OVSGW_H

#include <stdbool.h>

#include "flowset.h"
#include "log.h"
#include "model.h"
#include "ovsdb.h"

#define OVSGW_POOL_MAX 8
#define OVSGW_POOL_IDLE_S 60

struct ovsgw_config {
    const char *ovsdb_remote; /* "unix:/var/run/openvswitch/db.sock" */
    const char *ovs_rundir;   /* where BRIDGE.mgmt sockets live */
    const char *name;         /* driver name (the socket's basename):
                               * only networks made under this name are
                               * this driver's; NULL means "ovsgw" */
    unsigned pool_max;        /* spare ports kept per bridge (0: none) */
    unsigned pool_idle_s;     /* a spare idle this long is deleted */
    bool iptables;            /* manage the host's netfilter rules */
    const char *ovn_nb;       /* OVN's northbound database, or NULL:
                               * ovn.h says where then */
};

struct ovsgw {
    char *name;             /* driver name, stored with every network */
    char *rundir;
    unsigned pool_max;
    long long pool_idle_ms;
    bool iptables;
    struct ovsdb *db;
    char *ovn_nb;           /* --ovn-nb, or NULL */
    struct ovsdb *nb;       /* OVN northbound, made on first use */
    char *nb_remote;        /* where 'nb' connects */
    bool ovn_stale;         /* a logical port awaits ovn_reconcile() */
    struct flowset *fs;
    struct model model;
    bool restored;          /* the model was read from OVSDB */
    bool resync;            /* flows must be re-applied everywhere */
    long vswitchd_pid;      /* as last seen by the tick */
    struct log_rl rl_netfilter;
    struct log_rl rl_nd;
    unsigned ticks;
};

/* The driver name that goes with a plugin socket path: its basename
 * without ".sock" ("/run/docker/plugins/ovsgw.sock" -> "ovsgw").
 * Returns a malloc'd string. */
char *ovsgw_name_from_socket(const char *socket_path);

/* Creates the daemon's state; it connects to OVSDB on first use.  Returns
 * 0 and '*ret' (free with ovsgw_free()) or -EINVAL for a remote it cannot
 * use. */
int ovsgw_new(const struct ovsgw_config *cfg, struct ovsgw **ret);

/* Frees 'g'; leaves every bridge, port and flow in place.  NULL is
 * fine. */
void ovsgw_free(struct ovsgw *g);

#endif
