/* Driver options: defaults, each key, and the exact messages for bad
 * input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "options.h"

static char *parse(const char *json, struct options *o)
{
    json_t *j = json ? json_loads(json, 0, NULL) : NULL;
    char *err = options_parse(j, o);
    json_decref(j);
    return err;
}

static void expect_err(const char *json, const char *msg)
{
    struct options o;
    memset(&o, 0x5a, sizeof o);
    char *err = parse(json, &o);
    assert_non_null(err);
    assert_string_equal(err, msg);
    free(err);
    /* Outputs are untouched on failure. */
    assert_int_equal(o.mtu, 0x5a5a5a5a);
}

static void test_defaults(void **state)
{
    struct options o;
    (void) state;
    assert_null(parse(NULL, &o));
    assert_string_equal(o.bridge, "");
    assert_int_equal(o.datapath, OPTIONS_DP_AUTO);
    assert_false(o.gateway_mac_set);
    assert_int_equal(o.mtu, 1500);
    assert_null(parse("{}", &o));
    assert_int_equal(o.mtu, 1500);
}

static void test_all_keys(void **state)
{
    struct options o;
    (void) state;
    assert_null(parse("{\"ovsgw.bridge\": \"br-x\", \"ovsgw.datapath\": "
                      "\"netdev\", \"ovsgw.gateway_mac\": "
                      "\"0A:00:00:00:00:01\", "
                      "\"com.docker.network.driver.mtu\": \"1400\", "
                      "\"other.key\": \"ignored\"}", &o));
    assert_string_equal(o.bridge, "br-x");
    assert_int_equal(o.datapath, OPTIONS_DP_NETDEV);
    assert_true(o.gateway_mac_set);
    assert_int_equal(o.gateway_mac[0], 0x0a);
    assert_int_equal(o.gateway_mac[5], 0x01);
    assert_int_equal(o.mtu, 1400);
    assert_null(parse("{\"ovsgw.datapath\": \"system\"}", &o));
    assert_int_equal(o.datapath, OPTIONS_DP_SYSTEM);
    assert_true(o.nat);
    assert_null(parse("{\"ovsgw.nat\": \"false\"}", &o));
    assert_false(o.nat);
}

static void test_errors(void **state)
{
    (void) state;
    expect_err("{\"ovsgw.bogus\": \"1\"}",
               "unknown option \"ovsgw.bogus\" (known: ovsgw.mode, "
               "ovsgw.ovn.name, ovsgw.bridge, ovsgw.datapath, "
               "ovsgw.gateway_mac, ovsgw.nat, ovsgw.tcp.default, "
               "ovsgw.tcp.rules, com.docker.network.driver.mtu)");
    expect_err("{\"ovsgw.nat\": \"yes\"}",
               "ovsgw.nat: bad value \"yes\": want true or false");
    expect_err("{\"ovsgw.gateway_mac\": \"zz\"}",
               "ovsgw.gateway_mac: bad MAC \"zz\": want a unicast "
               "xx:xx:xx:xx:xx:xx");
    expect_err("{\"ovsgw.gateway_mac\": \"01:00:00:00:00:01\"}",
               "ovsgw.gateway_mac: bad MAC \"01:00:00:00:00:01\": want a "
               "unicast xx:xx:xx:xx:xx:xx");
    expect_err("{\"ovsgw.gateway_mac\": \"00:00:00:00:00:00\"}",
               "ovsgw.gateway_mac: bad MAC \"00:00:00:00:00:00\": want a "
               "unicast xx:xx:xx:xx:xx:xx");
    expect_err("{\"ovsgw.gateway_mac\": \"0a:00:00:00:00:01:\"}",
               "ovsgw.gateway_mac: bad MAC \"0a:00:00:00:00:01:\": want a "
               "unicast xx:xx:xx:xx:xx:xx");
    expect_err("{\"ovsgw.bridge\": \"a-very-long-bridge-name\"}",
               "ovsgw.bridge: bad bridge name \"a-very-long-bridge-name\": "
               "want 1 to 15 characters of A-Z a-z 0-9 _ . -");
    expect_err("{\"ovsgw.bridge\": \"br;rm -rf\"}",
               "ovsgw.bridge: bad bridge name \"br;rm -rf\": want 1 to 15 "
               "characters of A-Z a-z 0-9 _ . -");
    expect_err("{\"ovsgw.bridge\": \"\"}",
               "ovsgw.bridge: bad bridge name \"\": want 1 to 15 "
               "characters of A-Z a-z 0-9 _ . -");
    expect_err("{\"ovsgw.datapath\": \"dpdk\"}",
               "ovsgw.datapath: bad datapath \"dpdk\": want system or "
               "netdev");
    expect_err("{\"com.docker.network.driver.mtu\": \"67\"}",
               "com.docker.network.driver.mtu: bad MTU \"67\": want 68 to "
               "65535");
    expect_err("{\"com.docker.network.driver.mtu\": \"1500x\"}",
               "com.docker.network.driver.mtu: bad MTU \"1500x\": want 68 "
               "to 65535");
    expect_err("{\"ovsgw.bridge\": 5}", "ovsgw.bridge: want a string value");
    expect_err("[1]", "driver options: want an object of strings");
}

