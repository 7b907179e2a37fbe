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

static bool parse_addr(const char *tok, uint32_t *ret, int *ret_plen)
{
    if (!strcmp(tok, "any")) {
        *ret = 0;
        *ret_plen = 0;
        return true;
    }
    if (strchr(tok, '/')) {
        return addr_cidr4_parse(tok, true, ret, ret_plen);
    }
    if (addr_ip4_parse(tok, ret)) {
        *ret_plen = 32;
        return true;
    }
    return false;
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
    _cleanup_free_ char *from = NULL, *to = NULL, *ports = NULL;
    const char *rest = text + n, *arrow, *colon;

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
    colon = strchr(arrow + 2, ':');
    to = trimmed(arrow + 2, colon ? (size_t) (colon - arrow - 2)
                                  : strlen(arrow + 2));
    if (colon) {
        ports = trimmed(colon + 1, strlen(colon + 1));
    }
    if (!*from) {
        return xstrdup("missing FROM before \"->\"");
    }
    if (!*to) {
        return xstrdup("missing TO after \"->\"");
    }
    if (!parse_addr(from, &r.src, &r.src_plen)) {
        return xasprintf("bad %s \"%s\"", strchr(from, '/') ? "CIDR"
                                                            : "address",
                         from);
    }
    if (!parse_addr(to, &r.dst, &r.dst_plen)) {
        return xasprintf("bad %s \"%s\"", strchr(to, '/') ? "CIDR"
                                                          : "address", to);
    }
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

static void format_addr(struct strbuf *sb, uint32_t ip, int plen)
{
    char buf[IP4_STRLEN];
    if (plen == 0) {
        strbuf_add(sb, "any");
    } else if (plen == 32) {
        strbuf_add(sb, addr_ip4_format(ip, buf));
    } else {
        strbuf_addf(sb, "%s/%d", addr_ip4_format(ip, buf), plen);
    }
}

char *policy_flows(const struct policy *p, uint32_t tag, uint64_t cookie,
                   int table, int next_table)
{
    struct strbuf sb = { 0 };
    char ip[IP4_STRLEN], goto_next[32];

    snprintf(goto_next, sizeof goto_next, "goto_table:%d", next_table);
    for (size_t i = 0; i < p->n_rules; i++) {
        const struct policy_rule *r = &p->rules[i];
        struct policy_port_mask pm[32];
        size_t n_pm = 1;
        struct strbuf match = { 0 };

        strbuf_addf(&match, "reg0=0x%" PRIx32 ",tcp", tag);
        if (r->src_plen) {
            strbuf_addf(&match, ",nw_src=%s/%d",
                        addr_ip4_format(r->src, ip), r->src_plen);
        }
        if (r->dst_plen) {
            strbuf_addf(&match, ",nw_dst=%s/%d",
                        addr_ip4_format(r->dst, ip), r->dst_plen);
        }
        if (r->port_lo) {
            n_pm = policy_port_masks(r->port_lo, r->port_hi, pm);
        }
        for (size_t j = 0; j < n_pm; j++) {
            strbuf_addf(&sb, "cookie=0x%016" PRIx64 ",table=%d,priority=%zu,"
                        "%s", cookie, table, PRIO_TOP - i, match.buf);
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
    if (p->default_deny) {
        strbuf_addf(&sb, "cookie=0x%016" PRIx64 ",table=%d,priority=%d,"
                    "reg0=0x%" PRIx32 ",tcp,tcp_flags=+syn-ack "
                    "actions=drop\n", cookie, table, PRIO_DEFAULT, tag);
    }
    return strbuf_take(&sb);
}

char *policy_format(const struct policy *p)
{
    struct strbuf sb = { 0 };

    for (size_t i = 0; i < p->n_rules; i++) {
        const struct policy_rule *r = &p->rules[i];
        strbuf_addf(&sb, "%s ", r->allow ? "allow" : "deny");
        format_addr(&sb, r->src, r->src_plen);
        strbuf_add(&sb, "->");
        format_addr(&sb, r->dst, r->dst_plen);
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
