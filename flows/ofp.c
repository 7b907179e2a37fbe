#include "ofp.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "bytes.h"
#include "util.h"

/* ---- bytes ------------------------------------------------------------ */

static uint8_t *put_zeros(struct ofp_buf *b, size_t n)
{
    if (b->len + n > b->cap) {
        b->cap = b->cap * 2 > b->len + n ? b->cap * 2 : b->len + n + 256;
        b->data = xrealloc(b->data, b->cap);
    }
    uint8_t *p = b->data + b->len;
    memset(p, 0, n);
    b->len += n;
    return p;
}

static void put16(struct ofp_buf *b, uint16_t v)
{
    be16(put_zeros(b, 2), v);
}

static void put32(struct ofp_buf *b, uint32_t v)
{
    be32(put_zeros(b, 4), v);
}

static void pad8(struct ofp_buf *b, size_t start)
{
    put_zeros(b, (8 - (b->len - start) % 8) % 8);
}

/* Starts a message; end_msg() fills in its length. */
static size_t start_msg(struct ofp_buf *b, uint8_t type, uint32_t xid)
{
    size_t start = b->len;
    uint8_t *p = put_zeros(b, OFP_HEADER_LEN);

    p[0] = OFP_VERSION;
    p[1] = type;
    be32(p + 4, xid);
    return start;
}

static void end_msg(struct ofp_buf *b, size_t start)
{
    be16(b->data + start + 2, b->len - start);
}

void ofp_put_simple(struct ofp_buf *b, uint8_t type, uint32_t xid)
{
    end_msg(b, start_msg(b, type, xid));
}

void ofp_put_echo_reply(struct ofp_buf *b, const uint8_t *request,
                        size_t len)
{
    size_t start = start_msg(b, OFPT_ECHO_REPLY, ofp_msg_xid(request));

    if (len > OFP_HEADER_LEN) {
        memcpy(put_zeros(b, len - OFP_HEADER_LEN), request + OFP_HEADER_LEN,
               len - OFP_HEADER_LEN);
    }
    end_msg(b, start);
}

void ofp_put_bundle_ctrl(struct ofp_buf *b, uint32_t xid, uint32_t bundle_id,
                         uint16_t ctrl, uint16_t flags)
{
    size_t start = start_msg(b, OFPT_BUNDLE_CONTROL, xid);

    put32(b, bundle_id);
    put16(b, ctrl);
    put16(b, flags);
    end_msg(b, start);
}

uint8_t ofp_msg_type(const uint8_t *p)
{
    return p[1];
}

uint16_t ofp_msg_len(const uint8_t *p)
{
    return get16(p + 2);
}

uint32_t ofp_msg_xid(const uint8_t *p)
{
    return get32(p + 4);
}

/* ---- fields ----------------------------------------------------------- */

enum kind { K_INT, K_MAC, K_IP, K_IP6, K_FLAGS };

/* The fields ovsgw matches on or writes, in the order a match lists them:
 * OXM wants every field after its prerequisites (eth_type before ip_proto
 * before tcp_dst, icmpv6_type before nd_target, ...).  'cls' 0x8000 is
 * OpenFlow's own class, 0x0001 the Nicira extensions OVS accepts in OXM
 * for fields OpenFlow 1.4 lacks, and 0x1000 the class OVS gives the ND
 * fields it added in 2.11 (ERICOXM_OF_ in OVS's build/extract_ofp_fields;
 * "OXM: ERICOXM_OF_ICMPV6_ND_RESERVED(1)" and "..._ND_OPTIONS_TYPE(2)" in
 * include/openvswitch/meta-flow.h): a plain OXM class, no experimenter
 * ID follows the header. */
struct field {
    const char *name, *alias, *nxm;
    uint16_t cls;
    uint8_t id, len;
    enum kind kind;
    bool matchable;
};

