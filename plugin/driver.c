#include "driver.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bridge.h"
#include "link.h"
#include "log.h"
#include "netfilter.h"
#include "ovn.h"
#include "ports.h"
#include "ovsgw.h"
#include "request.h"
#include "restore.h"
#include "spares.h"
#include "state.h"
#include "statusdoc.h"
#include "teardown.h"
#include "uplink.h"
#include "util.h"
#include "vswitch.h"

/* The longest Err message: OVSDB's and OVS's own texts stay whole. */
#define ERR_MAX_CHARS 2000

/* Sets an {"Err": msg} reply, logs it and returns 'status'.  Takes
 * ownership of 'msg'.  The message is made valid UTF-8 whatever bytes it
 * carries, so the reply always holds it. */
static unsigned fail(json_t **ret, unsigned status, const char *call,
                     const char *id, char *msg)
{
    _cleanup_free_ char *clean = util_str_clean(msg, strlen(msg),
                                                ERR_MAX_CHARS);

    log_warn("%s %.12s: %s", call, id ? id : "-", clean);
    *ret = json_pack("{s:s}", "Err", clean);
    free(msg);
    return status;
}

/* Reads the state from OVSDB on first use.  On failure sets the Err reply
 * and returns its status, else returns 0. */
static unsigned need_state(struct ovsgw *g, const char *call,
                           const char *id, json_t **ret)
{
    char *err = NULL;

    if (restore_ensure(g, &err) < 0) {
        char *msg = xasprintf("cannot read ovsgw state from OVSDB: %s",
                              err ? err : "unknown error");
        free(err);
        return fail(ret, 503, call, id, msg);
    }
    return 0;
}

/* A call that changes things touches nothing unless ovsdb-server answers:
 * without it ovs-vswitchd serves no OpenFlow, and a flow change would
 * wait.  Sets '*ret_tso' (may be NULL) to whether userspace TSO is on.  On
 * failure sets the Err reply and returns its status, else returns 0. */
static unsigned need_ovsdb(struct ovsgw *g, const char *call,
                           const char *id, bool *ret_tso, json_t **ret)
{
    char *err = NULL;
    bool tso;
    int r;

    if ((r = vswitch_userspace_tso(g->db, &tso, &err)) < 0) {
        return fail(ret, 500, call, id,
                    err ? err : xasprintf("cannot reach ovsdb-server: %s",
                                          strerror(-r)));
    }
    if (ret_tso) {
        *ret_tso = tso;
    }
    return 0;
}

/* Finds the network and endpoint a request names, or sets the Err reply
 * and returns its status. */
static unsigned lookup(struct ovsgw *g, const json_t *req, const char *call,
                       struct network **ret_n, struct endpoint **ret_e,
                       json_t **ret)
{
    struct request_ids ids;
    unsigned status;
    char *err;

    if ((err = request_parse_ids(req, true, &ids))) {
        return fail(ret, 400, call, NULL, err);
    }
    if ((status = need_state(g, call, ids.endpoint, ret))) {
        return status;
    }
    if (!(*ret_n = model_find_network(&g->model, ids.network))) {
        return fail(ret, 404, call, ids.endpoint,
                    xasprintf("no network %.12s", ids.network));
    }
    if (!(*ret_e = network_find_endpoint(*ret_n, ids.endpoint))) {
        return fail(ret, 404, call, ids.endpoint,
                    xasprintf("no endpoint %.12s in network %.12s",
                              ids.endpoint, ids.network));
    }
    return 0;
}

static unsigned h_activate(void *ud, const json_t *req, json_t **ret)
{
    (void) ud, (void) req;
    *ret = json_pack("{s:[s]}", "Implements", "NetworkDriver");
    return 200;
}

static unsigned h_capabilities(void *ud, const json_t *req, json_t **ret)
{
    (void) ud, (void) req;
    *ret = json_pack("{s:s,s:s}", "Scope", "local", "ConnectivityScope",
                     "local");
    return 200;
}

static unsigned h_empty(void *ud, const json_t *req, json_t **ret)
{
    (void) ud, (void) req;
    *ret = json_object();
    return 200;
}

/* ---- networks ------------------------------------------------------- */

/* A network from a parsed CreateNetwork request: its options, bridge
 * and gateway MAC.  Returns NULL and the reason in '*ret_err'
 * (malloc'd). */
