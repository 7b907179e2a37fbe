#include "policy.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "util.h"

/* Rules get priorities from PRIO_TOP down, in order; the default deny sits
 * below them all. */
enum { PRIO_TOP = 30000, PRIO_DEFAULT = 1 };

/* The longest message, in characters: a rule is echoed in full. */
#define POLICY_MSG_MAX 1000

/* A copy of s[0..n) without leading and trailing blanks.  Malloc'd. */
static char *trimmed(const char *s, size_t n)
{
    while (n && isspace((unsigned char) *s)) {
        s++;
        n--;
    }
    while (n && isspace((unsigned char) s[n - 1])) {
        n--;
    }
    return strndup(s, n) ?: xstrdup("");
}

/* One side of a rule: any, or an address or prefix of one family. */
struct term {
    enum policy_family family; /* POLICY_BOTH: any */
    uint32_t ip4;
    struct in6_addr ip6;
    int plen;
};

/* "any", or an IPv4 or IPv6 address or prefix (host bits zero).  A /0 is
 * every address of its family, and makes the rule that family's. */
static bool parse_addr(const char *tok, struct term *ret)
{
    struct term t = { 0 };

    if (!strcmp(tok, "any")) {
        *ret = t;
        return true;
    }
    if (strchr(tok, '/')) {
        if (addr_cidr4_parse(tok, true, &t.ip4, &t.plen)) {
            t.family = POLICY_IPV4;
        } else if (addr_cidr6_parse(tok, true, &t.ip6, &t.plen)) {
            t.family = POLICY_IPV6;
        }
    } else if (addr_ip4_parse(tok, &t.ip4)) {
        t.family = POLICY_IPV4;
        t.plen = 32;
    } else if (addr_ip6_parse(tok, &t.ip6)) {
        t.family = POLICY_IPV6;
        t.plen = 128;
    }
    if (!t.family) {
        return false;
    }
    *ret = t;
    return true;
}

/* Parses FROM or TO without its ports: an address as parse_addr() takes
 * it, or an IPv6 one in brackets.  Returns NULL or the reason. */
static char *parse_term(const char *tok, struct term *ret)
{
    size_t n = strlen(tok);

    if (tok[0] == '[' && n >= 2 && tok[n - 1] == ']') {
        _cleanup_free_ char *in = trimmed(tok + 1, n - 2);
        if (!parse_addr(in, ret)) {
            return xasprintf("bad %s \"%s\"", strchr(in, '/') ? "CIDR"
                                                               : "address",
                             in);
        }
        if (ret->family != POLICY_IPV6) {
            return xasprintf("bad address \"%s\": brackets are for IPv6",
                             tok);
        }
        return NULL;
    }
    if (!parse_addr(tok, ret)) {
        return xasprintf("bad %s \"%s\"", strchr(tok, '/') ? "CIDR"
                                                            : "address",
                         tok);
    }
    return NULL;
}

/* Splits TO[:PORTS] (trimmed) into 'ret_to' and 'ret_ports' (NULL: none),
 * both malloc'd.  "[ADDR]" and "[ADDR]:PORTS" are IPv6; otherwise a TO
 * with two colons or more is an IPv6 address without ports, unless what
 * comes before its first colon is IPv4 or any (then, as for IPv4, PORTS
 * are after the first colon).  Returns NULL or the reason. */
static char *split_to(const char *text, char **ret_to, char **ret_ports)
{
    const char *colon = strchr(text, ':');

    *ret_ports = NULL;
    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        const char *after = close ? close + 1 : NULL;
        if (!close) {
            return xasprintf("missing \"]\" in \"%s\"", text);
        }
        while (isspace((unsigned char) *after)) {
            after++;
        }
        if (*after && *after != ':') {
            return xasprintf("bad TO \"%s\": want [IPv6]:PORTS", text);
        }
        *ret_to = xstrndup(text, (size_t) (close + 1 - text));
        if (*after) {
            *ret_ports = trimmed(after + 1, strlen(after + 1));
        }
        return NULL;
    }
    if (colon && strchr(colon + 1, ':')) {
        _cleanup_free_ char *head = trimmed(text, (size_t) (colon - text));
        if (strcmp(head, "any") && !strchr(head, '.')) {
            *ret_to = xstrdup(text);
            return NULL;
        }
    }
    *ret_to = trimmed(text, colon ? (size_t) (colon - text) : strlen(text));
    if (colon) {
        *ret_ports = trimmed(colon + 1, strlen(colon + 1));
    }
    return NULL;
}

static bool parse_port(const char *s, uint16_t *ret)
{
    long v;
    if (!util_parse_int(s, 1, 65535, &v) || s[0] == '0') {
        return false;
    }
    *ret = (uint16_t) v;
    return true;
}

/* Parses one rule; returns NULL or the reason (malloc'd) without the
 * "key: rule N" prefix. */
