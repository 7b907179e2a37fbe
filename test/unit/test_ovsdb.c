/* The OVSDB client against a fake server on TCP loopback: the remotes it
 * takes and refuses, the database named in each transaction, an echo
 * request answered in the middle of a call, a failed operation's error,
 * and a refused connection named in the message. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
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
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "ovsdb.h"

struct fake {
    int listen_fd;
    int port;
    pthread_t thread;
    char dbname[64]; /* params[0] of the last transact */
    int echo_replies;
    int connections;
    bool hang_up;    /* after the first reply: an echo request, then close,
                      * as ovsdb-server does to a client that stays idle */
};

/* One connection: each transact first gets an echo request, then its
 * reply.  An operation {"op":"fail"} gets an error result. */
static void serve(struct fake *f, int fd)
{
    FILE *in = fdopen(dup(fd), "r");
    json_error_t err;
    json_t *msg;
    bool replied = false;

    while (in && (msg = json_loadf(in, JSON_DISABLE_EOF_CHECK, &err))) {
        const char *method = json_string_value(json_object_get(msg, "method"));
        json_t *reply = NULL;
        if (!method) { /* the client's reply to our echo */
            f->echo_replies += json_is_string(json_object_get(msg, "id"));
            if (f->hang_up && replied) {
                /* All read: close() sends a FIN, as ovsdb-server's does. */
                static const char echo[] =
                    "{\"method\":\"echo\",\"params\":[],\"id\":\"e2\"}";
                f->hang_up = false;
                if (write(fd, echo, sizeof echo - 1) < 0) {
                    fprintf(stderr, "fake ovsdb: short write\n");
                }
                json_decref(msg);
                break;
            }
        } else if (!strcmp(method, "transact")) {
            json_t *params = json_object_get(msg, "params");
            snprintf(f->dbname, sizeof f->dbname, "%s",
                     json_string_value(json_array_get(params, 0)));
            const char *op = json_string_value(
                json_object_get(json_array_get(params, 1), "op"));
            json_t *echo = json_pack("{s:s,s:[],s:s}", "method", "echo",
                                     "params", "id", "e1");
            char *e = json_dumps(echo, JSON_COMPACT);
            if (write(fd, e, strlen(e)) < 0) {
                fprintf(stderr, "fake ovsdb: short write\n");
            }
            free(e);
            json_decref(echo);
            json_t *result = op && !strcmp(op, "fail")
                ? json_pack("[{s:s,s:s}]", "error", "constraint violation",
                            "details", "row 1")
                : json_pack("[{s:i}]", "count", 1);
            reply = json_pack("{s:O,s:n,s:o}", "id",
                              json_object_get(msg, "id"), "error", "result",
                              result);
        }
        if (reply) {
            char *s = json_dumps(reply, JSON_COMPACT);
            if (write(fd, s, strlen(s)) < 0) {
                fprintf(stderr, "fake ovsdb: short write\n");
            }
            free(s);
            json_decref(reply);
            replied = true;
        }
        json_decref(msg);
    }
    if (in) {
        fclose(in);
    }
}

/* Serves connections one after the other until one ends without a
 * hang-up of its own. */
static void *fake_main(void *arg)
{
    struct fake *f = arg;

    for (;;) {
        bool hang_up = f->hang_up;
        int fd = accept(f->listen_fd, NULL, NULL);
        if (fd < 0) {
            break;
        }
        f->connections++;
        serve(f, fd);
        close(fd);
        if (!hang_up) {
            break;
        }
    }
    return NULL;
}

static int listen_loopback(int *port)
{
    struct sockaddr_in sa = { .sin_family = AF_INET,
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof sa;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *) &sa, sizeof sa), 0);
    assert_int_equal(listen(fd, 1), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *) &sa, &len), 0);
    *port = ntohs(sa.sin_port);
    return fd;
}