static const struct field fields[] = {
    { "in_port", NULL, NULL, 0x8000, 0, 4, K_INT, true },
    { "reg0", NULL, "NXM_NX_REG0", 0x0001, 0, 4, K_INT, true },
    { "reg1", NULL, "NXM_NX_REG1", 0x0001, 1, 4, K_INT, true },
    { "eth_dst", "dl_dst", "NXM_OF_ETH_DST", 0x8000, 3, 6, K_MAC, true },
    { "eth_src", "dl_src", "NXM_OF_ETH_SRC", 0x8000, 4, 6, K_MAC, true },
    { "eth_type", "dl_type", NULL, 0x8000, 5, 2, K_INT, true },
    { "ip_proto", "nw_proto", NULL, 0x8000, 10, 1, K_INT, true },
    { "ip_src", "nw_src", "NXM_OF_IP_SRC", 0x8000, 11, 4, K_IP, true },
    { "ip_dst", "nw_dst", "NXM_OF_IP_DST", 0x8000, 12, 4, K_IP, true },
    { "ipv6_src", NULL, "NXM_NX_IPV6_SRC", 0x8000, 26, 16, K_IP6, true },
    { "ipv6_dst", NULL, "NXM_NX_IPV6_DST", 0x8000, 27, 16, K_IP6, true },
    { "tcp_dst", "tp_dst", NULL, 0x8000, 14, 2, K_INT, true },
    { "tcp_flags", NULL, NULL, 0x0001, 34, 2, K_FLAGS, true },
    { "icmp_type", NULL, NULL, 0x8000, 19, 1, K_INT, true },
    { "icmp_code", NULL, NULL, 0x8000, 20, 1, K_INT, true },
    { "icmpv6_type", NULL, NULL, 0x8000, 29, 1, K_INT, true },
    { "icmpv6_code", NULL, NULL, 0x8000, 30, 1, K_INT, true },
    { "nd_target", NULL, NULL, 0x8000, 31, 16, K_IP6, true },
    { "nd_sll", NULL, NULL, 0x8000, 32, 6, K_MAC, true },
    { "nd_tll", NULL, NULL, 0x8000, 33, 6, K_MAC, false },
    { "nd_reserved", NULL, NULL, 0x1000, 1, 4, K_INT, false },
    { "nd_options_type", NULL, NULL, 0x1000, 2, 1, K_INT, false },
    { "arp_op", NULL, NULL, 0x8000, 21, 2, K_INT, true },
    { "arp_spa", NULL, "NXM_OF_ARP_SPA", 0x8000, 22, 4, K_IP, true },
    { "arp_tpa", NULL, "NXM_OF_ARP_TPA", 0x8000, 23, 4, K_IP, true },
    { "arp_sha", NULL, "NXM_NX_ARP_SHA", 0x8000, 24, 6, K_MAC, true },
    { "arp_tha", NULL, "NXM_NX_ARP_THA", 0x8000, 25, 6, K_MAC, false },
    { "nw_ttl", NULL, NULL, 0x0001, 29, 1, K_INT, false },
};
enum { N_FIELDS = ARRAY_SIZE(fields), F_ETH_TYPE = 5, F_IP_PROTO = 6 };

static const struct field *field_by_name(const char *name, size_t len)
{
    for (size_t i = 0; i < N_FIELDS; i++) {
        const struct field *f = &fields[i];
        if ((strlen(f->name) == len && !strncmp(f->name, name, len))
            || (f->alias && strlen(f->alias) == len
                && !strncmp(f->alias, name, len))) {
            return f;
        }
    }
    return NULL;
}

static const struct field *field_by_nxm(const char *name, size_t len)
{
    for (size_t i = 0; i < N_FIELDS; i++) {
        if (fields[i].nxm && strlen(fields[i].nxm) == len
            && !strncmp(fields[i].nxm, name, len)) {
            return &fields[i];
        }
    }
    return NULL;
}

static uint32_t oxm_header(const struct field *f, bool masked)
{
    return (uint32_t) f->cls << 16 | (uint32_t) f->id << 9
           | (uint32_t) masked << 8 | (uint32_t) (masked ? 2 : 1) * f->len;
}

