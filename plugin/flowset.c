#include "flowset.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "flows.h"
#include "ofconn.h"
#include "util.h"

struct flowset {
    char *rundir;
    struct ofconn **conns;
    size_t n_conns;
    ofconn_packet_in_fn *packet_in;
    void *packet_in_aux;
};

struct flowset *flowset_new(const char *rundir)
{
    struct flowset *fs = xzalloc(sizeof *fs);

    fs->rundir = xstrdup(rundir);
    return fs;
}

void flowset_free(struct flowset *fs)
{
    if (!fs) {
        return;
    }
    for (size_t i = 0; i < fs->n_conns; i++) {
        ofconn_free(fs->conns[i]);
    }
    free(fs->conns);
    free(fs->rundir);
    free(fs);
}

/* The connection to 'bridge', made on first use. */
static struct ofconn *conn(struct flowset *fs, const char *bridge)
{
    for (size_t i = 0; i < fs->n_conns; i++) {
        if (!strcmp(ofconn_bridge(fs->conns[i]), bridge)) {
            return fs->conns[i];
        }
    }
    fs->conns = xrealloc(fs->conns, (fs->n_conns + 1) * sizeof *fs->conns);
    struct ofconn *c = ofconn_new(fs->rundir, bridge);
    if (fs->packet_in) {
        ofconn_set_packet_in(c, fs->packet_in, fs->packet_in_aux);
    }
    return fs->conns[fs->n_conns++] = c;
}

void flowset_set_packet_in(struct flowset *fs, ofconn_packet_in_fn *fn,
                           void *aux)
{
    fs->packet_in = fn;
    fs->packet_in_aux = aux;
    for (size_t i = 0; i < fs->n_conns; i++) {
        ofconn_set_packet_in(fs->conns[i], fn, aux);
    }
}

int flowset_open(struct flowset *fs, const char *bridge, char **ret_err)
{
    return ofconn_open(conn(fs, bridge), ret_err);
}

size_t flowset_fds(const struct flowset *fs, int *fds, size_t max)
{
    size_t n = 0;

    for (size_t i = 0; i < fs->n_conns && n < max; i++) {
        if (ofconn_fd(fs->conns[i]) >= 0) {
            fds[n++] = ofconn_fd(fs->conns[i]);
        }
    }
    return n;
}

void flowset_forget(struct flowset *fs, const char *bridge)
{
    for (size_t i = 0; i < fs->n_conns; i++) {
        if (!strcmp(ofconn_bridge(fs->conns[i]), bridge)) {
            ofconn_free(fs->conns[i]);
            fs->conns[i] = fs->conns[--fs->n_conns];
            return;
        }
    }
}

int flowset_network_apply(struct flowset *fs, const struct network *n,
                          char **ret_err)
{
    struct flows_network fn = network_flows(n);
    struct strbuf sb = { 0 };
    _cleanup_free_ char *del = flows_delete(n->tag, 0);
    _cleanup_free_ char *bridge_flows = flows_bridge();
    _cleanup_free_ char *net_flows = flows_network(&fn);

    strbuf_addf(&sb, "%s%s%s", del, bridge_flows, net_flows);
    for (const struct endpoint *e = n->endpoints; e; e = e->next) {
        _cleanup_free_ char *ef = flows_endpoint(&fn, &e->fe);
        strbuf_add(&sb, ef);
    }
    _cleanup_free_ char *all = strbuf_take(&sb);
    return ofconn_bundle(conn(fs, n->bridge), all, ret_err);
}

int flowset_network_delete(struct flowset *fs, const struct network *n,
                           bool last_on_bridge, char **ret_err)
{
    _cleanup_free_ char *del = flows_delete(n->tag, 0);
    _cleanup_free_ char *all = last_on_bridge ? xasprintf(
        "%sdelete cookie=0x%016" PRIx64 "/-1\n", del, FLOWS_COOKIE_BRIDGE)
                                              : xstrdup(del);

    return ofconn_bundle(conn(fs, n->bridge), all, ret_err);
}

int flowset_endpoint_add(struct flowset *fs, const struct network *n,
                         const struct endpoint *e, char **ret_err)
{
    struct flows_network fn = network_flows(n);
    _cleanup_free_ char *flows = flows_endpoint(&fn, &e->fe);

    /* One round trip instead of two, not all-or-nothing: one delete by
     * cookie undoes it.  On the userspace datapath each round trip waits
     * for an iteration of ovs-vswitchd's main loop, which grows with the
     * port count. */
    return ofconn_flows(conn(fs, n->bridge), flows, ret_err);
}

int flowset_endpoint_delete(struct flowset *fs, const struct network *n,
                            const struct endpoint *e, bool wait,
                            char **ret_err)
{
    _cleanup_free_ char *del = flows_delete(n->tag, e->fe.id);
    struct ofconn *c = conn(fs, n->bridge);

    return wait ? ofconn_flows(c, del, ret_err)
                : ofconn_flows_nowait(c, del, ret_err);
}

int flowset_endpoint_replace(struct flowset *fs, const struct network *n,
                             const struct endpoint *e, char **ret_err)
{
    struct flows_network fn = network_flows(n);
    _cleanup_free_ char *del = flows_delete(n->tag, e->fe.id);
    _cleanup_free_ char *add = flows_endpoint(&fn, &e->fe);
    _cleanup_free_ char *both = xasprintf("%s%s", del, add);

    return ofconn_bundle(conn(fs, n->bridge), both, ret_err);
}

int flowset_poll(struct flowset *fs, char **ret_err)
{
    int first = 0;

    for (size_t i = 0; i < fs->n_conns; i++) {
        char *err = NULL;
        if (ofconn_poll(fs->conns[i], &err) == -EINVAL && !first) {
            first = -EINVAL;
            if (ret_err) {
                *ret_err = TAKE_PTR(err);
            }
        }
        free(err);
    }
    return first;
}

int flowset_bridge_flows(struct flowset *fs, const char *bridge,
                         uint32_t *ret_count, char **ret_err)
{
    return ofconn_flow_count(conn(fs, bridge), FLOWS_COOKIE_BRIDGE,
                             UINT64_MAX, ret_count, ret_err);
}

int flowset_foreign_flows(struct flowset *fs, const char *bridge,
                          const uint32_t *tags, size_t n_tags,
                          char **ret_what, char **ret_err)
{
    struct ofp_flow_head *h = NULL;
    size_t n = 0;
    int r = ofconn_flow_heads(conn(fs, bridge), OFPTT_ALL, &h, &n, ret_err);

    if (r < 0) {
        return r;
    }
    *ret_what = NULL;
    for (size_t i = 0; i < n && !*ret_what; i++) {
        bool ours = h[i].cookie == FLOWS_COOKIE_BRIDGE;
        for (size_t t = 0; t < n_tags && !ours; t++) {
            ours = h[i].cookie >> 32 == tags[t];
        }
        bool clash = h[i].table == FLOWS_T_ARP || h[i].table == FLOWS_T_IP
                     || h[i].table == FLOWS_T_POLICY
                     || h[i].table == FLOWS_T_FORWARD
                     || (h[i].table == FLOWS_T_INGRESS
                         && h[i].priority == 0);
        if (clash && !ours) {
            *ret_what = xasprintf("a flow of its own in table %u, priority "
                                  "%u, cookie 0x%" PRIx64, h[i].table,
                                  h[i].priority, h[i].cookie);
        }
    }
    free(h);
    return 0;
}
