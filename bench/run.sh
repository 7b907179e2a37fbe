#!/bin/bash
# bench/run.sh - `sudo make bench`: ovsgw's benchmarks, each a ratio against
# a baseline measured in the same run, written to docs/benchmarks.md with a
# plot (docs/benchmarks.png).  Benchmarks are not tests (not in make test).
#
#   1 attach     CreateEndpoint+Join+Leave+DeleteEndpoint on the plugin
#                socket (bench/attach.c, keep-alive HTTP, no process per
#                request) vs `ovs-docker add-port` + `del-port`, with 1, 100
#                and 1000 endpoints already on the network, in two modes:
#                "spare" (the daemon's defaults: an attach takes over the
#                spare port the last detach left) and "fresh" (the daemon
#                restarted with --pool 0: every attach creates a veth and
#                an OVS port, every detach deletes them); per N also the
#                building blocks: the OpenFlow echo round trip to the
#                bridge (bench/attach.c echo), ovs-vsctl add-port/del-port
#                and a veth deletion
#   2 start      `docker run --rm` on an ovsgw network vs Docker's bridge
#                driver vs --net none, interleaved
#   3 throughput iperf3 between two containers: ovsgw same subnet and routed
#                vs one netdev OVS bridge with a single actions=NORMAL flow
#                vs a Linux bridge vs a bare veth pair, interleaved
#   4 scale      flow count (checked against a formula) and daemon RSS with
#                1000 endpoints, 4 subnets and 10 TCP rules (measured along
#                with 1)
#   5 latency    ping RTT      } on four setups: ovsgw same subnet, ovsgw
#   6 rr         redis-benchmark } routed, Docker's bridge driver, one OVS
#   7 http       nginx + wrk   } bridge with a NORMAL flow (bench/services.sh)
#   8 nat        NAT and published ports (-p), ovsgw vs the bridge driver,
#                throughput, redis and HTTP from and to a namespace
#                "outside"; `docker run --rm -p`
#   9 ipv6       iperf3 over IPv6 vs IPv4 on one dual-stack ovsgw network
#
# The parts run in the order throughput, latency, rr, http, ipv6, nat,
# start, attach: the datapath ones before attach leaves 1000 ports on the
# switch (ovs-vswitchd polls every port).  Each part's duration and the
# load average before and after it are recorded: the machine may be
# shared, which is why every figure is a ratio within one run.
#
# Everything runs in a private environment (the private profile of
# scripts/lib/env.sh: own ovsdb-server/ovs-vswitchd on the userspace
# datapath, own containerd and dockerd, all in a private network namespace),
# torn down at exit.
#
# Environment (defaults in brackets, quick mode BENCH_QUICK=1 in braces):
#   OVSGW_BIN, OVSGW_UDPCAT      the daemon [build/ovsgw], udpcat (unused)
#   BENCH_ATTACH                 bench/attach.c built [beside OVSGW_BIN: build/bench/attach]
#   BENCH_QUICK=1                fewer repetitions, for a try run
#   BENCH_ONLY="rr http"         a subset of: attach start throughput
#                                latency rr http nat ipv6 [all]; a subset
#                                writes build/bench/benchmarks.md and .png
#                                unless BENCH_OUT/BENCH_PLOT say otherwise
#   BENCH_COUNTS                 endpoints already there ["1 100 1000"]
#   BENCH_ATTACH_ROUNDS          ovs-docker cycles per count and mode [20]
#                                {5}; each round is one ovs-docker cycle
#   BENCH_ATTACH_PER_ROUND       followed by a block of this many ovsgw
#                                cycles [10] {6}
#   BENCH_ATTACH_MODES           the attach modes measured ["spare fresh"]
#   BENCH_ECHOES                 OpenFlow echoes per count [20]
#   BENCH_START_RUNS             docker run --rm per network [30] {6}
#   BENCH_IPERF_SECONDS          length of one iperf3 run [3] {2}
#   BENCH_IPERF_REPS             iperf3 runs per setup [6] {2}
#   BENCH_SVC_ROUNDS             rounds of latency, rr and http [3] {1}
#   BENCH_PING_COUNT             probes per setup and round [150] {50}
#   BENCH_PING_INTERVAL          seconds between probes [0.01]
#   BENCH_RR_REQUESTS            redis-benchmark requests per test with 1
#                                client [6000] {2000}; 16 clients: 4 times
#   BENCH_HTTP_SECONDS           length of one wrk run [2] {1}
#   BENCH_NAT_REPS, BENCH_NAT_SECONDS   nat repetitions [3] {1}, seconds
#                                of one iperf3 run there [2] {1} (wrk: half)
#   BENCH_START_P_RUNS           docker run --rm -p per network [12] {4}
#   BENCH_V6_REPS, BENCH_V6_SECONDS     ipv6 iperf3 runs per setup [4] {1},
#                                seconds [2] {1}
#   BENCH_OUT, BENCH_PLOT        [docs/benchmarks.md] [docs/benchmarks.png]
#   BENCH_KEEP=1                 keep the raw data (and $OVSGW_T) at exit
#   BENCH_RAW=DIR                the raw data in DIR (made, and kept) instead
#                                of a temporary directory
#   BENCH_REPORT=0               no page: the raw data only (with BENCH_RAW)
#   OVSGW_DATAPATH               datapath of every ovsgw network and OVS
#                                bridge the benchmark makes [system if the
#                                OVS kernel module is loaded, else netdev,
#                                as the daemon's own choice]
#
# `bench/run.sh deps` only installs what the benchmarks need (iperf3,
# gnuplot, redis-tools, wrk, nginx unpacked), for a run where nothing can
# be installed (the kernel guest of `make bench-kernel`).
# shellcheck disable=SC2317,SC2015  # functions called through traps; a && b || die
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
T_START=$SECONDS