/* A field's value (and mask) as bytes, network order. */
struct value {
    uint8_t v[16], m[16];
    bool masked;
};

static bool parse_uint(const char *s, uint64_t max, uint64_t *ret)
{
    char *end;

    if (!*s || *s == '-' || *s == '+') {
        return false;
    }
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end || v > max) {
        return false;
    }
    *ret = v;
    return true;
}

static void put_uint_bytes(uint8_t *p, int len, uint64_t v)
{
    for (int i = len - 1; i >= 0; i--, v >>= 8) {
        p[i] = v;
    }
}

/* TCP flags as ovs-ofctl writes them: "+syn-ack" sets the mask of every
 * named flag and the value of the '+' ones. */
static bool parse_tcp_flags(const char *s, struct value *val)
{
    static const char *const names[] = { "fin", "syn", "rst", "psh",
                                         "ack", "urg", "ece", "cwr", "ns" };
    uint16_t v = 0, m = 0;

    if (!*s) {
        return false;
    }
    while (*s) {
        bool on = *s == '+';
        size_t i, len;

        if (*s != '+' && *s != '-') {
            return false;
        }
        s++;
        len = strcspn(s, "+-");
        for (i = 0; i < ARRAY_SIZE(names); i++) {
            if (strlen(names[i]) == len && !strncmp(names[i], s, len)) {
                break;
            }
        }
        if (i == ARRAY_SIZE(names) || (m & 1u << i)) {
            return false;
        }
        m |= 1u << i;
        v |= on ? 1u << i : 0;
        s += len;
    }
    be16(val->v, v);
    be16(val->m, m);
    val->masked = true;
    return true;
}

/* Parses 's' as a value of 'f'; masks ("/N", "/0xM") only if 'maskable'.
 * An all-ones mask is no mask. */
static bool parse_value(const struct field *f, const char *s, bool maskable,
                        struct value *val)
{
    memset(val, 0, sizeof *val);
    switch (f->kind) {
    case K_MAC:
        return addr_mac_parse(s, val->v);
    case K_IP: {
        uint32_t ip;
        int plen = 32;
        if (strchr(s, '/')) {
            if (!maskable || !addr_cidr4_parse(s, false, &ip, &plen)
                || plen == 0) {
                return false;
            }
        } else if (!addr_ip4_parse(s, &ip)) {
            return false;
        }
        be32(val->v, ip);
        be32(val->m, addr_plen_mask(plen));
        val->masked = plen < 32;
        return true;
    }
    case K_IP6: {
        struct in6_addr ip, mask;
        int plen = 128;
        if (strchr(s, '/')) {
            if (!maskable || !addr_cidr6_parse(s, false, &ip, &plen)
                || plen == 0) {
                return false;
            }
        } else if (!addr_ip6_parse(s, &ip)) {
            return false;
        }
        memset(&mask, 0xff, sizeof mask);
        mask = addr_ip6_mask(&mask, plen);
        memcpy(val->v, &ip, 16);
        memcpy(val->m, &mask, 16);
        val->masked = plen < 128;
        return true;
    }
    case K_FLAGS:
        return maskable && parse_tcp_flags(s, val);
    case K_INT: {
        _cleanup_free_ char *copy = xstrdup(s);
        char *slash = strchr(copy, '/');
        uint64_t max = f->len == 8 ? UINT64_MAX
                                   : (UINT64_C(1) << (8 * f->len)) - 1;
        uint64_t v, m = max;
        if (slash) {
            *slash = '\0';
            if (!maskable || !parse_uint(slash + 1, max, &m) || m == 0) {
                return false;
            }
        }
        if (!parse_uint(copy, max, &v) || (v & ~m)) {
            return false;
        }
        put_uint_bytes(val->v, f->len, v);
        put_uint_bytes(val->m, f->len, m);
        val->masked = m != max;
        return true;
    }
    }
    return false;
}

static void put_oxm(struct ofp_buf *b, const struct field *f,
                    const struct value *val)
{
    put32(b, oxm_header(f, val->masked));
    memcpy(put_zeros(b, f->len), val->v, f->len);
    if (val->masked) {
        memcpy(put_zeros(b, f->len), val->m, f->len);
    }
}

