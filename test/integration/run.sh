#!/bin/bash
# Integration tests: a private ovsdb-server/ovs-vswitchd (netdev, TSO on)
# and a private dockerd in a network namespace of their own (the private
# profile of scripts/lib/env.sh), the daemon on a test-only driver name,
# real containers.  Prints "N passed, N failed" and exits non-zero on
# failure.
# Usage: run.sh [TEST...]   (default: every test in t_*.sh)
# Environment: OVSGW_BIN, OVSGW_UDPCAT, OVSGW_TCPCAT, OVSGW_HOLDCONNS
# (default build/ovsgw, build/udpcat, build/tcpcat, build/holdconns),
# OVSGW_SANITIZED (non-empty: the daemon has sanitizers, RSS says nothing),
# OVSGW_DATAPATH (datapath_type of the bridges the tests make themselves;
# default netdev).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)

if [ "$(id -u)" -ne 0 ]; then
    echo "integration tests skipped: they need root (sudo make test)"
    exit 0
fi

# shellcheck source=scripts/lib/env.sh
. "$TOP/scripts/lib/env.sh"
# shellcheck source=scripts/lib/checks.sh
. "$TOP/scripts/lib/checks.sh"
# shellcheck source=test/integration/lib.sh
. "$HERE/lib.sh"
for f in "$HERE"/t_*.sh; do
    # shellcheck source=/dev/null  # each t_*.sh is checked on its own
    . "$f"
done

OVSGW_HOLDCONNS=${OVSGW_HOLDCONNS:-$TOP/build/holdconns}
DRIVER=ovsgw-test-$$
export DRIVER
OVSGW_LOG_LEVEL=debug

cleanup() {
    set +e
    reset_docker 2>/dev/null
    env_cleanup
}
trap cleanup EXIT

# OVS, containerd and dockerd run in a network namespace of their own, so
# that the userspace datapath cannot clash with an OVS already on the host.
export OVSGW_USE_NETNS=1
env_init private || { echo "FAIL: cannot set up a private environment"; exit 1; }
OVSGW_SOCK=/run/docker/plugins/$DRIVER.sock
echo "integration: private environment in $OVSGW_T, driver $DRIVER"
ovs_start || { echo "FAIL: cannot start a private OVS"; exit 1; }
docker_start || { echo "FAIL: cannot start a private dockerd"; exit 1; }
image_build ovsgw-test || { echo "FAIL: cannot build the test image"; exit 1; }
start_ovsgw || exit 1

tests=("$@")
if [ ${#tests[@]} -eq 0 ]; then
    mapfile -t tests < <(declare -F | awk '{print $3}' | grep '^test_' | sort)
fi
for t in "${tests[@]}"; do
    CURRENT_TEST=$t
    echo "== $t"
    "$t"
    reset_docker
    check "$t: nothing left behind" no_leftovers
done

if [ "$FAILED" -gt 0 ]; then
    echo "failed:"
    printf '  %s\n' "${FAILED_NAMES[@]}"
    echo "ovsgw log (last 40 lines, and any sanitizer report):"
    grep -A30 -E 'ERROR: (Address|Leak)Sanitizer|runtime error' \
        "$OVSGW_LOG" | head -60
    tail -n 40 "$OVSGW_LOG"
fi
# A sanitizer report in the daemon's log fails the run.
if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error' "$OVSGW_LOG"; then
    echo "FAIL: sanitizer report in the ovsgw log:"
    grep -A30 -E 'ERROR: (Address|Leak)Sanitizer|runtime error' \
        "$OVSGW_LOG" | head -60
    FAILED=$((FAILED + 1))
fi
echo "integration: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
