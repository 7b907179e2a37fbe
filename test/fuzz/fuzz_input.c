/* One fuzz target for everything ovsgw parses from untrusted input.  The
 * first byte picks the parser, the rest is its input:
 *   0 CreateNetwork body     1 CreateEndpoint body   2 any call's IDs
 *   3 driver options (JSON)  4 TCP rules (text)      5 HTTP routing
 *   6 a whole HTTP request (bytes on the plugin socket)
 *   7 OVSDB state (a network's JSON, an interface's external_ids)
 * Whatever parses is also turned into flows, so that generation sees odd
 * but valid models.  The HTTP cases check what every answer must be: a
 * JSON object and, for any status but 200, a non-empty "Err" string.
 * Built with libFuzzer by 'make fuzz'; the unit test test_fuzz replays the
 * committed corpus and past crashes through it. */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "driver.h"
#include "flows.h"
#include "http.h"
#include "log.h"
#include "options.h"
#include "ovsgw.h"
#include "policy.h"
#include "request.h"
#include "state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void flows_of(const struct policy *p, const struct flows_subnet *s,
                     size_t n)
{
    struct flows_network net = { .tag = 1, .n_subnets = n, .subnets = s,
                                 .policy = p,
                                 .gateway_mac = { 2, 0, 0, 0, 0, 1 } };
    struct flows_endpoint ep = { .id = 1, .ip = 0x0a000002, .ofport = 1,
                                 .mac = { 2, 0, 0, 0, 0, 2 } };
    free(flows_network(&net));
    free(flows_endpoint(&net, &ep));
    if (p) {
        free(policy_format(p));
    }
}

/* The daemon's state with an OVSDB that is not there: every handler runs
 * its parsing and answers without waiting. */
static struct ovsgw *daemon_state(void)
{
    static struct ovsgw *g;

    if (!g) {
        struct ovsgw_config cfg = { .ovsdb_remote = "unix:/nonexistent/db",
                                    .ovs_rundir = "/nonexistent" };
        log_set_level(LOG_ERROR + 1);
        if (ovsgw_new(&cfg, &g) < 0) {
            abort();
        }
    }
    return g;
}

/* Aborts unless 'body' is a JSON object that, for any status but 200,
 * carries a non-empty "Err". */
static void check_reply(unsigned status, const char *body, size_t len)
{
    json_t *j = json_loadb(body, len, 0, NULL);
    const char *err = json_string_value(json_object_get(j, "Err"));

    if (!json_is_object(j) || (status != 200 && (!err || !*err))) {
        fprintf(stderr, "bad reply %u: %.*s\n", status, (int) len, body);
        abort();
    }
    json_decref(j);
}

/* Method, path and body from 'data': "METHOD\nPATH\nBODY". */
static void http_routing(const uint8_t *data, size_t size)
{
    const char *p = (const char *) data, *end = p + size;
    const char *nl1 = memchr(p, '\n', size);
    const char *nl2 = nl1 ? memchr(nl1 + 1, '\n', (size_t) (end - nl1 - 1))
                          : NULL;
    size_t n;
    const struct http_route *routes = driver_routes(&n);
    char *method, *path, *body = NULL;

    if (!nl2) {
        return;
    }
    method = strndup(p, (size_t) (nl1 - p));
    path = strndup(nl1 + 1, (size_t) (nl2 - nl1 - 1));
    unsigned status = http_dispatch(routes, n, daemon_state(), method, path,
                                    nl2 + 1, (size_t) (end - nl2 - 1),
                                    &body);
    check_reply(status, body, strlen(body));
    free(body);
    free(method);
    free(path);
}

static char sock_path[64];

static void remove_socket(void)
{
    unlink(sock_path);
}

/* The raw bytes as one client's stream on a real plugin socket, served
 * by libmicrohttpd and the driver's routes; whatever comes back must be
 * an HTTP answer whose body check_reply() takes. */