static char *parse_rule(const char *text, struct policy_rule *ret)
{
    struct policy_rule r = { 0 };
    size_t n = strcspn(text, " \t");
    _cleanup_free_ char *action = strndup(text, n);
    _cleanup_free_ char *from = NULL, *to = NULL, *ports = NULL,
                        *rest_to = NULL;
    const char *rest = text + n, *arrow;
    struct term src, dst;
    char *why;

    if (!strcmp(action, "allow")) {
        r.allow = true;
    } else if (strcmp(action, "deny")) {
        return xasprintf("bad action \"%s\": want allow or deny", action);
    }
    arrow = strstr(rest, "->");
    if (!arrow) {
        return xasprintf("missing \"->\": want %s FROM->TO[:PORTS]", action);
    }
    from = trimmed(rest, (size_t) (arrow - rest));
    if (!*from) {
        return xstrdup("missing FROM before \"->\"");
    }
    rest_to = trimmed(arrow + 2, strlen(arrow + 2));
    if ((why = split_to(rest_to, &to, &ports))) {
        return why;
    }
    if (!*to) {
        return xstrdup("missing TO after \"->\"");
    }
    if ((why = parse_term(from, &src)) || (why = parse_term(to, &dst))) {
        return why;
    }
    if (src.family && dst.family && src.family != dst.family) {
        return xasprintf("\"%s\" is IPv%d and \"%s\" IPv%d: a rule is of "
                         "one family", from, src.family, to, dst.family);
    }
    r.family = src.family ? src.family : dst.family;
    r.src = src.ip4;
    r.src6 = src.ip6;
    r.src_plen = src.plen;
    r.dst = dst.ip4;
    r.dst6 = dst.ip6;
    r.dst_plen = dst.plen;
    if (ports) {
        char *dash = strchr(ports, '-');
        if (dash) {
            *dash = '\0';
            bool ok = parse_port(ports, &r.port_lo)
                      && parse_port(dash + 1, &r.port_hi);
            *dash = '-';
            if (!ok) {
                return xasprintf("bad port range \"%s\": want N-M with "
                                 "ports 1 to 65535", ports);
            }
            if (r.port_lo > r.port_hi) {
                return xasprintf("bad port range \"%s\": %u is above %u",
                                 ports, r.port_lo, r.port_hi);
            }
        } else {
            if (!parse_port(ports, &r.port_lo)) {
                return xasprintf("bad port \"%s\": want 1 to 65535", ports);
            }
            r.port_hi = r.port_lo;
        }
    }
    *ret = r;
    return NULL;
}

char *policy_parse_rules(const char *key, const char *rules,
                         struct policy *ret)
{
    struct policy_rule parsed[POLICY_MAX_RULES];
    size_t n = 0;
    const char *p = rules;
    _cleanup_free_ char *all = trimmed(rules, strlen(rules));

    if (!*all) {
        ret->n_rules = 0;
        return NULL;
    }
    for (;;) {
        size_t len = strcspn(p, ",");
        _cleanup_free_ char *text = trimmed(p, len);
        if (n == POLICY_MAX_RULES) {
            return xasprintf("%s: more than %d rules", key,
                             POLICY_MAX_RULES);
        }
        if (!*text) {
            return xasprintf("%s: rule %zu is empty", key, n + 1);
        }
        char *why = parse_rule(text, &parsed[n]);
        if (why) {
            _cleanup_free_ char *msg = xasprintf("%s: rule %zu \"%s\": %s",
                                                 key, n + 1, text, why);
            free(why);
            /* The rule's bytes are echoed: a message is valid UTF-8. */
            return util_str_clean(msg, strlen(msg), POLICY_MSG_MAX);
        }
        n++;
        if (!p[len]) {
            break;
        }
        p += len + 1;
    }
    memcpy(ret->rules, parsed, n * sizeof parsed[0]);
    ret->n_rules = n;
    return NULL;
}

size_t policy_port_masks(uint16_t lo, uint16_t hi,
                         struct policy_port_mask out[32])
{
    uint32_t cur = lo, end = hi;
    size_t n = 0;

    while (cur <= end && n < 32) {
        /* The largest aligned block that starts at 'cur' and fits. */
        uint32_t size = cur ? cur & -cur : 0x10000;
        while (cur + size - 1 > end) {
            size >>= 1;
        }
        out[n].value = (uint16_t) cur;
        out[n].mask = (uint16_t) ~(size - 1);
        n++;
        cur += size;
    }
    return n;
}

