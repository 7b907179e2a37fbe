/* The OVN northbound mapping: ACL matches of a policy (the seed's, both
 * families, port ranges), the rows of a new logical network and of an
 * endpoint's port, the guards of each transaction, and the conflict check
 * across hosts with its message.  The integration test (test/ovn) shows
 * that OVN takes these rows and acts on them as meant. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ovnnb.h"
#include "ovsdb.h"
#include "policy.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define EP "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

static struct network *sample(void)
{
    struct network *n = xzalloc(sizeof *n);

    strcpy(n->id, ID);
    n->generic = json_pack("{s:s,s:s,s:s,s:s}", "ovsgw.mode", "ovn",
                           "ovsgw.ovn.name", "blue", "ovsgw.tcp.default",
                           "allow", "ovsgw.tcp.rules",
                           "deny 10.20.2.0/24->10.20.1.100:80");
    assert_null(options_parse(n->generic, &n->opts));
    assert_true(addr_mac_parse("06:00:00:00:00:01", n->gateway_mac));
    n->n_subnets = 2;
    n->subnets[0] = (struct flows_subnet) { 0x0a140100, 24, 0x0a140101 };
    n->subnets[1] = (struct flows_subnet) { 0x0a140200, 24, 0x0a140201 };
    return n;
}

static const char *acl_match(const json_t *acls, size_t i, int *prio,
                             const char **action)
{
    const json_t *a = json_array_get(acls, i);
    *prio = (int) json_integer_value(json_object_get(a, "priority"));
    *action = json_string_value(json_object_get(a, "action"));
    assert_string_equal(json_string_value(json_object_get(a, "direction")),
                        "from-lport");
    return json_string_value(json_object_get(a, "match"));
}

static void test_acls(void **state)
{
    struct policy p = { 0 };
    const char *action;
    int prio;
    (void) state;

    /* Nothing to enforce: no ACL, so OVN judges nothing. */
    json_t *acls = ovnnb_acls(&p, true);
    assert_int_equal(json_array_size(acls), 0);
    json_decref(acls);

    assert_null(policy_parse_rules(
        "r",
        "deny 10.20.2.0/24->10.20.1.100:80, allow any->any:22,"
        "deny fd00:20:2::/64->[fd00:20:1::/64]:80-90, allow 10.0.0.1->any",
        &p));
    p.default_deny = true;
    acls = ovnnb_acls(&p, true);
    assert_int_equal(json_array_size(acls), 5);
    assert_string_equal(acl_match(acls, 0, &prio, &action),
                        "ip4 && tcp && tcp.flags[1] == 1 && "
                        "tcp.flags[4] == 0 && ip4.src == 10.20.2.0/24 && "
                        "ip4.dst == 10.20.1.100 && tcp.dst == 80");
    assert_int_equal(prio, OVNNB_PRIO_RULE);
    assert_string_equal(action, "drop");
    assert_string_equal(acl_match(acls, 1, &prio, &action),
                        "tcp && tcp.flags[1] == 1 && tcp.flags[4] == 0 && "
                        "tcp.dst == 22");
    assert_int_equal(prio, OVNNB_PRIO_RULE - 1);
    assert_string_equal(action, "allow-stateless");
    assert_string_equal(acl_match(acls, 2, &prio, &action),
                        "ip6 && tcp && tcp.flags[1] == 1 && "
                        "tcp.flags[4] == 0 && ip6.src == fd00:20:2::/64 && "
                        "ip6.dst == fd00:20:1::/64 && tcp.dst >= 80 && "
                        "tcp.dst <= 90");
    assert_string_equal(acl_match(acls, 3, &prio, &action),
                        "ip4 && tcp && tcp.flags[1] == 1 && "
                        "tcp.flags[4] == 0 && ip4.src == 10.0.0.1");
    assert_int_equal(prio, OVNNB_PRIO_RULE - 3);
    /* The default deny comes last, below every rule. */
    assert_string_equal(acl_match(acls, 4, &prio, &action),
                        "tcp && tcp.flags[1] == 1 && tcp.flags[4] == 0");
    assert_int_equal(prio, OVNNB_PRIO_DEFAULT);
    assert_string_equal(action, "drop");
    json_decref(acls);

    /* Without IPv6 the IPv6 rule is left out; the rest keep their
     * priorities. */
    acls = ovnnb_acls(&p, false);
    assert_int_equal(json_array_size(acls), 4);
    acl_match(acls, 2, &prio, &action);
    assert_int_equal(prio, OVNNB_PRIO_RULE - 3);
    json_decref(acls);
}