/* ---- flow lines ------------------------------------------------------- */

enum {
    OFPFC_ADD = 0,
    OFPFC_DELETE = 3,
    OFPIT_GOTO_TABLE = 1,
    OFPIT_APPLY_ACTIONS = 4,
    OFPAT_OUTPUT = 0,
    OFPAT_DEC_NW_TTL = 24,
    OFPAT_SET_FIELD = 25,
    OFPAT_EXPERIMENTER = 0xffff,
};
#define OFPTT_ALL 0xff
#define OFP_NO_BUFFER 0xffffffffu
#define OFPP_IN_PORT 0xfffffff8u
#define OFPP_CONTROLLER 0xfffffffdu
#define OFPCML_NO_BUFFER 0xffff /* the whole packet to the controller */
#define OFPP_ANY 0xffffffffu
#define OFPG_ANY 0xffffffffu
#define NX_VENDOR_ID 0x00002320u
#define NXAST_REG_MOVE 6
#define NXAST_RESUBMIT_TABLE 14
#define OFPP10_IN_PORT 0xfff8 /* resubmit's in_port: OpenFlow 1.0 numbers */

struct flow_mod {
    uint64_t cookie, cookie_mask;
    uint8_t table, command;
    uint16_t priority;
    struct value match[N_FIELDS];
    bool has[N_FIELDS];
    struct ofp_buf actions; /* encoded OpenFlow actions */
    int goto_table;         /* -1: none */
    bool drop;
};

/* Sets a match field, refusing a second value for the same field. */
static char *set_match(struct flow_mod *fm, const struct field *f,
                       const struct value *val, const char *tok)
{
    size_t i = f - fields;

    if (fm->has[i] && memcmp(&fm->match[i], val, sizeof *val)) {
        return xasprintf("\"%s\" contradicts an earlier match", tok);
    }
    fm->has[i] = true;
    fm->match[i] = *val;
    return NULL;
}

static char *shorthand(struct flow_mod *fm, const char *tok)
{
    static const struct { const char *name; uint16_t type; uint8_t proto; }
        protos[] = { { "arp", 0x0806, 0 }, { "ip", 0x0800, 0 },
                     { "icmp", 0x0800, 1 }, { "tcp", 0x0800, 6 },
                     { "udp", 0x0800, 17 }, { "ipv6", 0x86dd, 0 },
                     { "icmp6", 0x86dd, 58 }, { "tcp6", 0x86dd, 6 } };

    for (size_t i = 0; i < ARRAY_SIZE(protos); i++) {
        if (!strcmp(tok, protos[i].name)) {
            struct value t = { 0 }, p = { 0 };
            char *err;
            be16(t.v, protos[i].type);
            if ((err = set_match(fm, &fields[F_ETH_TYPE], &t, tok))) {
                return err;
            }
            if (protos[i].proto) {
                p.v[0] = protos[i].proto;
                return set_match(fm, &fields[F_IP_PROTO], &p, tok);
            }
            return NULL;
        }
    }
    return xasprintf("unknown match \"%s\"", tok);
}

static char *parse_match_token(struct flow_mod *fm, char *tok)
{
    char *eq = strchr(tok, '=');
    uint64_t v;

    if (!eq) {
        return shorthand(fm, tok);
    }
    *eq = '\0';
    const char *key = tok, *val = eq + 1;
    if (!strcmp(key, "cookie")) {
        if (!parse_uint(val, UINT64_MAX, &fm->cookie)) {
            return xasprintf("bad cookie \"%s\"", val);
        }
        return NULL;
    }
    if (!strcmp(key, "table")) {
        if (!parse_uint(val, 254, &v)) {
            return xasprintf("bad table \"%s\"", val);
        }
        fm->table = v;
        return NULL;
    }
    if (!strcmp(key, "priority")) {
        if (!parse_uint(val, 65535, &v)) {
            return xasprintf("bad priority \"%s\"", val);
        }
        fm->priority = v;
        return NULL;
    }
    const struct field *f = field_by_name(key, strlen(key));
    struct value value;
    if (!f || !f->matchable) {
        return xasprintf("unknown match field \"%s\"", key);
    }
    if (!parse_value(f, val, true, &value)) {
        return xasprintf("bad value \"%s\" for %s", val, key);
    }
    return set_match(fm, f, &value, key);
}

