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

char *xstrndup(const char *s, size_t n)
{
    char *p = strndup(s, n);
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

uint32_t util_hash(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */

    for (const char *p = s; *p; p++) {
        h = (h ^ (uint8_t) *p) * 16777619u;
    }
    return h;
}

int util_hexval(char c)
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
        if (util_hexval(s[n]) < 0) {
            return false;
        }
    }
    return n >= min_len;
}

bool util_utf8_valid(const char *s, size_t n)
{
    return util_utf8_prefix(s, n) == n;
}

/* Length of the UTF-8 sequence that starts at 's' (at most 'n' bytes
 * available), or 0 if there is no valid one: overlong forms, surrogates
 * and code points above U+10FFFF are invalid, as in RFC 3629. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    size_t len;
    unsigned cp;

    if (s[0] < 0x80) {
        return 1;
    } else if ((s[0] & 0xe0) == 0xc0) {
        len = 2;
        cp = s[0] & 0x1f;
    } else if ((s[0] & 0xf0) == 0xe0) {
        len = 3;
        cp = s[0] & 0x0f;
    } else if ((s[0] & 0xf8) == 0xf0) {
        len = 4;
        cp = s[0] & 0x07;
    } else {
        return 0;
    }
    if (len > n) {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            return 0;
        }
        cp = cp << 6 | (s[i] & 0x3f);
    }
    static const unsigned min[] = { 0, 0, 0x80, 0x800, 0x10000 };
    if (cp < min[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        return 0;
    }
    return len;
}

size_t util_utf8_prefix(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *) s;
    size_t off = 0;

    while (off < n) {
        size_t len = p[off] ? utf8_seq(p + off, n - off) : 0;
        if (len == 0) {
            break;
        }
        off += len;
    }
    return off;
}

char *util_str_clean(const char *s, size_t n, size_t max)
{
    const unsigned char *p = (const unsigned char *) s;
    struct strbuf sb = { 0 };
    size_t off = 0, chars = 0;

    strbuf_add(&sb, "");
    while (off < n && chars < max) {
        size_t len = p[off] ? utf8_seq(p + off, n - off) : 0;
        if (len == 1 && (p[off] < 0x20 || p[off] == 0x7f)) {
            len = 0; /* a control character: shown escaped */
        }
        if (len == 0) {
            strbuf_addf(&sb, "\\x%02x", p[off]);
            off++;
        } else {
            strbuf_addn(&sb, p + off, len);
            off += len;
        }
        chars++;
    }
    if (off < n) {
        strbuf_add(&sb, "...");
    }
    return strbuf_take(&sb);
}
