# shellcheck shell=bash
# bench/report-services.sh - sourced by bench/report.sh: the sections,
# targets and plot panels of the parts in bench/services.sh (latency, rr,
# http, nat, ipv6), and the table of the load during each part.  Uses
# report.sh's $R, $P and helpers (m, pct, med, fmt, fmt_ms, ge, le,
# verdict, t_rows).
#
# Raw files (see bench/services.sh): lat, rr, http, nat, natrun, v6, parts.
# Each is first turned into "ROUND KEY VALUE" files in $P, so that one
# pair of helpers gives medians and median per-round ratios for all.

SVC_SETUP_NAMES="ovsgw-same ovsgw-routed bridge ovs-normal"

# kv_med FILE KEY / kv_pct FILE KEY P: over the rounds.
kv_med() { awk -v k="$2" '$2 == k { print $3 }' "$1" | med; }
kv_pct() { awk -v k="$2" '$2 == k { print $3 }' "$1" | pct "$3"; }
# kv_ratio FILE A B: median over the rounds that have both of A / B.
kv_ratio() {
    awk -v a="$2" -v b="$3" '{ v[$1, $2] = $3; r[$1] = 1 } END { for (i in r)
        if (((i, a) in v) && v[i, b] > 0) print v[i, a] / v[i, b] }' "$1" | med
}
# kv_ratios FILE A B: every per-round ratio, sorted, "0.91, 0.95".
kv_ratios() {
    awk -v a="$2" -v b="$3" '{ v[$1, $2] = $3; r[$1] = 1 } END { for (i in r)
        if (((i, a) in v) && v[i, b] > 0) print v[i, a] / v[i, b] }' "$1" | sort -g |
        awk '{ printf "%s%.2f", sep, $1; sep = ", " }'
}
# kv_all FILE KEY SCALE: every value of KEY divided by SCALE, "%.2f, ...".
kv_all() {
    awk -v k="$2" -v s="$3" '$2 == k { printf "%s%.2f", sep, $3 / s; sep = ", " }' "$1"
}
f0() { fmt "$1" %.0f; }
f2() { fmt "$1" %.2f; }
gbit() { awk -v v="${1:-nan}" 'BEGIN { if (v == "nan" || v == "") print "-"; else printf "%.2f", v / 1000 }'; }
# A ratio with its "×", or "-".
x2() { if [ -z "${1:-}" ] || [ "$1" = nan ]; then echo "-"; else echo "$(f2 "$1")×"; fi; }

