/* One persistent OpenFlow 1.4 connection to a bridge's management socket
 * (RUNDIR/BRIDGE.mgmt), over which flow changes go as atomic bundles.
 * It replaces one ovs-ofctl process per change: no spawn, no handshake per
 * call.  The connection is opened on first use and again after it breaks
 * (ovs-vswitchd restarted, bridge re-created). */
#ifndef OVSGW_OFCONN_H
#define OVSGW_OFCONN_H

struct ofconn;

struct ofconn *ofconn_new(const char *rundir, const char *bridge);
void ofconn_free(struct ofconn *c);
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

#endif
