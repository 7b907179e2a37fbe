#include "status.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "ovsgw.h"
#include "restore.h"
#include "statusdoc.h"
#include "util.h"
#include "vswitch.h"

#define ASK_TIMEOUT_MS 5000

/* Asks the daemon on 'path' for its status.  Returns 0 and the document,
 * or -errno (the daemon is not there, or did not answer well). */
static int ask_daemon(const char *path, json_t **ret)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    static const char req[] = "POST /ovsgw.Status HTTP/1.1\r\nHost: ovsgw\r\n"
                              "Content-Length: 0\r\nConnection: close\r\n\r\n";
    struct strbuf in = { 0 };
    int fd, r = 0;

    if (strlen(path) >= sizeof sa.sun_path) {
        return -ENAMETOOLONG;
    }
    strcpy(sa.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -errno;
    }
    if (connect(fd, (struct sockaddr *) &sa, sizeof sa) < 0
        || send(fd, req, sizeof req - 1, MSG_NOSIGNAL) < 0) {
        r = -errno;
        close(fd);
        return r;
    }
    for (;;) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        char buf[8192];
        if (poll(&p, 1, ASK_TIMEOUT_MS) <= 0) {
            r = -ETIMEDOUT;
            break;
        }
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0) {
            r = n < 0 ? -errno : 0;
            break;
        }
        strbuf_addn(&in, buf, (size_t) n);
    }
    close(fd);
    const char *body = in.buf ? strstr(in.buf, "\r\n\r\n") : NULL;
    if (r == 0 && (!body || strncmp(in.buf, "HTTP/1.1 200", 12))) {
        r = -EPROTO;
    }
    if (r == 0 && !(*ret = json_loads(body + 4, 0, NULL))) {
        r = -EPROTO;
    }
    strbuf_free(&in);
    return r;
}

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

char *status_format(const json_t *status)
{
    struct strbuf sb = { 0 };
    const json_t *nets = json_object_get(status, "networks"), *n;
    size_t i;

    if (json_array_size(nets) == 0) {
        strbuf_add(&sb, "no ovsgw networks\n");
    }
    json_array_foreach(nets, i, n) {
        const json_t *sn, *e;
        size_t k;

        bool ovn = !strcmp(str(n, "mode"), "ovn");
        strbuf_addf(&sb, "%snetwork %.12s\n", i ? "\n" : "",
                    str(n, "network"));
        if (ovn) {
            strbuf_addf(&sb, "  mode      ovn: logical network %s (switch "
                        "ovsgw-%s, router ovsgw-%s:lr), chassis %s\n",
                        str(n, "ovn_name"), str(n, "ovn_name"),
                        str(n, "ovn_name"), str(n, "chassis"));
        }
        strbuf_addf(&sb, "  bridge    %s (%s, %s)\n", str(n, "bridge"),
                    str(n, "datapath"),
                    json_is_true(json_object_get(n, "bridge_owned"))
                        ? "created by ovsgw" : "adopted");
        const json_t *spares = json_object_get(n, "spare_ports");
        if (json_array_size(spares) > 0) {
            strbuf_add(&sb, "  spares   ");
            json_array_foreach(spares, k, sn) {
                strbuf_addf(&sb, " %s", json_string_value(sn));
            }
            strbuf_add(&sb, " (ports kept for the next containers)\n");
        }
        json_array_foreach(json_object_get(n, "subnets"), k, sn) {
            strbuf_addf(&sb, "  subnet    %-18s gateway %s\n",
                        str(sn, "subnet"), str(sn, "gateway"));
        }
        strbuf_addf(&sb, "  gateway   MAC %s (virtual: answered by %s)\n",
                    str(n, "gateway_mac"),
                    ovn ? "OVN's logical router" : "flows");
        if (json_is_true(json_object_get(n, "internal"))) {
            strbuf_add(&sb, "  uplink    none: internal (no way out)\n");
        } else if (*str(n, "uplink")) {
            strbuf_addf(&sb, "  uplink    %s (%s)\n", str(n, "uplink"),
                        json_is_true(json_object_get(n, "nat"))
                            ? "NAT" : "routed, no NAT");
        }
        strbuf_addf(&sb, "  policy    %s\n", str(n, "tcp_policy"));
        strbuf_addf(&sb, "  mtu       %lld\n",
                    (long long) json_integer_value(json_object_get(n,
                                                                   "mtu")));
        if (ovn) {
            strbuf_addf(&sb, "  flows     ovn-controller's: ovn-nbctl show "
                        "ovsgw-%s\n", str(n, "ovn_name"));
        } else {
            strbuf_addf(&sb, "  flows     ovs-ofctl -O OpenFlow14 dump-flows "
                        "%s cookie=%.10s00000000/0xffffffff00000000\n",
                        str(n, "bridge"), str(n, "cookie"));
        }
        const json_t *eps = json_object_get(n, "endpoints");
        if (json_array_size(eps) == 0) {
            strbuf_add(&sb, "  no endpoints\n");
            continue;
        }
        strbuf_addf(&sb, "  %-12s  %-14s  %-18s  %-17s  %-14s  %6s  %8s  "
                    "%8s  %s\n", "ENDPOINT", "CONTAINER-SIDE", "ADDRESS",
                    "MAC", "PORT", "OFPORT", "RX-PKTS", "TX-PKTS",
                    "FLOW COOKIE");
        json_array_foreach(eps, k, e) {
            strbuf_addf(&sb, "  %-12.12s  %-14s  %-18s  %-17s  %-14s  %6lld  "
                        "%8lld  %8lld  %s\n", str(e, "endpoint"),
                        str(e, "container_side"), str(e, "address"),
                        str(e, "mac"), str(e, "port"),
                        (long long) json_integer_value(
                            json_object_get(e, "ofport")),
                        (long long) json_integer_value(
                            json_object_get(e, "rx_packets")),
                        (long long) json_integer_value(
                            json_object_get(e, "tx_packets")),
                        str(e, "cookie"));
        }
        json_array_foreach(eps, k, e) {
            if (ovn) {
                strbuf_addf(&sb, "  %-12.12s  chassis %s, %s\n",
                            str(e, "endpoint"), str(e, "chassis"),
                            json_is_true(json_object_get(e, "ovn_installed"))
                                ? "installed by ovn-controller"
                                : "NOT installed by ovn-controller yet");
            }
        }
        json_array_foreach(eps, k, e) {
            const json_t *ports = json_object_get(e, "published_ports"), *p;
            size_t j;
            if (json_array_size(ports) == 0) {
                continue;
            }
            strbuf_addf(&sb, "  %-12.12s  published", str(e, "endpoint"));
            json_array_foreach(ports, j, p) {
                strbuf_addf(&sb, "%s %s:%lld->%lld/%s", j ? "," : "",
                            *str(p, "host_ip") ? str(p, "host_ip")
                                               : "0.0.0.0",
                            (long long) json_integer_value(
                                json_object_get(p, "host_port")),
                            (long long) json_integer_value(
                                json_object_get(p, "port")),
                            str(p, "proto"));
            }
            strbuf_add(&sb, "\n");
        }
    }
    return strbuf_take(&sb);
}

