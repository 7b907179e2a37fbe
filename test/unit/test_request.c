/* Request parsing, from the bodies Docker 20.10 really sent (captured in
 * fixtures/capture.jsonl) and from broken ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "request.h"

/* The n-th captured request to 'path' (0-based). */
static json_t *captured(const char *path, int nth)
{
    FILE *f = fopen("fixtures/capture.jsonl", "r");
    char line[8192];
    json_t *found = NULL;

    assert_non_null(f);
    while (!found && fgets(line, sizeof line, f)) {
        json_t *j = json_loads(line, 0, NULL);
        assert_non_null(j);
        if (!strcmp(json_string_value(json_object_get(j, "path")), path)
            && nth-- == 0) {
            found = json_incref(json_object_get(j, "request"));
        }
        json_decref(j);
    }
    fclose(f);
    assert_non_null(found);
    return found;
}

static void test_captured_network(void **state)
{
    struct request_network n;
    (void) state;

    /* Scenario 1 enables IPv6: a dual-stack network. */
    json_t *r = captured("/NetworkDriver.CreateNetwork", 0);
    char ip6[IP6_STRLEN];
    assert_null(request_parse_network(r, &n));
    assert_int_equal(n.n_subnets, 1);
    assert_int_equal(n.n_subnets6, 1);
    assert_string_equal(addr_ip6_format(&n.subnets6[0].net, ip6),
                        "fd00:30::");
    assert_int_equal(n.subnets6[0].plen, 64);
    assert_string_equal(addr_ip6_format(&n.subnets6[0].gateway, ip6),
                        "fd00:30::1");
    json_decref(r);

    /* Scenario 2: two IPv4 subnets, gateways as CIDR. */
    r = captured("/NetworkDriver.CreateNetwork", 1);
    assert_null(request_parse_network(r, &n));
    assert_string_equal(n.network, "aa55f0eead658a04b033bddfdac89b110d1fdd3"
                                   "0bd3ce42db3bd973387c39b93");
    assert_int_equal(n.n_subnets, 2);
    assert_int_equal(n.subnets[0].net, 0x0a140100);
    assert_int_equal(n.subnets[0].plen, 24);
    assert_int_equal(n.subnets[0].gateway, 0x0a140101);
    assert_int_equal(n.subnets[1].gateway, 0x0a140201);
    assert_string_equal(json_string_value(json_object_get(
                            n.generic, "ovsgw.tcp.deny")), "x");
    json_decref(r);
}

static void test_captured_endpoint(void **state)
{
    struct request_endpoint e;
    (void) state;

    json_t *r = captured("/NetworkDriver.CreateEndpoint", 0);
    assert_null(request_parse_endpoint(r, &e));
    assert_true(e.mac_given);
    assert_int_equal(e.mac[0], 0x02);
    assert_int_equal(e.mac[5], 0xee);
    assert_int_equal(e.ip, 0x0a1e0500);
    assert_int_equal(e.plen, 16);
    char ip6[IP6_STRLEN];
    assert_true(e.has_ip6);
    assert_string_equal(addr_ip6_format(&e.ip6, ip6), "fd00:30::2");
    assert_int_equal(e.plen6, 64);
    json_decref(r);

    r = captured("/NetworkDriver.CreateEndpoint", 1);
    assert_null(request_parse_endpoint(r, &e));
    assert_false(e.mac_given);
    assert_int_equal(e.ip, 0x0a140164);
    assert_string_equal(e.ids.endpoint, "0a703a019c12c82fb39429188281f424840"
                                        "13e8d42353934459729ed9155655d");
    json_decref(r);
}

static void test_captured_ids(void **state)
{
    static const char *const paths[] = {
        "/NetworkDriver.Join", "/NetworkDriver.Leave",
        "/NetworkDriver.DeleteEndpoint", "/NetworkDriver.EndpointOperInfo",
        "/NetworkDriver.ProgramExternalConnectivity",
    };
    struct request_ids ids;
    (void) state;

    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        json_t *r = captured(paths[i], 0);
        assert_null(request_parse_ids(r, true, &ids));
        assert_int_equal(strlen(ids.network), 64);
        assert_int_equal(strlen(ids.endpoint), 64);
        json_decref(r);
    }
}

static void expect(char *(*fn)(const char *), const char *json,
                   const char *msg)
{
    char *err = fn(json);
    assert_non_null(err);
    assert_string_equal(err, msg);
    free(err);
}

static char *net_from(const char *s)
{
    struct request_network n;
    json_t *j = json_loads(s, 0, NULL);
    char *err = request_parse_network(j, &n);
    json_decref(j);
    return err;
}

