/* The model's allocators: tags, cookie halves, OpenFlow ports and names
 * stay unique, also against other drivers on a shared bridge. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "model.h"
#include "nd.h"
#include "util.h"

static struct network *net(struct model *m, const char *id,
                           const char *bridge)
{
    struct network *n = xzalloc(sizeof *n);

    strcpy(n->id, id);
    strcpy(n->bridge, bridge);
    n->tag = model_pick_tag(m, bridge, id, NULL, 0);
    model_add_network(m, n);
    return n;
}

static struct endpoint *ep(struct network *n, const char *id, int ofport)
{
    struct endpoint *e = xzalloc(sizeof *e);

    strcpy(e->id, id);
    e->fe.id = network_pick_cookie(n, id);
    e->fe.ofport = ofport;
    snprintf(e->host_if, sizeof e->host_if, "og%.12s", id);
    snprintf(e->peer_if, sizeof e->peer_if, "oc%.12s", id);
    network_add_endpoint(n, e);
    return e;
}

static void test_tags(void **state)
{
    struct model m = { 0 };
    (void) state;

    struct network *a = net(&m, "0000000500000000", "br0");
    assert_int_equal(a->tag, 5);
    /* Same prefix on the same bridge: the next free tag. */
    struct network *b = net(&m, "0000000500000001", "br0");
    assert_int_equal(b->tag, 6);
    /* On another bridge the tag may repeat. */
    struct network *c = net(&m, "0000000500000002", "br1");
    assert_int_equal(c->tag, 5);
    /* Tags of another driver's networks on the bridge are skipped. */
    uint32_t taken[] = { 7, 8 };
    assert_int_equal(model_pick_tag(&m, "br0", "0000000500000003", taken, 2),
                     9);
    /* Zero is never a tag. */
    assert_int_equal(model_pick_tag(&m, "br2", "0000000000000000", NULL, 0),
                     1);
    assert_true(model_bridge_shared(&m, a));
    assert_false(model_bridge_shared(&m, c));
    model_clear(&m);
}

static void test_cookies_and_ports(void **state)
{
    struct model m = { 0 };
    (void) state;

    struct network *a = net(&m, "0000000500000000", "br0");
    struct endpoint *e1 = ep(a, "abcdef0100000000", 1);
    struct endpoint *e2 = ep(a, "abcdef0100000001", 2);
    assert_int_equal(e1->fe.id, 0xabcdef01);
    assert_int_equal(e2->fe.id, 0xabcdef02);
    assert_int_equal(network_pick_cookie(a, "0000000000000000"), 1);
    assert_int_equal(model_pick_ofport(&m, "br0"), 3);
    assert_int_equal(model_pick_ofport(&m, "br1"), 1);
    model_add_spare(&m, "br0", "ogspare", "ocspare", 3, true, 0);
    assert_int_equal(model_pick_ofport(&m, "br0"), 4);
    /* Ports of others on the bridge keep their numbers. */
    int *others = xmalloc(3 * sizeof *others);
    others[0] = 4;
    others[1] = 5;
    others[2] = 7;
    model_set_foreign_ports(&m, "br0", others, 3);
    assert_int_equal(model_pick_ofport(&m, "br0"), 6);
    assert_int_equal(model_pick_ofport(&m, "br1"), 1);
    assert_true(model_ifname_used(&m, "ogabcdef010000"));
    assert_true(model_ifname_used(&m, "ocspare"));
    assert_false(model_ifname_used(&m, "ogabcdef019999"));
    struct spare *s = model_take_spare(&m, "br0");
    assert_string_equal(s->host_if, "ogspare");
    assert_null(model_take_spare(&m, "br0"));
    free(s);
    assert_int_equal(network_subnet_of(a, 0x0a000001), 0);
    model_clear(&m);
}

static void test_macs(void **state)
{
    uint8_t mac[MAC_LEN];
    static const uint8_t gw[MAC_LEN] = { 0x06, 0x01, 0x23, 0x45, 0x67, 0x89 };
    static const uint8_t ep4[MAC_LEN] = { 0x02, 0x42, 0x0a, 0x14, 0x01,
                                          0x64 };
    (void) state;

    model_gateway_mac("0123456789abcdef", mac);
    assert_memory_equal(mac, gw, MAC_LEN);
    model_endpoint_mac(0x0a140164, mac);
    assert_memory_equal(mac, ep4, MAC_LEN);
    /* OVN mode: from the logical network's name, so every host agrees;
     * 06:6f: and the name's hash, another name another MAC. */
    uint8_t a[MAC_LEN], b[MAC_LEN];
    model_gateway_mac_ovn("seed", a);
    model_gateway_mac_ovn("seed", b);
    assert_memory_equal(a, b, MAC_LEN);
    assert_int_equal(a[0], 0x06);
    assert_int_equal(a[1], 0x6f);
    model_gateway_mac_ovn("seed2", b);
    assert_memory_not_equal(a, b, MAC_LEN);
}

static void ip6(const char *s, struct in6_addr *ret)
{
    assert_true(addr_ip6_parse(s, ret));
}

/* Who answers an NS on the kernel datapath: gateways (R flag), endpoints'
 * global and link-local addresses, only within the network the flows
 * tagged it with and from one of that network's ports, only gateways from
 * the uplink that the networks of a bridge share, nobody for anything
 * else. */
