/* TCP policy: the grammar with its exact messages, the port-range cover,
 * golden flows for a few rule sets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "flows.h"
#include "policy.h"
#include "golden.h"

#define KEY "ovsgw.tcp.rules"

static void expect_err(const char *rules, const char *msg)
{
    struct policy p = { .n_rules = 77 };
    char *err = policy_parse_rules(KEY, rules, &p);
    assert_non_null(err);
    assert_string_equal(err, msg);
    assert_int_equal(p.n_rules, 77); /* untouched */
    free(err);
}

static struct policy parse_ok(const char *rules, bool default_deny)
{
    struct policy p = { .default_deny = default_deny };
    char *err = policy_parse_rules(KEY, rules, &p);
    if (err) {
        fail_msg("unexpected error: %s", err);
    }
    return p;
}

static void test_bad_rules(void **state)
{
    (void) state;
    /* The examples the issue names, each with the key, position, token. */
    expect_err("deny 10.0.0.0/33->any",
               KEY ": rule 1 \"deny 10.0.0.0/33->any\": bad CIDR "
               "\"10.0.0.0/33\"");
    expect_err("allow any->any, drop any->any",
               KEY ": rule 2 \"drop any->any\": bad action \"drop\": want "
               "allow or deny");
    expect_err("allow any->any:70000",
               KEY ": rule 1 \"allow any->any:70000\": bad port \"70000\": "
               "want 1 to 65535");
    expect_err("allow any->any:90-80",
               KEY ": rule 1 \"allow any->any:90-80\": bad port range "
               "\"90-80\": 90 is above 80");
    expect_err("deny 10.20.1.1",
               KEY ": rule 1 \"deny 10.20.1.1\": missing \"->\": want deny "
               "FROM->TO[:PORTS]");
    expect_err("deny any->any,,allow any->any",
               KEY ": rule 2 is empty");
    expect_err("deny any->any,", KEY ": rule 2 is empty");
    /* And more. */
    expect_err("deny 10.0.0.1/24->any",
               KEY ": rule 1 \"deny 10.0.0.1/24->any\": bad CIDR "
               "\"10.0.0.1/24\"");
    expect_err("deny 10.0.0.256->any",
               KEY ": rule 1 \"deny 10.0.0.256->any\": bad address "
               "\"10.0.0.256\"");
    expect_err("deny ->any",
               KEY ": rule 1 \"deny ->any\": missing FROM before \"->\"");
    expect_err("deny any->",
               KEY ": rule 1 \"deny any->\": missing TO after \"->\"");
    expect_err("allow any->any:0",
               KEY ": rule 1 \"allow any->any:0\": bad port \"0\": want 1 "
               "to 65535");
    expect_err("allow any->any:80-",
               KEY ": rule 1 \"allow any->any:80-\": bad port range "
               "\"80-\": want N-M with ports 1 to 65535");
    expect_err("allow any->any:http",
               KEY ": rule 1 \"allow any->any:http\": bad port \"http\": "
               "want 1 to 65535");
    expect_err("Allow any->any",
               KEY ": rule 1 \"Allow any->any\": bad action \"Allow\": want "
               "allow or deny");
}