static struct network *network_from_request(const struct request_network *rn,
                                             char **ret_err)
{
    struct network *n = xzalloc(sizeof *n);

    strcpy(n->id, rn->network);
    if ((*ret_err = options_parse(rn->generic, &n->opts))) {
        network_free(n);
        return NULL;
    }
    n->generic = rn->generic ? json_deep_copy(rn->generic) : NULL;
    n->n_subnets = rn->n_subnets;
    memcpy(n->subnets, rn->subnets, sizeof rn->subnets);
    n->n_subnets6 = rn->n_subnets6;
    memcpy(n->subnets6, rn->subnets6, sizeof rn->subnets6);
    if (n->opts.bridge[0]) {
        strcpy(n->bridge, n->opts.bridge);
    } else {
        snprintf(n->bridge, sizeof n->bridge, "ovsgw-%.9s", n->id);
    }
    if (n->opts.gateway_mac_set) {
        memcpy(n->gateway_mac, n->opts.gateway_mac, MAC_LEN);
    } else if (network_is_ovn(n)) {
        model_gateway_mac_ovn(n->opts.ovn_name, n->gateway_mac);
    } else {
        model_gateway_mac(n->id, n->gateway_mac);
    }
    /* An IPv6 rule on a network without IPv6 would judge nothing. */
    for (size_t i = 0; i < n->opts.policy.n_rules && !n->n_subnets6; i++) {
        if (n->opts.policy.rules[i].family == POLICY_IPV6) {
            *ret_err = xasprintf("ovsgw.tcp.rules: rule %zu is IPv6 and the "
                                 "network has no IPv6 subnet (create it "
                                 "with --ipv6 --subnet ...)", i + 1);
            network_free(n);
            return NULL;
        }
    }
    return n;
}

/* Networks on one bridge are told apart by their tag, and their addresses
 * must not overlap or forwarding would be ambiguous.  Returns NULL or a
 * malloc'd message. */
static char *network_overlap(const struct ovsgw *g, const struct network *n)
{
    for (const struct network *o = g->model.networks; o; o = o->next) {
        /* Each OVN network is a logical switch of its own. */
        if (strcmp(o->bridge, n->bridge) || network_is_ovn(o)
            || network_is_ovn(n)) {
            continue;
        }
        for (size_t i = 0; i < n->n_subnets; i++) {
            for (size_t j = 0; j < o->n_subnets; j++) {
                const struct flows_subnet *a = &n->subnets[i];
                const struct flows_subnet *b = &o->subnets[j];
                uint32_t m = addr_plen_mask(a->plen < b->plen ? a->plen
                                                              : b->plen);
                if ((a->net & m) == (b->net & m)) {
                    char ip[IP4_STRLEN];
                    return xasprintf(
                        "subnet %s/%d overlaps network %.12s on bridge %s",
                        addr_ip4_format(a->net, ip), a->plen, o->id,
                        o->bridge);
                }
            }
        }
        for (size_t i = 0; i < n->n_subnets6; i++) {
            for (size_t j = 0; j < o->n_subnets6; j++) {
                const struct flows_subnet6 *a = &n->subnets6[i];
                const struct flows_subnet6 *b = &o->subnets6[j];
                if (addr_ip6_same_prefix(&a->net, &b->net,
                                         a->plen < b->plen ? a->plen
                                                           : b->plen)) {
                    char ip[IP6_STRLEN];
                    return xasprintf(
                        "subnet %s/%d overlaps network %.12s on bridge %s",
                        addr_ip6_format(&a->net, ip), a->plen, o->id,
                        o->bridge);
                }
            }
        }
    }
    return NULL;
}

/* CreateNetwork in OVN mode: the logical network, then the host's
 * rules (the guard against the veths' traffic reaching the host). */
static unsigned create_ovn_network(struct ovsgw *g, struct network *n,
                                   json_t **ret)
{
    static const char call[] = "CreateNetwork";
    char *err = NULL;
    int r;

    if ((r = ovn_network_join(g, n, &err)) < 0) {
        char *msg = xasprintf("ovsgw.ovn.name=%s: %s", n->opts.ovn_name,
                              err);
        free(err);
        unsigned status = r == -EEXIST || r == -EINVAL ? 400 : 500;
        char id[REQUEST_ID_MAX + 1];
        strcpy(id, n->id);
        network_free(n);
        return fail(ret, status, call, id, msg);
    }
    model_add_network(&g->model, n);
    if ((r = netfilter_sync(g, NULL, &err)) < 0) {
        _cleanup_free_ char *e2 = NULL;
        model_remove_network(&g->model, n);
        if (netfilter_sync(g, NULL, &e2) < 0) {
            log_error("%s %.12s: rollback: %s", call, n->id, e2);
        }
        if (ovn_network_leave(g, n, &e2) < 0) {
            log_error("%s %.12s: rollback: %s", call, n->id, e2);
        }
        char id[REQUEST_ID_MAX + 1];
        strcpy(id, n->id);
        network_free(n);
        return fail(ret, 500, call, id, err);
    }
    log_info("%s %.12s: logical network %s on %s, %zu subnet(s), %zu IPv6",
             call, n->id, n->opts.ovn_name, n->bridge, n->n_subnets,
             n->n_subnets6);
    *ret = json_object();
    return 200;
}

