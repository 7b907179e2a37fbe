/* How an OVN-mode network maps into OVN's northbound database: the rows
 * and the transactions, as OVSDB JSON.  Pure: no I/O (ovn.h sends them).
 *
 *   Logical_Switch  "ovsgw-NAME": the network (NAME is ovsgw.ovn.name).
 *                   external_ids: ovsgw-name, ovsgw-config (what every
 *                   host's network must agree on: gateway MAC, subnets,
 *                   TCP policy), and one ovsgw-host-<chassis> key per host
 *                   that has the network (value: its Docker network ID).
 *                   The last host to leave deletes the switch and router.
 *   ACL             the TCP policy, on the switch, from-lport: only a new
 *                   connection's SYN (SYN set, ACK clear) is judged.
 *   Logical_Router  "ovsgw-NAME:lr", one port "ovsgw-NAME:lrp" whose MAC is
 *                   the gateway MAC and whose networks are every subnet's
 *                   gateway: OVN answers the gateways' ARP, ND and ping.
 *   The way out (not for --internal): the router's second port
 *                   "ovsgw-NAME:lrpx" (OVNNB_ROUTER_EXT, MAC 0e:6f:...) on a
 *                   switch "ovsgw-NAME:ext" whose localnet port
 *                   "ovsgw-NAME-ln" is, on every host, that host's own
 *                   bridge of the network (ovn-bridge-mappings
 *                   "ovsgw-NAME:ovsgwu..."), whose host end has
 *                   OVNNB_HOST_EXT; default routes via it.  Each host
 *                   routes, masquerades and publishes ports in its own
 *                   stack, as in local mode: the router is distributed, so
 *                   a container's traffic leaves through its own host.
 *   Logical_Switch_Port
 *                   "ovsgw-NAME:rtr" (type router) joins the two; each
 *                   endpoint is "ovsgw-<EndpointID>" with addresses and
 *                   port_security "MAC IPv4 [IPv6]", external_ids
 *                   ovsgw-name, ovsgw-host (the chassis), ovsgw-hostname.
 */
#ifndef OVSGW_OVNNB_H
#define OVSGW_OVNNB_H

#include <jansson.h>
#include <stdbool.h>

#include "model.h"

#define OVNNB_EXT_NAME "ovsgw-name"
#define OVNNB_EXT_CONFIG "ovsgw-config"
#define OVNNB_EXT_HOST_PREFIX "ovsgw-host-"
#define OVNNB_EXT_HOST "ovsgw-host"
#define OVNNB_EXT_HOSTNAME "ovsgw-hostname"

/* The router's address on the way out, and the host end's (the local
 * uplinks' transit addresses, uplink.h). */
#define OVNNB_ROUTER_EXT "169.254.100.2"
#define OVNNB_ROUTER_EXT6 "fd6f:7673:6777::2"
#define OVNNB_HOST_EXT "169.254.100.1"
#define OVNNB_HOST_EXT6 "fd6f:7673:6777::1"

/* ACL priorities: rule i (first match wins) has OVNNB_PRIO_RULE - i, the
 * default deny OVNNB_PRIO_DEFAULT. */
#define OVNNB_PRIO_RULE 2000
#define OVNNB_PRIO_DEFAULT 1000

/* The names of the rows of the logical network 'name'.  Malloc'd. */
char *ovnnb_switch_name(const char *name);
char *ovnnb_router_name(const char *name);
char *ovnnb_lrp_name(const char *name);
char *ovnnb_rtr_port_name(const char *name);
char *ovnnb_endpoint_port_name(const char *endpoint_id);
char *ovnnb_ext_switch_name(const char *name);
/* The localnet's network name: what ovn-bridge-mappings maps. */
char *ovnnb_physnet(const char *name);
/* The switch's external_ids key of host 'chassis'. */
char *ovnnb_host_key(const char *chassis);

/* What every host's network of one name must agree on, as text. */
char *ovnnb_config(const struct network *n);

/* The match of each ACL row of policy 'p' (IPv6 rules only with 'ipv6'),
 * with its priority and action, as a JSON array of ACL rows.  Returns a
 * new array (empty when there is nothing to enforce). */
json_t *ovnnb_acls(const struct policy *p, bool ipv6);

/* The transaction that creates the logical network of 'n' for the host
 * 'chassis', provided no switch of its name exists yet. */
json_t *ovnnb_create_ops(const struct network *n, const char *chassis);

/* Adds host 'chassis' to the switch 'ls_uuid' (the caller checks that
 * the mutate touched a row: the switch may have gone meanwhile). */
json_t *ovnnb_join_ops(const char *ls_uuid, const struct network *n,
                       const char *chassis);
/* Removes host 'chassis' from the switch 'ls_uuid', provided its
 * external_ids are still 'ext_seen' (no host joined or left meanwhile).
 * With 'last', removes the logical network 'name' instead: its switches
 * and router. */
json_t *ovnnb_leave_ops(const char *ls_uuid, const json_t *ext_seen,
                        const char *chassis, bool last, const char *name);

/* The endpoint's "MAC IPv4 [IPv6]". */
char *ovnnb_endpoint_address(const struct endpoint *e);

/* Adds the port of endpoint 'e' of 'n' to the switch 'ls_uuid', provided
 * its ports are still 'ports_seen' (an OVSDB set). */
json_t *ovnnb_port_add_ops(const char *ls_uuid, const json_t *ports_seen,
                           const struct network *n, const struct endpoint *e,
                           const char *chassis, const char *hostname);

/* Takes the port 'lsp_uuid' out of the switch 'ls_uuid' (OVSDB then
 * deletes the port row: nothing else refers to it). */
json_t *ovnnb_port_del_ops(const char *ls_uuid, const char *lsp_uuid);

/* Checks the endpoint ports 'lsps' (rows with name, addresses,
 * external_ids) of a logical network for one that has the IPv4 address,
 * IPv6 address or MAC of 'e', other than 'e''s own.  Returns NULL or a
 * malloc'd message that names the other endpoint's host. */
char *ovnnb_conflict(const json_t *lsps, const struct endpoint *e);

#endif
