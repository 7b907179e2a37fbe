/* Housekeeping between calls, every TICK_MS: the model is read from OVSDB
 * if that failed so far; every flow is re-applied after ovs-vswitchd
 * restarted (its pid changed) or a bridge lost its flows; new ports'
 * OpenFlow numbers are checked; idle spares expire.  Each tick runs under
 * a time budget, so the event loop is never held for long. */
#ifndef OVSGW_TICK_H
#define OVSGW_TICK_H

#define TICK_MS 500
/* The longest a tick may wait on OVSDB or OpenFlow in all. */
#define TICK_BUDGET_MS 2000

/* One tick; 'ovsgw' is a struct ovsgw. */
void tick_run(void *ovsgw);

#endif