static unsigned h_create_network(void *ud, const json_t *req, json_t **ret)
{
    static const char call[] = "CreateNetwork";
    struct ovsgw *g = ud;
    struct request_network rn;
    struct network *n;
    unsigned status;
    char *err = NULL;
    int r;

    if ((err = request_parse_network(req, &rn))) {
        return fail(ret, 400, call, NULL, err);
    }
    if (!(n = network_from_request(&rn, &err))) {
        return fail(ret, 400, call, rn.network, err);
    }
    if ((status = need_state(g, call, rn.network, ret))) {
        network_free(n);
        return status;
    }
    if (model_find_network(&g->model, rn.network)) {
        err = xasprintf("network %.12s exists", rn.network);
    } else {
        err = network_overlap(g, n);
    }
    if (err) {
        network_free(n);
        return fail(ret, 400, call, rn.network, err);
    }

    n->internal = rn.internal;
    if (network_is_ovn(n)) {
        return create_ovn_network(g, n, ret);
    }
    if ((r = bridge_join(g, n, &err)) < 0) {
        goto fail;
    }
    if ((r = uplink_attach(g, n, &err)) < 0) {
        goto undo_bridge;
    }
    if ((r = flowset_network_apply(g->fs, n, &err)) < 0) {
        goto undo_uplink;
    }
    model_add_network(&g->model, n);
    if ((r = netfilter_sync(g, NULL, &err)) < 0) {
        model_remove_network(&g->model, n);
        goto undo_netfilter;
    }
    log_info("%s %.12s: bridge %s (%s, %s), %zu subnet(s)%s%s", call, n->id,
             n->bridge, n->netdev ? "netdev" : "system",
             n->bridge_owned ? "created" : "shared", n->n_subnets,
             n->internal ? ", internal" : ", uplink ",
             n->internal ? "" : n->uplink_if);
    *ret = json_object();
    return 200;

undo_netfilter:
    {
        _cleanup_free_ char *e2 = NULL;
        if (netfilter_sync(g, NULL, &e2) < 0) {
            log_error("%s %.12s: rollback: %s", call, n->id, e2);
        }
    }
undo_uplink:
    uplink_routes_del(n);
undo_bridge:
    {
        /* Also takes the network's flows and, on a bridge that is not
         * ovsgw's, the uplink if nobody else is there. */
        _cleanup_free_ char *e2 = NULL;
        if (bridge_leave(g, n, NULL, &e2) < 0) {
            log_error("%s %.12s: rollback: %s", call, n->id, e2);
        }
    }
fail:
    {
        char *msg = xasprintf("bridge %s: %s", n->bridge,
                              err ? err : strerror(-r));
        free(err);
        network_free(n);
        return fail(ret, r == -EINVAL || r == -EBUSY ? 400 : 500, call,
                    rn.network, msg);
    }
}

static unsigned h_delete_network(void *ud, const json_t *req, json_t **ret)
{
    static const char call[] = "DeleteNetwork";
    struct ovsgw *g = ud;
    struct request_ids ids;
    struct network *n;
    unsigned status;
    bool deleted;
    char *err = NULL;

    if ((err = request_parse_ids(req, false, &ids))) {
        return fail(ret, 400, call, NULL, err);
    }
    if ((status = need_state(g, call, ids.network, ret))) {
        return status;
    }
    if (!(n = model_find_network(&g->model, ids.network))) {
        return fail(ret, 404, call, ids.network,
                    xasprintf("no network %.12s", ids.network));
    }
    /* Half a network must not be left behind. */
    if ((status = need_ovsdb(g, call, n->id, NULL, ret))) {
        return status;
    }
    /* Docker removes endpoints first; clean up any it left. */
    while (n->endpoints) {
        struct endpoint *e = n->endpoints;
        _cleanup_free_ char *e2 = NULL;
        if (teardown_endpoint(g, n, e, &e2) < 0) {
            if (network_is_ovn(n)) {
                /* Its logical port is still there: so is the network. */
                return fail(ret, 500, call, n->id,
                            xasprintf("endpoint %.12s: %s", e->id, e2));
            }
            log_warn("%s %.12s: endpoint %.12s: %s", call, n->id, e->id, e2);
        }
        network_remove_endpoint(n, e);
        endpoint_free(e);
    }
    if (network_is_ovn(n) && ovn_network_leave(g, n, &err) < 0) {
        return fail(ret, 500, call, n->id, err);
    }
    /* Out of the model first: the host's rules follow it (the tick tries
     * again if iptables fails now). */
    model_remove_network(&g->model, n);
    {
        _cleanup_free_ char *e2 = NULL;
        if (netfilter_sync(g, NULL, &e2) < 0) {
            log_warn("%s %.12s: %s; the tick retries", call, n->id, e2);
        }
    }
    if (network_is_ovn(n)) {
        log_info("%s %.12s: left logical network %s", call, n->id,
                 n->opts.ovn_name);
        network_free(n);
        *ret = json_object();
        return 200;
    }
    uplink_routes_del(n);
    if (bridge_leave(g, n, &deleted, &err) < 0) {
        char *msg = xasprintf("bridge %s: %s", n->bridge, err);
        free(err);
        model_add_network(&g->model, n);
        return fail(ret, 500, call, n->id, msg);
    }
    log_info("%s %.12s: bridge %s %s", call, n->id, n->bridge,
             deleted ? "deleted" : "kept");
    network_free(n);
    *ret = json_object();
    return 200;
}

