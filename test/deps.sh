#!/usr/bin/env bash
# test/deps.sh - install build and test dependencies of ovsgw (Debian 12).
#
# Idempotent: only calls apt-get (and "apt-get update") when a package is
# missing.  Installing openvswitch-switch / docker.io may try to start their
# system services; that is allowed to fail (or be blocked by policy-rc.d): the
# integration tests run private instances (see scripts/lib/env.sh).
# Exit status is 0 iff every package is installed at the end.
set -u

BUILD_DEPS=(gcc libc6-dev make pkg-config libmicrohttpd-dev libjansson-dev
            libnl-3-dev libnl-route-3-dev libcmocka-dev shellcheck)
RUN_DEPS=(openvswitch-switch docker.io busybox-static iproute2 procps curl
          docker-compose ovn-central ovn-host)
# "deps.sh kernel": also what make test-kernel needs on the host (the guest's
# kernel is fetched by test/kernel/run.sh, never installed).
if [ "${1:-}" = kernel ]; then
	RUN_DEPS+=(qemu-system-x86 kmod)
fi

export DEBIAN_FRONTEND=noninteractive

is_installed() {
    local st
    st=$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null) || return 1
    [ "$st" = installed ]
}

missing() {
    local p
    for p in "${BUILD_DEPS[@]}" "${RUN_DEPS[@]}"; do
        is_installed "$p" || printf '%s\n' "$p"
    done
}

# Debian's docker-registry is needed as a program only: installing the
# package would enable (and on systemd hosts start) a system registry on
# port 5000.  Take its binary out of the .deb into build/tools instead.
registry_tool() {
    local top tools debs
    top=$(cd "$(dirname "$0")/.." && pwd)
    tools=$top/build/tools
    [ -x "$tools/usr/bin/docker-registry" ] && return 0
    [ "$(id -u)" -eq 0 ] || return 0
    mkdir -p "$tools/deb" || return 1
    (cd "$tools/deb" && apt-get download -q docker-registry >/dev/null 2>&1) ||
        { apt-get -q update >/dev/null 2>&1 &&
          (cd "$tools/deb" && apt-get download -q docker-registry); } ||
        { echo "deps: cannot download docker-registry" >&2; return 1; }
    debs=("$tools"/deb/docker-registry_*.deb)
    dpkg-deb -x "${debs[0]}" "$tools" && rm -rf "$tools/deb" &&
        echo "deps: docker-registry unpacked in $tools (not installed)"
}

mapfile -t MISSING < <(missing)
if [ "${#MISSING[@]}" -eq 0 ]; then
    echo "deps: all packages present"
    registry_tool || exit 1
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "deps: missing: ${MISSING[*]} (need root to install)" >&2
    exit 1
fi

echo "deps: installing: ${MISSING[*]}"

# Wait for a concurrent apt/dpkg run (max ~10 minutes) instead of failing.
APT_OPTS=(-y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold
          -o DPkg::Lock::Timeout=600)

apt-get "${APT_OPTS[@]}" update || echo "deps: apt-get update failed (continuing)" >&2
# A failing postinst (e.g. a service that cannot start in a container) makes
# apt-get return non-zero although the package is unpacked and configured as far
# as we need it; so judge by dpkg-query afterwards, not by apt-get's status.
apt-get "${APT_OPTS[@]}" install --no-install-recommends "${MISSING[@]}" \
    || echo "deps: apt-get install returned $? (checking packages anyway)" >&2
# Finish configuring anything left half-configured by a failed postinst.
if [ -n "$(dpkg --audit 2>/dev/null)" ]; then
    dpkg --configure -a || true
fi

mapfile -t STILL < <(missing)
if [ "${#STILL[@]}" -ne 0 ]; then
    echo "deps: still missing: ${STILL[*]}" >&2
    exit 1
fi
registry_tool || exit 1
echo "deps: ok"
exit 0