if [ "$(id -u)" -ne 0 ]; then
    echo "bench: needs root (sudo make bench)" >&2
    exit 1
fi

# shellcheck source=scripts/lib/env.sh
. "$TOP/scripts/lib/env.sh"

# The datapath the benchmark runs on, picked as the daemon picks it.
if [ -z "${OVSGW_DATAPATH:-}" ]; then
    OVSGW_DATAPATH=netdev
    [ -d /sys/module/openvswitch ] && OVSGW_DATAPATH=system
fi
case $OVSGW_DATAPATH in
system | netdev) export OVSGW_DATAPATH ;;
*) echo "bench: OVSGW_DATAPATH=$OVSGW_DATAPATH: want system or netdev" >&2; exit 1 ;;
esac
DP=$OVSGW_DATAPATH

QUICK=${BENCH_QUICK:-0}
q() { if [ "$QUICK" = 1 ]; then echo "$2"; else echo "$1"; fi; }
PARTS="throughput latency rr http ipv6 nat start attach"
ONLY=${BENCH_ONLY:-$PARTS}
COUNTS=${BENCH_COUNTS:-1 100 1000}
ATTACH_ROUNDS=${BENCH_ATTACH_ROUNDS:-$(q 20 5)}
ATTACH_PER_ROUND=${BENCH_ATTACH_PER_ROUND:-$(q 10 6)}
ATTACH_MODES=${BENCH_ATTACH_MODES:-spare fresh}
ECHOES=${BENCH_ECHOES:-20}
START_RUNS=${BENCH_START_RUNS:-$(q 30 6)}
IPERF_SECONDS=${BENCH_IPERF_SECONDS:-$(q 3 2)}
IPERF_REPS=${BENCH_IPERF_REPS:-$(q 6 2)}

DRIVER=ovsgw-bench-$$
# The daemon restores every network and endpoint from OVSDB before it
# listens: 1-2 s with 1000 endpoints.
OVSGW_START_TIMEOUT=60
OVSGW_LOG_LEVEL=info
OVSGW_MODE=spare   # the running daemon's attach mode (see ovsgw_mode)
HAVE=0             # endpoints on the attach network
CTL=               # ovs-vswitchd's unixctl socket
OD_CTR=bench-od-$$
BENCH_IMAGE=ovsgw-bench
if [ -n "${BENCH_RAW:-}" ]; then       # raw results
    rm -rf --one-file-system "$BENCH_RAW" && mkdir -p "$BENCH_RAW" || exit 1
    R=$(cd "$BENCH_RAW" && pwd)
else
    R=$(mktemp -d /tmp/ovsgw-bench.XXXXXX)
fi
# The C tools of bench/, built by the Makefile beside the daemon; nginx
# unpacked from its Debian package (bench/services.sh).
ATTACH=${BENCH_ATTACH:-$(dirname "$OVSGW_BIN")/bench/attach}
BENCH_PKG=$(dirname "$ATTACH")/pkg
# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"
# shellcheck source=bench/services.sh
. "$HERE/services.sh"

die() { log "ERROR: $*"; exit 1; }
want() { [[ " $ONLY " == *" $1 "* ]]; }
# A subset does not overwrite the page of the last full run.
FULL=1
for p in $PARTS; do want "$p" || FULL=0; done
if [ $FULL = 1 ]; then
    OUT=${BENCH_OUT:-$TOP/docs/benchmarks.md}
    PLOT=${BENCH_PLOT:-$TOP/docs/benchmarks.png}
