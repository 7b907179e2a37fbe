#include "ofconn.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ofp.h"
#include "timeval.h"
#include "util.h"

/* ovs-vswitchd answers within milliseconds unless it is stuck.  One
 * deadline for a whole call (connect, hello, every message and reply), so
 * that echo requests or other traffic cannot stretch it. */

/* Far above any message ovs-vswitchd sends on this connection. */
#define OFCONN_MAX_MSG 65535
/* Messages ofconn_poll() reads at most in one call. */
#define OFCONN_POLL_MAX 64

struct ofconn {
    char *path;
    char *bridge;
    int fd;
    uint32_t xid;
    uint32_t bundle_id;
    /* Flow mods sent without waiting (ofconn_flows_nowait()): their xids,
     * and the first error ovs-vswitchd sent for one of them. */
    uint32_t nowait_lo, nowait_hi;
    char *nowait_err;
    long long deadline_ms; /* of the call in progress, CLOCK_MONOTONIC */
    ofconn_packet_in_fn *packet_in; /* or NULL: packet-ins are dropped */
    void *packet_in_aux;
};

/* Waits until the socket is ready for 'events' or the call's deadline. */
static int wait_ready(struct ofconn *c, short events)
{
    struct pollfd pfd = { .fd = c->fd, .events = events };

    for (;;) {
        /* Past the deadline, what is ready already still counts. */
        long long left = c->deadline_ms - time_msec();
        int n = poll(&pfd, 1, left > 0 ? (int) left : 0);
        if (n > 0) {
            return 0;
        }
        if (n == 0) {
            return -ETIMEDOUT;
        }
        if (errno != EINTR) {
            return -errno;
        }
    }
}

struct ofconn *ofconn_new(const char *rundir, const char *bridge)
{
    struct ofconn *c = xzalloc(sizeof *c);

    c->path = xasprintf("%s/%s.mgmt", rundir, bridge);
    c->bridge = xstrdup(bridge);
    c->fd = -1;
    c->xid = 1;
    return c;
}

static void disconnect(struct ofconn *c)
{
    if (c->fd >= 0) {
        close(c->fd);
        c->fd = -1;
    }
    /* What was sent without waiting is lost with the connection unless
     * ovs-vswitchd read it; either way its replies never come. */
    c->nowait_lo = c->nowait_hi = 0;
}

void ofconn_free(struct ofconn *c)
{
    if (c) {
        disconnect(c);
        free(c->path);
        free(c->bridge);
        free(c->nowait_err);
        free(c);
    }
}

const char *ofconn_bridge(const struct ofconn *c)
{
    return c->bridge;
}

static int send_all(struct ofconn *c, const struct ofp_buf *b)
{
    for (size_t off = 0; off < b->len;) {
        int r = wait_ready(c, POLLOUT);
        if (r < 0) {
            return r;
        }
        ssize_t n = send(c->fd, b->data + off, b->len - off,
                         MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                continue;
            }
            return -errno;
        }
        off += n;
    }
    return 0;
}

static int recv_exact(struct ofconn *c, uint8_t *p, size_t len)
{
    for (size_t off = 0; off < len;) {
        int r = wait_ready(c, POLLIN);
        if (r < 0) {
            return r;
        }
        ssize_t n = recv(c->fd, p + off, len - off, MSG_DONTWAIT);
        if (n == 0) {
            return -ECONNRESET;
        }
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                continue;
            }
            return -errno;
        }
        off += n;
    }
    return 0;
}

/* Reads one message into 'msg' (OFCONN_MAX_MSG bytes); answers echo
 * requests and hands packet-ins to their function on the way, so a caller
 * never sees either.  With 'idle' (nothing may be coming: ofconn_poll()),
 * returns 1 after such a message instead of waiting for the next one. */
