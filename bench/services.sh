# shellcheck shell=bash
# bench/services.sh - sourced by bench/run.sh: the benchmarks with real
# servers and clients (issues 15, 11 and 12), each figure set against a
# baseline measured in the same run, interleaved:
#
#   latency  ping RTT, min/avg/p99 over PING_COUNT probes per round
#   rr       redis-benchmark GET and SET with 1 and 16 clients: rps, p50,
#            p99
#   http     nginx serving 1 KiB and 1 MiB, wrk with 64 connections
#            (latency, rr and http on the same four setups: ovsgw same
#            subnet, ovsgw routed, Docker's bridge driver, one OVS bridge
#            with a single NORMAL flow on the same userspace datapath)
#   nat      a network namespace "outside" hanging off the private one:
#            iperf3, redis-benchmark and wrk from a container to the
#            outside through NAT and from the outside to a container
#            through -p, ovsgw against Docker's bridge driver on the same
#            dockerd; and `docker run --rm -p` on both
#   ipv6     iperf3 over IPv6 against IPv4 on one dual-stack ovsgw
#            network, same subnet and routed
#
# Servers and clients are the host's binaries (Debian's redis-tools,
# nginx, wrk, iperf3, busybox) started with nsenter in the network
# namespace of a container (or of "outside"), so that every setup runs the
# very same programs; the containers themselves only hold the namespaces.
# The servers' command lines name $OVSGW_T/ (their configuration is
# there): bench/run.sh stops them at exit, and env_cleanup would too.
#
# Raw results, one line per measurement, in $R: lat, rr, http, nat, natrun,
# v6 (see each function); run.sh's report.sh turns them into the page.
# shellcheck disable=SC2015  # a && b || die

SVC_ROUNDS=${BENCH_SVC_ROUNDS:-$(q 3 1)}
PING_COUNT=${BENCH_PING_COUNT:-$(q 150 50)}
PING_INTERVAL=${BENCH_PING_INTERVAL:-0.01}
RR_REQUESTS=${BENCH_RR_REQUESTS:-$(q 6000 2000)}
HTTP_SECONDS=${BENCH_HTTP_SECONDS:-$(q 2 1)}
HTTP_CONNS=64
NAT_REPS=${BENCH_NAT_REPS:-$(q 3 1)}
NAT_SECONDS=${BENCH_NAT_SECONDS:-$(q 2 1)}
NAT_HTTP_SECONDS=$(((NAT_SECONDS + 1) / 2))
START_P_RUNS=${BENCH_START_P_RUNS:-$(q 12 4)}
V6_REPS=${BENCH_V6_REPS:-$(q 4 1)}
V6_SECONDS=${BENCH_V6_SECONDS:-$(q 2 1)}

# shellcheck disable=SC2034  # read by bench/run.sh
SVC_DEPS=""        # ok or missing once svc_deps has looked
SVC_PIDS=()        # servers we started (nsenter execs them: $! is theirs)
SVC_UP=0           # the four setups of latency, rr and http exist
NGINX=""           # the nginx binary (see svc_deps)
B_DIR=""           # $OVSGW_T/bench: configurations, logs, web root
OUT_NS=""          # the "outside" namespace (nat)
OUT_HOST_IP=192.0.2.1
OUT_IP=192.0.2.2

# ------------------------------------------------------------------ tools

