/* Published ports: which host port each binding of Docker's port map gets,
 * and whether it is free. */
#ifndef OVSGW_PORTS_H
#define OVSGW_PORTS_H

#include "model.h"
#include "request.h"

/* The first and last host port given when Docker asks for any (-P,
 * -p 80): Docker's own ephemeral range. */
#define PORTS_EPHEMERAL_LO 49153
#define PORTS_EPHEMERAL_HI 60999

/* Resolves the port map 'req' for the endpoint 'e': a host port for every
 * binding, the one asked for or the first free one of its range, free
 * both of the bindings of 'm''s other endpoints and of the host's
 * processes (a bind() of it succeeds).  Returns NULL and a malloc'd array
 * in '*ret' ('*ret_n' of them), or a malloc'd message naming the port in
 * use. */
char *ports_resolve(const struct model *m, const struct endpoint *e,
                    const struct request_ports *req,
                    struct published_port **ret, size_t *ret_n);

/* The bindings of 'e' as text, e.g. "0.0.0.0:18080->8080/tcp".
 * Malloc'd; "" if none. */
char *ports_format(const struct endpoint *e);

#endif