/* "NXM_OF_ETH_SRC[]": whole fields only, as flows.c writes them. */
static const struct field *parse_subfield(const char *s, size_t len)
{
    if (len < 3 || strncmp(s + len - 2, "[]", 2)) {
        return NULL;
    }
    return field_by_nxm(s, len - 2);
}

static char *parse_action(struct flow_mod *fm, const char *act)
{
    struct ofp_buf *a = &fm->actions;
    uint64_t v;

    if (!strcmp(act, "drop")) {
        fm->drop = true;
        return NULL;
    }
    if (!strcmp(act, "dec_ttl")) {
        put16(a, OFPAT_DEC_NW_TTL);
        put16(a, 8);
        put_zeros(a, 4);
        return NULL;
    }
    if (!strcmp(act, "IN_PORT") || !strncmp(act, "output:", 7)
        || !strcmp(act, "controller")) {
        uint32_t port = act[0] == 'I' ? OFPP_IN_PORT : OFPP_CONTROLLER;
        if (act[0] == 'o') {
            if (!parse_uint(act + 7, 0xfeff, &v) || v == 0) {
                return xasprintf("bad output port \"%s\"", act + 7);
            }
            port = v;
        }
        put16(a, OFPAT_OUTPUT);
        put16(a, 16);
        put32(a, port);
        /* max_len: how much of the packet the controller gets */
        put16(a, port == OFPP_CONTROLLER ? OFPCML_NO_BUFFER : 0);
        put_zeros(a, 6);
        return NULL;
    }
    if (!strncmp(act, "goto_table:", 11)) {
        if (!parse_uint(act + 11, 254, &v) || v <= fm->table) {
            return xasprintf("bad goto_table \"%s\"", act + 11);
        }
        fm->goto_table = v;
        return NULL;
    }
    if (!strncmp(act, "resubmit(,", 10)) {
        /* Only "resubmit(,TABLE)": the packet keeps its in_port. */
        size_t n = strlen(act + 10);
        _cleanup_free_ char *t = xstrndup(act + 10, n ? n - 1 : 0);
        if (!n || act[10 + n - 1] != ')' || !parse_uint(t, 254, &v)) {
            return xasprintf("bad action \"%s\"", act);
        }
        put16(a, OFPAT_EXPERIMENTER);
        put16(a, 16);
        put32(a, NX_VENDOR_ID);
        put16(a, NXAST_RESUBMIT_TABLE);
        put16(a, OFPP10_IN_PORT);
        put_zeros(a, 4)[0] = v; /* table, then 3 bytes of padding */
        return NULL;
    }
    if (!strncmp(act, "set_field:", 10)) {
        const char *arrow = strstr(act, "->");
        if (!arrow) {
            return xasprintf("bad action \"%s\"", act);
        }
        const struct field *f = field_by_name(arrow + 2, strlen(arrow + 2));
        _cleanup_free_ char *val = strndup(act + 10, arrow - (act + 10));
        struct value value;
        if (!f) {
            return xasprintf("unknown field \"%s\"", arrow + 2);
        }
        if (!val || !parse_value(f, val, false, &value)) {
            return xasprintf("bad value in \"%s\"", act);
        }
        size_t start = a->len;
        put16(a, OFPAT_SET_FIELD);
        put16(a, 0);
        put_oxm(a, f, &value);
        pad8(a, start);
        be16(a->data + start + 2, a->len - start);
        return NULL;
    }
    if (!strncmp(act, "move:", 5)) {
        const char *src = act + 5, *arrow = strstr(src, "->");
        const struct field *s, *d;
        if (!arrow || !(s = parse_subfield(src, arrow - src))
            || !(d = parse_subfield(arrow + 2, strlen(arrow + 2)))
            || s->len != d->len) {
            return xasprintf("bad action \"%s\"", act);
        }
        put16(a, OFPAT_EXPERIMENTER);
        put16(a, 24);
        put32(a, NX_VENDOR_ID);
        put16(a, NXAST_REG_MOVE);
        put16(a, s->len * 8); /* n_bits */
        put16(a, 0);          /* src_ofs */
        put16(a, 0);          /* dst_ofs */
        put32(a, oxm_header(s, false));
        put32(a, oxm_header(d, false));
        return NULL;
    }
    return xasprintf("unknown action \"%s\"", act);
}