svc_report_init() {
    have_lat=0; [ -s "$R/lat" ] && have_lat=1
    have_rr=0; [ -s "$R/rr" ] && have_rr=1
    have_http=0; [ -s "$R/http" ] && have_http=1
    have_nat=0; [ -s "$R/nat" ] && have_nat=1
    have_natrun=0; [ -s "$R/natrun" ] && have_natrun=1
    have_v6=0; [ -s "$R/v6" ] && have_v6=1
    # shellcheck disable=SC2034  # read by report.sh
    have_svc=$((have_lat | have_rr | have_http | have_nat | have_v6))
    if [ "$have_lat" = 1 ]; then
        # Per round and setup: p50, then over all probes.
        awk '{ print $1 " " $2 }' "$R/lat" | sort -u | while read -r i s; do
            echo "$i $s $(awk -v i="$i" -v s="$s" '$1 == i && $2 == s { print $3 }' "$R/lat" | med)"
        done >"$P/lat50"
        declare -gA L_MIN L_AVG L_P50 L_P99 L_N
        for s in $SVC_SETUP_NAMES; do
            awk -v s="$s" '$2 == s { print $3 }' "$R/lat" >"$P/lat.$s"
            L_N[$s]=$(grep -c . "$P/lat.$s")
            L_MIN[$s]=$(pct 0 <"$P/lat.$s")
            L_AVG[$s]=$(awk '{ t += $1 } END { if (NR) print t / NR; else print "nan" }' "$P/lat.$s")
            L_P50[$s]=$(pct 50 <"$P/lat.$s")
            L_P99[$s]=$(pct 99 <"$P/lat.$s")
        done
    fi
    if [ "$have_rr" = 1 ]; then
        awk -v p="$P" '{ k = $2 ":" $3 ":" $4; print $1, k, $5 >(p "/rr.rps")
            print $1, k, $6 >(p "/rr.p50"); print $1, k, $7 >(p "/rr.p99") }' "$R/rr"
    fi
    if [ "$have_http" = 1 ]; then
        awk -v p="$P" '{ k = $2 ":" $3; print $1, k, $4 >(p "/http.rps")
            print $1, k, $5 >(p "/http.p50"); print $1, k, $6 >(p "/http.p99") }' "$R/http"
    fi
    if [ "$have_nat" = 1 ]; then
        awk -v p="$P" '{ k = $2 ":" $3; print $1, k, $4 >(p "/nat.v")
            if (NF >= 6) { print $1, k, $5 >(p "/nat.p50"); print $1, k, $6 >(p "/nat.p99") } }' "$R/nat"
        touch "$P/nat.p50" "$P/nat.p99"
        NAT_TCP=$(kv_ratio "$P/nat.v" ovsgw-nat:tcp bridge-nat:tcp)
        PUB_TCP=$(kv_ratio "$P/nat.v" ovsgw-pub:tcp bridge-pub:tcp)
    fi
    if [ "$have_natrun" = 1 ]; then
        RUNP=$(kv_ratio "$R/natrun" bench-nat bench-natb)
    fi
    if [ "$have_v6" = 1 ]; then
        V6_SAME=$(kv_ratio "$R/v6" v6-same v4-same)
        V6_ROUTED=$(kv_ratio "$R/v6" v6-routed v4-routed)
    fi
}

# svc_vs_bridge_row WHAT FILE KEYS: a target row "ovsgw at least 0.9x
# Docker's bridge driver" over KEYS (SETUP:-less keys, e.g. "1:GET"), for
# both ovsgw setups; met if every ratio is.
svc_vs_bridge_row() {
    local what=$1 f=$2 k txt="" ok=1 r s
    shift 2
    for k in "$@"; do
        for s in ovsgw-same ovsgw-routed; do
            r=$(kv_ratio "$f" "$s:$k" "bridge:$k")
            ge "$r" 0.9 || ok=0
            txt+="${txt:+; }${s#ovsgw-} ${k//:/ } $(x2 "$r")"
        done
    done
    t_rows+=("| $what, ovsgw at least 0.9× Docker's bridge driver | $txt | $(verdict test $ok = 1) |")
}

svc_target_rows() {
    # On the kernel datapath, latency-bound services should not pay for
    # ovsgw (on the userspace one, see svc_datapath_advice).
    if [ "$DP" = system ] && [ "$have_rr" = 1 ]; then
        svc_vs_bridge_row "redis-benchmark requests/s (c: clients)" "$P/rr.rps" \
            "1:GET" "1:SET" "16:GET" "16:SET"
    fi
    if [ "$DP" = system ] && [ "$have_http" = 1 ]; then
        svc_vs_bridge_row "nginx + wrk requests/s" "$P/http.rps" 1k 1m
    fi
    if [ "$have_nat" = 1 ]; then
        t_rows+=("| outbound NAT throughput (container → outside), ovsgw at least 0.9× Docker's bridge driver | $(x2 "$NAT_TCP") ($(gbit "$(kv_med "$P/nat.v" ovsgw-nat:tcp)") vs $(gbit "$(kv_med "$P/nat.v" bridge-nat:tcp)") Gbit/s) | $(verdict ge "$NAT_TCP" 0.9) |")
        t_rows+=("| published-port throughput (outside → \`-p\` → container), ovsgw at least 0.9× the bridge driver | $(x2 "$PUB_TCP") ($(gbit "$(kv_med "$P/nat.v" ovsgw-pub:tcp)") vs $(gbit "$(kv_med "$P/nat.v" bridge-pub:tcp)") Gbit/s) | $(verdict ge "$PUB_TCP" 0.9) |")
    fi
    if [ "$have_natrun" = 1 ]; then
        t_rows+=("| \`docker run --rm -p\` on ovsgw no slower than on the bridge driver | ratio $(fmt "$RUNP" %.3f) ($(fmt_ms "$(kv_med "$R/natrun" bench-nat)") ms vs $(fmt_ms "$(kv_med "$R/natrun" bench-natb)") ms) | $(verdict le "$RUNP" 1.0) |")
    fi
    if [ "$have_v6" = 1 ]; then
        t_rows+=("| IPv6 TCP throughput at least 0.95× IPv4 on the same dual-stack network, same subnet | $(fmt "$V6_SAME" %.3f)× | $(verdict ge "$V6_SAME" 0.95) |")
        t_rows+=("| the same, routed across subnets by the flows | $(fmt "$V6_ROUTED" %.3f)× | $(verdict ge "$V6_ROUTED" 0.95) |")
    fi
}

