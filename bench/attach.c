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
 *   attach SOCK cycle NETID COUNT ADDR/PLEN[,ADDR/PLEN...] [VSWITCHD_CTL]
 *       COUNT cycles of CreateEndpoint+Join+Leave+DeleteEndpoint with a new
 *       endpoint ID each, taking the addresses in turn (so that a port
 *       taken over from the cycle before gets another MAC, as when another
 *       container takes it); per cycle one line, in microseconds:
 *           total create join leave delete
 *       With VSWITCHD_CTL (ovs-vswitchd's unixctl socket), every cycle
 *       starts once ovs-vswitchd is idle again: before each cycle, untimed,
 *       a "version" request goes to it and its reply is awaited (it comes
 *       from the main loop, after any reconfiguration the previous cycle
 *       caused, e.g. removing its port).
 *   attach MGMT echo COUNT [VSWITCHD_CTL [IFNAME]]
 *       the OpenFlow round trip to a bridge, in-process: connects to its
 *       management socket MGMT ($OVS_RUNDIR/BRIDGE.mgmt), exchanges HELLO
 *       (OpenFlow 1.4), then times COUNT ECHO_REQUEST/ECHO_REPLY round
 *       trips; one line per round trip, in microseconds.  With
 *       VSWITCHD_CTL, each starts once ovs-vswitchd is idle, as in cycle.
 *       With IFNAME (in ovs-vswitchd's network namespace), each echo goes
 *       1 ms after IFNAME got a new random MAC (untimed), as CreateEndpoint
 *       gives one to a spare port's container end before it sends the
 *       flows: what ovs-vswitchd does about a link change delays the reply.
 *
 * Built by the Makefile (make bench, or make build/bench/attach) with the
 * daemon's warnings and -Werror; it defines _GNU_SOURCE there.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
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

/* A connected unix stream socket to 'path'; dies on failure. */
static int unix_connect(const char *path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd;

    if (strlen(path) >= sizeof sa.sun_path) {
        die("socket path too long: %s", path);
    }
    strcpy(sa.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *) &sa, sizeof sa) < 0) {
        die("connect %s: %s", path, strerror(errno));
    }
    return fd;
}

