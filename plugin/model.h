/* The in-memory model of what this driver runs: networks with their
 * endpoints, and the spare ports kept for the next endpoints.  Also the
 * allocators that keep numbers and names unique: network tags, endpoint
 * cookie halves, OpenFlow port numbers, port names.  No I/O: what is
 * stored, flows and links derive from this. */
#ifndef OVSGW_MODEL_H
#define OVSGW_MODEL_H

#include <jansson.h>
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "flows.h"
#include "options.h"
#include "request.h"

/* A published port (-p) of an endpoint, with the host port it got. */
struct published_port {
    uint8_t proto;         /* 6 (TCP) or 17 (UDP) */
    uint16_t port;         /* in the container */
    bool host_ip_set;
    uint32_t host_ip;      /* host order; every host address if not set */
    uint16_t host_port;
};

struct endpoint {
    struct endpoint *next;
    char id[REQUEST_ID_MAX + 1];
    struct flows_endpoint fe; /* cookie half, IPv4, IPv6, MAC, OpenFlow
                               * port */
    int plen;
    size_t subnet;            /* index into its network's subnets */
    int plen6;                /* if fe.has_ip6 */
    size_t subnet6;           /* index into its network's subnets6 */
    char host_if[IFNAMSIZ];   /* on the bridge */
    char peer_if[IFNAMSIZ];   /* moved into the container by Docker */
    bool verified; /* ovs-vswitchd gave it the OpenFlow port asked for */
    size_t n_ports;
    struct published_port *ports; /* malloc'd; ProgramExternalConnectivity */
};

struct network {
    struct network *next;
    char id[REQUEST_ID_MAX + 1];
    char bridge[OPTIONS_BRIDGE_MAX + 1];
    bool bridge_owned; /* ovsgw created it: deleted with its last network */
    bool netdev;       /* userspace datapath */
    uint32_t tag;      /* nonzero, unique on its bridge */
    uint8_t gateway_mac[MAC_LEN];
    bool internal;     /* --internal: no way out, no host access */
    bool has_uplink;   /* 'uplink' is known (ovs-vswitchd numbered it) */
    struct flows_uplink uplink;
    char uplink_if[IFNAMSIZ]; /* the bridge's uplink port, "" if none */
    struct options opts;
    json_t *generic;   /* the driver options as given (owned), or NULL */
    size_t n_subnets;
    struct flows_subnet subnets[REQUEST_MAX_SUBNETS];
    size_t n_subnets6;
    struct flows_subnet6 subnets6[REQUEST_MAX_SUBNETS];
    struct endpoint *endpoints;
};

/* A port kept after its endpoint went, for the next endpoint on its
 * bridge (spares.h). */
struct spare {
    struct spare *next;
    char bridge[OPTIONS_BRIDGE_MAX + 1];
    char host_if[IFNAMSIZ];
    char peer_if[IFNAMSIZ];
    int ofport;
    bool verified;      /* as struct endpoint's */
    long long since_ms; /* kept since, CLOCK_MONOTONIC */
};

/* OpenFlow port numbers that others (a second ovsgw instance, the
 * bridge's owner) hold on a bridge that ovsgw uses. */
struct foreign_ports {
    struct foreign_ports *next;
    char bridge[OPTIONS_BRIDGE_MAX + 1];
    int *ofports;
    size_t n;
};

struct model {
    struct network *networks;
    struct spare *spares;
    struct foreign_ports *foreign;
};

/* Frees every network, endpoint and spare of 'm' (the model only: links,
 * ports and flows stay). */
void model_clear(struct model *m);

struct network *model_find_network(const struct model *m, const char *id);
struct endpoint *network_find_endpoint(const struct network *n,
                                       const char *id);

/* Links 'n' (taken) into 'm' / unlinks it (the caller frees it). */
void model_add_network(struct model *m, struct network *n);
void model_remove_network(struct model *m, struct network *n);
/* Frees 'n' and its endpoints.  NULL is fine. */
void network_free(struct network *n);
/* Frees 'e' (unlinked) and its published ports.  NULL is fine. */
void endpoint_free(struct endpoint *e);

