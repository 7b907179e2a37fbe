/* A small RFC 7047 client: one persistent connection to one database of
 * an ovsdb-server (Open_vSwitch, or OVN_Northbound), over a unix socket or
 * TCP, blocking calls under a deadline.  Not thread-safe: one caller at a
 * time. */
#ifndef OVSGW_OVSDB_H
#define OVSGW_OVSDB_H

#include <jansson.h>

#define OVSDB_TIMEOUT_MS 10000
/* How long a TCP connect may take. */
#define OVSDB_CONNECT_MS 2000

struct ovsdb;

/* Prepares a client for the database 'dbname' at 'remote'
 * ("unix:/path/db.sock", "tcp:IP:PORT", "tcp:[IPV6]:PORT").  It connects
 * on the first call and again after a broken connection.  Returns 0 or
 * -EINVAL for a remote it cannot use. */
int ovsdb_new_db(const char *remote, const char *dbname, struct ovsdb **ret);

/* ovsdb_new_db() for the Open_vSwitch database. */
int ovsdb_new(const char *remote, struct ovsdb **ret);

/* Closes the connection and frees 'db'.  NULL is fine. */
void ovsdb_free(struct ovsdb *db);

/* Runs one transaction on the client's database.  Takes ownership of 'ops'
 * (a JSON array of operations).  On success returns 0 and, if 'ret_results'
 * is not NULL, the result array (caller owns).  When the server refuses the
 * transaction or an operation fails, returns -EPROTO (-EAGAIN when a
 * "wait" operation failed: the rows it waits on changed) and, if
 * 'ret_err' is not NULL, a malloc'd message from the server; I/O errors
 * return -errno (-ETIMEDOUT when no answer came in time) with a message as
 * well. */
int ovsdb_transact(struct ovsdb *db, json_t *ops, json_t **ret_results,
                   char **ret_err);

/* Selects 'columns' (comma-separated, e.g. "name,ofport") of the rows of
 * 'table' whose "name" is 'name', or of every row when 'name' is NULL.
 * Returns 0 and the array of rows (caller owns), or -errno as
 * ovsdb_transact(). */
int ovsdb_select(struct ovsdb *db, const char *table, const char *name,
                 const char *columns, json_t **ret_rows, char **ret_err);

/* Helpers that build OVSDB values; each returns a new reference. */
json_t *ovsdb_map(json_t *obj);          /* {"k":"v"} -> ["map",[[k,v]]] */
json_t *ovsdb_map_take(json_t *obj);     /* the same, and steals obj */
json_t *ovsdb_set1(json_t *v);           /* steals v: ["set",[v]] */
json_t *ovsdb_named(const char *name);   /* ["named-uuid", name] */
json_t *ovsdb_uuid(const char *uuid);    /* ["uuid", uuid] */

/* Reads a map column value ["map",[[k,v],...]] into a new object of
 * strings.  Returns an empty object for anything else. */
json_t *ovsdb_map_to_object(const json_t *col);

/* The integer in a column that is an integer or a one-element set; else
 * 'dflt'. */
long long ovsdb_int_value(const json_t *col, long long dflt);

#endif