/* ---- endpoints ------------------------------------------------------ */

/* Checks the IPv6 address of the request against the IPv6 subnets of 'n'
 * and sets it in 'e'.  Returns NULL or a malloc'd message. */
static char *endpoint_ip6_check(const struct network *n,
                                const struct request_endpoint *re,
                                struct endpoint *e)
{
    char ip6[IP6_STRLEN], net6[IP6_STRLEN];
    const struct flows_subnet6 *sn;

    if (!re->has_ip6) {
        return NULL;
    }
    addr_ip6_format(&re->ip6, ip6);
    e->subnet6 = network_subnet6_of(n, &re->ip6);
    if (e->subnet6 == n->n_subnets6) {
        return xasprintf("IPv6 address %s is in none of the network's IPv6 "
                         "subnets", ip6);
    }
    sn = &n->subnets6[e->subnet6];
    addr_ip6_format(&sn->net, net6);
    if (addr_ip6_equal(&re->ip6, &sn->gateway)) {
        return xasprintf("IPv6 address %s is the gateway", ip6);
    }
    if (addr_ip6_equal(&re->ip6, &sn->net)) {
        return xasprintf("IPv6 address %s is the subnet-router anycast "
                         "address of %s/%d", ip6, net6, sn->plen);
    }
    if (re->plen6 != sn->plen) {
        return xasprintf("IPv6 address %s/%d: the subnet %s/%d has another "
                         "prefix length", ip6, re->plen6, net6, sn->plen);
    }
    e->fe.has_ip6 = true;
    e->fe.ip6 = re->ip6;
    e->plen6 = re->plen6;
    return NULL;
}

/* An endpoint of 'n' from a parsed CreateEndpoint request: address, MAC,
 * cookie half.  Returns NULL and the reason in '*ret_err' (malloc'd). */
static struct endpoint *endpoint_from_request(
    const struct network *n, const struct request_endpoint *re,
    char **ret_err)
{
    struct endpoint *e = xzalloc(sizeof *e);
    const struct flows_subnet *sn;
    char ip[IP4_STRLEN], net[IP4_STRLEN];

    strcpy(e->id, re->ids.endpoint);
    e->fe.ip = re->ip;
    e->plen = re->plen;
    addr_ip4_format(re->ip, ip);
    e->subnet = network_subnet_of(n, re->ip);
    if (e->subnet == n->n_subnets) {
        *ret_err = xasprintf("address %s is in none of the network's "
                             "subnets", ip);
        goto bad;
    }
    sn = &n->subnets[e->subnet];
    addr_ip4_format(sn->net, net);
    if (re->ip == sn->gateway) {
        *ret_err = xasprintf("address %s is the gateway", ip);
        goto bad;
    }
    if (re->ip == sn->net || re->ip == (sn->net | ~addr_plen_mask(sn->plen))) {
        *ret_err = xasprintf("address %s is the %s address of the subnet "
                             "%s/%d", ip, re->ip == sn->net ? "network"
                                                            : "broadcast",
                             net, sn->plen);
        goto bad;
    }
    if (re->plen != sn->plen) {
        *ret_err = xasprintf("address %s/%d: the subnet %s/%d has another "
                             "prefix length", ip, re->plen, net, sn->plen);
        goto bad;
    }
    if (re->mac_given) {
        memcpy(e->fe.mac, re->mac, MAC_LEN);
    } else {
        /* Unique: addresses are unique on a bridge (overlapping networks
         * cannot share one). */
        model_endpoint_mac(re->ip, e->fe.mac);
    }
    if ((*ret_err = endpoint_ip6_check(n, re, e))) {
        goto bad;
    }
    for (const struct endpoint *o = n->endpoints; o; o = o->next) {
        if (o->fe.ip == re->ip || !memcmp(o->fe.mac, e->fe.mac, MAC_LEN)
            || (re->has_ip6 && o->fe.has_ip6
                && addr_ip6_equal(&o->fe.ip6, &re->ip6))) {
            *ret_err = xasprintf("address %s, its IPv6 address or its MAC "
                                 "is already used by endpoint %.12s", ip,
                                 o->id);
            goto bad;
        }
    }
    e->fe.id = network_pick_cookie(n, e->id);
    return e;

bad:
    endpoint_free(e);
    return NULL;
}

/* Removes the endpoints of 'n' that hold the address, IPv6 address or MAC
 * the request asks for but whose veth is gone: their container died with
 * a dockerd that never said DeleteEndpoint (kill -9, a forced shutdown),
 * and the restarted dockerd gives the address out again. */