# The bench-only packages, from Debian's archive: redis-tools (the client
# and, as redis-check-rdb, the server binary) and wrk are installed (no
# service comes with them); nginx is not: its Debian package would start a
# web server on the host, so its binary is unpacked from the .deb into
# $BENCH_PKG (build/bench/pkg) unless the host has one.  Status 1 (and a
# log line) if something is missing.
svc_deps() {
    local p missing=() d
    for p in redis-tools wrk; do
        [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ] ||
            missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        log "installing ${missing[*]} from Debian's archive"
        apt_install "${missing[@]}"
    fi
    if [ -x /usr/sbin/nginx ]; then
        NGINX=/usr/sbin/nginx
    else
        NGINX=$BENCH_PKG/usr/sbin/nginx
        if [ ! -x "$NGINX" ]; then
            log "unpacking nginx from Debian's package into $BENCH_PKG (not installed: no service)"
            d=$(mktemp -d /tmp/ovsgw-bench-deb.XXXXXX) && chmod 755 "$d" &&
                (cd "$d" && apt-get -q download nginx >>"$R/apt.log" 2>&1 ||
                    { apt-get -q update >>"$R/apt.log" 2>&1 &&
                        apt-get -q download nginx >>"$R/apt.log" 2>&1; }) &&
                mkdir -p "$BENCH_PKG" && dpkg-deb -x "$d"/nginx_*.deb "$BENCH_PKG"
            rm -rf "$d"
        fi
    fi
    local ok=0
    for p in redis-benchmark redis-cli redis-check-rdb wrk iperf3 busybox; do
        command -v "$p" >/dev/null || { log "no $p (see $R/apt.log)"; ok=1; }
    done
    [ -x "$NGINX" ] && "$NGINX" -v 2>/dev/null || { log "no nginx (see $R/apt.log)"; ok=1; }
    return $ok
}

# Lines "key=value" for $R/machine: the versions of the tools.
svc_versions() {
    echo "redis=$(redis-benchmark --version 2>/dev/null | awk '{ print $2 }')"
    echo "nginx=$("$NGINX" -v 2>&1 | sed 's,.*nginx/,,')"
    echo "wrk=$(wrk -v 2>&1 | awk 'NR == 1 { print $2 }')"
    echo "busybox=$(busybox 2>&1 | awk 'NR == 1 { print $2 }')"
}

# The files the servers need, under $OVSGW_T/bench.
svc_files() {
    [ -n "$B_DIR" ] && return 0
    B_DIR=$OVSGW_T/bench
    mkdir -p "$B_DIR/bin" "$B_DIR/www" "$B_DIR/log" || return 1
    # Debian's redis-server is redis-check-rdb under another name.
    ln -sf "$(command -v redis-check-rdb)" "$B_DIR/bin/redis-server"
    head -c 1024 /dev/zero | tr '\0' x >"$B_DIR/www/1k"
    head -c 1048576 /dev/zero | tr '\0' y >"$B_DIR/www/1m"
}

# ------------------------------------------------------------- namespaces

ctr_ns() {
    local pid
    pid=$(ctr_pid "$1") && [ -n "$pid" ] && [ "$pid" != 0 ] && echo "/proc/$pid/ns/net"
}
in_ns() {
    local ns=$1
    shift
    nsenter --net="$ns" -- "$@"
}

# svc_spawn NS NAME CMD...: CMD in the background in namespace NS, its
# output in $B_DIR/log/NAME; its PID joins SVC_PIDS.
svc_spawn() {
    local ns=$1 name=$2
    shift 2
    (close_fds && exec nsenter --net="$ns" -- "$@") </dev/null >>"$B_DIR/log/$name" 2>&1 &
    SVC_PIDS+=("$!")
}

svc_stop_all() {
    local p
    for p in "${SVC_PIDS[@]}"; do
        kill_pid "$p" "" 5
        wait "$p" 2>/dev/null
    done
    SVC_PIDS=()
}

