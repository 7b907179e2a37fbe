/* The bottom layer: UTF-8 checks for messages, addresses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "addr.h"
#include "nd.h"
#include "util.h"

static void test_utf8(void **state)
{
    (void) state;
    assert_true(util_utf8_valid("", 0));
    assert_true(util_utf8_valid("abc", 3));
    assert_true(util_utf8_valid("\xc3\xa9t\xc3\xa9", 5));       /* été */
    assert_true(util_utf8_valid("\xe2\x82\xac", 3));            /* € */
    assert_true(util_utf8_valid("\xf0\x9f\x90\xb3", 4));        /* 🐳 */
    assert_false(util_utf8_valid("\xff", 1));
    assert_false(util_utf8_valid("\xc3", 1));                   /* cut */
    assert_false(util_utf8_valid("\xc0\xaf", 2));               /* overlong */
    assert_false(util_utf8_valid("\xed\xa0\x80", 3));           /* surrogate */
    assert_false(util_utf8_valid("\xf4\x90\x80\x80", 4));       /* > 10FFFF */
    assert_false(util_utf8_valid("a\0b", 3));
    assert_int_equal(util_utf8_prefix("ab\xe2\x82", 4), 2);
}

static void expect_clean(const char *in, size_t n, size_t max,
                         const char *want)
{
    char *got = util_str_clean(in, n, max);
    assert_string_equal(got, want);
    assert_true(util_utf8_valid(got, strlen(got)));
    free(got);
}

static void test_str_clean(void **state)
{
    (void) state;
    expect_clean("/NetworkDriver.Join", 19, 200, "/NetworkDriver.Join");
    expect_clean("/\xff", 2, 200, "/\\xff");
    expect_clean("a\nb\x7f", 4, 200, "a\\x0ab\\x7f");
    expect_clean("a\0b", 3, 200, "a\\x00b");
    /* Cut at a character boundary, never inside one. */
    expect_clean("\xc3\xa9\xc3\xa9\xc3\xa9", 6, 2, "\xc3\xa9\xc3\xa9...");
    expect_clean("ab\xe2\x82", 4, 10, "ab\\xe2\\x82");
    expect_clean("", 0, 10, "");
}

static void test_mac(void **state)
{
    uint8_t mac[MAC_LEN];
    char buf[MAC_STRLEN];
    (void) state;

    assert_true(addr_mac_parse("02:42:0A:14:01:64", mac));
    assert_string_equal(addr_mac_format(mac, buf), "02:42:0a:14:01:64");
    assert_true(addr_mac_is_unicast(mac));
    assert_false(addr_mac_parse("02:42:0a:14:01", mac));
    assert_false(addr_mac_parse("02:42:0a:14:01:64:", mac));
    assert_true(addr_mac_parse("ff:ff:ff:ff:ff:ff", mac));
    assert_false(addr_mac_is_unicast(mac));
    assert_true(addr_mac_parse("01:00:5e:00:00:01", mac));
    assert_false(addr_mac_is_unicast(mac));
    assert_true(addr_mac_parse("00:00:00:00:00:00", mac));
    assert_false(addr_mac_is_unicast(mac));
}

static void test_ip4(void **state)
{
    uint32_t ip;
    int plen;
    char buf[IP4_STRLEN];
    (void) state;

    assert_true(addr_ip4_parse("10.20.1.100", &ip));
    assert_int_equal(ip, 0x0a140164);
    assert_string_equal(addr_ip4_format(ip, buf), "10.20.1.100");
    assert_false(addr_ip4_parse("10.20.1.256", &ip));
    assert_false(addr_ip4_parse("10.20.01.1", &ip));
    assert_false(addr_ip4_parse("10.20.1", &ip));
    assert_true(addr_cidr4_parse("10.20.1.0/24", true, &ip, &plen));
    assert_int_equal(plen, 24);
    assert_false(addr_cidr4_parse("10.20.1.1/24", true, &ip, &plen));
    assert_true(addr_cidr4_parse("10.20.1.1/24", false, &ip, &plen));
    assert_false(addr_cidr4_parse("10.20.1.0/33", false, &ip, &plen));
    assert_false(addr_cidr4_parse("10.20.1.0/024", false, &ip, &plen));
    assert_int_equal(addr_plen_mask(0), 0);
    assert_int_equal(addr_plen_mask(24), 0xffffff00);
    assert_int_equal(addr_plen_mask(32), 0xffffffff);
}

