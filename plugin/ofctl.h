/* Applies flow changes to a bridge atomically, as one OpenFlow 1.4 bundle
 * sent by 'ovs-ofctl --bundle add-flows' (spawned with an argv, never a
 * shell). */
#ifndef OVSGW_OFCTL_H
#define OVSGW_OFCTL_H

/* Sends 'flows' (lines in ovs-ofctl's add-flows format; lines may start
 * with "delete") to the bridge 'bridge' whose management socket is in
 * 'rundir'.  All lines take effect or none do.  Returns 0, or -errno with
 * ovs-ofctl's message in '*ret_err' (malloc'd) when 'ret_err' is not NULL. */
int ofctl_bundle(const char *rundir, const char *bridge, const char *flows,
                 char **ret_err);

/* Counts the flows on 'bridge' whose cookie matches 'cookie'/'mask'.
 * Returns the count or -errno. */
int ofctl_count(const char *rundir, const char *bridge,
                unsigned long long cookie, unsigned long long mask);

#endif