# servers_up NS NAME [iperf]: redis-server on 6379 and nginx on 80 in NS
# (and iperf3 -s on 5201), answering.
servers_up() {
    local ns=$1 name=$2
    svc_files || return 1
    cat >"$B_DIR/redis-$name.conf" <<EOF
port 6379
bind * -::*
protected-mode no
save ""
appendonly no
set-proc-title no
daemonize no
dir $B_DIR
logfile $B_DIR/log/redis-$name.log
EOF
    mkdir -p "$B_DIR/nginx-$name"
    cat >"$B_DIR/nginx-$name.conf" <<EOF
daemon off;
master_process on;
worker_processes 1;
user root;
pid $B_DIR/nginx-$name/pid;
lock_file $B_DIR/nginx-$name/lock;
error_log $B_DIR/log/nginx-$name.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    client_body_temp_path $B_DIR/nginx-$name/body;
    proxy_temp_path $B_DIR/nginx-$name/proxy;
    fastcgi_temp_path $B_DIR/nginx-$name/fastcgi;
    uwsgi_temp_path $B_DIR/nginx-$name/uwsgi;
    scgi_temp_path $B_DIR/nginx-$name/scgi;
    server {
        listen 80;
        root $B_DIR/www;
    }
}
EOF
    svc_spawn "$ns" "redis-$name" "$B_DIR/bin/redis-server" "$B_DIR/redis-$name.conf"
    svc_spawn "$ns" "nginx-$name" "$NGINX" -c "$B_DIR/nginx-$name.conf" -p "$B_DIR/nginx-$name"
    if [ "${3:-}" = iperf ]; then
        svc_spawn "$ns" "iperf-$name" iperf3 -s --pidfile "$B_DIR/iperf-$name.pid"
    fi
    wait_until 10 in_ns "$ns" redis-cli -h 127.0.0.1 ping || {
        log "redis-server in $name does not answer: $(tail -n 3 "$B_DIR/log/redis-$name"*)"
        return 1
    }
    wait_until 10 in_ns "$ns" busybox wget -q -O /dev/null http://127.0.0.1/1k || {
        log "nginx in $name does not answer: $(tail -n 3 "$B_DIR/log/nginx-$name"*)"
        return 1
    }
    if [ "${3:-}" = iperf ]; then
        wait_until 10 test -s "$B_DIR/iperf-$name.pid" || return 1
    fi
}

# ---------------------------------------------------------------- clients

# ping_rtts NS ADDR: PING_COUNT probes, one RTT per line (microseconds);
# status 1 if fewer than 99% came back.
ping_rtts() {
    local out n
    out=$(in_ns "$1" busybox ping -c "$PING_COUNT" -i "$PING_INTERVAL" -W 2 "$2" 2>&1 |
        awk '/ time=/ { sub(/.* time=/, ""); printf "%.1f\n", $1 * 1000 }')
    n=$(grep -c . <<<"$out")
    [ "$n" -ge $((PING_COUNT * 99 / 100)) ] || {
        log "ping $2: $n of $PING_COUNT answered"
        return 1
    }
    echo "$out"
}

# redis_once NS ADDR PORT CLIENTS REQUESTS TESTS: redis-benchmark; one line
# per test: "TEST RPS P50_US P99_US".
redis_once() {
    local out
    out=$(in_ns "$1" redis-benchmark -h "$2" -p "$3" -c "$4" -n "$5" -t "$6" --csv 2>&1) || {
        echo "$out" >>"$R/redis.log"
        return 1
    }
    echo "$out" >>"$R/redis.log"
    tr -d '"' <<<"$out" | awk -F, '$1 != "test" && NF >= 8 {
        printf "%s %s %.0f %.0f\n", $1, $2, $5 * 1000, $7 * 1000; n++ }
        END { exit !n }'
}

# wrk_once NS URL [SECONDS]: wrk with HTTP_CONNS connections for SECONDS
# [HTTP_SECONDS]; "RPS P50_US P99_US".  A request slower than 10 s counts
# as a timeout (logged: on the userspace datapath, a 1 MiB answer can wait
# for TCP's retransmission timer); status 1 on connect, read or write
# errors and non-2xx answers.
wrk_once() {
    local out
    out=$(in_ns "$1" wrk -t 2 -c "$HTTP_CONNS" -d "${3:-$HTTP_SECONDS}s" --timeout 10s \
        --latency "$2" 2>&1)
    echo "$out" >>"$R/wrk.log"
    if grep -q 'Socket errors' <<<"$out"; then
        log "wrk $2: $(grep 'Socket errors' <<<"$out")"
    fi
    if grep -q 'Non-2xx' <<<"$out" ||
        grep -Eq 'Socket errors: connect [1-9]|read [1-9]|write [1-9]' <<<"$out"; then
        return 1
    fi
    awk 'function us(v) {
            if (v ~ /us$/) return v + 0; if (v ~ /ms$/) return v * 1000
            if (v ~ /m$/) return v * 60e6; if (v ~ /s$/) return v * 1e6; return v }
        $1 == "50%" { p50 = us($2) } $1 == "99%" { p99 = us($2) }
        $1 == "Requests/sec:" { rps = $2 }
        END { if (rps == "" || p50 == "") exit 1; printf "%s %.0f %.0f\n", rps, p50, p99 }' <<<"$out"
}

