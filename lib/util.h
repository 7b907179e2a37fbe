/* The bottom layer's small helpers, shared by flows/ and plugin/:
 * allocation that aborts on OOM, a growable string buffer, cleanup
 * attributes, integer and ID parsing, UTF-8 checks for messages. */
#ifndef OVSGW_UTIL_H
#define OVSGW_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Runs free() on the variable when it goes out of scope. */
#define _cleanup_free_ __attribute__((cleanup(util_freep)))
void util_freep(void *p);

/* Hands out a pointer held by a _cleanup_ variable: clears the variable. */
#define TAKE_PTR(p) ({ __typeof__(p) _p = (p); (p) = NULL; _p; })

/* Allocation that never returns NULL: aborts the process on OOM. */
void *xmalloc(size_t n);
void *xzalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);

/* A growable NUL-terminated string.  Zero-initialise, append, then take
 * 'buf' (caller frees) or call strbuf_free(). */
struct strbuf {
    char *buf;
    size_t len;
    size_t cap;
};
void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void strbuf_add(struct strbuf *sb, const char *s);
/* Appends 'n' raw bytes (which may hold NULs) and a terminating NUL. */
void strbuf_addn(struct strbuf *sb, const void *data, size_t n);
/* Returns the string (never NULL, "" when empty) and resets 'sb';
 * the caller owns the result. */
char *strbuf_take(struct strbuf *sb);
void strbuf_free(struct strbuf *sb);

/* Parses all of 's' as a decimal integer in [min, max]. */
bool util_parse_int(const char *s, long min, long max, long *ret);

/* A 32-bit hash of 's' (FNV-1a), stable across builds and hosts. */
uint32_t util_hash(const char *s);

/* The value of the hex digit 'c' (either case), or -1. */
int util_hexval(char c);

/* True if 's' consists of 'n' hex digits at least (IDs from Docker). */
bool util_is_hex_id(const char *s, size_t min_len);

/* The length of the longest prefix of 's' (of 'n' bytes) that is valid
 * UTF-8 without NUL bytes (RFC 3629: no overlong forms, no surrogates). */
size_t util_utf8_prefix(const char *s, size_t n);

/* True if all 'n' bytes of 's' are valid UTF-8 without NUL bytes. */
bool util_utf8_valid(const char *s, size_t n);

/* Untrusted bytes made fit for a message: 's' ('n' bytes, any content)
 * cut after at most 'max' characters, at a character boundary, with "..."
 * when cut; bytes that are not valid UTF-8, and control characters, are
 * written as \xNN.  Returns a malloc'd, valid UTF-8 string. */
char *util_str_clean(const char *s, size_t n, size_t max);

#endif
