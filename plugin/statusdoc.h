/* The status document: what every network and endpoint of a model looks
 * like, as the JSON that /ovsgw.Status returns and 'ovsgw status' shows
 * (status.h).  Pure. */
#ifndef OVSGW_STATUSDOC_H
#define OVSGW_STATUSDOC_H

#include <jansson.h>

#include "model.h"

/* The document for 'm', with packet counters and OVN's word from 'stats'
 * ({"NAME": [rx, tx, installed]}, vswitch_iface_stats()), this host's OVN
 * 'chassis' (NULL if none) and "source" set to 'source' ("daemon" or
 * "ovsdb").  Returns a new object. */
json_t *statusdoc_build(const struct model *m, const json_t *stats,
                        const char *chassis, const char *source);

#endif