static void test_ip6(void **state)
{
    struct in6_addr a, b;
    int plen;
    char buf[IP6_STRLEN];
    uint8_t mac[MAC_LEN] = { 0x02, 0x42, 0x0a, 0x14, 0x01, 0x64 };
    (void) state;

    assert_true(addr_ip6_parse("fd00:20:1::10", &a));
    assert_string_equal(addr_ip6_format(&a, buf), "fd00:20:1::10");
    assert_true(addr_ip6_parse("FD00:0020:0001:0000:0000:0000:0000:0010",
                               &b));
    assert_true(addr_ip6_equal(&a, &b));
    assert_false(addr_ip6_parse("fd00::1/64", &a));
    assert_false(addr_ip6_parse("fe80::1%eth0", &a));
    assert_false(addr_ip6_parse("[fd00::1]", &a));
    assert_false(addr_ip6_parse("10.20.1.1", &a));
    assert_true(addr_cidr6_parse("fd00:20:1::/64", true, &a, &plen));
    assert_int_equal(plen, 64);
    assert_false(addr_cidr6_parse("fd00:20:1::1/64", true, &a, &plen));
    assert_true(addr_cidr6_parse("fd00:20:1::1/64", false, &a, &plen));
    assert_false(addr_cidr6_parse("fd00:20:1::/129", false, &a, &plen));
    assert_true(addr_ip6_parse("fd00:20:1::10", &a));
    assert_true(addr_ip6_parse("fd00:20:1:0:ffff::1", &b));
    assert_true(addr_ip6_same_prefix(&a, &b, 64));
    assert_false(addr_ip6_same_prefix(&a, &b, 65));
    a = addr_ip6_link_local(mac);
    assert_string_equal(addr_ip6_format(&a, buf), "fe80::42:aff:fe14:164");
    assert_true(addr_ip6_parse("fd00:20:1::1234:5678", &b));
    a = addr_ip6_solicited_node(&b);
    assert_string_equal(addr_ip6_format(&a, buf), "ff02::1:ff34:5678");
}

/* Sets the ICMPv6 checksum of the NS in 'f' (86 bytes at most) as its
 * header says it is. */
static void fix_checksum(uint8_t *f)
{
    struct in6_addr src, dst;
    size_t plen = f[18] << 8 | f[19];

    memcpy(&src, f + 22, 16);
    memcpy(&dst, f + 38, 16);
    f[56] = f[57] = 0;
    uint16_t c = nd_icmp6_checksum(&src, &dst, f + 54, plen < 32 ? plen : 32);
    f[56] = c >> 8, f[57] = c & 0xff;
}

/* An NS from fd00:20:1::100 (02:42:0a:14:01:64) for 'target', with its
 * source link-layer option, checksum filled in: 86 bytes. */
static size_t make_ns(uint8_t *f, const char *target)
{
    static const uint8_t mac[6] = { 0x02, 0x42, 0x0a, 0x14, 0x01, 0x64 };
    struct in6_addr src, dst, t;

    assert_true(addr_ip6_parse("fd00:20:1::100", &src));
    assert_true(addr_ip6_parse(target, &t));
    dst = addr_ip6_solicited_node(&t);
    memset(f, 0, 86);
    f[0] = 0x33, f[1] = 0x33;
    memcpy(f + 2, dst.s6_addr + 12, 4);
    memcpy(f + 6, mac, 6);
    f[12] = 0x86, f[13] = 0xdd;
    f[14] = 0x60;
    f[19] = 32;  /* payload length */
    f[20] = 58;  /* ICMPv6 */
    f[21] = 255; /* hop limit */
    memcpy(f + 22, &src, 16);
    memcpy(f + 38, &dst, 16);
    f[54] = 135;
    memcpy(f + 62, &t, 16);
    f[78] = 1; /* source link-layer address, 8 bytes */
    f[79] = 1;
    memcpy(f + 80, mac, 6);
    fix_checksum(f);
    return 86;
}

