#!/bin/bash
# test/kernel/guest.sh - runs inside the qemu guest of test/kernel/run.sh
# (under docker-init as PID 1, root = the host's root read-only with an
# overlay on tmpfs).  It loads the OVS kernel module before anything starts
# ovs-vswitchd, then, by KERNEL_MODE, runs on the system datapath either
#   test   the integration suite (test/integration/run.sh), or
#   bench  the benchmarks (bench/run.sh, scaled down for emulation),
# watches every bridge's datapath_type and the kernel datapath's upcall
# counters while it runs, writes its verdict to $OUT/result and powers the
# guest off.
#
# $OUT (the run directory, writable, shared by the host) holds guest.env
# (KERNEL_MODE, REPO, KERNEL_TESTS, SUITE_TIMEOUT, OVSGW_BIN, OVSGW_UDPCAT,
# BENCH_*, ...) and gets:
#   result      KEY=VALUE lines, DONE=1 last (see result())
#   suite.log   the suite's or the benchmark's output
#   bridges     every Bridge row seen: name,datapath_type
#   dpctl       "uptime hit missed lost" samples of ovs-dpctl show
#   timing      test: "uptime test" at the start of each test
#   raw/        bench: bench/run.sh's raw results (BENCH_RAW), from which
#               the host writes the page
#   logs/       the daemons' logs (ovsgw, dockerd, containerd, OVS)
set -euo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8
OUT=/run/ovsgw-out
# shellcheck source=/dev/null
. "$OUT/guest.env"

PASSED=0
FAILED=0
FAILED_NAMES=()
WATCH_PID=
SUITE_RC=
: >"$OUT/result.tmp"

uptime_s() { cut -d' ' -f1 /proc/uptime; }
say() { echo "ovsgw-guest: $*"; }
result() { printf '%s=%q\n' "$1" "$2" >>"$OUT/result.tmp"; }

# check DESCRIPTION COMMAND...: a guest-level check, counted with the
# suite's.
check() {
    local desc=$1
    shift
    if "$@"; then
        PASSED=$((PASSED + 1))
        printf '  ok    %s\n' "$desc"
    else
        FAILED=$((FAILED + 1))
        FAILED_NAMES+=("guest: $desc")
        printf '  FAIL  %s\n' "$desc"
    fi
}

finish() {
    local rc=$?
    set +e
    if [ -n "$WATCH_PID" ]; then
        kill "$WATCH_PID" 2>/dev/null
        wait "$WATCH_PID" 2>/dev/null
    fi
    result GUEST_RC "$rc"
    result PASSED "$PASSED"
    result FAILED "$FAILED"
    result FAILED_NAMES "$(printf '%s\n' "${FAILED_NAMES[@]}")"
    result UPTIME "$(uptime_s)"
    echo DONE=1 >>"$OUT/result.tmp"
    mv "$OUT/result.tmp" "$OUT/result"
    sync
    say "done (exit $rc), powering off"
    busybox poweroff -f
}
trap finish EXIT

# fatal MESSAGE: the suite cannot run; the host reports it loudly.
fatal() {
    say "FATAL: $*"
    result FATAL "$*"
    exit 1
}

mkdir -p /dev/pts /dev/shm /dev/mqueue
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=1777 shm /dev/shm
mount -t mqueue mqueue /dev/mqueue
mount -t cgroup2 cgroup2 /sys/fs/cgroup || fatal "cannot mount cgroup2"
# What udev would add to devtmpfs: bash's <(...) needs /dev/fd.
ln -sfn /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
hostname ovsgw-guest
ip link set lo up
result GUEST_BOOT_S "$(uptime_s)"
say "booted: kernel $(uname -r), $(nproc) CPUs, $(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo) MiB, after $(uptime_s) s"

# Before anything starts ovs-vswitchd: a datapath created through the
# module's autoload left ovs-vswitchd without handler threads (every
# upcall lost; see the recipe's pitfalls).
modprobe openvswitch || fatal "modprobe openvswitch failed"
[ -d /sys/module/openvswitch ] || fatal "no /sys/module/openvswitch after modprobe"
check "openvswitch loaded before ovs-vswitchd starts ($(modinfo -n openvswitch))" \
    test -d /sys/module/openvswitch

# OVSGW_KEEP: the suite's directory stays (in the guest's tmpfs) so that
# its logs can go to $OUT/logs; the benchmark's private environment uses
# the same directory (env_init private takes $OVSGW_T).
export OVSGW_DATAPATH=system OVSGW_TSO=false OVSGW_T=/tmp/ovsgw-t.kernel OVSGW_KEEP=1
export OVSGW_BIN OVSGW_UDPCAT
[ -z "${OVSGW_LEAK_CYCLES:-}" ] || export OVSGW_LEAK_CYCLES

