/* bench/attach.c - drives ovsgw's plugin socket the way dockerd does, for
 * the attach benchmark: HTTP/1.1 over one keep-alive unix connection, JSON
 * bodies shaped like Docker's (test/fixtures/capture.jsonl), timed with
 * clock_gettime(CLOCK_MONOTONIC).  No process is spawned per request.
 *
 *   attach SOCK call PATH JSON
 *       one request; prints the reply body; fails on an "Err" reply
 *   attach SOCK fill NETID FROM TO PREFIX NSUBNETS
 *       CreateEndpoint only, for endpoints FROM..TO-1; endpoint k gets
 *       PREFIX.(k % NSUBNETS).(2 + k / NSUBNETS)/24 (PREFIX like "10.40")
 *   attach SOCK cycle NETID COUNT ADDRESS/PLEN [VSWITCHD_CTL]
 *       COUNT cycles of CreateEndpoint+Join+Leave+DeleteEndpoint with a new
 *       endpoint ID each; per cycle one line, in microseconds:
 *           total create join leave delete
 *       With VSWITCHD_CTL (ovs-vswitchd's unixctl socket), every cycle
 *       starts once ovs-vswitchd is idle again: before each cycle, untimed,
 *       a "version" request goes to it and its reply is awaited (it comes
 *       from the main loop, after any reconfiguration the previous cycle
 *       caused, e.g. removing its port).
 *
 * Built by bench/run.sh: gcc -O2 -o attach attach.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define BUF_MAX (1 << 20)

static const char *sock_path;
static int conn = -1;
static char rbuf[BUF_MAX];
static size_t rlen; /* bytes in rbuf not yet consumed */

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2),
                                                      noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("attach: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void conn_open(void)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };

    if (strlen(sock_path) >= sizeof sa.sun_path) {
        die("socket path too long: %s", sock_path);
    }
    strcpy(sa.sun_path, sock_path);
    conn = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (conn < 0 || connect(conn, (struct sockaddr *) &sa, sizeof sa) < 0) {
        die("connect %s: %s", sock_path, strerror(errno));
    }
    rlen = 0;
}

static void write_all(const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(conn, p, n);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            die("write: %s", strerror(errno));
        }
        p += w;
        n -= (size_t) w;
    }
}

/* Reads more bytes into rbuf; dies on EOF or error. */
static void read_more(void)
{
    if (rlen == sizeof rbuf - 1) {
        die("reply too large");
    }
    ssize_t r;
    do {
        r = read(conn, rbuf + rlen, sizeof rbuf - 1 - rlen);
    } while (r < 0 && errno == EINTR);
    if (r < 0) {
        die("read: %s", strerror(errno));
    }
    if (r == 0) {
        die("connection closed by the daemon");
    }
    rlen += (size_t) r;
    rbuf[rlen] = '\0';
}

/* POSTs 'body' to 'path' on the keep-alive connection; returns the HTTP
 * status and copies the reply body (NUL-terminated) into 'out'. */
