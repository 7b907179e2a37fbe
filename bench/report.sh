#!/bin/bash
# bench/report.sh RESULTS_DIR OUT.md OUT.png - turns the raw results of
# bench/run.sh into docs/benchmarks.md and its plot.  Can be re-run on kept
# results (BENCH_KEEP=1 make bench).
set -uo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
report_start "$@"
mib() { awk -v k="$1" 'BEGIN { if (k == "") print "-"; else printf "%.2f", k / 1024 }'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "nan" && a + 0 >= b + 0) }'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "nan" && a + 0 <= b + 0) }'; }
verdict() { if "$@"; then echo "**met**"; else echo "**missed**"; fi; }
# shellcheck source=bench/report-services.sh
. "$(dirname "${BASH_SOURCE[0]}")/report-services.sh"

COUNTS=$(m counts)
# The datapath measured (netdev in results from before it was recorded),
# and whether the run was in the kernel guest of make bench-kernel.
DP=$(m datapath)
DP=${DP:-netdev}
KGUEST=$(m kguest)
KGUEST=${KGUEST:-0}
if [ "$DP" = system ]; then
    DP_TXT="kernel datapath (system)"
else
    DP_TXT="userspace datapath (netdev)"
fi
have_attach=0; [ -s "$R/attach/scale" ] && have_attach=1
have_start=0; [ -s "$R/start" ] && have_start=1
have_tp=0; [ -s "$R/tp" ] && have_tp=1
svc_report_init

# ------------------------------------------------------------ computations

# Attach results are keyed "MODE,N": MODE spare (the daemon's defaults) or
# fresh (--pool 0), see bench/run.sh.
MODES="spare fresh"
declare -A A_P50 A_P99 O_P50 O_P99 SPEED C_CREATE C_JOIN C_LEAVE C_DELETE O_ADD O_DEL
declare -A OD_P50 FLOWS RSS HWM FORMULA K_ECHO K_ECHO_LINK K_VETH K_VSADD K_VSDEL
declare -A RESTART R_RSS R_HWM
# kmed N WHAT: median of the building block WHAT at N.
kmed() { awk -v k="$2" '$1 == k { print $2 }' "$R/attach/comp-$1" | med; }
S=0 POL=0 FIXED=0
if [ $have_attach = 1 ]; then
    read -r S POL <"$R/attach/scale-params"
    # The flows of the network itself (see section 4): 5 + 3 per subnet
    # + P, and its uplink's 2 + 3 per subnet.
    FIXED=$((5 + 3 * S + POL + 2 + 3 * S))
    for n in $COUNTS; do
        for mode in $MODES; do
            k=$mode,$n
            f=$R/attach/ovsgw-$mode-$n
            o=$R/attach/od-$mode-$n
            [ -s "$f" ] || continue
            A_P50[$k]=$(col 1 "$f" | pct 50)
            A_P99[$k]=$(col 1 "$f" | pct 99)
            C_CREATE[$k]=$(col 2 "$f" | med)
            C_JOIN[$k]=$(col 3 "$f" | med)
            C_LEAVE[$k]=$(col 4 "$f" | med)
            C_DELETE[$k]=$(col 5 "$f" | med)
            O_P50[$k]=$(col 1 "$o" | pct 50)
            O_P99[$k]=$(col 1 "$o" | pct 99)
            O_ADD[$k]=$(col 2 "$o" | med)
            O_DEL[$k]=$(col 3 "$o" | med)
            # Per round: ovs-docker's cycle over the median of the ovsgw block.
            SPEED[$k]=$(awk '$2 > 0 { print $1 / $2 }' "$R/attach/rounds-$mode-$n" | med)
        done
        # ovs-docker over the rounds of both modes (for the plot).
        OD_P50[$n]=$(cat "$R/attach/od-"*"-$n" 2>/dev/null | awk '{ print $1 }' | pct 50)
        if [ -s "$R/attach/comp-$n" ]; then
            K_ECHO[$n]=$(kmed "$n" of-echo)
            K_ECHO_LINK[$n]=$(kmed "$n" of-echo-link)
            K_VETH[$n]=$(kmed "$n" veth-del)
            K_VSADD[$n]=$(kmed "$n" vsctl-add)
            K_VSDEL[$n]=$(kmed "$n" vsctl-del)
        fi
    done
    while read -r n fl rss hwm; do
        FLOWS[$n]=$fl
        RSS[$n]=$rss
        HWM[$n]=$hwm
        FORMULA[$n]=$((FIXED + 5 * n))
    done <"$R/attach/scale"
    # "N MODE MS RSS PEAK": the daemon restarted in MODE with N endpoints,
    # answering after MS; then its RSS and peak RSS (KiB).
    if [ -s "$R/attach/restarts" ]; then
        while read -r n mode ms rss hwm; do
            [ "$mode" = spare ] || continue
            RESTART[$n]=$ms R_RSS[$n]=$rss R_HWM[$n]=$hwm
        done <"$R/attach/restarts"
    fi
