#!/bin/bash
# Integration tests: a private ovsdb-server/ovs-vswitchd (netdev, TSO on)
# and a private dockerd, the daemon on a test-only driver name, real
# containers.  Prints "N passed, N failed" and exits non-zero on failure.
# Usage: run.sh [TEST...]   (default: every test in t_*.sh)
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)

if [ "$(id -u)" -ne 0 ]; then
    echo "integration tests skipped: they need root (sudo make test)"
    exit 0
fi

. "$HERE/env.sh"
. "$HERE/lib.sh"
export -f tns
for f in "$HERE"/t_*.sh; do
    . "$f"
done

OVSGW_BIN=${OVSGW_BIN:-$TOP/build/ovsgw}
OVSGW_UDPCAT=${OVSGW_UDPCAT:-$TOP/build/udpcat}
OVSGW_TCPCAT=${OVSGW_TCPCAT:-$TOP/build/tcpcat}
DRIVER=ovsgw-test-$$
export DRIVER
SOCK=/run/docker/plugins/$DRIVER.sock
OVSGW_PID=

# start_ovsgw [ARG...]: the daemon, with extra arguments if any.
start_ovsgw() {
    # exec, so that $! is the daemon itself (nsenter execs it too).
    (exec ${OVSGW_NETNS:+nsenter --net="$OVSGW_NETNS" --} \
        "$OVSGW_BIN" --socket "$SOCK" --ovsdb "unix:$OVSDB_SOCK" \
        --ovs-rundir "$OVS_RUNDIR" --log-level debug "$@" \
        >>"$OVSGW_T/ovsgw.log" 2>&1) &
    OVSGW_PID=$!
    local i
    # Wait for an answer: a socket file may be left by a killed daemon.
    for i in $(seq 100); do
        curl -sf --unix-socket "$SOCK" -X POST http://x/Plugin.Activate \
            >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "ovsgw did not start; its log:"
    cat "$OVSGW_T/ovsgw.log"
    return 1
}

# kill_ovsgw: kill -9, as a crash would.
kill_ovsgw() {
    kill -KILL "$OVSGW_PID" 2>/dev/null
    wait "$OVSGW_PID" 2>/dev/null
    OVSGW_PID=
}

stop_ovsgw() {
    if [ -n "$OVSGW_PID" ]; then
        kill "$OVSGW_PID" 2>/dev/null
        wait "$OVSGW_PID" 2>/dev/null
        OVSGW_PID=
    fi
    rm -f "$SOCK"
}

# ovsgw-test: the busybox image plus udpcat and tcpcat.
build_test_image() {
    local c
    c=$(dk create ovsgw-busybox true) &&
        dk cp "$OVSGW_UDPCAT" "$c:/bin/udpcat" &&
        dk cp "$OVSGW_TCPCAT" "$c:/bin/tcpcat" &&
        dk commit "$c" ovsgw-test >/dev/null &&
        dk rm "$c" >/dev/null
}

cleanup() {
    set +e
    reset_docker 2>/dev/null
    stop_ovsgw
    env_cleanup
}
trap cleanup EXIT

# OVS, containerd and dockerd run in a network namespace of their own, so
# that the userspace datapath cannot clash with an OVS already on the host.
export OVSGW_USE_NETNS=1
env_init
echo "integration: private environment in $OVSGW_T, driver $DRIVER"
ovs_start || { echo "FAIL: cannot start a private OVS"; exit 1; }
docker_start || { echo "FAIL: cannot start a private dockerd"; exit 1; }
busybox_image || { echo "FAIL: cannot build the busybox image"; exit 1; }
build_test_image || { echo "FAIL: cannot build the test image"; exit 1; }
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
        "$OVSGW_T/ovsgw.log" | head -60
    tail -n 40 "$OVSGW_T/ovsgw.log"
fi
# A sanitizer report in the daemon's log fails the run.
if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error' \
    "$OVSGW_T/ovsgw.log"; then
    echo "FAIL: sanitizer report in the ovsgw log:"
    grep -A30 -E 'ERROR: (Address|Leak)Sanitizer|runtime error' \
        "$OVSGW_T/ovsgw.log" | head -60
    FAILED=$((FAILED + 1))
fi
echo "integration: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
