/* A bridge's uplink: one OVS internal port (a tap on the userspace
 * datapath) that is the way between the bridge's networks and the host's
 * own stack.  The gateways stay virtual: the host end carries only a
 * transit address outside every container subnet (UPLINK_TRANSIT, on
 * every uplink), and the host routes each subnet via its gateway, onlink.
 * NAT and published ports are then the host's netfilter (netfilter.h).
 * --internal networks have none of it. */
#ifndef OVSGW_UPLINK_H
#define OVSGW_UPLINK_H

#include <net/if.h>
#include <stdbool.h>

#include "ovsgw.h"

/* The OpenFlow port an uplink asks for: out of the way of endpoints,
 * which count from 1. */
#define UPLINK_OFPORT 65279
/* 169.254.100.1: link-local, so never a container subnet, and outside
 * 169.254.169.0/24 (cloud metadata).  For IPv6 a unique local address
 * (RFC 4193) of ovsgw's own: fd6f:7673:6777::1 ("ovsgw"). */
#define UPLINK_TRANSIT 0xa9fe6401u
extern const struct in6_addr uplink_transit6;
#define UPLINK_KEY "ovsgw-uplink" /* its interface's external_ids: bridge,
                                  * or "ovn:" and an OVN network's name */
/* OVN mode: the logical router's address on the way out (ovnnb.h). */
#define UPLINK_OVN_ROUTER 0xa9fe6402u
extern const struct in6_addr uplink_ovn_router6;

/* The uplink's interface name for 'bridge' ("ovsgwu" and 8 hex digits of
 * the bridge name's hash) and the MAC of its host end. */
void uplink_name(const char *bridge, char ret[IFNAMSIZ]);
void uplink_mac(const char *bridge, uint8_t ret[MAC_LEN]);

/* Gives 'n' its way out: the bridge's uplink (made if missing, then
 * numbered by ovs-vswitchd, its host end up with the transit address) and
 * host routes to the network's subnets through it.  Sets n->uplink_if,
 * n->uplink and n->has_uplink.  Nothing for an internal network.  On
 * failure, what this call made is removed.  Returns 0 or -errno with a
 * malloc'd message. */
int uplink_attach(struct ovsgw *g, struct network *n, char **ret_err);

/* OVN mode: the host's side of the way out of the OVN network 'n' (not
 * internal): a bridge of its own, "ovsgwu" and 8 hex digits of the
 * logical network's name, whose own port is the host end (the transit
 * addresses, and the same MAC on every host), mapped by
 * ovn-bridge-mappings to the network's localnet; host routes to the
 * subnets via the router's address there.  Sets n->uplink_if.  On
 * failure, what this call made is removed. */
int uplink_ovn_attach(struct ovsgw *g, struct network *n, char **ret_err);

/* Removes what uplink_ovn_attach() made.  Returns 0 or the first error. */
int uplink_ovn_detach(struct ovsgw *g, struct network *n, char **ret_err);

/* Removes the host routes of 'n'.  Returns 0 or the first error. */
int uplink_routes_del(const struct network *n);

/* Removes the uplink port from 'bridge' (when ovsgw leaves a bridge it did
 * not create).  Returns 0 or -errno with a message. */
int uplink_port_del(struct ovsgw *g, const char *bridge, char **ret_err);

/* For restore: the uplink of the bridge 'bridge' is the interface 'name'
 * with OpenFlow port 'ofport'; tells every network of 'm' there that is
 * not internal. */
void uplink_restore(struct model *m, const char *bridge, const char *name,
                    int ofport);

/* From the tick: the host end of every uplink in use is up with its
 * address, and every route is there (ovs-vswitchd makes a new tap when it
 * restarts); re-reads the uplinks' OpenFlow ports.  Sets '*ret_moved' if
 * one changed: every flow must then be applied again. */
void uplink_check(struct ovsgw *g, bool *ret_moved);

#endif