static char *ep_from(const char *s)
{
    struct request_endpoint e;
    json_t *j = json_loads(s, 0, NULL);
    char *err = request_parse_endpoint(j, &e);
    json_decref(j);
    return err;
}

#define NID "\"NetworkID\": \"0123456789abcdef\""
#define EID "\"EndpointID\": \"fedcba9876543210\""

static void test_bad_network(void **state)
{
    (void) state;
    expect(net_from, "{}", "missing NetworkID");
    expect(net_from, "{\"NetworkID\": 5}", "NetworkID: want a string");
    expect(net_from, "{\"NetworkID\": \"xyz\"}",
           "NetworkID: bad ID \"xyz\": want 12 to 64 hex digits");
    expect(net_from, "{" NID "}",
           "IPv4Data: ovsgw needs at least one IPv4 subnet");
    expect(net_from, "{" NID ", \"IPv4Data\": [{\"Pool\": \"10.0.0.1/24\", "
                     "\"Gateway\": \"10.0.0.1/24\"}]}",
           "IPv4Data[0].Pool: want an IPv4 network like 10.20.1.0/24");
    expect(net_from, "{" NID ", \"IPv4Data\": [{\"Pool\": \"10.0.0.0/24\"}]}",
           "IPv4Data[0]: missing Gateway");
    expect(net_from, "{" NID ", \"IPv4Data\": [{\"Pool\": \"10.0.0.0/24\", "
                     "\"Gateway\": \"10.0.1.1/24\"}]}",
           "IPv4Data[0].Gateway 10.0.1.1/24 is outside the pool "
           "10.0.0.0/24");
    expect(net_from, "{" NID ", \"IPv4Data\": [{\"Pool\": \"10.0.0.0/24\", "
                     "\"Gateway\": \"10.0.0.1\"}, {\"Pool\": \"10.0.0.0/16\","
                     " \"Gateway\": \"10.0.9.1\"}]}",
           "IPv4Data[1] overlaps IPv4Data[0]");
    expect(net_from, "{" NID ", \"IPv4Data\": [{\"Pool\": \"10.0.0.0/24\", "
                     "\"Gateway\": \"10.0.0.1\"}], \"IPv6Data\": "
                     "[{\"Pool\": \"fd00::/64\"}]}",
           "IPv6Data[0]: missing Gateway");
    expect(net_from, "{" NID ", \"IPv4Data\": [{\"Pool\": \"10.0.0.0/24\", "
                     "\"Gateway\": \"10.0.0.1\"}], \"IPv6Data\": "
                     "[{\"Pool\": \"fd00::/64\", \"Gateway\": \"fd01::1\"}]}",
           "IPv6Data[0].Gateway fd01::1 is outside the pool fd00::/64");
    expect(net_from, "{" NID ", \"IPv4Data\": [{\"Pool\": \"10.0.0.0/24\", "
                     "\"Gateway\": \"10.0.0.1\"}], \"IPv6Data\": "
                     "[{\"Pool\": \"fd00::/64\", \"Gateway\": \"fd00::/64\"}]}",
           "IPv6Data[0].Gateway fd00::/64 is the subnet-router anycast "
           "address of the pool fd00::/64");
    expect(net_from, "{" NID ", \"IPv4Data\": [{\"Pool\": \"10.0.0.0/24\", "
                     "\"Gateway\": \"10.0.0.1\"}], \"IPv6Data\": "
                     "[{\"Pool\": \"fd00::1/64\", \"Gateway\": \"fd00::1\"}]}",
           "IPv6Data[0].Pool: want an IPv6 network like fd00:20:1::/64");
    expect(net_from, "{" NID ", \"IPv4Data\": [], \"IPv6Data\": "
                     "[{\"Pool\": \"fd00::/64\", \"Gateway\": \"fd00::1\"}]}",
           "IPv4Data: ovsgw needs at least one IPv4 subnet, also beside "
           "IPv6 ones");
}

static void test_bad_endpoint(void **state)
{
    (void) state;
    expect(ep_from, "{" NID "}", "missing EndpointID");
    expect(ep_from, "{" NID ", " EID "}",
           "Interface: want an object with an IPv4 Address");
    expect(ep_from, "{" NID ", " EID ", \"Interface\": {\"Address\": \"\"}}",
           "Interface.Address: ovsgw needs an IPv4 address");
    expect(ep_from, "{" NID ", " EID ", \"Interface\": {\"Address\": "
                    "\"10.0.0.300/24\"}}",
           "Interface.Address: bad IPv4 CIDR \"10.0.0.300/24\"");
    expect(ep_from, "{" NID ", " EID ", \"Interface\": {\"Address\": "
                    "\"10.0.0.3/24\", \"AddressIPv6\": \"fd00::3\"}}",
           "Interface.AddressIPv6: bad IPv6 CIDR \"fd00::3\"");
    expect(ep_from, "{" NID ", " EID ", \"Interface\": {\"Address\": "
                    "\"10.0.0.3/24\", \"MacAddress\": \"ff:ff:ff:ff:ff:ff\"}}",
           "Interface.MacAddress: bad unicast MAC \"ff:ff:ff:ff:ff:ff\"");
}

