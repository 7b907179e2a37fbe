/* Rebuilding the model from OVSDB: at start, on the first call that needs
 * it, and for 'ovsgw status' when no daemon answers. */
#ifndef OVSGW_RESTORE_H
#define OVSGW_RESTORE_H

#include <jansson.h>

#include "model.h"
#include "ovsdb.h"
#include "ovsgw.h"

/* Reads every network, endpoint and spare of the driver 'driver' from
 * OVSDB into 'm' (which must be empty), changing nothing.  States that
 * cannot be used are skipped with a log line.  Returns 0 or -errno with a
 * malloc'd message. */
int restore_load(struct ovsdb *db, const char *driver, struct model *m,
                 char **ret_err);

/* Makes sure the model of 'g' was read from OVSDB before a call uses it:
 * the first time, loads it, removes endpoints whose veth vanished while
 * the daemon was down and spares that cannot be used, and re-applies
 * every flow.  Returns 0 or -errno with a malloc'd message. */
int restore_ensure(struct ovsgw *g, char **ret_err);

#endif
