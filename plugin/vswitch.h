/* Operations on the Open_vSwitch database schema (bridges, ports,
 * interfaces, their external_ids) over an ovsdb.h connection.  Each is
 * one transaction.  Every function returns 0 (or a count) or -errno and,
 * where it takes 'ret_err', sets a malloc'd message on failure. */
#ifndef OVSGW_VSWITCH_H
#define OVSGW_VSWITCH_H

#include <jansson.h>
#include <stdbool.h>

#include "ovsdb.h"

/* How long to wait for ovs-vswitchd to create a new bridge. */
#define VSWITCH_BRIDGE_WAIT_MS 5000

/* Reads the Bridge row 'name' (columns _uuid, external_ids as an object
 * of strings, datapath_type, fail_mode).  Returns 1 and the row (caller
 * owns) if it exists, 0 if not, or -errno. */
int vswitch_bridge_get(struct ovsdb *db, const char *name, json_t **ret_row,
                       char **ret_err);

/* Creates the bridge 'name' with fail_mode secure, OpenFlow 1.0 to 1.4,
 * datapath 'datapath' and 'ext' (an object of strings, taken) in
 * external_ids, with its internal port. */
int vswitch_bridge_create(struct ovsdb *db, const char *name,
                          const char *datapath, json_t *ext, char **ret_err);

/* The same with 'fail_mode' ("secure", "standalone"), 'hwaddr' (the MAC
 * of its own port, or NULL) and 'iface_ext' (taken, may be NULL) in the
 * external_ids of its own interface. */
int vswitch_bridge_create_as(struct ovsdb *db, const char *name,
                             const char *datapath, const char *fail_mode,
                             const char *hwaddr, json_t *ext,
                             json_t *iface_ext, char **ret_err);

/* Waits until ovs-vswitchd made the bridge 'name' (its datapath_id is
 * set), at most VSWITCH_BRIDGE_WAIT_MS.  On failure the message says what
 * ovs-vswitchd reported for the bridge's own interface, if anything. */
int vswitch_bridge_wait(struct ovsdb *db, const char *name, char **ret_err);

/* Deletes the bridge 'name' (with its ports).  A bridge that is not there
 * is not an error. */
int vswitch_bridge_delete(struct ovsdb *db, const char *name,
                          char **ret_err);

/* Sets or deletes one key of the bridge's external_ids. */
int vswitch_bridge_set_key(struct ovsdb *db, const char *name,
                           const char *key, const char *value,
                           char **ret_err);
int vswitch_bridge_del_key(struct ovsdb *db, const char *name,
                           const char *key, char **ret_err);

/* Adds the port 'ifname' (a system interface) to 'bridge', asking for
 * OpenFlow port 'ofport' (if positive), with 'ext' (taken) in the interface's
 * external_ids.  Does not wait for ovs-vswitchd.  -ENOENT if the bridge
 * is gone. */
int vswitch_port_add(struct ovsdb *db, const char *bridge,
                     const char *ifname, int ofport, json_t *ext,
                     char **ret_err);

/* Adds the internal port 'ifname' to 'bridge' (a tap or internal device on
 * the host), asking for OpenFlow port 'ofport' and the MAC 'mac', with
 * 'ext' (taken) in its interface's external_ids.  -ENOENT if the bridge
 * is gone. */
int vswitch_internal_add(struct ovsdb *db, const char *bridge,
                         const char *ifname, int ofport, const char *mac,
                         json_t *ext, char **ret_err);

/* Waits until ovs-vswitchd has numbered the interface 'name', at most
 * VSWITCH_BRIDGE_WAIT_MS, and sets '*ret_ofport'. */
int vswitch_iface_wait_ofport(struct ovsdb *db, const char *name,
                              int *ret_ofport, char **ret_err);

/* Removes the port 'name' from 'bridge'.  A port that is not there is not
 * an error. */
int vswitch_port_del(struct ovsdb *db, const char *bridge, const char *name,
                     char **ret_err);

/* Replaces ovsgw's keys ("ovsgw-...") in the external_ids of the
 * interface 'name' with 'ext' (taken); the others' keys stay.  -ENOENT if
 * there is no such interface. */
int vswitch_iface_set_ext(struct ovsdb *db, const char *name, json_t *ext,
                          char **ret_err);

/* Reads 'columns' (comma-separated) of the interface 'name': 1 and the row
 * (caller owns), 0 if there is none, or -errno. */
int vswitch_iface_get(struct ovsdb *db, const char *name,
                      const char *columns, json_t **ret_row, char **ret_err);

/* Reads 'columns' of every interface.  Returns 0 and the rows (caller
 * owns), or -errno. */
int vswitch_ifaces(struct ovsdb *db, const char *columns, json_t **ret_rows,
                   char **ret_err);

/* The OpenFlow port numbers of every interface of 'bridge' (given or asked
 * for), into a malloc'd array '*ret' of '*ret_n'. */
int vswitch_bridge_ofports(struct ovsdb *db, const char *bridge, int **ret,
                           size_t *ret_n, char **ret_err);

/* Whether ovs-vswitchd keeps TSO on userspace ports (Open_vSwitch
 * other_config:userspace-tso-enable).  Also shows that ovsdb-server
 * answers: ovs-vswitchd serves no OpenFlow while it has lost
 * ovsdb-server, so a call that changes things asks this first. */
int vswitch_userspace_tso(struct ovsdb *db, bool *ret_on, char **ret_err);

/* Every bridge (name, external_ids, datapath_type) and interface (name,
 * external_ids, ofport, ofport_request), read in one transaction, for
 * rebuilding the model.  external_ids come as objects of strings. */
int vswitch_load(struct ovsdb *db, json_t **ret_bridges, json_t **ret_ifaces,
                 char **ret_err);

/* Packet counters of every interface and whether ovn-controller has
 * installed it: {"NAME": [rx, tx, installed]}.  An empty object when OVSDB
 * cannot be read. */
json_t *vswitch_iface_stats(struct ovsdb *db);

/* The value of 'key' in the Open_vSwitch row's external_ids (e.g.
 * "system-id"), or NULL if it is unset, empty or cannot be read.
 * Malloc'd. */
char *vswitch_system_key(struct ovsdb *db, const char *key);

/* In the Open_vSwitch row's external_ids 'key', a comma-separated list of
 * "name:value" items (ovn-bridge-mappings): replaces the item of 'name'
 * with 'item' ("name:value"), or drops it if 'item' is NULL; deletes the
 * key when the list is left empty.  Other items stay; a concurrent change
 * of the row's external_ids makes it read and try again. */
int vswitch_system_list_set(struct ovsdb *db, const char *key,
                            const char *name, const char *item,
                            char **ret_err);

#endif
