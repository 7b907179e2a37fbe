#!/bin/bash
# bench/ovn-report.sh RESULTS_DIR OUT.md OUT.png - turns the raw results of
# bench/ovn.sh into docs/benchmarks-ovn.md and its plot.  Can be re-run on
# kept results (BENCH_KEEP=1 make bench-ovn).  Only what the results hold
# is written: a part that did not run has no section.
#
# Raw files (see bench/ovn.sh):
#   machine         KEY=VALUE: the machine, versions, parameters
#   parts           PART START_S TOOK_S LOAD(3) LOAD_AFTER(3)
#   tp              REP SETUP MBITS;  tp-eth  SETUP mtu=M tx-csum=X tso=Y
#   reach           KIND I START_NS END_NS|- INSTALLED_TS_MS T3_NS|- T2_NS|-
#   attach/cycles   N MODE ROUND NET TOTAL CREATE JOIN LEAVE DELETE (us)
#   attach/fill     FROM TO OVN_US LOCAL_US SYNC_US
#   attach/restarts N MODE MS
#   attach/mon-N, attach/mon-cycles   the monitored cycles (install latency)
set -uo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
report_start "$@"

have_tp=0; [ -s "$R/tp" ] && have_tp=1
have_reach=0; [ -s "$R/reach" ] && have_reach=1
have_attach=0; [ -s "$R/attach/cycles" ] && have_attach=1
MEASURED=$(m measured)

# x_txt RATIO: "17.7×" (one decimal, none from 100 on).
x_txt() { awk -v v="$1" 'BEGIN { if (v == "nan" || v == "") print "-";
    else if (v >= 100) printf "%.0f×", v; else printf "%.1f×", v }'; }
# spread: "p50 (p10–p90)" in ms, of microseconds on stdin.
spread() {
    local f=$P/spread
    cat >"$f"
    echo "$(fmt_ms "$(pct 50 <"$f")") ($(fmt_ms "$(pct 10 <"$f")")–$(fmt_ms "$(pct 90 <"$f")"))"
}

# ------------------------------------------------------------ attach

