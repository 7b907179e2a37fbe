/* HTTP glue: a route table of JSON handlers served by libmicrohttpd on a
 * unix socket.  http_dispatch() is the pure part (routing, body limits,
 * JSON in and out) and is unit-tested without a socket. */
#ifndef OVSGW_HTTP_H
#define OVSGW_HTTP_H

#include <jansson.h>
#include <stddef.h>

#define HTTP_BODY_MAX (1024 * 1024)
/* The time budget of one call (timeval.h): every wait of its handler ends
 * by then, well before Docker gives up on the plugin (30 s). */
#define HTTP_CALL_BUDGET_MS 15000
/* Connections served at once (the process's file limit is raised to fit),
 * and how long one may stay idle or half-sent. */
#define HTTP_MAX_CONNECTIONS 4000
#define HTTP_IDLE_TIMEOUT_S 60

/* A handler gets the parsed request body (an empty object when the body
 * was empty) and sets '*ret_reply' to a JSON reply it hands over to the
 * caller.  Returns the HTTP status. */
typedef unsigned (*http_handler)(void *userdata, const json_t *req,
                                 json_t **ret_reply);

struct http_route {
    const char *path; /* e.g. "/NetworkDriver.CreateNetwork" */
    http_handler handler;
};

/* Routes one request.  'body' need not be NUL-terminated.  Sets
 * '*ret_body' to the malloc'd JSON reply text and returns its status:
 * 404 for an unknown path, 405 for a method other than POST, 413 for a
 * body over HTTP_BODY_MAX, 400 for a body that is not a JSON object; each
 * with {"Err": "..."}. */
unsigned http_dispatch(const struct http_route *routes, size_t n_routes,
                       void *userdata, const char *method, const char *path,
                       const char *body, size_t len, char **ret_body);

/* Creates a listening unix socket at 'path', mode 0600: makes the parent
 * directory if missing and replaces a stale socket (one nobody answers).
 * Returns 0 and the fd in '*ret_fd', or -errno: -EADDRINUSE if a server
 * answers on 'path', -ENOTSOCK if something other than a socket is
 * there (it is left alone). */
int http_listen_unix(const char *path, int *ret_fd);

struct http_server;

/* Prepares to serve 'routes' on 'listen_fd' (takes ownership of the fd).
 * 'routes' must outlive the server.  Nothing is served until
 * http_server_run().  Returns 0 or -errno. */
int http_server_start(int listen_fd, const struct http_route *routes,
                      size_t n_routes, void *userdata,
                      struct http_server **ret);

/* What the loop does beside serving requests, with its 'userdata'. */
struct http_loop {
    int tick_ms;
    void (*tick)(void *userdata); /* about every 'tick_ms' */
    /* Other sockets to watch for input (NULL: none): at most 'max' of them
     * into 'fds', and what to do when one of them has some. */
    size_t (*fds)(void *userdata, int *fds, size_t max);
    void (*input)(void *userdata);
};

/* At most this many sockets of http_loop.fds are watched at once (the
 * others wait for the tick). */
#define HTTP_LOOP_MAX_FDS 64

/* Waits up to 'timeout_ms' for something to do and does it: accepts
 * connections, reads requests, answers them.  Returns 1 if 'stop_fd'
 * (ignored if negative) became readable, else 0 or -errno. */
int http_server_step(struct http_server *srv, int stop_fd, int timeout_ms);

/* Serves requests in the calling thread, one at a time, until 'stop_fd'
 * becomes readable, and does what 'loop' says between requests.  Returns
 * 0 or -errno. */
int http_server_run(struct http_server *srv, int stop_fd,
                    const struct http_loop *loop, void *userdata);

/* Stops the server and closes its socket.  NULL is fine. */
void http_server_stop(struct http_server *srv);

#endif