/* The operation of 'ops' with "op" 'op' on 'table', the k-th such. */
static const json_t *find_op(const json_t *ops, const char *op,
                             const char *table, size_t k)
{
    const json_t *o;
    size_t i;

    json_array_foreach(ops, i, o) {
        if (!strcmp(json_string_value(json_object_get(o, "op")), op)
            && !strcmp(json_string_value(json_object_get(o, "table")), table)
            && k-- == 0) {
            return o;
        }
    }
    fail_msg("no %s on %s", op, table);
    return NULL;
}

static void expect_json(const json_t *v, const char *text)
{
    json_t *want = json_loads(text, 0, NULL);
    assert_non_null(want);
    if (!json_equal((json_t *) v, want)) {
        char *got = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
        fail_msg("got %s, want %s", got, text);
    }
    json_decref(want);
}

/* The inserted row of 'table' called 'name'. */
static const json_t *row_named(const json_t *ops, const char *table,
                               const char *name)
{
    const json_t *o;
    size_t i;

    json_array_foreach(ops, i, o) {
        const json_t *row = json_object_get(o, "row");
        if (!strcmp(json_string_value(json_object_get(o, "op")), "insert")
            && !strcmp(json_string_value(json_object_get(o, "table")), table)
            && !strcmp(json_string_value(json_object_get(row, "name")) ?: "",
                       name)) {
            return row;
        }
    }
    fail_msg("no %s row %s", table, name);
    return NULL;
}

static size_t count_ops(const json_t *ops, const char *op, const char *table)
{
    const json_t *o;
    size_t i, n = 0;

    json_array_foreach(ops, i, o) {
        n += !strcmp(json_string_value(json_object_get(o, "op")), op)
             && !strcmp(json_string_value(json_object_get(o, "table")),
                        table);
    }
    return n;
}

static void test_create(void **state)
{
    struct network *n = sample();
    (void) state;

    json_t *ops = ovnnb_create_ops(n, "host1");
    /* First the guard: no switch of that name yet. */
    expect_json(json_array_get(ops, 0),
                "{\"op\":\"wait\",\"table\":\"Logical_Switch\",\"where\":"
                "[[\"name\",\"==\",\"ovsgw-blue\"]],\"columns\":[\"name\"],"
                "\"until\":\"==\",\"rows\":[],\"timeout\":0}");
    /* The router port: the gateway MAC, every gateway. */
    expect_json(row_named(ops, "Logical_Router_Port", "ovsgw-blue:lrp"),
                "{\"name\":\"ovsgw-blue:lrp\",\"mac\":"
                "\"06:00:00:00:00:01\",\"networks\":[\"set\","
                "[\"10.20.1.1/24\",\"10.20.2.1/24\"]]}");
    /* The router: its own name (ovn-trace finds datapaths by name), both
     * ports, the default route out. */
    const json_t *lr = row_named(ops, "Logical_Router", "ovsgw-blue:lr");
    expect_json(json_object_get(lr, "ports"),
                "[\"set\",[[\"named-uuid\",\"lrp\"],[\"named-uuid\","
                "\"lrpx\"]]]");
    expect_json(json_object_get(lr, "static_routes"),
                "[\"set\",[[\"named-uuid\",\"rt4\"]]]");
    expect_json(json_object_get(find_op(ops, "insert",
                                        "Logical_Router_Static_Route", 0),
                                "row"),
                "{\"ip_prefix\":\"0.0.0.0/0\",\"nexthop\":"
                "\"169.254.100.1\"}");
    expect_json(row_named(ops, "Logical_Switch_Port", "ovsgw-blue:rtr"),
                "{\"name\":\"ovsgw-blue:rtr\",\"type\":\"router\","
                "\"addresses\":[\"set\",[\"router\"]],\"options\":"
                "[\"map\",[[\"router-port\",\"ovsgw-blue:lrp\"]]]}");
    /* The way out: a localnet switch each host maps to its own bridge. */
    expect_json(row_named(ops, "Logical_Switch_Port", "ovsgw-blue-ln"),
                "{\"name\":\"ovsgw-blue-ln\",\"type\":\"localnet\","
                "\"addresses\":[\"set\",[\"unknown\"]],\"options\":"
                "[\"map\",[[\"network_name\",\"ovsgw-blue\"]]]}");
    expect_json(json_object_get(row_named(ops, "Logical_Router_Port",
                                          "ovsgw-blue:lrpx"),
                                "networks"),
                "[\"set\",[\"169.254.100.2/24\"]]");
    row_named(ops, "Logical_Switch", "ovsgw-blue:ext");
    const json_t *ls = row_named(ops, "Logical_Switch", "ovsgw-blue");
    json_t *ext = ovsdb_map_to_object(json_object_get(ls, "external_ids"));
    expect_json(ext, "{\"ovsgw-name\":\"blue\",\"ovsgw-host-host1\":\"" ID
                     "\",\"ovsgw-config\":\"gateway_mac=06:00:00:00:00:01 "
                     "gateways=10.20.1.1/24,10.20.2.1/24 tcp_policy=deny "
                     "10.20.2.0/24->10.20.1.100:80, default allow "
                     "internal=no\"}");
    json_decref(ext);
    /* The one rule's ACL, referred to by the switch. */
    find_op(ops, "insert", "ACL", 0);
    expect_json(json_object_get(ls, "acls"),
                "[\"set\",[[\"named-uuid\",\"acl0\"]]]");
    json_decref(ops);

    /* Docker gives a network's subnets in no fixed order: the config
     * that hosts compare does not depend on it. */
    struct network *m = sample();
    m->subnets[0] = n->subnets[1];
    m->subnets[1] = n->subnets[0];
    char *c1 = ovnnb_config(n), *c2 = ovnnb_config(m);
    assert_string_equal(c1, c2);
    free(c1);
    free(c2);
    json_decref(m->generic);
    free(m);

    /* --internal: no way out at all. */
    n->internal = true;
    ops = ovnnb_create_ops(n, "host1");
    assert_int_equal(count_ops(ops, "insert", "Logical_Switch"), 1);
    assert_int_equal(count_ops(ops, "insert", "Logical_Router_Port"), 1);
    assert_int_equal(count_ops(ops, "insert", "Logical_Router_Static_Route"),
                     0);
    json_decref(ops);
    json_decref(n->generic);
    free(n);
}