static void test_bad_rules6(void **state)
{
    (void) state;
    expect_err("deny 10.20.2.0/24->fd00:20:1::/64",
               KEY ": rule 1 \"deny 10.20.2.0/24->fd00:20:1::/64\": "
               "\"10.20.2.0/24\" is IPv4 and \"fd00:20:1::/64\" IPv6: a "
               "rule is of one family");
    expect_err("allow any->any, allow fd00::1->10.20.1.1:80",
               KEY ": rule 2 \"allow fd00::1->10.20.1.1:80\": \"fd00::1\" "
               "is IPv6 and \"10.20.1.1\" IPv4: a rule is of one family");
    expect_err("allow 10.20.1.1->[fd00::1]:80",
               KEY ": rule 1 \"allow 10.20.1.1->[fd00::1]:80\": "
               "\"10.20.1.1\" is IPv4 and \"[fd00::1]\" IPv6: a rule is of "
               "one family");
    expect_err("allow any->[fd00::1:80",
               KEY ": rule 1 \"allow any->[fd00::1:80\": missing \"]\" in "
               "\"[fd00::1:80\"");
    expect_err("allow any->[fd00::1]80",
               KEY ": rule 1 \"allow any->[fd00::1]80\": bad TO "
               "\"[fd00::1]80\": want [IPv6]:PORTS");
    expect_err("allow any->[10.20.1.1]:80",
               KEY ": rule 1 \"allow any->[10.20.1.1]:80\": bad address "
               "\"[10.20.1.1]\": brackets are for IPv6");
    expect_err("allow any->[fd00::/129]:80",
               KEY ": rule 1 \"allow any->[fd00::/129]:80\": bad CIDR "
               "\"fd00::/129\"");
    expect_err("allow any->[fd00::g]:80",
               KEY ": rule 1 \"allow any->[fd00::g]:80\": bad address "
               "\"fd00::g\"");
    expect_err("deny fd00:20:1::1/64->any",
               KEY ": rule 1 \"deny fd00:20:1::1/64->any\": bad CIDR "
               "\"fd00:20:1::1/64\"");
    expect_err("deny fe80::1%eth0->any",
               KEY ": rule 1 \"deny fe80::1%eth0->any\": bad address "
               "\"fe80::1%eth0\"");
    expect_err("deny [fd00::1]:80->any",
               KEY ": rule 1 \"deny [fd00::1]:80->any\": bad address "
               "\"[fd00::1]:80\"");
    /* Without brackets, a TO with colons is all address: here a bad one. */
    expect_err("allow any->fd00::/64:80",
               KEY ": rule 1 \"allow any->fd00::/64:80\": bad CIDR "
               "\"fd00::/64:80\"");
    /* The ports of the bracket form read as today's. */
    expect_err("allow any->[fd00::1]:70000",
               KEY ": rule 1 \"allow any->[fd00::1]:70000\": bad port "
               "\"70000\": want 1 to 65535");
    expect_err("allow any->[fd00::1]:90-80",
               KEY ": rule 1 \"allow any->[fd00::1]:90-80\": bad port range "
               "\"90-80\": 90 is above 80");
    expect_err("allow any->[fd00::1]:",
               KEY ": rule 1 \"allow any->[fd00::1]:\": bad port \"\": want "
               "1 to 65535");
    /* An IPv4 TO with two colons is still address and ports. */
    expect_err("allow any->10.20.1.1:80:90",
               KEY ": rule 1 \"allow any->10.20.1.1:80:90\": bad port "
               "\"80:90\": want 1 to 65535");
}

static void test_good_rules(void **state)
{
    (void) state;
    struct policy p = parse_ok(" deny 10.20.2.0/24 -> 10.20.1.100 ,"
                               "allow any->10.20.1.0/24 : 80-90,"
                               "\tdeny any->any:22", false);
    assert_int_equal(p.n_rules, 3);
    assert_false(p.rules[0].allow);
    assert_int_equal(p.rules[0].src, 0x0a140200);
    assert_int_equal(p.rules[0].src_plen, 24);
    assert_int_equal(p.rules[0].dst, 0x0a140164);
    assert_int_equal(p.rules[0].dst_plen, 32);
    assert_int_equal(p.rules[0].port_lo, 0);
    assert_true(p.rules[1].allow);
    assert_int_equal(p.rules[1].src_plen, 0);
    assert_int_equal(p.rules[1].port_lo, 80);
    assert_int_equal(p.rules[1].port_hi, 90);
    assert_int_equal(p.rules[2].port_lo, 22);
    assert_int_equal(p.rules[2].port_hi, 22);
    char *text = policy_format(&p);
    assert_string_equal(text, "deny 10.20.2.0/24->10.20.1.100, allow "
                              "any->10.20.1.0/24:80-90, deny any->any:22, "
                              "default allow");
    free(text);

    p = parse_ok("  ", true);
    assert_int_equal(p.n_rules, 0);
    text = policy_format(&p);
    assert_string_equal(text, "default deny");
    free(text);
}

