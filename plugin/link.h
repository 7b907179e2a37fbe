/* Kernel links through libnl-route: veth pairs, and TX checksum offload
 * through SIOCETHTOOL.  Every function returns 0 or -errno; libnl's
 * -NLE_* codes never leave this module. */
#ifndef OVSGW_LINK_H
#define OVSGW_LINK_H

#include <stdbool.h>
#include <stdint.h>

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

#endif