static void drop_vanished(struct ovsgw *g, struct network *n,
                          const struct request_endpoint *re)
{
    for (struct endpoint *o = n->endpoints, *next; o; o = next) {
        next = o->next;
        bool holds = o->fe.ip == re->ip
                     || (re->mac_given
                         && !memcmp(o->fe.mac, re->mac, MAC_LEN))
                     || (re->has_ip6 && o->fe.has_ip6
                         && addr_ip6_equal(&o->fe.ip6, &re->ip6));
        if (!holds || link_exists(o->host_if)) {
            continue;
        }
        _cleanup_free_ char *err = NULL;
        if (teardown_endpoint(g, n, o, &err) < 0) {
            log_warn("endpoint %.12s: %s", o->id, err);
        }
        log_info("endpoint %.12s: its veth %s is gone (the container died "
                 "unannounced): removed, its address is free", o->id,
                 o->host_if);
        network_remove_endpoint(n, o);
        free(err);
        err = NULL;
        if (o->n_ports && netfilter_sync(g, NULL, &err) < 0) {
            log_warn("endpoint %.12s: %s; the tick retries", o->id, err);
        }
        endpoint_free(o);
    }
}

/* Takes over a spare of the bridge of 'n' for 'e', or names a new veth
 * pair and port for it.  Returns true if it took a spare. */
static bool endpoint_place(struct ovsgw *g, const struct network *n,
                           struct endpoint *e)
{
    struct spare *s = network_is_ovn(n) ? NULL
                                        : model_take_spare(&g->model,
                                                           n->bridge);

    if (s) {
        strcpy(e->host_if, s->host_if);
        strcpy(e->peer_if, s->peer_if);
        e->fe.ofport = s->ofport;
        e->verified = s->verified;
        free(s);
        return true;
    }
    /* Names from the ID; another endpoint or a spare that kept an older
     * endpoint's names may hold them (IDs can share 12 digits), or a link
     * of someone else: then the next free variant. */
    for (unsigned k = 0;; k++) {
        if (k == 0) {
            snprintf(e->host_if, sizeof e->host_if, "og%.12s", e->id);
            snprintf(e->peer_if, sizeof e->peer_if, "oc%.12s", e->id);
        } else {
            snprintf(e->host_if, sizeof e->host_if, "og%.9s%03x", e->id,
                     k & 0xfff);
            snprintf(e->peer_if, sizeof e->peer_if, "oc%.9s%03x", e->id,
                     k & 0xfff);
        }
        if (k >= 0xfff
            || (!model_ifname_used(&g->model, e->host_if)
                && !model_ifname_used(&g->model, e->peer_if)
                && !link_exists(e->host_if) && !link_exists(e->peer_if))) {
            break;
        }
    }
    e->fe.ofport = model_pick_ofport(&g->model, n->bridge);
    return false;
}

/* The reply to a CreateEndpoint that worked: the MAC, unless Docker gave
 * it. */
static json_t *endpoint_reply(const struct request_endpoint *re,
                              const struct endpoint *e)
{
    char mac[MAC_STRLEN];

    return re->mac_given
               ? json_object()
               : json_pack("{s:{s:s}}", "Interface", "MacAddress",
                           addr_mac_format(e->fe.mac, mac));
}

/* CreateEndpoint in OVN mode: the logical port, then the veth on the
 * integration bridge. */
static unsigned create_ovn_endpoint(struct ovsgw *g, struct network *n,
                                    struct endpoint *e,
                                    const struct request_endpoint *re,
                                    json_t **ret)
{
    static const char call[] = "CreateEndpoint";
    char ip[IP4_STRLEN], *err = NULL;
    int r;

    addr_ip4_format(e->fe.ip, ip);
    if ((r = ovn_endpoint_add(g, n, e, &err)) < 0) {
        char *msg = xasprintf("endpoint %s: %s", ip, err);
        free(err);
        endpoint_free(e);
        return fail(ret, r == -EADDRINUSE ? 400 : 500, call,
                    re->ids.endpoint, msg);
    }
    /* On the userspace datapath, checksums must be whole before Geneve:
     * with TSO on, OVS 3.1 drops offloaded packets at the tunnel; with it
     * off, they would arrive with unfinished checksums. */
    if (n->netdev && (r = link_set_tx_csum(e->peer_if, false)) < 0) {
        _cleanup_free_ char *e2 = NULL;
        if (ovn_endpoint_del(g, n, e, &e2) < 0) {
            log_error("%s %.12s: rollback: %s", call, e->id, e2);
        }
        char *msg = xasprintf("endpoint %s: cannot turn off TX checksum "
                              "offload on %s: %s", ip, e->peer_if,
                              strerror(-r));
        endpoint_free(e);
        return fail(ret, 500, call, re->ids.endpoint, msg);
    }
    network_add_endpoint(n, e);
    log_info("%s %.12s: %s port %s on %s, logical network %s", call, e->id,
             ip, e->host_if, n->bridge, n->opts.ovn_name);
    *ret = endpoint_reply(re, e);
    return 200;
}