static void assert_ip6(const struct in6_addr *a, const char *want)
{
    char buf[IP6_STRLEN];
    assert_string_equal(addr_ip6_format(a, buf), want);
}

/* Formatting and parsing again gives the same rules and the same text. */
static void check_round_trip(const struct policy *p, const char *want)
{
    char *text = policy_format(p);
    assert_string_equal(text, want);
    /* policy_format() ends with the default, which is not a rule. */
    char *rules = strstr(text, "default ");
    assert_non_null(rules);
    rules[rules == text ? 0 : -2] = '\0';
    struct policy q = parse_ok(text, p->default_deny);
    assert_int_equal(q.n_rules, p->n_rules);
    for (size_t i = 0; i < p->n_rules; i++) {
        const struct policy_rule *a = &q.rules[i], *b = &p->rules[i];
        assert_int_equal(a->allow, b->allow);
        assert_int_equal(a->family, b->family);
        assert_int_equal(a->src, b->src);
        assert_int_equal(a->dst, b->dst);
        assert_memory_equal(&a->src6, &b->src6, sizeof a->src6);
        assert_memory_equal(&a->dst6, &b->dst6, sizeof a->dst6);
        assert_int_equal(a->src_plen, b->src_plen);
        assert_int_equal(a->dst_plen, b->dst_plen);
        assert_int_equal(a->port_lo, b->port_lo);
        assert_int_equal(a->port_hi, b->port_hi);
    }
    free(text);
}

static void test_good_rules6(void **state)
{
    (void) state;
    struct policy p = parse_ok("allow any->[fd00:20:1::10]:80,"
                               "deny fd00:20:2::/64->[fd00:20:1::/64]:80-90,"
                               "allow any->FD00:20:1:0::10, "
                               "deny fd00:20:2::7 -> [ fd00:20:1::/64 ] : 443,"
                               "deny any->any, allow any->any:22,"
                               "allow any->[fd00::1],"
                               "deny 10.20.2.0/24->10.20.1.100", false);
    assert_int_equal(p.n_rules, 8);
    assert_true(p.rules[0].allow);
    assert_int_equal(p.rules[0].family, POLICY_IPV6);
    assert_int_equal(p.rules[0].src_plen, 0);
    assert_ip6(&p.rules[0].dst6, "fd00:20:1::10");
    assert_int_equal(p.rules[0].dst_plen, 128);
    assert_int_equal(p.rules[0].port_lo, 80);
    assert_int_equal(p.rules[0].port_hi, 80);
    assert_int_equal(p.rules[1].family, POLICY_IPV6);
    assert_ip6(&p.rules[1].src6, "fd00:20:2::");
    assert_int_equal(p.rules[1].src_plen, 64);
    assert_ip6(&p.rules[1].dst6, "fd00:20:1::");
    assert_int_equal(p.rules[1].dst_plen, 64);
    assert_int_equal(p.rules[1].port_lo, 80);
    assert_int_equal(p.rules[1].port_hi, 90);
    assert_int_equal(p.rules[2].family, POLICY_IPV6);
    assert_int_equal(p.rules[2].port_lo, 0);
    assert_int_equal(p.rules[3].port_lo, 443);
    assert_int_equal(p.rules[4].family, POLICY_BOTH);
    assert_int_equal(p.rules[5].family, POLICY_BOTH);
    assert_int_equal(p.rules[5].port_lo, 22);
    assert_int_equal(p.rules[6].family, POLICY_IPV6);
    assert_int_equal(p.rules[6].port_lo, 0);
    assert_int_equal(p.rules[7].family, POLICY_IPV4);
    check_round_trip(&p, "allow any->[fd00:20:1::10]:80, "
                         "deny fd00:20:2::/64->[fd00:20:1::/64]:80-90, "
                         "allow any->fd00:20:1::10, "
                         "deny fd00:20:2::7->[fd00:20:1::/64]:443, "
                         "deny any->any, allow any->any:22, "
                         "allow any->fd00::1, "
                         "deny 10.20.2.0/24->10.20.1.100, default allow");

    /* A /0 keeps its family, also when both sides say "any". */
    p = parse_ok("deny ::/0->any, deny any->0.0.0.0/0:80, "
                 "allow 0.0.0.0/0->10.20.1.0/24", true);
    assert_int_equal(p.rules[0].family, POLICY_IPV6);
    assert_int_equal(p.rules[1].family, POLICY_IPV4);
    check_round_trip(&p, "deny ::/0->any, deny 0.0.0.0/0->any:80, "
                         "allow any->10.20.1.0/24, default deny");
}

