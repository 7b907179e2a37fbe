/* OpenFlow encoding: exact bytes of small messages, and the exact message
 * for every kind of line it refuses.  That real flows decode as ovs-ofctl
 * reads them is checked on the golden files by test/check-golden.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ofp.h"

static uint32_t be32_at(const uint8_t *p)
{
    return (uint32_t) p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static void test_drop_flow_bytes(void **state)
{
    (void) state;
    struct ofp_buf b = { 0 };
    static const uint8_t want[] = {
        0x05, 14, 0, 56, 0, 0, 0, 7,           /* OF1.4 FLOW_MOD, xid 7 */
        0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff,    /* cookie */
        0, 0, 0, 0, 0, 0, 0, 0,                /* cookie mask */
        40, 0, 0, 0, 0, 0, 0, 1,               /* table, ADD, timeouts, prio */
        0xff, 0xff, 0xff, 0xff,                /* no buffer */
        0xff, 0xff, 0xff, 0xff,                /* out_port any */
        0xff, 0xff, 0xff, 0xff,                /* out_group any */
        0, 0, 0, 0,                            /* flags, importance */
        0, 1, 0, 4, 0, 0, 0, 0,                /* empty OXM match, padded */
    };

    assert_null(ofp_put_flow_mod(
        &b, "cookie=0x00000000ffffffff,table=40,priority=1 actions=drop", 7));
    assert_int_equal(b.len, sizeof want);
    assert_memory_equal(b.data, want, sizeof want);
    free(b.data);
}

static void test_match_and_actions(void **state)
{
    (void) state;
    struct ofp_buf b = { 0 };

    assert_null(ofp_put_flow_mod(
        &b, "cookie=0x1,table=0,priority=100,in_port=3,ip,nw_src=10.0.0.0/8 "
            "actions=set_field:0x2a->reg0,output:3,goto_table:10", 1));
    /* match: in_port (4+4), eth_type (4+2), masked ipv4_src (4+8) = 26,
     * +4 header = 30, padded to 32 */
    const uint8_t *m = b.data + 48;
    assert_int_equal(m[2] << 8 | m[3], 30);
    assert_int_equal(be32_at(m + 4), 0x80000004);   /* OXM in_port */
    assert_int_equal(be32_at(m + 8), 3);
    assert_int_equal(be32_at(m + 12), 0x80000a02);  /* eth_type */
    assert_int_equal(be32_at(m + 18), 0x80001708);  /* ipv4_src, masked */
    assert_int_equal(be32_at(m + 22), 0x0a000000);
    assert_int_equal(be32_at(m + 26), 0xff000000);
    /* apply-actions: set_field reg0 (16) + output (16), then goto */
    const uint8_t *i = b.data + 48 + 32;
    assert_int_equal(i[1], 4);
    assert_int_equal(i[2] << 8 | i[3], 8 + 16 + 16);
    assert_int_equal(be32_at(i + 12), 0x00010004);  /* NXM_NX_REG0 */
    assert_int_equal(be32_at(i + 16), 0x2a);
    assert_int_equal(be32_at(i + 28), 3);           /* output port */
    const uint8_t *g = i + 40;
    assert_int_equal(g[1], 1);
    assert_int_equal(g[4], 10);
    assert_int_equal(b.len, (size_t) (g + 8 - b.data));
    assert_int_equal(b.data[2] << 8 | b.data[3], b.len);
    free(b.data);
}

static void test_bundle_add(void **state)
{
    (void) state;
    struct ofp_buf b = { 0 };

    assert_null(ofp_put_bundle_add(&b, "delete cookie=0x5/-1", 9, 3,
                                   OFPBF_ATOMIC));
    assert_int_equal(ofp_msg_type(b.data), OFPT_BUNDLE_ADD_MESSAGE);
    assert_int_equal(ofp_msg_len(b.data), b.len);
    assert_int_equal(be32_at(b.data + 8), 3);       /* bundle id */
    const uint8_t *in = b.data + 16;
    assert_int_equal(ofp_msg_type(in), OFPT_FLOW_MOD);
    assert_int_equal(ofp_msg_xid(in), 9);           /* same as outer */
    assert_int_equal(ofp_msg_len(in), b.len - 16);
    assert_int_equal(in[8 + 16], 0xff);             /* all tables */
    assert_int_equal(in[8 + 17], 3);                /* DELETE */
    assert_int_equal(be32_at(in + 8 + 8), 0xffffffff); /* cookie mask */
    free(b.data);
}