# cyc N MODE NET COL: that column (5 total .. 9 delete) of those cycles;
# MODE "any" for both.
cyc() {
    awk -v n="$1" -v m="$2" -v net="$3" -v c="$4" \
        '$1 == n && (m == "any" || $2 == m) && $4 == net { print $c }' "$R/attach/cycles"
}
# round_ratios N MODE: per round, median OVN cycle / median local cycle.
round_ratios() {
    local r o l
    awk -v n="$1" -v m="$2" '$1 == n && $2 == m { print $3 }' "$R/attach/cycles" |
        sort -nu >"$P/rounds"
    while read -r r; do
        o=$(awk -v n="$1" -v m="$2" -v r="$r" '$1 == n && $2 == m && $3 == r &&
            $4 == "ovn" { print $5 }' "$R/attach/cycles" | med)
        l=$(awk -v n="$1" -v m="$2" -v r="$r" '$1 == n && $2 == m && $3 == r &&
            $4 == "local" { print $5 }' "$R/attach/cycles" | med)
        div "$o" "$l"
    done <"$P/rounds"
}
declare -A A_OVN A_LOC A_RATIO A_RMIN A_RMAX A_OVN_S A_LOC_S A_N
if [ $have_attach = 1 ]; then
    for n in $MEASURED; do
        for mode in spare fresh; do
            k=$n,$mode
            A_OVN[$k]=$(cyc "$n" "$mode" ovn 5 | med)
            A_LOC[$k]=$(cyc "$n" "$mode" local 5 | med)
            A_OVN_S[$k]=$(cyc "$n" "$mode" ovn 5 | spread)
            A_LOC_S[$k]=$(cyc "$n" "$mode" local 5 | spread)
            A_N[$k]=$(cyc "$n" "$mode" ovn 5 | wc -l)
            round_ratios "$n" "$mode" | grep -v '^nan$' | grep . >"$P/ratios"
            A_RATIO[$k]=$(med <"$P/ratios")
            A_RMIN[$k]=$(pct 0 <"$P/ratios")
            A_RMAX[$k]=$(pct 100 <"$P/ratios")
        done
    done
fi

# The monitored cycles: for each of them, the times (ms, the monitor's
# receive times) from the port's Interface row being inserted to its
# ofport and to external_ids:ovn-installed=true.  ovsdb-client's
# --timestamp puts a line "YYYY-MM-DD HH:MM:SS.mmm" before each update;
# each row of an update is a CSV line: row UUID, action, name, ofport,
# external_ids.
install_latency() {
    awk -F, '
        /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9:.]+$/ {
            split($0, d, " "); split(d[2], t, ":")
            now = (t[1] * 3600 + t[2] * 60 + t[3]) * 1000; next }
        # A modified row is two lines: "UUID,old,..." then ",new,...".
        $1 != "" && $1 != "row" { row = $1 }
        $2 == "insert" { ins[row] = now; nm[row] = $3 }
        ($2 == "insert" || $2 == "new") && (row in ins) {
            if (!(row in ofp) && $4 ~ /^[1-9][0-9]*$/) ofp[row] = now
            if (!(row in inst) && $0 ~ /ovn-installed=""true""/) inst[row] = now }
        END { for (r in ins) if ((r in ofp) && (r in inst) && nm[r] ~ /^og/)
            printf "%d %d\n", ofp[r] - ins[r], inst[r] - ins[r] }' "$1"
}

# ------------------------------------------------------------ throughput

TP_SETUPS="ovn-cross ovn-same local-same fake-cross"
declare -A TP TP_ALL TP_ETH
if [ $have_tp = 1 ]; then
    for s in $TP_SETUPS; do
        TP[$s]=$(awk -v s="$s" '$2 == s { print $3 }' "$R/tp" | med)
        TP_ALL[$s]=$(awk -v s="$s" '$2 == s { printf "%s%.0f", sep, $3; sep = ", " }' "$R/tp")
        TP_ETH[$s]=$(awk -v s="$s" '$1 == s { $1 = ""; sub(/^ /, ""); print }' "$R/tp-eth" 2>/dev/null)
    done
    # tp_ratios A B: the per-repetition ratios A / B.
    tp_ratios() {
        awk -v a="$1" -v b="$2" '{ v[$1, $2] = $3; r[$1] = 1 } END { for (i in r)
            if (v[i, b] > 0) print v[i, a] / v[i, b] }' "$R/tp"
    }
    # tp_ratio_txt A B: "0.66 (0.52–1.25)".
    tp_ratio_txt() {
        tp_ratios "$1" "$2" >"$P/tr"
        echo "$(fmt "$(med <"$P/tr")" %.2f) ($(fmt "$(pct 0 <"$P/tr")" %.2f)–$(fmt "$(pct 100 <"$P/tr")" %.2f))"
    }
    TP_CROSS=$(tp_ratios ovn-cross ovn-same | med)
    TP_MODE=$(tp_ratios ovn-same local-same | med)
fi

# ------------------------------------------------------------ reach