/* The next action of the list at '*s', cut at the first comma outside
 * parentheses ("resubmit(,11)" is one action); NULL at the end. */
static char *next_action(char **s)
{
    char *tok = *s, *p;
    int depth = 0;

    if (!tok || !*tok) {
        return NULL;
    }
    for (p = tok; *p && (*p != ',' || depth); p++) {
        depth += (*p == '(') - (*p == ')');
    }
    *s = *p ? p + 1 : NULL;
    *p = '\0';
    return tok;
}

static char *parse_line(struct flow_mod *fm, const char *line)
{
    _cleanup_free_ char *copy = xstrdup(line);
    char *actions, *tok, *save = NULL;
    char *err;

    fm->goto_table = -1;
    if (!strncmp(copy, "delete ", 7)) {
        char *s = copy + 7, *slash = strchr(s, '/');
        fm->command = OFPFC_DELETE;
        fm->table = OFPTT_ALL;
        if (strncmp(s, "cookie=", 7) || !slash) {
            return xasprintf("bad delete \"%s\": want cookie=C/M", s);
        }
        *slash = '\0';
        if (!parse_uint(s + 7, UINT64_MAX, &fm->cookie)
            || !(strcmp(slash + 1, "-1")
                     ? parse_uint(slash + 1, UINT64_MAX, &fm->cookie_mask)
                     : (fm->cookie_mask = UINT64_MAX, true))) {
            return xasprintf("bad cookie in \"%s\"", line);
        }
        return NULL;
    }
    fm->command = OFPFC_ADD;
    if (!(actions = strstr(copy, " actions="))) {
        return xasprintf("no actions in \"%s\"", line);
    }
    *actions = '\0';
    actions += strlen(" actions=");
    for (tok = strtok_r(copy, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        if ((err = parse_match_token(fm, tok))) {
            return err;
        }
    }
    while ((tok = next_action(&actions))) {
        if ((err = parse_action(fm, tok))) {
            return err;
        }
    }
    if (fm->drop && (fm->actions.len || fm->goto_table >= 0)) {
        return xasprintf("drop with other actions in \"%s\"", line);
    }
    if (!fm->drop && !fm->actions.len && fm->goto_table < 0) {
        return xasprintf("no actions in \"%s\"", line);
    }
    return NULL;
}

static void put_flow_mod(struct ofp_buf *b, const struct flow_mod *fm,
                         uint32_t xid)
{
    size_t start = start_msg(b, OFPT_FLOW_MOD, xid);
    uint8_t *p = put_zeros(b, 40);

    be64(p, fm->cookie);
    be64(p + 8, fm->cookie_mask);
    p[16] = fm->table;
    p[17] = fm->command;
    /* idle and hard timeouts 0 */
    be16(p + 22, fm->priority);
    be32(p + 24, OFP_NO_BUFFER);
    be32(p + 28, OFPP_ANY);
    be32(p + 32, OFPG_ANY);
    /* flags and importance 0 */

    size_t match = b->len;
    put16(b, 1); /* OFPMT_OXM */
    put16(b, 0);
    for (size_t i = 0; i < N_FIELDS; i++) {
        if (fm->has[i]) {
            put_oxm(b, &fields[i], &fm->match[i]);
        }
    }
    be16(b->data + match + 2, b->len - match);
    pad8(b, match);

    if (fm->actions.len) {
        put16(b, OFPIT_APPLY_ACTIONS);
        put16(b, 8 + fm->actions.len);
        put_zeros(b, 4);
        memcpy(put_zeros(b, fm->actions.len), fm->actions.data,
               fm->actions.len);
    }
    if (fm->goto_table >= 0) {
        put16(b, OFPIT_GOTO_TABLE);
        put16(b, 8);
        uint8_t *t = put_zeros(b, 4);
        t[0] = fm->goto_table;
    }
    end_msg(b, start);
}

char *ofp_put_flow_mod(struct ofp_buf *b, const char *line, uint32_t xid)
{
    struct flow_mod fm = { 0 };
    char *err = parse_line(&fm, line);

    if (!err) {
        put_flow_mod(b, &fm, xid);
    }
    free(fm.actions.data);
    return err;
}

char *ofp_put_bundle_add(struct ofp_buf *b, const char *line, uint32_t xid,
                         uint32_t bundle_id, uint16_t flags)
{
    size_t start = start_msg(b, OFPT_BUNDLE_ADD_MESSAGE, xid);
    char *err;

    put32(b, bundle_id);
    put16(b, 0);
    put16(b, flags);
    if ((err = ofp_put_flow_mod(b, line, xid))) {
        b->len = start;
        return err;
    }
    end_msg(b, start);
    return NULL;
}

/* ---- flow statistics ------------------------------------------------- */

/* A multipart message's header after ofp_header: type, flags, pad. */
#define MP_HEADER_LEN (OFP_HEADER_LEN + 8)

void ofp_put_flow_stats_request(struct ofp_buf *b, uint32_t xid,
                                uint16_t type, uint8_t table,
                                uint64_t cookie, uint64_t cookie_mask)
{
    size_t start = start_msg(b, OFPT_MULTIPART_REQUEST, xid);
    uint8_t *p = put_zeros(b, 8 + 32 + 8);

    be16(p, type);
    /* flags and pad 0; then the request, as ofp_flow_stats_request */
    p[8] = table;
    be32(p + 12, OFPP_ANY);
    be32(p + 16, OFPG_ANY);
    be64(p + 24, cookie);
    be64(p + 32, cookie_mask);
    be16(p + 40, 1); /* an empty OXM match */
    be16(p + 42, 4);
    end_msg(b, start);
}

bool ofp_multipart_reply(const uint8_t *p, size_t len, uint16_t *ret_type,
                         uint16_t *ret_flags)
{
    if (len < MP_HEADER_LEN || ofp_msg_type(p) != OFPT_MULTIPART_REPLY) {
        return false;
    }
    *ret_type = get16(p + OFP_HEADER_LEN);
    *ret_flags = get16(p + OFP_HEADER_LEN + 2);
    return true;
}

bool ofp_aggregate_flows(const uint8_t *p, size_t len, uint32_t *ret)
{
    if (len < MP_HEADER_LEN + 24) {
        return false;
    }
    *ret = get32(p + MP_HEADER_LEN + 16);
    return true;
}

bool ofp_flow_heads(const uint8_t *p, size_t len, struct ofp_flow_head **heads,
                    size_t *n)
{
    for (size_t off = MP_HEADER_LEN; off < len;) {
        /* ofp_flow_stats: length, table_id, pad, durations (8),
         * priority at 12, ..., cookie at 24; 56 bytes up to the match. */
        if (len - off < 56) {
            return false;
        }
        uint16_t flen = get16(p + off);
        if (flen < 56 || flen > len - off) {
            return false;
        }
        *heads = xrealloc(*heads, (*n + 1) * sizeof **heads);
        (*heads)[*n] = (struct ofp_flow_head) {
            .table = p[off + 2],
            .priority = get16(p + off + 12),
            .cookie = (uint64_t) get32(p + off + 24) << 32
                      | get32(p + off + 28),
        };
        (*n)++;
        off += flen;
    }
    return true;
}

/* ---- errors ----------------------------------------------------------- */

char *ofp_error_text(const uint8_t *p, size_t len)
{
    static const char *const types[] = {
        [0] = "hello failed",    [1] = "bad request",
        [2] = "bad action",      [3] = "bad instruction",
        [4] = "bad match",       [5] = "flow mod failed",
        [6] = "group mod failed", [7] = "port mod failed",
        [8] = "table mod failed", [9] = "queue op failed",
        [10] = "switch config failed", [11] = "role request failed",
        [12] = "meter mod failed", [13] = "table features failed",
        [14] = "bad property",   [15] = "async config failed",
        [16] = "flow monitor failed", [17] = "bundle failed",
    };

    if (len < OFP_HEADER_LEN + 4) {
        return xstrdup("short OpenFlow error message");
    }
    uint16_t type = get16(p + OFP_HEADER_LEN);
    uint16_t code = get16(p + OFP_HEADER_LEN + 2);
    const char *name = type < ARRAY_SIZE(types) && types[type]
                           ? types[type] : "error";
    return xasprintf("OpenFlow %s (type %u, code %u)", name, type, code);
}

/* ---- packets to and from the controller ------------------------------ */

void ofp_put_set_config(struct ofp_buf *b, uint32_t xid, uint16_t flags,
                        uint16_t miss_send_len)
{
    size_t start = start_msg(b, OFPT_SET_CONFIG, xid);

    put16(b, flags);
    put16(b, miss_send_len);
    end_msg(b, start);
}

bool ofp_get_config_reply(const uint8_t *p, size_t len, uint16_t *ret_flags)
{
    if (len < OFP_HEADER_LEN + 4 || ofp_msg_type(p) != OFPT_GET_CONFIG_REPLY) {
        return false;
    }
    *ret_flags = get16(p + OFP_HEADER_LEN);
    return true;
}

void ofp_put_packet_out(struct ofp_buf *b, uint32_t xid, uint32_t port,
                        const uint8_t *data, size_t len)
{
    size_t start = start_msg(b, OFPT_PACKET_OUT, xid);

    put32(b, OFP_NO_BUFFER);
    put32(b, OFPP_CONTROLLER); /* in_port */
    put16(b, 16);              /* actions_len: one output action */
    put_zeros(b, 6);
    put16(b, OFPAT_OUTPUT);
    put16(b, 16);
    put32(b, port);
    put16(b, 0);
    put_zeros(b, 6);
    memcpy(put_zeros(b, len), data, len);
    end_msg(b, start);
}

/* OXM header of in_port: class OFPXMC_OPENFLOW_BASIC, field 0, 4 bytes. */
#define OXM_IN_PORT 0x80000004u

bool ofp_packet_in(const uint8_t *p, size_t len, struct ofp_packet_in *ret)
{
    /* header, buffer_id, total_len, reason, table_id, cookie */
    enum { MATCH = OFP_HEADER_LEN + 16 };
    bool have_port = false;

    if (len < MATCH + 4 || ofp_msg_type(p) != OFPT_PACKET_IN
        || ofp_msg_len(p) != len || get16(p + MATCH) != 1 /* OXM */) {
        return false;
    }
    size_t mlen = get16(p + MATCH + 2);
    size_t padded = (mlen + 7) / 8 * 8;
    if (mlen < 4 || padded + 2 > len - MATCH) {
        return false;
    }
    for (size_t off = 4; off < mlen;) {
        if (mlen - off < 4) {
            return false;
        }
        uint32_t h = get32(p + MATCH + off);
        size_t flen = h & 0xff;
        if (flen > mlen - off - 4) {
            return false;
        }
        if (h == OXM_IN_PORT) {
            ret->in_port = get32(p + MATCH + off + 4);
            have_port = true;
        }
        off += 4 + flen;
    }
    ret->cookie = (uint64_t) get32(p + MATCH - 8) << 32 | get32(p + MATCH - 4);
    ret->data = p + MATCH + padded + 2;
    ret->len = len - MATCH - padded - 2;
    return have_port;
}
