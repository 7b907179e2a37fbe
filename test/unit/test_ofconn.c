/* The OpenFlow connection against a fake switch on a unix socket: bundles
 * committed or discarded, refused lines named, echo requests answered in
 * the middle of a transaction, errors for deletions sent without waiting
 * surfaced by ofconn_poll(), a dropped connection reopened, packet-ins
 * asked for, handed over in the middle of a call, answered with a
 * packet-out. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "ofp.h"
#include "ofconn.h"
#include "timeval.h"

/* Flow mods with this cookie are refused by the fake switch. */
#define BAD_COOKIE 0xbadULL

struct fake {
    int listen_fd;
    pthread_t thread;
    pthread_mutex_t lock;
    /* what the switch saw */
    int connections, commits, discards, flow_mods, echo_replies;
    bool drop_after_commit; /* close the connection after the next commit */
    bool packet_in;         /* send one before each barrier reply */
    bool packet_in_after;   /* send one after the next barrier reply */
    int miss_send_len;      /* of the last SET_CONFIG, -1: none */
    int config_flags;       /* of the last SET_CONFIG */
    int packet_outs;
    uint32_t out_port;      /* of the last packet-out */
    char out_data[16];      /* its packet, NUL-terminated */
};

static uint64_t be64_at(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) {
        v = v << 8 | p[i];
    }
    return v;
}

static bool read_all(int fd, uint8_t *p, size_t n)
{
    while (n) {
        ssize_t r = read(fd, p, n);
        if (r <= 0) {
            return false;
        }
        p += r;
        n -= (size_t) r;
    }
    return true;
}

static bool read_msg(int fd, uint8_t *msg)
{
    return read_all(fd, msg, OFP_HEADER_LEN)
           && read_all(fd, msg + OFP_HEADER_LEN,
                       ofp_msg_len(msg) - OFP_HEADER_LEN);
}

/* The fake switch runs in its own thread: no cmocka asserts there (they
 * jump), a failed write just ends up as a failed check in the test. */
static void xwrite(int fd, const void *p, size_t n)
{
    if (write(fd, p, n) != (ssize_t) n) {
        fprintf(stderr, "fake switch: short write\n");
    }
}

static void send_buf(int fd, struct ofp_buf *b)
{
    xwrite(fd, b->data, b->len);
    free(b->data);
    *b = (struct ofp_buf) { 0 };
}

static void send_error(int fd, uint32_t xid)
{
    uint8_t m[12] = { OFP_VERSION, OFPT_ERROR, 0, 12, xid >> 24, xid >> 16,
                      xid >> 8, xid, 0, 4, 0, 9 }; /* bad match */
    xwrite(fd, m, sizeof m);
}

static void reply_bundle(int fd, const uint8_t *msg, uint16_t ctrl)
{
    struct ofp_buf b = { 0 };
    ofp_put_bundle_ctrl(&b, ofp_msg_xid(msg),
                        (uint32_t) msg[8] << 24 | msg[9] << 16 | msg[10] << 8
                            | msg[11], ctrl, 0);
    send_buf(fd, &b);
}

/* A PACKET_IN: from in_port 9, the packet "ns". */
static void send_packet_in(int fd)
{
    static const uint8_t pin[] = { OFP_VERSION, OFPT_PACKET_IN, 0, 44,
                                   0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff,
                                   0, 2, 1, 10, 0, 0, 0, 0, 0, 0, 0, 0,
                                   0, 1, 0, 12, 0x80, 0, 0, 4, 0, 0, 0, 9,
                                   0, 0, 0, 0, 0, 0, 'n', 's' };
    xwrite(fd, pin, sizeof pin);
}

static void count(struct fake *f, int *what)
{
    pthread_mutex_lock(&f->lock);
    (*what)++;
    pthread_mutex_unlock(&f->lock);
}