else
    OUT=${BENCH_OUT:-$(dirname "$ATTACH")/benchmarks.md}
    PLOT=${BENCH_PLOT:-$(dirname "$ATTACH")/benchmarks.png}
fi

# ------------------------------------------------------------------ setup

cleanup() {
    local rc=$?
    set +e
    trap '' INT TERM
    log "cleaning up"
    # ovs-docker's own netns link, should it have been killed mid-way.
    if [ -n "${OD_PID:-}" ] && [ -L "/var/run/netns/$OD_PID" ]; then
        rm -f "/var/run/netns/$OD_PID"
    fi
    if [ -n "${OVSGW_T:-}" ] && [ -d "$OVSGW_T" ]; then
        [ "${BENCH_KEEP:-0}" = 1 ] && cp "$OVSGW_T"/ovsgw.log "$R/" 2>/dev/null
        # Containers and networks first, while ovsgw still answers dockerd
        # (without it, dockerd retries the plugin for every endpoint).
        # The servers of bench/services.sh first: they hold namespaces.
        svc_stop_all
        if [ -n "$OVSGW_PID" ] && "$DOCKER" info >/dev/null 2>&1; then
            local ids
            ids=$(timeout 20 "$DOCKER" ps -aq 2>/dev/null)
            # shellcheck disable=SC2086
            [ -z "$ids" ] || timeout 60 "$DOCKER" rm -f $ids >/dev/null 2>&1
            timeout 30 "$DOCKER" network rm bench-ovsgw bench-bridge bench-tp bench-svc \
                bench-svcb bench-nat bench-natb bench-v6 >/dev/null 2>&1
        fi
        outside_down
        # The other endpoints and bridges go with OVS and the namespace.
        stop_ovsgw
        OVSGW_KEEP=${BENCH_KEEP:-0} env_cleanup || log "env_cleanup reported leftovers"
    fi
    bench_results_done
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# ------------------------------------------------------- 1+4: attach, scale

hex64() { od -An -N32 -tx1 /dev/urandom | tr -d ' \n'; }

# The ten TCP rules of the scale network; two are port ranges.
SCALE_RULES="allow 10.40.0.0/24->10.40.1.0/24:80, allow 10.40.0.0/24->10.40.1.0/24:443, \
deny 10.40.3.0/24->10.40.0.0/24, allow any->10.40.2.0/24:8000-8099, \
allow any->10.40.1.10:22, deny 10.40.2.0/24->10.40.3.0/24:5432, \
allow 10.40.1.0/24->10.40.2.0/24:6379, allow any->any:53, \
allow 10.40.3.0/24->10.40.1.0/24:80-90, allow any->10.40.0.0/24:1024-2047"
SCALE_SUBNETS=4
# The attach cycles alternate between two addresses that the 1000 filled
# endpoints (10.40.S.2-251) and ovs-docker's container (.253) leave free:
# with spare ports, each cycle takes over the port of the one before and
# gives it another MAC, as another container would.
CYCLE_ADDRS=${BENCH_CYCLE_ADDRS:-10.40.3.252/24,10.40.3.254/24}

# Number of tp_dst=value/mask flows that cover LO-HI: the fewest aligned
# blocks (an independent re-implementation, for the formula).
port_cover() {
    local cur=$1 end=$2 n=0 size
    while [ "$cur" -le "$end" ]; do
        if [ "$cur" -eq 0 ]; then size=65536; else size=$((cur & -cur)); fi
        while [ $((cur + size - 1)) -gt "$end" ]; do size=$((size / 2)); done
        cur=$((cur + size))
        n=$((n + 1))
    done
    echo "$n"
}

# Policy flows of SCALE_RULES with default deny.
policy_flow_count() {
    local p=0 rule ports
    local IFS=,
    for rule in $SCALE_RULES; do
        ports=${rule##*:}
        if [[ $rule != *:* ]]; then
            p=$((p + 1))
        elif [[ $ports == *-* ]]; then
            p=$((p + $(port_cover "${ports%-*}" "${ports#*-}")))
        else
            p=$((p + 1))
        fi
    done
    echo $((p + 1))
}

rss_kib() { awk -v k="$2" '$1 == k":" { print $2 }' "/proc/$1/status"; }

# "N FLOWS RSS PEAK_RSS" for bridge $1 with $HAVE endpoints (KiB).
scale_line() {
    echo "$HAVE $(flow_count "$1" --no-stats) $(rss_kib "$OVSGW_PID" VmRSS) $(rss_kib "$OVSGW_PID" VmHWM)"
}

# One ovs-docker add-port + del-port on bridge $1; prints "total add del" in
# microseconds.
od_cycle() {
    local t0 t1 t2
    t0=$(now_ns)
    tns env PATH="$R/shim:$PATH" ovs-docker add-port "$1" eth1 "$OD_CTR" \
        --ipaddress=10.40.3.253/24 >>"$R/ovs-docker.log" 2>&1 || return 1
    t1=$(now_ns)
    tns env PATH="$R/shim:$PATH" ovs-docker del-port "$1" eth1 "$OD_CTR" \
        >>"$R/ovs-docker.log" 2>&1 || return 1
    t2=$(now_ns)
    echo "$(((t2 - t0) / 1000)) $(((t1 - t0) / 1000)) $(((t2 - t1) / 1000))"
}

# timed OUT NAME CMD...: runs CMD, appends "NAME MICROSECONDS" to OUT.
timed() {
    local out=$1 name=$2 t0 t1
    shift 2
    t0=$(now_ns)
    "$@" || return 1
    t1=$(now_ns)
    echo "$name $(((t1 - t0) / 1000))" >>"$out"
}

# Building blocks on bridge $1, each timed with ovs-vswitchd idle first;
# lines "what microseconds" to $2.  5 times each (including a process
# start): OVS's port add and delete of a veth (ovs-vsctl waits until
# ovs-vswitchd has reconfigured) and the kernel's deletion of a veth pair.
# While that veth is on the bridge the first time, the OpenFlow round trip
# ($ECHOES echoes over one connection to the bridge's management socket,
# in-process: the least that any flow change confirmed by OVS costs at this
# N), and the same 1 ms after a MAC change of the veth's other end (as
# CreateEndpoint makes on a spare).
components() {
    local br=$1 out=$2 i mgmt=$OVS_RUNDIR/$1.mgmt
    for ((i = 0; i < 5; i++)); do
        tns ip link add "bvd$$" type veth peer name "bve$$" || return 1
        tns ip link set "bvd$$" up || return 1
        ovs_quiesce
        timed "$out" vsctl-add ovs-vsctl --timeout=60 add-port "$br" "bvd$$" || return 1
        if [ "$i" = 0 ]; then
            ovs_quiesce
            tns "$ATTACH" "$mgmt" echo "$ECHOES" "$CTL" | sed 's/^/of-echo /' >>"$out" &&
                tns "$ATTACH" "$mgmt" echo "$ECHOES" "$CTL" "bve$$" |
                sed 's/^/of-echo-link /' >>"$out" || return 1
        fi
        timed "$out" vsctl-del ovs-vsctl --timeout=60 del-port "$br" "bvd$$" || return 1
        ovs_quiesce
        timed "$out" veth-del tns ip link del "bvd$$" || return 1
    done
}

# Waits until ovs-vswitchd's main loop is idle (done with any
# reconfiguration a previous step caused); untimed.
ovs_quiesce() {
    sleep 0.01
    ovs-appctl -T 60 -t ovs-vswitchd version >/dev/null
}

# ovsgw_mode MODE: the daemon in attach mode MODE, restarted unless it
# runs in it already: "spare" is its defaults (DeleteEndpoint keeps the
# port as a spare, CreateEndpoint takes it over), "fresh" is --pool 0.
ovsgw_mode() {
    [ "$OVSGW_MODE" = "$1" ] && return 0
    local flags=() t0 ms
    [ "$1" = fresh ] && flags=(--pool 0)
    t0=$(now_ns)
    stop_ovsgw
    start_ovsgw "${flags[@]}" || die "ovsgw did not start again in $1 mode"
    ms=$((($(now_ns) - t0) / 1000000))
    OVSGW_MODE=$1
    echo "$HAVE $1 $ms $(rss_kib "$OVSGW_PID" VmRSS) $(rss_kib "$OVSGW_PID" VmHWM)" \
        >>"$R/attach/restarts"
    log "attach: daemon restarted in $1 mode (${flags[*]:-default flags}), answering after $ms ms"
}

# attach_rounds MODE NETID BRIDGE: the timed rounds with ovsgw in MODE at
# $HAVE endpoints, to $R/attach/{ovsgw,od,rounds}-MODE-$HAVE.
attach_rounds() {
    local mode=$1 net=$2 br=$3 r od
    local f=$R/attach/ovsgw-$mode-$HAVE o=$R/attach/od-$mode-$HAVE
    local rounds=$R/attach/rounds-$mode-$HAVE
    ovsgw_mode "$mode"
    # Warm-up, not recorded; in fresh mode it also uses up the spare that
    # the other mode left.
    od_cycle "$br" >/dev/null || die "ovs-docker failed: $(tail -n 5 "$R/ovs-docker.log")"
    "$ATTACH" "$OVSGW_SOCK" cycle "$net" 5 "$CYCLE_ADDRS" "$CTL" >/dev/null ||
        die "attach cycle failed"
    : >"$f"
    : >"$o"
    : >"$rounds"
    for ((r = 1; r <= ATTACH_ROUNDS; r++)); do
        ovs_quiesce
        od=$(od_cycle "$br") || die "ovs-docker failed: $(tail -n 5 "$R/ovs-docker.log")"
        echo "$od" >>"$o"
        "$ATTACH" "$OVSGW_SOCK" cycle "$net" "$ATTACH_PER_ROUND" "$CYCLE_ADDRS" "$CTL" \
            >"$R/attach/block" || die "attach cycle failed"
        cat "$R/attach/block" >>"$f"
        echo "${od%% *} $(median_col1 <"$R/attach/block")" >>"$rounds"
    done
    log "attach: N=$HAVE $mode: ovsgw median $(median_col1 <"$f") us," \
        "ovs-docker median $(median_col1 <"$o") us"
}

bench_attach() {
    local net br n i subnets="" rules_json line
    net=$(hex64)
    br=ovsgw-${net:0:9}
    for ((i = 0; i < SCALE_SUBNETS; i++)); do
        subnets+="${subnets:+,}{\"AddressSpace\":\"LocalDefault\",\"Gateway\":\"10.40.$i.1/24\",\"Pool\":\"10.40.$i.0/24\"}"
    done
    rules_json=$(printf '%s' "$SCALE_RULES" | sed 's/"/\\"/g')
    "$ATTACH" "$OVSGW_SOCK" call /NetworkDriver.CreateNetwork \
        "{\"NetworkID\":\"$net\",\"Options\":{\"com.docker.network.enable_ipv6\":false,\"com.docker.network.generic\":{\"ovsgw.datapath\":\"$DP\",\"ovsgw.tcp.rules\":\"$rules_json\",\"ovsgw.tcp.default\":\"deny\"}},\"IPv4Data\":[$subnets],\"IPv6Data\":[]}" \
        >/dev/null || die "CreateNetwork failed"
    mkdir -p "$R/attach"
    echo "$SCALE_SUBNETS $(policy_flow_count)" >"$R/attach/scale-params"
    scale_line "$br" >"$R/attach/scale"

    # ovs-docker's container, and a `docker` in PATH that is Debian's CLI.
    mkdir -p "$R/shim"
    ln -sf "$DOCKER" "$R/shim/docker"
    dk run -d --name "$OD_CTR" --net none ovsgw-busybox sleep 1d >/dev/null ||
        die "cannot start the ovs-docker container"
    OD_PID=$(dk inspect -f '{{.State.Pid}}' "$OD_CTR")
    # Every timed cycle starts with ovs-vswitchd idle (see bench/attach.c).
    CTL=$OVS_RUNDIR/ovs-vswitchd.$(cat "$OVS_RUNDIR/ovs-vswitchd.pid").ctl

    for n in $COUNTS; do
        log "attach: $HAVE -> $n endpoints on $br"
        local t0=$SECONDS
        "$ATTACH" "$OVSGW_SOCK" fill "$net" "$HAVE" "$n" 10.40 "$SCALE_SUBNETS" ||
            die "creating endpoints failed"
        echo "$HAVE $n $((SECONDS - t0))" >>"$R/attach/fill"
        HAVE=$n
        log "attach: $n endpoints there (filled in $((SECONDS - t0))s)"
        # Spare first, on the daemon that has run since the previous N: the
        # scale figures are for endpoints created, not restored from OVSDB
        # (a restart's figures are taken apart, in ovsgw_mode).
        [[ " $ATTACH_MODES " != *" spare "* ]] || attach_rounds spare "$net" "$br"
        line=$(scale_line "$br")
        echo "$line" >>"$R/attach/scale"
        log "attach: N=$n: flows, RSS, peak RSS: ${line#* }"
        if [[ " $ATTACH_MODES " == *" fresh "* ]]; then
            attach_rounds fresh "$net" "$br"
            # Back to the default flags: the restart restores N endpoints.
            ovsgw_mode spare
        fi
        components "$br" "$R/attach/comp-$n" || die "component timing failed"
        log "attach: N=$n: OpenFlow echo median" \
            "$(awk '$1 == "of-echo" { print $2 }' "$R/attach/comp-$n" | median_col1) us, after" \
            "a veth change $(awk '$1 == "of-echo-link" { print $2 }' "$R/attach/comp-$n" | median_col1) us"
    done
    dk rm -f "$OD_CTR" >/dev/null
}

# ------------------------------------------------------- 2: container start

bench_start() {
    local i net nets t0 t1
    dk network create -d "$DRIVER" -o ovsgw.datapath="$DP" --subnet 10.41.0.0/24 --gateway 10.41.0.1 \
        bench-ovsgw >/dev/null || die "cannot create the ovsgw network"
    dk network create -d bridge --subnet 10.42.0.0/24 --gateway 10.42.0.1 \
        bench-bridge >/dev/null || die "cannot create the bridge network"
    : >"$R/start"
    # Warm-up (image layers, driver discovery), not recorded.
    for net in bench-ovsgw bench-bridge none; do
        dk run --rm --net "$net" ovsgw-busybox true 2>>"$R/docker-run.log" ||
            die "docker run on $net failed: $(tail -n 3 "$R/docker-run.log")"
    done
    for ((i = 1; i <= START_RUNS; i++)); do
        # Rotate the order so that no network always goes first.
        case $((i % 3)) in
        0) nets="bench-ovsgw bench-bridge none" ;;
        1) nets="bench-bridge none bench-ovsgw" ;;
        2) nets="none bench-ovsgw bench-bridge" ;;
        esac
        for net in $nets; do
            t0=$(now_ns)
            dk run --rm --net "$net" ovsgw-busybox true 2>>"$R/docker-run.log" ||
                die "docker run on $net failed: $(tail -n 3 "$R/docker-run.log")"
            t1=$(now_ns)
            echo "$i ${net#bench-} $(((t1 - t0) / 1000))" >>"$R/start"
        done
    done
    dk network rm bench-ovsgw bench-bridge >/dev/null
    log "start: $START_RUNS runs each; medians (us):" \
        "$(for net in ovsgw bridge none; do printf '%s %s ' "$net" \
            "$(awk -v n=$net '$2 == n { print $3 }' "$R/start" | median_col1)"; done)"
}

