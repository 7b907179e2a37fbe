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
#include "util.h"

#define CONTENT_TYPE "application/vnd.docker.plugins.v1.2+json"

static char *err_body(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static char *err_body(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    _cleanup_free_ char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    json_t *j = json_pack("{s:s}", "Err", msg);
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return s;
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
        *ret_body = err_body("unknown path %.200s", path);
        return 404;
    }
    if (strcmp(method, "POST")) {
        *ret_body = err_body("%.200s: want POST, not %.20s", path, method);
        return 405;
    }
    if (len > HTTP_BODY_MAX) {
        *ret_body = err_body("%.200s: request body over %d bytes", path,
                             HTTP_BODY_MAX);
        return 413;
    }
    if (len == 0) {
        req = json_object();
    } else {
        req = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
        if (!req) {
            *ret_body = err_body("%.200s: bad JSON: %s at byte %d", path,
                                 jerr.text, jerr.position);
            return 400;
        }
        if (!json_is_object(req)) {
            json_decref(req);
            *ret_body = err_body("%.200s: want a JSON object", path);
            return 400;
        }
    }
    status = route->handler(userdata, req, &reply);
    json_decref(req);
    *ret_body = json_dumps(reply ? reply : json_object(), JSON_COMPACT);
    json_decref(reply);
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
    /* A socket left by a daemon that died is stale: nobody answers it. */
    if (connect(fd, (struct sockaddr *) &sa, sizeof sa) == 0) {
        close(fd);
        return -EADDRINUSE;
    }
    unlink(path);
    /* Bind with a restrictive umask so the socket is never world-open. */
    mode_t old = umask(0177);
    r = bind(fd, (struct sockaddr *) &sa, sizeof sa);
    umask(old);
    if (r < 0 || chmod(path, 0600) < 0 || listen(fd, 64) < 0) {
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

static long long now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

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
        req->start_us = now_us();
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
    log_debug("%s %.100s: %u in %.1f ms", method, url, status,
              (double) (now_us() - req->start_us) / 1000.0);
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
    srv->mhd = MHD_start_daemon(
        MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL, NULL,
        on_request, srv, MHD_OPTION_LISTEN_SOCKET, listen_fd,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
        MHD_OPTION_CONNECTION_LIMIT, 256, MHD_OPTION_END);
    if (!srv->mhd) {
        free(srv);
        return -EIO;
    }
    *ret = srv;
    return 0;
}

static long long now_ms(void)
{
    return now_us() / 1000;
}

int http_server_run(struct http_server *srv, int stop_fd, int tick_ms,
                    void (*tick)(void *), void *userdata)
{
    const union MHD_DaemonInfo *info =
        MHD_get_daemon_info(srv->mhd, MHD_DAEMON_INFO_EPOLL_FD);
    long long next_tick = now_ms() + tick_ms;

    if (!info) {
        return -EIO;
    }
    for (;;) {
        struct pollfd p[2] = { { .fd = info->epoll_fd, .events = POLLIN },
                               { .fd = stop_fd, .events = POLLIN } };
        long long wait = next_tick - now_ms();
        MHD_UNSIGNED_LONG_LONG mhd_wait;

        if (MHD_get_timeout(srv->mhd, &mhd_wait) == MHD_YES
            && (long long) mhd_wait < wait) {
            wait = (long long) mhd_wait;
        }
        if (poll(p, 2, wait < 0 ? 0 : (int) wait) < 0 && errno != EINTR) {
            return -errno;
        }
        if (p[1].revents) {
            return 0;
        }
        MHD_run(srv->mhd);
        if (now_ms() >= next_tick) {
            tick(userdata);
            next_tick = now_ms() + tick_ms;
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