/* Serves one connection until the client closes it or a drop is due. */
static void serve(struct fake *f, int fd)
{
    uint8_t msg[65536];
    struct ofp_buf b = { 0 };

    ofp_put_simple(&b, OFPT_HELLO, 0);
    send_buf(fd, &b);
    while (read_msg(fd, msg)) {
        uint32_t xid = ofp_msg_xid(msg);
        switch (ofp_msg_type(msg)) {
        case OFPT_BUNDLE_CONTROL: {
            uint16_t ctrl = (uint16_t) (msg[12] << 8 | msg[13]);
            if (ctrl == OFPBCT_OPEN_REQUEST) {
                reply_bundle(fd, msg, OFPBCT_OPEN_REPLY);
            } else if (ctrl == OFPBCT_COMMIT_REQUEST) {
                count(f, &f->commits);
                reply_bundle(fd, msg, OFPBCT_COMMIT_REPLY);
                if (f->drop_after_commit) {
                    f->drop_after_commit = false;
                    return;
                }
            } else if (ctrl == OFPBCT_DISCARD_REQUEST) {
                count(f, &f->discards);
                reply_bundle(fd, msg, OFPBCT_DISCARD_REPLY);
            }
            break;
        }
        case OFPT_BUNDLE_ADD_MESSAGE:
            if (be64_at(msg + 16 + 8) == BAD_COOKIE) {
                send_error(fd, xid);
            }
            break;
        case OFPT_FLOW_MOD:
            count(f, &f->flow_mods);
            if (be64_at(msg + 8) == BAD_COOKIE) {
                send_error(fd, xid);
            }
            break;
        case OFPT_BARRIER_REQUEST: {
            /* An echo request first: the client must answer it while it
             * waits for the barrier. */
            uint8_t echo[12] = { OFP_VERSION, OFPT_ECHO_REQUEST, 0, 12,
                                 0, 0, 0x77, 0x77, 'p', 'i', 'n', 'g' };
            xwrite(fd, echo, sizeof echo);
            if (!read_msg(fd, msg) || ofp_msg_type(msg) != OFPT_ECHO_REPLY
                || ofp_msg_xid(msg) != 0x7777 || memcmp(msg + 8, "ping", 4)) {
                return;
            }
            count(f, &f->echo_replies);
            if (f->packet_in) {
                send_packet_in(fd);
            }
            ofp_put_simple(&b, OFPT_BARRIER_REPLY, xid);
            send_buf(fd, &b);
            if (f->packet_in_after) {
                f->packet_in_after = false;
                send_packet_in(fd);
            }
            break;
        }
        case OFPT_GET_CONFIG_REQUEST: {
            /* flags 1: fragments dropped, as its owner may have set */
            uint8_t r[12] = { OFP_VERSION, OFPT_GET_CONFIG_REPLY, 0, 12,
                              xid >> 24, xid >> 16, xid >> 8, xid,
                              0, 1, 0, 128 };
            xwrite(fd, r, sizeof r);
            break;
        }
        case OFPT_SET_CONFIG:
            pthread_mutex_lock(&f->lock);
            f->config_flags = msg[8] << 8 | msg[9];
            f->miss_send_len = msg[10] << 8 | msg[11];
            pthread_mutex_unlock(&f->lock);
            break;
        case OFPT_PACKET_OUT: {
            /* one output action: its port; then the packet */
            size_t n = ofp_msg_len(msg) - 40;
            pthread_mutex_lock(&f->lock);
            f->out_port = (uint32_t) msg[28] << 24 | msg[29] << 16
                          | msg[30] << 8 | msg[31];
            snprintf(f->out_data, sizeof f->out_data, "%.*s", (int) n,
                     (const char *) msg + 40);
            f->packet_outs++;
            pthread_mutex_unlock(&f->lock);
            break;
        }
        default:
            break;
        }
    }
}

static void *fake_main(void *arg)
{
    struct fake *f = arg;
    int fd;

    while ((fd = accept(f->listen_fd, NULL, NULL)) >= 0) {
        count(f, &f->connections);
        serve(f, fd);
        close(fd);
    }
    return NULL;
}

static char dir[64];