int status_main(int argc, char **argv, const char *default_socket,
                const char *default_ovsdb)
{
    static const struct option longopts[] = {
        { "json", no_argument, NULL, 'j' },
        { "socket", required_argument, NULL, 's' },
        { "ovsdb", required_argument, NULL, 'd' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *socket_path = default_socket, *ovsdb = default_ovsdb;
    bool as_json = false;
    json_t *st = NULL;
    int c, r;

    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'j':
            as_json = true;
            break;
        case 's':
            socket_path = optarg;
            break;
        case 'd':
            ovsdb = optarg;
            break;
        case 'h':
            printf("usage: ovsgw status [--json] [--socket PATH] "
                   "[--ovsdb unix:PATH]\n"
                   "Shows every ovsgw network and endpoint: bridge, "
                   "subnets, gateways,\npolicy, ports and packet counters. "
                   "Asks the daemon, or reads OVSDB\nwhen no daemon "
                   "answers. Changes nothing.\n");
            return 0;
        default:
            return 2;
        }
    }
    if ((r = ask_daemon(socket_path, &st)) < 0) {
        _cleanup_free_ char *name = ovsgw_name_from_socket(socket_path);
        _cleanup_free_ char *err = NULL;
        struct model m = { 0 };
        struct ovsdb *db;
        if (ovsdb_new(ovsdb, &db) < 0) {
            fprintf(stderr, "ovsgw status: bad --ovsdb \"%s\"\n", ovsdb);
            return 1;
        }
        /* Warnings about states it skips would mix with the report. */
        log_set_level(LOG_ERROR);
        if ((r = restore_load(db, name, &m, &err)) < 0) {
            fprintf(stderr, "ovsgw status: no daemon on %s and no OVSDB: "
                    "%s\n", socket_path, err ? err : strerror(-r));
            ovsdb_free(db);
            return 1;
        }
        json_t *stats = vswitch_iface_stats(db);
        _cleanup_free_ char *chassis = vswitch_system_key(db, "system-id");
        st = statusdoc_build(&m, stats, chassis, "ovsdb");
        json_decref(stats);
        model_clear(&m);
        ovsdb_free(db);
    }
    if (as_json) {
        char *s = json_dumps(st, JSON_INDENT(2) | JSON_SORT_KEYS);
        puts(s);
        free(s);
    } else {
        char *s = status_format(st);
        if (strcmp(str(st, "source"), "daemon")) {
            printf("(no daemon answers on %s: read from OVSDB)\n\n",
                   socket_path);
        }
        fputs(s, stdout);
        free(s);
    }
    json_decref(st);
    return 0;
}