static void test_nd(void **state)
{
    static const uint8_t gwmac[6] = { 0x06, 0x6f, 0x0a, 0x0b, 0x0c, 0x0d };
    uint8_t f[128], na[ND_NA_LEN];
    struct nd_solicit ns;
    struct in6_addr a;
    char buf[IP6_STRLEN];
    (void) state;

    size_t len = make_ns(f, "fd00:20:1::1");
    assert_true(nd_parse_ns(f, len, &ns));
    assert_string_equal(addr_ip6_format(&ns.target, buf), "fd00:20:1::1");
    assert_string_equal(addr_ip6_format(&ns.src, buf), "fd00:20:1::100");
    assert_memory_equal(ns.src_mac, f + 6, 6);

    nd_build_na(&ns, gwmac, ND_NA_ROUTER | ND_NA_SOLICITED | ND_NA_OVERRIDE,
                na);
    assert_memory_equal(na, f + 6, 6);           /* to the soliciter */
    assert_memory_equal(na + 6, gwmac, 6);       /* from the answer */
    assert_int_equal(na[12] << 8 | na[13], 0x86dd);
    assert_int_equal(na[14], 0x60);
    assert_int_equal(na[18] << 8 | na[19], 32);  /* payload length */
    assert_int_equal(na[20], 58);
    assert_int_equal(na[21], 255);
    assert_memory_equal(na + 22, &ns.target, 16);  /* from the target */
    assert_memory_equal(na + 38, &ns.src, 16);     /* to the soliciter */
    assert_int_equal(na[54], 136);
    assert_int_equal(na[55], 0);
    /* Checksum as computed by an independent implementation (Python,
     * RFC 1071 over the pseudo-header and the message). */
    assert_int_equal(na[56] << 8 | na[57], 0x80b4);
    assert_int_equal(nd_icmp6_checksum(&ns.target, &ns.src, na + 54, 32), 0);
    assert_memory_equal(na + 58, "\xe0\0\0\0", 4); /* R, S, O */
    assert_memory_equal(na + 62, &ns.target, 16);
    assert_int_equal(na[78], 2);                 /* target link-layer */
    assert_int_equal(na[79], 1);
    assert_memory_equal(na + 80, gwmac, 6);

    nd_build_na(&ns, gwmac, ND_NA_SOLICITED | ND_NA_OVERRIDE, na);
    assert_memory_equal(na + 58, "\x60\0\0\0", 4);
    assert_int_equal(nd_icmp6_checksum(&ns.target, &ns.src, na + 54, 32), 0);

    /* Refused: too short, not IPv6, not 255 hops, not an NS, a code, a
     * multicast target, an option of length 0 or past the end, a payload
     * length past the frame, an NS from :: (DAD). */
    assert_false(nd_parse_ns(f, 77, &ns));
    /* (Each with a right checksum, so that it is refused for itself.) */
#define REFUSED(stmt)                                                      \
    do {                                                                   \
        make_ns(f, "fd00:20:1::1");                                        \
        stmt;                                                              \
        fix_checksum(f);                                                   \
        assert_false(nd_parse_ns(f, len, &ns));                            \
    } while (0)
    REFUSED(f[13] = 0x00);
    REFUSED(f[14] = 0x40);
    REFUSED(f[21] = 64);
    REFUSED(f[20] = 17);
    REFUSED(f[54] = 136);
    REFUSED(f[55] = 1);
    REFUSED(f[62] = 0xff);
    REFUSED(f[79] = 0);
    REFUSED(f[79] = 2);
    REFUSED(f[19] = 33);
    REFUSED(f[19] = 23);
    REFUSED(memset(f + 22, 0, 16));
#undef REFUSED
    make_ns(f, "fd00:20:1::1"); /* a wrong checksum */
    f[81] ^= 1;
    assert_false(nd_parse_ns(f, len, &ns));
    fix_checksum(f);
    assert_true(nd_parse_ns(f, len, &ns));  /* the same NS, right */
    /* A solicitation without options is fine (the flows drop those). */
    make_ns(f, "fd00:20:1::1");
    f[19] = 24;
    fix_checksum(f);
    assert_true(nd_parse_ns(f, 78, &ns));
    /* An Ethernet-padded frame: the IPv6 payload length counts. */
    make_ns(f, "fd00:20:1::1");
    memset(f + 86, 0, 8);
    assert_true(nd_parse_ns(f, 94, &ns));
    /* An option that ends one byte short. */
    make_ns(f, "fd00:20:1::1");
    f[19] = 25;
    fix_checksum(f);
    assert_false(nd_parse_ns(f, 86, &ns));
    assert_true(addr_ip6_parse("fd00:20:1::1", &a));
    assert_true(addr_ip6_equal(&ns.target, &a));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_str_clean),
        cmocka_unit_test(test_mac),
        cmocka_unit_test(test_ip4),
        cmocka_unit_test(test_ip6),
        cmocka_unit_test(test_nd),
    };
    return cmocka_run_group_tests_name("lib", tests, NULL, NULL);
}
