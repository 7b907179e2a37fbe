#include "spares.h"

#include <errno.h>
#include <string.h>

#include "link.h"
#include "log.h"
#include "state.h"
#include "teardown.h"
#include "timeval.h"
#include "util.h"
#include "vswitch.h"

/* Deletes a spare's veth, and its port unless the bridge goes anyway;
 * frees it (it must be unlinked). */
static void spare_destroy(struct ovsgw *g, struct spare *s, bool port)
{
    _cleanup_free_ char *err = NULL;

    if (teardown_port(g, port ? s->bridge : NULL, s->host_if, &err) < 0) {
        log_warn("spare port %s on %s: %s", s->host_if, s->bridge, err);
    }
    free(s);
}

bool spares_keep(struct ovsgw *g, const struct network *n,
                 const struct endpoint *e)
{
    _cleanup_free_ char *err = NULL;

    /* An OVN port is bound to its endpoint's logical port. */
    if (network_is_ovn(n) || e->fe.ofport <= 0
        || model_spares_on(&g->model, n->bridge) >= g->pool_max
        || !link_exists(e->peer_if)) {
        return false;
    }
    if (flowset_endpoint_delete(g->fs, n, e, false, &err) < 0
        || link_set_down(e->peer_if) < 0
        || vswitch_iface_set_ext(g->db, e->host_if,
                                 state_spare_encode(g->name, n->bridge,
                                                    e->peer_if),
                                 &err) < 0) {
        log_warn("endpoint %.12s: cannot keep port %s as a spare (%s): "
                 "deleting it", e->id, e->host_if,
                 err ? err : "cannot take the veth down");
        return false;
    }
    model_add_spare(&g->model, n->bridge, e->host_if, e->peer_if,
                    e->fe.ofport, e->verified, time_msec());
    return true;
}

void spares_drop(struct ovsgw *g, const char *bridge, bool port)
{
    for (struct spare **p = &g->model.spares; *p;) {
        struct spare *s = *p;
        if (strcmp(s->bridge, bridge)) {
            p = &s->next;
            continue;
        }
        *p = s->next;
        spare_destroy(g, s, port);
    }
}

void spares_expire(struct ovsgw *g)
{
    long long now = time_msec();

    for (struct spare **p = &g->model.spares; *p; p = &(*p)->next) {
        struct spare *s = *p;
        bool idle = now - s->since_ms >= g->pool_idle_ms;
        if (idle || model_spares_on(&g->model, s->bridge) > g->pool_max) {
            _cleanup_free_ char *err = NULL;
            /* Port first: while OVSDB is unreachable the spare stays
             * whole, for the next tick. */
            if (vswitch_port_del(g->db, s->bridge, s->host_if, &err) < 0) {
                log_debug("spare port %s: %s; later", s->host_if, err);
                return;
            }
            log_info("spare port %s on %s: %s, deleted", s->host_if,
                     s->bridge, idle ? "idle" : "over the --pool limit");
            *p = s->next;
            spare_destroy(g, s, false);
            return;
        }
    }
}

void spares_verify(struct ovsgw *g)
{
    for (struct spare **p = &g->model.spares; *p;) {
        struct spare *s = *p;
        json_t *row = NULL;
        if (s->verified
            || vswitch_iface_get(g->db, s->host_if, "ofport", &row,
                                 NULL) <= 0) {
            p = &s->next;
            continue;
        }
        int ofport = (int) ovsdb_int_value(json_object_get(row, "ofport"),
                                           0);
        json_decref(row);
        if (ofport < 0) {
            log_warn("spare port %s: ovs-vswitchd could not add it, "
                     "deleted", s->host_if);
            *p = s->next;
            spare_destroy(g, s, true);
            continue;
        }
        if (ofport > 0) {
            s->ofport = ofport;
            s->verified = true;
        }
        p = &s->next;
    }
}

void spares_restore(struct ovsgw *g)
{
    for (struct spare **p = &g->model.spares; *p;) {
        struct spare *s = *p;
        bool used = false;
        for (const struct network *n = g->model.networks; n && !used;
             n = n->next) {
            used = !strcmp(n->bridge, s->bridge);
        }
        if (used && s->ofport > 0 && link_exists(s->host_if)
            && link_exists(s->peer_if)) {
            s->since_ms = time_msec();
            p = &s->next;
            continue;
        }
        log_info("restore: spare port %s is no longer usable, deleted",
                 s->host_if);
        *p = s->next;
        spare_destroy(g, s, true);
    }
}
