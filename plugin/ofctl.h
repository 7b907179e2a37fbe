/* Flow counts by cookie through 'ovs-ofctl dump-flows' (spawned with an
 * argv, never a shell): for the periodic check that a bridge still has
 * its flows, off the path of Docker's calls (flow changes go through
 * ofconn.h). */
#ifndef OVSGW_OFCTL_H
#define OVSGW_OFCTL_H

/* Counts the flows on 'bridge' whose cookie matches 'cookie'/'mask'.
 * Returns the count or -errno. */
int ofctl_count(const char *rundir, const char *bridge,
                unsigned long long cookie, unsigned long long mask);

#endif
