#include "ovsdb.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>
#include <unistd.h>

#include "timeval.h"
#include "util.h"

/* Far above any reply to what ovsgw asks (a select of every interface
 * with 1000 endpoints is about 300 KiB). */
#define OVSDB_MAX_MSG (64 * 1024 * 1024)

struct ovsdb {
    char *remote;   /* as given, for messages */
    char *dbname;   /* "Open_vSwitch", "OVN_Northbound" */
    bool tcp;
    struct sockaddr_storage addr;
    socklen_t addr_len;
    int fd;
    long long next_id;
    struct strbuf in; /* bytes received and not parsed yet */
    /* Framing: how far 'in' was scanned for the end of the first JSON
     * value, and the scanner's state there. */
    size_t scanned;
    int depth;
    bool in_string, escaped;
};

/* Parses "unix:PATH" or "tcp:IP:PORT" ("tcp:[IPV6]:PORT") into 'db'. */
static bool parse_remote(struct ovsdb *db, const char *remote)
{
    if (!strncmp(remote, "unix:", 5)) {
        struct sockaddr_un *sun = (struct sockaddr_un *) &db->addr;
        if (!remote[5] || strlen(remote + 5) >= sizeof sun->sun_path) {
            return false;
        }
        sun->sun_family = AF_UNIX;
        strcpy(sun->sun_path, remote + 5);
        db->addr_len = sizeof *sun;
        return true;
    }
    if (strncmp(remote, "tcp:", 4)) {
        return false;
    }
    const char *host = remote + 4, *colon = strrchr(host, ':');
    char ip[INET6_ADDRSTRLEN + 2];
    long port;
    if (!colon || (size_t) (colon - host) >= sizeof ip
        || !util_parse_int(colon + 1, 1, 65535, &port)) {
        return false;
    }
    memcpy(ip, host, (size_t) (colon - host));
    ip[colon - host] = '\0';
    struct sockaddr_in *s4 = (struct sockaddr_in *) &db->addr;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *) &db->addr;
    size_t n = strlen(ip);
    if (n > 2 && ip[0] == '[' && ip[n - 1] == ']') {
        ip[n - 1] = '\0';
        if (inet_pton(AF_INET6, ip + 1, &s6->sin6_addr) != 1) {
            return false;
        }
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t) port);
        db->addr_len = sizeof *s6;
    } else if (inet_pton(AF_INET, ip, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        s4->sin_port = htons((uint16_t) port);
        db->addr_len = sizeof *s4;
    } else {
        return false;
    }
    db->tcp = true;
    return true;
}

int ovsdb_new_db(const char *remote, const char *dbname, struct ovsdb **ret)
{
    struct ovsdb *db = xzalloc(sizeof *db);

    if (!parse_remote(db, remote)) {
        free(db);
        return -EINVAL;
    }
    db->remote = xstrdup(remote);
    db->dbname = xstrdup(dbname);
    db->fd = -1;
    db->next_id = 1;
    *ret = db;
    return 0;
}

int ovsdb_new(const char *remote, struct ovsdb **ret)
{
    return ovsdb_new_db(remote, "Open_vSwitch", ret);
}

static void disconnect(struct ovsdb *db)
{
    if (db->fd >= 0) {
        close(db->fd);
        db->fd = -1;
    }
    strbuf_free(&db->in);
    db->scanned = 0;
    db->depth = 0;
    db->in_string = db->escaped = false;
}

void ovsdb_free(struct ovsdb *db)
{
    if (!db) {
        return;
    }
    disconnect(db);
    free(db->remote);
    free(db->dbname);
    free(db);
}

/* Connects, by the deadline: a remote host that does not answer is an
 * error at once, not a hang. */
static int connect_db(struct ovsdb *db, long long deadline)
{
    int fd = socket(db->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC
                                            | SOCK_NONBLOCK, 0);
    int r = 0, err = 0;
    socklen_t len = sizeof err;

    if (fd < 0) {
        return -errno;
    }
    if (connect(fd, (struct sockaddr *) &db->addr, db->addr_len) < 0) {
        r = -errno;
        if (r == -EINPROGRESS) {
            /* A remote host that does not answer: an Err soon, not at
             * the call's deadline. */
            long long cap = time_deadline(OVSDB_CONNECT_MS);
            struct pollfd p = { .fd = fd, .events = POLLOUT };
            long long left = (cap < deadline ? cap : deadline) - time_msec();
            int n = left > 0 ? poll(&p, 1, (int) left) : 0;
            if (n == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err,
                                     &len) == 0) {
                r = -err;
            } else {
                r = n == 0 ? -ETIMEDOUT : -errno;
            }
        }
    }
    if (r < 0) {
        close(fd);
        return r;
    }
    db->fd = fd;
    return 0;
}