static int setup(void **state)
{
    struct fake *f = calloc(1, sizeof *f);
    struct sockaddr_un sun = { .sun_family = AF_UNIX };

    strcpy(dir, "/tmp/ovsgw-ofconn.XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(sun.sun_path, sizeof sun.sun_path, "%s/br0.mgmt", dir);
    f->listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_int_equal(bind(f->listen_fd, (struct sockaddr *) &sun,
                          sizeof sun), 0);
    assert_int_equal(listen(f->listen_fd, 4), 0);
    pthread_mutex_init(&f->lock, NULL);
    f->miss_send_len = -1;
    assert_int_equal(pthread_create(&f->thread, NULL, fake_main, f), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fake *f = *state;
    char path[128];

    shutdown(f->listen_fd, SHUT_RDWR);
    close(f->listen_fd);
    pthread_join(f->thread, NULL);
    snprintf(path, sizeof path, "%s/br0.mgmt", dir);
    unlink(path);
    rmdir(dir);
    pthread_mutex_destroy(&f->lock);
    free(f);
    return 0;
}

static int get(struct fake *f, int *what)
{
    pthread_mutex_lock(&f->lock);
    int v = *what;
    pthread_mutex_unlock(&f->lock);
    return v;
}

#define GOOD "cookie=0x1,table=0,priority=1 actions=drop\n"
#define BAD "cookie=0xbad,table=0,priority=2,ip actions=drop\n"

static void test_bundle(void **state)
{
    struct fake *f = *state;
    struct ofconn *c = ofconn_new(dir, "br0");
    char *err = NULL;

    assert_int_equal(ofconn_bundle(c, GOOD "\n" GOOD, &err), 0);
    assert_null(err);
    assert_int_equal(get(f, &f->commits), 1);
    assert_int_equal(get(f, &f->echo_replies), 1);

    /* A refused line: the bundle is discarded, the line named. */
    assert_int_equal(ofconn_bundle(c, GOOD BAD, &err), -EINVAL);
    assert_non_null(err);
    assert_non_null(strstr(err, "br0 refused \"cookie=0xbad,table=0"));
    assert_non_null(strstr(err, "bad match (type 4, code 9)"));
    free(err);
    assert_int_equal(get(f, &f->commits), 1);
    assert_int_equal(get(f, &f->discards), 1);

    /* A line ovsgw cannot encode: nothing is sent. */
    err = NULL;
    assert_int_equal(ofconn_bundle(c, "table=0 actions=flood\n", &err),
                     -EINVAL);
    assert_non_null(strstr(err, "unknown action \"flood\""));
    free(err);
    assert_int_equal(get(f, &f->connections), 1);
    ofconn_free(c);
}

static void test_flows_and_nowait(void **state)
{
    struct fake *f = *state;
    struct ofconn *c = ofconn_new(dir, "br0");
    char *err = NULL;

    assert_int_equal(ofconn_flows(c, GOOD GOOD, &err), 0);
    assert_int_equal(get(f, &f->flow_mods), 2);
    assert_int_equal(ofconn_flows(c, BAD, &err), -EINVAL);
    assert_non_null(strstr(err, "refused \"cookie=0xbad"));
    free(err);
    err = NULL;

    /* Sent without waiting: fine at once, the error comes later. */
    assert_int_equal(ofconn_flows_nowait(c, BAD, &err), 0);
    assert_null(err);
    int r = 0;
    for (int i = 0; i < 200 && r == 0; i++) {
        usleep(5000);
        r = ofconn_poll(c, &err);
    }
    assert_int_equal(r, -EINVAL);
    assert_non_null(strstr(err, "refused a flow change sent without "
                                "waiting"));
    free(err);
    err = NULL;
    /* Once reported, it is gone; a good deletion reports nothing. */
    assert_int_equal(ofconn_flows_nowait(c, "delete cookie=0x1/-1\n", &err),
                     0);
    assert_int_equal(ofconn_flows(c, GOOD, &err), 0);
    assert_int_equal(ofconn_poll(c, &err), 0);
    assert_null(err);
    ofconn_free(c);
}

static void test_reconnect(void **state)
{
    struct fake *f = *state;
    struct ofconn *c = ofconn_new(dir, "br0");
    char *err = NULL;

    f->drop_after_commit = true;
    assert_int_equal(ofconn_bundle(c, GOOD, &err), 0);
    /* The switch closed the connection (as a restarted ovs-vswitchd
     * would): the next call opens a new one by itself. */
    usleep(20000);
    assert_int_equal(ofconn_bundle(c, GOOD, &err), 0);
    assert_null(err);
    assert_int_equal(get(f, &f->connections), 2);
    assert_int_equal(get(f, &f->commits), 2);
    ofconn_free(c);
}

/* A packet-in handler: answers with "na" out of the packet's in_port. */
static int packet_ins;
static void on_packet_in(void *aux, struct ofconn *c, const uint8_t *msg,
                         size_t len)
{
    struct ofp_packet_in pin;

    assert_ptr_equal(aux, &packet_ins);
    packet_ins++;
    if (ofp_packet_in(msg, len, &pin) && pin.len == 2
        && !memcmp(pin.data, "ns", 2)) {
        assert_int_equal(ofconn_packet_out(c, pin.in_port,
                                           (const uint8_t *) "na", 2), 0);
    }
}

static void wait_packet_outs(struct fake *f, int n)
{
    for (int i = 0; i < 200 && get(f, &f->packet_outs) < n; i++) {
        usleep(5000);
    }
}

static void test_packet_in(void **state)
{
    struct fake *f = *state;
    struct ofconn *c = ofconn_new(dir, "br0");
    char *err = NULL;

    /* Without a handler: no SET_CONFIG, a packet-in is dropped. */
    f->packet_in = true;
    assert_int_equal(ofconn_packet_out(c, 1, (const uint8_t *) "x", 1),
                     -ENOTCONN);
    assert_int_equal(ofconn_fd(c), -1);
    assert_int_equal(ofconn_flows(c, GOOD, &err), 0);
    assert_true(ofconn_fd(c) >= 0);
    ofconn_free(c);
    usleep(20000);
    assert_int_equal(get(f, &f->miss_send_len), -1);
    assert_int_equal(get(f, &f->packet_outs), 0);

    /* With one: whole packets asked for at connect (the bridge's
     * fragment flags kept), the packet-in that comes while the call waits
     * for its barrier is handed over and answered, and the call still
     * succeeds. */
    c = ofconn_new(dir, "br0");
    ofconn_set_packet_in(c, on_packet_in, &packet_ins);
    assert_int_equal(ofconn_open(c, &err), 0);
    assert_int_equal(ofconn_flows(c, GOOD, &err), 0);
    assert_null(err);
    assert_int_equal(packet_ins, 1);
    wait_packet_outs(f, 1);
    assert_int_equal(get(f, &f->miss_send_len), 0xffff);
    assert_int_equal(get(f, &f->config_flags), 1);
    assert_int_equal(get(f, &f->packet_outs), 1);
    pthread_mutex_lock(&f->lock);
    assert_int_equal(f->out_port, 9);
    assert_string_equal(f->out_data, "na");
    pthread_mutex_unlock(&f->lock);

    /* A packet-in that comes alone, when nothing waits: ofconn_poll()
     * hands it over and returns at once, the connection stays open. */
    f->packet_in = false;
    f->packet_in_after = true;
    assert_int_equal(ofconn_flows(c, GOOD, &err), 0);
    assert_int_equal(packet_ins, 1);
    for (int i = 0; i < 200 && packet_ins < 2; i++) {
        usleep(5000);
        long long t0 = time_msec();
        assert_int_equal(ofconn_poll(c, &err), 0);
        assert_true(time_msec() - t0 < 500);
    }
    assert_int_equal(packet_ins, 2);
    assert_true(ofconn_fd(c) >= 0);
    wait_packet_outs(f, 2);
    assert_int_equal(get(f, &f->packet_outs), 2);
    assert_int_equal(get(f, &f->connections), 2);
    ofconn_free(c);
}

static void test_no_switch(void **state)
{
    (void) state;
    struct ofconn *c = ofconn_new(dir, "nosuchbridge");
    char *err = NULL;

    assert_int_equal(ofconn_bundle(c, GOOD, &err), -ENOENT);
    assert_non_null(strstr(err, "cannot connect to"));
    assert_non_null(strstr(err, "nosuchbridge.mgmt"));
    free(err);
    assert_int_equal(ofconn_bundle(c, "", NULL), 0); /* nothing to send */
    ofconn_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_bundle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flows_and_nowait, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_reconnect, setup, teardown),
        cmocka_unit_test_setup_teardown(test_packet_in, setup, teardown),
        cmocka_unit_test(test_no_switch),
    };
    return cmocka_run_group_tests_name("ofconn", tests, NULL, NULL);
}