# iperf_ns NS ADDR [IPERF3 ARGS...]: receiver Mbit/s of one iperf3 run.
iperf_ns() {
    local ns=$1 addr=$2 out
    shift 2
    out=$(in_ns "$ns" iperf3 -c "$addr" -f m "$@" 2>&1)
    echo "$out" >>"$R/iperf.log"
    iperf_mbits <<<"$out"
}

# ------------------------------------------ latency, rr, http: the setups

# normal_bridge BR SRV CLI NET: one bridge of our OVS (datapath $DP) with a single
# actions=NORMAL flow, and veths from it into the --net none containers
# SRV (NET.1/24) and CLI (NET.2/24).
normal_bridge() {
    local br=$1 a=${1}a b=${1}b
    veth_into "$2" "$a" "$4.1/24" && veth_into "$3" "$b" "$4.2/24" &&
        ovs-vsctl --timeout=20 add-br "$br" -- set bridge "$br" datapath_type="$DP" \
            fail_mode=secure -- add-port "$br" "$a" -- add-port "$br" "$b" &&
        ovs-ofctl del-flows "$br" && ovs-ofctl add-flow "$br" "priority=0,actions=NORMAL"
}

# The setups, "NAME CLIENT_CONTAINER SERVER_ADDRESS"; the ovsgw network
# has two subnets, the client in the other one is routed by the flows.
SVC_SETUPS=("ovs-normal sv-nrm-cli 10.53.0.1" "ovsgw-same sv-same 10.52.1.10"
    "ovsgw-routed sv-routed 10.52.1.10" "bridge sv-br-cli 10.54.0.10")
SVC_BR=osv$$
SVC_BR=${SVC_BR:0:12}

svc_setups_up() {
    local c s name cli ip
    [ "$SVC_UP" = 1 ] && return 0
    SVC_UP=1
    dk network create -d "$DRIVER" -o ovsgw.datapath="$DP" --subnet 10.52.1.0/24 --gateway 10.52.1.1 \
        --subnet 10.52.2.0/24 --gateway 10.52.2.1 bench-svc >/dev/null &&
        dk network create -d bridge --subnet 10.54.0.0/24 --gateway 10.54.0.1 \
            bench-svcb >/dev/null || die "cannot create the service networks"
    dk run -d --name sv-srv --net bench-svc --ip 10.52.1.10 ovsgw-busybox sleep 1d >/dev/null &&
        dk run -d --name sv-same --net bench-svc --ip 10.52.1.11 ovsgw-busybox sleep 1d >/dev/null &&
        dk run -d --name sv-routed --net bench-svc --ip 10.52.2.11 ovsgw-busybox sleep 1d >/dev/null &&
        dk run -d --name sv-br-srv --net bench-svcb --ip 10.54.0.10 ovsgw-busybox sleep 1d >/dev/null &&
        dk run -d --name sv-br-cli --net bench-svcb --ip 10.54.0.11 ovsgw-busybox sleep 1d >/dev/null ||
        die "cannot start the service containers"
    for c in sv-nrm-srv sv-nrm-cli; do
        dk run -d --name "$c" --net none ovsgw-busybox sleep 1d >/dev/null || die "cannot start $c"
    done
    normal_bridge "$SVC_BR" sv-nrm-srv sv-nrm-cli 10.53.0 || die "cannot build the NORMAL bridge"
    servers_up "$(ctr_ns sv-srv)" ovsgw && servers_up "$(ctr_ns sv-br-srv)" bridge &&
        servers_up "$(ctr_ns sv-nrm-srv)" normal || die "the servers did not start"
    # Reachability (and ARP, MAC learning) first, untimed.
    for s in "${SVC_SETUPS[@]}"; do
        read -r name cli ip <<<"$s"
        wait_until 5 in_ns "$(ctr_ns "$cli")" busybox ping -c1 -W1 "$ip" ||
            die "$name: $cli cannot reach $ip"
        in_ns "$(ctr_ns "$cli")" redis-benchmark -h "$ip" -c 1 -n 100 -t get -q >/dev/null 2>&1 &&
            in_ns "$(ctr_ns "$cli")" busybox wget -q -O /dev/null "http://$ip/1k" ||
            die "$name: the servers at $ip do not answer $cli"
    done
}

