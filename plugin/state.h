/* The state codec: how the model is kept in OVSDB external_ids, so that a
 * daemon that starts (or 'ovsgw status' without a daemon) can rebuild it.
 * Pure: JSON in and out, no I/O.
 *
 *   Bridge     "ovsgw-net-<NetworkID>": the network as JSON (below), one
 *              key per network, so that networks can share a bridge;
 *              "ovsgw-owned": "true" when ovsgw created the bridge.
 *   Interface  an endpoint's keys (STATE_EXT_ENDPOINT...), or a spare
 *              port's (STATE_EXT_SPARE...).
 *
 * The network JSON carries "version" (the writer's STATE_VERSION) and
 * "compat" (the oldest reader that reads it right).  A reader takes every
 * state whose compat is at most its own version, ignoring keys it does not
 * know, and leaves the others alone with a log line: a field that older
 * daemons may ignore leaves compat as it is, one they must not ignore
 * raises it.  A state without "version" is version 1. */
#ifndef OVSGW_STATE_H
#define OVSGW_STATE_H

#include <jansson.h>
#include <stdint.h>

#include "model.h"

/* Version 2 added "version", "compat", "internal"; version 3 "subnets6"
 * (a network with IPv6 subnets needs a reader of version 3); version 4
 * OVN mode, in "options" (an OVN network needs a reader of version 4: an
 * older one would put flows on OVN's integration bridge); version 5 IPv6
 * on the kernel datapath (such a network needs a reader of version 5: an
 * older one would send ND flows that OVS refuses there, and with them
 * every flow of the network). */
#define STATE_VERSION 5
#define STATE_COMPAT 1
#define STATE_COMPAT_IPV6 3
#define STATE_COMPAT_OVN 4
#define STATE_COMPAT_IPV6_KERNEL 5

#define STATE_EXT_OWNED "ovsgw-owned"
#define STATE_EXT_NET_PREFIX "ovsgw-net-"
#define STATE_EXT_ENDPOINT "ovsgw-endpoint"
#define STATE_EXT_NETWORK "ovsgw-network"
#define STATE_EXT_IPV4 "ovsgw-ipv4"
#define STATE_EXT_IPV6 "ovsgw-ipv6"
#define STATE_EXT_MAC "ovsgw-mac"
#define STATE_EXT_COOKIE "ovsgw-cookie"
#define STATE_EXT_PEER "ovsgw-peer"
#define STATE_EXT_PORTS "ovsgw-ports" /* published ports, JSON */
#define STATE_EXT_SPARE "ovsgw-spare"   /* a spare port: the driver's name */
#define STATE_EXT_BRIDGE "ovsgw-bridge" /* a spare port's bridge */

/* The bridge key of network 'id'.  Malloc'd. */
char *state_network_key(const char *id);
/* The network ID in the bridge key 'key', or NULL if it is not a well-
 * formed network key. */
const char *state_network_key_id(const char *key);

/* The IPv4 subnets of 'n' as [{NET_KEY: "10.20.1.0/24", "gateway":
 * ...}], then its IPv6 subnets if 'v6' ("fd00:20:1::/64"): NET_KEY is
 * "pool" in the state, "subnet" in the status document.  Returns a new
 * array. */
json_t *state_subnets(const struct network *n, const char *net_key,
                      bool v4, bool v6);

/* The state of 'n', owned by the driver 'driver', as JSON text.
 * Malloc'd. */
char *state_network_encode(const struct network *n, const char *driver);

/* Decodes the state 'text' of the network 'id' on 'bridge'.  Returns NULL
 * and a new network in '*ret' (caller owns; endpoints, bridge_owned and
 * netdev are the caller's to fill), or NULL and '*ret' NULL when the
 * network is another driver's, or a malloc'd reason why the state cannot
 * be used ('*ret' untouched). */
char *state_network_decode(const char *id, const char *bridge,
                           const char *text, const char *driver,
                           struct network **ret);

/* The tag in the state 'text' of any driver's network.  Returns false if
 * there is none. */
bool state_network_tag(const char *text, uint32_t *ret);

/* The published ports of 'e' as a JSON array of {"proto", "port",
 * "host_ip", "host_port"}, as stored and shown.  Returns a new array. */
json_t *state_ports(const struct endpoint *e);

/* The endpoint's keys for its interface's external_ids.  Returns a new
 * object of strings. */
json_t *state_endpoint_encode(const struct network *n,
                              const struct endpoint *e);

/* Decodes the endpoint keys in 'ext' (an object of strings) of the
 * interface 'name', with the interface's ofport and ofport_request (-1
 * when unset).  Returns NULL, a new endpoint in '*ret' (caller owns; its
 * subnet is the caller's to find) and its network's ID in '*ret_network'
 * (borrowed from 'ext'); or a malloc'd reason. */
char *state_endpoint_decode(const json_t *ext, const char *name,
                            long long ofport, long long ofport_request,
                            struct endpoint **ret, const char **ret_network);

/* A spare port's keys.  Returns a new object of strings. */
json_t *state_spare_encode(const char *driver, const char *bridge,
                           const char *peer);

/* The driver whose spare the interface with 'ext' is, or NULL if it is
 * not a spare.  Borrowed from 'ext'. */
const char *state_spare_driver(const json_t *ext);

/* Decodes a spare port's keys into 'ret' (bridge, host_if = 'name',
 * peer_if, ofport).  Returns NULL or a malloc'd reason. */
char *state_spare_decode(const json_t *ext, const char *name,
                         long long ofport, struct spare *ret);

#endif
