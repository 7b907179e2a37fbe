/* Kernel links through libnl-route: veth pairs, the host end of uplinks
 * with their addresses and routes, and TX checksum offload through
 * SIOCETHTOOL.  Every function returns 0 or -errno; libnl's
 * -NLE_* codes never leave this module. */
#ifndef OVSGW_LINK_H
#define OVSGW_LINK_H

#include <stdbool.h>
#include <stdint.h>

#include <netinet/in.h>

#include "addr.h"
#include "util.h"

/* Creates the veth pair 'host' <-> 'peer' with 'mtu' on both ends and
 * 'peer_mac' on the peer (the end that goes into the container), then
 * brings 'host' up.  Fails with -EEXIST if either name is taken; on any
 * failure nothing is left behind. */
int link_veth_create(const char *host, const char *peer,
                     const uint8_t peer_mac[MAC_LEN], int mtu);

/* Deletes the link 'name' (a veth's other end goes with it).  Returns
 * -ENODEV if there is no such link. */
int link_delete(const char *name);

/* Readies a kept veth pair for another endpoint: 'mtu' on both ends (if it
 * differs), 'peer' down.  Not the MAC: Docker sets the endpoint's MAC on
 * the peer once it is in the container, where ovs-vswitchd does not see
 * the change (every link change on the host makes it reconfigure all its
 * bridges). */
int link_veth_reuse(const char *host, const char *peer, int mtu);

/* Takes the link 'name' down. */
int link_set_down(const char *name);

/* True if a link called 'name' exists in this network namespace. */
bool link_exists(const char *name);

/* Turns TX checksum offload of 'name' on or off (ethtool -K NAME tx). */
int link_set_tx_csum(const char *name, bool on);

/* Readies the host end of an uplink: up, with 'ip'/32 (host order) and
 * 'ip6'/128 (if not NULL, and if the host has IPv6) on it, and
 * net.ipv4.conf.NAME.route_localnet on, so that the host's own 127.0.0.1
 * can reach published ports.  Changes only what differs.  -ENODEV if
 * there is no such link (yet). */
int link_uplink_setup(const char *name, uint32_t ip,
                      const struct in6_addr *ip6);

/* Adds (or replaces) the route dst/plen via 'gw' on 'dev' (onlink: 'gw'
 * needs no address of the host's in its prefix), with 'src' (may be NULL)
 * as the host's source address.  Addresses are 'family' (AF_INET or
 * AF_INET6) bytes in network order. */
int link_route_add(int family, const void *dst, int plen, const void *gw,
                   const char *dev, const void *src);

/* Deletes the route dst/plen on 'dev' (any device if 'dev' is gone).  A
 * route that is not there is not an error. */
int link_route_del(int family, const void *dst, int plen, const char *dev);

/* True if the main table routes dst/plen out of 'dev'. */
bool link_route_present(int family, const void *dst, int plen,
                        const char *dev);

#endif
