/* The host's netfilter, through iptables-save and iptables-restore (the
 * tools and the nf_tables backend that dockerd uses), kept in line with
 * the model's rules (nfrules.h). */
#ifndef OVSGW_NETFILTER_H
#define OVSGW_NETFILTER_H

#include <stdbool.h>

#include "ovsgw.h"

/* How long iptables-save or iptables-restore may take. */
#define NETFILTER_TIMEOUT_MS 5000

/* Reads the rules with iptables-save and, if ovsgw's differ from what the
 * model wants (or a jump into them is missing or doubled), changes them
 * in one iptables-restore --noflush transaction.  Nothing when
 * g->iptables is off.  Sets '*ret_changed' (may be NULL).  Returns 0 or
 * -errno with a malloc'd message. */
int netfilter_sync(struct ovsgw *g, bool *ret_changed, char **ret_err);

#endif