/* Waits until the socket is ready for 'events' or 'deadline'. */
static int wait_ready(struct ovsdb *db, short events, long long deadline)
{
    struct pollfd p = { .fd = db->fd, .events = events };

    for (;;) {
        long long left = deadline - time_msec();
        if (left <= 0) {
            return -ETIMEDOUT;
        }
        int r = poll(&p, 1, (int) left);
        if (r > 0) {
            return 0;
        }
        if (r < 0 && errno != EINTR) {
            return -errno;
        }
    }
}

static int send_json(struct ovsdb *db, const json_t *msg, long long deadline)
{
    _cleanup_free_ char *s = json_dumps(msg, JSON_COMPACT);
    size_t len = strlen(s), off = 0;

    while (off < len) {
        int r = wait_ready(db, POLLOUT, deadline);
        if (r < 0) {
            return r;
        }
        ssize_t n = send(db->fd, s + off, len - off,
                         MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                continue;
            }
            return -errno;
        }
        off += (size_t) n;
    }
    return 0;
}

/* Scans the input from where the last scan stopped for the end of the
 * first JSON value (ovsdb-server sends objects one after the other).
 * Returns its length once it is complete, else 0.  So every byte is
 * scanned once and every message parsed once, however it was cut. */
static size_t frame(struct ovsdb *db)
{
    for (; db->scanned < db->in.len; db->scanned++) {
        char c = db->in.buf[db->scanned];
        if (db->in_string) {
            if (db->escaped) {
                db->escaped = false;
            } else if (c == '\\') {
                db->escaped = true;
            } else if (c == '"') {
                db->in_string = false;
            }
        } else if (c == '"') {
            db->in_string = true;
        } else if (c == '{' || c == '[') {
            db->depth++;
        } else if ((c == '}' || c == ']') && --db->depth == 0) {
            return ++db->scanned;
        }
    }
    return 0;
}

/* Takes one complete JSON value off the input buffer, reading more as
 * needed until 'deadline'. */
static int recv_json(struct ovsdb *db, long long deadline, json_t **ret)
{
    for (;;) {
        size_t len = frame(db);
        if (len) {
            json_error_t err;
            json_t *v = json_loadb(db->in.buf, len, 0, &err);
            memmove(db->in.buf, db->in.buf + len, db->in.len - len);
            db->in.len -= len;
            db->in.buf[db->in.len] = '\0';
            db->scanned = 0;
            if (!v) {
                return -EPROTO;
            }
            *ret = v;
            return 0;
        }
        if (db->depth < 0 || db->in.len > OVSDB_MAX_MSG) {
            return -EPROTO;
        }
        int r = wait_ready(db, POLLIN, deadline);
        if (r < 0) {
            return r;
        }
        char buf[16384];
        ssize_t n = recv(db->fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                continue;
            }
            return -errno;
        }
        if (n == 0) {
            return -ECONNRESET;
        }
        strbuf_addn(&db->in, buf, (size_t) n);
    }
}

/* True if the server closed the connection while we were idle (it was
 * restarted, or gave up on a client that did not answer its echo
 * requests): nothing was sent on it, so a new one can be used safely.
 * What came meanwhile (echo requests) waits in the input for the next
 * call, which answers it. */
static bool connection_lost(struct ovsdb *db)
{
    char buf[4096];

    for (;;) {
        ssize_t n = recv(db->fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n > 0) {
            strbuf_addn(&db->in, buf, (size_t) n);
            if (db->in.len > OVSDB_MAX_MSG) {
                return true;
            }
            continue;
        }
        if (n == 0) {
            return true;
        }
        return errno != EAGAIN && errno != EINTR;
    }
}

/* Sends a request and waits for the reply with the same id, answering
 * the server's echo requests meanwhile. */
static int call(struct ovsdb *db, const char *method, json_t *params,
                json_t **ret_result, char **ret_err)
{
    long long id = db->next_id++;
    long long deadline = time_deadline(OVSDB_TIMEOUT_MS);
    json_t *msg;
    int r;

    if (db->fd >= 0 && connection_lost(db)) {
        disconnect(db);
    }
    if (db->fd < 0 && (r = connect_db(db, deadline)) < 0) {
        json_decref(params);
        if (ret_err) {
            *ret_err = xasprintf("cannot connect to ovsdb-server at %s: %s",
                                 db->remote + (db->tcp ? 0 : 5),
                                 strerror(-r));
        }
        return r;
    }
    msg = json_pack("{s:s,s:o,s:I}", "method", method, "params", params,
                    "id", (json_int_t) id);
    r = send_json(db, msg, deadline);
    json_decref(msg);
    while (r == 0) {
        json_t *in = NULL;
        if ((r = recv_json(db, deadline, &in)) < 0) {
            break;
        }
        const json_t *m = json_object_get(in, "method");
        if (json_is_string(m) && !strcmp(json_string_value(m), "echo")) {
            json_t *echo = json_pack(
                "{s:O,s:n,s:O}", "result", json_object_get(in, "params"),
                "error", "id", json_object_get(in, "id"));
            r = send_json(db, echo, deadline);
            json_decref(echo);
            json_decref(in);
            continue;
        }
        const json_t *rid = json_object_get(in, "id");
        if (!json_is_integer(rid) || json_integer_value(rid) != id) {
            json_decref(in); /* an update or a stale reply */
            continue;
        }
        const json_t *error = json_object_get(in, "error");
        if (error && !json_is_null(error)) {
            if (ret_err) {
                *ret_err = json_dumps(error, JSON_COMPACT | JSON_ENCODE_ANY);
            }
            json_decref(in);
            return -EPROTO;
        }
        *ret_result = json_incref(json_object_get(in, "result"));
        json_decref(in);
        return 0;
    }
    /* After an I/O error the stream position is unknown: start over. */
    disconnect(db);
    if (ret_err) {
        *ret_err = xasprintf("ovsdb-server at %s: %s",
                             db->remote + (db->tcp ? 0 : 5), strerror(-r));
    }
    return r;
}

