/* 'ovsgw status': what every network and endpoint looks like, from the
 * running daemon or, when none answers, from OVSDB.  Changes nothing. */
#ifndef OVSGW_STATUS_H
#define OVSGW_STATUS_H

#include <jansson.h>

/* Runs 'ovsgw status [--json] [--socket PATH] [--ovsdb unix:PATH]'
 * ('argv[0]' is "status").  Returns the process exit code. */
int status_main(int argc, char **argv, const char *default_socket,
                const char *default_ovsdb);

/* The human-readable form of a status document (the JSON of
 * /ovsgw.Status).  Pure.  Returns a malloc'd string. */
char *status_format(const json_t *status);

#endif
