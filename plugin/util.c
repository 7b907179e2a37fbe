#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

void util_freep(void *p)
{
    free(*(void **) p);
}

static void oom(void)
{
    fputs("ovsgw: out of memory\n", stderr);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        oom();
    }
    return p;
}

void *xzalloc(size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (!p) {
        oom();
    }
    return p;
}

void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) {
        oom();
    }
    return p;
}

char *xstrdup(const char *s)
{
    char *p = strdup(s);
    if (!p) {
        oom();
    }
    return p;
}

char *xvasprintf(const char *fmt, va_list ap)
{
    char *p;
    if (vasprintf(&p, fmt, ap) < 0) {
        oom();
    }
    return p;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = xvasprintf(fmt, ap);
    va_end(ap);
    return p;
}

static void strbuf_reserve(struct strbuf *sb, size_t extra)
{
    if (sb->len + extra + 1 > sb->cap) {
        size_t cap = sb->cap ? sb->cap * 2 : 256;
        while (cap < sb->len + extra + 1) {
            cap *= 2;
        }
        sb->buf = xrealloc(sb->buf, cap);
        sb->cap = cap;
    }
}

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return;
    }
    strbuf_reserve(sb, (size_t) n);
    va_start(ap, fmt);
    vsnprintf(sb->buf + sb->len, (size_t) n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t) n;
}

void strbuf_addn(struct strbuf *sb, const void *data, size_t n)
{
    strbuf_reserve(sb, n);
    memcpy(sb->buf + sb->len, data, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
}

void strbuf_add(struct strbuf *sb, const char *s)
{
    strbuf_addn(sb, s, strlen(s));
}

char *strbuf_take(struct strbuf *sb)
{
    char *s = sb->buf ? sb->buf : xstrdup("");
    *sb = (struct strbuf) { 0 };
    return s;
}

void strbuf_free(struct strbuf *sb)
{
    free(sb->buf);
    *sb = (struct strbuf) { 0 };
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = (char) tolower((unsigned char) c);
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

bool util_mac_parse(const char *s, uint8_t ret[MAC_LEN])
{
    uint8_t mac[MAC_LEN];

    for (int i = 0; i < MAC_LEN; i++) {
        int hi = hexval(s[0]);
        int lo = hi < 0 ? -1 : hexval(s[1]);
        if (lo < 0) {
            return false;
        }
        mac[i] = (uint8_t) (hi << 4 | lo);
        s += 2;
        if (i < MAC_LEN - 1 && *s++ != ':') {
            return false;
        }
    }
    if (*s) {
        return false;
    }
    memcpy(ret, mac, MAC_LEN);
    return true;
}

char *util_mac_format(const uint8_t mac[MAC_LEN], char buf[MAC_STRLEN])
{
    snprintf(buf, MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x",
             mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
    return buf;
}

bool util_ip4_parse(const char *s, uint32_t *ret)
{
    uint32_t ip = 0;

    for (int i = 0; i < 4; i++) {
        if (!isdigit((unsigned char) *s)) {
            return false;
        }
        unsigned v = 0;
        int digits = 0;
        const char *start = s;
        while (isdigit((unsigned char) *s)) {
            v = v * 10 + (unsigned) (*s - '0');
            s++;
            if (++digits > 3) {
                return false;
            }
        }
        if (v > 255 || (digits > 1 && *start == '0')) {
            return false;
        }
        ip = ip << 8 | v;
        if (i < 3 && *s++ != '.') {
            return false;
        }
    }
    if (*s) {
        return false;
    }
    *ret = ip;
    return true;
}

uint32_t util_plen_mask(int plen)
{
    return plen <= 0 ? 0 : plen >= 32 ? 0xffffffffu
                                      : ~(0xffffffffu >> plen);
}

bool util_cidr4_parse(const char *s, bool strict_net, uint32_t *ret_addr,
                      int *ret_plen)
{
    const char *slash = strchr(s, '/');
    char addr[IP4_STRLEN];
    uint32_t ip;
    long plen;

    if (!slash || (size_t) (slash - s) >= sizeof addr) {
        return false;
    }
    memcpy(addr, s, (size_t) (slash - s));
    addr[slash - s] = '\0';
    if (!util_ip4_parse(addr, &ip) || !util_parse_int(slash + 1, 0, 32, &plen)
        || (slash[1] == '0' && slash[2])) {
        return false;
    }
    if (strict_net && (ip & ~util_plen_mask((int) plen))) {
        return false;
    }
    *ret_addr = ip;
    *ret_plen = (int) plen;
    return true;
}

char *util_ip4_format(uint32_t ip, char buf[IP4_STRLEN])
{
    snprintf(buf, IP4_STRLEN, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff,
             (ip >> 8) & 0xff, ip & 0xff);
    return buf;
}

bool util_parse_int(const char *s, long min, long max, long *ret)
{
    char *end;

    if (!isdigit((unsigned char) *s) && *s != '-') {
        return false;
    }
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < min || v > max) {
        return false;
    }
    *ret = v;
    return true;
}

bool util_is_hex_id(const char *s, size_t min_len)
{
    size_t n = 0;
    for (; s[n]; n++) {
        if (hexval(s[n]) < 0) {
            return false;
        }
    }
    return n >= min_len;
}
