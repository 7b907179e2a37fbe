/* Flow generation against golden files (also checked by 'ovs-ofctl
 * parse-flows' in check-golden.sh).  OVSGW_UPDATE_GOLDEN=1 rewrites them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "flows.h"
#include "golden.h"

/* The seed: 10.20.1.0/24 and 10.20.2.0/24, vm1 and vm2 on ports 1, 2. */
static const struct flows_subnet seed_subnets[] = {
    { .net = 0x0a140100, .plen = 24, .gateway = 0x0a140101 },
    { .net = 0x0a140200, .plen = 24, .gateway = 0x0a140201 },
};

static struct flows_network seed_net(void)
{
    return (struct flows_network) {
        .tag = 0xaa55f0ee,
        .gateway_mac = { 0x06, 0xaa, 0x55, 0xf0, 0xee, 0xad },
        .n_subnets = 2,
        .subnets = seed_subnets,
    };
}

static const struct flows_endpoint vm1 = {
    .id = 0x0a703a01, .ip = 0x0a140164,
    .mac = { 0x02, 0x0a, 0x70, 0x3a, 0x01, 0x9c }, .ofport = 1,
};
static const struct flows_endpoint vm2 = {
    .id = 0x371c27ab, .ip = 0x0a140264,
    .mac = { 0x02, 0x37, 0x1c, 0x27, 0xab, 0x29 }, .ofport = 2,
};

static void test_seed(void **state)
{
    struct flows_network net = seed_net();
    struct strbuf sb = { 0 };
    (void) state;

    char *b = flows_bridge(), *n = flows_network(&net);
    char *e1 = flows_endpoint(&net, &vm1), *e2 = flows_endpoint(&net, &vm2);
    strbuf_addf(&sb, "%s%s%s%s", b, n, e1, e2);
    char *all = strbuf_take(&sb);
    golden_check("seed", all);
    free(all);
    free(b);
    free(n);
    free(e1);
    free(e2);
}

/* The seed with its way out: the bridge's uplink on port 65279. */
static const struct flows_uplink seed_uplink = {
    .ofport = 65279, .mac = { 0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f },
};

static void test_uplink(void **state)
{
    struct flows_network net = seed_net();
    (void) state;

    net.uplink = &seed_uplink;
    char *n = flows_network(&net);
    golden_check("uplink", n);
    free(n);
}

/* Dual stack: the seed's subnets and fd00:20:1::/64, fd00:20:2::/64 with
 * gateways ::1; vm1 and vm2 get ::100 of their subnets. */
static const struct flows_subnet6 seed_subnets6[] = {
    { .net = { .s6_addr = { 0xfd, 0, 0, 0x20, 0, 1 } }, .plen = 64,
      .gateway = { .s6_addr = { 0xfd, 0, 0, 0x20, 0, 1, [15] = 1 } } },
    { .net = { .s6_addr = { 0xfd, 0, 0, 0x20, 0, 2 } }, .plen = 64,
      .gateway = { .s6_addr = { 0xfd, 0, 0, 0x20, 0, 2, [15] = 1 } } },
};

static struct flows_network dual_net(void)
{
    struct flows_network net = seed_net();

    net.n_subnets6 = 2;
    net.subnets6 = seed_subnets6;
    return net;
}

static struct flows_endpoint dual_ep(const struct flows_endpoint *ep,
                                     uint8_t subnet)
{
    struct flows_endpoint e = *ep;

    e.has_ip6 = true;
    e.ip6 = (struct in6_addr) { .s6_addr = { 0xfd, 0, 0, 0x20, 0, subnet,
                                             [14] = 1, [15] = 0 } };
    return e;
}

static char *all_flows(const struct flows_network *net,
                       const struct flows_endpoint *e1,
                       const struct flows_endpoint *e2)
{
    struct strbuf sb = { 0 };
    char *b = flows_bridge(), *n = flows_network(net);
    char *f1 = flows_endpoint(net, e1), *f2 = flows_endpoint(net, e2);

    strbuf_addf(&sb, "%s%s%s%s", b, n, f1, f2);
    free(b);
    free(n);
    free(f1);
    free(f2);
    return strbuf_take(&sb);
}

static void test_dual_stack(void **state)
{
    struct flows_network net = dual_net();
    struct flows_endpoint e1 = dual_ep(&vm1, 1), e2 = dual_ep(&vm2, 2);
    (void) state;

    char *all = all_flows(&net, &e1, &e2);
    golden_check("dual-stack", all);
    free(all);
}

static void test_dual_stack_uplink(void **state)
{
    struct flows_network net = dual_net();
    (void) state;

    net.uplink = &seed_uplink;
    char *n = flows_network(&net);
    golden_check("dual-stack-uplink", n);
    free(n);
}

/* The kernel datapath: NSs go to the controller; no stage 2. */
static void test_dual_stack_kernel(void **state)
{
    struct flows_network net = dual_net();
    struct flows_endpoint e1 = dual_ep(&vm1, 1), e2 = dual_ep(&vm2, 2);
    (void) state;

    net.uplink = &seed_uplink;
    net.nd_controller = true;
    char *all = all_flows(&net, &e1, &e2);
    golden_check("dual-stack-kernel", all);
    assert_null(strstr(all, "table=11"));
    assert_null(strstr(all, "nd_reserved"));
    assert_non_null(strstr(all, "icmpv6_type=135 actions=controller\n"));
    free(all);
}

