#include "nfrules.h"

#include <stdio.h>
#include <string.h>

#include "util.h"

static const char *const table_names[NF_N_TABLES] = { "filter", "nat",
                                                      "raw" };

/* Chains per table, and the jump into each from a built-in chain, as
 * iptables-save prints it ("%s" is the base). */
static const struct {
    enum nfrules_table table;
    const char *chain;     /* suffix */
    const char *from;      /* built-in chain */
    const char *match;     /* "" or "-m ... " before -j */
    bool first;            /* inserted at the top */
} jumps[] = {
    { NF_FILTER, "FWD", "FORWARD", "", true },
    { NF_NAT, "DNAT", "PREROUTING", "-m addrtype --dst-type LOCAL ", false },
    { NF_NAT, "DNAT", "OUTPUT", "-m addrtype --dst-type LOCAL ", false },
    { NF_NAT, "POST", "POSTROUTING", "", true },
    { NF_RAW, "RAW", "PREROUTING", "", true },
};

static const struct {
    enum nfrules_table table;
    const char *chain;
} chains[] = {
    { NF_FILTER, "FWD" },
    { NF_NAT, "DNAT" },
    { NF_NAT, "POST" },
    { NF_RAW, "RAW" },
};

void nfrules_base(const char *driver, char buf[32])
{
    uint32_t h = 2166136261u; /* FNV-1a */

    if (!strcmp(driver, "ovsgw")) {
        snprintf(buf, 32, "OVSGW");
        return;
    }
    for (const char *p = driver; *p; p++) {
        h = (h ^ (uint8_t) *p) * 16777619u;
    }
    snprintf(buf, 32, "OVSGW-%08x", h);
}

/* True if the network takes part: a way out through an uplink. */
static bool routed(const struct network *n)
{
    return !n->internal && n->uplink_if[0];
}

static const char *proto_name(uint8_t proto)
{
    return proto == 17 ? "udp" : "tcp";
}

/* True if an earlier network than 'n' in 'm' has the same uplink. */
static bool uplink_seen(const struct model *m, const struct network *n)
{
    for (const struct network *o = m->networks; o != n; o = o->next) {
        if (routed(o) && !strcmp(o->uplink_if, n->uplink_if)) {
            return true;
        }
    }
    return false;
}

/* One address of the family in iptables-save's form: "10.20.1.0/24",
 * "fd00:20:1::/64"; a host address with /32 or /128. */
static char *net_text(const struct network *n, size_t i, bool v6)
{
    char ip[IP6_STRLEN];

    return v6 ? xasprintf("%s/%d", addr_ip6_format(&n->subnets6[i].net, ip),
                          n->subnets6[i].plen)
              : xasprintf("%s/%d", addr_ip4_format(n->subnets[i].net, ip),
                          n->subnets[i].plen);
}

void nfrules_build(const struct model *m, const char *driver, int family,
                   struct nfrules *ret)
{
    struct strbuf fwd_in = { 0 }, fwd_ports = { 0 }, fwd_drop = { 0 },
                  fwd_out = { 0 }, dnat = { 0 }, post = { 0 }, raw = { 0 };
    bool v6 = family == 6;
    char ip[IP6_STRLEN], ip2[IP4_STRLEN];
    const char *b;

