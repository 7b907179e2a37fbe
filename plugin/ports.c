#include "ports.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util.h"

/* True if 'a' and 'b' would take the same traffic: same protocol and host
 * port, and the same host address or one of them on every address. */
static bool clash(const struct published_port *a,
                  const struct published_port *b)
{
    return a->proto == b->proto && a->host_port == b->host_port
           && (!a->host_ip_set || !b->host_ip_set
               || a->host_ip == b->host_ip);
}

/* The endpoint of 'm' (other than 'self') whose binding clashes with 'p',
 * or NULL. */
static const struct endpoint *taken_by(const struct model *m,
                                       const struct endpoint *self,
                                       const struct published_port *p)
{
    for (const struct network *n = m->networks; n; n = n->next) {
        for (const struct endpoint *e = n->endpoints; e; e = e->next) {
            for (size_t i = 0; e != self && i < e->n_ports; i++) {
                if (clash(&e->ports[i], p)) {
                    return e;
                }
            }
        }
    }
    return NULL;
}

/* True if a process on the host could not have 'p': a bind() of it
 * fails because it is in use.  (Any other failure does not count.) */
static bool host_busy(const struct published_port *p)
{
    struct sockaddr_in sa = { .sin_family = AF_INET,
                              .sin_port = htons(p->host_port),
                              .sin_addr.s_addr = htonl(p->host_ip) };
    int fd = socket(AF_INET, (p->proto == 17 ? SOCK_DGRAM : SOCK_STREAM)
                                 | SOCK_CLOEXEC, 0);
    bool busy;

    if (fd < 0) {
        return false;
    }
    busy = bind(fd, (struct sockaddr *) &sa, sizeof sa) < 0
           && errno == EADDRINUSE;
    close(fd);
    return busy;
}

char *ports_resolve(const struct model *m, const struct endpoint *e,
                    const struct request_ports *req,
                    struct published_port **ret, size_t *ret_n)
{
    struct published_port *out = req->n ? xzalloc(req->n * sizeof *out)
                                        : NULL;
    char ip[IP4_STRLEN];

    for (size_t i = 0; i < req->n; i++) {
        const struct request_port *rp = &req->v[i];
        bool any = rp->host_lo == 0;
        unsigned lo = any ? PORTS_EPHEMERAL_LO : rp->host_lo;
        unsigned hi = any ? PORTS_EPHEMERAL_HI : rp->host_hi;
        const struct endpoint *other = NULL;
        bool busy = false;

        out[i] = (struct published_port) { .proto = rp->proto,
                                           .port = rp->port,
                                           .host_ip_set = rp->host_ip_set,
                                           .host_ip = rp->host_ip };
        for (unsigned port = lo; port <= hi; port++) {
            out[i].host_port = (uint16_t) port;
            other = taken_by(m, e, &out[i]);
            for (size_t k = 0; k < i && !other; k++) {
                other = clash(&out[k], &out[i]) ? e : NULL;
            }
            busy = !other && host_busy(&out[i]);
            if (!other && !busy) {
                break;
            }
        }
        if (other || busy) {
            const char *where = rp->host_ip_set
                                    ? addr_ip4_format(rp->host_ip, ip)
                                    : "0.0.0.0";
            const char *proto = rp->proto == 17 ? "udp" : "tcp";
            char *msg = lo == hi ? xasprintf("host port %s:%u/%s is in use "
                                             "by %s%.12s", where, lo, proto,
                                             other ? "endpoint "
                                                   : "a process on the host",
                                             other ? other->id : "")
                                 : xasprintf("no free host port in %s:%u-%u/%s",
                                             where, lo, hi, proto);
            free(out);
            return msg;
        }
    }
    *ret = out;
    *ret_n = req->n;
    return NULL;
}

char *ports_format(const struct endpoint *e)
{
    struct strbuf sb = { 0 };
    char ip[IP4_STRLEN];

    strbuf_add(&sb, "");
    for (size_t i = 0; i < e->n_ports; i++) {
        const struct published_port *p = &e->ports[i];
        strbuf_addf(&sb, "%s%s:%u->%u/%s", i ? ", " : "",
                    p->host_ip_set ? addr_ip4_format(p->host_ip, ip)
                                   : "0.0.0.0",
                    p->host_port, p->port, p->proto == 17 ? "udp" : "tcp");
    }
    return strbuf_take(&sb);
}
