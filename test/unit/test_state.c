/* The external_ids state codec: what is written is read back the same,
 * versions are honoured, and broken states are refused with a reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "state.h"
#include "util.h"

static const char ID[] = "0123456789abcdef0123456789abcdef";

static struct network *sample_network(void)
{
    struct network *n = xzalloc(sizeof *n);
    const char *opts = "{\"ovsgw.tcp.rules\": \"deny 10.20.2.0/24->"
                       "10.20.1.0/24\", \"com.docker.network.driver.mtu\": "
                       "\"1400\"}";

    strcpy(n->id, ID);
    strcpy(n->bridge, "ovsgw-012345678");
    n->tag = 0x01234567;
    n->internal = true;
    n->generic = json_loads(opts, 0, NULL);
    assert_null(options_parse(n->generic, &n->opts));
    model_gateway_mac(ID, n->gateway_mac);
    n->n_subnets = 2;
    n->subnets[0] = (struct flows_subnet) { 0x0a140100, 24, 0x0a140101 };
    n->subnets[1] = (struct flows_subnet) { 0x0a140200, 24, 0x0a1402fe };
    return n;
}

static void test_network_round_trip(void **state)
{
    struct network *n = sample_network(), *back = NULL;
    (void) state;

    _cleanup_free_ char *text = state_network_encode(n, "ovsgw");
    assert_non_null(strstr(text, "\"version\":5"));
    assert_non_null(strstr(text, "\"compat\":1"));
    assert_null(strstr(text, "subnets6"));
    assert_null(state_network_decode(ID, "ovsgw-012345678", text, "ovsgw",
                                     &back));
    assert_non_null(back);
    assert_string_equal(back->id, n->id);
    assert_string_equal(back->bridge, n->bridge);
    assert_int_equal(back->tag, n->tag);
    assert_memory_equal(back->gateway_mac, n->gateway_mac, MAC_LEN);
    assert_int_equal(back->n_subnets, 2);
    assert_memory_equal(back->subnets, n->subnets, 2 * sizeof n->subnets[0]);
    assert_int_equal(back->opts.mtu, 1400);
    assert_int_equal(back->opts.policy.n_rules, 1);
    assert_true(json_equal(back->generic, n->generic));
    assert_true(back->internal);
    /* Encoding what was decoded gives the same text. */
    _cleanup_free_ char *again = state_network_encode(back, "ovsgw");
    assert_string_equal(again, text);

    uint32_t tag;
    assert_true(state_network_tag(text, &tag));
    assert_int_equal(tag, n->tag);
    network_free(back);
    network_free(n);
}

/* A dual-stack network: its IPv6 subnets come back, and only a reader
 * that knows them may read it (compat 3). */
static void test_network_ipv6(void **state)
{
    struct network *n = sample_network(), *back = NULL;
    (void) state;

    n->n_subnets6 = 2;
    assert_true(addr_cidr6_parse("fd00:20:1::/64", true, &n->subnets6[0].net,
                                 &n->subnets6[0].plen));
    assert_true(addr_ip6_parse("fd00:20:1::1", &n->subnets6[0].gateway));
    assert_true(addr_cidr6_parse("fd00:20:2::/64", true, &n->subnets6[1].net,
                                 &n->subnets6[1].plen));
    assert_true(addr_ip6_parse("fd00:20:2::fe", &n->subnets6[1].gateway));
    /* On the kernel datapath it needs a reader that answers the
     * solicitations itself (version 5); on the userspace one, version 3. */
    _cleanup_free_ char *kernel = state_network_encode(n, "ovsgw");
    assert_non_null(strstr(kernel, "\"compat\":5"));
    n->netdev = true;
    _cleanup_free_ char *text = state_network_encode(n, "ovsgw");
    assert_non_null(strstr(text, "\"compat\":3"));
    assert_non_null(strstr(text, "\"subnets6\":[{\"gateway\":\"fd00:20:1::1\","
                                 "\"pool\":\"fd00:20:1::/64\"}"));
    assert_null(state_network_decode(ID, "br", text, "ovsgw", &back));
    assert_int_equal(back->n_subnets6, 2);
    assert_memory_equal(back->subnets6, n->subnets6,
                        2 * sizeof n->subnets6[0]);
    back->netdev = true; /* restore reads it from the bridge */
    _cleanup_free_ char *again = state_network_encode(back, "ovsgw");
    assert_string_equal(again, text);
    network_free(back);
    network_free(n);
}

