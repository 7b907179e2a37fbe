#!/bin/bash
# Every golden flow file must be accepted by Open vSwitch's own parser.
set -euo pipefail
cd "$(dirname "$0")/golden"
n=0
for f in *.flows; do
    if ! out=$(ovs-ofctl -O OpenFlow14 parse-flows "$f" 2>&1); then
        echo "golden: $f: ovs-ofctl parse-flows failed: $out" >&2
        exit 1
    fi
    n=$((n + 1))
done
echo "golden: $n file(s) accepted by ovs-ofctl parse-flows"
