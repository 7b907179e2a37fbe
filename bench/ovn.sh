#!/bin/bash
# bench/ovn.sh - `sudo make bench-ovn`: ovsgw's OVN mode in the simulated
# three-host deployment of the OVN tests (scripts/lib/ovn.sh), each figure a
# ratio against a baseline measured in the same run; bench/ovn-report.sh
# then writes docs/benchmarks-ovn.md and its plot.  Not a test.
#
#   throughput  iperf3, one TCP stream, server a container on host 1:
#               ovn-cross (client container on host 2, Geneve), ovn-same
#               (client on host 1, OVN mode), local-same (client and server
#               on a local-mode network of the same daemon), fake-cross (a
#               fake port on host 3); interleaved ABBA
#   reach       time until a new endpoint on host 2 answers pingers on host
#               3 (remote) and host 2 (same host, the baseline), for
#               `docker run -d` and for a bare OVN port (ovn_fake_port)
#   attach      CreateEndpoint+Join+Leave+DeleteEndpoint on host 1's plugin
#               socket (bench/attach.c): an OVN-mode network against a
#               local-mode one of the same daemon, with N endpoints on
#               each, the daemon with its defaults (spare) and with
#               --pool 0 (fresh); adding the endpoints is timed too
#
# The parts run in that order: the datapath ones before attach leaves
# 2N ports on host 1's ovs-vswitchd.  Everything is torn down at exit
# (the world's namespaces, processes and directory, with its NB and SB).
#
# Environment (defaults in brackets, QUICK=1 or BENCH_QUICK=1 in braces):
#   OVSGW_BIN                  the daemon [build/ovsgw]
#   BENCH_ATTACH               bench/attach.c built [beside OVSGW_BIN]
#   BENCH_OVN_COUNTS           endpoints per network ["1 100 1000"] {"1 50"}
#   BENCH_OVN_FILL_BUDGET      seconds that adding endpoints may take in
#                              all [300] {60}; counts beyond are skipped
#   BENCH_OVN_ROUNDS           rounds per count and daemon mode [8] {2}
#   BENCH_OVN_PER_ROUND        cycles per network and round [4] {2}
#   BENCH_OVN_MONITORED        OVN cycles per count under an OVSDB
#                              monitor of host 1's Interface table [10] {3}
#   BENCH_OVN_REACH            reach samples of each kind [40] {6} (<= 60)
#   BENCH_OVN_IPERF_REPS       iperf3 runs per setup [6] {2}
#   BENCH_OVN_IPERF_SECONDS    length of one run [4] {2}
#   BENCH_OVN_ONLY             a subset of "throughput reach attach"; a
#                              subset or QUICK writes build/bench/ unless
#                              BENCH_OUT/BENCH_PLOT say otherwise
#   BENCH_OUT, BENCH_PLOT      [docs/benchmarks-ovn.md] [docs/benchmarks-ovn.png]
#   BENCH_KEEP=1               keep the raw results at exit
# shellcheck disable=SC2317,SC2015,SC2031  # functions called through traps; a && b || die; on_host subshells
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
T_START=$SECONDS

# shellcheck source=scripts/lib/env.sh
. "$TOP/scripts/lib/env.sh"
# shellcheck source=scripts/lib/ovn.sh
. "$TOP/scripts/lib/ovn.sh"
# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"
need_root bench/ovn.sh bench-ovn
BENCH_TAG=bench-ovn

