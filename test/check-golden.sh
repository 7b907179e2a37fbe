#!/bin/bash
# Every golden flow file must be accepted by Open vSwitch's own parser, and
# ovsgw's OpenFlow encoding of it (flows/ofp.c, via $OFP_ENCODE) must decode
# to exactly what ovs-ofctl makes of the text.
set -euo pipefail
enc=${OFP_ENCODE:?path of the ofp_encode tool}
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/golden"
n=0
for f in *.flows; do
    if ! out=$(ovs-ofctl -O OpenFlow14 parse-flows "$f" 2>&1); then
        echo "golden: $f: ovs-ofctl parse-flows failed: $out" >&2
        exit 1
    fi
    # parse-flows prints two lines about protocols, then one per message.
    if ! diff -u <(tail -n +3 <<<"$out") <("$enc" <"$f" | ovs-ofctl ofp-parse -); then
        echo "golden: $f: OpenFlow encoding differs from ovs-ofctl's" >&2
        exit 1
    fi
    n=$((n + 1))
done
# Deletions are not flows parse-flows reads: compare with a reviewed dump.
if ! diff -u ofp-deletes.txt <("$enc" <ofp-deletes.in | ovs-ofctl ofp-parse -); then
    echo "golden: ofp-deletes: OpenFlow encoding changed" >&2
    exit 1
fi
echo "golden: $n file(s) accepted by ovs-ofctl parse-flows, same as ovsgw's OpenFlow encoding; deletes as reviewed"
# The IPv6 flows in a live ovs-vswitchd (says SKIPPED without root or OVS).
bash "$here/check-ipv6-flows.sh"
