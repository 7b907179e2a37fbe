/* Pure OpenFlow 1.4 encoding of ovsgw's flow lines (flows.h), so that the
 * daemon can talk to ovs-vswitchd over one connection instead of spawning
 * ovs-ofctl for every change.  No I/O.
 *
 * Only the subset of ovs-ofctl's flow syntax that flows.c and policy.c
 * write is understood; anything else is an error that names the token.
 * test/check-golden.sh checks every golden flow against ovs-ofctl: the
 * messages encoded here, decoded by 'ovs-ofctl ofp-parse', must print the
 * same flows as 'ovs-ofctl parse-flows' prints for the text. */
#ifndef OVSGW_OFP_H
#define OVSGW_OFP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OFP_VERSION 0x05 /* OpenFlow 1.4 */

enum ofp_type {
    OFPT_HELLO = 0,
    OFPT_ERROR = 1,
    OFPT_ECHO_REQUEST = 2,
    OFPT_ECHO_REPLY = 3,
    OFPT_GET_CONFIG_REQUEST = 7,
    OFPT_GET_CONFIG_REPLY = 8,
    OFPT_SET_CONFIG = 9,
    OFPT_PACKET_IN = 10,
    OFPT_PACKET_OUT = 13,
    OFPT_FLOW_MOD = 14,
    OFPT_MULTIPART_REQUEST = 18,
    OFPT_MULTIPART_REPLY = 19,
    OFPT_BARRIER_REQUEST = 20,
    OFPT_BARRIER_REPLY = 21,
    OFPT_BUNDLE_CONTROL = 33,
    OFPT_BUNDLE_ADD_MESSAGE = 34,
};

enum ofp_bundle_ctrl {
    OFPBCT_OPEN_REQUEST = 0,
    OFPBCT_OPEN_REPLY = 1,
    OFPBCT_COMMIT_REQUEST = 4,
    OFPBCT_COMMIT_REPLY = 5,
    OFPBCT_DISCARD_REQUEST = 6,
    OFPBCT_DISCARD_REPLY = 7,
};

#define OFPBF_ATOMIC 1
#define OFPBF_ORDERED 2

#define OFP_HEADER_LEN 8

/* A growable byte buffer.  Zero-initialise; free 'data'. */
struct ofp_buf {
    uint8_t *data;
    size_t len;
    size_t cap;
};

/* Appends a message that is only a header (HELLO, BARRIER_REQUEST, ...). */
void ofp_put_simple(struct ofp_buf *b, uint8_t type, uint32_t xid);

/* Appends an ECHO_REPLY answering 'request' (a whole ECHO_REQUEST message
 * of 'len' bytes). */
void ofp_put_echo_reply(struct ofp_buf *b, const uint8_t *request,
                        size_t len);

/* Appends a BUNDLE_CONTROL message. */
void ofp_put_bundle_ctrl(struct ofp_buf *b, uint32_t xid, uint32_t bundle_id,
                         uint16_t ctrl, uint16_t flags);

/* Appends the FLOW_MOD for one flow line: "cookie=...,table=...,
 * priority=...,MATCH actions=ACTIONS" adds a flow, "delete cookie=C/M"
 * deletes every flow whose cookie matches.  Returns NULL, or a malloc'd
 * message naming what is not understood ('b' is then unchanged). */
char *ofp_put_flow_mod(struct ofp_buf *b, const char *line, uint32_t xid);

/* Like ofp_put_flow_mod(), wrapped in a BUNDLE_ADD_MESSAGE for
 * 'bundle_id' (inner and outer xid are the same, as OpenFlow requires). */
char *ofp_put_bundle_add(struct ofp_buf *b, const char *line, uint32_t xid,
                         uint32_t bundle_id, uint16_t flags);

/* Statistics of flows: OFPMP_FLOW lists them, OFPMP_AGGREGATE counts. */
enum ofp_multipart_type {
    OFPMP_FLOW = 1,
    OFPMP_AGGREGATE = 2,
};
#define OFPMPF_REPLY_MORE 1
#define OFPTT_ALL 0xff

/* Appends a MULTIPART_REQUEST of 'type' (OFPMP_FLOW or OFPMP_AGGREGATE)
 * for the flows of 'table' (OFPTT_ALL: every table) whose cookie matches
 * 'cookie' under 'cookie_mask'. */
void ofp_put_flow_stats_request(struct ofp_buf *b, uint32_t xid,
                                uint16_t type, uint8_t table,
                                uint64_t cookie, uint64_t cookie_mask);

/* The multipart type and flags of the MULTIPART_REPLY 'p' of 'len' bytes.
 * Returns false if it is too short. */
bool ofp_multipart_reply(const uint8_t *p, size_t len, uint16_t *ret_type,
                         uint16_t *ret_flags);

/* The flow count of an OFPMP_AGGREGATE reply.  Returns false if it is
 * malformed. */
bool ofp_aggregate_flows(const uint8_t *p, size_t len, uint32_t *ret);

/* What ovsgw reads of a flow in an OFPMP_FLOW reply. */
struct ofp_flow_head {
    uint8_t table;
    uint16_t priority;
    uint64_t cookie;
};

/* Appends the flows of the OFPMP_FLOW reply 'p' of 'len' bytes to
 * '*heads' (malloc'd, '*n' of them).  Returns false if it is malformed. */
bool ofp_flow_heads(const uint8_t *p, size_t len, struct ofp_flow_head **heads,
                    size_t *n);

/* Header fields of the message at 'p' (at least OFP_HEADER_LEN bytes). */
uint8_t ofp_msg_type(const uint8_t *p);
uint16_t ofp_msg_len(const uint8_t *p);
uint32_t ofp_msg_xid(const uint8_t *p);

/* Describes the OFPT_ERROR message 'p' of 'len' bytes, e.g. "bad match
 * (type 4, code 9)".  Returns a malloc'd string. */
char *ofp_error_text(const uint8_t *p, size_t len);

/* ---- packets to and from the controller ---------------------------- */

/* SET_CONFIG: the bridge's fragment handling 'flags', and 'miss_send_len'
 * bytes of each packet sent to the controller.  ovs-vswitchd sends a
 * connection to a bridge's management socket no packet-in until it sets a
 * nonzero one. */
void ofp_put_set_config(struct ofp_buf *b, uint32_t xid, uint16_t flags,
                        uint16_t miss_send_len);

/* Reads the flags of a GET_CONFIG_REPLY; false if 'p' is not one. */
bool ofp_get_config_reply(const uint8_t *p, size_t len, uint16_t *ret_flags);

/* PACKET_OUT of 'len' bytes of 'data', from the controller, out of the
 * OpenFlow port 'port'. */
void ofp_put_packet_out(struct ofp_buf *b, uint32_t xid, uint32_t port,
                        const uint8_t *data, size_t len);

struct ofp_packet_in {
    uint32_t in_port;    /* its match's in_port */
    uint64_t cookie;     /* of the flow that sent it */
    const uint8_t *data; /* the packet, inside the message */
    size_t len;
};

/* Reads a PACKET_IN.  False if 'p' is not a well-formed packet-in with an
 * in_port. */
bool ofp_packet_in(const uint8_t *p, size_t len, struct ofp_packet_in *ret);

#endif