# watcher: every bridge row that ovsdb-server reports (ovsdb-client monitor,
# again after each restart of the server), and the kernel datapath's
# counters once a second while it exists.
watcher() {
    local sock=$OVSGW_T/ovs/db.sock ns=$OVSGW_T/ns/net mon=
    trap '[ -z "$mon" ] || kill "$mon" 2>/dev/null; exit 0' TERM
    while :; do
        if [ -S "$sock" ] && { [ -z "$mon" ] || ! kill -0 "$mon" 2>/dev/null; }; then
            ovsdb-client monitor "unix:$sock" Open_vSwitch Bridge \
                name,datapath_type --format=csv >>"$OUT/bridges.raw" 2>/dev/null &
            mon=$!
        fi
        if [ -e "$ns" ]; then
            nsenter --net="$ns" ovs-dpctl show 2>/dev/null |
                awk -v t="$(uptime_s)" '/lookups:/ {
                    for (i = 2; i <= NF; i++) { split($i, kv, ":"); v[kv[1]] = kv[2] }
                    print t, v["hit"], v["missed"], v["lost"] }' >>"$OUT/dpctl"
        fi
        sleep 1
    done
}
: >"$OUT/bridges.raw"
: >"$OUT/dpctl"
watcher &
WATCH_PID=$!

# stamp: the suite's output to the console and suite.log, and the guest's
# uptime at each test's start to $OUT/timing ("uptime name"; "end" last).
stamp() {
    local line
    : >"$OUT/suite.log"
    : >"$OUT/timing"
    while IFS= read -r line; do
        printf '%s\n' "$line"
        printf '%s\n' "$line" >>"$OUT/suite.log"
        case $line in
        "== test_"*) echo "$(uptime_s) ${line#== }" >>"$OUT/timing" ;;
        "integration: "*" passed, "*) echo "$(uptime_s) end" >>"$OUT/timing" ;;
        esac
    done
}

# stop_watcher, then the daemons' logs to $OUT/logs.
collect() {
    local f
    kill "$WATCH_PID" 2>/dev/null || true
    wait "$WATCH_PID" 2>/dev/null || true
    WATCH_PID=
    mkdir -p "$OUT/logs"
    for f in ovsgw.log ovsgw-b.log dockerd.log containerd/containerd.log \
        ovs/ovs-vswitchd.log ovs/ovsdb-server.log; do
        [ ! -f "$OVSGW_T/$f" ] || cp "$OVSGW_T/$f" "$OUT/logs/"
    done
}

# The integration suite, KERNEL_TESTS (all if empty), with its own counts
# added to the guest's.
run_suite() {
    local tests ran missing line t0 t names sp sf
    read -ra tests <<<"${KERNEL_TESTS:-}"
    say "integration suite on the system datapath: ${tests[*]:-every test}"
    t0=$(uptime_s)
    set +e
    timeout -k 30 "${SUITE_TIMEOUT:-3000}" \
        bash "$REPO/test/integration/run.sh" "${tests[@]}" 2>&1 | stamp
    SUITE_RC=${PIPESTATUS[0]}
    set -e
    result SUITE_S "$(echo "$(uptime_s) - $t0" | bc)"
    result SETUP_S "$(awk -v t0="$t0" 'NR == 1 { print int($1 - t0) }' "$OUT/timing")"
    result SUITE_RC "$SUITE_RC"
    collect

    line=$(grep -E '^integration: [0-9]+ passed, [0-9]+ failed' "$OUT/suite.log" | tail -n1 || true)
    if [ -n "$line" ]; then
        read -r _ sp _ sf _ <<<"$line"
        PASSED=$((PASSED + sp))
        FAILED=$((FAILED + sf))
        mapfile -t names < <(sed -n '/^failed:$/,/^ovsgw log/p' "$OUT/suite.log" |
            sed -n 's/^  //p')
        FAILED_NAMES+=("${names[@]}")
    fi
    check "the suite finished (exit $SUITE_RC${line:+, $line})" test -n "$line"
    [ "$SUITE_RC" != 124 ] || FAILED_NAMES+=("guest: suite killed after ${SUITE_TIMEOUT:-3000} s")

    mapfile -t ran < <(sed -n 's/^== \(test_[A-Za-z0-9_]*\)$/\1/p' "$OUT/suite.log")
    result TESTS_RAN "${ran[*]}"
    missing=()
    for t in "${tests[@]}"; do
        [[ " ${ran[*]} " == *" $t "* ]] || missing+=("$t")
    done
    check "every test asked for ran${missing[*]:+ (not run: ${missing[*]})}" \
        test "${#missing[@]}" -eq 0 -a "${#ran[@]}" -gt 0
}

