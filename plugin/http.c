#include "http.h"

#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "timeval.h"
#include "util.h"

#define CONTENT_TYPE "application/vnd.docker.plugins.v1.2+json"

/* An {"Err": ...} body.  The message may carry bytes of the request
 * (path, method): they are cleaned so that the JSON always holds it. */
static char *err_body(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static char *err_body(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    _cleanup_free_ char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    _cleanup_free_ char *clean = util_str_clean(msg, strlen(msg), 1000);
    json_t *j = json_pack("{s:s}", "Err", clean);
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return s;
}

/* Request bytes for a message: at most 'max' characters, valid UTF-8.
 * Malloc'd. */
static char *shown(const char *s, size_t max)
{
    return util_str_clean(s, strlen(s), max);
}

unsigned http_dispatch(const struct http_route *routes, size_t n_routes,
                       void *userdata, const char *method, const char *path,
                       const char *body, size_t len, char **ret_body)
{
    const struct http_route *route = NULL;
    json_error_t jerr;
    json_t *req, *reply = NULL;
    unsigned status;

    for (size_t i = 0; i < n_routes; i++) {
        if (!strcmp(routes[i].path, path)) {
            route = &routes[i];
            break;
        }
    }
    if (!route) {
        _cleanup_free_ char *p = shown(path, 200);
        *ret_body = err_body("unknown path %s", p);
        return 404;
    }
    if (strcmp(method, "POST")) {
        _cleanup_free_ char *m = shown(method, 20);
        *ret_body = err_body("%s: want POST, not %s", path, m);
        return 405;
    }
    if (len > HTTP_BODY_MAX) {
        *ret_body = err_body("%s: request body over %d bytes", path,
                             HTTP_BODY_MAX);
        return 413;
    }
    if (len == 0) {
        req = json_object();
    } else {
        req = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
        if (!req) {
            *ret_body = err_body("%s: bad JSON: %s at byte %d", path,
                                 jerr.text, jerr.position);
            return 400;
        }
        if (!json_is_object(req)) {
            json_decref(req);
            *ret_body = err_body("%s: want a JSON object", path);
            return 400;
        }
    }
    /* One budget for every wait of the call, well under the 30 s after
     * which Docker gives up on a plugin. */
    time_budget_begin(HTTP_CALL_BUDGET_MS);
    status = route->handler(userdata, req, &reply);
    time_budget_end();
    json_decref(req);
    *ret_body = reply ? json_dumps(reply, JSON_COMPACT) : NULL;
    json_decref(reply);
    if (!*ret_body) {
        /* A handler that made no reply is a bug; Docker still gets one. */
        *ret_body = err_body("%s: internal error: no reply", path);
        return 500;
    }
    return status;
}

int http_listen_unix(const char *path, int *ret_fd)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    _cleanup_free_ char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    int fd, r;

    if (strlen(path) >= sizeof sa.sun_path) {
        return -ENAMETOOLONG;
    }
    strcpy(sa.sun_path, path);
    if (slash && slash != dir) {
        *slash = '\0';
        /* Like mkdir -p: /run/docker may not exist yet on a new host. */
        for (char *p = dir + 1;; p++) {
            if (*p == '/' || !*p) {
                char c = *p;
                *p = '\0';
                if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
                    return -errno;
                }
                if (!(*p = c)) {
                    break;
                }
            }
        }
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -errno;
    }
    /* A socket left by a daemon that died is stale: nobody answers it,
     * and it is replaced.  Anything else at that path is left alone. */
    struct stat st;
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            close(fd);
            return -ENOTSOCK;
        }
        if (connect(fd, (struct sockaddr *) &sa, sizeof sa) == 0) {
            close(fd);
            return -EADDRINUSE;
        }
        unlink(path);
    }
    /* Bind with a restrictive umask so the socket is never world-open. */
    mode_t old = umask(0177);
    r = bind(fd, (struct sockaddr *) &sa, sizeof sa);
    umask(old);
    if (r < 0 || chmod(path, 0600) < 0 || listen(fd, SOMAXCONN) < 0) {
        r = -errno;
        close(fd);
        return r;
    }
    *ret_fd = fd;
    return 0;
}

struct http_server {
    struct MHD_Daemon *mhd;
    const struct http_route *routes;
    size_t n_routes;
    void *userdata;
};

/* Per-request state: the body collected so far. */
struct request {
    struct strbuf body;
    bool too_big;
    long long start_us;
};