static void test_remotes(void **state)
{
    (void) state;
    static const char *bad[] = {
        "",          "unix:",           "tcp:",          "tcp:10.0.0.1",
        "tcp:10.0.0.1:0", "tcp:10.0.0.1:65536", "tcp:nb.example:6641",
        "tcp:[::1:6641", "tcp:::1:6641", "ssl:10.0.0.1:6641", "tcp:10.0.0.1:x",
    };
    static const char *good[] = { "unix:/run/ovn/ovnnb_db.sock",
                                  "tcp:10.0.0.1:6641", "tcp:[fd00::1]:6641" };
    struct ovsdb *db = NULL;

    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(ovsdb_new_db(bad[i], "OVN_Northbound", &db),
                         -EINVAL);
    }
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        assert_int_equal(ovsdb_new_db(good[i], "OVN_Northbound", &db), 0);
        ovsdb_free(db);
    }
}

static void test_transact_tcp(void **state)
{
    (void) state;
    struct fake f = { 0 };
    char remote[64], *err = NULL;
    struct ovsdb *db;
    json_t *res = NULL;

    f.listen_fd = listen_loopback(&f.port);
    assert_int_equal(pthread_create(&f.thread, NULL, fake_main, &f), 0);
    snprintf(remote, sizeof remote, "tcp:127.0.0.1:%d", f.port);
    assert_int_equal(ovsdb_new_db(remote, "OVN_Northbound", &db), 0);

    assert_int_equal(ovsdb_transact(db, json_pack("[{s:s}]", "op", "x"),
                                    &res, &err),
                     0);
    assert_string_equal(f.dbname, "OVN_Northbound");
    assert_int_equal(json_integer_value(json_object_get(
                         json_array_get(res, 0), "count")),
                     1);
    json_decref(res);

    /* A failed operation: -EPROTO and the server's words. */
    assert_int_equal(ovsdb_transact(db, json_pack("[{s:s}]", "op", "fail"),
                                    NULL, &err),
                     -EPROTO);
    assert_non_null(strstr(err, "constraint violation: row 1"));
    free(err);

    ovsdb_free(db); /* closes: the fake's loop ends */
    pthread_join(f.thread, NULL);
    close(f.listen_fd);
    assert_int_equal(f.echo_replies, 2);
}

/* The server hung up on the idle client, after an echo request it never
 * saw answered: the next call goes over a new connection, and works. */
static void test_idle_hang_up(void **state)
{
    (void) state;
    struct fake f = { .hang_up = true };
    char remote[64], *err = NULL;
    struct ovsdb *db;

    f.listen_fd = listen_loopback(&f.port);
    assert_int_equal(pthread_create(&f.thread, NULL, fake_main, &f), 0);
    snprintf(remote, sizeof remote, "tcp:127.0.0.1:%d", f.port);
    assert_int_equal(ovsdb_new_db(remote, "OVN_Northbound", &db), 0);
    assert_int_equal(ovsdb_transact(db, json_pack("[{s:s}]", "op", "x"),
                                    NULL, &err),
                     0);
    usleep(100 * 1000); /* the hang-up arrives */
    assert_int_equal(ovsdb_transact(db, json_pack("[{s:s}]", "op", "x"),
                                    NULL, &err),
                     0);
    ovsdb_free(db);
    pthread_join(f.thread, NULL);
    close(f.listen_fd);
    assert_int_equal(f.connections, 2);
}

static void test_refused(void **state)
{
    (void) state;
    int port, fd = listen_loopback(&port);
    char remote[64], *err = NULL;
    struct ovsdb *db;

    close(fd); /* nothing listens there now */
    snprintf(remote, sizeof remote, "tcp:127.0.0.1:%d", port);
    assert_int_equal(ovsdb_new_db(remote, "OVN_Northbound", &db), 0);
    assert_int_equal(ovsdb_transact(db, json_array(), NULL, &err),
                     -ECONNREFUSED);
    assert_non_null(strstr(err, remote));
    free(err);
    ovsdb_free(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_remotes),
        cmocka_unit_test(test_transact_tcp),
        cmocka_unit_test(test_idle_hang_up),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests_name("ovsdb", tests, NULL, NULL);
}
