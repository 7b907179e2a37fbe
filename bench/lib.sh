# shellcheck shell=bash
# bench/lib.sh - helpers shared by the benchmark runners (bench/run.sh,
# bench/ovn.sh) and their reports (bench/report.sh, bench/ovn-report.sh).
# Sourced; defines functions only, runs nothing.
#
# Runners (they set T_START, R and, for the log tag, BENCH_TAG):
#   log MSG...             "[TAG HH:MM:SS +Ns] MSG" on stderr
#   now_ns                 wall clock, nanoseconds
#   median_col1            median of the first column of stdin
#   apt_install PKG...     from Debian's archive, output to $R/apt.log
#   bench_deps [PKG...]    gnuplot and iperf3 (and PKG...) if missing ("" for none)
#   build_bench_image      $BENCH_IMAGE: the busybox image plus iperf3, on
#                          the Docker engine that dk talks to
#   iperf_mbits            the receiver's Mbit/s from iperf3's output on
#                          stdin (-f m); status 1 if there is none
#   bench_results_done     at exit: $R kept (BENCH_KEEP=1) or removed
#   machine_base           KEY=VALUE lines for $R/machine: date, CPU,
#                          memory, kernel, OS, versions of OVS, iperf3 and
#                          $OVSGW_BIN (with the commit of $TOP)
# Reports (they set R, the raw results):
#   m KEY                  the value of KEY= in $R/machine
#   pct P                  nearest-rank percentile P (0..100) of stdin
#   med                    pct 50
#   col N FILE             column N of FILE
#   fmt_ms MICROSECONDS    "123", "12.3" or "0.12" (ms); "-" for nothing
#   fmt VALUE PRINTF-FORMAT   "-" for nothing
#   div A B                A / B, or nan

log() {
    printf '[%s %s +%ds] %s\n' "${BENCH_TAG:-bench}" "$(date +%T)" \
        "$((SECONDS - T_START))" "$*" >&2
}
now_ns() { date +%s%N; }
median_col1() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }

# apt_install PACKAGE...: from Debian's archive (apt-get update first only
# if the install fails); the output goes to $R/apt.log.
apt_install() {
    export DEBIAN_FRONTEND=noninteractive
    local opts=(-y -q -o DPkg::Lock::Timeout=600)
    apt-get "${opts[@]}" install --no-install-recommends "$@" >>"$R/apt.log" 2>&1 ||
        { apt-get "${opts[@]}" update >>"$R/apt.log" 2>&1 &&
            apt-get "${opts[@]}" install --no-install-recommends "$@" >>"$R/apt.log" 2>&1; } ||
        log "apt-get failed (see $R/apt.log)"
}

# bench_deps [PACKAGE...]: gnuplot, iperf3 and PACKAGE... from Debian's
# archive, if missing.
bench_deps() {
    local p missing=()
    for p in gnuplot-nox iperf3 "$@"; do
        [ -n "$p" ] || continue
        [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ] ||
            missing+=("$p")
    done
    # gnuplot (any flavour) is enough.
    if command -v gnuplot >/dev/null; then
        for p in "${!missing[@]}"; do
            [ "${missing[$p]}" = gnuplot-nox ] && unset "missing[$p]"
        done
    fi
    [ ${#missing[@]} -eq 0 ] && return 0
    log "installing ${missing[*]} from Debian's archive"
    apt_install "${missing[@]}"
    command -v gnuplot >/dev/null || log "no gnuplot: the page will have no plot"
    command -v iperf3 >/dev/null || log "no iperf3: the throughput parts are skipped"
}

# ovsgw-bench: the busybox image plus iperf3 and the libraries it needs.
build_bench_image() {
    dk image inspect "$BENCH_IMAGE" >/dev/null 2>&1 && return 0
    local c files
    files=$(ldd /usr/bin/iperf3 | awk '$2 == "=>" && $3 ~ /^\// { print $3 }
                                      $1 ~ /^\// { print $1 }' | sed 's,^/,,')
    c=$(dk create ovsgw-busybox true) || return 1
    # shellcheck disable=SC2086
    tar -C / -chf - --transform 's,^usr/bin/iperf3$,bin/iperf3,' \
        usr/bin/iperf3 $files 2>/dev/null | dk cp - "$c:/" &&
        dk commit "$c" "$BENCH_IMAGE" >/dev/null
    local rc=$?
    dk rm "$c" >/dev/null
    [ $rc -eq 0 ] && dk run --rm --net none "$BENCH_IMAGE" iperf3 --version >/dev/null
}

iperf_mbits() {
    awk '/receiver/ { for (i = 1; i <= NF; i++)
        if ($i == "Mbits/sec") v = $(i - 1) } END { if (v == "") exit 1; print v }'
}

# report_start RESULTS_DIR OUT.md OUT.png: a report script's arguments as
# R, OUT and PLOT, and a scratch directory P, removed at exit.
# shellcheck disable=SC2034  # OUT and PLOT are the caller's
report_start() {
    R=$1
    OUT=$2
    PLOT=$3
    P=$(mktemp -d /tmp/ovsgw-report.XXXXXX)
    trap 'rm -rf "$P"' EXIT
}

bench_results_done() {
    if [ "${BENCH_KEEP:-0}" = 1 ] || [ -n "${BENCH_RAW:-}" ]; then
        log "raw results kept in $R"
    else
        rm -rf "$R"
    fi
}

machine_base() {
    echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "nproc=$(nproc)"
    echo "cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
    echo "mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
    echo "kernel=$(uname -r)"
    echo "os=$(. /etc/os-release && echo "$PRETTY_NAME")"
    echo "ovs=$(ovs-vswitchd --version | awk 'NR == 1 { print $NF }')"
    echo "iperf3=$(iperf3 --version 2>/dev/null | awk 'NR == 1 { print $2 }')"
    echo "ovsgw=$("$OVSGW_BIN" --version | awk '{ print $2 }') ($(cd "$TOP" && git rev-parse --short HEAD 2>/dev/null)$(cd "$TOP" && git diff --quiet HEAD -- plugin flows lib 2>/dev/null || echo '+changes'))"
}

# ------------------------------------------------------------------ reports

m() { awk -F= -v k="$1" '$1 == k { sub(/^[^=]*=/, ""); print; exit }' "$R/machine"; }

pct() {
    sort -g | awk -v p="$1" '{ v[NR] = $1 } END {
        if (!NR) { print "nan"; exit }
        i = int(p / 100 * NR + 0.999999); if (i < 1) i = 1; if (i > NR) i = NR
        print v[i] }'
}
med() { pct 50; }
col() { awk -v c="$1" '{ print $c }' "$2"; }
fmt_ms() { awk -v v="$1" 'BEGIN { if (v == "nan" || v == "") print "-";
    else if (v >= 100000 || v <= -100000) printf "%.0f", v / 1000;
    else if (v >= 1000 || v <= -1000) printf "%.1f", v / 1000;
    else printf "%.2f", v / 1000 }'; }
fmt() { awk -v v="$1" -v f="$2" 'BEGIN { if (v == "nan" || v == "") print "-"; else printf f, v }'; }
div() { awk -v a="${1:-nan}" -v b="${2:-nan}" \
    'BEGIN { if (a == "nan" || b == "nan" || b == 0) print "nan"; else print a / b }'; }
