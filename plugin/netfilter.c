#include "netfilter.h"

#include <errno.h>
#include <string.h>

#include "nfrules.h"
#include "proc.h"
#include "util.h"

int netfilter_sync(struct ovsgw *g, bool *ret_changed, char **ret_err)
{
    static char *const save[] = { "iptables-save", NULL };
    static char *const restore[] = { "iptables-restore", "--noflush",
                                     "--wait", "5", NULL };
    _cleanup_free_ char *saved = NULL, *err = NULL, *plan = NULL;
    struct nfrules want;
    int r;

    if (ret_changed) {
        *ret_changed = false;
    }
    if (!g->iptables) {
        return 0;
    }
    r = proc_run(save, NULL, &saved, &err, NETFILTER_TIMEOUT_MS);
    if (r != 0) {
        *ret_err = xasprintf("iptables-save: %s",
                             r < 0 ? strerror(-r) : err);
        return r < 0 ? r : -EIO;
    }
    nfrules_build(&g->model, g->name, &want);
    plan = nfrules_plan(&want, saved);
    nfrules_clear(&want);
    if (!plan) {
        return 0;
    }
    free(err);
    err = NULL;
    r = proc_run(restore, plan, NULL, &err, NETFILTER_TIMEOUT_MS);
    if (r != 0) {
        *ret_err = xasprintf("iptables-restore: %s",
                             r < 0 ? strerror(-r) : err);
        return r < 0 ? r : -EIO;
    }
    if (ret_changed) {
        *ret_changed = true;
    }
    return 0;
}