# Extra rows of the machine table.
svc_machine_rows() {
    [ -n "$(m redis)" ] && echo "| redis-benchmark, redis-server | $(m redis) (Debian's redis-tools) |"
    [ -n "$(m nginx)" ] && echo "| nginx | $(m nginx) (Debian's package, unpacked: no service on the host) |"
    [ -n "$(m wrk)" ] && echo "| wrk | $(m wrk) |"
    [ -n "$(m busybox)" ] && echo "| ping | busybox $(m busybox) |"
    return 0
}

# The load average (/proc/loadavg, what uptime shows) before and after
# each part.
svc_parts_table() {
    [ -s "$R/parts" ] || return 0
    cat <<EOF
Load average before and after each part (1, 5 and 15 minutes; $(m nproc) CPUs$([ "$KGUEST" = 1 ] && echo ", the guest's own")): the
machine is shared, and other work (tests, a qemu guest) changes absolute
figures from one run to the next. That is why every figure below is set
against a baseline measured in the same part, interleaved with it.

EOF
    if [ "$DP" = system ]; then
        cat <<EOF
The last column counts the upcalls that the kernel datapath lost during
the part's measurements (\`lost:\` of \`ovs-appctl dpctl/show\`): a
packet that misses the kernel's flow cache goes up to ovs-vswitchd, and
one that finds no handler thread ready is dropped.

| part | started (s into the run) | took (s) | load before | load after | upcalls lost |
|---|---:|---:|---|---|---:|
EOF
    else
        cat <<EOF
The last column counts the packets that ovs-vswitchd's packet sockets
dropped during the part's measurements: on the userspace datapath,
ovs-vswitchd reads each veth through an \`AF_PACKET\` socket, and when its
main loop does not come round before the socket's receive buffer is full
(\`rb212992\` in \`ss -0 -m\`: net.core.rmem_default, a few 64 KiB TSO
packets), the kernel drops what arrives (\`d\` in \`ss -0 -m\`, summed over
the sockets). TCP then retransmits: that is where the Retr column of
iperf3 comes from on OVS, and what a busy machine makes worse.

| part | started (s into the run) | took (s) | load before | load after | packets dropped at ovs-vswitchd's packet sockets |
|---|---:|---:|---|---|---:|
EOF
    fi
    while read -r name t0 d a1 a5 a15 b1 b5 b15; do
        echo "| $name | $t0 | $d | $a1 $a5 $a15 | $b1 $b5 $b15 | $(part_drops "$name") |"
    done <"$R/parts"
    echo
}

# part_drops PART: packet socket drops during PART (after - before), or -.
part_drops() {
    [ -s "$R/sockdrops" ] || { echo "-"; return 0; }
    awk -v p="$1" '$1 == p && $2 == "before" { b = $3; nb++ }
        $1 == p && $2 == "after" { a = $3; na++ }
        END { if (nb && na) print a - b; else print "-" }' "$R/sockdrops"
}

# ------------------------------------------------------------------- plot

# The data files of the panels, then the panels (5 of a 3x3 multiplot; a
# missing one leaves its place empty).
svc_plot_data() {
    local s
    if [ "$have_lat" = 1 ]; then
        for s in $SVC_SETUP_NAMES; do
            echo "$s ${L_MIN[$s]} ${L_P50[$s]} ${L_P99[$s]}"
        done >"$P/lat.dat"
    fi
    if [ "$have_rr" = 1 ]; then
        for s in $SVC_SETUP_NAMES; do
            echo "$s $(kv_med "$P/rr.rps" "$s:1:GET") $(kv_med "$P/rr.rps" "$s:1:SET") $(kv_med "$P/rr.rps" "$s:16:GET") $(kv_med "$P/rr.rps" "$s:16:SET")"
        done | awk '{ printf "%s", $1; for (i = 2; i <= NF; i++) printf " %.2f", $i / 1000; print "" }' >"$P/rr.dat"
    fi
    if [ "$have_http" = 1 ]; then
        for s in $SVC_SETUP_NAMES; do
            echo "$s $(kv_med "$P/http.rps" "$s:1k") $(kv_med "$P/http.rps" "$s:1m")"
        done | awk '{ printf "%s %.2f %.3f\n", $1, $2 / 1000, $3 * 1048576 * 8 / 1e9 }' >"$P/http.dat"
    fi
    if [ "$have_nat" = 1 ]; then
        local k
        for k in tcp rr-1 rr-16 http-1k http-1m; do
            echo "$k $(kv_ratio "$P/nat.v" "ovsgw-nat:$k" "bridge-nat:$k") $(kv_ratio "$P/nat.v" "ovsgw-pub:$k" "bridge-pub:$k")"
        done | awk '{ printf "%s", $1; for (i = 2; i <= 3; i++) printf " %s", ($i == "nan" || $i == "") ? "-" : $i; print "" }' >"$P/nat.dat"
    fi
    if [ "$have_v6" = 1 ]; then
        {
            echo "same-subnet $(kv_med "$R/v6" v4-same) $(kv_med "$R/v6" v6-same)"
            echo "routed $(kv_med "$R/v6" v4-routed) $(kv_med "$R/v6" v6-routed)"
        } | awk '{ printf "%s %.2f %.2f\n", $1, $2 / 1000, $3 / 1000 }' >"$P/v6.dat"
    fi
}

svc_plot_panels() {
    echo "reset; set grid ytics; set key top right; set datafile missing '-'"
    echo "set style data histograms; set style histogram clustered gap 1"
    echo "set style fill solid 0.7 border -1; set boxwidth 0.9 relative; set yrange [0:*]"
    echo "set xtics scale 0 norotate font ',8'; set offsets 0, 0, graph 0.2, 0"
    if [ -s "$P/lat.dat" ]; then
        echo "set title 'ping RTT, container to container'; set ylabel 'µs (log scale)'"
        echo "set logscale y; set yrange [10:*]; set key top left"
        echo "plot '$P/lat.dat' u 2:xtic(1) t 'min' lc rgb '#bbbbbb', '' u 3 t 'p50' lc rgb '#4477aa', '' u 4 t 'p99' lc rgb '#aa3377'"
        echo "unset logscale y; set yrange [0:*]; set key top right"
    else
        echo "set multiplot next"
    fi
    if [ -s "$P/rr.dat" ]; then
        echo "set title 'redis-benchmark (median)'; set ylabel 'thousand requests/s'"
        echo "plot '$P/rr.dat' u 2:xtic(1) t 'GET, 1 client' lc rgb '#4477aa', '' u 3 t 'SET, 1 client' lc rgb '#66ccee', '' u 4 t 'GET, 16 clients' lc rgb '#228833', '' u 5 t 'SET, 16 clients' lc rgb '#ccbb44'"
    else
        echo "set multiplot next"
    fi
    if [ -s "$P/http.dat" ]; then
        echo "set title 'nginx + wrk, 64 connections (median)'; set ylabel 'thousand requests/s (1 KiB)'"
        echo "set y2label 'Gbit/s (1 MiB)'; set y2tics; set ytics nomirror"
        echo "set y2range [0:$(awk '$3 > m { m = $3 } END { print (m > 0) ? m * 1.25 : 1 }' "$P/http.dat")]"
        echo "plot '$P/http.dat' u 2:xtic(1) t '1 KiB: requests/s' lc rgb '#4477aa', '' u 3 axes x1y2 t '1 MiB: Gbit/s' lc rgb '#ee6677'"
        echo "unset y2tics; unset y2label; set ytics mirror"
    else
        echo "set multiplot next"
    fi
    if [ -s "$P/nat.dat" ]; then
        local top
        top=$(awk '{ for (i = 2; i <= 3; i++) if ($i != "-" && $i > m) m = $i }
            END { m = m * 1.15; print (m > 1.2) ? m : 1.2 }' "$P/nat.dat")
        echo "set title 'ovsgw ÷ Docker bridge: NAT and -p'; set ylabel 'ratio'; set yrange [0:$top]"
        echo "plot '$P/nat.dat' u 2:xtic(1) t 'container → outside (NAT)' lc rgb '#4477aa', '' u 3 t 'outside → -p → container' lc rgb '#228833', 0.9 w l dt 2 lc rgb '#777777' t 'target 0.9'"
    else
        echo "set multiplot next"
    fi
    if [ -s "$P/v6.dat" ]; then
        echo "set title 'iperf3 on a dual-stack ovsgw network (median)'; set ylabel 'Gbit/s'; set yrange [0:*]"
        echo "plot '$P/v6.dat' u 2:xtic(1) t 'IPv4' lc rgb '#4477aa', '' u 3 t 'IPv6' lc rgb '#ee6677'"
    fi
}

# -------------------------------------------------------------------- page

# The sentence for users: which datapath for latency-bound services.
svc_datapath_advice() {
    [ "$have_lat" = 1 ] || [ "$have_rr" = 1 ] || return 0
    local lr="" rr="" nr=""
    [ "$have_lat" = 1 ] && lr=$(kv_ratio "$P/lat50" ovsgw-same bridge)
    [ "$have_rr" = 1 ] && rr=$(kv_ratio "$P/rr.rps" ovsgw-same:1:GET bridge:1:GET) &&
        nr=$(kv_ratio "$P/rr.rps" ovsgw-same:1:GET ovs-normal:1:GET)
    if [ "$DP" = system ]; then
        cat <<EOF
**Latency-bound services on the kernel datapath.** Here packets between
two containers stay in the kernel, as with Docker's bridge driver: a
packet that hits the kernel's flow cache never reaches ovs-vswitchd. A
ping round trip through ovsgw took $(x2 "$lr") as long as through Docker's
bridge driver (p50), and one redis client got $(x2 "$rr") the bridge
driver's requests per second ($(x2 "$nr") those of a plain OVS bridge with
one NORMAL flow on the same datapath). On the userspace datapath the same
redis client got a small fraction of the bridge driver's requests per
second (see [benchmarks.md](benchmarks.md)): for latency-bound services
(databases, caches, RPC), run ovsgw on the kernel datapath, which it
picks by itself where the module is loaded.

EOF
        return 0
    fi
    cat <<EOF
**Which datapath for latency-bound services.** On the userspace (netdev)
datapath measured here, every packet between two containers goes through
ovs-vswitchd's polling loop: a ping round trip through ovsgw took
$(x2 "$lr") as long as through Docker's bridge driver (p50), and one
redis client got $(x2 "$rr") the bridge driver's requests per second
($(x2 "$nr") those of a plain OVS bridge with one NORMAL flow on the same
datapath: the cost is the datapath's, not ovsgw's flows). If your
services are latency-bound (one request at a time per client: databases,
caches, RPC), run ovsgw on the kernel datapath (Open vSwitch's kernel
module, \`ovsgw.datapath=system\`), which keeps packets in the kernel as
the bridge driver does, or stay on the bridge driver; the userspace
datapath suits machines without the module and traffic that is not
latency-bound. The kernel datapath's own figures are not on this page:
this machine has no OVS kernel module; they are measured in a qemu guest
by \`sudo make bench-kernel\`, in
[benchmarks-kernel.md](benchmarks-kernel.md).

EOF
}

# nat_lat KEY UNIT: "p50 / p99 UNIT" of a nat metric, UNIT µs or ms.
nat_lat() {
    if [ "$2" = ms ]; then
        echo "$(fmt_ms "$(kv_med "$P/nat.p50" "$1")") / $(fmt_ms "$(kv_med "$P/nat.p99" "$1")") ms"
    else
        echo "$(f0 "$(kv_med "$P/nat.p50" "$1")") / $(f0 "$(kv_med "$P/nat.p99" "$1")") µs"
    fi
}

svc_sections() {
    local s k c t size
    if [ "$have_lat" = 1 ] || [ "$have_rr" = 1 ] || [ "$have_http" = 1 ]; then
        cat <<EOF
## The four setups of 5, 6 and 7

The same servers (redis-server and nginx) and clients run in every setup:
the host's Debian binaries, started with \`nsenter\` in the network
namespace of a container (image: busybox, \`sleep\`); the container only
holds the namespace. Setups:

- **ovsgw-same**: an ovsgw network (10.52.1.0/24 and 10.52.2.0/24), client
  and server in the same subnet;
- **ovsgw-routed**: the client in the other subnet, routed by ovsgw's flows
  through the virtual gateway;
- **bridge**: a user-defined network of Docker's built-in bridge driver,
  same dockerd;
- **ovs-normal**: one bridge of the same OVS on the same $DP_TXT
  with a single \`actions=NORMAL\` flow, veths added by
  hand into \`--net none\` containers: what OVS itself costs.

Each of $(m svc_rounds) rounds measures every setup once, in ABBA order
(ovs-normal, ovsgw-same, ovsgw-routed, bridge, then backwards); a ratio
is the median of the per-round ratios, a figure the median over rounds
unless said otherwise.

EOF
    fi
    if [ "$have_lat" = 1 ]; then
        cat <<EOF
## 5. Latency

\`busybox ping -c $(m ping_count) -i $(m ping_interval)\` from the client's namespace to the
server, in each round; min, average and p99 (nearest rank) over all
probes of all rounds, p50 ratios per round.

| setup | probes | min (µs) | avg (µs) | p50 (µs) | p99 (µs) | p50 ÷ bridge | p50 ÷ ovs-normal |
|---|---:|---:|---:|---:|---:|---:|---:|
EOF
        for s in $SVC_SETUP_NAMES; do
            echo "| $s | ${L_N[$s]} | $(f0 "${L_MIN[$s]}") | $(f0 "${L_AVG[$s]}") | $(f0 "${L_P50[$s]}") | $(f0 "${L_P99[$s]}") | $(x2 "$(kv_ratio "$P/lat50" "$s" bridge)") | $(x2 "$(kv_ratio "$P/lat50" "$s" ovs-normal)") |"
        done
        echo
    fi
    if [ "$have_rr" = 1 ]; then
        cat <<EOF
## 6. Request/response

\`redis-benchmark -t get,set -c C -n N --csv\` (Debian's redis-tools,
no pipelining, 3-byte values) against \`redis-server\` (no persistence);
1 client with N = $(m rr_requests), 16 clients with N = $(($(m rr_requests) * 4)). rps and
latency percentiles as redis-benchmark reports them.

| setup | clients | test | rps | p50 (µs) | p99 (µs) | rps ÷ bridge | rps ÷ ovs-normal |
|---|---:|---|---:|---:|---:|---:|---:|
EOF
        for c in 1 16; do
            for t in GET SET; do
                for s in $SVC_SETUP_NAMES; do
                    k=$s:$c:$t
                    echo "| $s | $c | $t | $(f0 "$(kv_med "$P/rr.rps" "$k")") | $(f0 "$(kv_med "$P/rr.p50" "$k")") | $(f0 "$(kv_med "$P/rr.p99" "$k")") | $(x2 "$(kv_ratio "$P/rr.rps" "$k" "bridge:$c:$t")") | $(x2 "$(kv_ratio "$P/rr.rps" "$k" "ovs-normal:$c:$t")") |"
                done
            done
        done
        echo
    fi
    if [ "$have_http" = 1 ]; then
        cat <<EOF
## 7. HTTP

nginx (Debian's, one worker, \`sendfile\`, keep-alive, no access log)
serving a 1 KiB and a 1 MiB file, \`wrk -t 2 -c $(m http_conns) -d $(m http_seconds)s --latency\`
(Debian's) from the client's namespace. Latency percentiles as wrk
reports them.

| setup | response | requests/s | Gbit/s | p50 (ms) | p99 (ms) | rps ÷ bridge | rps ÷ ovs-normal |
|---|---|---:|---:|---:|---:|---:|---:|
EOF
        for size in 1k 1m; do
            for s in $SVC_SETUP_NAMES; do
                k=$s:$size
                local rps bytes=1048576 label="1 MiB"
                [ $size = 1k ] && bytes=1024 label="1 KiB"
                rps=$(kv_med "$P/http.rps" "$k")
                echo "| $s | $label | $(f0 "$rps") | $(awk -v r="$rps" -v z=$bytes 'BEGIN { printf "%.2f", r * z * 8 / 1e9 }') | $(fmt_ms "$(kv_med "$P/http.p50" "$k")") | $(fmt_ms "$(kv_med "$P/http.p99" "$k")") | $(x2 "$(kv_ratio "$P/http.rps" "$k" "bridge:$size")") | $(x2 "$(kv_ratio "$P/http.rps" "$k" "ovs-normal:$size")") |"
            done
        done
        echo
        echo "Gbit/s is the response bodies only (requests/s × size)."
        echo
    fi
    if [ "$have_nat" = 1 ] || [ "$have_natrun" = 1 ]; then
        cat <<EOF
## 8. NAT and published ports

A network namespace **outside** hangs off the private namespace by a veth
(192.0.2.1 on the host side, 192.0.2.2 outside) with no route to any
container subnet, so only NAT can answer. One container on an ovsgw
network (10.55.1.0/24, NAT on by default) and one on a network of Docker's
bridge driver (10.56.0.0/24), same dockerd, each published with
\`-p\` for iperf3, redis and nginx; the same servers run outside.

- **NAT**: the container is the client, the server is outside (ovsgw:
  virtual gateway → uplink port → host routing → masquerade; bridge:
  docker bridge → host routing → masquerade);
- **-p**: the client is outside and connects to 192.0.2.1 (the host's
  address), DNAT to the container (ovsgw: uplink port → flows).

Metrics: \`iperf3 -t $(m nat_seconds) -O 1\` (one TCP stream, Gbit/s at the receiver),
\`redis-benchmark -t get\` with 1 client ($(($(m rr_requests) / 2)) requests) and 16 clients
($(($(m rr_requests) * 2)) requests), \`wrk -c 64 -d $(m nat_http_seconds)s\` on 1 KiB and 1 MiB (requests/s).
$(m nat_reps) repetitions; in each,
every metric is measured on the four paths back to back, ovsgw first in
odd repetitions and the bridge driver first in even ones; ratio = median
of the per-repetition ratios.

| path | metric | ovsgw | bridge | ovsgw ÷ bridge | ovsgw p50 / p99 | bridge p50 / p99 |
|---|---|---:|---:|---:|---:|---:|
EOF
        local path what og br u
        for path in nat pub; do
            for k in tcp rr-1 rr-16 http-1k http-1m; do
                case $k in
                tcp) what="TCP throughput (Gbit/s)" ;;
                rr-1) what="redis GET, 1 client (rps)" ;;
                rr-16) what="redis GET, 16 clients (rps)" ;;
                http-1k) what="HTTP 1 KiB (rps)" ;;
                http-1m) what="HTTP 1 MiB (rps)" ;;
                esac
                og=$(kv_med "$P/nat.v" "ovsgw-$path:$k")
                br=$(kv_med "$P/nat.v" "bridge-$path:$k")
                if [ $k = tcp ]; then
                    og=$(gbit "$og") br=$(gbit "$br")
                    echo "| $([ $path = nat ] && echo "container → outside (NAT)" || echo "outside → -p → container") | $what | $og | $br | $(x2 "$(kv_ratio "$P/nat.v" "ovsgw-$path:$k" "bridge-$path:$k")") | | |"
                    continue
                fi
                u=µs
                case $k in http-*) u=ms ;; esac
                echo "| $([ $path = nat ] && echo "container → outside (NAT)" || echo "outside → -p → container") | $what | $(f0 "$og") | $(f0 "$br") | $(x2 "$(kv_ratio "$P/nat.v" "ovsgw-$path:$k" "bridge-$path:$k")") | $(nat_lat "ovsgw-$path:$k" $u) | $(nat_lat "bridge-$path:$k" $u) |"
            done
        done
        echo
        if [ "$have_nat" = 1 ]; then
            echo "Per repetition, TCP: NAT $(kv_ratios "$P/nat.v" ovsgw-nat:tcp bridge-nat:tcp); -p $(kv_ratios "$P/nat.v" ovsgw-pub:tcp bridge-pub:tcp)."
            echo
            local cmp=""
            if [ "${have_tp:-0}" = 1 ] && [ -n "${TP[ovs-normal]:-}" ] && [ -n "${TP[linux-bridge]:-}" ]; then
                cmp=" Container to container (section 3), one OVS bridge with a single NORMAL flow moved $(awk -v a="${TP[ovs-normal]}" -v b="${TP[linux-bridge]}" 'BEGIN { printf "%.2f", a / b }')× what a Linux bridge did: the same cost, without ovsgw."
            fi
            cat <<EOF
Where the difference comes from: on ovsgw's paths every packet also
crosses the userspace datapath (container veth → ovs-vswitchd → the
uplink's tap device, or back), on top of the host's routing and
netfilter, which both drivers' paths go through; the bridge driver's
packets stay in the kernel.$cmp

EOF
        fi
        if [ "$have_natrun" = 1 ]; then
            cat <<EOF
**\`docker run --rm -p 19090:80 IMAGE true\`** on the ovsgw network and on
the bridge driver's, $(m start_p_runs) runs each, alternating which goes first, after one
warm-up run each: ovsgw $(fmt_ms "$(kv_med "$R/natrun" bench-nat)") ms (p90 $(fmt_ms "$(kv_pct "$R/natrun" bench-nat 90)") ms), bridge
$(fmt_ms "$(kv_med "$R/natrun" bench-natb)") ms (p90 $(fmt_ms "$(kv_pct "$R/natrun" bench-natb 90)") ms); ovsgw ÷ bridge, median of per-round
ratios: **$(fmt "$RUNP" %.3f)**.

EOF
        fi
    fi
    if [ "$have_v6" = 1 ]; then
        cat <<EOF
## 9. IPv6

One dual-stack ovsgw network (10.57.1.0/24 + fd00:57:1::/64 and
10.57.2.0/24 + fd00:57:2::/64); the server in the first subnets, one
client in the same subnets and one in the others (routed by the flows).
\`iperf3 -t $(m v6_seconds) -O 1\` (one TCP stream, receiver rate) to the server's
IPv4 and IPv6 addresses from the same client, $(m v6_reps) repetitions per setup in ABBA
order (v4-same, v6-same, v4-routed, v6-routed, then backwards).

| setup | median (Gbit/s) | runs (Gbit/s) |
|---|---:|---|
EOF
        for s in v4-same v6-same v4-routed v6-routed; do
            echo "| $s | $(gbit "$(kv_med "$R/v6" "$s")") | $(kv_all "$R/v6" "$s" 1000) |"
        done
        echo
        echo "IPv6 ÷ IPv4, median of per-repetition ratios: same subnet **$(fmt "$V6_SAME" %.3f)** (each: $(kv_ratios "$R/v6" v6-same v4-same)), routed **$(fmt "$V6_ROUTED" %.3f)** (each: $(kv_ratios "$R/v6" v6-routed v4-routed))."
        echo
    fi
}