svc_setups_down() {
    [ "$SVC_UP" = 1 ] || return 0
    svc_stop_all
    dk rm -f sv-srv sv-same sv-routed sv-br-srv sv-br-cli sv-nrm-srv sv-nrm-cli >/dev/null
    dk network rm bench-svc bench-svcb >/dev/null
    ovs-vsctl --timeout=20 --if-exists del-br "$SVC_BR"
    SVC_UP=0
}

# svc_order ROUND: the setups' indices, forward in odd rounds and backward
# in even ones (ABBA, as the throughput benchmark).
svc_order() {
    local n=${#SVC_SETUPS[@]} k
    for ((k = 0; k < n; k++)); do
        if (($1 % 2)); then echo "$k"; else echo "$((n - 1 - k))"; fi
    done
}

# pkt_drops: packets lost on the way to ovs-vswitchd.  Netdev: what its
# packet sockets (the netdev datapath reads each veth through one) dropped
# because their receive buffer was full, summed over the sockets open now
# (`ss -0 -m`: d<N>).  System: the kernel datapath's upcalls lost
# (`lost:` of dpctl/show), summed over its datapaths.
pkt_drops() {
    if [ "$DP" = system ]; then
        ovs-appctl -T 10 dpctl/show 2>/dev/null |
            awk '/lookups:/ { for (i = 2; i <= NF; i++) { split($i, kv, ":")
                if (kv[1] == "lost") t += kv[2] } } END { print t + 0 }'
        return
    fi
    tns ss -0 -m -p 2>/dev/null | grep ovs-vswitchd | grep -o ',d[0-9]*)' | tr -d ',d)' |
        awk '{ t += $1 } END { print t + 0 }'
}

# dp_stats "PART: before|after": ovs-vswitchd's datapath counters to
# $R/dpstats (upcalls, misses), the drops of pkt_drops to $R/sockdrops
# ("PART before|after N"); for the performance notes on the page.
dp_stats() {
    {
        echo "== $1"
        if [ "$DP" = system ]; then
            ovs-appctl -T 10 dpctl/show 2>&1 | grep -E '@|lookups|flows'
        else
            ovs-appctl -T 10 dpif-netdev/pmd-stats-show 2>&1 |
                grep -E 'thread|packets|hits|upcalls|miss|lost|cycles'
        fi
    } >>"$R/dpstats"
    echo "${1/:/} $(pkt_drops)" >>"$R/sockdrops"
}

# ------------------------------------------------------------- 5: latency

# $R/lat: "ROUND SETUP RTT_US", one line per probe.
bench_latency() {
    local i k s name cli ip
    svc_setups_up
    : >"$R/lat"
    dp_stats "latency: before"
    for ((i = 1; i <= SVC_ROUNDS; i++)); do
        for k in $(svc_order "$i"); do
            read -r name cli ip <<<"${SVC_SETUPS[$k]}"
            ping_rtts "$(ctr_ns "$cli")" "$ip" | sed "s/^/$i $name /" >>"$R/lat" ||
                die "latency: ping $name failed"
        done
        log "latency: round $i: p50 (us) $(for s in "${SVC_SETUPS[@]}"; do
            printf '%s %s ' "${s%% *}" "$(awk -v s="${s%% *}" -v r="$i" '$1 == r && $2 == s { print $3 }' "$R/lat" | median_col1)"; done)"
    done
    dp_stats "latency: after"
}

# --------------------------------------------------------------- 6: rr