    *ret = (struct nfrules) { .empty = !m->networks };
    nfrules_base(driver, ret->base);
    b = ret->base;
    for (const struct network *n = m->networks; n; n = n->next) {
        if (!routed(n)) {
            continue;
        }
        const char *up = n->uplink_if;
        for (size_t i = 0; i < (v6 ? n->n_subnets6 : n->n_subnets); i++) {
            _cleanup_free_ char *net = net_text(n, i, v6);
            strbuf_addf(&fwd_in, "-A %s-FWD -d %s -o %s -m conntrack "
                        "--ctstate RELATED,ESTABLISHED -j ACCEPT\n", b, net,
                        up);
            strbuf_addf(&fwd_drop, "-A %s-FWD -d %s -o %s -j DROP\n", b,
                        net, up);
            strbuf_addf(&fwd_out, "-A %s-FWD -s %s -i %s ! -o "
                        NFRULES_UPLINK_PREFIX "+ -j ACCEPT\n", b, net, up);
            if (n->opts.nat) {
                strbuf_addf(&post, "-A %s-POST -s %s ! -o %s -j "
                            "MASQUERADE\n", b, net, up);
            }
            /* Published ports reached from the network itself through the
             * host: the answer must come back the same way. */
            strbuf_addf(&post, "-A %s-POST -s %s -o %s -m conntrack "
                        "--ctstate DNAT -j MASQUERADE\n", b, net, up);
        }
        for (const struct endpoint *e = n->endpoints; e; e = e->next) {
            if (v6 && !e->fe.has_ip6) {
                continue;
            }
            const char *eip = v6 ? addr_ip6_format(&e->fe.ip6, ip)
                                 : addr_ip4_format(e->fe.ip, ip);
            for (size_t k = 0; k < e->n_ports; k++) {
                const struct published_port *p = &e->ports[k];
                const char *pn = proto_name(p->proto);
                if (v6 && p->host_ip_set) {
                    continue; /* an IPv4 host address */
                }
                strbuf_addf(&fwd_ports, "-A %s-FWD -d %s/%d -o %s -p %s -m "
                            "%s --dport %u -m conntrack --ctstate DNAT -j "
                            "ACCEPT\n", b, eip, v6 ? 128 : 32, up, pn, pn,
                            p->port);
                strbuf_addf(&dnat, "-A %s-DNAT ", b);
                if (p->host_ip_set) {
                    strbuf_addf(&dnat, "-d %s/32 ",
                                addr_ip4_format(p->host_ip, ip2));
                }
                strbuf_addf(&dnat, "-p %s -m %s --dport %u -j DNAT "
                            "--to-destination %s%s%s:%u\n", pn, pn,
                            p->host_port, v6 ? "[" : "", eip, v6 ? "]" : "",
                            p->port);
            }
        }
        if (!uplink_seen(m, n)) {
            if (!v6) {
                /* The host's own clients of published ports on 127.0.0.1
                 * (IPv6 cannot route ::1 out of the host). */
                strbuf_addf(&post, "-A %s-POST -s 127.0.0.0/8 -o %s -j "
                            "MASQUERADE\n", b, up);
            }
            strbuf_addf(&raw, "-A %s-RAW -d %s -i %s -j DROP\n", b,
                        v6 ? "::1/128" : "127.0.0.0/8", up);
        }
    }
    if (!ret->empty) {
        /* On the userspace datapath the host's stack also sees what a
         * container sends on its veth (OVS reads it with a packet
         * socket): none of it may get in there, past port security, also
         * for networks without a way out (IPv6 link-local needs no
         * route). */
        strbuf_addf(&raw, "-A %s-RAW -i " NFRULES_VETH_PREFIX "+ -j DROP\n",
                    b);
    }
    /* Accepts before drops: replies and published ports, then nothing
     * else in, then everything out. */
    strbuf_add(&fwd_in, "");
    strbuf_addf(&fwd_in, "%s%s%s", fwd_ports.buf ?: "", fwd_drop.buf ?: "",
                fwd_out.buf ?: "");
    strbuf_add(&dnat, "");
    strbuf_addf(&dnat, "%s", post.buf ?: "");
    ret->rules[NF_FILTER] = strbuf_take(&fwd_in);
    ret->rules[NF_NAT] = strbuf_take(&dnat);
    ret->rules[NF_RAW] = strbuf_take(&raw);
    strbuf_free(&fwd_ports);
    strbuf_free(&fwd_drop);
    strbuf_free(&fwd_out);
    strbuf_free(&post);
}

void nfrules_clear(struct nfrules *r)
{
    for (int t = 0; t < NF_N_TABLES; t++) {
        free(r->rules[t]);
        r->rules[t] = NULL;
    }
}

/* The lines of table 't' in 'saved' that start with 'prefix' (each with
 * its newline), in order. */
static char *saved_lines(const char *saved, enum nfrules_table t,
                         const char *prefix)
{
    struct strbuf sb = { 0 };
    bool in = false;
    size_t plen = strlen(prefix);

    strbuf_add(&sb, "");
    for (const char *p = saved ? saved : ""; *p;) {
        size_t len = strcspn(p, "\n");
        if (*p == '*') {
            in = len == strlen(table_names[t]) + 1
                 && !strncmp(p + 1, table_names[t], len - 1);
        } else if (in && len >= plen && !strncmp(p, prefix, plen)) {
            strbuf_addn(&sb, p, len);
            strbuf_add(&sb, "\n");
        }
        p += len + (p[len] == '\n');
    }
    return strbuf_take(&sb);
}