static void test_join_leave(void **state)
{
    struct network *n = sample();
    json_t *ext_seen = json_loads("[\"map\",[[\"ovsgw-host-h1\",\"x\"]]]", 0,
                                  NULL);
    (void) state;

    json_t *ops = ovnnb_join_ops("11111111-2222-3333-4444-555555555555", n,
                                 "h2");
    expect_json(json_object_get(json_array_get(ops, 0), "mutations"),
                "[[\"external_ids\",\"delete\",[\"set\",[\"ovsgw-host-h2\"]]],"
                "[\"external_ids\",\"insert\",[\"map\",[[\"ovsgw-host-h2\",\""
                ID "\"]]]]]");
    json_decref(ops);

    /* Not the last host: only its key goes, if nobody changed the keys. */
    ops = ovnnb_leave_ops("11111111-2222-3333-4444-555555555555", ext_seen,
                          "h2", false, "blue");
    assert_int_equal(json_array_size(ops), 2);
    expect_json(json_object_get(json_array_get(ops, 0), "rows"),
                "[{\"external_ids\":[\"map\",[[\"ovsgw-host-h1\",\"x\"]]]}]");
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(ops, 1), "op")),
                        "mutate");
    json_decref(ops);
    /* The last: the switch and the router go. */
    ops = ovnnb_leave_ops("11111111-2222-3333-4444-555555555555", ext_seen,
                          "h1", true, "blue");
    assert_int_equal(json_array_size(ops), 4);
    find_op(ops, "delete", "Logical_Switch", 0);
    expect_json(json_object_get(find_op(ops, "delete", "Logical_Switch", 1),
                                "where"),
                "[[\"name\",\"==\",\"ovsgw-blue:ext\"]]");
    expect_json(json_object_get(find_op(ops, "delete", "Logical_Router", 0),
                                "where"),
                "[[\"name\",\"==\",\"ovsgw-blue:lr\"]]");
    json_decref(ops);
    json_decref(ext_seen);
    json_decref(n->generic);
    free(n);
}

static struct endpoint *sample_endpoint(void)
{
    struct endpoint *e = xzalloc(sizeof *e);

