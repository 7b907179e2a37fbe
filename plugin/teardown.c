#include "teardown.h"

#include <errno.h>
#include <string.h>

#include "link.h"
#include "ovn.h"
#include "util.h"
#include "vswitch.h"

int teardown_port(struct ovsgw *g, const char *bridge, const char *host_if,
                  char **ret_err)
{
    char *err = NULL;
    int r, first = 0;

    if (bridge && (r = vswitch_port_del(g->db, bridge, host_if, &err)) < 0) {
        first = r;
        *ret_err = TAKE_PTR(err);
    }
    free(err);
    r = link_delete(host_if);
    if (r < 0 && r != -ENODEV && !first) {
        first = r;
        *ret_err = xasprintf("cannot delete veth %s: %s", host_if,
                             strerror(-r));
    }
    return first;
}

int teardown_endpoint(struct ovsgw *g, const struct network *n,
                      const struct endpoint *e, char **ret_err)
{
    char *err = NULL;
    int r, first = 0;

    if (network_is_ovn(n)) {
        return ovn_endpoint_del(g, n, e, ret_err);
    }
    if ((r = flowset_endpoint_delete(g->fs, n, e, false, &err)) < 0) {
        first = r;
        *ret_err = TAKE_PTR(err);
    }
    free(err);
    err = NULL;
    if ((r = teardown_port(g, n->bridge, e->host_if, &err)) < 0 && !first) {
        first = r;
        *ret_err = TAKE_PTR(err);
    }
    free(err);
    return first;
}