static unsigned h_create_endpoint(void *ud, const json_t *req, json_t **ret)
{
    static const char call[] = "CreateEndpoint";
    struct ovsgw *g = ud;
    struct request_endpoint re;
    struct network *n;
    struct endpoint *e;
    char mac[MAC_STRLEN], ip[IP4_STRLEN];
    bool reused, tso = false;
    unsigned status;
    char *err = NULL;
    int r, flows_r;

    if ((err = request_parse_endpoint(req, &re))) {
        return fail(ret, 400, call, NULL, err);
    }
    if ((status = need_state(g, call, re.ids.endpoint, ret))) {
        return status;
    }
    if (!(n = model_find_network(&g->model, re.ids.network))) {
        return fail(ret, 404, call, re.ids.endpoint,
                    xasprintf("no network %.12s", re.ids.network));
    }
    if (network_find_endpoint(n, re.ids.endpoint)) {
        return fail(ret, 400, call, re.ids.endpoint,
                    xasprintf("endpoint %.12s exists", re.ids.endpoint));
    }
    drop_vanished(g, n, &re);
    if (!(e = endpoint_from_request(n, &re, &err))) {
        return fail(ret, 400, call, re.ids.endpoint, err);
    }
    addr_ip4_format(e->fe.ip, ip);
    if ((status = need_ovsdb(g, call, e->id, &tso, ret))) {
        endpoint_free(e);
        return status;
    }
    reused = endpoint_place(g, n, e);
    if (network_is_ovn(n)) {
        return create_ovn_endpoint(g, n, e, &re, ret);
    }

    /* The flows first, while ovs-vswitchd is idle: any link change on the
     * host (a new veth, a MAC) makes it reconfigure all its bridges, and
     * with hundreds of ports that holds up the next OpenFlow reply for
     * tens of milliseconds.  Nothing matches them before the veth is
     * ready. */
    if ((r = flows_r = flowset_endpoint_add(g->fs, n, e, &err)) < 0) {
        goto undo_flows;
    }
    if (reused) {
        if ((r = link_veth_reuse(e->host_if, e->peer_if,
                                 n->opts.mtu)) < 0) {
            err = xasprintf("cannot ready spare veth %s: %s", e->host_if,
                            strerror(-r));
            goto undo_flows;
        }
        /* Last: a crash before this leaves a spare (whose flows the
         * restore replaces), not an endpoint Docker does not know. */
        if ((r = vswitch_iface_set_ext(g->db, e->host_if,
                                       state_endpoint_encode(n, e),
                                       &err)) < 0) {
            goto undo_flows;
        }
        goto done;
    }
    r = link_veth_create(e->host_if, e->peer_if, e->fe.mac, n->opts.mtu);
    if (r < 0) {
        err = xasprintf("cannot create veth %s: %s", e->host_if,
                        strerror(-r));
        goto undo_flows;
    }
    /* Without userspace TSO, a netdev bridge passes TCP segments with
     * unfinished checksums: compute them in the container instead. */
    if (n->netdev && !tso
        && (r = link_set_tx_csum(e->peer_if, false)) < 0) {
        err = xasprintf("cannot turn off TX checksum offload on %s: %s",
                        e->peer_if, strerror(-r));
        goto undo_veth;
    }
    if ((r = vswitch_port_add(g->db, n->bridge, e->host_if, e->fe.ofport,
                              state_endpoint_encode(n, e), &err)) < 0) {
        goto undo_veth;
    }
done:
    network_add_endpoint(n, e);
    log_info("%s %.12s: %s %s port %s ofport %d on %s", call, e->id, ip,
             addr_mac_format(e->fe.mac, mac), e->host_if, e->fe.ofport,
             n->bridge);
    *ret = endpoint_reply(&re, e);
    return 200;

undo_veth:
    link_delete(e->host_if);
undo_flows:
    /* Unless OVS cleanly refused a line, some of the flows may still come
     * (sent on a connection that broke): the tick re-applies every flow,
     * by network cookie, once OVS answers.  After a timeout, no second
     * wait here. */
    if (flows_r < 0 && flows_r != -EINVAL) {
        g->resync = true;
    }
    if (flows_r != -ETIMEDOUT
        && flowset_endpoint_delete(g->fs, n, e, true, NULL) < 0) {
        g->resync = true;
    }
    if (reused) {
        /* A spare whose takeover failed is torn down: its state is
         * unknown. */
        _cleanup_free_ char *e2 = NULL;
        if (teardown_port(g, n->bridge, e->host_if, &e2) < 0) {
            log_error("%s %.12s: rollback: %s", call, e->id, e2);
        }
    }
    {
        char *msg = xasprintf("endpoint %s: %s", ip, err ? err : "failed");
        free(err);
        endpoint_free(e);
        return fail(ret, 500, call, re.ids.endpoint, msg);
    }
}