# $R/rr: "ROUND SETUP CLIENTS TEST RPS P50_US P99_US".  With 16 clients,
# 4 times the requests of 1.
bench_rr() {
    local i k c n name cli ip line
    svc_setups_up
    : >"$R/rr"
    dp_stats "rr: before"
    for ((i = 1; i <= SVC_ROUNDS; i++)); do
        for k in $(svc_order "$i"); do
            read -r name cli ip <<<"${SVC_SETUPS[$k]}"
            for c in 1 16; do
                n=$RR_REQUESTS
                [ "$c" = 1 ] || n=$((RR_REQUESTS * 4))
                redis_once "$(ctr_ns "$cli")" "$ip" 6379 "$c" "$n" get,set >"$R/rr.one" ||
                    die "rr: redis-benchmark $name -c $c failed: $(tail -n 3 "$R/redis.log")"
                while read -r line; do
                    echo "$i $name $c $line" >>"$R/rr"
                done <"$R/rr.one"
            done
            log "rr: round $i $name: $(awk -v s="$name" -v r="$i" '$1 == r && $2 == s {
                printf "%s c=%s %.0f rps; ", $4, $3, $5 }' "$R/rr")"
        done
    done
    dp_stats "rr: after"
}

# -------------------------------------------------------------- 7: http

# $R/http: "ROUND SETUP SIZE RPS P50_US P99_US"; SIZE 1k or 1m.
bench_http() {
    local i k size name cli ip v
    svc_setups_up
    : >"$R/http"
    dp_stats "http: before"
    for ((i = 1; i <= SVC_ROUNDS; i++)); do
        for k in $(svc_order "$i"); do
            read -r name cli ip <<<"${SVC_SETUPS[$k]}"
            for size in 1k 1m; do
                v=$(wrk_once "$(ctr_ns "$cli")" "http://$ip/$size") ||
                    die "http: wrk $name $size failed: $(tail -n 12 "$R/wrk.log")"
                echo "$i $name $size $v" >>"$R/http"
                log "http: round $i $name $size: $v (rps p50 p99)"
            done
        done
    done
    dp_stats "http: after"
}

# --------------------------------------------------------------- 8: nat

outside_up() {
    OUT_NS=$OVSGW_T/ns/outside
    : >"$OUT_NS" && unshare --net="$OUT_NS" true &&
        tns ip link add bxhost type veth peer name bxout &&
        tns ip link set bxout netns "$OUT_NS" &&
        tns ip addr add "$OUT_HOST_IP/24" dev bxhost && tns ip link set bxhost up &&
        in_ns "$OUT_NS" ip addr add "$OUT_IP/24" dev bxout &&
        in_ns "$OUT_NS" ip link set bxout up && in_ns "$OUT_NS" ip link set lo up
}

outside_down() {
    [ -n "$OUT_NS" ] || return 0
    tns ip link del bxhost 2>/dev/null
    umount "$OUT_NS" 2>/dev/null
    rm -f "$OUT_NS"
    OUT_NS=""
}

# The paths, "NAME CLIENT_NS SERVER_ADDRESS IPERF REDIS HTTP" (ports),
# ovsgw's right before the bridge driver's.
nat_paths() {
    local og br
    og=$(ctr_ns nat-ovsgw) && br=$(ctr_ns nat-bridge) || return 1
    echo "ovsgw-nat $og $OUT_IP 5201 6379 80"
    echo "bridge-nat $br $OUT_IP 5201 6379 80"
    echo "ovsgw-pub $OUT_NS $OUT_HOST_IP 15201 16379 18080"
    echo "bridge-pub $OUT_NS $OUT_HOST_IP 25201 26379 28080"
}