    strcpy(e->id, EP);
    e->fe.ip = 0x0a140105;
    assert_true(addr_mac_parse("02:42:0a:14:01:05", e->fe.mac));
    return e;
}

static void test_port(void **state)
{
    struct network *n = sample();
    struct endpoint *e = sample_endpoint();
    json_t *seen = json_loads("[\"uuid\",\"aaaaaaaa-2222-3333-4444-"
                              "555555555555\"]", 0, NULL);
    (void) state;

    json_t *ops = ovnnb_port_add_ops("11111111-2222-3333-4444-555555555555",
                                     seen, n, e, "h1", "node1");
    /* The guard: the switch's ports are still those seen. */
    expect_json(json_object_get(json_array_get(ops, 0), "rows"),
                "[{\"ports\":[\"uuid\",\"aaaaaaaa-2222-3333-4444-"
                "555555555555\"]}]");
    expect_json(json_object_get(find_op(ops, "insert",
                                        "Logical_Switch_Port", 0), "row"),
                "{\"name\":\"ovsgw-" EP "\",\"addresses\":[\"set\","
                "[\"02:42:0a:14:01:05 10.20.1.5\"]],\"port_security\":"
                "[\"set\",[\"02:42:0a:14:01:05 10.20.1.5\"]],"
                "\"external_ids\":[\"map\",[[\"ovsgw-name\",\"blue\"],"
                "[\"ovsgw-host\",\"h1\"],[\"ovsgw-hostname\",\"node1\"]]]}");
    json_decref(ops);

    e->fe.has_ip6 = true;
    assert_true(addr_ip6_parse("fd00:20:1::5", &e->fe.ip6));
    char *a = ovnnb_endpoint_address(e);
    assert_string_equal(a, "02:42:0a:14:01:05 10.20.1.5 fd00:20:1::5");
    free(a);

    json_decref(seen);
    json_decref(n->generic);
    free(n);
    free(e);
}

static void test_conflict(void **state)
{
    struct endpoint *e = sample_endpoint();
    (void) state;
    json_t *lsps = json_loads(
        "[{\"name\":\"ovsgw-blue:rtr\",\"addresses\":\"router\"},"
        " {\"name\":\"ovsgw-" EP "\",\"addresses\":"
        "  \"02:42:0a:14:01:05 10.20.1.5\"},"
        " {\"name\":\"ovsgw-abcdefabcdef99\",\"addresses\":[\"set\","
        "  [\"02:42:0a:14:01:09 10.20.1.9 fd00:20:1::9\"]],"
        "  \"external_ids\":[\"map\",[[\"ovsgw-host\",\"h2\"],"
        "  [\"ovsgw-hostname\",\"node2\"]]]}]",
        0, NULL);
    assert_non_null(lsps);

    /* Its own port (left by a crash) is no conflict; nor is the router. */
    assert_null(ovnnb_conflict(lsps, e));

    e->fe.ip = 0x0a140109;
    char *msg = ovnnb_conflict(lsps, e);
    assert_string_equal(msg, "address 10.20.1.9 is already used by endpoint "
                             "abcdefabcdef on host node2 (chassis h2): each "
                             "host allocates addresses by itself, so give "
                             "each one its own --ip-range of the subnet");
    free(msg);

    e->fe.ip = 0x0a140107;
    assert_true(addr_mac_parse("02:42:0a:14:01:09", e->fe.mac));
    msg = ovnnb_conflict(lsps, e);
    assert_non_null(strstr(msg, "MAC 02:42:0a:14:01:09 is already used"));
    free(msg);

    assert_true(addr_mac_parse("02:42:0a:14:01:07", e->fe.mac));
    e->fe.has_ip6 = true;
    assert_true(addr_ip6_parse("fd00:20:1::9", &e->fe.ip6));
    msg = ovnnb_conflict(lsps, e);
    assert_non_null(strstr(msg, "IPv6 address fd00:20:1::9 is already used"));
    free(msg);
    /* The control: another IPv6 address is free. */
    assert_true(addr_ip6_parse("fd00:20:1::7", &e->fe.ip6));
    assert_null(ovnnb_conflict(lsps, e));

    json_decref(lsps);
    free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_acls),
        cmocka_unit_test(test_create),
        cmocka_unit_test(test_join_leave),
        cmocka_unit_test(test_port),
        cmocka_unit_test(test_conflict),
    };
    return cmocka_run_group_tests_name("ovnnb", tests, NULL, NULL);
}
