/* The remote network driver: one handler per /NetworkDriver.* call.  The
 * only module that orchestrates links, OVSDB and flows, rolls back what a
 * failed call did, and turns errors into {"Err": "..."}. */
#ifndef OVSGW_DRIVER_H
#define OVSGW_DRIVER_H

#include <stddef.h>

#include "http.h"

struct driver_config {
    const char *ovsdb_remote; /* "unix:/var/run/openvswitch/db.sock" */
    const char *ovs_rundir;   /* where BRIDGE.mgmt sockets live */
    const char *name;         /* driver name (the socket's basename):
                               * only networks made under this name are
                               * this driver's; NULL means "ovsgw" */
    unsigned pool_max;        /* spare ports kept per bridge (0: none) */
    unsigned pool_idle_s;     /* a spare idle this long is deleted */
};

#define DRIVER_POOL_MAX 8
#define DRIVER_POOL_IDLE_S 60

struct driver;

/* The driver name that goes with a plugin socket path: its basename
 * without ".sock" ("/run/docker/plugins/ovsgw.sock" -> "ovsgw").
 * Returns a malloc'd string. */
char *driver_name_from_socket(const char *socket_path);

/* Creates the driver; it connects to OVSDB on first use.  Returns 0 or
 * -errno. */
int driver_new(const struct driver_config *cfg, struct driver **ret);

/* Reads every ovsgw network and endpoint from OVSDB, removes endpoints
 * whose veth is gone, and re-applies all flows.  Calls that come before a
 * successful restore retry it.  Returns 0 or -errno (logged). */
int driver_restore(struct driver *d);

#define DRIVER_TICK_MS 500

/* Housekeeping between calls, every DRIVER_TICK_MS: reads the state from
 * OVSDB if that failed so far, and re-applies every flow after
 * ovs-vswitchd restarted (its pid changed) or a bridge lost its flows.
 * 'driver' is a struct driver. */
void driver_tick(void *driver);

/* For 'ovsgw status' when no daemon answers: reads the state from OVSDB
 * without changing anything and returns the same JSON as the daemon's
 * /ovsgw.Status (caller owns '*ret').  Returns 0 or -errno with a
 * message in '*ret_err'. */
int driver_status_offline(struct driver *d, json_t **ret, char **ret_err);

/* Frees the driver; leaves every bridge, port and flow in place. */
void driver_free(struct driver *d);

/* The route table for http_server_start(); 'userdata' is the driver. */
const struct http_route *driver_routes(size_t *ret_n);

#endif