# reach_col KIND WHAT: microseconds per sample (missing ones left out).
#   ctr:  run (docker run returns), inst (ovn-installed-ts), r3, r2 (first
#         answers), r3run (r3 after docker run returned), r3inst, d32
#   fake: r3, r2 (from ovn-installed-ts), d32
reach_col() {
    awk -v k="$1" -v w="$2" '$1 == k {
        t0 = $3 / 1000; t1 = ($4 == "-") ? "" : $4 / 1000
        ins = ($5 == "-") ? "" : $5 * 1000
        a3 = ($6 == "-") ? "" : $6 / 1000; a2 = ($7 == "-") ? "" : $7 / 1000
        base = (k == "fake") ? ins : t0
        if (base == "") next
        if (w == "run" && t1 != "") print t1 - t0
        else if (w == "inst" && ins != "") print ins - t0
        else if (w == "r3" && a3 != "") print a3 - base
        else if (w == "r2" && a2 != "") print a2 - base
        else if (w == "r3run" && a3 != "" && t1 != "") print a3 - t1
        else if (w == "r3inst" && a3 != "" && ins != "") print a3 - ins
        else if (w == "d32" && a3 != "" && a2 != "") print a3 - a2
        else if (w == "ratio" && a3 != "" && a2 != "" && a2 - base > 0)
            print (a3 - base) / (a2 - base) }' "$R/reach"
}
reach_missed() { awk -v k="$1" -v c="$2" '$1 == k && $c == "-"' "$R/reach" | wc -l; }
# reach_row KIND WHAT LABEL: a table row of p50, p90, p99.
reach_row() {
    reach_col "$1" "$2" >"$P/rc"
    echo "| $3 | $(fmt_ms "$(pct 50 <"$P/rc")") | $(fmt_ms "$(pct 90 <"$P/rc")") | $(fmt_ms "$(pct 99 <"$P/rc")") |"
}
rp() { reach_col "$1" "$2" | pct "$3"; }

# -------------------------------------------------------------- plot

plot_ok=0
if command -v gnuplot >/dev/null && [ $((have_attach + have_tp + have_reach)) -gt 0 ]; then
    if [ $have_attach = 1 ]; then
        for n in $MEASURED; do
            echo "$n ${A_OVN[$n,spare]} ${A_OVN[$n,fresh]} ${A_LOC[$n,spare]} ${A_LOC[$n,fresh]}"
        done | awk '{ printf "%s", $1; for (i = 2; i <= 5; i++) printf " %.3f", $i / 1000
            print "" }' >"$P/attach.dat"
    fi
    if [ $have_tp = 1 ]; then
        for s in $TP_SETUPS; do echo "\"$s\" ${TP[$s]}"; done >"$P/tp.dat"
    fi
    if [ $have_reach = 1 ]; then
        {
            echo "\"docker run\" $(rp ctr r3 50) $(rp ctr r2 50) $(rp ctr r3 99) $(rp ctr r2 99)"
            echo "\"OVN port\" $(rp fake r3 50) $(rp fake r2 50) $(rp fake r3 99) $(rp fake r2 99)"
        } | awk '{ printf "%s %s", $1, $2; for (i = 3; i <= 6; i++)
            printf " %.2f", ($i == "nan") ? 0 : $i / 1000; print "" }' >"$P/reach.dat"
    fi
    {
        echo "set terminal pngcairo size 1650,500 font 'sans,10'"
        echo "set output '$PLOT'"
        echo "set multiplot layout 1,3 title 'ovsgw OVN mode, $(m date), $(m nproc) CPUs, three simulated hosts, OVS $(m ovs) netdev, OVN $(m ovn)'"
        echo "set grid ytics"
        if [ -s "$P/attach.dat" ]; then
            echo "set title '1. Attach cycle on host 1, p50'; set logscale xy"
            echo "set xlabel 'endpoints per network'; set ylabel 'ms'; set key bottom right"
            echo "plot '$P/attach.dat' u 1:2 w lp lw 2 pt 7 t 'OVN mode, spare daemon', '' u 1:3 w lp lw 2 pt 9 t 'OVN mode, --pool 0', '' u 1:4 w lp lw 2 pt 5 t 'local mode, spare (default)', '' u 1:5 w lp lw 2 pt 4 t 'local mode, --pool 0'"
            echo "unset logscale; unset xlabel"
        else
            echo "set multiplot next"
        fi
        echo "set style fill solid 0.6 border -1; set yrange [0:*]"
        if [ -s "$P/tp.dat" ]; then
            echo "set title '2. iperf3 TCP, server on host 1 (p50)'; set ylabel 'Mbit/s'; set key off; set boxwidth 0.6"
            echo "plot '$P/tp.dat' u 0:2:xtic(1) w boxes lc rgb '#228833', '' u 0:2:(sprintf('%.0f', \$2)) w labels offset 0,1"
        else
            echo "set multiplot next"
        fi
        if [ -s "$P/reach.dat" ]; then
            echo "set title '3. New endpoint on host 2 until its first answer'; set ylabel 'ms'; set key top right; set yrange [0:*]; set offsets 0, 0, graph 0.3, 0"
            echo "set style data histograms; set style histogram clustered gap 1; set boxwidth 0.9"
            echo "plot '$P/reach.dat' u 2:xtic(1) t 'host 3 (remote), p50', '' u 3 t 'host 2 (same host), p50', '' u 4 t 'host 3, p99', '' u 5 t 'host 2, p99'"
        else
            echo "set multiplot next"
        fi
        echo "unset multiplot"
    } >"$P/plot.gp"
    if gnuplot "$P/plot.gp" 2>"$P/gnuplot.err"; then
        plot_ok=1
    else
        echo "ovn-report: gnuplot failed:" >&2
        cat "$P/gnuplot.err" >&2
    fi