static void conn_open(void)
{
    conn = unix_connect(sock_path);
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
        die("connection closed by the peer");
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

static void random_bytes(uint8_t *b, size_t n)
{
    size_t got = 0;

    while (got < n) {
        ssize_t r = getrandom(b + got, n - got, 0);
        if (r < 0 && errno != EINTR) {
            die("getrandom: %s", strerror(errno));
        }
        got += r > 0 ? (size_t) r : 0;
    }
}

/* A random 64-hex-digit ID, like Docker's.  The first 8 digits (ovsgw's
 * cookie) are never 0. */
static void random_id(char id[65])
{
    static const char hex[] = "0123456789abcdef";
    uint8_t b[32];

    random_bytes(b, sizeof b);
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
    char buf[4096];
    int fd = unix_connect(ctl), depth = 0;
    bool in_str = false, esc = false, started = false;

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

/* Waits until ovs-vswitchd is idle: lets an update that the last step
 * caused reach it, then waits for its main loop (untimed). */
static void quiesce(const char *ctl)
{
    struct timespec ms = { 0, 2000000 };

    nanosleep(&ms, NULL);
    vswitchd_ping(ctl);
}

/* ---- OpenFlow, on 'conn' -------------------------------------------- */

enum {
    OFP_VERSION = 0x05, /* OpenFlow 1.4, as ovsgw speaks it */
    OFPT_HELLO = 0,
    OFPT_ERROR = 1,
    OFPT_ECHO_REQUEST = 2,
    OFPT_ECHO_REPLY = 3,
};

/* Sends a header-only message. */
static void of_send(uint8_t type, uint32_t xid)
{
    uint8_t h[8] = { OFP_VERSION, type, 0, 8 };
    uint32_t x = htonl(xid);

    memcpy(h + 4, &x, 4);
    write_all((const char *) h, sizeof h);
}

/* Receives one message (consumed); returns its type, with its version and
 * xid in '*version' and '*xid'.  Dies on an OFPT_ERROR. */
static uint8_t of_recv(uint8_t *version, uint32_t *xid)
{
    const uint8_t *h = (const uint8_t *) rbuf;
    uint32_t x;

    while (rlen < 8) {
        read_more();
    }
    size_t len = (size_t) h[2] << 8 | h[3];
    if (len < 8) {
        die("bad OpenFlow message length %zu", len);
    }
    while (rlen < len) {
        read_more();
    }
    uint8_t type = h[1];
    *version = h[0];
    memcpy(&x, h + 4, 4);
    *xid = ntohl(x);
    if (type == OFPT_ERROR) { /* type and code follow the header */
        die("OpenFlow error type %u code %u",
            len >= 12 ? (unsigned) (h[8] << 8 | h[9]) : 0,
            len >= 12 ? (unsigned) (h[10] << 8 | h[11]) : 0);
    }
    rlen -= len;
    memmove(rbuf, rbuf + len, rlen);
    return type;
}

/* Gives the interface 'ifname' a new random locally administered MAC, as
 * CreateEndpoint does to a spare's container end. */
static void set_random_mac(const char *ifname)
{
    struct ifreq ifr = { .ifr_hwaddr.sa_family = ARPHRD_ETHER };
    uint8_t mac[6];
    int fd;

    if (strlen(ifname) >= sizeof ifr.ifr_name) {
        die("interface name too long: %s", ifname);
    }
    strcpy(ifr.ifr_name, ifname);
    random_bytes(mac, sizeof mac);
    mac[0] = (uint8_t) ((mac[0] & 0xfe) | 0x02);
    memcpy(ifr.ifr_hwaddr.sa_data, mac, sizeof mac);
    fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || ioctl(fd, SIOCSIFHWADDR, &ifr) < 0) {
        die("set the MAC of %s: %s", ifname, strerror(errno));
    }
    close(fd);
}

/* HELLO, then 'count' timed echoes: one line of microseconds each.  With
 * 'ifname', each echo is sent 1 ms after a MAC change of that interface
 * (untimed). */
static void of_echo(long count, const char *ctl, const char *ifname)
{
    uint8_t version, type;
    uint32_t xid;

    conn_open();
    of_send(OFPT_HELLO, 0);
    if (of_recv(&version, &xid) != OFPT_HELLO) {
        die("no OpenFlow HELLO from the switch");
    }
    if (version < OFP_VERSION) {
        die("the switch speaks OpenFlow up to wire version %u, not %u",
            version, OFP_VERSION);
    }
    for (uint32_t i = 1; i <= (uint32_t) count; i++) {
        if (ctl) {
            quiesce(ctl);
        }
        if (ifname) {
            /* The change, then a pause standing for the OVSDB transaction
             * that CreateEndpoint makes before it sends the flows. */
            struct timespec ms = { 0, 1000000 };
            set_random_mac(ifname);
            nanosleep(&ms, NULL);
        }
        long long t0 = now_ns();
        of_send(OFPT_ECHO_REQUEST, i);
        while ((type = of_recv(&version, &xid)) != OFPT_ECHO_REPLY
               || xid != i) {
            if (type == OFPT_ECHO_REQUEST) { /* the switch's keep-alive */
                of_send(OFPT_ECHO_REPLY, xid);
            }
        }
        long long t1 = now_ns();
        printf("%.1f\n", (t1 - t0) / 1e3);
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
                        "       attach SOCK cycle NETID COUNT "
                        "ADDR/PLEN[,ADDR/PLEN...] [VSWITCHD_CTL]\n"
                        "       attach MGMT echo COUNT [VSWITCHD_CTL "
                        "[IFNAME]]\n");
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
        const char *net = argv[3];
        const char *ctl = argc == 7 ? argv[6] : NULL;
        char *addrs[16], *save = NULL;
        int n_addrs = 0;
        for (char *a = strtok_r(argv[5], ",", &save); a && n_addrs < 16;
             a = strtok_r(NULL, ",", &save)) {
            addrs[n_addrs++] = a;
        }
        if (n_addrs == 0) {
            die("no address");
        }
        /* Open the connection outside the timed part, as dockerd keeps
         * its plugin connections alive. */
        call_ok("/Plugin.Activate", "{}");
        for (long i = 0; i < count; i++) {
            char id[65];
            random_id(id);
            if (ctl) {
                quiesce(ctl);
            }
            long long t0 = now_ns();
            create_endpoint(net, id, addrs[i % n_addrs]);
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
    if (!strcmp(cmd, "echo") && argc >= 4 && argc <= 6) {
        of_echo(parse_long(argv[3], "COUNT"), argc >= 5 ? argv[4] : NULL,
                argc == 6 ? argv[5] : NULL);
        return 0;
    }
    fprintf(stderr, "attach: bad command line (run without arguments for "
                    "usage)\n");
    return 2;
}