/* How many times the line 'line' (without newline) is in 'lines'. */
static int count_line(const char *lines, const char *line)
{
    size_t n = strlen(line);
    int count = 0;

    for (const char *p = lines; *p;) {
        size_t len = strcspn(p, "\n");
        count += len == n && !strncmp(p, line, n);
        p += len + (p[len] == '\n');
    }
    return count;
}

char *nfrules_plan(const struct nfrules *want, const char *saved)
{
    struct strbuf out = { 0 };
    bool any = false;

    for (int t = 0; t < NF_N_TABLES; t++) {
        struct strbuf sb = { 0 };
        bool changed = false;
        /* The chains first (a jump needs its target), emptied or
         * replaced whole when their rules differ. */
        for (size_t c = 0; c < ARRAY_SIZE(chains); c++) {
            if (chains[c].table != (enum nfrules_table) t) {
                continue;
            }
            _cleanup_free_ char *prefix = xasprintf("-A %s-%s ", want->base,
                                                    chains[c].chain);
            _cleanup_free_ char *decl = xasprintf(":%s-%s ", want->base,
                                                  chains[c].chain);
            _cleanup_free_ char *have = saved_lines(saved, t, prefix);
            _cleanup_free_ char *exists = saved_lines(saved, t, decl);
            _cleanup_free_ char *wanted = NULL;
            {
                /* This chain's lines of the table's wanted rules. */
                struct strbuf w = { 0 };
                strbuf_add(&w, "");
                for (const char *p = want->rules[t] ? want->rules[t] : "";
                     *p;) {
                    size_t len = strcspn(p, "\n");
                    if (!strncmp(p, prefix, strlen(prefix))) {
                        strbuf_addn(&w, p, len + 1);
                    }
                    p += len + (p[len] == '\n');
                }
                wanted = strbuf_take(&w);
            }
            if (want->empty) {
                if (*exists) {
                    strbuf_addf(&sb, "-F %s-%s\n", want->base,
                                chains[c].chain);
                    changed = true;
                }
            } else if (!*exists || strcmp(have, wanted)) {
                strbuf_addf(&sb, ":%s-%s - [0:0]\n%s", want->base,
                            chains[c].chain, wanted);
                changed = true;
            }
        }
        for (size_t j = 0; j < ARRAY_SIZE(jumps); j++) {
            if (jumps[j].table != (enum nfrules_table) t) {
                continue;
            }
            _cleanup_free_ char *rule = xasprintf("-A %s %s-j %s-%s",
                                                  jumps[j].from,
                                                  jumps[j].match, want->base,
                                                  jumps[j].chain);
            _cleanup_free_ char *lines = saved_lines(saved, t, "-A ");
            int have = count_line(lines, rule);
            int keep = want->empty ? 0 : 1;
            for (; have > keep; have--) {
                strbuf_addf(&sb, "-D%s\n", rule + 2);
                changed = true;
            }
            if (have < keep) {
                if (jumps[j].first) {
                    strbuf_addf(&sb, "-I%s\n", rule + 2);
                } else {
                    strbuf_addf(&sb, "%s\n", rule);
                }
                changed = true;
            }
        }
        if (want->empty) {
            /* Deleted after the jumps into them. */
            for (size_t c = 0; c < ARRAY_SIZE(chains); c++) {
                _cleanup_free_ char *decl = xasprintf(":%s-%s ", want->base,
                                                      chains[c].chain);
                _cleanup_free_ char *exists = saved_lines(saved, t, decl);
                if (chains[c].table == (enum nfrules_table) t && *exists) {
                    strbuf_addf(&sb, "-X %s-%s\n", want->base,
                                chains[c].chain);
                }
            }
        }
        if (changed) {
            strbuf_addf(&out, "*%s\n%sCOMMIT\n", table_names[t], sb.buf);
            any = true;
        }
        strbuf_free(&sb);
    }
    if (!any) {
        strbuf_free(&out);
        return NULL;
    }
    return strbuf_take(&out);
}