/* What has no IPv6 on one side gets exactly its IPv4 flows. */
static void test_ipv4_only_unchanged(void **state)
{
    struct flows_network v4 = seed_net(), dual = dual_net();
    struct flows_endpoint e1 = dual_ep(&vm1, 1);
    (void) state;

    /* An endpoint with IPv6 on a network without. */
    char *a = flows_endpoint(&v4, &vm1), *b = flows_endpoint(&v4, &e1);
    assert_string_equal(a, b);
    free(b);
    /* An endpoint without IPv6 on a dual-stack network. */
    b = flows_endpoint(&dual, &vm1);
    assert_string_equal(a, b);
    free(a);
    free(b);
    /* The IPv4 part of a dual-stack network comes first, unchanged. */
    v4.uplink = dual.uplink = &seed_uplink;
    a = flows_network(&v4);
    b = flows_network(&dual);
    char *sep = a;
    for (int i = 0; i < 6; i++) {
        sep = strchr(sep, '\n') + 1; /* the per-subnet IPv4 flows */
    }
    assert_memory_equal(a, b, (size_t) (sep - a));
    assert_non_null(strstr(b, strstr(a, "cookie=0xaa55f0ee00000000,table=0,"
                                        "priority=100,in_port=65279")));
    free(a);
    free(b);
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++) {
        n += *s == '\n';
    }
    return n;
}

static void test_linear_counts(void **state)
{
    struct flows_network net = seed_net();
    (void) state;

    /* 5 table-miss flows per bridge, 3 per subnet, 5 per endpoint. */
    char *b = flows_bridge(), *n = flows_network(&net);
    char *e = flows_endpoint(&net, &vm1);
    assert_int_equal(count_lines(b), 5);
    assert_int_equal(count_lines(n), 3 * 2);
    assert_int_equal(count_lines(e), 5);
    free(b);
    free(n);
    free(e);
    /* With an uplink: 3 more per subnet, and 2 (loopback, way out). */
    net.uplink = &seed_uplink;
    n = flows_network(&net);
    assert_int_equal(count_lines(n), 6 * 2 + 2);
    free(n);

    /* Dual stack, per network: NS without option, ND stage 1, and 9
     * ICMPv6 types dropped; per IPv6 subnet: ND stage 2, echo, drop. */
    struct flows_network dual = dual_net();
    struct flows_endpoint e1 = dual_ep(&vm1, 1);
    n = flows_network(&dual);
    assert_int_equal(count_lines(n), 3 * 2 + 11 + 3 * 2);
    free(n);
    /* Per endpoint, 9 more: in table 0 both addresses and their NS, ND
     * stage 2 for both, forwarding routed, same subnet and link-local. */
    e = flows_endpoint(&dual, &e1);
    assert_int_equal(count_lines(e), 5 + 9);
    free(e);
    /* The way out: per IPv6 subnet the host's NS and traffic in, unused
     * addresses dropped; ::1, fe80::/10, ff00::/8 and the way out. */
    dual.uplink = &seed_uplink;
    n = flows_network(&dual);
    assert_int_equal(count_lines(n), 6 * 2 + 2 + 3 * 2 + 11 + 3 * 2 + 4);
    free(n);
}

static void test_cookies(void **state)
{
    struct flows_network net = seed_net();
    (void) state;

    assert_true(flows_cookie(0xaa55f0ee, 0x0a703a01)
                == UINT64_C(0xaa55f0ee0a703a01));
    char *e = flows_endpoint(&net, &vm2);
    for (char *line = e; *line; line = strchr(line, '\n') + 1) {
        assert_memory_equal(line, "cookie=0xaa55f0ee371c27ab,", 26);
    }
    free(e);
    struct flows_network dual = dual_net();
    struct flows_endpoint e2 = dual_ep(&vm2, 2);
    e = flows_endpoint(&dual, &e2);
    for (char *line = e; *line; line = strchr(line, '\n') + 1) {
        assert_memory_equal(line, "cookie=0xaa55f0ee371c27ab,", 26);
    }
    free(e);
    e = flows_network(&dual);
    for (char *line = e; *line; line = strchr(line, '\n') + 1) {
        assert_memory_equal(line, "cookie=0xaa55f0ee00000000,", 26);
    }
    free(e);
    char *d1 = flows_delete(0xaa55f0ee, 0);
    assert_string_equal(d1, "delete cookie=0xaa55f0ee00000000/"
                            "0xffffffff00000000\n");
    char *d2 = flows_delete(0xaa55f0ee, 0x371c27ab);
    assert_string_equal(d2, "delete cookie=0xaa55f0ee371c27ab/-1\n");
    free(d1);
    free(d2);
}

static void test_isolation(void **state)
{
    struct flows_network net = dual_net();
    struct flows_endpoint e1 = dual_ep(&vm1, 1);
    (void) state;

    /* Every flow after ingress matches the network's tag. */
    net.uplink = &seed_uplink;
    char *n = flows_network(&net), *e = flows_endpoint(&net, &e1);
    struct strbuf sb = { 0 };
    strbuf_addf(&sb, "%s%s", n, e);
    char *all = strbuf_take(&sb);
    for (char *line = all; *line; line = strchr(line, '\n') + 1) {
        if (strstr(line, "table=0,")) {
            assert_non_null(strstr(line, "set_field:0xaa55f0ee->reg0"));
        } else {
            assert_non_null(strstr(line, "reg0=0xaa55f0ee,"));
        }
    }
    free(all);
    free(n);
    free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed),
        cmocka_unit_test(test_uplink),
        cmocka_unit_test(test_dual_stack),
        cmocka_unit_test(test_dual_stack_uplink),
        cmocka_unit_test(test_dual_stack_kernel),
        cmocka_unit_test(test_ipv4_only_unchanged),
        cmocka_unit_test(test_linear_counts),
        cmocka_unit_test(test_cookies),
        cmocka_unit_test(test_isolation),
    };
    return cmocka_run_group_tests_name("flows", tests, NULL, NULL);
}