# $R/nat: "REP PATH METRIC VALUE..." with METRIC tcp (Mbit/s), rr-C
# (GET: rps p50 p99) or http-SIZE (rps p50 p99); $R/natrun: "ROUND NET US"
# for docker run --rm -p.
bench_nat() {
    local i j name ns ip pi pr ph v c size order r
    outside_up || die "cannot build the outside namespace"
    dk network create -d "$DRIVER" -o ovsgw.datapath="$DP" --subnet 10.55.1.0/24 --gateway 10.55.1.1 \
        bench-nat >/dev/null &&
        dk network create -d bridge --subnet 10.56.0.0/24 --gateway 10.56.0.1 \
            bench-natb >/dev/null || die "cannot create the NAT networks"
    dk run -d --name nat-ovsgw --net bench-nat --ip 10.55.1.10 -p 15201:5201 \
        -p 16379:6379 -p 18080:80 ovsgw-busybox sleep 1d >/dev/null &&
        dk run -d --name nat-bridge --net bench-natb --ip 10.56.0.10 -p 25201:5201 \
            -p 26379:6379 -p 28080:80 ovsgw-busybox sleep 1d >/dev/null ||
        die "cannot start the NAT containers"
    servers_up "$(ctr_ns nat-ovsgw)" nat-ovsgw iperf && servers_up "$(ctr_ns nat-bridge)" nat-bridge iperf &&
        servers_up "$OUT_NS" outside iperf || die "the servers did not start"
    nat_paths >"$R/nat.paths" || die "no NAT containers"
    while read -r name ns ip pi pr ph; do
        wait_until 5 in_ns "$ns" redis-cli -h "$ip" -p "$pr" ping &&
            in_ns "$ns" busybox wget -q -O /dev/null "http://$ip:$ph/1k" ||
            die "nat: $name: $ip:$pr and :$ph do not answer"
    done <"$R/nat.paths"
    : >"$R/nat"
    dp_stats "nat: before"
    for ((i = 1; i <= NAT_REPS; i++)); do
        # ovsgw first in odd repetitions, the bridge driver first in even
        # ones; each metric for the four paths before the next metric.
        order="1 2 3 4"
        ((i % 2)) || order="2 1 4 3"
        for v in tcp rr http; do
            for j in $order; do
                read -r name ns ip pi pr ph < <(sed -n "${j}p" "$R/nat.paths")
                case $v in
                tcp)
                    r=$(iperf_ns "$ns" "$ip" -p "$pi" -t "$NAT_SECONDS" -O 1) ||
                        die "nat: iperf3 $name failed: $(tail -n 5 "$R/iperf.log")"
                    echo "$i $name tcp $r" >>"$R/nat"
                    ;;
                rr)
                    # GET only, half and twice the requests of rr.
                    for c in 1 16; do
                        r=$(redis_once "$ns" "$ip" "$pr" "$c" \
                            $((c == 1 ? RR_REQUESTS / 2 : RR_REQUESTS * 2)) get) ||
                            die "nat: redis-benchmark $name failed: $(tail -n 3 "$R/redis.log")"
                        echo "$i $name rr-$c ${r#* }" >>"$R/nat"
                    done
                    ;;
                http)
                    for size in 1k 1m; do
                        r=$(wrk_once "$ns" "http://$ip:$ph/$size" "$NAT_HTTP_SECONDS") ||
                            die "nat: wrk $name $size failed: $(tail -n 12 "$R/wrk.log")"
                        echo "$i $name http-$size $r" >>"$R/nat"
                    done
                    ;;
                esac
            done
        done
        log "nat: rep $i: $(awk -v r="$i" '$1 == r { printf "%s %s %s; ", $2, $3, $4 }' "$R/nat")"
    done
    dp_stats "nat: after"
    svc_stop_all
    dk rm -f nat-ovsgw nat-bridge >/dev/null
    bench_run_p
    dk network rm bench-nat bench-natb >/dev/null
    outside_down
}

# docker run --rm -p on the NAT networks, interleaved (alternating which
# goes first), after one warm-up run each.
bench_run_p() {
    local i net t0 t1 nets
    : >"$R/natrun"
    for net in bench-nat bench-natb; do
        dk run --rm --net "$net" -p 19090:80 ovsgw-busybox true 2>>"$R/docker-run.log" ||
            die "docker run -p on $net failed: $(tail -n 3 "$R/docker-run.log")"
    done
    for ((i = 1; i <= START_P_RUNS; i++)); do
        nets="bench-nat bench-natb"
        ((i % 2)) || nets="bench-natb bench-nat"
        for net in $nets; do
            t0=$(now_ns)
            dk run --rm --net "$net" -p 19090:80 ovsgw-busybox true 2>>"$R/docker-run.log" ||
                die "docker run -p on $net failed: $(tail -n 3 "$R/docker-run.log")"
            t1=$(now_ns)
            echo "$i $net $(((t1 - t0) / 1000))" >>"$R/natrun"
        done
    done
    log "nat: docker run --rm -p, medians (us): ovsgw" \
        "$(awk '$2 == "bench-nat" { print $3 }' "$R/natrun" | median_col1)," \
        "bridge $(awk '$2 == "bench-natb" { print $3 }' "$R/natrun" | median_col1)"
}