/* Links 'e' (taken) into 'n' / unlinks it (the caller frees it). */
void network_add_endpoint(struct network *n, struct endpoint *e);
void network_remove_endpoint(struct network *n, struct endpoint *e);

/* True if 'n' lives in OVN (ovn.h), not in flows of ovsgw's own. */
static inline bool network_is_ovn(const struct network *n)
{
    return n->opts.mode == OPTIONS_MODE_OVN;
}

/* The flow generator's view of 'n' (borrows from 'n'): with the way out
 * through the uplink unless the network is internal or has none yet. */
struct flows_network network_flows(const struct network *n);

/* The index of the subnet of 'n' that holds 'ip', or n->n_subnets. */
size_t network_subnet_of(const struct network *n, uint32_t ip);
/* The same for IPv6: an index into n->subnets6, or n->n_subnets6. */
size_t network_subnet6_of(const struct network *n, const struct in6_addr *ip);

/* Who answers a Neighbor Solicitation for 'target' that the flows of the
 * network tagged 'tag' on 'bridge' sent to the controller (the kernel
 * datapath's ND, see flows.h; the tag is the high half of the flow's
 * cookie), and that came in on the OpenFlow port 'in_port', one of the
 * network's endpoints' or its uplink: a gateway of an IPv6 subnet (the
 * gateway MAC; router, solicited and override flags), or, from an
 * endpoint, the global or link-local address of an endpoint with IPv6
 * (its MAC; solicited and override: ovsgw is the only one who answers, as
 * the userspace datapath's flows).  Returns false if nobody does: the
 * solicitation is dropped. */
bool model_nd_answer(const struct model *m, const char *bridge, uint32_t tag,
                     int in_port, const struct in6_addr *target,
                     uint8_t ret_mac[MAC_LEN], uint32_t *ret_flags);

/* True if another network of 'm' than 'n' uses the bridge of 'n'. */
bool model_bridge_shared(const struct model *m, const struct network *n);

/* A tag for a network 'id' on 'bridge' that none of 'm''s networks there
 * has, nor any of the 'n_taken' tags in 'taken' (other drivers' networks
 * on that bridge).  Derived from the ID, so it is stable. */
uint32_t model_pick_tag(const struct model *m, const char *bridge,
                        const char *id, const uint32_t *taken,
                        size_t n_taken);

/* The lowest OpenFlow port number on 'bridge' that no endpoint or spare
 * of 'm' has, nor a port of others there (model_set_foreign_ports()). */
int model_pick_ofport(const struct model *m, const char *bridge);

/* Records the OpenFlow port numbers in use on 'bridge' (taken; a malloc'd
 * array of 'n'), replacing what was known.  Those of 'm''s own endpoints
 * and spares may be among them. */
void model_set_foreign_ports(struct model *m, const char *bridge,
                             int *ofports, size_t n);

/* The endpoint half of a cookie for endpoint 'id' that no endpoint of 'n'
 * has: derived from the ID, so it is stable. */
uint32_t network_pick_cookie(const struct network *n, const char *id);

/* True if the interface name 'name' belongs to an endpoint or spare of
 * 'm'. */
bool model_ifname_used(const struct model *m, const char *name);

/* The gateway MAC a network 'id' gets unless one is given: 06: and 5
 * bytes of the ID. */
void model_gateway_mac(const char *id, uint8_t ret[MAC_LEN]);

/* The gateway MAC of the OVN logical network 'name' unless one is given:
 * 06:6f: and a hash of the name, the same on every host. */
void model_gateway_mac_ovn(const char *name, uint8_t ret[MAC_LEN]);

/* The MAC an endpoint with IPv4 'ip' gets unless Docker gives one:
 * 02:42: and the address, as Docker's bridge driver does. */
void model_endpoint_mac(uint32_t ip, uint8_t ret[MAC_LEN]);

/* Spares. */
unsigned model_spares_on(const struct model *m, const char *bridge);
/* Adds a spare; 'now_ms' is when it was kept. */
struct spare *model_add_spare(struct model *m, const char *bridge,
                              const char *host, const char *peer,
                              int ofport, bool verified, long long now_ms);
/* The most recently kept spare of 'bridge', unlinked (caller frees), or
 * NULL. */
struct spare *model_take_spare(struct model *m, const char *bridge);

#endif