static void expect_err(const char *line, const char *msg)
{
    struct ofp_buf b = { 0 };
    char *err;

    ofp_put_simple(&b, OFPT_HELLO, 1);
    err = ofp_put_bundle_add(&b, line, 2, 1, 0);
    assert_non_null(err);
    assert_string_equal(err, msg);
    assert_int_equal(b.len, OFP_HEADER_LEN); /* nothing half-written */
    free(err);
    free(b.data);
}

static void test_refused(void **state)
{
    (void) state;
    expect_err("table=0,priority=1,vlan_tci=0x1 actions=drop",
               "unknown match field \"vlan_tci\"");
    expect_err("table=0,priority=1,ip,nw_dst=10.0.0.300 actions=drop",
               "bad value \"10.0.0.300\" for nw_dst");
    expect_err("table=0,priority=1,tp_dst=0x50/0 actions=drop",
               "bad value \"0x50/0\" for tp_dst");
    expect_err("table=0,priority=1,arp,ip actions=drop",
               "\"ip\" contradicts an earlier match");
    expect_err("table=0,priority=1,frob actions=drop",
               "unknown match \"frob\"");
    expect_err("table=0,priority=70000 actions=drop",
               "bad priority \"70000\"");
    expect_err("table=0,priority=1 actions=flood", "unknown action \"flood\"");
    expect_err("table=0,priority=1 actions=drop,output:1",
               "drop with other actions in \"table=0,priority=1 "
               "actions=drop,output:1\"");
    expect_err("table=0,priority=1", "no actions in \"table=0,priority=1\"");
    expect_err("table=10,priority=1 actions=goto_table:10",
               "bad goto_table \"10\"");
    expect_err("table=0,priority=1 actions=set_field:1->vlan_vid",
               "unknown field \"vlan_vid\"");
    expect_err("table=0,priority=1 actions=set_field:10.0.0.0/8->ip_src",
               "bad value in \"set_field:10.0.0.0/8->ip_src\"");
    expect_err("table=0,priority=1 actions=move:NXM_OF_ETH_SRC[]->"
               "NXM_OF_IP_DST[]", "bad action \"move:NXM_OF_ETH_SRC[]->"
               "NXM_OF_IP_DST[]\"");
    expect_err("table=0,priority=1 actions=output:0",
               "bad output port \"0\"");
    expect_err("delete table=3", "bad delete \"table=3\": want cookie=C/M");
    expect_err("delete cookie=0xzz/-1",
               "bad cookie in \"delete cookie=0xzz/-1\"");
}

static void test_error_text(void **state)
{
    (void) state;
    uint8_t msg[12] = { 0x05, OFPT_ERROR, 0, 12, 0, 0, 0, 4, 0, 4, 0, 9 };
    char *t = ofp_error_text(msg, sizeof msg);
    assert_string_equal(t, "OpenFlow bad match (type 4, code 9)");
    free(t);
    msg[9] = 200;
    t = ofp_error_text(msg, sizeof msg);
    assert_string_equal(t, "OpenFlow error (type 200, code 9)");
    free(t);
    t = ofp_error_text(msg, 9);
    assert_string_equal(t, "short OpenFlow error message");
    free(t);
}

static void test_echo_reply(void **state)
{
    (void) state;
    struct ofp_buf b = { 0 };
    uint8_t req[12] = { 0x05, OFPT_ECHO_REQUEST, 0, 12, 1, 2, 3, 4,
                        'p', 'i', 'n', 'g' };
    ofp_put_echo_reply(&b, req, sizeof req);
    assert_int_equal(b.len, 12);
    assert_int_equal(ofp_msg_type(b.data), OFPT_ECHO_REPLY);
    assert_int_equal(ofp_msg_xid(b.data), 0x01020304);
    assert_memory_equal(b.data + 8, "ping", 4);
    free(b.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_drop_flow_bytes),
        cmocka_unit_test(test_match_and_actions),
        cmocka_unit_test(test_bundle_add),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_error_text),
        cmocka_unit_test(test_echo_reply),
    };
    return cmocka_run_group_tests_name("ofp", tests, NULL, NULL);
}