# -------------------------------------------------------------- 9: ipv6

# addr6_ready NS ADDRESS: on eth0, neither tentative nor dadfailed.
addr6_ready() {
    local out
    out=$(in_ns "$1" ip -6 addr show dev eth0) &&
        grep -q "inet6 $2/" <<<"$out" && ! grep -Eq 'tentative|dadfailed' <<<"$out"
}

# $R/v6: "REP SETUP MBITS"; SETUP v4-same, v6-same, v4-routed, v6-routed.
bench_ipv6() {
    local i k n name ns ip s setups r
    dk network create -d "$DRIVER" -o ovsgw.datapath="$DP" --ipv6 \
        --subnet 10.57.1.0/24 --gateway 10.57.1.1 --subnet 10.57.2.0/24 --gateway 10.57.2.1 \
        --subnet fd00:57:1::/64 --gateway fd00:57:1::1 \
        --subnet fd00:57:2::/64 --gateway fd00:57:2::1 bench-v6 >/dev/null ||
        die "cannot create the dual-stack network"
    dk run -d --name v6-srv --net bench-v6 --ip 10.57.1.10 --ip6 fd00:57:1::10 \
        ovsgw-busybox sleep 1d >/dev/null &&
        dk run -d --name v6-same --net bench-v6 --ip 10.57.1.11 --ip6 fd00:57:1::11 \
            ovsgw-busybox sleep 1d >/dev/null &&
        dk run -d --name v6-routed --net bench-v6 --ip 10.57.2.11 --ip6 fd00:57:2::11 \
            ovsgw-busybox sleep 1d >/dev/null || die "cannot start the IPv6 containers"
    wait_until 10 addr6_ready "$(ctr_ns v6-srv)" fd00:57:1::10 &&
        wait_until 10 addr6_ready "$(ctr_ns v6-same)" fd00:57:1::11 &&
        wait_until 10 addr6_ready "$(ctr_ns v6-routed)" fd00:57:2::11 ||
        die "ipv6: the containers' addresses did not come up"
    svc_files || die "cannot write $OVSGW_T/bench"
    svc_spawn "$(ctr_ns v6-srv)" iperf-v6 iperf3 -s --pidfile "$B_DIR/iperf-v6.pid"
    wait_until 10 test -s "$B_DIR/iperf-v6.pid" || die "iperf3 -s did not start"
    setups=("v4-same $(ctr_ns v6-same) 10.57.1.10" "v6-same $(ctr_ns v6-same) fd00:57:1::10"
        "v4-routed $(ctr_ns v6-routed) 10.57.1.10" "v6-routed $(ctr_ns v6-routed) fd00:57:1::10")
    n=${#setups[@]}
    for s in "${setups[@]}"; do
        read -r name ns ip <<<"$s"
        wait_until 5 in_ns "$ns" busybox ping -c1 -W1 "$ip" || die "ipv6: $name: no answer from $ip"
    done
    : >"$R/v6"
    dp_stats "ipv6: before"
    for ((i = 1; i <= V6_REPS; i++)); do
        for ((k = 0; k < n; k++)); do
            if ((i % 2)); then s=${setups[$k]}; else s=${setups[$((n - 1 - k))]}; fi
            read -r name ns ip <<<"$s"
            r=$(iperf_ns "$ns" "$ip" -t "$V6_SECONDS" -O 1) ||
                die "ipv6: iperf3 $name failed: $(tail -n 5 "$R/iperf.log")"
            echo "$i $name $r" >>"$R/v6"
        done
        log "ipv6: rep $i: $(awk -v r="$i" '$1 == r { printf "%s %s; ", $2, $3 }' "$R/v6")"
    done
    dp_stats "ipv6: after"
    svc_stop_all
    dk rm -f v6-srv v6-same v6-routed >/dev/null
    dk network rm bench-v6 >/dev/null
}