QUICK=${QUICK:-${BENCH_QUICK:-0}}
q() { if [ "$QUICK" = 1 ]; then echo "$2"; else echo "$1"; fi; }
PARTS="throughput reach attach"
ONLY=${BENCH_OVN_ONLY:-$PARTS}
COUNTS=${BENCH_OVN_COUNTS:-$(q "1 100 1000" "1 50")}
FILL_BUDGET=${BENCH_OVN_FILL_BUDGET:-$(q 300 60)}
FILL_CHUNK=50
ROUNDS=${BENCH_OVN_ROUNDS:-$(q 8 2)}
PER_ROUND=${BENCH_OVN_PER_ROUND:-$(q 4 2)}
MONITORED=${BENCH_OVN_MONITORED:-$(q 10 3)}
REACH=${BENCH_OVN_REACH:-$(q 40 6)}
REACH_LIMIT=15   # seconds a pinger waits for its first answer
REACH_INTERVAL=0.005
IPERF_REPS=${BENCH_OVN_IPERF_REPS:-$(q 6 2)}
IPERF_SECONDS=${BENCH_OVN_IPERF_SECONDS:-$(q 4 2)}
SUBNETS=4
BENCH_IMAGE=ovsgw-bench
ATTACH=${BENCH_ATTACH:-$(dirname "$OVSGW_BIN")/bench/attach}
# The daemon restores every endpoint from OVSDB (and NB) before it listens.
export OVSGW_START_TIMEOUT=120
# Fake ports get the MTU of ovsgw's OVN-mode endpoints.
export OVN_FAKE_MTU=1442
R=$(mktemp -d /tmp/ovsgw-bench-ovn.XXXXXX)   # raw results
PINGERS=()

die() { log "ERROR: $*"; exit 1; }
want() { [[ " $ONLY " == *" $1 "* ]]; }
FULL=1
for p in $PARTS; do want "$p" || FULL=0; done
if [ $FULL = 1 ] && [ "$QUICK" != 1 ]; then
    OUT=${BENCH_OUT:-$TOP/docs/benchmarks-ovn.md}
    PLOT=${BENCH_PLOT:-$TOP/docs/benchmarks-ovn.png}
else
    OUT=${BENCH_OUT:-$(dirname "$ATTACH")/benchmarks-ovn.md}
    PLOT=${BENCH_PLOT:-$(dirname "$ATTACH")/benchmarks-ovn.png}
fi

# -------------------------------------------------------------- the hosts

# (on a host) dockerd, the images and ovsgw with --ovn-nb and ARGS; its
# PID in $OVSGW_T/ovsgw.pid (what runs on a host runs in a subshell).
_bo_host_up() {
    docker_start >/dev/null 2>&1 || { lib_err "dockerd failed"; return 1; }
    image_build "$OVSGW_IMAGE" >/dev/null 2>&1 || { lib_err "image_build failed"; return 1; }
    build_bench_image || { lib_err "cannot build $BENCH_IMAGE"; return 1; }
    start_ovsgw --ovn-nb "$OVN_NB_REMOTE" "$@" 2>/dev/null || return 1
    echo "$OVSGW_PID" >"$OVSGW_T/ovsgw.pid"
}

# (on a host) ovsgw stopped and started again with ARGS; prints the ms
# from the start until it answers (polled every 0.1 s).
_bo_restart() {
    local t0
    OVSGW_PID=$(pidfile_pid "$OVSGW_T/ovsgw.pid") OVSGW_SOCK_OURS=1
    stop_ovsgw 2>/dev/null
    t0=$(now_ns)
    start_ovsgw --ovn-nb "$OVN_NB_REMOTE" "$@" 2>/dev/null || return 1
    echo $((($(now_ns) - t0) / 1000000))
    echo "$OVSGW_PID" >"$OVSGW_T/ovsgw.pid"
}

sock_of() { echo "/run/docker/plugins/$(driver_of "$1").sock"; }
# (on a host) the PID of a container, for nsenter.
_ctr_pid() { dk inspect -f '{{.State.Pid}}' "$1"; }

# (on a host) removes every container and ovsgw network, while ovsgw
# still answers dockerd.
_bo_host_clear() {
    local ids
    docker_up || return 0
    ids=$(timeout 20 "$DOCKER" ps -aq 2>/dev/null)
    # shellcheck disable=SC2086
    [ -z "$ids" ] || timeout 120 "$DOCKER" rm -f $ids >/dev/null 2>&1
    timeout 60 "$DOCKER" network rm bnet bloc >/dev/null 2>&1
    return 0
}

