/* Parsing of Docker's remote-driver request bodies into structs.  Pure:
 * every function returns NULL on success or a malloc'd message for
 * {"Err": ...}, and leaves its outputs untouched on failure. */
#ifndef OVSGW_REQUEST_H
#define OVSGW_REQUEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "flows.h"
#include "addr.h"
#include "util.h"

#define REQUEST_ID_MAX 64
#define REQUEST_MAX_SUBNETS 32

struct request_ids {
    char network[REQUEST_ID_MAX + 1];
    char endpoint[REQUEST_ID_MAX + 1]; /* "" when not asked for */
};

struct request_network {
    char network[REQUEST_ID_MAX + 1];
    size_t n_subnets;
    struct flows_subnet subnets[REQUEST_MAX_SUBNETS];
    size_t n_subnets6;
    struct flows_subnet6 subnets6[REQUEST_MAX_SUBNETS];
    const json_t *generic; /* borrowed from the request; may be NULL */
    bool internal;         /* docker network create --internal */
};

#define REQUEST_MAX_PORTS 256

/* One published port of Docker's port map (-p): the container's 'port'
 * on the host's 'host_lo'..'host_hi' (0..0: any free port), on every host
 * address or on 'host_ip'. */
struct request_port {
    uint8_t proto;         /* 6 (TCP) or 17 (UDP) */
    uint16_t port;         /* in the container */
    bool host_ip_set;
    uint32_t host_ip;      /* host order */
    uint16_t host_lo, host_hi;
};

struct request_ports {
    size_t n;
    struct request_port v[REQUEST_MAX_PORTS];
};

struct request_endpoint {
    struct request_ids ids;
    uint32_t ip;      /* host order */
    int plen;
    bool has_ip6;
    struct in6_addr ip6;
    int plen6;
    bool mac_given;
    uint8_t mac[MAC_LEN];
};

/* NetworkID (and EndpointID when 'need_endpoint') of any request. */
char *request_parse_ids(const json_t *req, bool need_endpoint,
                        struct request_ids *ret);

/* /NetworkDriver.CreateNetwork: the IPv4 pools (at least one) and IPv6
 * pools (any) with their gateways, --internal and the generic driver
 * options. */
char *request_parse_network(const json_t *req, struct request_network *ret);

/* The port map ("com.docker.network.portmap") in the Options of
 * ProgramExternalConnectivity or Join: none when it is missing or null.
 * IPv6 host addresses are skipped: the IPv4 binding serves them. */
char *request_parse_ports(const json_t *req, struct request_ports *ret);

/* /NetworkDriver.CreateEndpoint: the IPv4 address, the IPv6 address and
 * the MAC, if any. */
char *request_parse_endpoint(const json_t *req,
                             struct request_endpoint *ret);

#endif
