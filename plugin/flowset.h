/* The flows of networks and endpoints on their bridges, over one OpenFlow
 * connection per bridge (ofconn.h), kept open between calls.  Flow lines
 * come from flows.h; this module decides how they go: atomically, in one
 * round trip, or without waiting.  Every function returns 0 or -errno and
 * sets a malloc'd message in '*ret_err' (if not NULL) on failure: -EINVAL
 * means OVS refused a line (the message names it), anything else that the
 * connection failed. */
#ifndef OVSGW_FLOWSET_H
#define OVSGW_FLOWSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "ofconn.h"
#include "ofp.h"

struct flowset;

/* A registry of connections to RUNDIR/BRIDGE.mgmt.  The caller owns it;
 * flowset_free() closes every connection (NULL is fine). */
struct flowset *flowset_new(const char *rundir);
void flowset_free(struct flowset *fs);

/* Every flow of 'n' in one atomic bundle: the bridge's table-miss flows,
 * the network's own, its endpoints'; the network's old flows go first.
 * Flows of other networks are untouched. */
int flowset_network_apply(struct flowset *fs, const struct network *n,
                          char **ret_err);

/* Deletes every flow of 'n' (its endpoints' too) atomically; with
 * 'last_on_bridge', also the bridge's table-miss flows. */
int flowset_network_delete(struct flowset *fs, const struct network *n,
                           bool last_on_bridge, char **ret_err);

/* Adds the flows of the endpoint 'e' of 'n', in one round trip; not
 * atomic (flowset_endpoint_delete() undoes a partial add). */
int flowset_endpoint_add(struct flowset *fs, const struct network *n,
                         const struct endpoint *e, char **ret_err);

/* Deletes the flows of 'e' by cookie.  With 'wait' false, without waiting
 * for ovs-vswitchd: it applies one connection's messages in order, and an
 * error comes back later through flowset_poll(). */
int flowset_endpoint_delete(struct flowset *fs, const struct network *n,
                            const struct endpoint *e, bool wait,
                            char **ret_err);

/* Replaces the flows of 'e' atomically (after its OpenFlow port moved). */
int flowset_endpoint_replace(struct flowset *fs, const struct network *n,
                             const struct endpoint *e, char **ret_err);

/* Reads, without blocking, what every bridge sent since the last call.
 * Returns -EINVAL with a message if a bridge refused a change sent
 * without waiting: then every flow must be applied again. */
int flowset_poll(struct flowset *fs, char **ret_err);

/* The number of ovsgw's table-miss flows on 'bridge' (0 when someone
 * wiped its flows). */
int flowset_bridge_flows(struct flowset *fs, const char *bridge,
                         uint32_t *ret_count, char **ret_err);

/* Flows on 'bridge' that are not ovsgw's (neither the table-miss flows
 * nor those of the networks tagged 'tags') and that ovsgw's own would
 * replace or interfere with: any flow in ovsgw's tables 10 to 40, and a
 * table-miss flow (priority 0) in table 0.  Returns 0 and a malloc'd
 * description of the first one in '*ret_what', or NULL if there is none;
 * or -errno. */
int flowset_foreign_flows(struct flowset *fs, const char *bridge,
                          const uint32_t *tags, size_t n_tags,
                          char **ret_what, char **ret_err);

/* Hands every bridge's packet-ins to 'fn' (ofconn_set_packet_in()),
 * those of connections opened later too. */
void flowset_set_packet_in(struct flowset *fs, ofconn_packet_in_fn *fn,
                           void *aux);

/* Opens the connection to 'bridge' if it is closed (for its packet-ins). */
int flowset_open(struct flowset *fs, const char *bridge, char **ret_err);

/* The sockets of the open connections (at most 'max'), for a loop to
 * watch: when one has input, flowset_poll() reads it. */
size_t flowset_fds(const struct flowset *fs, int *fds, size_t max);

/* Closes the connection to 'bridge' (which ovsgw is deleting). */
void flowset_forget(struct flowset *fs, const char *bridge);

#endif