/* Every port of lo..hi is covered exactly once, nothing outside. */
static void check_cover(uint16_t lo, uint16_t hi, size_t want_n)
{
    struct policy_port_mask pm[32];
    size_t n = policy_port_masks(lo, hi, pm);
    assert_int_equal(n, want_n);
    for (uint32_t port = 1; port <= 65535; port++) {
        int hits = 0;
        for (size_t i = 0; i < n; i++) {
            hits += (port & pm[i].mask) == pm[i].value;
        }
        assert_int_equal(hits, port >= lo && port <= hi ? 1 : 0);
    }
}

static void test_port_masks(void **state)
{
    struct policy_port_mask pm[32];
    (void) state;

    assert_int_equal(policy_port_masks(80, 90, pm), 3);
    assert_int_equal(pm[0].value, 80);
    assert_int_equal(pm[0].mask, 0xfff8);
    assert_int_equal(pm[1].value, 88);
    assert_int_equal(pm[1].mask, 0xfffe);
    assert_int_equal(pm[2].value, 90);
    assert_int_equal(pm[2].mask, 0xffff);
    check_cover(80, 90, 3);
    check_cover(22, 22, 1);
    check_cover(1024, 2047, 1);
    check_cover(1, 65535, 16);
    check_cover(1000, 1999, 7);
    check_cover(65535, 65535, 1);
    check_cover(32768, 65535, 1);
}

static const struct flows_subnet subnets[] = {
    { .net = 0x0a140100, .plen = 24, .gateway = 0x0a140101 },
    { .net = 0x0a140200, .plen = 24, .gateway = 0x0a140201 },
};

static void golden_policy(const char *name, const char *rules,
                          bool default_deny)
{
    struct policy p = parse_ok(rules, default_deny);
    struct flows_network net = {
        .tag = 0xaa55f0ee,
        .gateway_mac = { 0x06, 0xaa, 0x55, 0xf0, 0xee, 0xad },
        .n_subnets = 2, .subnets = subnets, .policy = &p,
    };
    char *flows = flows_network(&net);
    golden_check(name, flows);
    free(flows);
}

static const struct flows_subnet6 subnets6[] = {
    { .net = { .s6_addr = { 0xfd, 0, 0, 0x20, 0, 1 } }, .plen = 64,
      .gateway = { .s6_addr = { 0xfd, 0, 0, 0x20, 0, 1, [15] = 1 } } },
    { .net = { .s6_addr = { 0xfd, 0, 0, 0x20, 0, 2 } }, .plen = 64,
      .gateway = { .s6_addr = { 0xfd, 0, 0, 0x20, 0, 2, [15] = 1 } } },
};

/* The policy's flows alone, with or without IPv6 on the network. */
static char *policy_only(const char *rules, bool default_deny, bool ipv6)
{
    struct policy p = parse_ok(rules, default_deny);
    return policy_flows(&p, ipv6, 0xaa55f0ee, UINT64_C(0xaa55f0ee00000000),
                        30, 40);
}