static char *ports_from(const char *s)
{
    struct request_ports *p = malloc(sizeof *p);
    json_t *j = json_loads(s, 0, NULL);
    char *err = request_parse_ports(j, p);
    json_decref(j);
    free(p);
    return err;
}

static void test_ports(void **state)
{
    struct request_ports *p = malloc(sizeof *p);
    (void) state;

    /* The port map as Docker 20.10 sent it with Join. */
    json_t *join = captured("/NetworkDriver.Join", 0);
    assert_null(request_parse_ports(join, p));
    assert_int_equal(p->n, 1);
    assert_int_equal(p->v[0].proto, 6);
    assert_int_equal(p->v[0].port, 80);
    assert_int_equal(p->v[0].host_lo, 8080);
    assert_int_equal(p->v[0].host_hi, 8080);
    assert_false(p->v[0].host_ip_set);
    json_decref(join);

    /* None, a range, a host address, an IPv6 host address (skipped). */
    json_t *j = json_loads("{}", 0, NULL);
    assert_null(request_parse_ports(j, p));
    assert_int_equal(p->n, 0);
    json_decref(j);
    j = json_loads("{\"Options\": {\"com.docker.network.portmap\": ["
                   "{\"Proto\": 17, \"Port\": 53, \"HostIP\": \"127.0.0.1\","
                   " \"HostPort\": 5353, \"HostPortEnd\": 5360},"
                   "{\"Proto\": 6, \"Port\": 80, \"HostIP\": \"::\","
                   " \"HostPort\": 0, \"HostPortEnd\": 0},"
                   "{\"Proto\": 6, \"Port\": 81, \"HostIP\": \"0.0.0.0\","
                   " \"HostPort\": 0}]}}", 0, NULL);
    assert_null(request_parse_ports(j, p));
    assert_int_equal(p->n, 2);
    assert_int_equal(p->v[0].proto, 17);
    assert_true(p->v[0].host_ip_set);
    assert_int_equal(p->v[0].host_ip, 0x7f000001);
    assert_int_equal(p->v[0].host_lo, 5353);
    assert_int_equal(p->v[0].host_hi, 5360);
    assert_int_equal(p->v[1].port, 81);
    assert_false(p->v[1].host_ip_set);
    assert_int_equal(p->v[1].host_lo, 0);
    json_decref(j);
    free(p);

#define PM(x) "{\"Options\": {\"com.docker.network.portmap\": " x "}}"
    expect(ports_from, PM("{}"), "portmap: want an array");
    expect(ports_from, PM("[5]"), "portmap[0]: want an object");
    expect(ports_from, PM("[{\"Proto\": 1, \"Port\": 80}]"),
           "portmap[0].Proto: want 6 (TCP) or 17 (UDP)");
    expect(ports_from, PM("[{\"Proto\": 6, \"Port\": 0}]"),
           "portmap[0].Port: want 1 to 65535");
    expect(ports_from, PM("[{\"Proto\": 6, \"Port\": 80, "
                          "\"HostPort\": 70000}]"),
           "portmap[0].HostPort: want 0 to 65535");
    expect(ports_from, PM("[{\"Proto\": 6, \"Port\": 80, "
                          "\"HostPort\": 90, \"HostPortEnd\": 80}]"),
           "portmap[0].HostPortEnd: want 90 to 65535");
    expect(ports_from, PM("[{\"Proto\": 6, \"Port\": 80, "
                          "\"HostIP\": \"10.0.0.300\", \"HostPort\": 1}]"),
           "portmap[0].HostIP: bad address \"10.0.0.300\"");
    expect(ports_from, "{\"Options\": 5}", "Options: want an object");
#undef PM
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_captured_network),
        cmocka_unit_test(test_captured_endpoint),
        cmocka_unit_test(test_captured_ids),
        cmocka_unit_test(test_bad_network),
        cmocka_unit_test(test_bad_endpoint),
        cmocka_unit_test(test_ports),
    };
    return cmocka_run_group_tests_name("request", tests, NULL, NULL);
}