fi
first=${COUNTS%% *}
last=${COUNTS##* }
# Whether the fresh mode was measured (BENCH_ATTACH_MODES).
have_fresh=0
[ -n "${A_P50[fresh,$first]:-}" ] && have_fresh=1

if [ $have_start = 1 ]; then
    declare -A ST
    for net in ovsgw bridge none; do
        ST[$net]=$(awk -v n=$net '$2 == n { print $3 }' "$R/start" | med)
        ST[$net.p90]=$(awk -v n=$net '$2 == n { print $3 }' "$R/start" | pct 90)
    done
    # Per round ratios.
    ST_RATIO=$(awk '{ v[$1, $2] = $3; r[$1] = 1 } END { for (i in r)
        if (v[i, "bridge"] > 0) print v[i, "ovsgw"] / v[i, "bridge"] }' "$R/start" | med)
    ST_RATIO_NONE=$(awk '{ v[$1, $2] = $3; r[$1] = 1 } END { for (i in r)
        if (v[i, "none"] > 0) print v[i, "ovsgw"] / v[i, "none"] }' "$R/start" | med)
fi

TP_SETUPS="veth linux-bridge ovs-normal ovsgw-same ovsgw-routed"
if [ $have_tp = 1 ]; then
    declare -A TP TP_ALL
    for s in $TP_SETUPS; do
        TP[$s]=$(awk -v s="$s" '$2 == s { print $3 }' "$R/tp" | med)
        TP_ALL[$s]=$(awk -v s="$s" '$2 == s { printf "%s%.2f", sep, $3 / 1000; sep = ", " }' "$R/tp")
    done
    tp_ratio() { # per repetition ratio $1/$2, median
        awk -v a="$1" -v b="$2" '{ v[$1, $2] = $3; r[$1] = 1 } END { for (i in r)
            if (v[i, b] > 0) print v[i, a] / v[i, b] }' "$R/tp" | med
    }
    TP_SAME=$(tp_ratio ovsgw-same ovs-normal)
    TP_ROUTED=$(tp_ratio ovsgw-routed ovs-normal)
    TP_SAME_LB=$(tp_ratio ovsgw-same linux-bridge)
    TP_ROUTED_LB=$(tp_ratio ovsgw-routed linux-bridge)
    tp_ratios() { # all per repetition ratios, sorted
        awk -v a="$1" -v b="$2" '{ v[$1, $2] = $3; r[$1] = 1 } END { for (i in r)
            if (v[i, b] > 0) print v[i, a] / v[i, b] }' "$R/tp" | sort -g |
            awk '{ printf "%s%.2f", sep, $1; sep = ", " }'
    }
    TP_SAME_ALL=$(tp_ratios ovsgw-same ovs-normal)
    TP_NRM_MIN=$(awk '$2 == "ovs-normal" { print $3 }' "$R/tp" | pct 0)
    TP_NRM_MAX=$(awk '$2 == "ovs-normal" { print $3 }' "$R/tp" | pct 100)
    TP_ROUTED_ALL=$(tp_ratios ovsgw-routed ovs-normal)
fi

# ----------------------------------------------------------------- targets

# speeds MODE: "119.0× at N=1; ..." over COUNTS.
speeds() {
    local n txt=""
    for n in $COUNTS; do
        [ -n "${SPEED[$1,$n]:-}" ] || continue
        txt+="${txt:+; }$(fmt "${SPEED[$1,$n]}" %.1f)× at N=$n"
    done
    echo "$txt"
}
# scale_txt MODE: "45.0 ms / 1.1 ms = 40.91×" (p50 at the last N / first N).
scale_txt() {
    echo "$(fmt_ms "${A_P50[$1,$last]:-nan}") ms / $(fmt_ms "${A_P50[$1,$first]:-nan}") ms = $(fmt "$(div "${A_P50[$1,$last]:-}" "${A_P50[$1,$first]:-}")" %.2f)×"
}

