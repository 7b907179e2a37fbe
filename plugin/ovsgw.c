#include "ovsgw.h"

#include <string.h>

#include "ndproxy.h"
#include "util.h"

char *ovsgw_name_from_socket(const char *socket_path)
{
    const char *base = strrchr(socket_path, '/');
    char *name = xstrdup(base ? base + 1 : socket_path);
    char *dot = strrchr(name, '.');

    if (dot && !strcmp(dot, ".sock")) {
        *dot = '\0';
    }
    return name;
}

int ovsgw_new(const struct ovsgw_config *cfg, struct ovsgw **ret)
{
    struct ovsgw *g = xzalloc(sizeof *g);
    int r;

    if ((r = ovsdb_new(cfg->ovsdb_remote, &g->db)) < 0) {
        free(g);
        return r;
    }
    g->rundir = xstrdup(cfg->ovs_rundir);
    g->name = xstrdup(cfg->name ? cfg->name : "ovsgw");
    g->pool_max = cfg->pool_max;
    g->pool_idle_ms = (long long) cfg->pool_idle_s * 1000;
    g->iptables = cfg->iptables;
    g->ovn_nb = cfg->ovn_nb ? xstrdup(cfg->ovn_nb) : NULL;
    g->fs = flowset_new(g->rundir);
    flowset_set_packet_in(g->fs, ndproxy_packet_in, g);
    *ret = g;
    return 0;
}

void ovsgw_free(struct ovsgw *g)
{
    if (!g) {
        return;
    }
    /* Spares stay, in OVSDB, for the next start. */
    model_clear(&g->model);
    flowset_free(g->fs);
    ovsdb_free(g->db);
    ovsdb_free(g->nb);
    free(g->nb_remote);
    free(g->ovn_nb);
    free(g->rundir);
    free(g->name);
    free(g);
}
