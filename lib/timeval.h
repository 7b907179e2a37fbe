/* Monotonic time, and the time budget of the operation in progress.
 *
 * Each blocking wait in the daemon (OVSDB, OpenFlow) has a timeout of its
 * own, but one Docker call makes several of them.  The caller sets one
 * budget for the whole call with time_budget_begin(); every wait then ends
 * at its own timeout or at the budget's end, whichever comes first, so the
 * call as a whole stays bounded.  Single-threaded: one budget at a time. */
#ifndef OVSGW_TIMEVAL_H
#define OVSGW_TIMEVAL_H

/* CLOCK_MONOTONIC in milliseconds and microseconds. */
long long time_msec(void);
long long time_usec(void);

/* Starts a budget of 'ms' milliseconds from now; replaces any other. */
void time_budget_begin(long long ms);
/* Ends the budget: waits are bounded by their own timeouts only. */
void time_budget_end(void);
/* The deadline of a wait that may take 'timeout_ms': now + timeout_ms, or
 * the budget's end if that comes first. */
long long time_deadline(long long timeout_ms);

#endif