fi

# -------------------------------------------------------------- page

run_note=""
[ "$(m full)" = 0 ] && run_note=" Parts: $(m only) (BENCH_OVN_ONLY), not all."
[ "$(m quick)" = 1 ] &&
    run_note+=" **Quick run** (QUICK=1: fewer repetitions and endpoints, less reliable)."

{
    cat <<EOF
# Benchmarks: OVN mode

Written by \`sudo make bench-ovn\` (\`bench/ovn.sh\`, then \`bench/ovn-report.sh\`);
do not edit by hand.  Run on $(m date).$run_note

Everything runs in the simulated three-host OVN deployment of the OVN
tests (\`scripts/lib/ovn.sh\`): a central (NB and SB ovsdb-servers,
ovn-northd) and three hosts, each a network namespace with its own
ovsdb-server and ovs-vswitchd on the **userspace (netdev) datapath** and
its own ovn-controller, joined by Geneve over a veth underlay.  dockerd
and ovsgw run on hosts 1 and 2; host 3 has fake ports only (a plain
network namespace on br-int with its logical port).  All of it shares
one machine: "another host" is another OVS instance and ovn-controller
on the same CPUs, and Geneve crosses a veth, not a wire.

Machines are noisy, so each figure that matters is a **ratio** against a
baseline measured in the same run, interleaved with it; the absolute
values are there for context only and say little about another machine.
p50 is the median; spreads are nearest-rank percentiles.

## Summary

| What | OVN mode | Baseline, same run | Ratio (p50) |
|---|---|---|---|
EOF
    if [ $have_attach = 1 ]; then
        for mode in spare fresh; do
            for n in $MEASURED; do
                k=$n,$mode
                if [ $mode = spare ]; then
                    what="Attach cycle (Create+Join+Leave+Delete), $n endpoint(s) per network, p50"
                else
                    what="Same, daemon with \`--pool 0\` (local mode too makes a new veth and port), $n"
                fi
                echo "| $what | $(fmt_ms "${A_OVN[$k]}") ms | local mode, same daemon: $(fmt_ms "${A_LOC[$k]}") ms | **$(x_txt "${A_RATIO[$k]}")** |"
            done
        done
    fi
    if [ $have_tp = 1 ]; then
        echo "| TCP throughput across hosts (Geneve), p50 | $(fmt "${TP[ovn-cross]}" %.0f) Mbit/s | OVN mode, same host: $(fmt "${TP[ovn-same]}" %.0f) Mbit/s | **$(fmt "$TP_CROSS" %.2f)** |"
        echo "| TCP throughput, OVN mode same host, p50 | $(fmt "${TP[ovn-same]}" %.0f) Mbit/s | local mode, same host: $(fmt "${TP[local-same]}" %.0f) Mbit/s | **$(fmt "$TP_MODE" %.2f)** |"
    fi
    if [ $have_reach = 1 ]; then
        echo "| New container reachable from another host: \`docker run\` start → first answer on host 3, p50 / p99 | $(fmt_ms "$(rp ctr r3 50)") / $(fmt_ms "$(rp ctr r3 99)") ms | from its own host: $(fmt_ms "$(rp ctr r2 50)") / $(fmt_ms "$(rp ctr r2 99)") ms | **$(fmt "$(reach_col ctr ratio | med)" %.2f)** |"
        echo "| Same, after \`docker run\` returned (negative: before), p50 / p99 | $(fmt_ms "$(rp ctr r3run 50)") / $(fmt_ms "$(rp ctr r3run 99)") ms | \`docker run\` itself: $(fmt_ms "$(rp ctr run 50)") / $(fmt_ms "$(rp ctr run 99)") ms | |"
        echo "| New bare OVN port (no Docker, no ovsgw): ovn-installed-ts → first answer on host 3, p50 / p99 | $(fmt_ms "$(rp fake r3 50)") / $(fmt_ms "$(rp fake r3 99)") ms | from its own host: $(fmt_ms "$(rp fake r2 50)") / $(fmt_ms "$(rp fake r2 99)") ms | **$(fmt "$(reach_col fake ratio | med)" %.2f)** |"
    fi
    echo
    stop=$(m budget_stop)
    if [ -n "$stop" ]; then
        cat <<EOF
**Not every count was reached**: adding endpoints may take $(m fill_budget) s
in all (BENCH_OVN_FILL_BUDGET), and on this machine the last count measured
was ${stop% *} endpoints (target ${stop#* }); larger counts were skipped.  Each
endpoint costs more the more there are (see "Adding endpoints" below).

EOF
    fi
    if [ $plot_ok = 1 ]; then
        echo "![OVN-mode benchmarks]($(basename "$PLOT"))"
        echo
    fi

    if [ $have_attach = 1 ]; then
        cat <<EOF
## 1. Attach cycle

CreateEndpoint, Join, Leave and DeleteEndpoint straight on host 1's plugin
socket, as dockerd sends them (\`bench/attach.c\`: keep-alive HTTP/1.1,
Docker-shaped JSON; no container, so no runc and no netns move), timed
in-process.  Two networks of the same daemon on host 1: one in OVN mode
(\`-o ovsgw.mode=ovn\`: a logical switch and router in NB, veths on br-int
with an iface-id; Join waits until ovn-controller has set ovn-installed),
one in local mode (the baseline: ovsgw's own flows on its own bridge).
Each network has N endpoints already (CreateEndpoint only, as the "fill"
of bench/run.sh; $(m subnets) subnets), so host 1 carries 2N endpoints while both
are measured.  One cycle per process; before each, untimed, \`ovn-nbctl
--wait=hv sync\` (northd and every ovn-controller have caught up) and an
ovs-vswitchd round trip (it is idle).  Rounds of $(m per_round) cycles on each
network, which network goes first alternating; $(m rounds) rounds per N and
daemon mode.  Daemon modes: **spare** is ovsgw's defaults (in local mode
DeleteEndpoint keeps the port and the next CreateEndpoint takes it over;
OVN mode never does), **fresh** is ovsgw restarted with \`--pool 0\` (local
mode too creates a veth and an OVS port per cycle and deletes them): the
fresh ratio is what OVN itself adds to the same kernel and OVS work.
The ratio is the p50 over rounds of (median OVN cycle / median local
cycle) in the round, with the smallest and largest round.

| N per network | Daemon | Local mode p50 (p10–p90), ms | OVN mode p50 (p10–p90), ms | OVN / local, p50 (rounds' range) | Cycles each |
|---|---|---|---|---|---|
EOF
        for n in $MEASURED; do
            for mode in spare fresh; do
                k=$n,$mode
                echo "| $n | $mode | ${A_LOC_S[$k]} | ${A_OVN_S[$k]} | **$(x_txt "${A_RATIO[$k]}")** ($(fmt "${A_RMIN[$k]}" %.1f)–$(fmt "${A_RMAX[$k]}" %.1f)) | ${A_N[$k]} |"
            done
        done
        cat <<EOF

### Where the time goes

p50 of each call, ms (both daemon modes pooled for OVN mode, whose cycle
they do not change):

| N | Network | CreateEndpoint | Join | Leave | DeleteEndpoint |
|---|---|---|---|---|---|
EOF
        for n in $MEASURED; do
            for row in "OVN:any:ovn" "local, spare:spare:local" "local, fresh:fresh:local"; do
                IFS=: read -r label mode net <<<"$row"
                echo "| $n | $label | $(fmt_ms "$(cyc "$n" "$mode" "$net" 6 | med)") | $(fmt_ms "$(cyc "$n" "$mode" "$net" 7 | med)") | $(fmt_ms "$(cyc "$n" "$mode" "$net" 8 | med)") | $(fmt_ms "$(cyc "$n" "$mode" "$net" 9 | med)") |"
            done
        done
        echo
        if ls "$R"/attach/mon-[0-9]* >/dev/null 2>&1; then
            cat <<EOF
Install latency, from $(m monitored) more OVN cycles per N under an OVSDB
monitor of host 1's Interface table (\`ovsdb-client --timestamp monitor\`;
ms from the port's row being inserted by CreateEndpoint to the update
that sets the column; the monitor's receive times, 1 ms resolution):

| N | → ofport (ovs-vswitchd has the port) p50 / max | → ovn-installed (ovn-controller's flows are in) p50 / max | Join p50 of those cycles | Samples |
|---|---|---|---|---|
EOF
            for n in $MEASURED; do
                [ -s "$R/attach/mon-$n" ] || continue
                install_latency "$R/attach/mon-$n" >"$P/il"
                jn=$(awk -v n="$n" '$1 == n { print $4 }' "$R/attach/mon-cycles" 2>/dev/null | med)
                echo "| $n | $(fmt "$(col 1 "$P/il" | med)" %.0f) / $(fmt "$(col 1 "$P/il" | pct 100)" %.0f) | $(fmt "$(col 2 "$P/il" | med)" %.0f) / $(fmt "$(col 2 "$P/il" | pct 100)" %.0f) | $(fmt_ms "$jn") | $(wc -l <"$P/il") |"
            done
            cat <<EOF

Join returns when ovsgw sees \`external_ids:ovn-installed=true\`, which it
polls (\`ovn_endpoint_wait\`, plugin/ovn.c): Join is the rest of the
install latency after CreateEndpoint returned, rounded up to the poll.

EOF
        fi
        if [ -s "$R/attach/fill" ]; then
            cat <<EOF
### Adding endpoints

CreateEndpoint only, in chunks of $(m fill_chunk) per network (ms per endpoint, whole
chunk; then \`ovn-nbctl --wait=hv sync\`):

| Endpoints per network | OVN mode | Local mode | sync |
|---|---|---|---|
EOF
            awk '{ n = $2 - $1; printf "| %d → %d | %.1f | %.1f | %.0f ms |\n",
                $1, $2, $3 / n / 1000, $4 / n / 1000, $5 / 1000 }' "$R/attach/fill"
            echo
        fi
        if [ -s "$R/attach/restarts" ]; then
            echo "Daemon restarts between modes (until it answers again, ms, polled every"
            echo "0.1 s; it restores every endpoint of both networks):"
            awk '{ printf "%s%s+%s endpoints %s %s", sep, $1, $1, $2, $3; sep = "; " }
                END { print "." }' "$R/attach/restarts"
            echo
        fi
    fi

    if [ $have_tp = 1 ]; then
        cat <<EOF
## 2. TCP throughput

iperf3 (one TCP stream, $(m iperf_seconds) s after 1 s omitted, the receiver's rate),
$(m iperf_reps) runs per setup, interleaved ABBA (forward in odd runs, backward
in even ones).  The server is a container on host 1 in each case.

| Setup | Path | p50, Mbit/s | All runs | Client's eth0 |
|---|---|---|---|---|
| ovn-cross | container on host 2 → container on host 1, OVN mode (Geneve between the hosts' br-phy) | $(fmt "${TP[ovn-cross]}" %.1f) | ${TP_ALL[ovn-cross]} | ${TP_ETH[ovn-cross]} |
| ovn-same | container → container on host 1, OVN mode (br-int only) | $(fmt "${TP[ovn-same]}" %.1f) | ${TP_ALL[ovn-same]} | ${TP_ETH[ovn-same]} |
| local-same | container → container on host 1, local mode (ovsgw's own bridge) | $(fmt "${TP[local-same]}" %.1f) | ${TP_ALL[local-same]} | ${TP_ETH[local-same]} |
| fake-cross | fake port on host 3 (the host's iperf3) → the same server on host 1 | $(fmt "${TP[fake-cross]}" %.1f) | ${TP_ALL[fake-cross]} | ${TP_ETH[fake-cross]} |

Ratios, p50 over repetitions (min–max):

- across hosts / same host, OVN mode (what Geneve and the second
  ovs-vswitchd cost): **$(tp_ratio_txt ovn-cross ovn-same)**
- OVN mode / local mode, same host: **$(tp_ratio_txt ovn-same local-same)**
- ovsgw's container / fake port, both across hosts (ovsgw's endpoint
  against a bare namespace on br-int, another sending host):
  **$(tp_ratio_txt ovn-cross fake-cross)**

EOF
        if [[ ${TP_ETH[ovn-same]} == *tx-csum=off* ]]; then
            cat <<EOF
OVN-mode endpoints have TX checksum offload, and with it TCP
segmentation offload, turned off (the Client's eth0 column): ovsgw does so
on the userspace datapath (\`create_ovn_endpoint\`, plugin/driver.c),
because OVS 3.1 drops offloaded packets at a Geneve tunnel
(userspace-tso-enable=$(m tso)).  It applies to same-host traffic too, so
an OVN-mode container sends MTU-sized segments through OVS where a
local-mode one hands over 64 KiB TSO frames: the OVN/local ratio on one
host is that and OVN's pipeline together (not measured apart here).

EOF
        fi
    fi

    if [ $have_reach = 1 ]; then
        cat <<EOF
## 3. Time until a new endpoint is reachable from another host

Before each sample, two pingers start: fake ports on host 3 (remote) and
on host 2 (the baseline: the new endpoint's own host), each with a static
neighbour entry for the new address and MAC, sending one ICMP echo
request every $(awk -v i="$(m reach_interval)" 'BEGIN { print i * 1000 }') ms (so that resolution; a raw socket in
python3, the reply's wall clock).  Then on host 2 either \`docker run -d
--ip --mac-address\` on the OVN-mode network (timed), or a fake port
(\`ovn_fake_port\`: the logical port in NB, then the veth on br-int with
its iface-id, the order ovsgw uses: OVN alone, without Docker and ovsgw).
The first answer each pinger gets is noted, and ovn-controller's
\`ovn-installed-ts\` for the new port on host 2.  A new address per sample;
\`ovn-nbctl --wait=hv sync\` between samples; the two kinds alternate.
$(m reach) samples of each kind; with so few, p99 is the largest or
second largest value.

Containers (\`docker run -d\`; ms from its start unless said):

| Event | p50 | p90 | p99 |
|---|---|---|---|
$(reach_row ctr run "\`docker run -d\` returns")
$(reach_row ctr inst "port installed on host 2 (ovn-installed-ts)")
$(reach_row ctr r3 "first answer on host 3 (remote)")
$(reach_row ctr r2 "first answer on host 2 (same host)")
$(reach_row ctr r3run "host 3's first answer after \`docker run\` returned (negative: before)")
$(reach_row ctr r3inst "host 3's first answer after the port was installed")
$(reach_row ctr d32 "host 3 − host 2, per sample")

Ratio remote / same host (from \`docker run\`'s start), p50 over samples:
**$(fmt "$(reach_col ctr ratio | med)" %.2f)**.  Missed (no answer in $(m reach_limit) s): host 3
$(reach_missed ctr 6), host 2 $(reach_missed ctr 7).

Fake ports (OVN alone; ms from the port's ovn-installed-ts on host 2):

| Event | p50 | p90 | p99 |
|---|---|---|---|
$(reach_row fake r3 "first answer on host 3 (remote)")
$(reach_row fake r2 "first answer on host 2 (same host)")
$(reach_row fake d32 "host 3 − host 2, per sample")

Missed: host 3 $(reach_missed fake 6), host 2 $(reach_missed fake 7).  A negative value: the
first answer came before the port's ovn-installed-ts, i.e. host 2's flows
were in before ovn-controller wrote that key.

EOF
    fi

    cat <<EOF
## Machine and run

- CPU: $(m cpu), $(m nproc) CPUs; memory $(m mem)
- $(m os), kernel $(m kernel)
- Open vSwitch $(m ovs) (userspace datapath, userspace-tso-enable=$(m tso)),
  OVN $(m ovn), Docker $(m docker), iperf3 $(m iperf3), ovsgw $(m ovsgw)
- Load average (1, 5, 15 min) at the start: $(m load); at the end: $(m load_end)
- Other processes above 20% CPU at the start: $(b=$(m busy); echo "${b:-none}")
- Run time: $(m elapsed) s in all ($(m measured_s) s until the measurements ended,
  the rest tearing the world down and writing this page)
- Parts (start and length, s into the run; load before → after):
  $(awk '{ printf "%s%s at %s for %s (%s %s %s → %s %s %s)", sep, $1, $2, $3, $4, $5, $6, $7, $8, $9; sep = "; " }' "$R/parts")
- Parameters: counts "$(m counts)" (measured: $(m measured)), fill budget $(m fill_budget) s,
  $(m rounds) rounds × $(m per_round) cycles, $(m monitored) monitored cycles, $(m reach) reach
  samples, iperf3 $(m iperf_reps) × $(m iperf_seconds) s

## Reproducing

\`\`\`
sudo make bench-ovn            # this page and $(basename "$PLOT"); about $((($(m elapsed) + 59) / 60)) min here
sudo QUICK=1 make bench-ovn    # a short try run, written to build/bench/
\`\`\`

Knobs (environment, see bench/ovn.sh): BENCH_OVN_COUNTS ("1 100 1000"),
BENCH_OVN_FILL_BUDGET (300 s), BENCH_OVN_ROUNDS, BENCH_OVN_PER_ROUND,
BENCH_OVN_MONITORED, BENCH_OVN_REACH, BENCH_OVN_IPERF_REPS,
BENCH_OVN_IPERF_SECONDS, BENCH_OVN_ONLY (a subset of "throughput reach
attach", written to build/bench/), BENCH_KEEP=1 (keep the raw results;
\`bash bench/ovn-report.sh DIR OUT.md OUT.png\` re-writes a page from
them).

## Caveats

- One machine plays four (central and three hosts): the hosts' OVS
  instances, ovn-controllers, northd and the NB/SB servers compete for
  $(m nproc) CPUs with each other and with whatever else runs (see the load
  above).  Cross-host figures measure OVN's mechanisms, not a network.
- The userspace datapath only; the kernel datapath (and its TSO through
  Geneve) may behave quite differently.
- In the attach figures both networks hold N endpoints, so the host has
  2N ports on one ovs-vswitchd; every port add or delete makes it
  reconfigure all of them, which weighs on both modes.
- The attach cycle has no container: \`docker run\` adds runc, the netns
  move and more (section 3 shows a whole \`docker run\`).
- p99 from tens of samples is close to the maximum: read it as "the worst
  seen", not as a tail estimate.
EOF
} >"$OUT.tmp" && mv "$OUT.tmp" "$OUT"
