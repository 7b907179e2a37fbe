#!/bin/bash
# test/kernel/run.sh - sudo make test-kernel and sudo make bench-kernel: the
# integration tests, or the benchmarks, on the OVS kernel datapath, in a
# qemu guest under software emulation (TCG; a KVM guest hangs on these
# machines) with Debian's kernel, which ships openvswitch.ko.  See
# docs/kernel-datapath.md.
#
# The guest boots Debian's linux-image (fetched with apt-get download and
# unpacked into $KERNEL_CACHE, never installed on the host) with a small
# busybox initramfs (test/kernel/init.sh), sees the host's root read-only
# over 9p with an overlay on tmpfs, and runs test/kernel/guest.sh: modprobe
# openvswitch, then, on the system datapath with the freshly built
# $OVSGW_BIN, by KERNEL_MODE:
#   test   test/integration/run.sh; prints "kernel: N passed, N failed" and
#          exits non-zero on any failure;
#   bench  bench/run.sh, scaled down (see guest.sh); when it finished,
#          the host writes $KERNEL_BENCH_OUT and its plot from the guest's
#          raw results with bench/report.sh (the guest's checks in its
#          machine table), and exits non-zero if the benchmark or one of
#          the guest's checks failed.
# Either fails loudly when the guest cannot boot, the module cannot load or
# the run cannot start.
#
# Variables:
#   KERNEL_MODE    test or bench (default test)
#   KERNEL_TESTS   tests to run ("all": every test; default: $DEFAULT_TESTS)
#   KERNEL_BENCH_OUT  bench: the page [docs/benchmarks-kernel.md]; the plot
#                  beside it (.png)
#   BENCH_*        bench: passed to bench/run.sh in the guest
#   KERNEL_CACHE   kernel and initramfs cache (default /var/cache/ovsgw-kernel)
#   KERNEL_BUILD   build directory; the run's files go to $KERNEL_BUILD/kernel
#   KERNEL_MEM     guest memory in MiB (4096)       KERNEL_SMP  vCPUs (2)
#   KERNEL_TIMEOUT seconds for the whole guest run (3600; 7200 for "all")
#   KERNEL_BOOT_TIMEOUT seconds until the guest has booted (600)
#   OVSGW_BIN, OVSGW_UDPCAT  the binaries the guest runs (built on the host)
#   BENCH_ATTACH   bench: bench/attach.c built [beside OVSGW_BIN]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd -P)
TOP=$(cd "$HERE/../.." && pwd -P)

# The subset that fits CI's time under emulation (the whole suite takes
# about 75 minutes there, 200 docker run cycles of test_leak_cycles alone
# about 38) and covers the data path: the seed topology (ping, routed TCP
# and UDP, TTL), isolation (own and shared bridges), anti-spoofing (IP and
# MAC), MTU, an adopted bridge (OpenFlow port numbers), TCP policies
# (one-way, ports, default deny), spare ports (taken over, nothing passes
# while spare, kept across a restart, MTU change), restarts of the daemon,
# ovs-vswitchd (flows re-applied while the kernel datapath keeps its ports)
# and ovsdb-server, ARP spoofing and the LOCAL port, the datapath the
# daemon picks by itself with the kernel's upcall counters, IPv6 (the
# neighbor solicitations ovsgw answers through packet-ins there: gateways,
# endpoints, the host through the uplink; ND spoofing), and the way out
# (NAT) and published ports through the uplink.  Left out: no
# data path or nothing the datapath changes (bad options and input, policy
# rule order and syntax, status, two instances, packaging), only slower
# here (parallel load, leak cycles), and test_restart_dockerd, whose
# dockerd can exceed its 20 s shutdown timeout under emulation and then
# leaves its endpoints behind (see docs/kernel-datapath.md).
DEFAULT_TESTS=(test_seed test_isolation test_antispoofing test_mtu
    test_adopted_bridge test_policy_one_way test_policy_ports
    test_policy_default_deny test_spare_ports test_spare_shared_bridge_mtu
    test_restart_daemon test_restart_vswitchd test_restart_ovsdb
    test_security test_datapath_auto test_ipv6_core test_ipv6_spoofing
    test_ipv6_outside test_uplink_outbound test_uplink_ports)

