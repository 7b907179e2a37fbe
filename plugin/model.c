#include "model.h"

#include <stdio.h>
#include <string.h>

#include "nd.h"
#include "util.h"

void endpoint_free(struct endpoint *e)
{
    if (e) {
        free(e->ports);
        free(e);
    }
}

void network_free(struct network *n)
{
    if (!n) {
        return;
    }
    while (n->endpoints) {
        struct endpoint *e = n->endpoints;
        n->endpoints = e->next;
        endpoint_free(e);
    }
    json_decref(n->generic);
    free(n);
}

void model_clear(struct model *m)
{
    while (m->networks) {
        struct network *n = m->networks;
        m->networks = n->next;
        network_free(n);
    }
    while (m->spares) {
        struct spare *s = m->spares;
        m->spares = s->next;
        free(s);
    }
    while (m->foreign) {
        struct foreign_ports *f = m->foreign;
        m->foreign = f->next;
        free(f->ofports);
        free(f);
    }
}

struct network *model_find_network(const struct model *m, const char *id)
{
    for (struct network *n = m->networks; n; n = n->next) {
        if (!strcmp(n->id, id)) {
            return n;
        }
    }
    return NULL;
}

struct endpoint *network_find_endpoint(const struct network *n,
                                       const char *id)
{
    for (struct endpoint *e = n->endpoints; e; e = e->next) {
        if (!strcmp(e->id, id)) {
            return e;
        }
    }
    return NULL;
}

void model_add_network(struct model *m, struct network *n)
{
    n->next = m->networks;
    m->networks = n;
}

void model_remove_network(struct model *m, struct network *n)
{
    for (struct network **p = &m->networks; *p; p = &(*p)->next) {
        if (*p == n) {
            *p = n->next;
            n->next = NULL;
            return;
        }
    }
}

void network_add_endpoint(struct network *n, struct endpoint *e)
{
    e->next = n->endpoints;
    n->endpoints = e;
}

void network_remove_endpoint(struct network *n, struct endpoint *e)
{
    for (struct endpoint **p = &n->endpoints; *p; p = &(*p)->next) {
        if (*p == e) {
            *p = e->next;
            e->next = NULL;
            return;
        }
    }
}

struct flows_network network_flows(const struct network *n)
{
    struct flows_network fn = { .tag = n->tag,
                                .n_subnets = n->n_subnets,
                                .subnets = n->subnets,
                                .policy = &n->opts.policy,
                                .uplink = n->has_uplink && !n->internal
                                              ? &n->uplink : NULL,
                                .n_subnets6 = n->n_subnets6,
                                .subnets6 = n->subnets6,
                                .nd_controller = !n->netdev };

    memcpy(fn.gateway_mac, n->gateway_mac, MAC_LEN);
    return fn;
}

size_t network_subnet_of(const struct network *n, uint32_t ip)
{
    for (size_t i = 0; i < n->n_subnets; i++) {
        if ((ip & addr_plen_mask(n->subnets[i].plen)) == n->subnets[i].net) {
            return i;
        }
    }
    return n->n_subnets;
}

size_t network_subnet6_of(const struct network *n, const struct in6_addr *ip)
{
    for (size_t i = 0; i < n->n_subnets6; i++) {
        if (addr_ip6_same_prefix(ip, &n->subnets6[i].net,
                                 n->subnets6[i].plen)) {
            return i;
        }
    }
    return n->n_subnets6;
}

bool model_nd_answer(const struct model *m, const char *bridge, uint32_t tag,
                     int in_port, const struct in6_addr *target,
                     uint8_t ret_mac[MAC_LEN], uint32_t *ret_flags)
{
    const struct network *n = m->networks;

    while (n && (n->tag != tag || strcmp(n->bridge, bridge))) {
        n = n->next;
    }
    if (!n || network_is_ovn(n) || in_port <= 0) {
        return false;
    }
    /* From the network's uplink (shared by the networks of the bridge:
     * the flows tagged the packet with the network whose gateway it
     * asks for), or from one of its endpoints. */
    bool from_uplink = n->has_uplink && n->uplink.ofport == in_port;
    const struct endpoint *from = n->endpoints;
    while (!from_uplink && from && from->fe.ofport != in_port) {
        from = from->next;
    }
    if (!from_uplink && !from) {
        return false;
    }
    for (size_t i = 0; i < n->n_subnets6; i++) {
        if (addr_ip6_equal(target, &n->subnets6[i].gateway)) {
            memcpy(ret_mac, n->gateway_mac, MAC_LEN);
            *ret_flags = ND_NA_ROUTER | ND_NA_SOLICITED | ND_NA_OVERRIDE;
            return true;
        }
    }
    if (from_uplink) {
        return false; /* the host only ever reaches the gateways */
    }
    for (const struct endpoint *e = n->endpoints; e; e = e->next) {
        struct in6_addr ll = addr_ip6_link_local(e->fe.mac);
        if (e->fe.has_ip6 && (addr_ip6_equal(target, &e->fe.ip6)
                              || addr_ip6_equal(target, &ll))) {
            memcpy(ret_mac, e->fe.mac, MAC_LEN);
            *ret_flags = ND_NA_SOLICITED | ND_NA_OVERRIDE;
            return true;
        }
    }
    return false;
}

bool model_bridge_shared(const struct model *m, const struct network *n)
{
    for (const struct network *o = m->networks; o; o = o->next) {
        if (o != n && !strcmp(o->bridge, n->bridge)) {
            return true;
        }
    }
    return false;
}

