/* OVN mode (-o ovsgw.mode=ovn): a network is a logical switch and router
 * in OVN's northbound database, shared by every host that creates a
 * network of the same ovsgw.ovn.name (ovnnb.h has the mapping), and its
 * endpoints are ports on OVN's integration bridge whose iface-id names
 * their logical port.  ovn-controller programs that bridge; ovsgw never
 * writes a flow there.
 *
 * The host is whatever its Open_vSwitch row says: external_ids:system-id
 * (the chassis), ovn-bridge (default br-int) and, unless the daemon was
 * given --ovn-nb, ovn-nb (default OVN_NB_DEFAULT).
 *
 * Adding is all or nothing: on failure OVN and the host are as they were.
 * Removing does this host's side whatever OVN says; a logical port it
 * could not delete is deleted later (ovn_reconcile).  Functions return
 * -errno with a malloc'd message. */
#ifndef OVSGW_OVN_H
#define OVSGW_OVN_H

#include "ovsgw.h"

#define OVN_NB_DEFAULT "unix:/var/run/ovn/ovnnb_db.sock"
#define OVN_BRIDGE_DEFAULT "br-int"
/* How long Join waits for ovn-controller to install an endpoint. */
#define OVN_INSTALL_WAIT_MS 10000
/* The key ovn-controller sets on an Interface it has installed. */
#define OVN_EXT_INSTALLED "ovn-installed"

/* Creates the logical network of 'n' or joins this host to it (one of the
 * same name must agree on gateways, gateway MAC, TCP policy and
 * --internal), gives it this host's way out unless it is internal
 * (uplink_ovn_attach), and keeps the network's state on the integration
 * bridge, which becomes n->bridge. */
int ovn_network_join(struct ovsgw *g, struct network *n, char **ret_err);

/* Takes this host out of the logical network of 'n' (the last host
 * deletes it), removes this host's way out and drops the network's state
 * from the integration bridge.  The endpoints are the caller's to remove
 * first. */
int ovn_network_leave(struct ovsgw *g, struct network *n, char **ret_err);

/* Adds the logical port of 'e' (refused if another host's endpoint has
 * its address or MAC), then its veth on the integration bridge. */
int ovn_endpoint_add(struct ovsgw *g, struct network *n, struct endpoint *e,
                     char **ret_err);

/* Deletes the logical port of 'e' (or marks it for ovn_reconcile when the
 * database does not answer), then its port and veth. */
int ovn_endpoint_del(struct ovsgw *g, const struct network *n,
                     const struct endpoint *e, char **ret_err);

/* Waits, at most OVN_INSTALL_WAIT_MS, until ovn-controller has installed
 * the port of 'e'. */
int ovn_endpoint_wait(struct ovsgw *g, const struct endpoint *e,
                      char **ret_err);

/* Deletes the logical ports of this chassis that no endpoint of the model
 * has (a delete while the database was away, a crash between the two
 * halves of a call).  Returns how many, or -errno. */
int ovn_reconcile(struct ovsgw *g);

/* This host's chassis name (system-id), or NULL.  Malloc'd. */
char *ovn_chassis(struct ovsgw *g);

#endif
