#include "ndproxy.h"

#include <inttypes.h>
#include <string.h>

#include "log.h"
#include "model.h"
#include "nd.h"
#include "ofp.h"
#include "ovsgw.h"

void ndproxy_packet_in(void *ovsgw, struct ofconn *c, const uint8_t *msg,
                       size_t len)
{
    struct ovsgw *g = ovsgw;
    struct ofp_packet_in pin;
    struct nd_solicit ns;
    uint8_t mac[MAC_LEN], na[ND_NA_LEN];
    uint32_t flags;
    int r;

    if (!ofp_packet_in(msg, len, &pin) || !nd_parse_ns(pin.data, pin.len, &ns)
        || pin.in_port > INT32_MAX
        || !model_nd_answer(&g->model, ofconn_bridge(c),
                            (uint32_t) (pin.cookie >> 32), (int) pin.in_port,
                            &ns.target, mac, &flags)) {
        return; /* not for us, or for nobody: dropped, as by the flows */
    }
    nd_build_na(&ns, mac, flags, na);
    if ((r = ofconn_packet_out(c, pin.in_port, na, sizeof na)) < 0) {
        log_warn_rl(&g->rl_nd, "bridge %s: cannot answer a neighbor "
                    "solicitation on port %" PRIu32 ": %s",
                    ofconn_bridge(c), pin.in_port, strerror(-r));
    }
}