/* The first 8 hex digits of a Docker ID as a number. */
static uint32_t id_prefix32(const char *id)
{
    char buf[9];

    snprintf(buf, sizeof buf, "%s", id);
    return (uint32_t) strtoul(buf, NULL, 16);
}

uint32_t model_pick_tag(const struct model *m, const char *bridge,
                        const char *id, const uint32_t *taken,
                        size_t n_taken)
{
    for (uint32_t tag = id_prefix32(id);; tag++) {
        bool used = tag == 0;
        for (const struct network *o = m->networks; o && !used;
             o = o->next) {
            used = !strcmp(o->bridge, bridge) && o->tag == tag;
        }
        for (size_t i = 0; i < n_taken && !used; i++) {
            used = taken[i] == tag;
        }
        if (!used) {
            return tag;
        }
    }
}

void model_set_foreign_ports(struct model *m, const char *bridge,
                             int *ofports, size_t n)
{
    struct foreign_ports *f;

    for (f = m->foreign; f && strcmp(f->bridge, bridge); f = f->next) {
    }
    if (!f) {
        f = xzalloc(sizeof *f);
        snprintf(f->bridge, sizeof f->bridge, "%s", bridge);
        f->next = m->foreign;
        m->foreign = f;
    }
    free(f->ofports);
    f->ofports = ofports;
    f->n = n;
}

int model_pick_ofport(const struct model *m, const char *bridge)
{
    const struct foreign_ports *f;
    const int *taken = NULL;
    size_t n_taken = 0;

    for (f = m->foreign; f && strcmp(f->bridge, bridge); f = f->next) {
    }
    if (f) {
        taken = f->ofports;
        n_taken = f->n;
    }
    for (int port = 1;; port++) {
        bool used = false;
        for (const struct spare *s = m->spares; s && !used; s = s->next) {
            used = s->ofport == port && !strcmp(s->bridge, bridge);
        }
        for (const struct network *n = m->networks; n && !used;
             n = n->next) {
            if (strcmp(n->bridge, bridge)) {
                continue;
            }
            for (const struct endpoint *e = n->endpoints; e && !used;
                 e = e->next) {
                used = e->fe.ofport == port;
            }
        }
        for (size_t i = 0; i < n_taken && !used; i++) {
            used = taken[i] == port;
        }
        if (!used) {
            return port;
        }
    }
}

uint32_t network_pick_cookie(const struct network *n, const char *id)
{
    for (uint32_t c = id_prefix32(id);; c++) {
        bool used = c == 0;
        for (const struct endpoint *o = n->endpoints; o && !used;
             o = o->next) {
            used = o->fe.id == c;
        }
        if (!used) {
            return c;
        }
    }
}

bool model_ifname_used(const struct model *m, const char *name)
{
    for (const struct spare *s = m->spares; s; s = s->next) {
        if (!strcmp(s->host_if, name) || !strcmp(s->peer_if, name)) {
            return true;
        }
    }
    for (const struct network *n = m->networks; n; n = n->next) {
        for (const struct endpoint *e = n->endpoints; e; e = e->next) {
            if (!strcmp(e->host_if, name) || !strcmp(e->peer_if, name)) {
                return true;
            }
        }
    }
    return false;
}

void model_gateway_mac(const char *id, uint8_t ret[MAC_LEN])
{
    ret[0] = 0x06;
    for (int i = 1; i < MAC_LEN; i++) {
        ret[i] = (uint8_t) (util_hexval(id[2 * i - 2]) << 4
                            | util_hexval(id[2 * i - 1]));
    }
}

void model_gateway_mac_ovn(const char *name, uint8_t ret[MAC_LEN])
{
    uint32_t h = util_hash(name);

    ret[0] = 0x06;
    ret[1] = 0x6f; /* 'o' */
    for (int i = 0; i < 4; i++) {
        ret[2 + i] = (uint8_t) (h >> (24 - 8 * i));
    }
}

void model_endpoint_mac(uint32_t ip, uint8_t ret[MAC_LEN])
{
    ret[0] = 0x02;
    ret[1] = 0x42;
    for (int i = 0; i < 4; i++) {
        ret[2 + i] = (uint8_t) (ip >> (24 - 8 * i));
    }
}

unsigned model_spares_on(const struct model *m, const char *bridge)
{
    unsigned n = 0;

    for (const struct spare *s = m->spares; s; s = s->next) {
        n += !strcmp(s->bridge, bridge);
    }
    return n;
}

struct spare *model_add_spare(struct model *m, const char *bridge,
                              const char *host, const char *peer,
                              int ofport, bool verified, long long now_ms)
{
    struct spare *s = xzalloc(sizeof *s);

    snprintf(s->bridge, sizeof s->bridge, "%s", bridge);
    snprintf(s->host_if, sizeof s->host_if, "%s", host);
    snprintf(s->peer_if, sizeof s->peer_if, "%s", peer);
    s->ofport = ofport;
    s->verified = verified;
    s->since_ms = now_ms;
    s->next = m->spares;
    m->spares = s;
    return s;
}

struct spare *model_take_spare(struct model *m, const char *bridge)
{
    for (struct spare **p = &m->spares; *p; p = &(*p)->next) {
        struct spare *s = *p;
        if (!strcmp(s->bridge, bridge)) {
            *p = s->next;
            s->next = NULL;
            return s;
        }
    }
    return NULL;
}
