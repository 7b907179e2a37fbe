/* Neighbor Discovery on the kernel datapath: OVS's kernel datapath cannot
 * rewrite a Neighbor Solicitation into an Advertisement (it refuses to set
 * nd_reserved and nd_options_type), so there the flows send every
 * solicitation that passed port security to the controller (flows.h,
 * nd_controller), and ovsgw answers it here from its model, as the
 * userspace datapath's flows do: a gateway with the gateway MAC, an
 * endpoint's address with its MAC, nobody else.  While ovsgw is down,
 * solicitations go unanswered (neighbour entries the containers already
 * have keep working until they expire). */
#ifndef OVSGW_NDPROXY_H
#define OVSGW_NDPROXY_H

#include <stddef.h>
#include <stdint.h>

#include "ofconn.h"

/* An ofconn_packet_in_fn; 'ovsgw' is a struct ovsgw. */
void ndproxy_packet_in(void *ovsgw, struct ofconn *c, const uint8_t *msg,
                       size_t len);

#endif
