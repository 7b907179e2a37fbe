#!/bin/bash
# scripts/run.sh - `sudo make run`: serve the ovsgw driver on the real system.
#
# Uses the system Open vSwitch and Docker, or starts them (scripts/system.sh),
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
# shellcheck source=scripts/system.sh
. "$HERE/system.sh"
sys_need_root "$0" run

SOCK=$SYS_OVSGW_SOCK
read -ra EXTRA <<<"${OVSGW_ARGS:-}"

ensure_ovs || { sys_err "cannot get Open vSwitch running"; exit 1; }
ensure_docker || { sys_err "cannot get a Docker engine running"; exit 1; }
ensure_image || { sys_err "cannot build the $SYS_IMAGE image"; exit 1; }

if _sys_sock_live "$SOCK"; then
	sys_err "an ovsgw already serves $SOCK; stop it first"
	exit 1
fi
[ -x "$SYS_OVSGW_BIN" ] || { sys_err "$SYS_OVSGW_BIN missing: run make"; exit 1; }

D=docker
[ "$(command -v docker)" = "$DOCKER" ] || D=$DOCKER
cat <<EOF

In another terminal (image $SYS_IMAGE is ready; the gateways are virtual):
  $D network create -d ovsgw --subnet 10.20.1.0/24 --gateway 10.20.1.1 --subnet 10.20.2.0/24 --gateway 10.20.2.1 ovsnet
  $D run -d --name vm1 --net ovsnet --ip 10.20.1.100 $SYS_IMAGE sleep 1d
  $D run -d --name vm2 --net ovsnet --ip 10.20.2.100 $SYS_IMAGE sleep 1d
  $D exec vm1 ping -c1 10.20.1.1; $D exec vm1 ping -c1 10.20.2.100

EOF

PID=""
on_exit() {
	local rc=$?
	trap '' INT TERM HUP
	trap - EXIT
	if [ -n "$PID" ] && _sys_alive "$PID"; then
		kill -TERM "$PID" 2>/dev/null
		_sys_wait 10 _sys_dead "$PID" || kill -KILL "$PID" 2>/dev/null
	fi
	[ -n "$PID" ] && wait "$PID" 2>/dev/null
	echo
	sys_log "ovsgw stopped.  Open vSwitch ($SYS_OVS_STATUS) and Docker" \
		"($SYS_DOCKER_STATUS) keep running."
	# Only the daemons; ovsgw is gone.
	SYS_STARTED_OVSGW=""
	if sys_started_summary >/dev/null; then
		echo "This script started them.  To stop them: first remove the ovsgw networks"
		echo "and their containers (while ovsgw runs), then, in this order:"
		sys_started_summary
	fi
	exit "$rc"
}
trap on_exit EXIT
trap 'exit 0' INT TERM HUP

sys_log "ovsgw: serving $SOCK in the foreground (Ctrl-C to stop)"
# In the background + wait, so that a signal to this script is handled at
# once (the trap stops ovsgw); its log goes to this terminal.
"$SYS_OVSGW_BIN" --socket "$SOCK" "${EXTRA[@]}" </dev/null &
PID=$!
SYS_STARTED_OVSGW=$PID
wait "$PID"
rc=$?
PID=""
sys_err "ovsgw exited with status $rc"
exit "$rc"