/* OVN mode: its name, its MTU default, and no key of the local mode. */
static void test_ovn_mode(void **state)
{
    struct options o;
    (void) state;
    assert_null(parse("{\"ovsgw.mode\": \"ovn\", \"ovsgw.ovn.name\": "
                      "\"net-A_1.x\"}", &o));
    assert_int_equal(o.mode, OPTIONS_MODE_OVN);
    assert_string_equal(o.ovn_name, "net-A_1.x");
    assert_int_equal(o.mtu, OPTIONS_MTU_OVN_DEFAULT);
    assert_false(o.mtu_set);
    assert_null(parse("{\"ovsgw.mode\": \"ovn\", \"ovsgw.ovn.name\": "
                      "\"n\", \"com.docker.network.driver.mtu\": \"1300\","
                      " \"ovsgw.tcp.default\": \"deny\"}", &o));
    assert_int_equal(o.mtu, 1300);
    assert_true(o.policy.default_deny);
    /* The control: local is the default, with the local MTU. */
    assert_null(parse("{\"ovsgw.mode\": \"local\"}", &o));
    assert_int_equal(o.mode, OPTIONS_MODE_LOCAL);
    assert_int_equal(o.mtu, 1500);

    expect_err("{\"ovsgw.mode\": \"ovn\"}",
               "ovsgw.mode=ovn needs ovsgw.ovn.name, the logical network's "
               "name: the same on every host that joins it (Docker does "
               "not tell drivers the network's name)");
    expect_err("{\"ovsgw.ovn.name\": \"n\"}",
               "ovsgw.ovn.name: only with ovsgw.mode=ovn");
    expect_err("{\"ovsgw.mode\": \"vxlan\"}",
               "ovsgw.mode: bad mode \"vxlan\": want local or ovn");
    expect_err("{\"ovsgw.mode\": \"ovn\", \"ovsgw.ovn.name\": \"a b\"}",
               "ovsgw.ovn.name: bad name \"a b\": want 1 to 64 characters "
               "of A-Z a-z 0-9 _ . -");
    expect_err("{\"ovsgw.mode\": \"ovn\", \"ovsgw.ovn.name\": \"\"}",
               "ovsgw.ovn.name: bad name \"\": want 1 to 64 characters "
               "of A-Z a-z 0-9 _ . -");
    static const char *const local_only[] = { "ovsgw.bridge",
                                              "ovsgw.datapath" };
    static const char *const values[] = { "br-x", "netdev" };
    for (size_t i = 0; i < 2; i++) {
        char json[200], msg[200];
        snprintf(json, sizeof json, "{\"ovsgw.mode\": \"ovn\", "
                 "\"ovsgw.ovn.name\": \"n\", \"%s\": \"%s\"}",
                 local_only[i], values[i]);
        snprintf(msg, sizeof msg, "%s: not in OVN mode (the network lives "
                 "on OVN's integration bridge, and leaves the host through "
                 "OVN)", local_only[i]);
        expect_err(json, msg);
    }
}

static void test_ifname(void **state)
{
    (void) state;
    assert_true(options_valid_ifname("ovsgw-0123abcd"));
    assert_true(options_valid_ifname("a.b_c-d"));
    assert_false(options_valid_ifname("-x"));
    assert_false(options_valid_ifname(".."));
    assert_false(options_valid_ifname("a/b"));
    assert_false(options_valid_ifname("1234567890123456"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_all_keys),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_ovn_mode),
        cmocka_unit_test(test_ifname),
    };
    return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
