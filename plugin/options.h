/* Driver options of a network ('-o key=value', compose 'driver_opts'):
 * parsed strictly into a struct.  Pure: no I/O. */
#ifndef OVSGW_OPTIONS_H
#define OVSGW_OPTIONS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "policy.h"
#include "addr.h"
#include "util.h"

#define OPTIONS_BRIDGE_MAX 15 /* IFNAMSIZ - 1 */
#define OPTIONS_MTU_DEFAULT 1500
/* In OVN mode: 1500 less Geneve's 58 bytes over an IPv4 underlay with an
 * MTU of 1500, so that no packet needs fragmenting between hosts. */
#define OPTIONS_MTU_OVN_DEFAULT 1442
#define OPTIONS_OVN_NAME_MAX 64

enum options_datapath {
    OPTIONS_DP_AUTO,   /* system if the kernel datapath exists */
    OPTIONS_DP_SYSTEM,
    OPTIONS_DP_NETDEV,
};

enum options_mode {
    OPTIONS_MODE_LOCAL, /* flows of ovsgw's own on a bridge of this host */
    OPTIONS_MODE_OVN,   /* a logical switch and router in OVN */
};

struct options {
    enum options_mode mode;               /* ovsgw.mode */
    char ovn_name[OPTIONS_OVN_NAME_MAX + 1]; /* ovsgw.ovn.name */
    char bridge[OPTIONS_BRIDGE_MAX + 1]; /* "" = derived from NetworkID */
    enum options_datapath datapath;
    bool gateway_mac_set;
    uint8_t gateway_mac[MAC_LEN];
    int mtu;
    bool mtu_set;         /* given, not the mode's default */
    bool nat;             /* ovsgw.nat: masquerade traffic that leaves */
    struct policy policy; /* ovsgw.tcp.default, ovsgw.tcp.rules */
};

/* Parses the generic option map that Docker sends under
 * Options["com.docker.network.generic"] ('generic' may be NULL or JSON
 * null: all defaults).  Keys outside the "ovsgw." namespace are ignored,
 * except the MTU key; every "ovsgw." key must be known and well-formed.
 * OVN mode takes ovsgw.ovn.name (required) and none of the keys that name
 * a bridge of this host (ovsgw.bridge, ovsgw.datapath).
 * Returns NULL and fills 'ret', or returns a malloc'd message naming the
 * key and the bad value ('ret' untouched). */
char *options_parse(const json_t *generic, struct options *ret);

/* True if 'name' can be an OVS bridge or kernel interface name:
 * 1..15 characters of [A-Za-z0-9_.-], not starting with '-' or '.'. */
bool options_valid_ifname(const char *name);

/* The datapath's OVS name ("system" or "netdev"); AUTO is resolved by the
 * caller first. */
const char *options_datapath_name(enum options_datapath dp);

#endif
