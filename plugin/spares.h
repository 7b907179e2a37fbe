/* The spare-port pool.  When an endpoint goes, its veth pair and OVS port
 * can stay as a spare of the bridge, without flows (nothing passes a port
 * that has none), and the next endpoint on that bridge takes them over
 * with its own MAC and flows.  That saves the kernel's veth deletion (it
 * waits for an RCU grace period) and ovs-vswitchd's reconfiguration for a
 * port added or removed (it grows with the number of ports): a spare
 * changes only external_ids, which ovs-vswitchd does not watch.  At most
 * pool_max are kept per bridge; the tick deletes those idle for
 * pool_idle_ms. */
#ifndef OVSGW_SPARES_H
#define OVSGW_SPARES_H

#include <stdbool.h>

#include "ovsgw.h"

/* Keeps the port of the endpoint 'e', which is going, as a spare: its
 * flows out, the container end down (Docker has moved it back from the
 * container), external_ids saying it is a spare.  Returns false if it did
 * not (pool full, container end gone, or a step failed): then the caller
 * must tear down what is left (teardown.h). */
bool spares_keep(struct ovsgw *g, const struct network *n,
                 const struct endpoint *e);

/* Deletes every spare of 'bridge'; their ports too, unless 'port' is
 * false (the bridge goes anyway). */
void spares_drop(struct ovsgw *g, const char *bridge, bool port);

/* From the tick: deletes one spare that has been idle too long or is one
 * too many (after a restart with a smaller --pool); one per tick, as each
 * costs a veth deletion and a reconfiguration. */
void spares_expire(struct ovsgw *g);

/* From the tick: reads the OpenFlow port ovs-vswitchd gave each spare
 * that was kept before it was checked: the number asked for, another one
 * (the next endpoint uses that), or none (the spare is deleted). */
void spares_verify(struct ovsgw *g);

/* From restore: keeps the spares of 'g''s model whose bridge carries one
 * of this driver's networks and whose veth ends both exist; deletes the
 * others. */
void spares_restore(struct ovsgw *g);

#endif
