/* A network's place on its OVS bridge: creating the bridge or joining an
 * existing one, and leaving it.  A bridge can carry several networks, of
 * this driver or of another ovsgw instance, and may belong to someone
 * else: ovsgw never deletes, replaces or changes what another party
 * relies on there (the bridge, its fail_mode, its table-miss flows, its
 * OpenFlow port numbers, other networks' tags), and refuses a bridge where
 * that cannot be kept. */
#ifndef OVSGW_BRIDGE_H
#define OVSGW_BRIDGE_H

#include <stdbool.h>

#include "ovsgw.h"

/* Puts 'n' (not yet in the model) on its bridge: creates the bridge (and
 * waits until ovs-vswitchd has it), or joins it; picks the network's tag
 * and stores the network's state on the bridge.  Sets n->tag, n->netdev
 * and n->bridge_owned.  On failure nothing is left: a bridge this call
 * created is deleted again.  Returns 0 or -errno with a malloc'd message;
 * -EBUSY when the bridge is someone else's in a way ovsgw cannot share. */
int bridge_join(struct ovsgw *g, struct network *n, char **ret_err);

/* Takes 'n' off its bridge: its flows and its state, and the bridge
 * itself when ovsgw created it and no network of any ovsgw instance is
 * left on it; this driver's spares there go with its last network there.
 * Sets '*ret_deleted' (may be NULL) if the bridge was deleted.  Returns 0
 * or -errno with a malloc'd message. */
int bridge_leave(struct ovsgw *g, struct network *n, bool *ret_deleted,
                 char **ret_err);

#endif