/* An OVN network: mode and name come back through its options, and only
 * a reader that knows OVN mode may read it (compat 4): an older one would
 * put flows on OVN's integration bridge. */
static void test_network_ovn(void **state)
{
    struct network *n = sample_network(), *back = NULL;
    (void) state;

    json_decref(n->generic);
    n->generic = json_pack("{s:s,s:s}", "ovsgw.mode", "ovn",
                           "ovsgw.ovn.name", "blue");
    assert_null(options_parse(n->generic, &n->opts));
    _cleanup_free_ char *text = state_network_encode(n, "ovsgw");
    assert_non_null(strstr(text, "\"compat\":4"));
    assert_null(state_network_decode(ID, "br-int", text, "ovsgw", &back));
    assert_true(network_is_ovn(back));
    assert_string_equal(back->opts.ovn_name, "blue");
    assert_int_equal(back->opts.mtu, OPTIONS_MTU_OVN_DEFAULT);
    network_free(back);
    network_free(n);
}

static void test_network_versions(void **state)
{
    struct network *n = NULL;
    (void) state;

    /* Version 1 (no "version", no "compat") is read. */
    const char *v1 = "{\"driver\":\"ovsgw\",\"tag\":7,\"gateway_mac\":"
                     "\"06:01:02:03:04:05\",\"subnets\":[{\"pool\":"
                     "\"10.1.0.0/16\",\"gateway\":\"10.1.0.1\"}],"
                     "\"options\":null,\"tcp_policy\":\"default allow\"}";
    assert_null(state_network_decode(ID, "br", v1, "ovsgw", &n));
    assert_non_null(n);
    assert_int_equal(n->tag, 7);
    network_free(n);

    /* A newer writer's state that older readers may read: keys this
     * reader does not know are ignored. */
    const char *newer = "{\"version\":9,\"compat\":2,\"driver\":\"ovsgw\","
                        "\"tag\":7,\"gateway_mac\":\"06:01:02:03:04:05\","
                        "\"subnets\":[{\"pool\":\"10.1.0.0/16\",\"gateway\":"
                        "\"10.1.0.1\"}],\"future\":[1,2,3]}";
    n = NULL;
    assert_null(state_network_decode(ID, "br", newer, "ovsgw", &n));
    assert_non_null(n);
    network_free(n);

    /* One it must not read: left alone, with the reason. */
    const char *too_new = "{\"version\":9,\"compat\":9,\"driver\":\"ovsgw\","
                          "\"tag\":7,\"gateway_mac\":\"06:01:02:03:04:05\","
                          "\"subnets\":[{\"pool\":\"10.1.0.0/16\","
                          "\"gateway\":\"10.1.0.1\"}]}";
    n = NULL;
    _cleanup_free_ char *why = state_network_decode(ID, "br", too_new,
                                                    "ovsgw", &n);
    assert_null(n);
    assert_string_equal(why, "state version 9 needs a newer ovsgw (this one "
                             "reads up to version 5)");

    /* Another driver's network is not an error, and not ours. */
    n = (struct network *) 1;
    assert_null(state_network_decode(ID, "br", v1, "other", &n));
    assert_null(n);
}

