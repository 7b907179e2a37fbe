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

/* The common head of a FLOW_MOD: OF1.4, 'len', xid 1, cookie 0x1, table,
 * ADD, priority, no buffer, any port and group. */
#define FLOW_MOD_HEAD(len, table, prio)                                      \
    0x05, 14, 0, (len), 0, 0, 0, 1,                                         \
    0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0,                         \
    (table), 0, 0, 0, 0, 0, 0, (prio),                                      \
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,                         \
    0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0

static void expect_bytes(const char *line, const uint8_t *want, size_t n)
{
    struct ofp_buf b = { 0 };
    char *err = ofp_put_flow_mod(&b, line, 1);

    if (err) {
        fail_msg("unexpected error: %s", err);
    }
    assert_int_equal(b.len, n);
    assert_memory_equal(b.data, want, n);
    free(b.data);
}

/* ND stage 1: ICMPv6 match, set_field of icmpv6_type, of nd_options_type
 * (OVS's class 0x1000, field 2) and of reg1, resubmit to a table. */
static void test_nd_stage1_bytes(void **state)
{
    (void) state;
    static const uint8_t want[] = {
        FLOW_MOD_HEAD(152, 10, 100),
        0, 1, 0, 28,                           /* OXM match, 28 bytes */
        0x00, 0x01, 0x00, 0x04, 0, 0, 0, 0x2a, /* NXM_NX_REG0 */
        0x80, 0x00, 0x0a, 0x02, 0x86, 0xdd,    /* eth_type IPv6 */
        0x80, 0x00, 0x14, 0x01, 58,            /* ip_proto ICMPv6 */
        0x80, 0x00, 0x3a, 0x01, 135,           /* icmpv6_type NS */
        0, 0, 0, 0,                            /* pad to 8 */
        0, 4, 0, 72, 0, 0, 0, 0,               /* apply actions */
        0, 25, 0, 16, 0x80, 0x00, 0x3a, 0x01, 136, 0, 0, 0, 0, 0, 0, 0,
        0, 25, 0, 16, 0x10, 0x00, 0x04, 0x01, 2, 0, 0, 0, 0, 0, 0, 0,
        0, 25, 0, 16, 0x00, 0x01, 0x02, 0x04, 0, 0, 0, 1, 0, 0, 0, 0,
        0xff, 0xff, 0, 16, 0x00, 0x00, 0x23, 0x20, /* Nicira */
        0, 14, 0xff, 0xf8, 11, 0, 0, 0,        /* RESUBMIT_TABLE IN_PORT 11 */
    };

    expect_bytes("cookie=0x1,table=10,priority=100,reg0=0x2a,icmp6,"
                 "icmpv6_type=135 actions=set_field:136->icmpv6_type,"
                 "set_field:2->nd_options_type,set_field:1->reg1,"
                 "resubmit(,11)", want, sizeof want);
}

/* ND stage 2: reg1 and nd_target matched; nd_reserved (class 0x1000,
 * field 1), nd_tll, a 128-bit move, an IPv6 set_field, IN_PORT. */
