#!/bin/bash
# scripts/run.sh - `sudo make run`: serve the ovsgw driver on the real system.
#
# Uses the system Open vSwitch and Docker, or starts them (the system profile
# of scripts/lib/env.sh),
# makes sure the ovsgw-busybox image exists, then runs build/ovsgw in the
# foreground on /run/docker/plugins/ovsgw.sock with the default OVSDB
# (unix:/var/run/openvswitch/db.sock).  Extra ovsgw arguments: $OVSGW_ARGS
# (e.g. OVSGW_ARGS="--log-level debug").
#
# Ctrl-C or SIGTERM stops ovsgw; Open vSwitch and Docker keep running (also
# when this script started them): how to stop those is printed at exit.
# shellcheck disable=SC2317  # functions are called through traps
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/lib/env.sh
. "$HERE/lib/env.sh"
need_root "$0" run
env_init system

SOCK=$OVSGW_SOCK
read -ra EXTRA <<<"${OVSGW_ARGS:-}"

ovs_start || die "cannot get Open vSwitch running"
docker_start || die "cannot get a Docker engine running"
image_build "$OVSGW_IMAGE" || die "cannot build the $OVSGW_IMAGE image"

if ovsgw_sock_live "$SOCK"; then
    die "an ovsgw already serves $SOCK; stop it first"
fi
[ -x "$OVSGW_BIN" ] || die "$OVSGW_BIN missing: run make"

D=docker
[ "$(command -v docker)" = "$DOCKER" ] || D=$DOCKER
cat <<EOF

In another terminal (image $OVSGW_IMAGE is ready; the gateways are virtual):
  $D network create -d ovsgw --subnet 10.20.1.0/24 --gateway 10.20.1.1 --subnet 10.20.2.0/24 --gateway 10.20.2.1 ovsnet
  $D run -d --name vm1 --net ovsnet --ip 10.20.1.100 $OVSGW_IMAGE sleep 1d
  $D run -d --name vm2 --net ovsnet --ip 10.20.2.100 $OVSGW_IMAGE sleep 1d
  $D exec vm1 ping -c1 10.20.1.1; $D exec vm1 ping -c1 10.20.2.100

EOF

on_exit() {
    local rc=$?
    trap '' INT TERM HUP
    trap - EXIT
    stop_ovsgw 2>/dev/null
    echo
    lib_log "ovsgw stopped.  Open vSwitch ($ENV_OVS_STATUS) and Docker" \
        "($ENV_DOCKER_STATUS) keep running."
    if env_started_summary >/dev/null; then
        echo "This script started them.  To stop them: first remove the ovsgw networks"
        echo "and their containers (while ovsgw runs), then, in this order:"
        env_started_summary
    fi
    exit "$rc"
}
trap on_exit EXIT
trap 'exit 0' INT TERM HUP

lib_log "ovsgw: serving $SOCK in the foreground (Ctrl-C to stop)"
# In the background + wait, so that a signal to this script is handled at
# once (the trap stops ovsgw); its log goes to this terminal.
"$OVSGW_BIN" --socket "$SOCK" "${EXTRA[@]}" </dev/null &
OVSGW_PID=$!
wait "$OVSGW_PID"
rc=$?
OVSGW_PID=""
lib_err "ovsgw exited with status $rc"
exit "$rc"
