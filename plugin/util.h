/* Small helpers shared by every module: allocation that aborts on OOM,
 * a growable string buffer, cleanup attributes, MAC and IPv4 text. */
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

#define MAC_LEN 6
#define MAC_STRLEN 18 /* "xx:xx:xx:xx:xx:xx" + NUL */

/* Parses "xx:xx:xx:xx:xx:xx" (hex, either case).  Returns true on success;
 * 'ret' is not written on failure. */
bool util_mac_parse(const char *s, uint8_t ret[MAC_LEN]);
/* Formats 'mac' into 'buf' (MAC_STRLEN bytes), returns 'buf'. */
char *util_mac_format(const uint8_t mac[MAC_LEN], char buf[MAC_STRLEN]);

#define IP4_STRLEN 16
/* Parses a dotted-quad IPv4 address strictly (four decimal octets, no
 * leading zeros beyond "0", no trailing text).  'ret' is in host order and
 * not written on failure. */
bool util_ip4_parse(const char *s, uint32_t *ret);
/* Parses "A.B.C.D/N" (N 0..32).  With 'strict_net', bits outside the
 * prefix must be zero.  Outputs are not written on failure. */
bool util_cidr4_parse(const char *s, bool strict_net, uint32_t *ret_addr,
                      int *ret_plen);
/* Formats a host-order address into 'buf' (IP4_STRLEN bytes). */
char *util_ip4_format(uint32_t ip, char buf[IP4_STRLEN]);
/* The netmask of a prefix length, host order (0 for /0). */
uint32_t util_plen_mask(int plen);

/* Parses all of 's' as a decimal integer in [min, max]. */
bool util_parse_int(const char *s, long min, long max, long *ret);

/* True if 's' consists of 'n' hex digits at least (IDs from Docker). */
bool util_is_hex_id(const char *s, size_t min_len);

#endif
