/* The host's netfilter rules of ovsgw's networks, for iptables-restore:
 * what they should be (from the model), and what to change to get there
 * from what iptables-save shows.  Pure.
 *
 * Every rule lives in chains of ovsgw's own, BASE-FWD (filter), BASE-DNAT
 * and BASE-POST (nat), BASE-RAW (raw), where BASE is "OVSGW" for the
 * driver "ovsgw" and "OVSGW-<8 hex digits of the name's hash>" for other
 * instances.  Docker's chains are never written; built-in chains only get
 * one jump each into ovsgw's:
 *   filter FORWARD      -j BASE-FWD        (first: dockerd sets FORWARD's
 *                                           policy to DROP)
 *   nat PREROUTING      -m addrtype --dst-type LOCAL -j BASE-DNAT
 *   nat OUTPUT          -m addrtype --dst-type LOCAL -j BASE-DNAT
 *   nat POSTROUTING     -j BASE-POST
 *   raw PREROUTING      -j BASE-RAW
 * Per network that is not --internal, with UP its bridge's uplink:
 *   replies and published ports in, nothing else in, everything out but
 *   into another ovsgw uplink (isolation through the host); masquerade
 *   unless ovsgw.nat=false; hairpin masquerade of published ports;
 *   masquerade of the host's 127.0.0.1 clients; and a raw guard so that
 *   containers never reach the host's 127.0.0.0/8, nor the host's stack
 *   through the host end of their veth. */
#ifndef OVSGW_NFRULES_H
#define OVSGW_NFRULES_H

#include <stdbool.h>

#include "model.h"

/* Interfaces of ovsgw's uplinks start with this, the host ends of its
 * containers' veths with that. */
#define NFRULES_UPLINK_PREFIX "ovsgwu"
#define NFRULES_VETH_PREFIX "og"

enum nfrules_table { NF_FILTER, NF_NAT, NF_RAW, NF_N_TABLES };

struct nfrules {
    char base[32];
    /* Rules of ovsgw's chains, per table: lines "-A CHAIN ...\n" in the
     * form iptables-save prints them. */
    char *rules[NF_N_TABLES];
    bool empty; /* no network at all: chains and jumps go */
};

/* The chain name prefix for the driver 'driver' into 'buf'. */
void nfrules_base(const char *driver, char buf[32]);

/* The rules of the networks of 'm' for the driver 'driver', for
 * iptables ('family' 4) or ip6tables (6).  Free with nfrules_clear(). */
void nfrules_build(const struct model *m, const char *driver, int family,
                   struct nfrules *ret);
void nfrules_clear(struct nfrules *r);

/* What iptables-restore --noflush must get so that the tables become
 * 'want', given 'saved' (iptables-save's output, all tables): ovsgw's
 * chains replaced if they differ, a missing jump inserted, a jump that is
 * there twice deleted once; with 'want->empty', jumps and chains deleted.
 * Returns a malloc'd text, or NULL when nothing is to be changed. */
char *nfrules_plan(const struct nfrules *want, const char *saved);

#endif