static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status,
                             char *body)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        strlen(body), body, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                            CONTENT_TYPE);
    enum MHD_Result r = MHD_queue_response(conn, status, resp);
    MHD_destroy_response(resp);
    return r;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *version,
                                  const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    struct http_server *srv = cls;
    struct request *req = *con_cls;
    char *body;
    unsigned status;

    (void) version;
    if (!req) {
        const char *cl = MHD_lookup_connection_value(
            conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        long n;
        req = xzalloc(sizeof *req);
        req->start_us = time_usec();
        *con_cls = req;
        if (cl && (!util_parse_int(cl, 0, HTTP_BODY_MAX, &n))) {
            /* Refuse before reading a body that would be thrown away. */
            req->too_big = true;
            status = http_dispatch(srv->routes, srv->n_routes,
                                   srv->userdata, method, url, "",
                                   HTTP_BODY_MAX + 1, &body);
            return reply(conn, status, body);
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (!req->too_big
            && req->body.len + *upload_data_size <= HTTP_BODY_MAX) {
            strbuf_addn(&req->body, upload_data, *upload_data_size);
        } else {
            req->too_big = true;
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    status = http_dispatch(srv->routes, srv->n_routes, srv->userdata,
                           method, url, req->body.buf ? req->body.buf : "",
                           req->too_big ? HTTP_BODY_MAX + 1 : req->body.len,
                           &body);
    _cleanup_free_ char *u = shown(url, 100);
    log_debug("%s %s: %u in %.1f ms", method, u, status,
              (double) (time_usec() - req->start_us) / 1000.0);
    return reply(conn, status, body);
}

static void on_completed(void *cls, struct MHD_Connection *conn,
                         void **con_cls, enum MHD_RequestTerminationCode t)
{
    struct request *req = *con_cls;

    (void) cls, (void) conn, (void) t;
    if (req) {
        strbuf_free(&req->body);
        free(req);
        *con_cls = NULL;
    }
}

int http_server_start(int listen_fd, const struct http_route *routes,
                      size_t n_routes, void *userdata,
                      struct http_server **ret)
{
    struct http_server *srv = xzalloc(sizeof *srv);

    srv->routes = routes;
    srv->n_routes = n_routes;
    srv->userdata = userdata;
    /* Idle or half-sent connections must never lock Docker out: far
     * more connections than dockerd opens, each closed after
     * HTTP_IDLE_TIMEOUT_S without traffic. */
    srv->mhd = MHD_start_daemon(
        MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL, NULL,
        on_request, srv, MHD_OPTION_LISTEN_SOCKET, listen_fd,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned) HTTP_MAX_CONNECTIONS,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned) HTTP_IDLE_TIMEOUT_S,
        MHD_OPTION_END);
    if (!srv->mhd) {
        free(srv);
        return -EIO;
    }
    *ret = srv;
    return 0;
}

/* http_server_step(), also watching the sockets of 'loop' (or none). */
static int step(struct http_server *srv, int stop_fd, int timeout_ms,
                const struct http_loop *loop, void *userdata)
{
    const union MHD_DaemonInfo *info =
        MHD_get_daemon_info(srv->mhd, MHD_DAEMON_INFO_EPOLL_FD);
    struct pollfd p[2 + HTTP_LOOP_MAX_FDS] = {
        { .fd = info ? info->epoll_fd : -1, .events = POLLIN },
        { .fd = stop_fd, .events = POLLIN }
    };
    int fds[HTTP_LOOP_MAX_FDS];
    size_t n_fds = loop && loop->fds ? loop->fds(userdata, fds,
                                                 HTTP_LOOP_MAX_FDS)
                                     : 0;
    MHD_UNSIGNED_LONG_LONG mhd_wait;
    long long wait = timeout_ms;

    if (!info) {
        return -EIO;
    }
    for (size_t i = 0; i < n_fds; i++) {
        p[2 + i] = (struct pollfd) { .fd = fds[i], .events = POLLIN };
    }
    if (MHD_get_timeout(srv->mhd, &mhd_wait) == MHD_YES
        && (long long) mhd_wait < wait) {
        wait = (long long) mhd_wait;
    }
    /* A negative stop_fd is ignored by poll() itself. */
    if (poll(p, 2 + n_fds, wait < 0 ? 0 : (int) wait) < 0 && errno != EINTR) {
        return -errno;
    }
    if (stop_fd >= 0 && p[1].revents) {
        return 1;
    }
    for (size_t i = 0; i < n_fds; i++) {
        if (p[2 + i].revents) {
            loop->input(userdata);
            break;
        }
    }
    MHD_run(srv->mhd);
    return 0;
}

int http_server_step(struct http_server *srv, int stop_fd, int timeout_ms)
{
    return step(srv, stop_fd, timeout_ms, NULL, NULL);
}

int http_server_run(struct http_server *srv, int stop_fd,
                    const struct http_loop *loop, void *userdata)
{
    long long next_tick = time_msec() + loop->tick_ms;

    for (;;) {
        int r = step(srv, stop_fd, (int) (next_tick - time_msec()), loop,
                     userdata);
        if (r != 0) {
            return r < 0 ? r : 0;
        }
        if (time_msec() >= next_tick) {
            loop->tick(userdata);
            next_tick = time_msec() + loop->tick_ms;
        }
    }
}

void http_server_stop(struct http_server *srv)
{
    if (!srv) {
        return;
    }
    /* Also closes the listening socket it was given. */
    MHD_stop_daemon(srv->mhd);
    free(srv);
}