cleanup() {
    local rc=$? p
    set +e
    trap '' INT TERM
    log "cleaning up"
    for p in "${PINGERS[@]}"; do
        kill "$p" 2>/dev/null
    done
    if [ -n "${OVN_DIR:-}" ] && [ -d "$OVN_DIR" ]; then
        [ "${BENCH_KEEP:-0}" = 1 ] &&
            for p in 1 2; do cp "$(ovn_host_dir "$p")/ovsgw.log" "$R/ovsgw-h$p.log"; done 2>/dev/null
        for p in 1 2; do
            [ -e "$(ovn_host_dir "$p")/.ovsgw-env" ] && on_host "$p" _bo_host_clear
        done
        ovn_cleanup || log "ovn_cleanup reported leftovers"
    fi
    bench_results_done
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# --------------------------------------------------------- 1: throughput

# tp_once SETUP: receiver Mbit/s of one iperf3 run of SETUP (see TP_SETUPS).
declare -A TP_HOST TP_CLIENT TP_SERVER
TP_SETUPS="ovn-cross ovn-same local-same fake-cross"
TP_HOST=([ovn-cross]=2 [ovn-same]=1 [local-same]=1 [fake-cross]=3)
TP_CLIENT=([ovn-cross]=tc2 [ovn-same]=tc1 [local-same]=lc1 [fake-cross]=fk3)
TP_SERVER=([ovn-cross]=10.70.1.10 [ovn-same]=10.70.1.10 [local-same]=10.71.1.10
    [fake-cross]=10.70.1.10)

# client_exec SETUP CMD...: CMD in the client's network namespace.
client_exec() {
    local s=$1 pid
    shift
    if [ "$s" = fake-cross ]; then
        ovn_fake_exec 3 fk3 "$@"
    else
        pid=$(on_host "${TP_HOST[$s]}" _ctr_pid "${TP_CLIENT[$s]}") || return 1
        nsenter -t "$pid" -n "$@"
    fi
}

tp_once() {
    local s=$1 out
    if [ "$s" = fake-cross ]; then
        out=$(client_exec "$s" timeout 60 iperf3 -c "${TP_SERVER[$s]}" \
            -t "$IPERF_SECONDS" -O 1 -f m 2>&1)
    else
        out=$(hdk "${TP_HOST[$s]}" exec "${TP_CLIENT[$s]}" iperf3 -c \
            "${TP_SERVER[$s]}" -t "$IPERF_SECONDS" -O 1 -f m 2>&1)
    fi
    echo "$out" >>"$R/iperf.log"
    iperf_mbits <<<"$out"
}

# eth_info SETUP: "mtu=M tx-csum=on|off tso=on|off" of the client's eth0.
eth_info() {
    client_exec "$1" sh -c 'ip -o link show eth0; ethtool -k eth0 2>/dev/null' | awk '
        / mtu / { for (i = 1; i < NF; i++) if ($i == "mtu") m = "mtu=" $(i + 1) }
        $1 == "tx-checksumming:" { c = $2 }
        $1 == "tx-tcp-segmentation:" { t = $2 }
        END { printf "%s tx-csum=%s tso=%s\n", m, c == "" ? "?" : c, t == "" ? "?" : t }'
}

# The OVN network of the datapath parts, on hosts 1 and 2 with their own
# --ip-range of each subnet: 10.70.1.0/24 for throughput, 10.70.2.0/24
# for reach (fake ports take 10.70.x.64-127, which no host allocates).
bnet_up() {
    local n r1 r2
    for n in 1 2; do
        if [ "$n" = 1 ]; then r1=10.70.1.0/26 r2=10.70.2.0/26; else
            r1=10.70.1.128/25 r2=10.70.2.128/25; fi
        hdk "$n" network inspect bnet >/dev/null 2>&1 && continue
        hdk "$n" network create -d "$(driver_of "$n")" \
            --subnet 10.70.1.0/24 --gateway 10.70.1.1 --ip-range "$r1" \
            --subnet 10.70.2.0/24 --gateway 10.70.2.1 --ip-range "$r2" \
            -o ovsgw.mode=ovn -o ovsgw.ovn.name=bench bnet >/dev/null || return 1
    done
}

bench_throughput() {
    local s i k v order n
    bnet_up || die "cannot create the OVN network"
    hdk 1 network create -d "$(driver_of 1)" --subnet 10.71.1.0/24 \
        --gateway 10.71.1.1 -o ovsgw.datapath=netdev bloc >/dev/null ||
        die "cannot create the local-mode network"
    hdk 1 run -d --name ts1 --net bnet --ip 10.70.1.10 "$BENCH_IMAGE" sleep 1d >/dev/null &&
        hdk 1 run -d --name tc1 --net bnet --ip 10.70.1.11 "$BENCH_IMAGE" sleep 1d >/dev/null &&
        hdk 2 run -d --name tc2 --net bnet --ip 10.70.1.130 "$BENCH_IMAGE" sleep 1d >/dev/null &&
        hdk 1 run -d --name ls1 --net bloc --ip 10.71.1.10 "$BENCH_IMAGE" sleep 1d >/dev/null &&
        hdk 1 run -d --name lc1 --net bloc --ip 10.71.1.11 "$BENCH_IMAGE" sleep 1d >/dev/null ||
        die "cannot start the containers"
    ovn_fake_port 3 fk3 ovsgw-bench 02:70:01:00:00:40 10.70.1.64/24 10.70.1.1 ||
        die "cannot make the fake port on host 3"
    hdk 1 exec -d ts1 iperf3 -s >/dev/null && hdk 1 exec -d ls1 iperf3 -s >/dev/null ||
        die "iperf3 -s failed"
    sleep 1
    : >"$R/tp-eth"
    for s in $TP_SETUPS; do
        client_exec "$s" busybox ping -c1 -W2 "${TP_SERVER[$s]}" >/dev/null 2>&1 ||
            client_exec "$s" busybox ping -c3 -W2 "${TP_SERVER[$s]}" >/dev/null 2>&1 ||
            die "$s: ${TP_CLIENT[$s]} cannot reach ${TP_SERVER[$s]}"
        echo "$s $(eth_info "$s")" >>"$R/tp-eth"
    done
    read -ra order <<<"$TP_SETUPS"
    n=${#order[@]}
    : >"$R/tp"
    for ((i = 1; i <= IPERF_REPS; i++)); do
        for ((k = 0; k < n; k++)); do
            # ABBA: forward in odd repetitions, backward in even ones.
            if ((i % 2)); then s=${order[$k]}; else s=${order[$((n - 1 - k))]}; fi
            v=$(tp_once "$s") || die "iperf3 $s failed: $(tail -n 5 "$R/iperf.log")"
            echo "$i $s $v" >>"$R/tp"
            log "throughput: rep $i $s $v Mbit/s"
        done
    done
    hdk 1 rm -f ts1 tc1 ls1 lc1 >/dev/null && hdk 2 rm -f tc2 >/dev/null &&
        hdk 1 network rm bloc >/dev/null && ovn_fake_del 3 fk3 ||
        die "cannot remove the throughput setups"
}

# ------------------------------------------------------------- 2: reach

# The pinger: from a fake port, one ICMP echo request every INTERVAL
# seconds to DST until the first reply, then OUT gets the reply's wall
# clock in ns ("-" after LIMIT seconds without one); OUT.ready once the
# socket is open.
# shellcheck disable=SC2016
PINGER='
import os, select, socket, struct, sys, time
dst, out, limit, ival = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
ident = os.getpid() & 0xffff
def packet(seq):
    h = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + b"ovsgw-bench-ovn!"
    c = sum(struct.unpack("!%dH" % (len(h) // 2), h))
    c = (c >> 16) + (c & 0xffff); c += c >> 16
    return h[:2] + struct.pack("!H", ~c & 0xffff) + h[4:]
open(out + ".ready", "w").close()
end = time.monotonic() + limit
nxt, seq, got = time.monotonic(), 0, "-"
while got == "-" and time.monotonic() < end:
    if time.monotonic() >= nxt:
        seq = (seq + 1) & 0xffff
        try:
            s.sendto(packet(seq), (dst, 0))
        except OSError:
            pass
        nxt = max(nxt + ival, time.monotonic())
    if select.select([s], [], [], max(0.0, nxt - time.monotonic()))[0]:
        data, addr = s.recvfrom(2048)
        o = (data[0] & 15) * 4
        t, _, _, i, _ = struct.unpack("!BBHHH", data[o:o + 8])
        if t == 0 and i == ident and addr[0] == dst:
            got = str(time.time_ns())
with open(out, "w") as f:
    f.write(got + "\n")
'

# pinger_start HOST FAKE DST MAC OUT: a pinger in the background, with a
# static neighbour entry for DST (no ARP to wait for).
pinger_start() {
    rm -f "$5" "$5.ready"
    ovn_fake_exec "$1" "$2" ip neigh replace "$3" lladdr "$4" dev eth0 nud permanent ||
        return 1
    ovn_fake_exec "$1" "$2" python3 -c "$PINGER" "$3" "$5" "$REACH_LIMIT" \
        "$REACH_INTERVAL" &
    PINGERS+=($!)
}
pingers_wait() {
    local p
    for p in "${PINGERS[@]}"; do
        wait "$p"
    done
    PINGERS=()
}
pinger_got() { cat "$1" 2>/dev/null || echo -; }

# (on host 2) docker run -d, timed: prints "START END" (wall clock, ns).
_reach_run() {
    local t0 t1
    t0=$(now_ns)
    dk run -d --name "$1" --net bnet --ip "$2" --mac-address "$3" \
        "$OVSGW_IMAGE" sleep 1d >/dev/null || return 1
    t1=$(now_ns)
    echo "$t0 $t1"
}
# (on a host) external_ids:ovn-installed-ts (ms) of the Interface whose
# iface-id is $1.
_port_installed_ts() {
    ovs-vsctl --timeout=10 --bare --columns=external_ids find Interface \
        "external_ids:iface-id=$1" | grep -o 'ovn-installed-ts="\{0,1\}[0-9]*' |
        grep -o '[0-9]*$'
}
ctr_eid() { hdk "$1" inspect -f '{{(index .NetworkSettings.Networks "bnet").EndpointID}}' "$2"; }

# reach_sample KIND I: one sample; a line to $R/reach.
reach_sample() {
    local kind=$1 i=$2 ip mac ts t a3 a2 name
    if [ "$kind" = ctr ]; then
        ip=10.70.2.$((130 + i)) mac=$(printf '02:70:02:01:00:%02x' "$i") name=rc$i
    else
        ip=10.70.2.$((67 + i)) mac=$(printf '02:70:02:02:00:%02x' "$i") name=rf$i
    fi
    pinger_start 3 fr3 "$ip" "$mac" "$R/p3" && pinger_start 2 fr2 "$ip" "$mac" "$R/p2" ||
        die "cannot start the pingers"
    wait_until 10 test -e "$R/p3.ready" -a -e "$R/p2.ready" || die "the pingers did not start"
    if [ "$kind" = ctr ]; then
        t=$(on_host 2 _reach_run "$name" "$ip" "$mac") ||
            die "docker run failed: $(hdk 2 logs "$name" 2>&1 | tail -n 3)"
        ts=$(on_host 2 _port_installed_ts "ovsgw-$(ctr_eid 2 "$name")")
    else
        t="$(now_ns) -"
        ovn_fake_port 2 "$name" ovsgw-bench "$mac" "$ip/24" 10.70.2.1 ||
            die "cannot make fake port $name"
        ts=$(on_host 2 _port_installed_ts "$name")
    fi
    pingers_wait
    a3=$(pinger_got "$R/p3") a2=$(pinger_got "$R/p2")
    echo "$kind $i $t ${ts:--} $a3 $a2" >>"$R/reach"
    ovn_fake_exec 3 fr3 ip neigh del "$ip" dev eth0
    ovn_fake_exec 2 fr2 ip neigh del "$ip" dev eth0
    if [ "$kind" = ctr ]; then
        hdk 2 rm -f "$name" >/dev/null || die "cannot remove $name"
    else
        ovn_fake_del 2 "$name" || die "cannot remove fake port $name"
    fi
    ovn_nbctl --wait=hv sync >/dev/null
}

bench_reach() {
    local i
    [ "$REACH" -le 60 ] || die "BENCH_OVN_REACH: 60 at most"
    bnet_up || die "cannot create the OVN network"
    ovn_fake_port 3 fr3 ovsgw-bench 02:70:02:00:00:41 10.70.2.65/24 10.70.2.1 &&
        ovn_fake_port 2 fr2 ovsgw-bench 02:70:02:00:00:42 10.70.2.66/24 10.70.2.1 ||
        die "cannot make the pinging fake ports"
    # Warm-up (image, tunnels), not recorded.
    hdk 2 run --rm --net bnet --ip 10.70.2.129 "$OVSGW_IMAGE" true >/dev/null ||
        die "docker run on the OVN network failed"
    : >"$R/reach"
    for ((i = 1; i <= REACH; i++)); do
        reach_sample ctr "$i"
        reach_sample fake "$i"
        [ $((i % 10)) = 0 ] && log "reach: $i samples of each kind"
    done
    ovn_fake_del 3 fr3 && ovn_fake_del 2 fr2 || die "cannot remove the pingers"
}

# ------------------------------------------------------------ 3: attach

hex64() { od -An -N32 -tx1 /dev/urandom | tr -d ' \n'; }
HAVE=0           # endpoints on each attach network
CYCLES=0         # cycles so far (the address alternates)
DAEMON=spare     # the mode host 1's daemon runs in
FILL_NS=0        # time spent adding endpoints
NET_OVN=$(hex64)
NET_LOC=$(hex64)

# attach_net NETID GENERIC PREFIX: CreateNetwork on host 1's socket, with
# $SUBNETS subnets PREFIX.S.0/24 and the driver options GENERIC (JSON).
attach_net() {
    local i subnets=""
    for ((i = 0; i < SUBNETS; i++)); do
        subnets+="${subnets:+,}{\"AddressSpace\":\"LocalDefault\",\"Gateway\":\"$3.$i.1/24\",\"Pool\":\"$3.$i.0/24\"}"
    done
    "$ATTACH" "$H1_SOCK" call /NetworkDriver.CreateNetwork \
        "{\"NetworkID\":\"$1\",\"Options\":{\"com.docker.network.enable_ipv6\":false,\"com.docker.network.generic\":{$2}},\"IPv4Data\":[$subnets],\"IPv6Data\":[]}" \
        >/dev/null
}

# fill_to N: both networks up to N endpoints, in chunks of $FILL_CHUNK,
# while the fill budget lasts; status 1 if it ran out first.
fill_to() {
    local to t0 t1 t2 t3
    while [ "$HAVE" -lt "$1" ]; do
        [ $((FILL_NS / 1000000000)) -lt "$FILL_BUDGET" ] || return 1
        to=$(((HAVE / FILL_CHUNK + 1) * FILL_CHUNK))
        [ "$HAVE" = 0 ] && to=1
        [ "$to" -le "$1" ] || to=$1
        t0=$(now_ns)
        "$ATTACH" "$H1_SOCK" fill "$NET_OVN" "$HAVE" "$to" 10.50 "$SUBNETS" ||
            die "CreateEndpoint failed on the OVN network"
        t1=$(now_ns)
        "$ATTACH" "$H1_SOCK" fill "$NET_LOC" "$HAVE" "$to" 10.40 "$SUBNETS" ||
            die "CreateEndpoint failed on the local network"
        t2=$(now_ns)
        ovn_nbctl --wait=hv sync >/dev/null || die "ovn-nbctl --wait=hv sync failed"
        t3=$(now_ns)
        echo "$HAVE $to $(((t1 - t0) / 1000)) $(((t2 - t1) / 1000)) $(((t3 - t2) / 1000))" \
            >>"$R/attach/fill"
        FILL_NS=$((FILL_NS + t3 - t0))
        HAVE=$to
    done
}

# daemon_mode MODE: host 1's ovsgw with its defaults (spare) or --pool 0
# (fresh), restarted unless it runs so; the restart's time to
# $R/attach/restarts.
daemon_mode() {
    [ "$DAEMON" = "$1" ] && return 0
    local flags=() ms
    [ "$1" = fresh ] && flags=(--pool 0)
    ms=$(on_host 1 _bo_restart "${flags[@]}") || die "ovsgw did not start again ($1)"
    DAEMON=$1
    echo "$HAVE $1 $ms" >>"$R/attach/restarts"
    log "attach: daemon restarted ($1), answering after $ms ms"
}

# cycle_once NETID: one cycle, after `ovn-nbctl --wait=hv sync` (untimed;
# attach.c then waits for ovs-vswitchd to be idle); prints attach.c's line.
# The caller counts CYCLES: every other cycle takes the other address, so
# that a spare taken over gets another MAC, as another container would
# give it.
cycle_once() {
    local addr=10.50.3.252/24
    [ "$1" = "$NET_LOC" ] && addr=10.40.3.252/24
    ((CYCLES % 2)) && addr=${addr%.252/24}.254/24
    ovn_nbctl --wait=hv sync >/dev/null || die "ovn-nbctl --wait=hv sync failed"
    "$ATTACH" "$H1_SOCK" cycle "$1" 1 "$addr" "$CTL" || die "attach cycle failed"
}

# attach_rounds MODE: the rounds at $HAVE, to $R/attach/cycles
# ("N MODE ROUND NET TOTAL CREATE JOIN LEAVE DELETE", microseconds).
attach_rounds() {
    local mode=$1 r c net nets line
    daemon_mode "$mode"
    cycle_once "$NET_OVN" >/dev/null
    cycle_once "$NET_LOC" >/dev/null
    for ((r = 1; r <= ROUNDS; r++)); do
        nets="ovn local"
        ((r % 2)) || nets="local ovn"
        for net in $nets; do
            for ((c = 1; c <= PER_ROUND; c++)); do
                CYCLES=$((CYCLES + 1))
                if [ "$net" = ovn ]; then
                    line=$(cycle_once "$NET_OVN")
                else
                    line=$(cycle_once "$NET_LOC")
                fi
                echo "$HAVE $mode $r $net $line" >>"$R/attach/cycles"
            done
        done
    done
    log "attach: N=$HAVE $mode: medians (us): OVN" \
        "$(awk -v n="$HAVE" -v m="$mode" '$1 == n && $2 == m && $4 == "ovn" { print $5 }' \
            "$R/attach/cycles" | median_col1), local" \
        "$(awk -v n="$HAVE" -v m="$mode" '$1 == n && $2 == m && $4 == "local" { print $5 }' \
            "$R/attach/cycles" | median_col1)"
}

# (on host 1) an OVSDB monitor of the Interface table in the background,
# each update with its receive time; its PID on stdout.
_monitor_start() {
    (close_fds && exec ovsdb-client --timestamp --format=csv monitor \
        "unix:$OVSDB_SOCK" Open_vSwitch Interface name,ofport,external_ids) \
        >"$1" 2>/dev/null &
    echo $!
}

# monitored_cycles: $MONITORED OVN cycles under the monitor; per cycle,
# "N START_NS" to $R/attach/mon-starts, the monitor's output in
# $R/attach/mon-N.
monitored_cycles() {
    local pid i
    pid=$(on_host 1 _monitor_start "$R/attach/mon-$HAVE")
    sleep 1
    for ((i = 0; i < MONITORED; i++)); do
        CYCLES=$((CYCLES + 1))
        cycle_once "$NET_OVN" | sed "s/^/$HAVE /" >>"$R/attach/mon-cycles"
    done
    sleep 1
    kill "$pid" 2>/dev/null
}

bench_attach() {
    local n measured="" spent
    mkdir -p "$R/attach"
    H1_SOCK=$(sock_of 1)
    CTL=$(ovn_host_dir 1)/ovs/ovs-vswitchd.$(cat "$(ovn_host_dir 1)/ovs/ovs-vswitchd.pid").ctl
    attach_net "$NET_OVN" '"ovsgw.mode":"ovn","ovsgw.ovn.name":"attach"' 10.50 &&
        attach_net "$NET_LOC" '"ovsgw.datapath":"netdev"' 10.40 ||
        die "CreateNetwork failed"
    : >"$R/attach/fill"
    for n in $COUNTS; do
        log "attach: $HAVE -> $n endpoints on each network"
        spent=0
        if ! fill_to "$n"; then
            log "attach: the fill budget (${FILL_BUDGET}s) is spent at $HAVE endpoints"
            echo "budget_stop=$HAVE $n" >>"$R/machine"
            spent=1
            [[ " $measured " == *" $HAVE "* ]] && break
        fi
        log "attach: $HAVE endpoints on each network"
        attach_rounds spare
        attach_rounds fresh
        daemon_mode spare
        monitored_cycles
        measured+=" $HAVE"
        [ $spent = 0 ] || break
    done
    echo "measured=${measured# }" >>"$R/machine"
}

# ------------------------------------------------------------------ main

machine_info() {
    {
        machine_base
        echo "ovn=$(ovn-controller --version | awk 'NR == 1 { print $NF }')"
        echo "tso=$(on_host 1 ovs-vsctl --timeout=5 get Open_vSwitch . other_config:userspace-tso-enable 2>/dev/null | tr -d '"')"
        echo "docker=$(hdk 1 version --format '{{.Server.Version}}' 2>/dev/null)"
        echo "quick=$QUICK"
        echo "full=$FULL"
        echo "only=$ONLY"
        echo "counts=$COUNTS"
        echo "fill_budget=$FILL_BUDGET"
        echo "fill_chunk=$FILL_CHUNK"
        echo "rounds=$ROUNDS"
        echo "per_round=$PER_ROUND"
        echo "monitored=$MONITORED"
        echo "subnets=$SUBNETS"
        echo "reach=$REACH"
        echo "reach_limit=$REACH_LIMIT"
        echo "reach_interval=$REACH_INTERVAL"
        echo "iperf_reps=$IPERF_REPS"
        echo "iperf_seconds=$IPERF_SECONDS"
        echo "load=$(cut -d' ' -f1-3 /proc/loadavg)"
        echo "busy=$(busy_procs)"
    } >"$R/machine"
}

# Other processes above 20% CPU now (top's second sample, over 1 s).
busy_procs() {
    top -b -n 2 -d 1 -w 200 2>/dev/null | awk '
        /^top -/ { frame++ } frame == 2 && $1 ~ /^[0-9]+$/ && $9 + 0 > 20 {
            printf "%s%s %.1f%%", sep, $12, $9; sep = ", " }'
}

[ -x "$OVSGW_BIN" ] || die "$OVSGW_BIN missing (make)"
[ -x "$ATTACH" ] || die "$ATTACH missing (make bench-ovn builds it)"
for p in $ONLY; do
    [[ " $PARTS " == *" $p "* ]] || die "BENCH_OVN_ONLY: no part '$p' (parts: $PARTS)"
done
bench_deps ethtool
command -v iperf3 >/dev/null || die "iperf3 is missing"

ovn_init "" || die "cannot make the world's directory"
log "world in $OVN_DIR, raw results in $R"
ovn_central_start || die "cannot start the OVN central"
for h in 1 2 3; do
    ovn_host_start "$h" || die "cannot start host $h"
done
on_host 1 _bo_host_up && on_host 2 _bo_host_up || die "dockerd or ovsgw failed on host 1 or 2"
log "central, 3 hosts, dockerd and ovsgw on hosts 1 and 2 up"
machine_info

: >"$R/parts"
for part in $PARTS; do
    want "$part" || continue
    t0=$SECONDS
    l0=$(cut -d' ' -f1-3 /proc/loadavg)
    log "$part"
    "bench_$part"
    echo "$part $((t0 - T_START)) $((SECONDS - t0)) $l0 $(cut -d' ' -f1-3 /proc/loadavg)" >>"$R/parts"
done
log "measurements done; tearing down"
echo "measured_s=$((SECONDS - T_START))" >>"$R/machine"
for h in 1 2; do
    on_host "$h" _bo_host_clear
done
[ "${BENCH_KEEP:-0}" = 1 ] &&
    for h in 1 2; do cp "$(ovn_host_dir "$h")/ovsgw.log" "$R/ovsgw-h$h.log"; done
ovn_cleanup || log "ovn_cleanup reported leftovers"
{
    echo "elapsed=$((SECONDS - T_START))"
    echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)"
} >>"$R/machine"
bash "$HERE/ovn-report.sh" "$R" "$OUT" "$PLOT" || die "report failed"
log "wrote $OUT and $PLOT in $((SECONDS - T_START))s"