static void test_nd_stage2_bytes(void **state)
{
    (void) state;
    static const uint8_t want[] = {
        FLOW_MOD_HEAD(208, 11, 100),
        0, 1, 0, 56,
        0x00, 0x01, 0x00, 0x04, 0, 0, 0, 0x2a, /* NXM_NX_REG0 */
        0x00, 0x01, 0x02, 0x04, 0, 0, 0, 1,    /* NXM_NX_REG1 */
        0x80, 0x00, 0x0a, 0x02, 0x86, 0xdd,
        0x80, 0x00, 0x14, 0x01, 58,
        0x80, 0x00, 0x3a, 0x01, 136,           /* icmpv6_type NA */
        0x80, 0x00, 0x3e, 0x10,                /* ipv6_nd_target */
        0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
        0, 4, 0, 104, 0, 0, 0, 0,
        0, 25, 0, 16, 0x10, 0x00, 0x02, 0x04, 0xe0, 0, 0, 0, 0, 0, 0, 0,
        0, 25, 0, 16, 0x80, 0x00, 0x42, 0x06,  /* ipv6_nd_tll */
        0x06, 0xaa, 0x55, 0xf0, 0xee, 0xad, 0, 0,
        0xff, 0xff, 0, 24, 0x00, 0x00, 0x23, 0x20, 0, 6, /* REG_MOVE */
        0, 128, 0, 0, 0, 0,                    /* n_bits, offsets */
        0x80, 0x00, 0x34, 0x10, 0x80, 0x00, 0x36, 0x10, /* src -> dst */
        0, 25, 0, 24, 0x80, 0x00, 0x34, 0x10,  /* set ipv6_src */
        0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
        0, 0, 0, 16, 0xff, 0xff, 0xff, 0xf8, 0, 0, 0, 0, 0, 0, 0, 0,
    };

    expect_bytes("cookie=0x1,table=11,priority=100,reg0=0x2a,reg1=1,icmp6,"
                 "icmpv6_type=136,nd_target=fd00::1 "
                 "actions=set_field:0xe0000000->nd_reserved,"
                 "set_field:06:aa:55:f0:ee:ad->nd_tll,"
                 "move:NXM_NX_IPV6_SRC[]->NXM_NX_IPV6_DST[],"
                 "set_field:fd00::1->ipv6_src,IN_PORT", want, sizeof want);
}

/* Port security's match: a masked ipv6_src, icmpv6_code and nd_sll, in
 * prerequisite order whatever the order of the line; dec_ttl on IPv6. */
static void test_ipv6_match_bytes(void **state)
{
    (void) state;
    static const uint8_t want[] = {
        FLOW_MOD_HEAD(176, 0, 110),
        0, 1, 0, 89,
        0x80, 0x00, 0x00, 0x04, 0, 0, 0, 1,    /* in_port */
        0x80, 0x00, 0x08, 0x06, 0x02, 0x0a, 0x70, 0x3a, 0x01, 0x9c,
        0x80, 0x00, 0x0a, 0x02, 0x86, 0xdd,
        0x80, 0x00, 0x14, 0x01, 58,
        0x80, 0x00, 0x35, 0x20,                /* ipv6_src, masked */
        0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0, 0, 0, 0, 0, 0, 0, 0,
        0x80, 0x00, 0x3a, 0x01, 135,
        0x80, 0x00, 0x3c, 0x01, 0,             /* icmpv6_code */
        0x80, 0x00, 0x40, 0x06, 0x02, 0x0a, 0x70, 0x3a, 0x01, 0x9c, /* sll */
        0, 0, 0, 0, 0, 0, 0,
        0, 4, 0, 32, 0, 0, 0, 0,
        0, 24, 0, 8, 0, 0, 0, 0,               /* dec_ttl */
        0, 0, 0, 16, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0,
    };

    expect_bytes("cookie=0x1,table=0,priority=110,in_port=1,icmp6,"
                 "nd_sll=02:0a:70:3a:01:9c,icmpv6_code=0,"
                 "dl_src=02:0a:70:3a:01:9c,ipv6_src=fe80::/64,"
                 "icmpv6_type=135 actions=dec_ttl,output:2", want,
                 sizeof want);
}

/* tcp6 with a /128 (no mask), and the shorthand "ipv6"; drop is no
 * instruction at all. */
