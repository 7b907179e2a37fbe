/* The status document: what every network and endpoint of a model looks
 * like, as the JSON that /ovsgw.Status returns and 'ovsgw status' shows
 * (status.h).  Pure. */
#ifndef OVSGW_STATUSDOC_H
#define OVSGW_STATUSDOC_H

#include <jansson.h>

#include "model.h"

/* The document for 'm', with packet counters from 'stats' ({"NAME": [rx,
 * tx]}, vswitch_iface_stats()) and "source" set to 'source' ("daemon" or
 * "ovsdb").  Returns a new object. */
json_t *statusdoc_build(const struct model *m, const json_t *stats,
                        const char *source);

#endif
