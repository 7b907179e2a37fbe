/* The remote network driver's HTTP surface: one handler per
 * /NetworkDriver.* call (and /Plugin.Activate, /ovsgw.Status).  Handlers
 * parse and validate the request, orchestrate links, OVSDB and flows,
 * undo in reverse what a failed call did, and turn errors into
 * {"Err": "..."}; the work itself is in the modules they call. */
#ifndef OVSGW_DRIVER_H
#define OVSGW_DRIVER_H

#include <stddef.h>

#include "http.h"

/* The route table for http_server_start(); 'userdata' is a struct
 * ovsgw. */
const struct http_route *driver_routes(size_t *ret_n);

#endif