# The benchmarks on the system datapath, scaled down for emulation (the
# host's BENCH_* variables, passed in guest.env, take precedence); the raw
# results go to $OUT/raw, from which the host writes the page.
run_bench() {
    local t0 v
    for v in $(compgen -v BENCH_); do
        export "${v?}"
    done
    # Under emulation (and a host that other runs share) a docker run takes
    # 10-20 s, an ovs-docker cycle about 20 s and each endpoint added to
    # the attach network about 2-3 s: 1000 endpoints would take the whole
    # run alone, so the attach counts stop at 100 (the page says so), the
    # fresh mode (--pool 0) is left out, and the rounds are fewer.
    : "${BENCH_ONLY:=throughput latency rr http attach}"
    : "${BENCH_COUNTS:=1 100}" "${BENCH_ATTACH_MODES:=spare}"
    : "${BENCH_ATTACH_ROUNDS:=4}" "${BENCH_ATTACH_PER_ROUND:=6}" "${BENCH_ECHOES:=20}"
    : "${BENCH_IPERF_SECONDS:=3}" "${BENCH_IPERF_REPS:=4}"
    : "${BENCH_SVC_ROUNDS:=2}" "${BENCH_PING_COUNT:=50}" "${BENCH_PING_INTERVAL:=0.02}"
    : "${BENCH_RR_REQUESTS:=1000}" "${BENCH_HTTP_SECONDS:=2}"
    export BENCH_ONLY BENCH_COUNTS BENCH_ATTACH_MODES BENCH_ATTACH_ROUNDS \
        BENCH_ATTACH_PER_ROUND BENCH_ECHOES BENCH_IPERF_SECONDS BENCH_IPERF_REPS \
        BENCH_SVC_ROUNDS BENCH_PING_COUNT BENCH_PING_INTERVAL BENCH_RR_REQUESTS \
        BENCH_HTTP_SECONDS
    # The page is the host's to write (bench/report.sh, from the raw
    # results).
    export BENCH_RAW=$OUT/raw BENCH_REPORT=0
    # The private environment stays in the guest's tmpfs for its logs.
    export BENCH_KEEP=1 BENCH_ATTACH
    say "benchmarks on the system datapath: $BENCH_ONLY (counts $BENCH_COUNTS)"
    : >"$OUT/suite.log"
    t0=$(uptime_s)
    set +e
    timeout -k 30 "${SUITE_TIMEOUT:-3000}" bash "$REPO/bench/run.sh" 2>&1 |
        tee -a "$OUT/suite.log"
    SUITE_RC=${PIPESTATUS[0]}
    set -e
    result SUITE_S "$(echo "$(uptime_s) - $t0" | bc)"
    result SUITE_RC "$SUITE_RC"
    collect
    check "bench/run.sh finished (exit $SUITE_RC)" test "$SUITE_RC" = 0
    [ "$SUITE_RC" != 124 ] || FAILED_NAMES+=("guest: benchmark killed after ${SUITE_TIMEOUT:-3000} s")
    check "bench/run.sh wrote its raw results" \
        test -s "$OUT/raw/machine" -a -s "$OUT/raw/parts"
    check "the benchmark ran on the system datapath" \
        grep -qx 'datapath=system' "$OUT/raw/machine"
}

case ${KERNEL_MODE:-test} in
test) run_suite ;;
bench) run_bench ;;
*) fatal "KERNEL_MODE=$KERNEL_MODE: want test or bench" ;;
esac

# Every bridge of the run (ovsgw's and the tests' or the benchmark's own):
# datapath system.  ovsdb-client's CSV: row,action,name,datapath_type.
awk -F, '$2 ~ /^(initial|insert|new)$/ { gsub(/"/, ""); print $3 "," $4 }' \
    "$OUT/bridges.raw" | sort -u >"$OUT/bridges"
n_br=$(wc -l <"$OUT/bridges")
not_system=$(awk -F, '$2 != "system"' "$OUT/bridges" | tr '\n' ' ')
result DATAPATH_TYPES "$(cut -d, -f2 "$OUT/bridges" | sort | uniq -c | awk '{print $2 ": " $1}' | tr '\n' ' ')"
check "every bridge ($n_br seen) has datapath_type system${not_system:+ (not: $not_system)}" \
    test "$n_br" -gt 0 -a -z "$not_system"

# Upcalls: none lost in any sample of the kernel datapath.
n_dp=$(wc -l <"$OUT/dpctl")
lost_max=$(awk 'BEGIN { m = 0 } $4 > m { m = $4 } END { print m }' "$OUT/dpctl")
result DPCTL_SAMPLES "$n_dp"
result LOST_MAX "$lost_max"
result MISSED_MAX "$(awk 'BEGIN { m = 0 } $3 > m { m = $3 } END { print m }' "$OUT/dpctl")"
result HIT_MAX "$(awk 'BEGIN { m = 0 } $2 > m { m = $2 } END { print m }' "$OUT/dpctl")"
check "ovs-dpctl show sampled $n_dp times while the run lasted" test "$n_dp" -gt 0
check "no upcall lost (ovs-dpctl show: lost max $lost_max)" test "$lost_max" = 0
