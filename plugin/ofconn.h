/* One persistent OpenFlow 1.4 connection to a bridge's management socket
 * (RUNDIR/BRIDGE.mgmt), over which flow changes go as atomic bundles.
 * It replaces one ovs-ofctl process per change: no spawn, no handshake per
 * call.  The connection is opened on first use and again after it breaks
 * (ovs-vswitchd restarted, bridge re-created). */
#ifndef OVSGW_OFCONN_H
#define OVSGW_OFCONN_H

#include <stddef.h>
#include <stdint.h>

#include "ofp.h"

/* Every call waits at most OFCONN_TIMEOUT_MS, or until the end of the
 * time budget (timeval.h) if that comes first. */
#define OFCONN_TIMEOUT_MS 10000

struct ofconn;

/* A connection to RUNDIR/BRIDGE.mgmt, opened on first use.  Never fails;
 * the caller owns the result and frees it with ofconn_free() (NULL is
 * fine), which closes the connection. */
struct ofconn *ofconn_new(const char *rundir, const char *bridge);
void ofconn_free(struct ofconn *c);
/* The bridge's name (owned by 'c'). */
const char *ofconn_bridge(const struct ofconn *c);

/* Applies 'flows' (lines as flows.h writes them, "delete cookie=C/M" lines
 * included) to the bridge: all lines take effect or none do.  A broken
 * connection is reopened and the bundle sent once more.  Returns 0, or
 * -errno with a message in '*ret_err' (malloc'd) if 'ret_err' is not
 * NULL: the line OVS refused and why, or what failed on the socket. */
int ofconn_bundle(struct ofconn *c, const char *flows, char **ret_err);

/* Like ofconn_bundle(), in one round trip instead of two, but without the
 * all-or-nothing: when OVS refuses a line, the others stay applied.  For
 * changes that one "delete cookie" line can undo. */
int ofconn_flows(struct ofconn *c, const char *flows, char **ret_err);

/* Like ofconn_flows(), without waiting for ovs-vswitchd: for deletions by
 * cookie, which nothing waits for (ovs-vswitchd applies everything on the
 * connection in order, so later flows come after them).  An error comes
 * back later, through ofconn_poll(). */
int ofconn_flows_nowait(struct ofconn *c, const char *flows, char **ret_err);

/* Reads, without blocking, what ovs-vswitchd sent on the connection since
 * the last call.  Returns -EINVAL with a message in '*ret_err' if it
 * refused something sent by ofconn_flows_nowait(), else 0 or -errno. */
int ofconn_poll(struct ofconn *c, char **ret_err);

/* Called with every PACKET_IN (a packet that a flow sent to the
 * controller), as received, while the connection reads anything: the
 * function may answer with ofconn_packet_out(). */
typedef void ofconn_packet_in_fn(void *aux, struct ofconn *c,
                                 const uint8_t *msg, size_t len);

/* Hands every PACKET_IN to 'fn' from now on.  Each time the connection
 * opens, it asks ovs-vswitchd for them (SET_CONFIG with a miss_send_len:
 * a management-socket connection gets none otherwise), so a connection
 * already open gets them only once it opens again. */
void ofconn_set_packet_in(struct ofconn *c, ofconn_packet_in_fn *fn,
                          void *aux);

/* Sends 'len' bytes of 'data' out of the OpenFlow port 'port', without
 * waiting for anything.  Returns 0, or -errno (-ENOTCONN when the
 * connection is closed: it is not opened for this). */
int ofconn_packet_out(struct ofconn *c, uint32_t port, const uint8_t *data,
                      size_t len);

/* The connection's socket, for a loop to watch for input (and then call
 * ofconn_poll()), or -1 while it is closed. */
int ofconn_fd(const struct ofconn *c);

/* Opens the connection if it is closed, so that packet-ins can come
 * (nothing else opens it but a call that sends).  Returns 0 or -errno
 * with a message. */
int ofconn_open(struct ofconn *c, char **ret_err);

/* Counts the flows whose cookie matches 'cookie' under 'mask', in every
 * table.  Returns 0 and the count, or -errno with a message. */
int ofconn_flow_count(struct ofconn *c, uint64_t cookie, uint64_t mask,
                      uint32_t *ret_count, char **ret_err);

/* Lists the table, priority and cookie of every flow in 'table'
 * (OFPTT_ALL: all tables).  Returns 0 and a malloc'd array, or -errno
 * with a message. */
int ofconn_flow_heads(struct ofconn *c, uint8_t table,
                      struct ofp_flow_head **ret, size_t *ret_n,
                      char **ret_err);

#endif