int ovsdb_transact(struct ovsdb *db, json_t *ops, json_t **ret_results,
                   char **ret_err)
{
    json_t *params = json_array(), *result = NULL;
    int r;

    json_array_append_new(params, json_string(db->dbname));
    json_array_extend(params, ops);
    json_decref(ops);
    r = call(db, "transact", params, &result, ret_err);
    if (r < 0) {
        return r;
    }
    /* The transaction failed if any result carries an "error". */
    size_t i;
    json_t *res;
    json_array_foreach(result, i, res) {
        const json_t *e = json_object_get(res, "error");
        if (json_is_string(e)) {
            /* Only a "wait" operation times out: the rows it waits on
             * were not, or did not become, as asked. */
            int err = strcmp(json_string_value(e), "timed out") ? -EPROTO
                                                                 : -EAGAIN;
            if (ret_err) {
                const json_t *d = json_object_get(res, "details");
                *ret_err = xasprintf("operation %zu: %s%s%s", i,
                                     json_string_value(e), d ? ": " : "",
                                     d ? json_string_value(d) : "");
            }
            json_decref(result);
            return err;
        }
    }
    if (ret_results) {
        *ret_results = result;
    } else {
        json_decref(result);
    }
    return 0;
}

int ovsdb_select(struct ovsdb *db, const char *table, const char *name,
                 const char *columns, json_t **ret_rows, char **ret_err)
{
    json_t *cols = json_array(), *res = NULL;
    const char *p = columns;
    int r;

    while (*p) {
        size_t n = strcspn(p, ",");
        json_array_append_new(cols, json_stringn(p, n));
        p += n + (p[n] == ',');
    }
    json_t *where = name ? json_pack("[[s,s,s]]", "name", "==", name)
                         : json_array();
    r = ovsdb_transact(db,
                       json_pack("[{s:s,s:s,s:o,s:o}]", "op", "select",
                                 "table", table, "where", where, "columns",
                                 cols),
                       &res, ret_err);
    if (r < 0) {
        return r;
    }
    *ret_rows = json_incref(json_object_get(json_array_get(res, 0), "rows"));
    json_decref(res);
    return *ret_rows ? 0 : -EPROTO;
}

json_t *ovsdb_map(json_t *obj)
{
    json_t *pairs = json_array();
    const char *k;
    json_t *v;

    json_object_foreach(obj, k, v) {
        json_array_append_new(pairs, json_pack("[sO]", k, v));
    }
    return json_pack("[so]", "map", pairs);
}

json_t *ovsdb_map_take(json_t *obj)
{
    json_t *map = ovsdb_map(obj);

    json_decref(obj);
    return map;
}

json_t *ovsdb_set1(json_t *v)
{
    return json_pack("[s[o]]", "set", v);
}

json_t *ovsdb_named(const char *name)
{
    return json_pack("[ss]", "named-uuid", name);
}

json_t *ovsdb_uuid(const char *uuid)
{
    return json_pack("[ss]", "uuid", uuid);
}

json_t *ovsdb_map_to_object(const json_t *col)
{
    json_t *obj = json_object();
    const json_t *pairs = json_array_get(col, 1);
    size_t i;
    json_t *pair;

    if (!json_is_string(json_array_get(col, 0))
        || strcmp(json_string_value(json_array_get(col, 0)), "map")) {
        return obj;
    }
    json_array_foreach(pairs, i, pair) {
        const json_t *k = json_array_get(pair, 0);
        const json_t *v = json_array_get(pair, 1);
        if (json_is_string(k) && json_is_string(v)) {
            json_object_set(obj, json_string_value(k), (json_t *) v);
        }
    }
    return obj;
}

long long ovsdb_int_value(const json_t *col, long long dflt)
{
    if (json_is_integer(col)) {
        return json_integer_value(col);
    }
    /* An optional integer column that is empty is ["set",[]]. */
    const json_t *elems = json_array_get(col, 1);
    if (json_is_array(elems) && json_array_size(elems) == 1
        && json_is_integer(json_array_get(elems, 0))) {
        return json_integer_value(json_array_get(elems, 0));
    }
    return dflt;
}