KERNEL_CACHE=${KERNEL_CACHE:-/var/cache/ovsgw-kernel}
KERNEL_BUILD=${KERNEL_BUILD:-$TOP/build}
OVSGW_BIN=${OVSGW_BIN:-$KERNEL_BUILD/ovsgw}
OVSGW_UDPCAT=${OVSGW_UDPCAT:-$KERNEL_BUILD/udpcat}
KERNEL_MEM=${KERNEL_MEM:-4096}
KERNEL_SMP=${KERNEL_SMP:-2}
KERNEL_BOOT_TIMEOUT=${KERNEL_BOOT_TIMEOUT:-600}
KERNEL_TESTS=${KERNEL_TESTS:-${DEFAULT_TESTS[*]}}
KERNEL_MODE=${KERNEL_MODE:-test}
KERNEL_BENCH_OUT=${KERNEL_BENCH_OUT:-$TOP/docs/benchmarks-kernel.md}
BENCH_ATTACH=${BENCH_ATTACH:-$(dirname "$OVSGW_BIN")/bench/attach}
# Modules the initramfs loads to mount the host (their dependencies come
# along).
INITRD_MODULES=(virtio_pci 9pnet_virtio 9p overlay)

QEMU_PID=
TAIL_PID=
TMP_DIRS=()
TMPD=
RUN=

TAG=$KERNEL_MODE-kernel
say() { echo "$TAG: $*"; }

# fail MESSAGE: loudly, with the tail of the guest's console if any.
fail() {
    echo
    echo "########################################################"
    echo "$TAG: FAIL: $*"
    echo "########################################################"
    if [ -n "$RUN" ] && [ -s "$RUN/console.log" ]; then
        echo "guest console ($RUN/console.log), last 60 lines:"
        tail -n 60 "$RUN/console.log" | tr -d '\r' | sed 's/^/  | /'
    fi
    summary 0 1
    exit 1
}

# summary PASSED FAILED: the last line.
summary() {
    if [ "$KERNEL_MODE" = bench ]; then
        echo "bench-kernel: $1 guest checks passed, $2 failed"
    else
        echo "kernel: $1 passed, $2 failed"
    fi
}

alive() {
    local st
    [ -n "${1:-}" ] || return 1
    st=$(sed -n 's/^.*) \(.\) .*$/\1/p' "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$st" ] && [ "$st" != Z ]
}

# Whatever happens (failure, Ctrl-C): no qemu left, no temporary files.
cleanup() {
    local i
    set +e
    if alive "$QEMU_PID"; then
        kill -TERM "$QEMU_PID" 2>/dev/null
        for i in $(seq 50); do
            alive "$QEMU_PID" || break
            sleep 0.2
        done
        alive "$QEMU_PID" && kill -KILL "$QEMU_PID" 2>/dev/null
        wait "$QEMU_PID" 2>/dev/null
    fi
    if [ -n "$TAIL_PID" ]; then
        kill "$TAIL_PID" 2>/dev/null
        wait "$TAIL_PID" 2>/dev/null
    fi
    for i in "${TMP_DIRS[@]}"; do
        rm -rf --one-file-system "$i"
    done
}
trap cleanup EXIT
trap 'echo; say "interrupted"; exit 130' INT
trap 'say "terminated"; exit 143' TERM

case $KERNEL_MODE in
test | bench) ;;
*) fail "KERNEL_MODE=$KERNEL_MODE: want test or bench" ;;
esac
[ "$(id -u)" -eq 0 ] || fail "needs root (sudo make $TAG)"
for c in qemu-system-x86_64 apt-get apt-cache dpkg-deb depmod modprobe \
    busybox gzip flock; do
    command -v "$c" >/dev/null || fail "$c is missing (make $TAG installs it: bash test/deps.sh kernel)"