static void test_nd_answer(void **state)
{
    struct model m = { 0 };
    struct in6_addr t;
    uint8_t mac[MAC_LEN];
    uint32_t flags;
    (void) state;

    struct network *a = net(&m, "000000a000000000", "br0");
    struct network *b = net(&m, "000000b000000000", "br0");
    uint32_t ta = a->tag, tb = b->tag;
    a->n_subnets6 = 2;
    ip6("fd00:20:1::", &a->subnets6[0].net);
    ip6("fd00:20:1::1", &a->subnets6[0].gateway);
    ip6("fd00:20:2::", &a->subnets6[1].net);
    ip6("fd00:20:2::1", &a->subnets6[1].gateway);
    a->subnets6[0].plen = a->subnets6[1].plen = 64;
    memcpy(a->gateway_mac, "\x06\x6f\x01\x02\x03\x04", MAC_LEN);
    b->n_subnets6 = 1;
    ip6("fd00:30:1::", &b->subnets6[0].net);
    ip6("fd00:30:1::1", &b->subnets6[0].gateway);
    b->subnets6[0].plen = 64;
    memcpy(b->gateway_mac, "\x06\x6f\x0b\x0b\x0b\x0b", MAC_LEN);
    /* One uplink for the bridge, in both networks (as uplink_attach()). */
    a->has_uplink = b->has_uplink = true;
    a->uplink.ofport = b->uplink.ofport = 65279;
    struct endpoint *e1 = ep(a, "e1", 1), *e2 = ep(a, "e2", 2);
    struct endpoint *e3 = ep(a, "e3", 3), *f1 = ep(b, "f1", 4);
    e1->fe.has_ip6 = e2->fe.has_ip6 = f1->fe.has_ip6 = true;
    ip6("fd00:20:1::100", &e1->fe.ip6);
    ip6("fd00:20:2::100", &e2->fe.ip6);
    ip6("fd00:30:1::100", &f1->fe.ip6);
    memcpy(e1->fe.mac, "\x02\x42\x0a\x14\x01\x64", MAC_LEN);
    memcpy(e2->fe.mac, "\x02\x42\x0a\x14\x02\x64", MAC_LEN);
    memcpy(e3->fe.mac, "\x02\x42\x0a\x14\x03\x64", MAC_LEN);

    ip6("fd00:20:2::1", &t); /* a gateway, from an endpoint */
    assert_true(model_nd_answer(&m, "br0", ta, 1, &t, mac, &flags));
    assert_memory_equal(mac, a->gateway_mac, MAC_LEN);
    assert_int_equal(flags, ND_NA_ROUTER | ND_NA_SOLICITED | ND_NA_OVERRIDE);
    /* ... and from the shared uplink, for either network's gateway (b
     * was added last: it comes first in the model) */
    memset(mac, 0, MAC_LEN);
    flags = 0;
    assert_true(model_nd_answer(&m, "br0", ta, 65279, &t, mac, &flags));
    assert_memory_equal(mac, a->gateway_mac, MAC_LEN);
    assert_int_equal(flags, ND_NA_ROUTER | ND_NA_SOLICITED | ND_NA_OVERRIDE);
    ip6("fd00:30:1::1", &t);
    assert_true(model_nd_answer(&m, "br0", tb, 65279, &t, mac, &flags));
    assert_memory_equal(mac, b->gateway_mac, MAC_LEN);
    ip6("fd00:20:2::100", &t); /* another endpoint's global address */
    assert_true(model_nd_answer(&m, "br0", ta, 1, &t, mac, &flags));
    assert_memory_equal(mac, e2->fe.mac, MAC_LEN);
    assert_int_equal(flags, ND_NA_SOLICITED | ND_NA_OVERRIDE);
    t = addr_ip6_link_local(e2->fe.mac); /* ... its link-local one */
    assert_true(model_nd_answer(&m, "br0", ta, 1, &t, mac, &flags));
    assert_memory_equal(mac, e2->fe.mac, MAC_LEN);

    /* Nobody: an endpoint from the uplink, another network's gateway or
     * endpoint, a port of another network under this tag, an address
     * nobody has, the link-local address of an endpoint without IPv6, a
     * port nobody has, a tag nobody has, another bridge. */
    ip6("fd00:20:2::100", &t);
    assert_false(model_nd_answer(&m, "br0", ta, 65279, &t, mac, &flags));
    ip6("fd00:30:1::1", &t);
    assert_false(model_nd_answer(&m, "br0", ta, 1, &t, mac, &flags));
    assert_false(model_nd_answer(&m, "br0", ta, 65279, &t, mac, &flags));
    assert_false(model_nd_answer(&m, "br0", tb, 1, &t, mac, &flags));
    assert_true(model_nd_answer(&m, "br0", tb, 4, &t, mac, &flags));
    ip6("fd00:30:1::100", &t);
    assert_false(model_nd_answer(&m, "br0", ta, 1, &t, mac, &flags));
    ip6("fd00:20:1::200", &t);
    assert_false(model_nd_answer(&m, "br0", ta, 1, &t, mac, &flags));
    t = addr_ip6_link_local(e3->fe.mac);
    assert_false(model_nd_answer(&m, "br0", ta, 1, &t, mac, &flags));
    ip6("fd00:20:1::1", &t);
    assert_false(model_nd_answer(&m, "br0", ta, 9, &t, mac, &flags));
    assert_false(model_nd_answer(&m, "br0", 12345, 1, &t, mac, &flags));
    assert_false(model_nd_answer(&m, "br1", ta, 1, &t, mac, &flags));
    assert_true(model_nd_answer(&m, "br0", ta, 3, &t, mac, &flags));
    model_clear(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tags),
        cmocka_unit_test(test_cookies_and_ports),
        cmocka_unit_test(test_macs),
        cmocka_unit_test(test_nd_answer),
    };
    return cmocka_run_group_tests_name("model", tests, NULL, NULL);
}