static void http_stream(const uint8_t *data, size_t size)
{
    static struct http_server *srv;
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    char reply[65536];
    size_t got = 0;
    int fd, lfd;

    if (!srv) {
        size_t n;
        const struct http_route *routes = driver_routes(&n);
        snprintf(sock_path, sizeof sock_path, "/tmp/ovsgw-fuzz-%d.sock",
                 getpid());
        if (http_listen_unix(sock_path, &lfd) < 0
            || http_server_start(lfd, routes, n, daemon_state(), &srv) < 0) {
            abort();
        }
        atexit(remove_socket);
    }
    strcpy(sa.sun_path, sock_path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *) &sa, sizeof sa) < 0) {
        abort();
    }
    /* Small requests fit the socket buffer: send, then read the answer
     * while the server runs. */
    if (size > 100000) {
        size = 100000;
    }
    if (size && send(fd, data, size, MSG_NOSIGNAL) < 0) {
        abort();
    }
    shutdown(fd, SHUT_WR);
    for (int i = 0; i < 200; i++) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        http_server_step(srv, -1, 1);
        if (poll(&p, 1, 0) == 1) {
            ssize_t r = recv(fd, reply + got, sizeof reply - 1 - got, 0);
            if (r <= 0) {
                break;
            }
            got += (size_t) r;
        }
    }
    close(fd);
    /* Let the server notice the close and free the connection. */
    http_server_step(srv, -1, 0);
    reply[got] = '\0';
    const char *body = strstr(reply, "\r\n\r\n");
    unsigned status;
    if (got && sscanf(reply, "HTTP/1.%*d %u", &status) == 1 && body
        && strstr(reply, "application/vnd.docker.plugins.v1.2+json")) {
        /* One answer per request: check the first. */
        body += 4;
        const char *next = strstr(body, "HTTP/1.");
        check_reply(status, body, next ? (size_t) (next - body)
                                       : strlen(body));
    }
}

/* A network state, and an endpoint's external_ids, as OVSDB may hold
 * them after any crash or hand edit. */
static void ovsdb_state(const uint8_t *data, size_t size, bool endpoint)
{
    char *text = strndup((const char *) data, size);
    struct network *n = NULL;
    char *err;

    if (!endpoint) {
        err = state_network_decode("0123456789abcdef", "br0", text, "ovsgw",
                                   &n);
        if (n) {
            free(state_network_encode(n, "ovsgw"));
            flows_of(&n->opts.policy, n->subnets, n->n_subnets);
        }
        network_free(n);
    } else {
        json_t *ext = json_loadb((const char *) data, size, 0, NULL);
        struct endpoint *e = NULL;
        const char *nid;
        err = state_endpoint_decode(ext, "og0", 1, 1, &e, &nid);
        free(e);
        json_decref(ext);
    }
    free(err);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    unsigned sel = data[0] % 8;
    char *text = strndup((const char *) data + 1, size - 1);
    json_t *j = json_loadb((const char *) data + 1, size - 1, 0, NULL);
    char *err = NULL;

    switch (sel) {
    case 0: {
        struct request_network n;
        err = request_parse_network(j, &n);
        if (!err) {
            struct options o;
            char *e2 = options_parse(n.generic, &o);
            flows_of(e2 ? NULL : &o.policy, n.subnets, n.n_subnets);
            free(e2);
        }
        break;
    }
    case 1: {
        struct request_endpoint e;
        err = request_parse_endpoint(j, &e);
        break;
    }
    case 2: {
        struct request_ids ids;
        err = request_parse_ids(j, data[0] & 0x80, &ids);
        break;
    }
    case 3: {
        struct options o;
        err = options_parse(j, &o);
        if (!err) {
            flows_of(&o.policy, NULL, 0);
        }
        break;
    }
    case 4: {
        struct policy p = { .default_deny = data[0] & 0x80 };
        err = policy_parse_rules("ovsgw.tcp.rules", text, &p);
        if (!err) {
            flows_of(&p, NULL, 0);
        }
        break;
    }
    case 5:
        http_routing(data + 1, size - 1);
        break;
    case 6:
        http_stream(data + 1, size - 1);
        break;
    default:
        ovsdb_state(data + 1, size - 1, data[0] & 0x80);
        break;
    }
    /* A parser's message goes into {"Err": ...} as it is. */
    if (err && (!*err || !util_utf8_valid(err, strlen(err)))) {
        fprintf(stderr, "bad message: %s\n", err);
        abort();
    }
    free(err);
    json_decref(j);
    free(text);
    return 0;
}