static int post(const char *path, const char *body, char *out, size_t cap)
{
    static char req[BUF_MAX];
    size_t blen = strlen(body);
    int n = snprintf(req, sizeof req,
                     "POST %s HTTP/1.1\r\n"
                     "Host: plugin\r\n"
                     "User-Agent: Go-http-client/1.1\r\n"
                     "Content-Length: %zu\r\n"
                     "Accept: application/vnd.docker.plugins.v1.2+json\r\n"
                     "Content-Type: application/json\r\n"
                     "Accept-Encoding: gzip\r\n"
                     "\r\n%s",
                     path, blen, body);
    if (n < 0 || (size_t) n >= sizeof req) {
        die("request too large");
    }
    if (conn < 0) {
        conn_open();
    }
    write_all(req, (size_t) n);

    char *hend;
    while (!(hend = strstr(rbuf, "\r\n\r\n"))) {
        read_more();
    }
    size_t hlen = (size_t) (hend - rbuf) + 4;
    int status = 0;
    if (sscanf(rbuf, "HTTP/1.%*d %d", &status) != 1) {
        die("bad status line: %.80s", rbuf);
    }
    long clen = -1;
    bool closing = false;
    for (char *line = strstr(rbuf, "\r\n") + 2; line < hend;
         line = strstr(line, "\r\n") + 2) {
        if (!strncasecmp(line, "Content-Length:", 15)) {
            clen = strtol(line + 15, NULL, 10);
        } else if (!strncasecmp(line, "Connection:", 11)) {
            const char *c = strcasestr(line, "close");
            closing = c && c < strstr(line, "\r\n");
        } else if (!strncasecmp(line, "Transfer-Encoding:", 18)) {
            die("chunked replies are not handled");
        }
    }
    if (clen < 0) {
        die("reply without Content-Length");
    }
    while (rlen < hlen + (size_t) clen) {
        read_more();
    }
    size_t copy = (size_t) clen < cap - 1 ? (size_t) clen : cap - 1;
    memcpy(out, rbuf + hlen, copy);
    out[copy] = '\0';
    rlen -= hlen + (size_t) clen;
    memmove(rbuf, rbuf + hlen + clen, rlen);
    rbuf[rlen] = '\0';
    if (closing) {
        close(conn);
        conn = -1;
    }
    return status;
}

/* A call that must succeed: 200 and no "Err" in the reply. */
static void call_ok(const char *path, const char *body)
{
    static char out[BUF_MAX];
    int st = post(path, body, out, sizeof out);
    if (st != 200 || strstr(out, "\"Err\":\"")) {
        die("%s: HTTP %d: %s", path, st, out);
    }
}

/* A random 64-hex-digit ID, like Docker's.  The first 8 digits (ovsgw's
 * cookie) are never 0. */
static void random_id(char id[65])
{
    static const char hex[] = "0123456789abcdef";
    uint8_t b[32];
    size_t got = 0;

    while (got < sizeof b) {
        ssize_t r = getrandom(b + got, sizeof b - got, 0);
        if (r < 0 && errno != EINTR) {
            die("getrandom: %s", strerror(errno));
        }
        got += r > 0 ? (size_t) r : 0;
    }
    b[0] |= 0x10;
    for (int i = 0; i < 32; i++) {
        id[2 * i] = hex[b[i] >> 4];
        id[2 * i + 1] = hex[b[i] & 15];
    }
    id[64] = '\0';
}

static const char opts_json[] =
    "\"Options\":{\"com.docker.network.endpoint.exposedports\":[],"
    "\"com.docker.network.portmap\":[]}";

static void create_endpoint(const char *net, const char *ep,
                            const char *addr)
{
    char body[2048];
    snprintf(body, sizeof body,
             "{\"NetworkID\":\"%s\",\"EndpointID\":\"%s\","
             "\"Interface\":{\"Address\":\"%s\",\"AddressIPv6\":\"\","
             "\"MacAddress\":\"\"},%s}",
             net, ep, addr, opts_json);
    call_ok("/NetworkDriver.CreateEndpoint", body);
}

static void ids_call(const char *path, const char *net, const char *ep)
{
    char body[512];
    snprintf(body, sizeof body, "{\"NetworkID\":\"%s\",\"EndpointID\":\"%s\"}",
             net, ep);
    call_ok(path, body);
}

static void join(const char *net, const char *ep)
{
    char body[2048];
    snprintf(body, sizeof body,
             "{\"NetworkID\":\"%s\",\"EndpointID\":\"%s\","
             "\"SandboxKey\":\"/var/run/docker/netns/%.12s\",%s}",
             net, ep, ep + 20, opts_json);
    call_ok("/NetworkDriver.Join", body);
}

/* Sends a unixctl "version" request to ovs-vswitchd and waits for the
 * reply: it is processed by the main loop, after pending reconfiguration. */
