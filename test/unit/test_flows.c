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
    struct flows_network net = seed_net();
    (void) state;

    /* Every flow after ingress matches the network's tag. */
    char *n = flows_network(&net), *e = flows_endpoint(&net, &vm1);
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
        cmocka_unit_test(test_linear_counts),
        cmocka_unit_test(test_cookies),
        cmocka_unit_test(test_isolation),
    };
    return cmocka_run_group_tests_name("flows", tests, NULL, NULL);
}
