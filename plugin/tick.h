/* Housekeeping between calls, every TICK_MS: the model is read from OVSDB
 * if that failed so far; every flow is re-applied after ovs-vswitchd
 * restarted (its pid changed) or a bridge lost its flows; new ports'
 * OpenFlow numbers are checked; idle spares expire.  Each tick runs under
 * a time budget, so the event loop is never held for long. */
#ifndef OVSGW_TICK_H
#define OVSGW_TICK_H

#include <stddef.h>

#define TICK_MS 500
/* The longest a tick may wait on OVSDB or OpenFlow in all. */
#define TICK_BUDGET_MS 2000

/* One tick; 'ovsgw' is a struct ovsgw. */
void tick_run(void *ovsgw);

/* The bridges' OpenFlow sockets, for the loop to watch (http_loop.fds),
 * and what it does when one has input: reads every bridge (packet-ins are
 * answered, late errors make every flow go again). */
size_t tick_fds(void *ovsgw, int *fds, size_t max);
void tick_input(void *ovsgw);

#endif