static unsigned h_delete_endpoint(void *ud, const json_t *req, json_t **ret)
{
    static const char call[] = "DeleteEndpoint";
    struct ovsgw *g = ud;
    struct network *n;
    struct endpoint *e;
    unsigned status;
    char *err = NULL;

    if ((status = lookup(g, req, call, &n, &e, ret))) {
        return status;
    }
    if ((status = need_ovsdb(g, call, e->id, NULL, ret))) {
        return status;
    }
    if (spares_keep(g, n, e)) {
        log_info("%s %.12s: port %s kept as a spare on %s", call, e->id,
                 e->host_if, n->bridge);
    } else if (teardown_endpoint(g, n, e, &err) < 0) {
        return fail(ret, 500, call, e->id, err);
    } else {
        log_info("%s %.12s: port %s removed from %s", call, e->id,
                 e->host_if, n->bridge);
    }
    network_remove_endpoint(n, e);
    if (e->n_ports) {
        /* Docker revokes first; rules of a port left are taken out. */
        _cleanup_free_ char *e2 = NULL;
        if (netfilter_sync(g, NULL, &e2) < 0) {
            log_warn("%s %.12s: %s; the tick retries", call, e->id, e2);
        }
    }
    endpoint_free(e);
    *ret = json_object();
    return 200;
}

/* Gives 'e' the published ports 'ports' ('n_ports', taken): stored with
 * the endpoint first, then the host's rules.  On failure 'e' keeps the
 * ports it had.  Returns 0 or -errno with a message. */
static int endpoint_set_ports(struct ovsgw *g, struct network *n,
                              struct endpoint *e,
                              struct published_port *ports, size_t n_ports,
                              char **ret_err)
{
    struct published_port *old = e->ports;
    size_t n_old = e->n_ports;
    int r;

    e->ports = ports;
    e->n_ports = n_ports;
    if ((r = vswitch_iface_set_ext(g->db, e->host_if,
                                   state_endpoint_encode(n, e),
                                   ret_err)) < 0) {
        goto undo;
    }
    if ((r = netfilter_sync(g, NULL, ret_err)) < 0) {
        goto undo_state;
    }
    free(old);
    return 0;

undo_state:
    e->ports = old;
    e->n_ports = n_old;
    {
        _cleanup_free_ char *e2 = NULL;
        if (vswitch_iface_set_ext(g->db, e->host_if,
                                  state_endpoint_encode(n, e), &e2) < 0) {
            log_error("endpoint %.12s: rollback: %s", e->id, e2);
        }
        if (netfilter_sync(g, NULL, &e2) < 0) {
            log_error("endpoint %.12s: rollback: %s", e->id, e2);
        }
    }
    free(ports);
    return r;

undo:
    e->ports = old;
    e->n_ports = n_old;
    free(ports);
    return r;
}

static unsigned h_program(void *ud, const json_t *req, json_t **ret)
{
    static const char call[] = "ProgramExternalConnectivity";
    struct ovsgw *g = ud;
    struct request_ports *rp;
    struct published_port *ports = NULL;
    size_t n_ports = 0;
    struct network *n;
    struct endpoint *e;
    unsigned status;
    char *err = NULL;

    if ((status = lookup(g, req, call, &n, &e, ret))) {
        return status;
    }
    rp = xzalloc(sizeof *rp);
    err = request_parse_ports(req, rp);
    if (!err && rp->n && n->internal) {
        err = xasprintf("network %.12s is internal: it publishes no ports",
                        n->id);
    }
    if (!err && rp->n && !g->iptables) {
        err = xstrdup("ovsgw runs with --iptables false: it publishes no "
                      "ports");
    }
    if (!err) {
        err = ports_resolve(&g->model, e, rp, &ports, &n_ports);
    }
    free(rp);
    if (err) {
        return fail(ret, 400, call, e->id, err);
    }
    if (n_ports == 0 && e->n_ports == 0) {
        *ret = json_object();
        return 200;
    }
    if (endpoint_set_ports(g, n, e, ports, n_ports, &err) < 0) {
        char *msg = xasprintf("publishing ports: %s", err);
        free(err);
        return fail(ret, 500, call, e->id, msg);
    }
    _cleanup_free_ char *text = ports_format(e);
    log_info("%s %.12s: %s", call, e->id, *text ? text : "no ports");
    *ret = json_object();
    return 200;
}

static unsigned h_revoke(void *ud, const json_t *req, json_t **ret)
{
    static const char call[] = "RevokeExternalConnectivity";
    struct ovsgw *g = ud;
    struct network *n;
    struct endpoint *e;
    unsigned status;
    char *err = NULL;

    if ((status = lookup(g, req, call, &n, &e, ret))) {
        return status;
    }
    if (e->n_ports && endpoint_set_ports(g, n, e, NULL, 0, &err) < 0) {
        char *msg = xasprintf("unpublishing ports: %s", err);
        free(err);
        return fail(ret, 500, call, e->id, msg);
    }
    *ret = json_object();
    return 200;
}