static int recv_msg(struct ofconn *c, uint8_t *msg, size_t *ret_len,
                    bool idle)
{
    for (;;) {
        int r = recv_exact(c, msg, OFP_HEADER_LEN);
        if (r < 0) {
            return r;
        }
        size_t len = ofp_msg_len(msg);
        if (len < OFP_HEADER_LEN) {
            return -EPROTO;
        }
        if ((r = recv_exact(c, msg + OFP_HEADER_LEN,
                            len - OFP_HEADER_LEN)) < 0) {
            return r;
        }
        if (ofp_msg_type(msg) == OFPT_PACKET_IN) {
            if (c->packet_in) {
                c->packet_in(c->packet_in_aux, c, msg, len);
            }
        } else if (ofp_msg_type(msg) == OFPT_ECHO_REQUEST) {
            struct ofp_buf reply = { 0 };
            ofp_put_echo_reply(&reply, msg, len);
            r = send_all(c, &reply);
            free(reply.data);
            if (r < 0) {
                return r;
            }
        } else {
            *ret_len = len;
            return 0;
        }
        if (c->fd < 0) {
            return -ENOTCONN; /* a packet-out broke the connection */
        }
        if (idle) {
            return 1;
        }
    }
}

static int fail_errno(int r, char **ret_err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail_errno(int r, char **ret_err, const char *fmt, ...)
{
    if (ret_err) {
        va_list ap;
        va_start(ap, fmt);
        _cleanup_free_ char *what = xvasprintf(fmt, ap);
        va_end(ap);
        *ret_err = xasprintf("%s: %s", what, strerror(-r));
    }
    return r;
}

/* Asks for whole packets in packet-ins: SET_CONFIG with a miss_send_len
 * (a connection to the management socket gets none without).  SET_CONFIG
 * also sets the bridge's fragment handling, for every connection: the
 * flags go back as GET_CONFIG gave them.  Nothing answers SET_CONFIG but
 * an error, with xid 0 like every message no call waits for. */
static int ask_packet_ins(struct ofconn *c)
{
    uint8_t msg[OFCONN_MAX_MSG];
    struct ofp_buf b = { 0 };
    uint32_t xid = c->xid++;
    size_t len;
    int r;

    ofp_put_simple(&b, OFPT_GET_CONFIG_REQUEST, xid);
    r = send_all(c, &b);
    free(b.data);
    while (r >= 0 && (r = recv_msg(c, msg, &len, false)) >= 0
           && ofp_msg_xid(msg) != xid) {
        continue;
    }
    if (r < 0) {
        return r;
    }
    uint16_t flags;
    if (!ofp_get_config_reply(msg, len, &flags)) {
        return -EPROTO;
    }
    b = (struct ofp_buf) { 0 };
    ofp_put_set_config(&b, 0, flags, UINT16_MAX);
    r = send_all(c, &b);
    free(b.data);
    return r;
}

static int do_connect(struct ofconn *c, char **ret_err)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    uint8_t msg[OFCONN_MAX_MSG];
    size_t len;
    int r;

    if (strlen(c->path) >= sizeof sun.sun_path) {
        return fail_errno(-ENAMETOOLONG, ret_err, "%s", c->path);
    }
    strcpy(sun.sun_path, c->path);
    if ((c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
        return fail_errno(-errno, ret_err, "socket");
    }
    if (connect(c->fd, (struct sockaddr *) &sun, sizeof sun) < 0) {
        r = -errno;
        disconnect(c);
        return fail_errno(r, ret_err, "cannot connect to %s", c->path);
    }

    /* Both sides say hello; the lower version wins.  OpenFlow 1.4 is the
     * least ovsgw needs (bundles). */
    struct ofp_buf hello = { 0 };
    ofp_put_simple(&hello, OFPT_HELLO, c->xid++);
    r = send_all(c, &hello);
    free(hello.data);
    if (r < 0 || (r = recv_msg(c, msg, &len, false)) < 0) {
        disconnect(c);
        return fail_errno(r, ret_err, "OpenFlow hello on %s", c->path);
    }
    if (ofp_msg_type(msg) != OFPT_HELLO || msg[0] < OFP_VERSION) {
        disconnect(c);
        if (ret_err) {
            *ret_err = xasprintf("bridge %s does not speak OpenFlow 1.4 "
                                 "(its protocols must include OpenFlow14)",
                                 c->bridge);
        }
        return -EPROTONOSUPPORT;
    }
    if (c->packet_in && (r = ask_packet_ins(c)) < 0) {
        disconnect(c);
        return fail_errno(r, ret_err, "OpenFlow GET_CONFIG/SET_CONFIG on %s",
                          c->path);
    }
    return 0;
}

void ofconn_set_packet_in(struct ofconn *c, ofconn_packet_in_fn *fn,
                          void *aux)
{
    c->packet_in = fn;
    c->packet_in_aux = aux;
}

int ofconn_packet_out(struct ofconn *c, uint32_t port, const uint8_t *data,
                      size_t len)
{
    struct ofp_buf b = { 0 };
    int r;

    if (c->fd < 0) {
        return -ENOTCONN;
    }
    /* xid 0: an error for it falls in no call's range of xids. */
    ofp_put_packet_out(&b, 0, port, data, len);
    r = send_all(c, &b);
    free(b.data);
    if (r < 0) {
        disconnect(c); /* perhaps half a message went: the stream is lost */
    }
    return r;
}

int ofconn_open(struct ofconn *c, char **ret_err)
{
    if (c->fd >= 0) {
        return 0;
    }
    c->deadline_ms = time_deadline(OFCONN_TIMEOUT_MS);
    return do_connect(c, ret_err);
}

int ofconn_fd(const struct ofconn *c)
{
    return c->fd;
}

/* Reads until the reply to 'xid' (its own message, or an error for it).
 * Errors for any xid from 'first' on are counted; the first one is
 * described in '*err' with its xid in '*err_xid'. */
/* Keeps the first error for a flow mod sent without waiting. */
static void note_nowait_error(struct ofconn *c, const uint8_t *msg,
                              size_t len)
{
    uint32_t x = ofp_msg_xid(msg);

    if (!c->nowait_hi || x < c->nowait_lo || x > c->nowait_hi) {
        return;
    }
    if (ofp_msg_type(msg) == OFPT_ERROR && !c->nowait_err) {
        _cleanup_free_ char *what = ofp_error_text(msg, len);
        c->nowait_err = xasprintf("%s refused a flow change sent without "
                                  "waiting: %s", c->bridge, what);
    } else if (x == c->nowait_hi && ofp_msg_type(msg) == OFPT_BARRIER_REPLY) {
        c->nowait_lo = c->nowait_hi = 0; /* all answered */
    }
}

static int wait_reply(struct ofconn *c, uint32_t first, uint32_t xid,
                      char **err, uint32_t *err_xid)
{
    uint8_t msg[OFCONN_MAX_MSG];
    size_t len;

    for (;;) {
        int r = recv_msg(c, msg, &len, false);
        if (r < 0) {
            return r;
        }
        uint32_t x = ofp_msg_xid(msg);
        note_nowait_error(c, msg, len);
        if (ofp_msg_type(msg) == OFPT_ERROR && x >= first && x <= xid
            && !*err) {
            *err = ofp_error_text(msg, len);
            *err_xid = x;
        }
        if (x == xid) {
            return 0;
        }
    }
}

int ofconn_poll(struct ofconn *c, char **ret_err)
{
    uint8_t msg[OFCONN_MAX_MSG];
    struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
    size_t len;
    int r = 0;

    /* ovs-vswitchd writes whole messages: once a byte is there, the rest
     * of its message follows at once.  At most OFCONN_POLL_MAX messages,
     * so that a flood of packet-ins on one bridge holds nothing up: the
     * loop comes back for the rest. */
    c->deadline_ms = time_deadline(OFCONN_TIMEOUT_MS);
    for (int i = 0; i < OFCONN_POLL_MAX && c->fd >= 0
                    && poll(&pfd, 1, 0) == 1;
         i++) {
        if ((r = recv_msg(c, msg, &len, true)) < 0) {
            disconnect(c);
            break;
        }
        if (r == 0) {
            note_nowait_error(c, msg, len);
        }
        r = 0;
    }
    if (c->nowait_err) {
        if (ret_err) {
            *ret_err = TAKE_PTR(c->nowait_err);
        }
        free(c->nowait_err);
        c->nowait_err = NULL;
        return -EINVAL;
    }
    return r;
}

/* Describes the refused line, or the refused bundle. */
static void refused_err(const struct ofconn *c, char **lines, uint32_t n,
                        uint32_t open, uint32_t err_xid, const char *err,
                        char **ret_err)
{
    if (!ret_err) {
        return;
    }
    if (err_xid > open && err_xid <= open + n) {
        *ret_err = xasprintf("%s refused \"%s\": %s", c->bridge,
                             lines[err_xid - open - 1], err);
    } else {
        *ret_err = xasprintf("%s refused the bundle: %s", c->bridge, err);
    }
}

/* One attempt.  Atomic: open a bundle, add every line, barrier, then
 * commit (or discard): two round trips.  Otherwise: the flow mods and a
 * barrier, one round trip; a refused line leaves the others applied.
 * Every round trip costs at least one iteration of ovs-vswitchd's main
 * loop, which on the userspace datapath grows with the port count.  A
 * retry after a broken connection may repeat what ovs-vswitchd already
 * did: harmless, as adds and deletes by cookie are idempotent. */
static int transact(struct ofconn *c, char **lines, uint32_t n,
                    bool atomic, bool nowait, char **ret_err)
{
    struct ofp_buf b = { 0 };
    _cleanup_free_ char *err = NULL;
    uint32_t err_xid = 0;
    int r;

    if (c->fd < 0 && (r = do_connect(c, ret_err)) < 0) {
        return r;
    }

    /* OVS leaves a refused message out of the bundle and goes on, so
     * commit only after the barrier shows that nothing was refused. */
    uint32_t bundle = atomic ? ++c->bundle_id : 0, open = c->xid;
    uint32_t barrier = open + n + 1;
    if (atomic) {
        ofp_put_bundle_ctrl(&b, open, bundle, OFPBCT_OPEN_REQUEST,
                            OFPBF_ATOMIC | OFPBF_ORDERED);
    }
    for (uint32_t i = 0; i < n; i++) {
        err = atomic ? ofp_put_bundle_add(&b, lines[i], open + 1 + i, bundle,
                                          OFPBF_ATOMIC | OFPBF_ORDERED)
                     : ofp_put_flow_mod(&b, lines[i], open + 1 + i);
        if (err) {
            free(b.data);
            if (ret_err) {
                *ret_err = xasprintf("cannot encode \"%s\": %s", lines[i],
                                     err);
            }
            return -EINVAL;
        }
    }
    ofp_put_simple(&b, OFPT_BARRIER_REQUEST, barrier);
    c->xid = barrier + 1;
    r = send_all(c, &b);
    free(b.data);
    if (r >= 0 && nowait) {
        /* The barrier's reply and any error are read later. */
        if (!c->nowait_hi) {
            c->nowait_lo = open + 1;
        }
        c->nowait_hi = barrier;
        return 0;
    }
    if (r < 0 || (r = wait_reply(c, open, barrier, &err, &err_xid)) < 0) {
        return fail_errno(r, ret_err, "OpenFlow to %s", c->bridge);
    }
    if (!atomic) {
        if (err) {
            refused_err(c, lines, n, open, err_xid, err, ret_err);
            return -EINVAL;
        }
        return 0;
    }

    struct ofp_buf end = { 0 };
    uint32_t xid = c->xid++;
    bool refused = err != NULL;
    ofp_put_bundle_ctrl(&end, xid, bundle,
                        refused ? OFPBCT_DISCARD_REQUEST
                                : OFPBCT_COMMIT_REQUEST,
                        OFPBF_ATOMIC | OFPBF_ORDERED);
    r = send_all(c, &end);
    free(end.data);
    if (r < 0 || (r = wait_reply(c, open, xid, &err, &err_xid)) < 0) {
        return fail_errno(r, ret_err, "OpenFlow bundle to %s", c->bridge);
    }
    if (!err) {
        return 0;
    }
    refused_err(c, lines, n, open, err_xid, err, ret_err);
    /* A refused line is ovsgw's fault and a retry would not help. */
    return refused ? -EINVAL : -EPROTO;
}

static int run(struct ofconn *c, const char *flows, bool atomic,
               bool nowait, char **ret_err)
{
    _cleanup_free_ char *copy = xstrdup(flows);
    _cleanup_free_ char **lines = NULL;
    uint32_t n = 0, cap = 0;
    char *save = NULL;
    int r;

    for (char *line = strtok_r(copy, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            lines = xrealloc(lines, cap * sizeof *lines);
        }
        lines[n++] = line;
    }
    if (n == 0) {
        return 0;
    }
    c->deadline_ms = time_deadline(OFCONN_TIMEOUT_MS);
    for (int attempt = 0;; attempt++) {
        char *err = NULL;
        r = transact(c, lines, n, atomic, nowait, &err);
        bool broken = r == -EPIPE || r == -ECONNRESET || r == -ENOTCONN
                      || r == -ECONNREFUSED || r == -ENOENT;
        if (r >= 0 || !broken || attempt == 1) {
            if (r < 0 && ret_err) {
                *ret_err = err;
            } else {
                free(err);
            }
            break;
        }
        /* ovs-vswitchd restarted or the bridge was re-created: OVS drops
         * an open bundle with its connection.  Once more, anew. */
        free(err);
        disconnect(c);
    }
    if (r < 0 && r != -EINVAL) {
        disconnect(c);
    }
    return r;
}

int ofconn_bundle(struct ofconn *c, const char *flows, char **ret_err)
{
    return run(c, flows, true, false, ret_err);
}

int ofconn_flows(struct ofconn *c, const char *flows, char **ret_err)
{
    return run(c, flows, false, false, ret_err);
}

int ofconn_flows_nowait(struct ofconn *c, const char *flows, char **ret_err)
{
    return run(c, flows, false, true, ret_err);
}

/* Sends a flow statistics request and collects its replies (one or more
 * messages with its xid) into 'ret' as ofp_flow_heads() or
 * ofp_aggregate_flows() want them: each reply message, one after the
 * other, is handed to 'take'. */
static int stats(struct ofconn *c, uint16_t type, uint8_t table,
                 uint64_t cookie, uint64_t mask,
                 bool (*take)(const uint8_t *msg, size_t len, void *aux),
                 void *aux, char **ret_err)
{
    uint8_t msg[OFCONN_MAX_MSG];
    struct ofp_buf b = { 0 };
    size_t len;
    int r;

    c->deadline_ms = time_deadline(OFCONN_TIMEOUT_MS);
    if (c->fd < 0 && (r = do_connect(c, ret_err)) < 0) {
        return r;
    }
    uint32_t xid = c->xid++;
    ofp_put_flow_stats_request(&b, xid, type, table, cookie, mask);
    r = send_all(c, &b);
    free(b.data);
    while (r >= 0) {
        uint16_t mp_type, flags;
        if ((r = recv_msg(c, msg, &len, false)) < 0) {
            break;
        }
        note_nowait_error(c, msg, len);
        if (ofp_msg_xid(msg) != xid) {
            continue;
        }
        if (ofp_msg_type(msg) == OFPT_ERROR) {
            _cleanup_free_ char *what = ofp_error_text(msg, len);
            if (ret_err) {
                *ret_err = xasprintf("%s refused a flow statistics request: "
                                     "%s", c->bridge, what);
            }
            return -EPROTO;
        }
        if (!ofp_multipart_reply(msg, len, &mp_type, &flags)
            || mp_type != type || !take(msg, len, aux)) {
            r = -EPROTO;
            break;
        }
        if (!(flags & OFPMPF_REPLY_MORE)) {
            return 0;
        }
    }
    disconnect(c);
    return fail_errno(r, ret_err, "OpenFlow statistics from %s", c->bridge);
}

static bool take_count(const uint8_t *msg, size_t len, void *aux)
{
    return ofp_aggregate_flows(msg, len, aux);
}

int ofconn_flow_count(struct ofconn *c, uint64_t cookie, uint64_t mask,
                      uint32_t *ret_count, char **ret_err)
{
    return stats(c, OFPMP_AGGREGATE, OFPTT_ALL, cookie, mask, take_count,
                 ret_count, ret_err);
}

struct heads {
    struct ofp_flow_head *v;
    size_t n;
};

static bool take_heads(const uint8_t *msg, size_t len, void *aux)
{
    struct heads *h = aux;

    return ofp_flow_heads(msg, len, &h->v, &h->n);
}

int ofconn_flow_heads(struct ofconn *c, uint8_t table,
                      struct ofp_flow_head **ret, size_t *ret_n,
                      char **ret_err)
{
    struct heads h = { 0 };
    int r = stats(c, OFPMP_FLOW, table, 0, 0, take_heads, &h, ret_err);

    if (r < 0) {
        free(h.v);
        return r;
    }
    *ret = h.v;
    *ret_n = h.n;
    return 0;
}
