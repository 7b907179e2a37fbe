/* One fuzz target for everything ovsgw parses from untrusted input.  The
 * first byte picks the parser, the rest is its input:
 *   0 CreateNetwork body     1 CreateEndpoint body   2 any call's IDs
 *   3 driver options (JSON)  4 TCP rules (text)      5 HTTP routing
 * Whatever parses is also turned into flows, so that generation sees odd
 * but valid models.  Built with libFuzzer by 'make fuzz'; the unit test
 * test_fuzz replays the committed corpus and past crashes through it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../flows/flows.h"
#include "../../flows/policy.h"
#include "../../plugin/http.h"
#include "../../plugin/options.h"
#include "../../plugin/request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void flows_of(const struct policy *p, const struct flows_subnet *s,
                     size_t n)
{
    struct flows_network net = { .tag = 1, .n_subnets = n, .subnets = s,
                                 .policy = p,
                                 .gateway_mac = { 2, 0, 0, 0, 0, 1 } };
    struct flows_endpoint ep = { .id = 1, .ip = 0x0a000002, .ofport = 1,
                                 .mac = { 2, 0, 0, 0, 0, 2 } };
    free(flows_network(&net));
    free(flows_endpoint(&net, &ep));
    if (p) {
        free(policy_format(p));
    }
}

static unsigned echo(void *ud, const json_t *req, json_t **ret)
{
    (void) ud;
    *ret = json_deep_copy(req);
    return 200;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct http_route routes[] = { { "/Echo", echo } };
    if (size < 1) {
        return 0;
    }
    unsigned sel = data[0] % 6;
    char *text = strndup((const char *) data + 1, size - 1);
    json_t *j = json_loadb((const char *) data + 1, size - 1, 0, NULL);
    char *err = NULL;

    switch (sel) {
    case 0: {
        struct request_network n;
        err = request_parse_network(j, &n);
        if (!err) {
            struct options o;
            char *e2 = options_parse(n.generic, &o);
            flows_of(e2 ? NULL : &o.policy, n.subnets, n.n_subnets);
            free(e2);
        }
        break;
    }
    case 1: {
        struct request_endpoint e;
        err = request_parse_endpoint(j, &e);
        break;
    }
    case 2: {
        struct request_ids ids;
        err = request_parse_ids(j, data[0] & 0x80, &ids);
        break;
    }
    case 3: {
        struct options o;
        err = options_parse(j, &o);
        if (!err) {
            flows_of(&o.policy, NULL, 0);
        }
        break;
    }
    case 4: {
        struct policy p = { .default_deny = data[0] & 0x80 };
        err = policy_parse_rules("ovsgw.tcp.rules", text, &p);
        if (!err) {
            flows_of(&p, NULL, 0);
        }
        break;
    }
    default: {
        char *body = NULL;
        http_dispatch(routes, 1, NULL, data[0] & 0x80 ? "GET" : "POST",
                      "/Echo", (const char *) data + 1, size - 1, &body);
        free(body);
        break;
    }
    }
    free(err);
    json_decref(j);
    free(text);
    return 0;
}
