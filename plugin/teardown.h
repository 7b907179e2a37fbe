/* Undoing what an endpoint has: its flows, its OVS port, its veth.  Used
 * by DeleteEndpoint and DeleteNetwork, and by restore for endpoints whose
 * container went away while the daemon was down. */
#ifndef OVSGW_TEARDOWN_H
#define OVSGW_TEARDOWN_H

#include "ovsgw.h"

/* Removes the flows of 'e' (by cookie, without waiting), its port and its
 * veth pair; in OVN mode its logical port, then its port and veth pair.  Goes on after a failed step so that as little as possible
 * is left; returns 0 or the first error, with a malloc'd message in
 * '*ret_err'.  The model is the caller's to change. */
int teardown_endpoint(struct ovsgw *g, const struct network *n,
                      const struct endpoint *e, char **ret_err);

/* Removes the port 'host_if' from 'bridge' (if 'bridge' is not NULL) and
 * deletes the veth 'host_if'.  Returns 0 or the first error, with a
 * message. */
int teardown_port(struct ovsgw *g, const char *bridge, const char *host_if,
                  char **ret_err);

#endif
