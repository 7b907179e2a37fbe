/* ovsgw: argv, signals, the socket; everything else is in the library. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "driver.h"
#include "http.h"
#include "log.h"
#include "ovn.h"
#include "ovsgw.h"
#include "restore.h"
#include "status.h"
#include "tick.h"
#include "util.h"

#define DEFAULT_SOCKET "/run/docker/plugins/ovsgw.sock"
#define DEFAULT_OVSDB "unix:/var/run/openvswitch/db.sock"

#ifndef OVSGW_VERSION
#define OVSGW_VERSION "dev"
#endif

static void usage(FILE *f)
{
    fprintf(f,
            "usage: ovsgw [--socket PATH] [--ovsdb unix:PATH] "
            "[--ovs-rundir DIR]\n"
            "             [--log-level debug|info|warn|error] [--pool N] "
            "[--pool-idle S]\n"
            "             [--iptables true|false] [--ovn-nb REMOTE]\n"
            "       ovsgw status [--json] [--socket PATH] "
            "[--ovsdb unix:PATH]\n"
            "       ovsgw --version | --help\n"
            "Docker remote network driver on Open vSwitch: serves the "
            "plugin socket.\n"
            "  --socket PATH     plugin socket (default %s);\n"
            "                    the driver name is its basename (a managed\n"
            "                    plugin's is the plugin name with its tag)\n"
            "  --ovsdb REMOTE    ovsdb-server (default %s)\n"
            "  --ovs-rundir DIR  where BRIDGE.mgmt sockets are (default: "
            "the\n"
            "                    directory of the OVSDB socket)\n"
            "  --log-level L     debug, info, warn or error (default info)\n"
            "  --pool N          keep up to N ports per bridge after their\n"
            "                    containers go, for the next ones (default "
            "%d; 0: off)\n"
            "  --pool-idle S     delete a kept port after S seconds unused\n"
            "                    (default %d)\n"
            "  --iptables B      false: leave the host's firewall alone (no\n"
            "                    NAT, no published ports; default true)\n"
            "  --ovn-nb REMOTE   OVN's northbound database, for networks\n"
            "                    made with -o ovsgw.mode=ovn: unix:PATH,\n"
            "                    tcp:IP:PORT (default: external_ids:ovn-nb\n"
            "                    of the Open_vSwitch row, else %s)\n",
            DEFAULT_SOCKET, DEFAULT_OVSDB, OVSGW_POOL_MAX,
            OVSGW_POOL_IDLE_S, OVN_NB_DEFAULT);
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "socket", required_argument, NULL, 's' },
        { "ovsdb", required_argument, NULL, 'd' },
        { "ovs-rundir", required_argument, NULL, 'r' },
        { "log-level", required_argument, NULL, 'l' },
        { "pool", required_argument, NULL, 'p' },
        { "pool-idle", required_argument, NULL, 'i' },
        { "iptables", required_argument, NULL, 't' },
        { "ovn-nb", required_argument, NULL, 'n' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    const char *socket_path = DEFAULT_SOCKET, *ovsdb = DEFAULT_OVSDB;
    const char *ovn_nb = NULL;
    _cleanup_free_ char *rundir = NULL;
    struct ovsgw *g = NULL;
    struct http_server *srv = NULL;
    const struct http_route *routes;
    size_t n_routes;
    sigset_t sigs;
    unsigned pool_max = OVSGW_POOL_MAX, pool_idle_s = OVSGW_POOL_IDLE_S;
    bool iptables = true;
    long num;
    int c, fd, r, sigfd;

    if (argc > 1 && !strcmp(argv[1], "status")) {
        return status_main(argc - 1, argv + 1, DEFAULT_SOCKET,
                           DEFAULT_OVSDB);
    }
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 's':
            socket_path = optarg;
            break;
        case 'd':
            ovsdb = optarg;
            break;
        case 'r':
            free(rundir);
            rundir = xstrdup(optarg);
            break;
        case 'l':
            if ((r = log_level_parse(optarg)) < 0) {
                fprintf(stderr, "ovsgw: bad --log-level \"%s\"\n", optarg);
                return 2;
            }
            log_set_level((enum log_level) r);
            break;
        case 'p':
        case 'i':
            if (!util_parse_int(optarg, 0, c == 'p' ? 1000 : 86400, &num)) {
                fprintf(stderr, "ovsgw: bad --%s \"%s\"\n",
                        c == 'p' ? "pool" : "pool-idle", optarg);
                return 2;
            }
            *(c == 'p' ? &pool_max : &pool_idle_s) = (unsigned) num;
            break;
        case 't':
            if (strcmp(optarg, "true") && strcmp(optarg, "false")) {
                fprintf(stderr, "ovsgw: bad --iptables \"%s\": want true or "
                        "false\n", optarg);
                return 2;
            }
            iptables = !strcmp(optarg, "true");
            break;
        case 'n': {
            struct ovsdb *probe = NULL;
            if (ovsdb_new_db(optarg, "OVN_Northbound", &probe) < 0) {
                fprintf(stderr, "ovsgw: bad --ovn-nb \"%s\": want "
                        "unix:PATH, tcp:IP:PORT or tcp:[IPv6]:PORT\n",
                        optarg);
                return 2;
            }
            ovsdb_free(probe);
            ovn_nb = optarg;
            break;
        }
        case 'h':
            usage(stdout);
            return 0;
        case 'V':
            printf("ovsgw %s\n", OVSGW_VERSION);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        usage(stderr);
        return 2;
    }
    if (!rundir) {
        const char *path = strncmp(ovsdb, "unix:", 5) ? ovsdb : ovsdb + 5;
        const char *slash = strrchr(path, '/');
        rundir = slash ? strndup(path, (size_t) (slash - path))
                       : xstrdup(".");
    }

    /* Room for HTTP_MAX_CONNECTIONS clients besides OVSDB, the bridges'
     * OpenFlow connections and netlink. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0
        && rl.rlim_cur < HTTP_MAX_CONNECTIONS + 1024) {
        rl.rlim_cur = rl.rlim_max < HTTP_MAX_CONNECTIONS + 1024
                          ? rl.rlim_max : HTTP_MAX_CONNECTIONS + 1024;
        setrlimit(RLIMIT_NOFILE, &rl);
    }

    /* SIGTERM and SIGINT end the server loop through a signalfd. */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    sigprocmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
    sigfd = signalfd(-1, &sigs, SFD_CLOEXEC);
    if (sigfd < 0) {
        log_error("signalfd: %s", strerror(errno));
        return 1;
    }

    _cleanup_free_ char *name = ovsgw_name_from_socket(socket_path);
    struct ovsgw_config cfg = { .ovsdb_remote = ovsdb,
                                .ovs_rundir = rundir, .name = name,
                                .pool_max = pool_max,
                                .pool_idle_s = pool_idle_s,
                                .iptables = iptables,
                                .ovn_nb = ovn_nb };
    if ((r = ovsgw_new(&cfg, &g)) < 0) {
        log_error("bad --ovsdb \"%s\": %s", ovsdb, strerror(-r));
        return 1;
    }
    {
        _cleanup_free_ char *err = NULL;
        if ((r = restore_ensure(g, &err)) < 0) {
            log_warn("cannot read ovsgw state from OVSDB yet (%s); will "
                     "retry", err ? err : strerror(-r));
        }
    }
    if ((r = http_listen_unix(socket_path, &fd)) < 0) {
        log_error("cannot listen on %s: %s", socket_path,
                  r == -ENOTSOCK ? "it exists and is not a socket; not "
                                   "replacing it"
                  : r == -EADDRINUSE ? "another server answers there"
                                     : strerror(-r));
        ovsgw_free(g);
        return 1;
    }
    routes = driver_routes(&n_routes);
    if ((r = http_server_start(fd, routes, n_routes, g, &srv)) < 0) {
        log_error("cannot start the HTTP server: %s", strerror(-r));
        close(fd);
        unlink(socket_path);
        ovsgw_free(g);
        return 1;
    }
    log_info("serving %s as driver \"%s\" (OVSDB %s, OVS run directory "
             "%s)", socket_path, name, ovsdb, rundir);
    static const struct http_loop loop = { .tick_ms = TICK_MS,
                                           .tick = tick_run,
                                           .fds = tick_fds,
                                           .input = tick_input };
    r = http_server_run(srv, sigfd, &loop, g);
    if (r < 0) {
        log_error("server loop: %s", strerror(-r));
    } else {
        struct signalfd_siginfo si;
        if (read(sigfd, &si, sizeof si) == sizeof si) {
            log_info("%s: shutting down", strsignal((int) si.ssi_signo));
        }
    }
    http_server_stop(srv);
    unlink(socket_path);
    ovsgw_free(g);
    close(sigfd);
    return r < 0 ? 1 : 0;
}
