#include "netfilter.h"

#include <errno.h>
#include <string.h>

#include "nfrules.h"
#include "proc.h"
#include "util.h"

/* One family: iptables (4) or ip6tables (6). */
static int sync_family(struct ovsgw *g, int family, bool *ret_changed,
                       char **ret_err)
{
    char *const save[] = { family == 6 ? "ip6tables-save" : "iptables-save",
                           NULL };
    char *const restore[] = { family == 6 ? "ip6tables-restore"
                                          : "iptables-restore",
                              "--noflush", "--wait", "5", NULL };
    _cleanup_free_ char *saved = NULL, *err = NULL, *plan = NULL;
    struct nfrules want;
    int r;

    r = proc_run(save, NULL, &saved, &err, NETFILTER_TIMEOUT_MS);
    if (r != 0) {
        *ret_err = xasprintf("%s: %s", save[0], r < 0 ? strerror(-r) : err);
        return r < 0 ? r : -EIO;
    }
    nfrules_build(&g->model, g->name, family, &want);
    plan = nfrules_plan(&want, saved);
    nfrules_clear(&want);
    if (!plan) {
        return 0;
    }
    free(err);
    err = NULL;
    r = proc_run(restore, plan, NULL, &err, NETFILTER_TIMEOUT_MS);
    if (r != 0) {
        *ret_err = xasprintf("%s: %s", restore[0],
                             r < 0 ? strerror(-r) : err);
        return r < 0 ? r : -EIO;
    }
    *ret_changed = true;
    return 0;
}

int netfilter_sync(struct ovsgw *g, bool *ret_changed, char **ret_err)
{
    bool changed = false;
    int r;

    if (g->iptables && (r = sync_family(g, 4, &changed, ret_err)) == 0) {
        r = sync_family(g, 6, &changed, ret_err);
    } else {
        r = 0;
    }
    if (ret_changed) {
        *ret_changed = changed;
    }
    return r;
}
