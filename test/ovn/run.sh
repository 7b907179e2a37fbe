#!/bin/bash
# OVN harness tests: a simulated OVN deployment (scripts/lib/ovn.sh) of a
# central (NB, SB, ovn-northd) and three hosts (private OVS on the netdev
# datapath + ovn-controller), each in a network namespace of its own,
# Geneve between them; fake ports (network namespaces on br-int) for
# traffic.  Prints "N passed, N failed" and exits non-zero on failure.
# Usage: run.sh [TEST...]   (default: every test in t_*.sh, in name order)
# Environment: OVSGW_TCPCAT (default build/tcpcat), OVN_TSO (the hosts'
# userspace-tso-enable, default true), OVN_KEEP=1 (debugging: no cleanup,
# the world stays up; run.sh says how to remove it).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)

if [ "$(id -u)" -ne 0 ]; then
    echo "OVN tests skipped: they need root"
    exit 0
fi

# shellcheck source=scripts/lib/env.sh
. "$TOP/scripts/lib/env.sh"
# shellcheck source=scripts/lib/checks.sh
. "$TOP/scripts/lib/checks.sh"
# shellcheck source=scripts/lib/ovn.sh
. "$TOP/scripts/lib/ovn.sh"
# shellcheck source=test/ovn/lib.sh
. "$HERE/lib.sh"
for f in "$HERE"/t_*.sh; do
    # shellcheck source=/dev/null  # each t_*.sh is checked on its own
    . "$f"
done

cleanup() {
    set +e
    if [ "${OVN_KEEP:-0}" = 1 ]; then
        echo "OVN_KEEP=1: the world stays in $OVN_DIR; clean it with:"
        echo "  bash -c '. $TOP/scripts/lib/ovn.sh && ovn_init $OVN_DIR && ovn_cleanup'"
        return
    fi
    ovn_cleanup
}
trap cleanup EXIT

t0=$SECONDS
ovn_init "" || { echo "FAIL: cannot make the world's directory"; exit 1; }
echo "ovn: world in $OVN_DIR"
ovn_central_start || { echo "FAIL: cannot start the OVN central"; exit 1; }
for n in "${OVN_HOSTS[@]}"; do
    ovn_host_start "$n" || { echo "FAIL: cannot start host $n"; exit 1; }
done
echo "ovn: central and ${#OVN_HOSTS[@]} hosts up in $((SECONDS - t0))s"

tests=("$@")
if [ ${#tests[@]} -eq 0 ]; then
    mapfile -t tests < <(declare -F | awk '{print $3}' | grep '^test_' | sort)
fi
for t in "${tests[@]}"; do
    CURRENT_TEST=$t
    echo "== $t"
    t1=$SECONDS
    "$t"
    check "$t: nothing left behind ($((SECONDS - t1))s)" world_clean
done

CURRENT_TEST=cleanup
echo "== cleanup"
if [ "${OVN_KEEP:-0}" != 1 ]; then
    mapfile -t netns < <(world_netns)
    check "ovn_cleanup" ovn_cleanup
    check "ovn_cleanup again (idempotent)" ovn_cleanup
    check "no process, mount, network namespace (${#netns[@]}) or directory left" \
        world_gone "${netns[@]}"
fi

if [ "$FAILED" -gt 0 ]; then
    echo "failed:"
    printf '  %s\n' "${FAILED_NAMES[@]}"
fi
echo "ovn: $PASSED passed, $FAILED failed in $((SECONDS - t0))s"
[ "$FAILED" -eq 0 ]