static void test_families(void **state)
{
    (void) state;
    /* A network without IPv6 gets no IPv6 flow, not even from "any". */
    char *f = policy_only("allow any->fd00::1, deny any->any", true, false);
    assert_string_equal(f,
        "cookie=0xaa55f0ee00000000,table=30,priority=29999,reg0=0xaa55f0ee,"
        "tcp,tcp_flags=+syn-ack actions=drop\n"
        "cookie=0xaa55f0ee00000000,table=30,priority=1,reg0=0xaa55f0ee,"
        "tcp,tcp_flags=+syn-ack actions=drop\n");
    free(f);
    /* With IPv6: "any" and the default give one flow per family. */
    f = policy_only("allow any->fd00::1, deny any->any", true, true);
    assert_string_equal(f,
        "cookie=0xaa55f0ee00000000,table=30,priority=30000,reg0=0xaa55f0ee,"
        "tcp6,ipv6_dst=fd00::1/128,tcp_flags=+syn-ack "
        "actions=goto_table:40\n"
        "cookie=0xaa55f0ee00000000,table=30,priority=29999,reg0=0xaa55f0ee,"
        "tcp,tcp_flags=+syn-ack actions=drop\n"
        "cookie=0xaa55f0ee00000000,table=30,priority=29999,reg0=0xaa55f0ee,"
        "tcp6,tcp_flags=+syn-ack actions=drop\n"
        "cookie=0xaa55f0ee00000000,table=30,priority=1,reg0=0xaa55f0ee,"
        "tcp,tcp_flags=+syn-ack actions=drop\n"
        "cookie=0xaa55f0ee00000000,table=30,priority=1,reg0=0xaa55f0ee,"
        "tcp6,tcp_flags=+syn-ack actions=drop\n");
    free(f);
    /* An IPv4 rule stays IPv4 on a dual-stack network. */
    f = policy_only("deny 10.20.2.0/24->any", false, true);
    assert_string_equal(f,
        "cookie=0xaa55f0ee00000000,table=30,priority=30000,reg0=0xaa55f0ee,"
        "tcp,nw_src=10.20.2.0/24,tcp_flags=+syn-ack actions=drop\n");
    free(f);
}

static void test_golden(void **state)
{
    (void) state;
    /* The seed's one-way rule. */
    golden_policy("policy-seed", "deny 10.20.2.0/24->10.20.1.0/24", false);
    /* The example: a host rule and a port range. */
    golden_policy("policy-ports", "deny 10.20.2.0/24->10.20.1.100, "
                  "allow any->10.20.1.0/24:80-90", false);
    /* Default deny with one allowed flow of connections. */
    golden_policy("policy-default-deny", "allow 10.20.1.100->10.20.2.100:8080",
                  true);

    /* IPv6 rules on a dual-stack network: a one-way rule with a port
     * range, a host and port, IPv4 beside them, "any" for both families,
     * and the default deny for both. */
    struct policy p = parse_ok("deny fd00:20:2::/64->[fd00:20:1::/64]:80-90, "
                               "allow any->[fd00:20:1::10]:80, "
                               "deny 10.20.2.0/24->10.20.1.0/24, "
                               "allow any->any:22", true);
    struct flows_network net = {
        .tag = 0xaa55f0ee,
        .gateway_mac = { 0x06, 0xaa, 0x55, 0xf0, 0xee, 0xad },
        .n_subnets = 2, .subnets = subnets, .n_subnets6 = 2,
        .subnets6 = subnets6, .policy = &p,
    };
    char *flows = flows_network(&net);
    golden_check("policy-v6", flows);
    free(flows);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_rules),
        cmocka_unit_test(test_bad_rules6),
        cmocka_unit_test(test_good_rules),
        cmocka_unit_test(test_good_rules6),
        cmocka_unit_test(test_families),
        cmocka_unit_test(test_port_masks),
        cmocka_unit_test(test_golden),
    };
    return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