done
[ -x "$OVSGW_BIN" ] || fail "$OVSGW_BIN is not built"
[ -x "$OVSGW_UDPCAT" ] || fail "$OVSGW_UDPCAT is not built"
# The guest mounts tmpfs on /tmp and /run: what it needs from the host
# must live elsewhere.
OVSGW_BIN=$(realpath "$OVSGW_BIN")
OVSGW_UDPCAT=$(realpath "$OVSGW_UDPCAT")
mkdir -p "$KERNEL_CACHE" "$KERNEL_BUILD"
KERNEL_CACHE=$(realpath "$KERNEL_CACHE")
KERNEL_BUILD=$(realpath "$KERNEL_BUILD")
for p in "$TOP" "$KERNEL_CACHE" "$OVSGW_BIN" "$OVSGW_UDPCAT"; do
    case $p in
    /tmp | /tmp/* | /run | /run/*)
        fail "$p is under /tmp or /run, which the guest does not see" ;;
    esac
done
if [ "$KERNEL_MODE" = bench ]; then
    KERNEL_TESTS=
    [ -x "$BENCH_ATTACH" ] || fail "$BENCH_ATTACH is not built (make bench-kernel builds it)"
    BENCH_ATTACH=$(realpath "$BENCH_ATTACH")
    # Nothing can be installed in the guest (no network): the benchmark's
    # tools come from the host's root, installed now if missing.
    say "the benchmark's tools (bench/run.sh deps)"
    OVSGW_BIN=$OVSGW_BIN BENCH_ATTACH=$BENCH_ATTACH bash "$TOP/bench/run.sh" deps ||
        fail "the benchmark's tools are missing (bench/run.sh deps)"
elif [ "$KERNEL_TESTS" = all ]; then
    KERNEL_TESTS=
    KERNEL_TIMEOUT=${KERNEL_TIMEOUT:-7200}
fi
KERNEL_TIMEOUT=${KERNEL_TIMEOUT:-3600}
for t in $KERNEL_TESTS; do
    if ! [[ $t =~ ^test_[A-Za-z0-9_]+$ ]] ||
        ! grep -q "^$t() {" "$TOP"/test/integration/t_*.sh; then
        fail "KERNEL_TESTS: no test \"$t\" in test/integration/t_*.sh"
    fi
done

# ------------------------------ kernel cache -------------------------------

# new_tmp: TMPD = a new directory in the cache, removed at exit.
new_tmp() {
    TMPD=$(mktemp -d "$KERNEL_CACHE/.tmp.XXXXXX")
    TMP_DIRS+=("$TMPD")
}

# The package linux-image-amd64 points at, and its candidate version.
kernel_candidate() {
    local pkg ver
    pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
        awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
    [ -n "$pkg" ] || return 1
    ver=$(apt-cache policy "$pkg" 2>/dev/null | awk '$1 == "Candidate:" { print $2 }')
    [ -n "$ver" ] && [ "$ver" != "(none)" ] || return 1
    echo "$pkg $ver"
}

# kernel_unpack PKG VER: download the .deb into the cache and unpack it
# there, with depmod's files (the package's postinst would make them).
kernel_unpack() {
    local pkg=$1 ver=$2 kver=${1#linux-image-} tmp deb
    new_tmp
    tmp=$TMPD
    say "downloading $pkg $ver into $KERNEL_CACHE (not installing it)"
    # (apt warns that _apt cannot write to the directory: it downloads as
    # root instead, which is what is wanted here.)
    if ! (cd "$tmp" && apt-get download -q "$pkg=$ver" >"$tmp/apt.log" 2>&1); then
        cat "$tmp/apt.log"
        return 1
    fi
    grep -v '^W: Download is performed unsandboxed' "$tmp/apt.log" || true
    deb=$(find "$tmp" -maxdepth 1 -name "${pkg}_*.deb" | head -n1)
    [ -n "$deb" ] || return 1
    dpkg-deb -x "$deb" "$tmp/root" || return 1
    rm -f "$deb"
    [ -f "$tmp/root/boot/vmlinuz-$kver" ] ||
        { echo "no boot/vmlinuz-$kver in $pkg"; return 1; }
    find "$tmp/root/lib/modules/$kver" -name 'openvswitch.ko*' | grep -q . ||
        { echo "$pkg ships no openvswitch.ko"; return 1; }
    depmod -b "$tmp/root" "$kver" || return 1
    echo "$pkg $ver" >"$tmp/root/.complete"
    rm -rf "$KERNEL_CACHE/kernel/$kver"
    mkdir -p "$KERNEL_CACHE/kernel"
    mv "$tmp/root" "$KERNEL_CACHE/kernel/$kver"
}

# Sets KVER and KDIR: the candidate kernel, from the cache when it has
# it.  Without apt (no network), the newest complete kernel in the cache.
kernel_get() {
    local cand pkg ver f
    if ! cand=$(kernel_candidate); then
        apt-get -q update >/dev/null 2>&1 || true
        cand=$(kernel_candidate) || cand=
    fi
    if [ -n "$cand" ]; then
        read -r pkg ver <<<"$cand"
        KVER=${pkg#linux-image-}
        KDIR=$KERNEL_CACHE/kernel/$KVER
        if [ "$(cat "$KDIR/.complete" 2>/dev/null)" = "$cand" ]; then
            say "kernel $pkg $ver from the cache"
            return 0
        fi
        if kernel_unpack "$pkg" "$ver" ||
            { apt-get -q update >/dev/null 2>&1 && kernel_unpack "$pkg" "$ver"; }; then
            # Older kernels go.
            for f in "$KERNEL_CACHE"/kernel/*; do
                [ "$f" = "$KDIR" ] || rm -rf --one-file-system "$f"
            done
            return 0
        fi
        say "cannot download $pkg $ver"
    fi
    f=$(find "$KERNEL_CACHE/kernel" -mindepth 2 -maxdepth 2 -name .complete \
        -printf '%T@ %p\n' 2>/dev/null | sort -rn | head -n1 | cut -d' ' -f2-)
    [ -n "$f" ] || return 1
    KDIR=$(dirname "$f")
    KVER=$(basename "$KDIR")
    say "WARNING: using the cached kernel $(cat "$f") (no candidate from apt)"
}

# Sets INITRD: busybox, the modules to mount the host, init.sh as /init.
# Rebuilt when one of them changes.
initrd_get() {
    local order=() m sum stage a
    for m in "${INITRD_MODULES[@]}"; do
        mapfile -t -O "${#order[@]}" order < <(modprobe -d "$KDIR" -S "$KVER" \
            --show-depends "$m" | awk '$1 == "insmod" { print $2 }')
    done
    mapfile -t order < <(printf '%s\n' "${order[@]}" | awk '!seen[$0]++')
    [ "${#order[@]}" -gt 0 ] || return 1
    sum=$( { cat "$HERE/init.sh" /bin/busybox "$KDIR/.complete"
             printf '%s\n' "${order[@]}"; } | sha256sum | cut -c1-16)
    INITRD=$KERNEL_CACHE/initramfs-$KVER-$sum.gz
    if [ -s "$INITRD" ]; then
        say "initramfs from the cache ($(basename "$INITRD"))"
        return 0
    fi
    ldd /bin/busybox >/dev/null 2>&1 && { echo "/bin/busybox is not static"; return 1; }
    new_tmp
    stage=$TMPD
    mkdir -p "$stage"/{bin,dev,proc,sys,modules}
    cp /bin/busybox "$stage/bin/busybox"
    for a in $(busybox --list); do
        [ "$a" = busybox ] || ln -s busybox "$stage/bin/$a"
    done
    mknod -m 600 "$stage/dev/console" c 5 1
    mknod -m 666 "$stage/dev/null" c 1 3
    for m in "${order[@]}"; do
        cp "$m" "$stage/modules/"
        basename "$m" >>"$stage/modules/order"
    done
    install -m 0755 "$HERE/init.sh" "$stage/init"
    (cd "$stage" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1) \
        >"$stage.gz" || return 1
    TMP_DIRS+=("$stage.gz")
    rm -f "$KERNEL_CACHE"/initramfs-*.gz
    mv "$stage.gz" "$INITRD"
    say "initramfs built: $(basename "$INITRD") ($(du -k "$INITRD" | cut -f1) KiB, modules: ${INITRD_MODULES[*]} and their dependencies)"
}

# One run at a time prepares the cache.
exec 9>"$KERNEL_CACHE/.lock"
flock -w 1800 9 || fail "the kernel cache $KERNEL_CACHE stays locked"
kernel_get || fail "no kernel with openvswitch.ko: apt-get download of linux-image-amd64's kernel failed and the cache has none"
initrd_get || fail "cannot build the initramfs"
flock -u 9
exec 9>&-

# --------------------------------- guest -----------------------------------

RUN=$KERNEL_BUILD/kernel
mkdir -p "$RUN"
rm -rf --one-file-system "$RUN/out"
mkdir -p "$RUN/out"
: >"$RUN/console.log"
{
    printf '%s=%q\n' KVER "$KVER" MODDIR "$KDIR/lib/modules/$KVER" \
        GUEST_SCRIPT "$HERE/guest.sh" REPO "$TOP" KERNEL_MODE "$KERNEL_MODE" \
        KERNEL_TESTS "$KERNEL_TESTS" SUITE_TIMEOUT "$((KERNEL_TIMEOUT - 120))" \
        OVSGW_BIN "$OVSGW_BIN" OVSGW_UDPCAT "$OVSGW_UDPCAT"
    [ -z "${OVSGW_LEAK_CYCLES:-}" ] || printf '%s=%q\n' OVSGW_LEAK_CYCLES "$OVSGW_LEAK_CYCLES"
    if [ "$KERNEL_MODE" = bench ]; then
        printf '%s=%q\n' BENCH_ATTACH "$BENCH_ATTACH"
        # The caller's BENCH_* knobs (but where the results go).
        for v in $(compgen -v BENCH_); do
            case $v in
            BENCH_ATTACH | BENCH_OUT | BENCH_PLOT | BENCH_RAW | BENCH_KEEP | BENCH_REPORT) ;;
            *) printf '%s=%q\n' "$v" "${!v}" ;;
            esac
        done
    fi
} >"$RUN/out/guest.env"

HOST_LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
say "host load average: $HOST_LOAD0"
say "booting $KVER under TCG (-m $KERNEL_MEM -smp $KERNEL_SMP), console in $RUN/console.log"
[ "$KERNEL_MODE" = bench ] || say "tests: ${KERNEL_TESTS:-every test}"
QEMU_T0=$SECONDS
qemu-system-x86_64 -name "ovsgw-$TAG" -accel tcg,thread=multi \
    -m "$KERNEL_MEM" -smp "$KERNEL_SMP" -nodefaults -no-user-config \
    -display none -monitor none -serial "file:$RUN/console.log" -no-reboot \
    -kernel "$KDIR/boot/vmlinuz-$KVER" -initrd "$INITRD" \
    -append "console=ttyS0 panic=-1 quiet loglevel=4" \
    -virtfs local,path=/,mount_tag=hostroot,security_model=passthrough,readonly=on,multidevs=remap \
    -virtfs "local,path=$RUN/out,mount_tag=ovsgwout,security_model=passthrough,multidevs=remap" \
    </dev/null >"$RUN/qemu.log" 2>&1 &
QEMU_PID=$!
tail -n +1 -F --pid="$QEMU_PID" "$RUN/console.log" 2>/dev/null > >(sed -u 's/\r$//') &
TAIL_PID=$!

BOOT_S=
while alive "$QEMU_PID"; do
    if [ -z "$BOOT_S" ] && grep -q 'ovsgw-guest: booted' "$RUN/console.log"; then
        BOOT_S=$((SECONDS - QEMU_T0))
    fi
    if [ -z "$BOOT_S" ] && [ $((SECONDS - QEMU_T0)) -gt "$KERNEL_BOOT_TIMEOUT" ]; then
        fail "the guest did not boot within $KERNEL_BOOT_TIMEOUT s"
    fi
    if [ $((SECONDS - QEMU_T0)) -gt "$KERNEL_TIMEOUT" ]; then
        fail "the guest still runs after $KERNEL_TIMEOUT s (KERNEL_TIMEOUT): killed"
    fi
    sleep 1
done
QEMU_RC=0
wait "$QEMU_PID" || QEMU_RC=$?
QEMU_PID=
wait "$TAIL_PID" 2>/dev/null || true
TAIL_PID=
GUEST_S=$((SECONDS - QEMU_T0))

[ -z "$BOOT_S" ] && grep -q 'ovsgw-guest: booted' "$RUN/console.log" &&
    BOOT_S=$GUEST_S
[ "$QEMU_RC" -eq 0 ] || { echo "qemu exited with $QEMU_RC:"; cat "$RUN/qemu.log"; }
[ -n "$BOOT_S" ] || fail "the guest did not boot (qemu exit $QEMU_RC)"
if ! { [ -f "$RUN/out/result" ] && tail -n1 "$RUN/out/result" | grep -qx DONE=1; }; then
    fail "the guest stopped without a result (crash, panic or power-off)"
fi

# bench_page: the host's side of the run added to the guest's raw results,
# then the page and its plot from them (bench/report.sh, on the host).
bench_page() {
    local raw=$RUN/out/raw plot=${KERNEL_BENCH_OUT%.md}.png
    {
        echo "kguest=1"
        echo "host_cpu=$(nproc) × $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
        echo "host_mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
        echo "host_kernel=$(uname -r)"
        echo "host_os=$(. /etc/os-release && echo "$PRETTY_NAME")"
        echo "qemu=$(qemu-system-x86_64 --version | awk 'NR == 1 { print $4 }')"
        echo "guest_pkg=$(cat "$KDIR/.complete")"
        echo "guest_mem=$KERNEL_MEM"
        echo "guest_smp=$KERNEL_SMP"
        echo "host_load=$HOST_LOAD0 before, $(cut -d' ' -f1-3 /proc/loadavg) after (1, 5, 15 min)"
        echo "dpctl=${DPCTL_SAMPLES:-0} samples, lost max ${LOST_MAX:-?}"
        echo "checks=$PASSED passed, $FAILED failed$([ "$FAILED" -eq 0 ] || printf ' (%s)' "$(printf '%s\n' "$FAILED_NAMES" | sed '/^$/d' | paste -sd ';')")"
        echo "bridges=${DATAPATH_TYPES:-}"
        echo "boot_s=$BOOT_S"
        echo "total_s=$SECONDS"
    } >>"$raw/machine"
    bash "$TOP/bench/report.sh" "$raw" "$KERNEL_BENCH_OUT" "$plot"
}

# The guest's verdict (written by guest.sh with printf %q).
FATAL='' PASSED=0 FAILED=0 FAILED_NAMES='' TESTS_RAN='' DATAPATH_TYPES=''
LOST_MAX='' MISSED_MAX='' HIT_MAX='' DPCTL_SAMPLES='' SUITE_S='' GUEST_RC=''
GUEST_BOOT_S='' SETUP_S='' SUITE_RC=''
# shellcheck source=/dev/null
. "$RUN/out/result"
[ -z "$FATAL" ] || fail "in the guest: $FATAL"

echo
say "guest booted in ${BOOT_S} s (guest clock: ${GUEST_BOOT_S:-?} s), ran ${GUEST_S} s (suite ${SUITE_S:-?} s); total ${SECONDS} s with setup"
[ "$KERNEL_MODE" = bench ] || say "tests run: ${TESTS_RAN:-none}"
say "bridges' datapath_type: ${DATAPATH_TYPES:-none seen}"
say "host load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
say "ovs-dpctl show (${DPCTL_SAMPLES:-0} samples): lost max ${LOST_MAX:-?}, missed max ${MISSED_MAX:-?}, hit max ${HIT_MAX:-?}"
if [ -s "$RUN/out/timing" ]; then
    say "time per test (guest clock, s; setup of OVS, dockerd and image: ${SETUP_S:-?}):"
    awk 'NR > 1 { printf "  %-30s %6.0f\n", name, $1 - t } { t = $1; name = $2 }' \
        "$RUN/out/timing"
fi
if [ "$FAILED" -gt 0 ]; then
    echo "failed:"
    printf '%s\n' "$FAILED_NAMES" | sed '/^$/d; s/^/  /'
    echo "guest console ($RUN/console.log), last 40 lines:"
    tail -n 40 "$RUN/console.log" | tr -d '\r' | sed 's/^/  | /'
fi
[ "$PASSED" -gt 0 ] || { FAILED=$((FAILED + 1)); say "FAIL: no check passed"; }
if [ "$GUEST_RC" != 0 ]; then
    FAILED=$((FAILED + 1))
    say "FAIL: the guest script stopped with exit status ${GUEST_RC:-?}"
fi
# The page when the benchmark itself went through; it shows the guest's
# checks (a lost upcall, a bridge not on the system datapath).
if [ "$KERNEL_MODE" = bench ]; then
    if [ "${SUITE_RC:-}" = 0 ] && [ -s "$RUN/out/raw/machine" ]; then
        bench_page || { FAILED=$((FAILED + 1)); say "FAIL: bench/report.sh failed"; }
    else
        say "the benchmark did not finish: the page is left alone; raw results in $RUN/out/raw"
    fi
fi
summary "$PASSED" "$FAILED"
[ "$FAILED" -eq 0 ]