# ---------------------------------------------------------- 3: throughput

ctr_pid() { dk inspect -f '{{.State.Pid}}' "$1"; }

# veth_into CONTAINER HOSTIF ADDRESS/PLEN: a veth pair whose peer becomes
# eth0 of CONTAINER (started with --net none); HOSTIF stays in our netns.
veth_into() {
    local pid
    pid=$(ctr_pid "$1") || return 1
    tns ip link add "$2" type veth peer name "$2c" &&
        tns ip link set "$2c" netns "$pid" &&
        nsenter -t "$pid" -n ip link set "$2c" name eth0 &&
        nsenter -t "$pid" -n ip addr add "$3" dev eth0 &&
        nsenter -t "$pid" -n ip link set eth0 up &&
        tns ip link set "$2" up
}

# iperf_once CLIENT SERVER_IP: receiver Mbit/s of one run.
iperf_once() {
    local out
    out=$(dk exec "$1" iperf3 -c "$2" -t "$IPERF_SECONDS" -O 1 -f m 2>&1) || {
        echo "$out" >>"$R/iperf.log"
        return 1
    }
    echo "$out" >>"$R/iperf.log"
    iperf_mbits <<<"$out"
}

bench_throughput() {
    local c brn=obn$$ lbr=olb$$ pa pb i v
    brn=${brn:0:15}
    lbr=${lbr:0:15}
    # ovsgw: two subnets; server and a client in 10.43.1.0/24, a client in
    # 10.43.2.0/24 (routed by the flows through the virtual gateway).
    dk network create -d "$DRIVER" -o ovsgw.datapath="$DP" --subnet 10.43.1.0/24 --gateway 10.43.1.1 \
        --subnet 10.43.2.0/24 --gateway 10.43.2.1 bench-tp >/dev/null ||
        die "cannot create the ovsgw throughput network"
    dk run -d --name tp-srv --net bench-tp --ip 10.43.1.10 "$BENCH_IMAGE" sleep 1d >/dev/null &&
        dk run -d --name tp-same --net bench-tp --ip 10.43.1.11 "$BENCH_IMAGE" sleep 1d >/dev/null &&
        dk run -d --name tp-routed --net bench-tp --ip 10.43.2.11 "$BENCH_IMAGE" sleep 1d >/dev/null ||
        die "cannot start the ovsgw containers"
    # The baselines: containers with --net none, wired by hand.
    for c in nrm-srv nrm-cli lb-srv lb-cli ve-srv ve-cli; do
        dk run -d --name "$c" --net none "$BENCH_IMAGE" sleep 1d >/dev/null ||
            die "cannot start $c"
    done
    # Same OVS, same datapath, one flow: actions=NORMAL.
    normal_bridge "$brn" nrm-srv nrm-cli 10.44.0 || die "cannot build the NORMAL bridge"
    # Linux bridge.
    tns ip link add "$lbr" type bridge && tns ip link set "$lbr" up &&
        veth_into lb-srv "bl$$a" 10.45.0.1/24 && veth_into lb-cli "bl$$b" 10.45.0.2/24 &&
        tns ip link set "bl$$a" master "$lbr" && tns ip link set "bl$$b" master "$lbr" ||
        die "cannot build the Linux bridge"
    # Bare veth pair between the two containers.
    pa=$(ctr_pid ve-srv) && pb=$(ctr_pid ve-cli) &&
        tns ip link add "bv$$a" type veth peer name "bv$$b" &&
        tns ip link set "bv$$a" netns "$pa" && tns ip link set "bv$$b" netns "$pb" &&
        nsenter -t "$pa" -n ip addr add 10.46.0.1/24 dev "bv$$a" &&
        nsenter -t "$pb" -n ip addr add 10.46.0.2/24 dev "bv$$b" &&
        nsenter -t "$pa" -n ip link set "bv$$a" up &&
        nsenter -t "$pb" -n ip link set "bv$$b" up ||
        die "cannot build the veth pair"

    for c in tp-srv nrm-srv lb-srv ve-srv; do
        dk exec -d "$c" iperf3 -s >/dev/null || die "iperf3 -s in $c failed"
    done
    sleep 1
    # setup client server-address
    local setups=("ovs-normal nrm-cli 10.44.0.1" "ovsgw-same tp-same 10.43.1.10"
        "ovsgw-routed tp-routed 10.43.1.10" "linux-bridge lb-cli 10.45.0.1"
        "veth ve-cli 10.46.0.1")
    local s name cli ip k n=${#setups[@]}
    # Reachability first (and ARP/MAC learning), not timed.
    for s in "${setups[@]}"; do
        read -r name cli ip <<<"$s"
        dk exec "$cli" ping -c1 -W2 "$ip" >/dev/null ||
            dk exec "$cli" ping -c2 -W2 "$ip" >/dev/null || die "$name: $cli cannot reach $ip"
    done
    : >"$R/tp"
    dp_stats "throughput: before"
    for ((i = 1; i <= IPERF_REPS; i++)); do
        for ((k = 0; k < n; k++)); do
            # ABBA: forward in odd repetitions, backward in even ones, so
            # that ovs-normal and ovsgw are always measured side by side
            # and a drift over time does not favour either.
            if ((i % 2)); then s=${setups[$k]}; else s=${setups[$((n - 1 - k))]}; fi
            read -r name cli ip <<<"$s"
            v=$(iperf_once "$cli" "$ip") || die "iperf3 $name failed: $(tail -n 5 "$R/iperf.log")"
            echo "$i $name $v" >>"$R/tp"
            log "throughput: rep $i $name $v Mbit/s"
        done
    done
    dp_stats "throughput: after"
    dk rm -f tp-srv tp-same tp-routed nrm-srv nrm-cli lb-srv lb-cli ve-srv ve-cli >/dev/null
    dk network rm bench-tp >/dev/null
    ovs-vsctl --timeout=20 --if-exists del-br "$brn"
    tns ip link del "$lbr" 2>/dev/null
}

# ------------------------------------------------------------------ main

machine_info() {
    local f=$R/machine
    {
        machine_base
        echo "datapath=$DP"
        echo "tso=$(ovs-vsctl --timeout=5 get Open_vSwitch . other_config:userspace-tso-enable 2>/dev/null | tr -d '"')"
        echo "docker=$(dk version --format '{{.Server.Version}}' 2>/dev/null)"
        echo "quick=$QUICK"
        echo "counts=$COUNTS"
        echo "attach_rounds=$ATTACH_ROUNDS"
        echo "attach_per_round=$ATTACH_PER_ROUND"
        echo "attach_modes=$ATTACH_MODES"
        echo "echoes=$ECHOES"
        echo "start_runs=$START_RUNS"
        echo "iperf_seconds=$IPERF_SECONDS"
        echo "iperf_reps=$IPERF_REPS"
        echo "svc_rounds=$SVC_ROUNDS"
        echo "ping_count=$PING_COUNT"
        echo "ping_interval=$PING_INTERVAL"
        echo "rr_requests=$RR_REQUESTS"
        echo "http_seconds=$HTTP_SECONDS"
        echo "http_conns=$HTTP_CONNS"
        echo "nat_reps=$NAT_REPS"
        echo "nat_seconds=$NAT_SECONDS"
        echo "nat_http_seconds=$NAT_HTTP_SECONDS"
        echo "start_p_runs=$START_P_RUNS"
        echo "v6_reps=$V6_REPS"
        echo "v6_seconds=$V6_SECONDS"
        echo "full=$FULL"
        echo "only=$ONLY"
        echo "load=$(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"
        echo "rules=$SCALE_RULES"
    } >"$f"
}

[ -x "$OVSGW_BIN" ] || die "$OVSGW_BIN missing (make)"
for p in $ONLY; do
    [[ " $PARTS " == *" $p "* ]] || die "BENCH_ONLY: no part '$p' (parts: $PARTS)"
done
for p in $ATTACH_MODES; do
    [[ " spare fresh " == *" $p "* ]] || die "BENCH_ATTACH_MODES: no mode '$p' (modes: spare fresh)"
done
bench_deps ""
if [ "${1:-}" = deps ]; then
    svc_deps || die "the tools of latency, rr, http and nat are missing"
    exit 0
fi
if [ ! -x "$ATTACH" ]; then
    make -s -C "$TOP" "${ATTACH#"$TOP"/}" >&2 || die "cannot build $ATTACH (make)"
fi

export OVSGW_USE_NETNS=1
env_init private >/dev/null 2>&1 || die "env_init failed"
OVSGW_SOCK=/run/docker/plugins/$DRIVER.sock
log "private environment in $OVSGW_T, driver $DRIVER, raw results in $R"
# Only in the private namespace: dockerd warns without it.
tns sysctl -qw net.ipv4.ip_forward=1 2>/dev/null || true
ovs_start || die "cannot start a private OVS"
docker_start || die "cannot start a private dockerd"
image_build "$OVSGW_IMAGE" || die "cannot build the busybox image"
start_ovsgw || die "ovsgw did not start"
machine_info

# run_part NAME FUNCTION: runs it, with its start (seconds into the run),
# duration and the load average before and after it in $R/parts.
run_part() {
    local name=$1 t0=$SECONDS l0
    l0=$(cut -d' ' -f1-3 /proc/loadavg)
    "$2"
    echo "$name $((t0 - T_START)) $((SECONDS - t0)) $l0 $(cut -d' ' -f1-3 /proc/loadavg)" >>"$R/parts"
}

part_throughput() {
    log "throughput: ${IPERF_REPS} x ${IPERF_SECONDS}s per setup"
    bench_throughput
}
part_latency() {
    log "latency: $SVC_ROUNDS rounds of $PING_COUNT pings per setup"
    bench_latency
}
part_rr() {
    log "rr: $SVC_ROUNDS rounds, $RR_REQUESTS requests per test with 1 client"
    bench_rr
}
part_http() {
    log "http: $SVC_ROUNDS rounds of ${HTTP_SECONDS}s per setup and size"
    bench_http
    svc_setups_down
}
part_ipv6() {
    log "ipv6: $V6_REPS x ${V6_SECONDS}s per setup"
    bench_ipv6
}
part_nat() {
    log "nat: $NAT_REPS repetitions; docker run --rm -p: $START_P_RUNS runs per network"
    bench_nat
}
part_start() {
    log "container start: $START_RUNS runs per network"
    bench_start
}
part_attach() {
    log "attach: counts $COUNTS, modes $ATTACH_MODES, each $ATTACH_ROUNDS rounds of 1 ovs-docker + $ATTACH_PER_ROUND ovsgw cycles"
    bench_attach
}

: >"$R/parts"
for part in $PARTS; do
    want "$part" || continue
    case $part in
    throughput | ipv6 | nat)
        if ! command -v iperf3 >/dev/null ||
            { [ "$part" = throughput ] && ! build_bench_image; }; then
            log "$part skipped (no iperf3)"
            continue
        fi
        ;;
    esac
    case $part in
    latency | rr | http | nat)
        if [ -z "$SVC_DEPS" ]; then
            SVC_DEPS=missing
            if svc_deps; then
                SVC_DEPS=ok
                svc_versions >>"$R/machine"
            fi
        fi
        if [ "$SVC_DEPS" != ok ]; then
            log "$part skipped (its tools are missing)"
            continue
        fi
        ;;
    esac
    run_part "$part" "part_$part"
done
# (Also when http was not wanted.)
svc_setups_down
log "measurements done; tearing down"
stop_ovsgw
OVSGW_KEEP=${BENCH_KEEP:-0} env_cleanup || log "env_cleanup reported leftovers"
{
    echo "elapsed=$((SECONDS - T_START))"
    echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"
} >>"$R/machine"
if [ "${BENCH_REPORT:-1}" = 0 ]; then
    log "done in $((SECONDS - T_START))s; no page (BENCH_REPORT=0), raw results in $R"
    exit 0
fi
bash "$HERE/report.sh" "$R" "$OUT" "$PLOT" || die "report failed"
log "wrote $OUT and $PLOT in $((SECONDS - T_START))s"