t_rows=()
SCALE_MISSED=0
if [ $have_attach = 1 ]; then
    ok=1
    for n in $COUNTS; do
        [ -n "${SPEED[spare,$n]:-}" ] || continue
        ge "${SPEED[spare,$n]}" 25 || ok=0
    done
    t_rows+=("| attach cycle at least 25× faster than ovs-docker add-port + del-port | spare ports (default): $(speeds spare)$([ $have_fresh = 1 ] && echo "; fresh ports (\`--pool 0\`): $(speeds fresh)") | $(verdict test $ok = 1) |")
    SCALE_RATIO=$(div "${A_P50[spare,$last]:-}" "${A_P50[spare,$first]:-}")
    le "$SCALE_RATIO" 1.2 || SCALE_MISSED=1
    t_rows+=("| ovsgw p50 at $last endpoints no more than 1.2× the p50 at $first | spare ports (default): $(scale_txt spare)$([ $have_fresh = 1 ] && echo "; fresh ports: $(scale_txt fresh)") | $(verdict le "$SCALE_RATIO" 1.2) |")
fi
if [ $have_start = 1 ]; then
    t_rows+=("| \`docker run --rm\` on ovsgw no slower than on Docker's bridge | ratio $(fmt "$ST_RATIO" %.3f) ($(fmt_ms "${ST[ovsgw]}") ms vs $(fmt_ms "${ST[bridge]}") ms) | $(verdict le "$ST_RATIO" 1.0) |")
fi
if [ $have_tp = 1 ]; then
    t_rows+=("| throughput through ovsgw's flows at least 0.95× the NORMAL-flow bridge, same subnet | $(fmt "$TP_SAME" %.3f)× | $(verdict ge "$TP_SAME" 0.95) |")
    t_rows+=("| the same, routed across subnets by the flows | $(fmt "$TP_ROUTED" %.3f)× | $(verdict ge "$TP_ROUTED" 0.95) |")
    [ "$DP" = system ] &&
        t_rows+=("| throughput through ovsgw's flows against a Linux bridge (no target: for comparison) | same subnet $(fmt "$TP_SAME_LB" %.3f)×, routed $(fmt "$TP_ROUTED_LB" %.3f)× | - |")
fi
if [ $have_attach = 1 ] && [ -n "${RSS[$last]:-}" ]; then
    restart_rss=""
    [ -n "${R_RSS[$last]:-}" ] &&
        restart_rss="; right after a restart with $last endpoints (restored from OVSDB): $(mib "${R_RSS[$last]}") MiB (peak $(mib "${R_HWM[$last]}") MiB)"
    t_rows+=("| daemon RSS under 8 MiB at $last endpoints | $(mib "${RSS[$last]}") MiB (peak $(mib "${HWM[$last]}") MiB), endpoints created one by one$restart_rss | $(verdict awk -v k="${HWM[$last]}" 'BEGIN { exit !(k < 8192) }') |")
    fok=1
    for n in "${!FLOWS[@]}"; do [ "${FLOWS[$n]}" = "${FORMULA[$n]}" ] || fok=0; done
    t_rows+=("| flow count equals the formula at every N (not a target, a check) | $(for n in $(echo "${!FLOWS[@]}" | tr ' ' '\n' | sort -n); do printf '%s/%s ' "${FLOWS[$n]}" "${FORMULA[$n]}"; done)| $(verdict test $fok = 1) |")
fi

svc_target_rows

# -------------------------------------------------------------------- plot

plot_ok=0
if command -v gnuplot >/dev/null && { [ $have_attach = 1 ] || [ $have_start = 1 ] ||
    [ $have_tp = 1 ] || [ "$have_svc" = 1 ]; }; then
    svc_plot_data
    # 2x2 panels for attach, start, throughput and scale; 3x3 with the
    # five of bench/report-services.sh.
    layout="2,2" size="1200,900"
    [ "$have_svc" = 1 ] && layout="3,3" size="1650,1350"
    # N, p50 spare, p50 fresh, p50 ovs-docker, OpenFlow echo (ms; "-"
    # where missing).
    for n in $COUNTS; do
        [ -n "${OD_P50[$n]:-}" ] || continue
        echo "$n ${A_P50[spare,$n]:--} ${A_P50[fresh,$n]:--} ${OD_P50[$n]} ${K_ECHO[$n]:--}"
    done | awk '{ printf "%s", $1; for (i = 2; i <= 5; i++)
        if ($i == "-" || $i == "nan") printf " -"; else printf " %.3f", $i / 1000
        print "" }' >"$P/attach.dat"
    for n in $(echo "${!FLOWS[@]}" | tr ' ' '\n' | sort -n); do
        echo "$n ${FLOWS[$n]} ${FORMULA[$n]} $(awk -v k="${RSS[$n]}" 'BEGIN { printf "%.3f", k / 1024 }')"
    done >"$P/scale.dat"
    if [ $have_start = 1 ]; then
        printf '"none" %s\n"bridge" %s\n"ovsgw" %s\n' "${ST[none]}" "${ST[bridge]}" "${ST[ovsgw]}" |
            awk '{ printf "%s %.1f\n", $1, $2 / 1000 }' >"$P/start.dat"
    fi
    if [ $have_tp = 1 ]; then
        for s in $TP_SETUPS; do
            printf '"%s" %s\n' "$s" "${TP[$s]}"
        done | awk '{ printf "%s %.2f\n", $1, $2 / 1000 }' >"$P/tp.dat"
    fi
    {
        echo "set terminal pngcairo size $size font 'sans,10'"
        echo "set output '$PLOT'"
        echo "set multiplot layout $layout title 'ovsgw benchmarks, $(m date), $(m nproc) CPUs, OVS $(m ovs) $DP datapath$([ "$KGUEST" = 1 ] && echo ', qemu TCG guest')'"
        echo "set grid ytics"
        if [ -s "$P/attach.dat" ]; then
            echo "set title 'Attach cycle (Create+Join+Leave+DeleteEndpoint), p50'"
            echo "set logscale xy; set xlabel 'endpoints already on the network'; set ylabel 'ms'"
            echo "set xrange [0.5:2000]; set yrange [*:$([ "$KGUEST" = 1 ] && echo '*' || echo 10000)]; set key top left; set datafile missing '-'"
            echo "plot '$P/attach.dat' u 1:2 w lp lw 2 pt 7 t 'ovsgw, spare ports (default)', '' u 1:3 w lp lw 2 pt 9 t 'ovsgw, fresh ports (--pool 0)', '' u 1:4 w lp lw 2 pt 5 t 'ovs-docker add-port + del-port', '' u 1:5 w lp dt 2 pt 6 lc rgb '#777777' t 'one OpenFlow round trip (echo)'"
            echo "unset logscale; unset xrange; set autoscale"
        else
            echo "set multiplot next"
        fi
        echo "set style fill solid 0.6 border -1; set boxwidth 0.6; set yrange [0:*]; unset xlabel"
        if [ -s "$P/start.dat" ]; then
            echo "set title 'docker run --rm (median)'; set ylabel 'ms'; set key off"
            echo "plot '$P/start.dat' u 0:2:xtic(1) w boxes lc rgb '#4477aa', '' u 0:2:(sprintf('%.0f', \$2)) w labels offset 0,1"
        else
            echo "set multiplot next"
        fi
        if [ -s "$P/tp.dat" ]; then
            echo "set title 'iperf3 TCP, container to container (median)'; set ylabel 'Gbit/s'; set key off"
            echo "plot '$P/tp.dat' u 0:2:xtic(1) w boxes lc rgb '#228833', '' u 0:2:(sprintf('%.1f', \$2)) w labels offset 0,1"
        else
            echo "set multiplot next"
        fi
        if [ -s "$P/scale.dat" ]; then
            echo "set title 'Scale: flows and daemon RSS'; set key top left"
            echo "set xlabel 'endpoints'; set ylabel 'flows'; set y2label 'RSS (MiB)'; set y2tics; set ytics nomirror"
            echo "set xrange [0:*]; set yrange [0:*]; set y2range [0:*]"
            echo "f(n) = $FIXED + 5 * n"
            echo "plot f(x) w l lc rgb '#999999' t 'formula $FIXED + 5N', '$P/scale.dat' u 1:2 w p pt 7 ps 1.5 t 'flows measured', '' u 1:4 axes x1y2 w lp pt 5 t 'daemon RSS (MiB)'"
        else
            echo "set multiplot next"
        fi
        [ "$have_svc" = 1 ] && svc_plot_panels
        echo "unset multiplot"
    } >"$P/plot.gp"
    if gnuplot "$P/plot.gp" 2>"$P/gnuplot.err"; then
        plot_ok=1
    else
        echo "report: gnuplot failed:" >&2
        cat "$P/gnuplot.err" >&2
    fi
fi

# -------------------------------------------------------------------- page


# restarts_txt: "40 ms at N=1, ..." from RESTART.
restarts_txt() {
    local n txt=""
    for n in $COUNTS; do
        [ -n "${RESTART[$n]:-}" ] || continue
        txt+="${txt:+, }$(fmt_ms "$((RESTART[$n] * 1000))") ms at N=$n"
    done
    echo "it answered after ${txt:-an unrecorded time}"
}

# why_scale_missed: why the p50 at the last N is more than 1.2x the one at
# the first, from the OpenFlow echo round trips.
why_scale_missed() {
    local e1=${K_ECHO[$first]:-} el=${K_ECHO[$last]:-} p1=${A_P50[spare,$first]:-}
    local pl=${A_P50[spare,$last]:-} l1=${K_ECHO_LINK[$first]:-} ll=${K_ECHO_LINK[$last]:-}
    local budget than
    [ -n "$e1" ] && [ -n "$el" ] && [ -n "$p1" ] && [ -n "$l1" ] && [ -n "$ll" ] || return 1
    budget=$(awk -v p="$p1" 'BEGIN { print 1.2 * p }')
    than="already more than"
    le "$el" "$budget" && than=within
    cat <<EOT
**Why the 1.2× target is missed.** A cycle waits for ovs-vswitchd once:
CreateEndpoint sends the endpoint's flows and a barrier and answers Docker
when the barrier reply is back, so that a container never starts before
its flows are in (and a refused flow is an \`Err\`). DeleteEndpoint sends
the delete by cookie and does not wait: ovs-vswitchd applies what comes on
one connection in order, so later flows come after it. On the userspace
(netdev) datapath, ovs-vswitchd's main thread polls every port (none is DPDK
here) in each iteration of its main loop, the same loop that handles
OpenFlow, so a round trip costs at least one iteration, and an iteration
grows with the number of ports. An OpenFlow echo to the bridge, which needs
no other work, took **$(fmt_ms "$e1") ms** (p50) at N=$first and **$(fmt_ms "$el") ms** at N=$last
(building blocks in 1): one round trip at N=$last is $than the $(fmt_ms "$budget") ms
that the target allows (1.2 × the p50 of $(fmt_ms "$p1") ms at N=$first); the cycle's
p50 at N=$last was $(fmt_ms "$pl") ms (CreateEndpoint $(fmt_ms "${C_CREATE[spare,$last]}") ms, DeleteEndpoint $(fmt_ms "${C_DELETE[spare,$last]}") ms,
medians). ovsgw sends the same messages at every N (one endpoint's 5 flows,
one delete by cookie): any driver that waits for OVS to confirm an
endpoint's flows pays at least that round trip on this datapath. Worse, any
link change on the host makes ovs-vswitchd reconfigure every bridge, and a
round trip sent meanwhile waits for it: an echo sent 1 ms after a veth
change took **$(fmt_ms "$l1") ms** at N=$first and **$(fmt_ms "$ll") ms** at N=$last. That is why a spare
port is taken over without touching its veth on the host (Docker sets the
endpoint's MAC once the veth is in the container, out of ovs-vswitchd's
sight) and why CreateEndpoint sends the flows before it creates a veth;
dockerd's own move of the veth into the container is such a change, and
it is part of the \`docker run\` timings in 2.
EOT
}

# fill_note: when the largest N is below 1000 (the kernel guest), how long
# creating the endpoints took, from $R/attach/fill ("FROM TO SECONDS").
fill_note() {
    [ "$last" -lt 1000 ] && [ -s "$R/attach/fill" ] || return 1
    local txt
    txt=$(awk '$2 > $1 { printf "%s%d → %d in %d s (%.1f s per endpoint)", sep, $1, $2, $3,
        $3 / ($2 - $1); sep = ", " }' "$R/attach/fill")
    cat <<EOT
**The largest N is $last, not 1000.** Filling the network (CreateEndpoint
one by one, each a veth pair and an OVS port) took $txt in this run$([ "$KGUEST" = 1 ] && echo " under emulation"): 1000
endpoints would not fit in the run's time (\`make bench-kernel\` is to take
about 40 minutes), so the attach targets are judged at N=$last against N=$first.
EOT
}

# why_scale_missed_system: the same on the kernel datapath, from the
# figures of this run only (echo round trips against the cycle's growth).
why_scale_missed_system() {
    local e1=${K_ECHO[$first]:-} el=${K_ECHO[$last]:-} p1=${A_P50[spare,$first]:-}
    local pl=${A_P50[spare,$last]:-} l1=${K_ECHO_LINK[$first]:-} ll=${K_ECHO_LINK[$last]:-}
    local grow egrow share
    [ -n "$e1" ] && [ -n "$el" ] && [ -n "$p1" ] && [ -n "$pl" ] || return 1
    grow=$(awk -v a="$pl" -v b="$p1" 'BEGIN { print a - b }')
    egrow=$(awk -v a="$el" -v b="$e1" 'BEGIN { print a - b }')
    share=$(awk -v g="$grow" -v e="$egrow" 'BEGIN { if (g > 0) printf "%.0f", 100 * e / g; else print "nan" }')
    cat <<EOT
**Why the 1.2× target is missed.** ovsgw sends the same messages at
every N: CreateEndpoint waits for one OpenFlow round trip (its flows and a
barrier), DeleteEndpoint for none. From N=$first to N=$last:
CreateEndpoint $(fmt_ms "${C_CREATE[spare,$first]}") → $(fmt_ms "${C_CREATE[spare,$last]}") ms, DeleteEndpoint
$(fmt_ms "${C_DELETE[spare,$first]}") → $(fmt_ms "${C_DELETE[spare,$last]}") ms (medians), and the cycle's p50 grew from
$(fmt_ms "$p1") to $(fmt_ms "$pl") ms. An OpenFlow echo to the bridge took $(fmt_ms "$e1") → $(fmt_ms "$el") ms
(p50), and $(fmt_ms "$l1") → $(fmt_ms "$ll") ms when sent 1 ms after a veth change (building
blocks in 1): the round trip itself accounts for $(fmt "$share" %s)% of the cycle's
growth; the rest is spent elsewhere in the calls (the daemon's own work
and its OVSDB transactions), which this run does not break down further.
Under emulation every instruction costs many times what it costs on
hardware, so the absolute figures overstate all of it; the ratio is what
this run measured.
EOT
}

mode="full"
[ "$(m full)" = 0 ] && mode="parts $(m only) (BENCH_ONLY)"
[ "$(m quick)" = 1 ] && mode="$mode, quick (BENCH_QUICK=1: fewer repetitions, less reliable)"

# The title, the introduction and the machine table: the host's (make
# bench) or the kernel guest's (make bench-kernel).
page_head() {
    if [ "$KGUEST" = 1 ]; then
        cat <<EOF
# Benchmarks on the OVS kernel datapath

Written by \`sudo make bench-kernel\` on $(m date): \`bench/run.sh\` ran
inside the qemu guest of \`make test-kernel\` (Debian's kernel with
\`openvswitch.ko\`, see [kernel-datapath.md](kernel-datapath.md)), on
Open vSwitch's **kernel datapath** (\`datapath_type=system\` for every
bridge: ovsgw's networks and the baselines' bridges), then
\`bench/report.sh\` wrote this page on the host. The figures for the
userspace datapath on the host itself are in [benchmarks.md](benchmarks.md).

**Only the ratios count.** The guest runs under software emulation (qemu
TCG: every guest instruction is translated) on a host that other work
shares, so absolute figures (ms, Gbit/s, requests/s) are many times worse
than on real hardware and move from run to run. Every figure below is set
against a baseline measured **in the same run, in the same guest**; a ratio
is the median of per-round ratios (each round measures the candidate and
its baseline back to back, interleaved). Even the ratios are noisier than
on the host: single runs of one setup can differ by a factor of two, so a
verdict near its threshold can turn in the next run (each section lists
the runs or per-round ratios). Counts and durations are scaled down from
\`make bench\` to fit emulation (see each section and "Reproducing").
Benchmarks are not tests: neither \`make test\` nor CI runs them.

## Machine and setup

| | |
|---|---|
| date | $(m date) |
| host | $(m host_cpu), $(m host_mem), kernel $(m host_kernel), $(m host_os); no OVS kernel module |
| emulation | qemu $(m qemu), \`-accel tcg\` (a KVM guest hangs on these machines), \`-m $(m guest_mem) -smp $(m guest_smp)\` |
| guest kernel | $(m kernel) ($(m guest_pkg), Debian's package unpacked, not installed) |
| guest CPU, memory | $(m nproc) × $(m cpu), $(m mem) |
| guest OS | the host's root ($(m os)) read-only over 9p, with an overlay on tmpfs |
| Open vSwitch | $(m ovs), **kernel datapath (system)**, module loaded before ovs-vswitchd started; \`ovs-dpctl show\` sampled once a second: $(m dpctl); bridges seen: $(m bridges) |
| Docker | dockerd $(m docker), private instance (the private profile of scripts/lib/env.sh) in its own network namespace, in the guest |
| ovsgw | $(m ovsgw) |
| iperf3 | $(m iperf3) |
$(svc_machine_rows)
| the guest's checks | $(m checks): \`openvswitch\` loaded before ovs-vswitchd, every bridge \`system\`, no upcall lost, the benchmark finished |
| host load average | $(m host_load) (other work on the host slows the guest) |
| run | $mode; the benchmark took $(m elapsed) s in the guest; $(m total_s) s for the whole \`make bench-kernel\` (boot: $(m boot_s) s) |

EOF
        return
    fi
    cat <<EOF
# Benchmarks

Written by \`sudo make bench\` (\`bench/run.sh\`, then \`bench/report.sh\`) on
$(m date). Every number below is set against a baseline measured **in the same
run, on the same machine**; a ratio is the median of per-round ratios (each
round measures the candidate and its baseline back to back, interleaved).
Benchmarks are not tests: \`make test\` does not run them.

## Machine and setup

| | |
|---|---|
| date | $(m date) |
| CPU | $(m nproc) × $(m cpu) |
| memory | $(m mem) |
| kernel | $(m kernel) |
| OS | $(m os) |
| Open vSwitch | $(m ovs), **$DP_TXT**$([ "$DP" = netdev ] && echo ": no OVS kernel module on this machine; userspace-tso-enable=$(m tso)") |
| Docker | dockerd $(m docker), private instance (the private profile of scripts/lib/env.sh) in its own network namespace |
| ovsgw | $(m ovsgw) |
| iperf3 | $(m iperf3) |
$(svc_machine_rows)
| load average | $(m load) before the run, $(m load_end) after (other work on the machine adds noise) |
| run | $mode; $(m elapsed) s for the whole \`make bench\` |

EOF
}

{
    page_head
    cat <<EOF
$(svc_parts_table)

## Targets

| target | measured | verdict |
|---|---|---|
EOF
    printf '%s\n' "${t_rows[@]}"
    echo
    if [ $have_attach = 1 ]; then
        if [ $have_fresh = 1 ]; then
            echo "The attach verdicts are for the daemon's defaults (spare ports, see 1); the figures with \`--pool 0\` (fresh ports) are for comparison."
        else
            echo "The attach verdicts are for the daemon's defaults (spare ports, see 1); the fresh mode (\`--pool 0\`) was not measured in this run (BENCH_ATTACH_MODES=\"$(m attach_modes)\")."
        fi
        echo
        fill_note && echo
        if [ $SCALE_MISSED = 1 ] && [ "$DP" = netdev ]; then
            why_scale_missed && echo
        elif [ $SCALE_MISSED = 1 ]; then
            why_scale_missed_system && echo
        fi
    fi
    svc_datapath_advice
    if [ $plot_ok = 1 ]; then
        echo "![benchmarks]($(basename "$PLOT"))"
        echo
        if [ "$have_svc" = 1 ] && [ "$KGUEST" = 1 ]; then
            echo "The plot's panels, left to right and top down: sections 1, (2: not measured here), 3, 4, then 5 to 7." && echo
        elif [ "$have_svc" = 1 ]; then
            echo "The plot's panels, left to right and top down: sections 1, 2, 3, 4, then 5 to 9." && echo
        fi
    fi

    if [ $have_attach = 1 ]; then
        cat <<EOF
## 1. Attach cost

One **ovsgw cycle** is CreateEndpoint + Join + Leave + DeleteEndpoint sent
straight to the daemon's unix socket by \`bench/attach.c\`: one keep-alive
HTTP/1.1 connection, JSON bodies shaped like dockerd's (see
test/fixtures/capture.jsonl), a new 64-hex endpoint ID per cycle, timed with
\`clock_gettime(CLOCK_MONOTONIC)\`; no process is spawned per request. The
daemon sends an endpoint's flows over its persistent OpenFlow connection to
the bridge: CreateEndpoint as flow mods followed by a barrier (one round
trip), answering once the barrier reply is back; DeleteEndpoint deletes them
by cookie without waiting (ovs-vswitchd applies one connection's messages
in order). The cycles alternate between two addresses, so that each cycle
that takes over a port gives it another MAC, as another container would.
Two modes, each measured at every N:

- **spare** (the daemon's defaults): DeleteEndpoint keeps the endpoint's
  veth pair and OVS port as a spare of the bridge (flows deleted, container
  end down, \`external_ids\` rewritten) and the next CreateEndpoint takes
  it over (\`external_ids\` rewritten, flows added; its veth is left alone
  on the host unless the MTU differs: Docker sets the MAC inside the
  container). After the first cycle, no cycle creates or deletes a port.
- **fresh** (the daemon restarted with \`--pool 0\`): CreateEndpoint
  creates a veth pair and adds its host end to the bridge in OVSDB,
  DeleteEndpoint removes the port and deletes the veth pair.

$(if [ $have_fresh = 1 ]; then echo "At every N the spare mode goes first; then the daemon is restarted with
\`--pool 0\` for the fresh mode, and once more with its defaults (each time
it restores every endpoint from OVSDB before it answers again: $(restarts_txt))."; else echo "This run measured the spare mode only (BENCH_ATTACH_MODES=\"$(m attach_modes)\"), on one daemon that ran throughout."; fi) Every timed cycle (of either
tool) starts with ovs-vswitchd idle: the benchmark first waits, untimed, for
ovs-vswitchd's main loop to answer a unixctl request, so that no cycle pays
for the reconfiguration left behind by the one before it (ovsgw does not
wait for ovs-vswitchd to finish removing a port; \`ovs-docker del-port\`
does). The baseline is the tool of the original recipe, **\`ovs-docker
add-port\` + \`ovs-docker del-port\`** (Debian's /usr/bin/ovs-docker) on the
same bridge of the same OVS, for a container of the same dockerd started
with \`--net none\`. The network has $S subnets and 10 TCP rules (see 4); N
endpoints are already on it (created with CreateEndpoint, not in a
container). In each mode, each of $(m attach_rounds) rounds runs one ovs-docker cycle then
$(m attach_per_round) ovsgw cycles; speed-up = median over the mode's rounds of ovs-docker's
cycle / the median ovsgw cycle of the round. Percentiles are nearest-rank.

| N endpoints | mode | ovsgw p50 (ms) | ovsgw p99 (ms) | ovs-docker p50 (ms) | ovs-docker p99 (ms) | speed-up |
|---:|---|---:|---:|---:|---:|---:|
EOF
        for n in $COUNTS; do
            for mode in $MODES; do
                k=$mode,$n
                [ -n "${A_P50[$k]:-}" ] || continue
                echo "| $n | $mode | $(fmt_ms "${A_P50[$k]}") | $(fmt_ms "${A_P99[$k]}") | $(fmt_ms "${O_P50[$k]}") | $(fmt_ms "${O_P99[$k]}") | $(fmt "${SPEED[$k]}" %.1f)× |"
            done
        done
        cat <<EOF

Where the time goes (medians, ms). ovsgw: per call, as seen by the client;
ovs-docker: add-port and del-port, in the rounds of the same mode.

| N | mode | CreateEndpoint | Join | Leave | DeleteEndpoint | ovs-docker add-port | ovs-docker del-port |
|---:|---|---:|---:|---:|---:|---:|---:|
EOF
        for n in $COUNTS; do
            for mode in $MODES; do
                k=$mode,$n
                [ -n "${A_P50[$k]:-}" ] || continue
                echo "| $n | $mode | $(fmt_ms "${C_CREATE[$k]}") | $(fmt_ms "${C_JOIN[$k]}") | $(fmt_ms "${C_LEAVE[$k]}") | $(fmt_ms "${C_DELETE[$k]}") | $(fmt_ms "${O_ADD[$k]}") | $(fmt_ms "${O_DEL[$k]}") |"
            done
        done
        cat <<EOF

Building blocks on the same bridge at the same N, each with ovs-vswitchd
idle first. **OpenFlow round trip**: \`bench/attach.c echo\` connects to the
bridge's management socket, exchanges HELLO (OpenFlow 1.4), then times
$(m echoes) ECHO_REQUEST / ECHO_REPLY exchanges (p50), in-process like the daemon's own
connection; ovs-vswitchd answers an echo without any other work, so this is
the least any OpenFlow round trip costs at that N. **After a veth change**:
the same, but each echo is sent 1 ms after the other end of a veth on the
bridge got a new MAC (untimed): the reply waits for what ovs-vswitchd does
about a link change on the host. Then, medians of
5, each including starting one process (about 2-5 ms): \`ovs-vsctl
add-port\` / \`del-port\` of a veth (they return once ovs-vswitchd has
reconfigured), and \`ip link del\` of a veth pair.

| N | OpenFlow echo round trip | echo after a veth change | ovs-vsctl add-port | ovs-vsctl del-port | veth delete |
|---:|---:|---:|---:|---:|---:|
EOF
        for n in $COUNTS; do
            [ -n "${K_ECHO[$n]:-}" ] || continue
            echo "| $n | $(fmt_ms "${K_ECHO[$n]}") | $(fmt_ms "${K_ECHO_LINK[$n]}") | $(fmt_ms "${K_VSADD[$n]}") | $(fmt_ms "${K_VSDEL[$n]}") | $(fmt_ms "${K_VETH[$n]}") |"
        done
        cat <<EOF

Reading these: a cycle waits for one OpenFlow round trip (CreateEndpoint's
flows), so the echo is the least a cycle can take at that N. With spare
ports, that plus a few OVSDB transactions (\`external_ids\` only, for
which ovs-vswitchd does not reconfigure) is all a cycle does. A link change
on the host sets ovs-vswitchd to work that grows with the number of ports,
and a round trip sent meanwhile waits for it ("echo after a veth change").
With fresh ports, each veth created and each port added or removed causes
such work (\`ovs-vsctl add-port\` / \`del-port\` wait for it, on top of
their own process start and database read), and DeleteEndpoint deletes
the veth pair like \`ip link del\` (the kernel waits for an RCU grace
period, at any N).
EOF
        echo
    fi

    if [ $have_start = 1 ]; then
        cat <<EOF
## 2. Container start

\`docker run --rm IMAGE true\` (busybox image, wall time of the docker CLI)
on an ovsgw network (one /24), on a user-defined network of Docker's built-in
**bridge** driver (\`docker network create -d bridge\`), and with
\`--net none\`; same engine, $(m start_runs) runs each, interleaved with a rotating order,
after one warm-up run each.

| network | median (ms) | p90 (ms) | median − none (ms) |
|---|---:|---:|---:|
EOF
        for net in ovsgw bridge none; do
            echo "| $net | $(fmt_ms "${ST[$net]}") | $(fmt_ms "${ST[$net.p90]}") | $(fmt_ms "$((${ST[$net]%.*} - ${ST[none]%.*}))") |"
        done
        echo
        echo "ovsgw / bridge, median of per-round ratios: **$(fmt "$ST_RATIO" %.3f)**; ovsgw / none: $(fmt "$ST_RATIO_NONE" %.3f)."
        echo
        if [ $have_attach = 1 ] && [ -n "${C_CREATE[spare,$first]:-}" ]; then
            echo "For reference: in 1, ovsgw's CreateEndpoint and DeleteEndpoint took $(fmt_ms "${C_CREATE[spare,$first]}") + $(fmt_ms "${C_DELETE[spare,$first]}") ms with spare ports ($(fmt_ms "${C_CREATE[fresh,$first]:-nan}") + $(fmt_ms "${C_DELETE[fresh,$first]:-nan}") ms with fresh ones; N=$first), the calls a container start and removal wait for; Docker's bridge driver creates and deletes its veth pair inside dockerd."
            echo
        fi
    fi

    if [ $have_tp = 1 ]; then
        cat <<EOF
## 3. Throughput

\`iperf3 -c SERVER -t $(m iperf_seconds) -O 1\` (one TCP stream, receiver rate) between two
containers of the same dockerd (image: busybox plus Debian's iperf3 and its
libraries), $(m iperf_reps) repetitions per setup, interleaved in ABBA order
(ovs-normal, ovsgw-same, ovsgw-routed, linux-bridge, veth, then backwards):

- **ovsgw-same**: an ovsgw network, client and server in the same subnet;
- **ovsgw-routed**: client in the other subnet, routed by ovsgw's flows
  through the virtual gateway (MAC rewrite, \`dec_ttl\`);
- **ovs-normal**: the same OVS, the same $DP_TXT, a bridge
  with a single \`actions=NORMAL\` flow, veths added by hand into
  \`--net none\` containers;
- **linux-bridge**: a Linux bridge, veths added by hand;
- **veth**: one veth pair straight between the two containers (the limit).

| setup | median (Gbit/s) | runs (Gbit/s) | vs ovs-normal | vs veth |
|---|---:|---|---:|---:|
EOF
        for s in $TP_SETUPS; do
            echo "| $s | $(awk -v v="${TP[$s]}" 'BEGIN { printf "%.2f", v / 1000 }') | ${TP_ALL[$s]} | $(awk -v a="${TP[$s]}" -v b="${TP[ovs-normal]}" 'BEGIN { printf "%.2f", a / b }') | $(awk -v a="${TP[$s]}" -v b="${TP[veth]}" 'BEGIN { printf "%.2f", a / b }') |"
        done
        echo
        echo "ovsgw / ovs-normal, median of per-repetition ratios: same subnet **$(fmt "$TP_SAME" %.3f)** (each repetition: $TP_SAME_ALL), routed **$(fmt "$TP_ROUTED" %.3f)** (each: $TP_ROUTED_ALL). ovsgw / linux-bridge: same subnet **$(fmt "$TP_SAME_LB" %.3f)** (each: $(tp_ratios ovsgw-same linux-bridge)), routed **$(fmt "$TP_ROUTED_LB" %.3f)** (each: $(tp_ratios ovsgw-routed linux-bridge))."
        echo
        echo "Single runs of one setup vary: ovs-normal alone went from $(awk -v v="$TP_NRM_MIN" 'BEGIN { printf "%.2f", v / 1000 }') to $(awk -v v="$TP_NRM_MAX" 'BEGIN { printf "%.2f", v / 1000 }') Gbit/s$([ "$DP" = netdev ] && echo " (TCP through the userspace datapath retransmits heavily, see the Retr column of iperf3)"), so read ratios near a threshold with that spread in mind; more repetitions (BENCH_IPERF_REPS) narrow it."
        echo
    fi

    if [ $have_attach = 1 ]; then
        cat <<EOF
## 4. Scale

The attach network of 1: $S subnets (10.40.0-3.0/24), these 10 TCP rules
and \`ovsgw.tcp.default=deny\`, and N endpoints spread over the subnets:

\`\`\`
$(m rules | tr ',' '\n' | sed 's/^ *//')
\`\`\`

The flow count (\`ovs-ofctl dump-flows\` of the bridge) follows

> **flows(N) = 5 + 3·S + P + (2 + 3·S) + 5·N**

- 5 per bridge: one table-miss flow in each of the tables 0, 10, 20, 30, 40;
- 3 per subnet: ARP responder and ICMP echo responder for the virtual
  gateway, and a drop for anything else sent to it;
- P policy flows: one per rule, or for a port range the number of
  \`tp_dst=value/mask\` flows of its prefix cover (80-90 is 3, 8000-8099 is 3,
  1024-2047 is 1), plus 1 with \`ovsgw.tcp.default=deny\`; here P = $POL;
- the uplink (the network is not \`--internal\`): 3 per subnet (the host's
  ARP for the gateway and its traffic to the subnet admitted from the
  uplink, a drop for addresses of the subnet that no endpoint has) and 2
  per network (a drop for 127.0.0.0/8, the default route to the uplink);
- 5 per endpoint: two ingress (ARP, IPv4 port security), one proxy ARP, two
  forwarding (routed, same subnet).

With S = $S and P = $POL: flows(N) = $FIXED + 5·N.

| N endpoints | flows measured | formula | equal | daemon RSS (MiB) | daemon peak RSS (MiB) | after a restart: RSS (MiB) | peak (MiB) |
|---:|---:|---:|---|---:|---:|---:|---:|
EOF
        for n in $(echo "${!FLOWS[@]}" | tr ' ' '\n' | sort -n); do
            eq=no
            [ "${FLOWS[$n]}" = "${FORMULA[$n]}" ] && eq=yes
            echo "| $n | ${FLOWS[$n]} | ${FORMULA[$n]} | $eq | $(mib "${RSS[$n]}") | $(mib "${HWM[$n]}") | $(mib "${R_RSS[$n]:-}") | $(mib "${R_HWM[$n]:-}") |"
        done
        echo
        echo "RSS is VmRSS of the daemon with its default flags (spare ports) after its attach cycles at that N, peak its VmHWM; that daemon has run since the previous N (it created at least the endpoints added since). After a restart: the same right after the daemon, restarted with its defaults, has restored the N endpoints from OVSDB (see 1)."
        echo
    fi
    svc_sections

    if [ "$KGUEST" = 1 ]; then
        cat <<EOF
## Reproducing

\`\`\`
sudo make bench-kernel           # $(m total_s) s here; writes this page and $(basename "$PLOT")
\`\`\`

It boots the guest of \`make test-kernel\` (test/kernel/run.sh with
\`KERNEL_MODE=bench\`; the kernel and initramfs cache is shared), which
runs \`bench/run.sh\` on the system datapath with the parts
\`$(m only)\` and these counts, scaled down from \`make bench\` for
emulation: BENCH_COUNTS="$(m counts)", BENCH_ATTACH_MODES="$(m attach_modes)", BENCH_ATTACH_ROUNDS=$(m attach_rounds),
BENCH_ATTACH_PER_ROUND=$(m attach_per_round), BENCH_IPERF_REPS=$(m iperf_reps),
BENCH_IPERF_SECONDS=$(m iperf_seconds), BENCH_SVC_ROUNDS=$(m svc_rounds),
BENCH_PING_COUNT=$(m ping_count), BENCH_RR_REQUESTS=$(m rr_requests),
BENCH_HTTP_SECONDS=$(m http_seconds) (test/kernel/guest.sh). Any
\`BENCH_*\` given to \`make bench-kernel\` goes to bench/run.sh in the
guest instead. The guest's raw results stay in build/kernel/out/raw
(\`bash bench/report.sh build/kernel/out/raw OUT.md OUT.png\` redraws this
page), its console in build/kernel/console.log; the page is written when
the benchmark finished, with the guest's checks (module loaded first,
every bridge \`system\`, no upcall lost) in its machine table, and
\`make bench-kernel\` fails if one of them did not pass. Everything runs in the guest,
in a private OVS, containerd and dockerd in a network namespace of their
own; traffic only flows between the containers and namespaces the
benchmark creates. Nothing is installed in the guest: the tools
(iperf3, redis-tools, wrk, nginx unpacked into build/bench/pkg) come from
the host's root, installed by \`bench/run.sh deps\` before the guest boots.
EOF
    else
        cat <<EOF
## Reproducing

\`\`\`
sudo make bench                  # $(m elapsed) s here; writes this page and $(basename "$PLOT")
sudo BENCH_QUICK=1 make bench    # fewer repetitions, for a try run
sudo make bench-kernel           # on the OVS kernel datapath, in a qemu guest:
                                 # benchmarks-kernel.md
\`\`\`

\`BENCH_ONLY\` picks parts: any of \`throughput latency rr http ipv6 nat
start attach\` (the order they run in; \`sudo BENCH_ONLY="rr http" make
bench\`); a subset writes build/bench/benchmarks.md and .png, not this
page, unless BENCH_OUT and BENCH_PLOT say otherwise. Other knobs
(environment, see bench/run.sh): BENCH_COUNTS ("1 100 1000"),
BENCH_ATTACH_MODES ("spare fresh"), BENCH_ATTACH_ROUNDS,
BENCH_ATTACH_PER_ROUND, BENCH_ECHOES,
BENCH_START_RUNS, BENCH_IPERF_SECONDS, BENCH_IPERF_REPS, BENCH_SVC_ROUNDS,
BENCH_PING_COUNT, BENCH_PING_INTERVAL, BENCH_RR_REQUESTS,
BENCH_HTTP_SECONDS, BENCH_NAT_REPS, BENCH_NAT_SECONDS, BENCH_START_P_RUNS,
BENCH_V6_REPS, BENCH_V6_SECONDS, OVSGW_DATAPATH (system or netdev; by
default the daemon's own choice), BENCH_RAW=DIR (the raw results there),
BENCH_KEEP=1 (keep the raw results;
\`bash bench/report.sh DIR OUT.md OUT.png\` redraws this page from them).
Everything runs in a private OVS, containerd and dockerd in a network
namespace of their own, torn down at the end; traffic only flows between
the containers and namespaces the benchmark creates. The bench-only
tools come from Debian's archive (redis-tools and wrk installed, nginx
unpacked into build/bench/pkg so that no web server starts on the host).
EOF
    fi
} >"$OUT"
if [ $plot_ok = 1 ]; then
    echo "report: wrote $OUT and $PLOT"
else
    echo "report: wrote $OUT (no plot)"
fi