static void vswitchd_ping(const char *ctl)
{
    static const char req[] = "{\"id\":0,\"method\":\"version\","
                              "\"params\":[]}";
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    char buf[4096];
    int fd, depth = 0;
    bool in_str = false, esc = false, started = false;

    if (strlen(ctl) >= sizeof sa.sun_path) {
        die("unixctl path too long: %s", ctl);
    }
    strcpy(sa.sun_path, ctl);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *) &sa, sizeof sa) < 0) {
        die("connect %s: %s", ctl, strerror(errno));
    }
    if (write(fd, req, sizeof req - 1) != (ssize_t) sizeof req - 1) {
        die("write %s: %s", ctl, strerror(errno));
    }
    /* Read one JSON object. */
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            die("read %s: %s", ctl, n ? strerror(errno) : "EOF");
        }
        for (ssize_t i = 0; i < n; i++) {
            char c = buf[i];
            if (in_str) {
                if (esc) {
                    esc = false;
                } else if (c == '\\') {
                    esc = true;
                } else if (c == '"') {
                    in_str = false;
                }
            } else if (c == '"') {
                in_str = true;
            } else if (c == '{') {
                depth++;
                started = true;
            } else if (c == '}' && --depth == 0 && started) {
                close(fd);
                return;
            }
        }
    }
}

static long parse_long(const char *s, const char *what)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || end == s || v < 0) {
        die("bad %s \"%s\"", what, s);
    }
    return v;
}

int main(int argc, char **argv)
{
    static char out[BUF_MAX];

    if (argc < 3) {
        fprintf(stderr, "usage: attach SOCK call PATH JSON\n"
                        "       attach SOCK fill NETID FROM TO PREFIX "
                        "NSUBNETS\n"
                        "       attach SOCK cycle NETID COUNT ADDRESS/PLEN "
                        "[VSWITCHD_CTL]\n");
        return 2;
    }
    sock_path = argv[1];
    const char *cmd = argv[2];

    if (!strcmp(cmd, "call") && argc == 5) {
        int st = post(argv[3], argv[4], out, sizeof out);
        puts(out);
        return st == 200 && !strstr(out, "\"Err\":\"") ? 0 : 1;
    }
    if (!strcmp(cmd, "fill") && argc == 8) {
        long from = parse_long(argv[4], "FROM"), to = parse_long(argv[5], "TO");
        long ns = parse_long(argv[7], "NSUBNETS");
        if (ns < 1 || to > ns * 250) {
            die("at most 250 endpoints per subnet");
        }
        for (long k = from; k < to; k++) {
            char id[65], addr[64];
            random_id(id);
            snprintf(addr, sizeof addr, "%s.%ld.%ld/24", argv[6], k % ns,
                     2 + k / ns);
            create_endpoint(argv[3], id, addr);
        }
        return 0;
    }
    if (!strcmp(cmd, "cycle") && (argc == 6 || argc == 7)) {
        long count = parse_long(argv[4], "COUNT");
        const char *net = argv[3], *addr = argv[5];
        const char *ctl = argc == 7 ? argv[6] : NULL;
        /* Open the connection outside the timed part, as dockerd keeps
         * its plugin connections alive. */
        call_ok("/Plugin.Activate", "{}");
        for (long i = 0; i < count; i++) {
            char id[65];
            random_id(id);
            if (ctl) {
                /* Let the update for the last cycle reach ovs-vswitchd,
                 * then wait for its main loop. */
                struct timespec ms = { 0, 2000000 };
                nanosleep(&ms, NULL);
                vswitchd_ping(ctl);
            }
            long long t0 = now_ns();
            create_endpoint(net, id, addr);
            long long t1 = now_ns();
            join(net, id);
            long long t2 = now_ns();
            ids_call("/NetworkDriver.Leave", net, id);
            long long t3 = now_ns();
            ids_call("/NetworkDriver.DeleteEndpoint", net, id);
            long long t4 = now_ns();
            printf("%.1f %.1f %.1f %.1f %.1f\n", (t4 - t0) / 1e3,
                   (t1 - t0) / 1e3, (t2 - t1) / 1e3, (t3 - t2) / 1e3,
                   (t4 - t3) / 1e3);
        }
        return 0;
    }
    fprintf(stderr, "attach: bad command line (run without arguments for "
                    "usage)\n");
    return 2;
}