static void test_network_broken(void **state)
{
    static const char *const broken[] = {
        NULL, "", "{", "[]", "{\"tag\":7}",
        "{\"tag\":0,\"subnets\":[{\"pool\":\"10.1.0.0/16\",\"gateway\":"
        "\"10.1.0.1\"}],\"gateway_mac\":\"06:01:02:03:04:05\"}",
        "{\"tag\":7,\"subnets\":[],\"gateway_mac\":\"06:01:02:03:04:05\"}",
        "{\"tag\":7,\"version\":\"2\",\"subnets\":[{\"pool\":\"10.1.0.0/16\","
        "\"gateway\":\"10.1.0.1\"}],\"gateway_mac\":\"06:01:02:03:04:05\"}",
    };
    (void) state;

    for (size_t i = 0; i < ARRAY_SIZE(broken); i++) {
        struct network *n = NULL;
        _cleanup_free_ char *why = state_network_decode(ID, "br", broken[i],
                                                        "ovsgw", &n);
        assert_string_equal(why, "malformed state");
        assert_null(n);
    }
    struct {
        const char *text, *why;
    } bad[] = {
        { "{\"tag\":7,\"subnets\":[{\"pool\":\"10.1.0.1/16\",\"gateway\":"
          "\"10.1.0.1\"}],\"gateway_mac\":\"06:01:02:03:04:05\"}",
          "bad subnet" },
        { "{\"tag\":7,\"subnets\":[{\"pool\":\"10.1.0.0/16\",\"gateway\":"
          "\"10.1.0.1\"}],\"gateway_mac\":\"zz\"}", "bad gateway_mac" },
        { "{\"tag\":7,\"subnets\":[{\"pool\":\"10.1.0.0/16\",\"gateway\":"
          "\"10.1.0.1\"}],\"gateway_mac\":\"06:01:02:03:04:05\","
          "\"options\":{\"ovsgw.x\":\"1\"}}",
          "unknown option \"ovsgw.x\" (known: ovsgw.mode, ovsgw.ovn.name, "
          "ovsgw.bridge, ovsgw.datapath, ovsgw.gateway_mac, ovsgw.nat, "
          "ovsgw.tcp.default, ovsgw.tcp.rules, "
          "com.docker.network.driver.mtu)" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        struct network *n = NULL;
        _cleanup_free_ char *why = state_network_decode(ID, "br",
                                                        bad[i].text,
                                                        "ovsgw", &n);
        assert_non_null(why);
        assert_string_equal(why, bad[i].why);
        assert_null(n);
    }
}

static void test_network_key(void **state)
{
    (void) state;
    _cleanup_free_ char *key = state_network_key(ID);
    assert_string_equal(key, "ovsgw-net-" "0123456789abcdef0123456789abcdef");
    assert_string_equal(state_network_key_id(key), ID);
    assert_null(state_network_key_id("ovsgw-net-"));
    assert_null(state_network_key_id("ovsgw-net-0123456789a"));
    assert_null(state_network_key_id("ovsgw-net-0123456789ag"));
    assert_null(state_network_key_id("ovsgw-owned"));
}

static void test_endpoint_round_trip(void **state)
{
    struct network *n = sample_network();
    struct endpoint e = { .plen = 24, .fe = { .id = 0xfedcba98,
                                              .ip = 0x0a140164,
                                              .ofport = 7 } };
    struct endpoint *back = NULL;
    const char *nid = NULL;
    (void) state;

    strcpy(e.id, "fedcba9876543210");
    strcpy(e.host_if, "ogfedcba987654");
    strcpy(e.peer_if, "ocfedcba987654");
    model_endpoint_mac(e.fe.ip, e.fe.mac);
    json_t *ext = state_endpoint_encode(n, &e);
    assert_string_equal(json_string_value(json_object_get(ext,
                                                          "ovsgw-ipv4")),
                        "10.20.1.100/24");
    assert_string_equal(json_string_value(json_object_get(ext, "ovsgw-mac")),
                        "02:42:0a:14:01:64");
    assert_string_equal(json_string_value(json_object_get(ext,
                                                          "ovsgw-cookie")),
                        "0xfedcba98");
    assert_null(state_endpoint_decode(ext, e.host_if, 7, 7, &back, &nid));
    assert_string_equal(nid, ID);
    assert_string_equal(back->id, e.id);
    assert_string_equal(back->host_if, e.host_if);
    assert_string_equal(back->peer_if, e.peer_if);
    assert_memory_equal(&back->fe, &e.fe, sizeof e.fe);
    assert_int_equal(back->plen, 24);
    assert_true(back->verified);
    free(back);

    /* With an IPv6 address. */
    e.fe.has_ip6 = true;
    assert_true(addr_ip6_parse("fd00:20:1::64", &e.fe.ip6));
    e.plen6 = 64;
    json_t *ext6 = state_endpoint_encode(n, &e);
    assert_string_equal(json_string_value(json_object_get(ext6,
                                                          "ovsgw-ipv6")),
                        "fd00:20:1::64/64");
    assert_null(state_endpoint_decode(ext6, e.host_if, 7, 7, &back, &nid));
    assert_true(back->fe.has_ip6);
    assert_true(addr_ip6_equal(&back->fe.ip6, &e.fe.ip6));
    assert_int_equal(back->plen6, 64);
    endpoint_free(back);
    json_decref(ext6);
    e.fe.has_ip6 = false;
    memset(&e.fe.ip6, 0, sizeof e.fe.ip6);

    /* With published ports. */
    struct published_port pp[2] = {
        { .proto = 6, .port = 8080, .host_port = 18080 },
        { .proto = 17, .port = 53, .host_ip_set = true,
          .host_ip = 0x7f000001, .host_port = 5353 },
    };
    e.ports = pp;
    e.n_ports = 2;
    json_t *with = state_endpoint_encode(n, &e);
    assert_string_equal(json_string_value(json_object_get(with,
                                                          "ovsgw-ports")),
                        "[{\"proto\":\"tcp\",\"port\":8080,"
                        "\"host_ip\":\"\",\"host_port\":18080},"
                        "{\"proto\":\"udp\",\"port\":53,\"host_ip\":"
                        "\"127.0.0.1\",\"host_port\":5353}]");
    assert_null(state_endpoint_decode(with, e.host_if, 7, 7, &back, &nid));
    assert_int_equal(back->n_ports, 2);
    assert_memory_equal(back->ports, pp, sizeof pp);
    endpoint_free(back);
    json_object_set_new(with, "ovsgw-ports",
                        json_string("[{\"proto\": \"sctp\"}]"));
    _cleanup_free_ char *w0 = state_endpoint_decode(with, "x", 1, 1, &back,
                                                    &nid);
    assert_string_equal(w0, "bad ovsgw state");
    json_decref(with);
    e.ports = NULL;
    e.n_ports = 0;

    /* Not numbered yet: the number asked for, to be verified. */
    assert_null(state_endpoint_decode(ext, e.host_if, -1, 9, &back, &nid));
    assert_int_equal(back->fe.ofport, 9);
    assert_false(back->verified);
    free(back);

    /* Broken: a key missing, a bad address, a bad cookie. */
    json_t *bad = json_deep_copy(ext);
    json_object_del(bad, "ovsgw-peer");
    _cleanup_free_ char *w1 = state_endpoint_decode(bad, "x", 1, 1, &back,
                                                    &nid);
    assert_string_equal(w1, "incomplete ovsgw state");
    json_decref(bad);
    bad = json_deep_copy(ext);
    json_object_set_new(bad, "ovsgw-ipv4", json_string("10.20.1.300/24"));
    _cleanup_free_ char *w2 = state_endpoint_decode(bad, "x", 1, 1, &back,
                                                    &nid);
    assert_string_equal(w2, "bad ovsgw state");
    json_decref(bad);
    bad = json_deep_copy(ext);
    json_object_set_new(bad, "ovsgw-cookie", json_string("0x0"));
    _cleanup_free_ char *w3 = state_endpoint_decode(bad, "x", 1, 1, &back,
                                                    &nid);
    assert_string_equal(w3, "bad ovsgw state");
    json_decref(bad);
    json_decref(ext);
    network_free(n);
}

static void test_spare_round_trip(void **state)
{
    struct spare s;
    (void) state;

    json_t *ext = state_spare_encode("ovsgw", "br0", "ocabc");
    assert_string_equal(state_spare_driver(ext), "ovsgw");
    assert_null(state_spare_decode(ext, "ogabc", 5, &s));
    assert_string_equal(s.bridge, "br0");
    assert_string_equal(s.host_if, "ogabc");
    assert_string_equal(s.peer_if, "ocabc");
    assert_int_equal(s.ofport, 5);
    assert_true(s.verified);
    json_object_set_new(ext, "ovsgw-bridge",
                        json_string("a-bridge-name-too-long"));
    _cleanup_free_ char *why = state_spare_decode(ext, "ogabc", 5, &s);
    assert_string_equal(why, "bad spare state");
    json_decref(ext);
    json_t *none = json_object();
    assert_null(state_spare_driver(none));
    json_decref(none);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_network_round_trip),
        cmocka_unit_test(test_network_ovn),
        cmocka_unit_test(test_network_versions),
        cmocka_unit_test(test_network_ipv6),
        cmocka_unit_test(test_network_broken),
        cmocka_unit_test(test_network_key),
        cmocka_unit_test(test_endpoint_round_trip),
        cmocka_unit_test(test_spare_round_trip),
    };
    return cmocka_run_group_tests_name("state", tests, NULL, NULL);
}