static void test_ipv6_shorthands(void **state)
{
    (void) state;
    static const uint8_t tcp6[] = {
        FLOW_MOD_HEAD(96, 30, 1),
        0, 1, 0, 41,
        0x80, 0x00, 0x0a, 0x02, 0x86, 0xdd,
        0x80, 0x00, 0x14, 0x01, 6,
        0x80, 0x00, 0x36, 0x10,                /* ipv6_dst, exact */
        0xfd, 0, 0, 0x20, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
        0x80, 0x00, 0x1c, 0x02, 0, 80,         /* tcp_dst */
        0, 0, 0, 0, 0, 0, 0,
    };
    static const uint8_t ipv6[] = {
        FLOW_MOD_HEAD(80, 40, 1),
        0, 1, 0, 30,
        0x80, 0x00, 0x0a, 0x02, 0x86, 0xdd,
        0x80, 0x00, 0x36, 0x10,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
        0, 0,
    };

    expect_bytes("cookie=0x1,table=30,priority=1,tcp6,"
                 "ipv6_dst=fd00:20:1::10/128,tp_dst=80 actions=drop", tcp6,
                 sizeof tcp6);
    expect_bytes("cookie=0x1,table=40,priority=1,ipv6,ipv6_dst=::1 "
                 "actions=drop", ipv6, sizeof ipv6);
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
    /* IPv6 */
    expect_err("table=0,priority=1,ipv6,ipv6_dst=fd00::/0 actions=drop",
               "bad value \"fd00::/0\" for ipv6_dst");
    expect_err("table=0,priority=1,ipv6,ipv6_src=fd00::g actions=drop",
               "bad value \"fd00::g\" for ipv6_src");
    expect_err("table=0,priority=1,ipv6,ipv6_src=10.0.0.1 actions=drop",
               "bad value \"10.0.0.1\" for ipv6_src");
    expect_err("table=0,priority=1,icmp6,nd_reserved=1 actions=drop",
               "unknown match field \"nd_reserved\"");
    expect_err("table=0,priority=1,icmp6,icmpv6_type=256 actions=drop",
               "bad value \"256\" for icmpv6_type");
    expect_err("table=0,priority=1,icmp6,ip actions=drop",
               "\"ip\" contradicts an earlier match");
    expect_err("table=0,priority=1 actions=set_field:fd00::/64->ipv6_src",
               "bad value in \"set_field:fd00::/64->ipv6_src\"");
    expect_err("table=0,priority=1 actions=set_field:0x100->nd_options_type",
               "bad value in \"set_field:0x100->nd_options_type\"");
    expect_err("table=0,priority=1 actions=move:NXM_NX_IPV6_SRC[]->"
               "NXM_OF_ETH_DST[]", "bad action \"move:NXM_NX_IPV6_SRC[]->"
               "NXM_OF_ETH_DST[]\"");
    expect_err("table=0,priority=1 actions=resubmit(1,11)",
               "unknown action \"resubmit(1,11)\"");
    expect_err("table=0,priority=1 actions=resubmit(,255)",
               "bad action \"resubmit(,255)\"");
    expect_err("table=0,priority=1 actions=resubmit(,11",
               "bad action \"resubmit(,11\"");
    expect_err("table=0,priority=1 actions=resubmit(,11)x",
               "bad action \"resubmit(,11)x\"");
    expect_err("table=0,priority=1 actions=output:1,,drop",
               "unknown action \"\"");
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

/* The controller's messages: SET_CONFIG and PACKET_OUT byte for byte
 * (both decoded as meant by 'ovs-ofctl ofp-parse'), GET_CONFIG_REPLY and
 * a PACKET_IN read back, its in_port among other match fields. */
static void test_controller_messages(void **state)
{
    (void) state;
    struct ofp_buf b = { 0 };
    static const uint8_t config[] = { 0x05, 9, 0, 12, 0, 0, 0, 3,
                                      0, 1, 0xff, 0xff };
    ofp_put_set_config(&b, 3, 1, 0xffff);
    assert_int_equal(b.len, sizeof config);
    assert_memory_equal(b.data, config, sizeof config);
    free(b.data);

    uint16_t flags = 0;
    uint8_t reply[] = { 0x05, 8, 0, 12, 0, 0, 0, 3, 0, 2, 0, 0x80 };
    assert_true(ofp_get_config_reply(reply, sizeof reply, &flags));
    assert_int_equal(flags, 2);
    assert_false(ofp_get_config_reply(reply, 11, &flags));
    reply[1] = 9;
    assert_false(ofp_get_config_reply(reply, sizeof reply, &flags));

    static const uint8_t out[] = {
        0x05, 13, 0, 45, 0, 0, 0, 4,            /* PACKET_OUT, xid 4 */
        0xff, 0xff, 0xff, 0xff,                 /* no buffer */
        0xff, 0xff, 0xff, 0xfd,                 /* in_port CONTROLLER */
        0, 16, 0, 0, 0, 0, 0, 0,                /* actions_len, pad */
        0, 0, 0, 16, 0, 0, 0, 7, 0, 0,          /* output:7, max_len 0 */
        0, 0, 0, 0, 0, 0,
        'f', 'r', 'a', 'm', 'e'
    };
    b = (struct ofp_buf) { 0 };
    ofp_put_packet_out(&b, 4, 7, (const uint8_t *) "frame", 5);
    assert_int_equal(b.len, sizeof out);
    assert_memory_equal(b.data, out, sizeof out);
    free(b.data);

    uint8_t in[] = {
        0x05, 10, 0, 55, 0, 0, 0, 0,            /* PACKET_IN */
        0xff, 0xff, 0xff, 0xff, 0, 5, 1, 10,    /* no buffer, len, ACTION,
                                                 * table 10 */
        0xaa, 0x55, 0xf0, 0xee, 0, 0, 0, 7,     /* cookie */
        0, 1, 0, 20,                            /* OXM match, 20 bytes */
        0x00, 0x01, 0x00, 0x04, 0xaa, 0x55, 0xf0, 0xee, /* NXM reg0 */
        0x80, 0x00, 0x00, 0x04, 0, 0, 0, 9,     /* in_port 9 */
        0, 0, 0, 0,                             /* pad to 8 */
        0, 0,                                   /* pad */
        'f', 'r', 'a', 'm', 'e'
    };
    struct ofp_packet_in pin;
    assert_true(ofp_packet_in(in, sizeof in, &pin));
    assert_int_equal(pin.in_port, 9);
    assert_true(pin.cookie == UINT64_C(0xaa55f0ee00000007));
    assert_int_equal(pin.len, 5);
    assert_memory_equal(pin.data, "frame", 5);
    /* Cut short (the message says more), a match longer than the message
     * (the lengths agree), a field past the match, no in_port, not a
     * packet-in. */
    assert_false(ofp_packet_in(in, 40, &pin));
    in[3] = 48;
    in[27] = 28; /* padded to 32: past the 48 bytes */
    assert_false(ofp_packet_in(in, 48, &pin));
    in[3] = 55;
    in[27] = 21;
    assert_false(ofp_packet_in(in, sizeof in, &pin));
    in[27] = 12; /* only reg0 */
    assert_false(ofp_packet_in(in, sizeof in, &pin));
    in[27] = 20;
    in[31] = 0x10; /* reg0 says 16 bytes: past the match */
    assert_false(ofp_packet_in(in, sizeof in, &pin));
    in[31] = 4;
    assert_true(ofp_packet_in(in, sizeof in, &pin)); /* control */
    in[1] = OFPT_PACKET_OUT;
    assert_false(ofp_packet_in(in, sizeof in, &pin));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_drop_flow_bytes),
        cmocka_unit_test(test_match_and_actions),
        cmocka_unit_test(test_bundle_add),
        cmocka_unit_test(test_nd_stage1_bytes),
        cmocka_unit_test(test_nd_stage2_bytes),
        cmocka_unit_test(test_ipv6_match_bytes),
        cmocka_unit_test(test_ipv6_shorthands),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_error_text),
        cmocka_unit_test(test_echo_reply),
        cmocka_unit_test(test_controller_messages),
    };
    return cmocka_run_group_tests_name("ofp", tests, NULL, NULL);
}