static unsigned h_join(void *ud, const json_t *req, json_t **ret)
{
    struct ovsgw *g = ud;
    struct network *n;
    struct endpoint *e;
    unsigned status;
    char gw[IP4_STRLEN];

    if ((status = lookup(g, req, "Join", &n, &e, ret))) {
        return status;
    }
    if (network_is_ovn(n)) {
        char *err = NULL;
        if (ovn_endpoint_wait(g, e, &err) < 0) {
            return fail(ret, 500, "Join", e->id, err);
        }
    }
    addr_ip4_format(n->subnets[e->subnet].gateway, gw);
    log_info("Join %.12s: %s as eth*, gateway %s", e->id, e->peer_if, gw);
    *ret = json_pack("{s:{s:s,s:s},s:s}", "InterfaceName", "SrcName",
                     e->peer_if, "DstPrefix", "eth", "Gateway", gw);
    if (e->fe.has_ip6) {
        char gw6[IP6_STRLEN];
        json_object_set_new(*ret, "GatewayIPv6", json_string(
            addr_ip6_format(&n->subnets6[e->subnet6].gateway, gw6)));
    }
    return 200;
}

static unsigned h_leave(void *ud, const json_t *req, json_t **ret)
{
    struct ovsgw *g = ud;
    struct network *n;
    struct endpoint *e;
    unsigned status;

    if ((status = lookup(g, req, "Leave", &n, &e, ret))) {
        return status;
    }
    log_info("Leave %.12s", e->id);
    *ret = json_object();
    return 200;
}

static unsigned h_oper_info(void *ud, const json_t *req, json_t **ret)
{
    struct ovsgw *g = ud;
    struct network *n;
    struct endpoint *e;
    unsigned status;
    char mac[MAC_STRLEN], ip[IP4_STRLEN], gw[IP4_STRLEN];

    if ((status = lookup(g, req, "EndpointOperInfo", &n, &e, ret))) {
        return status;
    }
    _cleanup_free_ char *addr = xasprintf(
        "%s/%d", addr_ip4_format(e->fe.ip, ip), e->plen);
    _cleanup_free_ char *policy = policy_format(&n->opts.policy);
    _cleanup_free_ char *ports = ports_format(e);
    *ret = json_pack("{s:{s:s,s:s,s:i,s:s,s:s,s:s,s:s,s:s,s:o}}", "Value",
                     "bridge", n->bridge, "port", e->host_if, "ofport",
                     e->fe.ofport, "address", addr, "mac",
                     addr_mac_format(e->fe.mac, mac), "gateway",
                     addr_ip4_format(n->subnets[e->subnet].gateway, gw),
                     "tcp_policy", policy, "published", ports,
                     "ports", state_ports(e));
    if (e->fe.has_ip6) {
        char ip6[IP6_STRLEN], gw6[IP6_STRLEN];
        _cleanup_free_ char *addr6 = xasprintf(
            "%s/%d", addr_ip6_format(&e->fe.ip6, ip6), e->plen6);
        json_t *v = json_object_get(*ret, "Value");
        json_object_set_new(v, "address_ipv6", json_string(addr6));
        json_object_set_new(v, "gateway_ipv6", json_string(addr_ip6_format(
            &n->subnets6[e->subnet6].gateway, gw6)));
    }
    return 200;
}

static unsigned h_status(void *ud, const json_t *req, json_t **ret)
{
    struct ovsgw *g = ud;
    unsigned status;

    (void) req;
    if ((status = need_state(g, "Status", NULL, ret))) {
        return status;
    }
    json_t *stats = vswitch_iface_stats(g->db);
    _cleanup_free_ char *chassis = vswitch_system_key(g->db, "system-id");
    *ret = statusdoc_build(&g->model, stats, chassis, "daemon");
    json_decref(stats);
    return 200;
}

static const struct http_route routes[] = {
    { "/ovsgw.Status", h_status },
    { "/Plugin.Activate", h_activate },
    { "/NetworkDriver.GetCapabilities", h_capabilities },
    { "/NetworkDriver.CreateNetwork", h_create_network },
    { "/NetworkDriver.DeleteNetwork", h_delete_network },
    { "/NetworkDriver.CreateEndpoint", h_create_endpoint },
    { "/NetworkDriver.EndpointOperInfo", h_oper_info },
    { "/NetworkDriver.DeleteEndpoint", h_delete_endpoint },
    { "/NetworkDriver.Join", h_join },
    { "/NetworkDriver.Leave", h_leave },
    { "/NetworkDriver.ProgramExternalConnectivity", h_program },
    { "/NetworkDriver.RevokeExternalConnectivity", h_revoke },
    { "/NetworkDriver.DiscoverNew", h_empty },
    { "/NetworkDriver.DiscoverDelete", h_empty },
    { "/NetworkDriver.AllocateNetwork", h_empty },
    { "/NetworkDriver.FreeNetwork", h_empty },
};

const struct http_route *driver_routes(size_t *ret_n)
{
    *ret_n = ARRAY_SIZE(routes);
    return routes;
}