/* One side of 'r' ('src' or not); 'bracket' puts IPv6 in brackets. */
static void format_addr(struct strbuf *sb, const struct policy_rule *r,
                        bool src, bool bracket)
{
    int plen = src ? r->src_plen : r->dst_plen;
    char buf[IP6_STRLEN];

    if (plen == 0) {
        /* "any->any" is both families: a /0 of one family on both sides
         * is written as such in FROM, so that it reads back the same. */
        if (!src || r->family == POLICY_BOTH || r->dst_plen) {
            strbuf_add(sb, "any");
        } else {
            strbuf_add(sb, r->family == POLICY_IPV4 ? "0.0.0.0/0" : "::/0");
        }
    } else if (r->family == POLICY_IPV4) {
        addr_ip4_format(src ? r->src : r->dst, buf);
        strbuf_addf(sb, plen == 32 ? "%s" : "%s/%d", buf, plen);
    } else {
        addr_ip6_format(src ? &r->src6 : &r->dst6, buf);
        strbuf_addf(sb, "%s%s", bracket ? "[" : "", buf);
        if (plen != 128) {
            strbuf_addf(sb, "/%d", plen);
        }
        strbuf_add(sb, bracket ? "]" : "");
    }
}

/* The match of 'r' for one family, after "reg0=TAG,". */
static void rule_match(struct strbuf *m, const struct policy_rule *r,
                       bool ipv6)
{
    char a[IP6_STRLEN];

    strbuf_add(m, ipv6 ? "tcp6" : "tcp");
    if (r->src_plen) {
        strbuf_addf(m, ipv6 ? ",ipv6_src=%s/%d" : ",nw_src=%s/%d",
                    ipv6 ? addr_ip6_format(&r->src6, a)
                         : addr_ip4_format(r->src, a), r->src_plen);
    }
    if (r->dst_plen) {
        strbuf_addf(m, ipv6 ? ",ipv6_dst=%s/%d" : ",nw_dst=%s/%d",
                    ipv6 ? addr_ip6_format(&r->dst6, a)
                         : addr_ip4_format(r->dst, a), r->dst_plen);
    }
}

char *policy_flows(const struct policy *p, bool ipv6, uint32_t tag,
                   uint64_t cookie, int table, int next_table)
{
    struct strbuf sb = { 0 };
    char goto_next[32];

    snprintf(goto_next, sizeof goto_next, "goto_table:%d", next_table);
    for (size_t i = 0; i < p->n_rules; i++) {
        const struct policy_rule *r = &p->rules[i];
        struct policy_port_mask pm[32];
        size_t n_pm = 1;

        if (r->port_lo) {
            n_pm = policy_port_masks(r->port_lo, r->port_hi, pm);
        }
        for (int v6 = 0; v6 <= 1; v6++) {
            struct strbuf match = { 0 };

            if (r->family == (v6 ? POLICY_IPV4 : POLICY_IPV6)
                || (v6 && !ipv6)) {
                continue;
            }
            rule_match(&match, r, v6);
            for (size_t j = 0; j < n_pm; j++) {
                strbuf_addf(&sb, "cookie=0x%016" PRIx64 ",table=%d,"
                            "priority=%zu,reg0=0x%" PRIx32 ",%s", cookie,
                            table, PRIO_TOP - i, tag, match.buf);
                if (r->port_lo) {
                    if (pm[j].mask == 0xffff) {
                        strbuf_addf(&sb, ",tp_dst=%u", pm[j].value);
                    } else {
                        strbuf_addf(&sb, ",tp_dst=0x%x/0x%x", pm[j].value,
                                    pm[j].mask);
                    }
                }
                strbuf_addf(&sb, ",tcp_flags=+syn-ack actions=%s\n",
                            r->allow ? goto_next : "drop");
            }
            strbuf_free(&match);
        }
    }
    for (int v6 = 0; p->default_deny && v6 <= ipv6; v6++) {
        strbuf_addf(&sb, "cookie=0x%016" PRIx64 ",table=%d,priority=%d,"
                    "reg0=0x%" PRIx32 ",%s,tcp_flags=+syn-ack "
                    "actions=drop\n", cookie, table, PRIO_DEFAULT, tag,
                    v6 ? "tcp6" : "tcp");
    }
    return strbuf_take(&sb);
}

char *policy_format(const struct policy *p)
{
    struct strbuf sb = { 0 };

    for (size_t i = 0; i < p->n_rules; i++) {
        const struct policy_rule *r = &p->rules[i];
        strbuf_addf(&sb, "%s ", r->allow ? "allow" : "deny");
        format_addr(&sb, r, true, false);
        strbuf_add(&sb, "->");
        format_addr(&sb, r, false, r->port_lo != 0);
        if (r->port_lo) {
            strbuf_addf(&sb, ":%u", r->port_lo);
            if (r->port_hi != r->port_lo) {
                strbuf_addf(&sb, "-%u", r->port_hi);
            }
        }
        strbuf_add(&sb, ", ");
    }
    strbuf_addf(&sb, "default %s", p->default_deny ? "deny" : "allow");
    return strbuf_take(&sb);
}
