# shellcheck shell=bash disable=SC2034
# scripts/system.sh - the system pieces ovsgw needs, on the real system (not
# the private instances of the integration tests).  Sourced by demo.sh and
# run.sh; defines functions and a few variables, runs nothing at source time.
#
#   ensure_ovs         use the system Open vSwitch (/var/run/openvswitch), or
#                      start ovsdb-server + ovs-vswitchd with the system paths
#   ensure_docker      use the engine at /var/run/docker.sock, or start dockerd
#   ensure_image       docker image "ovsgw-busybox" (busybox-static + udpcat)
#   start_ovsgw [ARGS] build/ovsgw in the background on the plugin socket, or
#                      reuse a live ovsgw that already serves it
#   stop_started       stop what the functions above started (and only that),
#                      in reverse order
#   sys_started_summary   one line per daemon started, with how to stop it
#
# What was started is remembered in SYS_STARTED_* (PIDs); daemons found
# running are never stopped.  Processes are matched by PID (pidfile or $!),
# never by name: other OVS/dockerd instances (e.g. the integration tests') may
# run at the same time.

SYS_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Standard system paths, whatever the caller's environment says (the test
# environment exports OVS_RUNDIR etc. for its private instance).
export OVS_RUNDIR=/var/run/openvswitch
export OVS_DBDIR=/etc/openvswitch
export OVS_LOGDIR=/var/log/openvswitch
unset OVS_SYSCONFDIR OVS_PKGDATADIR OVS_BINDIR OVS_SBINDIR OVS_DB OVS_CTL_OPTS
SYS_OVSDB_SOCK=$OVS_RUNDIR/db.sock
SYS_OVS_DB=$OVS_DBDIR/conf.db
SYS_OVS_SCHEMA=/usr/share/openvswitch/vswitch.ovsschema
SYS_OVS_CTL=/usr/share/openvswitch/scripts/ovs-ctl

# The engine's own client (/usr/local/bin/docker may be a newer one).
DOCKER=/usr/bin/docker
export DOCKER_HOST=unix:///var/run/docker.sock
unset DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH
SYS_DOCKER_PIDFILE=/var/run/docker.pid
SYS_DOCKERD_LOG=/var/log/ovsgw-dockerd.log
SYS_IMAGE=ovsgw-busybox

SYS_OVSGW_BIN=$SYS_TOP/build/ovsgw
SYS_OVSGW_SOCK=/run/docker/plugins/ovsgw.sock
SYS_OVSGW_LOG=${OVSGW_LOG:-/var/log/ovsgw.log}

# Filled in by the functions.
SYS_STARTED_OVSDB=""       # PID of the ovsdb-server we started
SYS_STARTED_VSWITCHD=""    # PID of the ovs-vswitchd we started
SYS_STARTED_DOCKERD=""     # PID of the dockerd we started
SYS_STARTED_CONTAINERD=""  # PID of the containerd that dockerd started for us
SYS_STARTED_OVSGW=""       # PID of the ovsgw we started
SYS_OVSGW_ARGS=()          # and its arguments
SYS_OVSGW_LOGLINE=1        # its first line in $SYS_OVSGW_LOG
SYS_TSO_RESTORE=""         # userspace-tso-enable before we set it ("-": unset)
SYS_DOCKER_NET_PRE=""      # directory: host network state before our dockerd
SYS_DATAPATH=""            # system (kernel module) or netdev (userspace)
SYS_OVS_STATUS=""          # one line for a report
SYS_DOCKER_STATUS=""
SYS_OVSGW_STATUS=""

sys_log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
sys_err() { printf '[%s] ERROR: %s\n' "$(date +%T)" "$*" >&2; }

sys_need_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "$1 needs root: it starts Open vSwitch, Docker and the ovsgw daemon" \
			"and creates bridges and veths.  Run: sudo make ${2:-${1##*/}}" >&2
		exit 1
	fi
}

# _sys_wait SECONDS CMD...: poll CMD every 0.1 s until it succeeds.
_sys_wait() {
	local t=$1 i=0
	shift
	while ! "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ "$i" -ge $((t * 10)) ] && return 1
		sleep 0.1
	done
}

# Alive = exists and is not a zombie (PID 1 may reap orphans lazily).
_sys_alive() {
	local st
	[ -n "${1:-}" ] || return 1
	st=$(sed -n 's/^.*) \(.\) .*$/\1/p' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}
_sys_dead() { ! _sys_alive "$1"; }
# Daemons inherit no file descriptor above 2 (demo.sh keeps its terminal in
# 8 and 9; a caller's pipe would keep a "| tee" waiting).  Run in the subshell
# that then execs the daemon.
_sys_closefds() {
	local f
	for f in "/proc/$BASHPID/fd/"*; do
		f=${f##*/}
		[ "$f" -gt 2 ] 2>/dev/null && eval "exec $f>&-"
	done
	return 0
}
_sys_pidfile() { [ -r "$1" ] && tr -d ' \n' <"$1"; }
_sys_cmdline() { tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline"; }

# _sys_kill PID NAME [TIMEOUT]: TERM, wait, KILL; only if PID still runs NAME.
_sys_kill() {
	local pid=$1 name=$2 t=${3:-10}
	_sys_alive "$pid" || return 0
	case " $(_sys_cmdline "$pid")" in
	*"$name"*) ;;
	*) sys_err "pid $pid is no longer $name, not killing it"; return 1 ;;
	esac
	kill -TERM "$pid" 2>/dev/null
	_sys_wait "$t" _sys_dead "$pid" && return 0
	sys_log "$name ($pid) did not exit on TERM, sending KILL"
	kill -KILL "$pid" 2>/dev/null
	_sys_wait 5 _sys_dead "$pid"
}

# ------------------------------- Open vSwitch ------------------------------

_sys_ovsdb_up() {
	ovs-vsctl --db="unix:$SYS_OVSDB_SOCK" --timeout=2 --no-wait show >/dev/null 2>&1
}
_sys_ovsdb_pid() { _sys_pidfile "$OVS_RUNDIR/ovsdb-server.pid"; }
_sys_vswitchd_pid() { _sys_pidfile "$OVS_RUNDIR/ovs-vswitchd.pid"; }
_sys_vswitchd_up() {
	_sys_alive "$(_sys_vswitchd_pid)" &&
		ovs-appctl -T 2 -t ovs-vswitchd version >/dev/null 2>&1
}

# OVS_CTL_OPTS from /etc/default/openvswitch-switch, as the systemd units do.
_sys_ovs_ctl() {
	local extra
	# shellcheck disable=SC1091
	extra=$(. /etc/default/openvswitch-switch >/dev/null 2>&1; echo "${OVS_CTL_OPTS:-}")
	# shellcheck disable=SC2086
	(cd / && _sys_closefds && "$SYS_OVS_CTL" --no-monitor --system-id=random --no-record-hostname \
		"$@" $extra start) 2>&1 | sed 's/^/    ovs-ctl: /' >&2
	return "${PIPESTATUS[0]}"
}

_sys_ovsdb_start() {
	local pid
	if [ ! -e "$SYS_OVS_DB" ]; then
		# (On Debian, conf.db is a symlink into /var/lib/openvswitch.)
		mkdir -p "$(dirname "$(readlink -f "$SYS_OVS_DB")")"
		ovsdb-tool create "$SYS_OVS_DB" "$SYS_OVS_SCHEMA" || {
			sys_err "cannot create $SYS_OVS_DB"
			return 1
		}
		sys_log "created $SYS_OVS_DB"
	fi
	# ovs-ctl without ovs-vswitchd does not touch the kernel module.
	if [ -x "$SYS_OVS_CTL" ]; then
		_sys_ovs_ctl --no-ovs-vswitchd ||
			sys_log "ovs-ctl --no-ovs-vswitchd start failed; starting ovsdb-server by hand"
	fi
	pid=$(_sys_ovsdb_pid)
	if ! _sys_alive "$pid"; then
		(cd / && _sys_closefds && exec ovsdb-server "$SYS_OVS_DB" \
			--remote="punix:$SYS_OVSDB_SOCK" \
			--remote=db:Open_vSwitch,Open_vSwitch,manager_options \
			--pidfile="$OVS_RUNDIR/ovsdb-server.pid" \
			--log-file="$OVS_LOGDIR/ovsdb-server.log" \
			-vconsole:emer -vsyslog:err -vfile:info --no-chdir --detach) || {
			sys_err "ovsdb-server failed; see $OVS_LOGDIR/ovsdb-server.log"
			return 1
		}
		pid=$(_sys_ovsdb_pid)
	fi
	_sys_alive "$pid" && SYS_STARTED_OVSDB=$pid
	_sys_wait 10 _sys_ovsdb_up || {
		sys_err "ovsdb-server does not answer on $SYS_OVSDB_SOCK"
		return 1
	}
	ovs-vsctl --no-wait init
}

# Without the kernel module: by hand, userspace TSO on before it starts
# (ovs-vswitchd reads it once; TCP over veth on the netdev datapath needs it,
# see README).
_sys_vswitchd_start_userspace() {
	local old pid logstart
	old=$(ovs-vsctl --no-wait get Open_vSwitch . other_config:userspace-tso-enable 2>/dev/null |
		tr -d '"') || old=-
	[ -n "$old" ] || old=-
	if [ "$old" != true ]; then
		ovs-vsctl --no-wait set Open_vSwitch . other_config:userspace-tso-enable=true ||
			return 1
		SYS_TSO_RESTORE=$old
	fi
	mkdir -p "$OVS_RUNDIR" "$OVS_LOGDIR"
	logstart=1
	[ -f "$OVS_LOGDIR/ovs-vswitchd.log" ] &&
		logstart=$(($(wc -l <"$OVS_LOGDIR/ovs-vswitchd.log") + 1))
	(cd / && _sys_closefds && ulimit -n 65535 2>/dev/null
	 exec ovs-vswitchd "unix:$SYS_OVSDB_SOCK" \
		-vconsole:emer -vsyslog:err -vfile:info --no-chdir \
		--log-file="$OVS_LOGDIR/ovs-vswitchd.log" \
		--pidfile="$OVS_RUNDIR/ovs-vswitchd.pid" --detach) || {
		sys_err "ovs-vswitchd failed; see $OVS_LOGDIR/ovs-vswitchd.log"
		return 1
	}
	pid=$(_sys_vswitchd_pid)
	_sys_alive "$pid" && SYS_STARTED_VSWITCHD=$pid
	_sys_wait 10 _sys_vswitchd_up || { sys_err "ovs-vswitchd does not answer"; return 1; }
	# Self check: a userspace bridge can be made.  Fails when another
	# userspace ovs-vswitchd in this network namespace holds the "ovs-netdev"
	# tap device.
	local br=ovsgwchk$$
	br=${br:0:15}
	if ! ovs-vsctl --timeout=10 add-br "$br" -- set bridge "$br" datapath_type=netdev \
		>/dev/null 2>&1; then
		sys_err "ovs-vswitchd cannot create a userspace bridge; see $OVS_LOGDIR/ovs-vswitchd.log"
		tail -n "+$logstart" "$OVS_LOGDIR/ovs-vswitchd.log" 2>/dev/null |
			grep -q 'ovs-netdev: creating tap device failed' &&
			sys_err "another userspace ovs-vswitchd in this network namespace holds the" \
				"'ovs-netdev' tap device; stop it first"
		ovs-vsctl --timeout=10 --if-exists del-br "$br" >/dev/null 2>&1
		return 1
	fi
	ovs-vsctl --timeout=10 del-br "$br"
}

ensure_ovs() {
	local t0=$SECONDS want_db=0 want_vs=0 kmod=0 opts=() c
	[ -d /sys/module/openvswitch ] && kmod=1
	if [ $kmod = 1 ]; then SYS_DATAPATH=system; else SYS_DATAPATH=netdev; fi
	_sys_ovsdb_up || want_db=1
	_sys_vswitchd_up || want_vs=1
	if [ $want_db = 0 ] && [ $want_vs = 0 ]; then
		SYS_OVS_STATUS="already running ($SYS_DATAPATH datapath)"
		sys_log "Open vSwitch: using the running ovsdb-server and ovs-vswitchd"
		return 0
	fi
	for c in ovsdb-server ovs-vswitchd ovs-vsctl ovs-appctl ovs-ofctl ovsdb-tool; do
		command -v "$c" >/dev/null || {
			sys_err "$c not found (apt-get install openvswitch-switch)"
			return 1
		}
	done
	mkdir -p "$OVS_RUNDIR" "$OVS_LOGDIR"
	if [ $kmod = 1 ]; then
		# The kernel module is there: the standard way.
		[ $want_db = 1 ] || opts+=(--no-ovsdb-server)
		[ $want_vs = 1 ] || opts+=(--no-ovs-vswitchd)
		sys_log "Open vSwitch: ovs-ctl start ${opts[*]} (kernel datapath)"
		if [ $want_db = 1 ] && [ ! -e "$SYS_OVS_DB" ]; then
			mkdir -p "$(dirname "$(readlink -f "$SYS_OVS_DB")")"
			ovsdb-tool create "$SYS_OVS_DB" "$SYS_OVS_SCHEMA" || return 1
		fi
		_sys_ovs_ctl "${opts[@]}"
		[ $want_db = 1 ] && _sys_alive "$(_sys_ovsdb_pid)" && SYS_STARTED_OVSDB=$(_sys_ovsdb_pid)
		[ $want_vs = 1 ] && _sys_alive "$(_sys_vswitchd_pid)" &&
			SYS_STARTED_VSWITCHD=$(_sys_vswitchd_pid)
		if ! _sys_wait 10 _sys_ovsdb_up || ! _sys_wait 10 _sys_vswitchd_up; then
			sys_err "ovs-ctl start failed; see $OVS_LOGDIR"
			return 1
		fi
	else
		# "ovs-ctl start" insists on loading the kernel module: ovsdb-server
		# through ovs-ctl --no-ovs-vswitchd, ovs-vswitchd by hand.
		if [ $want_db = 1 ]; then
			sys_log "Open vSwitch: starting ovsdb-server ($SYS_OVS_DB)"
			_sys_ovsdb_start || return 1
		fi
		if [ $want_vs = 1 ]; then
			sys_log "Open vSwitch: no kernel module, starting ovs-vswitchd by hand" \
				"(userspace datapath, other_config:userspace-tso-enable=true)"
			_sys_vswitchd_start_userspace || return 1
		fi
	fi
	SYS_OVS_STATUS="started by this script ($SYS_DATAPATH datapath)"
	[ $want_db = 0 ] && SYS_OVS_STATUS="ovs-vswitchd started by this script, ovsdb-server was running ($SYS_DATAPATH datapath)"
	[ $want_vs = 0 ] && SYS_OVS_STATUS="ovsdb-server started by this script, ovs-vswitchd was running ($SYS_DATAPATH datapath)"
	sys_log "Open vSwitch ready in $((SECONDS - t0))s"
}

_sys_vswitchd_stop() {
	local pid=$SYS_STARTED_VSWITCHD
	[ -n "$pid" ] || return 0
	if _sys_alive "$pid"; then
		if [ "$(_sys_vswitchd_pid)" = "$pid" ]; then
			# --cleanup: also delete the datapath and its (persistent) taps.
			ovs-appctl -T 10 -t ovs-vswitchd exit --cleanup >/dev/null 2>&1
		fi
		_sys_wait 10 _sys_dead "$pid" || _sys_kill "$pid" ovs-vswitchd 5
	fi
	# A datapath tap of ours that is left over (e.g. after a KILL).
	if [ "$SYS_DATAPATH" = netdev ] && ip -d link show ovs-netdev 2>/dev/null | grep -qw tun &&
		! grep -qs "^iff:[[:space:]]ovs-netdev\$" /proc/[0-9]*/fdinfo/* 2>/dev/null; then
		ip link del ovs-netdev 2>/dev/null
	fi
	if [ -n "$SYS_TSO_RESTORE" ] && _sys_ovsdb_up; then
		if [ "$SYS_TSO_RESTORE" = - ]; then
			ovs-vsctl --no-wait remove Open_vSwitch . other_config userspace-tso-enable
		else
			ovs-vsctl --no-wait set Open_vSwitch . \
				other_config:userspace-tso-enable="$SYS_TSO_RESTORE"
		fi
		SYS_TSO_RESTORE=""
	fi
	_sys_dead "$pid" && SYS_STARTED_VSWITCHD=""
	sys_log "stopped ovs-vswitchd ($pid)"
}

_sys_ovsdb_stop() {
	local pid=$SYS_STARTED_OVSDB
	[ -n "$pid" ] || return 0
	if _sys_alive "$pid" && [ "$(_sys_ovsdb_pid)" = "$pid" ]; then
		ovs-appctl -T 5 -t ovsdb-server exit >/dev/null 2>&1
	fi
	_sys_wait 5 _sys_dead "$pid" || _sys_kill "$pid" ovsdb-server 5
	_sys_dead "$pid" && SYS_STARTED_OVSDB=""
	sys_log "stopped ovsdb-server ($pid)"
}

# ---------------------------------- Docker ---------------------------------

_sys_docker_up() { timeout 10 "$DOCKER" version --format '{{.Server.Version}}' >/dev/null 2>&1; }

# The host network state dockerd changes with its default options: the
# docker0 bridge, iptables chains and rules, ip_forward, the FORWARD policy.
_sys_net_snapshot() {
	local d=$1 t
	mkdir -p "$d"
	ip link show docker0 >/dev/null 2>&1 && : >"$d/docker0"
	cat /proc/sys/net/ipv4/ip_forward >"$d/ip_forward" 2>/dev/null
	if command -v iptables >/dev/null; then
		for t in filter nat; do
			iptables -w -t "$t" -S >"$d/iptables.$t" 2>/dev/null
		done
		# (With iptables-nft, dockerd may create the tables themselves.)
		command -v nft >/dev/null && nft list tables >"$d/nft-tables" 2>/dev/null
	fi
}

# sys_undo_docker_net DIR: undo what a dockerd we started changed in the
# host network, compared with the snapshot in DIR taken before it started;
# removes DIR.  (Public: printed for KEEP=1.)
sys_undo_docker_net() {
	local d=$1 t line c policy rules=() chains=()
	[ -n "$d" ] && [ -d "$d" ] || return 0
	if command -v iptables >/dev/null && [ -e "$d/iptables.filter" ]; then
		for t in filter nat; do
			# New rules that mention docker, then new DOCKER* chains.
			rules=()
			while IFS= read -r line; do
				case $line in -A\ *) ;; *) continue ;; esac
				case $line in *DOCKER* | *docker0*) ;; *) continue ;; esac
				grep -qxF -- "$line" "$d/iptables.$t" 2>/dev/null && continue
				rules+=("$line")
			done < <(iptables -w -t "$t" -S 2>/dev/null)
			for line in "${rules[@]}"; do
				# shellcheck disable=SC2086
				iptables -w -t "$t" -D ${line#-A } 2>/dev/null
			done
			chains=()
			while IFS= read -r line; do
				case $line in "-N DOCKER"*) ;; *) continue ;; esac
				grep -qxF -- "$line" "$d/iptables.$t" 2>/dev/null && continue
				chains+=("${line#-N }")
			done < <(iptables -w -t "$t" -S 2>/dev/null)
			for c in "${chains[@]}"; do iptables -w -t "$t" -F "$c" 2>/dev/null; done
			for c in "${chains[@]}"; do iptables -w -t "$t" -X "$c" 2>/dev/null; done
		done
		policy=$(awk '$1 == "-P" && $2 == "FORWARD" {print $3}' "$d/iptables.filter")
		if [ -n "$policy" ] && ! iptables -w -S FORWARD 2>/dev/null | grep -qx -- "-P FORWARD $policy"; then
			iptables -w -P FORWARD "$policy" 2>/dev/null
		fi
		# nft tables that did not exist before and are empty again.
		if [ -e "$d/nft-tables" ] && iptables -V 2>/dev/null | grep -q nf_tables; then
			for t in filter nat; do
				grep -qx "table ip $t" "$d/nft-tables" && continue
				nft list tables 2>/dev/null | grep -qx "table ip $t" || continue
				iptables -w -t "$t" -S 2>/dev/null | grep -qv '^-P ' && continue
				nft delete table ip "$t" 2>/dev/null
			done
		fi
	fi
	if [ ! -e "$d/docker0" ] && ip link show docker0 >/dev/null 2>&1; then
		ip link del docker0 2>/dev/null
	fi
	if [ -s "$d/ip_forward" ] &&
		[ "$(cat /proc/sys/net/ipv4/ip_forward 2>/dev/null)" != "$(cat "$d/ip_forward")" ]; then
		cat "$d/ip_forward" >/proc/sys/net/ipv4/ip_forward 2>/dev/null
	fi
	rm -rf "$d"
}

# _sys_dockerd_try DESCRIPTION DOCKERD-OPTIONS...: start dockerd, wait until
# it answers (status 0) or dies (status 1).
_sys_dockerd_try() {
	local what=$1 pid i
	shift
	printf '\n=== %s ovsgw: dockerd %s\n' "$(date '+%F %T')" "$*" >>"$SYS_DOCKERD_LOG"
	# setsid: not in the terminal's process group, so a Ctrl-C meant for the
	# script does not hit it.  (No job control here: $! is dockerd itself.)
	(cd / && _sys_closefds && exec setsid dockerd "$@" </dev/null >>"$SYS_DOCKERD_LOG" 2>&1) &
	pid=$!
	SYS_STARTED_DOCKERD=$pid
	for i in $(seq 600); do
		_sys_docker_up && break
		_sys_alive "$pid" || break
		sleep 0.1
	done
	if _sys_alive "$pid" && _sys_docker_up; then
		[ "$(_sys_pidfile "$SYS_DOCKER_PIDFILE")" = "$pid" ] ||
			sys_log "note: $SYS_DOCKER_PIDFILE does not name dockerd $pid"
		return 0
	fi
	sys_log "dockerd ($what) did not come up; last lines of $SYS_DOCKERD_LOG:"
	tail -n 6 "$SYS_DOCKERD_LOG" | cut -c1-240 | sed 's/^/    /' >&2
	_sys_dockerd_stop
	return 1
}

# The containerd that dockerd starts when there is no system containerd.
_sys_containerd_of_dockerd() {
	local p f
	for f in /var/run/docker/containerd/containerd.pid /run/docker/containerd/containerd.pid; do
		p=$(_sys_pidfile "$f") || continue
		_sys_alive "$p" || continue
		[ "$(awk '{print $4}' "/proc/$p/stat" 2>/dev/null)" = "$1" ] && { echo "$p"; return 0; }
	done
	return 1
}

ensure_docker() {
	local t0=$SECONDS pid
	if _sys_docker_up; then
		SYS_DOCKER_STATUS="already running ($("$DOCKER" version --format '{{.Server.Version}}' 2>/dev/null))"
		sys_log "Docker: using the engine at ${DOCKER_HOST#unix://}"
		return 0
	fi
	command -v dockerd >/dev/null || { sys_err "dockerd not found (apt-get install docker.io)"; return 1; }
	[ -x "$DOCKER" ] || { sys_err "$DOCKER not found (apt-get install docker.io)"; return 1; }
	pid=$(_sys_pidfile "$SYS_DOCKER_PIDFILE")
	if _sys_alive "$pid" && [[ $(_sys_cmdline "$pid") == *dockerd* ]]; then
		sys_log "Docker: dockerd $pid is running but not answering yet; waiting"
		_sys_wait 60 _sys_docker_up || {
			sys_err "dockerd $pid does not answer on ${DOCKER_HOST#unix://}"
			return 1
		}
		SYS_DOCKER_STATUS="already running"
		return 0
	fi
	local sysctd="dockerd starts its own containerd"
	[ -S /run/containerd/containerd.sock ] && sysctd="using the system containerd"
	SYS_DOCKER_NET_PRE=$(mktemp -d /tmp/ovsgw-sys-net.XXXXXX)
	_sys_net_snapshot "$SYS_DOCKER_NET_PRE"
	sys_log "Docker: starting dockerd with its default options ($sysctd; log $SYS_DOCKERD_LOG)"
	if _sys_dockerd_try "default options"; then
		SYS_DOCKER_STATUS="started by this script (default options)"
	else
		sys_log "Docker: the default bridge/iptables setup failed here; falling back to" \
			"dockerd --iptables=false --ip-forward=false --ip-masq=false --bridge=none"
		_sys_net_snapshot "$SYS_DOCKER_NET_PRE"
		if _sys_dockerd_try "fallback" --iptables=false --ip-forward=false \
			--ip-masq=false --bridge=none; then
			SYS_DOCKER_STATUS="started by this script (--iptables=false --bridge=none: the default network setup failed)"
		else
			sys_err "dockerd does not start; see $SYS_DOCKERD_LOG"
			return 1
		fi
	fi
	SYS_STARTED_CONTAINERD=$(_sys_containerd_of_dockerd "$SYS_STARTED_DOCKERD") || SYS_STARTED_CONTAINERD=""
	SYS_DOCKER_STATUS+=", $("$DOCKER" version --format '{{.Server.Version}}' 2>/dev/null), storage $("$DOCKER" info --format '{{.Driver}}' 2>/dev/null)"
	sys_log "Docker ready in $((SECONDS - t0))s (dockerd $SYS_STARTED_DOCKERD${SYS_STARTED_CONTAINERD:+, its containerd $SYS_STARTED_CONTAINERD})"
}

_sys_dockerd_stop() {
	local pid=$SYS_STARTED_DOCKERD ctd=$SYS_STARTED_CONTAINERD p
	[ -n "$pid" ] || return 0
	[ -n "$ctd" ] || ctd=$(_sys_containerd_of_dockerd "$pid") || ctd=""
	_sys_kill "$pid" dockerd 30
	# dockerd stops the containerd it started; make sure.
	if [ -n "$ctd" ]; then
		_sys_wait 10 _sys_dead "$ctd" || _sys_kill "$ctd" containerd 10
		# Shims of that containerd (none once the containers are gone).
		while read -r p; do
			p=${p#/proc/}
			p=${p%/cmdline}
			case $(_sys_cmdline "$p") in
			*containerd-shim*" -address /var/run/docker/containerd/containerd.sock"* | \
				*containerd-shim*" -address /run/docker/containerd/containerd.sock"*)
				_sys_kill "$p" containerd-shim 5 ;;
			esac
		done < <(grep -lsaF /docker/containerd/containerd.sock /proc/[0-9]*/cmdline)
	fi
	sys_undo_docker_net "$SYS_DOCKER_NET_PRE"
	SYS_DOCKER_NET_PRE=""
	_sys_dead "$pid" && SYS_STARTED_DOCKERD="" SYS_STARTED_CONTAINERD=""
	sys_log "stopped dockerd ($pid${ctd:+, containerd $ctd})"
}

# --------------------------------- the image --------------------------------

# ovsgw-busybox: Debian's static busybox with its applets, a minimal /etc,
# and udpcat (UDP, which busybox nc lacks).  Labelled so that an image of that
# name without udpcat is rebuilt.
ensure_image() {
	local r bb=/bin/busybox a udpcat=$SYS_TOP/build/udpcat
	if [ "$("$DOCKER" image inspect -f '{{index .Config.Labels "ovsgw.udpcat"}}' \
		"$SYS_IMAGE" 2>/dev/null)" = 1 ]; then
		return 0
	fi
	if [ ! -x "$bb" ] || ldd "$bb" >/dev/null 2>&1; then
		sys_err "$bb is missing or not static (apt-get install busybox-static)"
		return 1
	fi
	if [ ! -x "$udpcat" ]; then
		make -s -C "$SYS_TOP" build/udpcat >&2 || { sys_err "cannot build $udpcat"; return 1; }
	fi
	r=$(mktemp -d /tmp/ovsgw-image.XXXXXX) || return 1
	mkdir -p "$r"/{bin,etc,tmp,proc,sys,dev,root,var,run,usr}
	chmod 1777 "$r/tmp"
	if ! cp "$bb" "$r/bin/busybox" || ! cp "$udpcat" "$r/bin/udpcat"; then
		rm -rf "$r"
		return 1
	fi
	for a in $("$bb" --list); do
		case $a in busybox | */*) continue ;; esac
		ln -sf busybox "$r/bin/$a"
	done
	ln -s bin "$r/sbin"
	ln -s ../bin "$r/usr/bin"
	ln -s ../bin "$r/usr/sbin"
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$r/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$r/etc/group"
	tar -C "$r" --numeric-owner --owner=0 --group=0 -cf - . |
		"$DOCKER" import -c 'ENV PATH=/bin:/sbin:/usr/bin:/usr/sbin' \
			-c 'LABEL ovsgw.udpcat=1' -c 'CMD ["/bin/sh"]' - "$SYS_IMAGE" >/dev/null
	local rc=${PIPESTATUS[1]}
	rm -rf "$r"
	[ "$rc" = 0 ] || { sys_err "docker import failed"; return 1; }
	sys_log "image $SYS_IMAGE built (busybox-static + udpcat)"
}

# ---------------------------------- ovsgw ----------------------------------

# Does a live server answer on the unix socket?
_sys_sock_live() {
	[ -S "$1" ] || return 1
	if command -v curl >/dev/null; then
		curl -s -m 3 --unix-socket "$1" -X POST http://ovsgw/Plugin.Activate >/dev/null
		return
	fi
	ss -xlnH 2>/dev/null | awk '{print $5}' | grep -qxF -- "$1"
}

# start_ovsgw [ARGS...]: ARGS go to build/ovsgw (e.g. --log-level debug).
start_ovsgw() {
	local a sock=$SYS_OVSGW_SOCK pid prev=""
	for a in "$@"; do
		case $prev in --socket) sock=$a ;; esac
		case $a in --socket=*) sock=${a#--socket=} ;; esac
		prev=$a
	done
	SYS_OVSGW_SOCK=$sock
	if _sys_sock_live "$sock"; then
		SYS_OVSGW_STATUS="already running on $sock"
		sys_log "ovsgw: a live ovsgw already serves $sock; using it${1:+ (ignoring $*)}"
		return 0
	fi
	[ -x "$SYS_OVSGW_BIN" ] || { sys_err "$SYS_OVSGW_BIN missing: run make"; return 1; }
	mkdir -p "$(dirname "$sock")" "$(dirname "$SYS_OVSGW_LOG")"
	# Ready when the socket is a new one (a stale one may be there).
	local ino
	ino=$(stat -c %i "$sock" 2>/dev/null) || ino=none
	printf '\n=== %s %s %s\n' "$(date '+%F %T')" "$SYS_OVSGW_BIN" "$*" >>"$SYS_OVSGW_LOG"
	SYS_OVSGW_LOGLINE=$(($(wc -l <"$SYS_OVSGW_LOG") + 1))
	# setsid: out of the terminal's process group, so that a Ctrl-C meant
	# for the script does not stop ovsgw before the cleanup has used it.
	# (No job control in scripts: setsid does not fork, $! is ovsgw.)
	(_sys_closefds && exec setsid "$SYS_OVSGW_BIN" "$@") </dev/null >>"$SYS_OVSGW_LOG" 2>&1 &
	pid=$!
	SYS_STARTED_OVSGW=$pid
	if ! _sys_wait 10 _sys_ovsgw_ready "$pid" "$sock" "$ino" || ! _sys_alive "$pid"; then
		wait "$pid" 2>/dev/null
		SYS_STARTED_OVSGW=""
		if tail -n 3 "$SYS_OVSGW_LOG" | grep -q 'Address already in use'; then
			SYS_OVSGW_STATUS="already running on $sock"
			sys_log "ovsgw: another ovsgw already serves $sock; using it"
			return 0
		fi
		sys_err "ovsgw did not start; last lines of $SYS_OVSGW_LOG:"
		tail -n 10 "$SYS_OVSGW_LOG" | sed 's/^/    /' >&2
		return 1
	fi
	[ "$(readlink "/proc/$pid/exe")" = "$(readlink -f "$SYS_OVSGW_BIN")" ] ||
		sys_log "warning: pid $pid is not $SYS_OVSGW_BIN"
	SYS_OVSGW_ARGS=("$@")
	SYS_OVSGW_STATUS="started by this script (pid $pid, log $SYS_OVSGW_LOG)"
	sys_log "ovsgw: serving $sock (pid $pid, log $SYS_OVSGW_LOG)"
}
_sys_ovsgw_ready() {
	_sys_dead "$1" || { [ -S "$2" ] && [ "$(stat -c %i "$2" 2>/dev/null)" != "$3" ]; }
}

# If the ovsgw we started has died, start it again (same arguments): Docker
# needs the driver to remove its containers and networks.
sys_revive_ovsgw() {
	[ -n "$SYS_STARTED_OVSGW" ] || return 0
	_sys_alive "$SYS_STARTED_OVSGW" && return 0
	sys_log "ovsgw ($SYS_STARTED_OVSGW) is gone; starting it again for the cleanup"
	wait "$SYS_STARTED_OVSGW" 2>/dev/null
	SYS_STARTED_OVSGW=""
	start_ovsgw "${SYS_OVSGW_ARGS[@]}"
}

_sys_ovsgw_stop() {
	local pid=$SYS_STARTED_OVSGW
	[ -n "$pid" ] || return 0
	_sys_kill "$pid" ovsgw 10
	wait "$pid" 2>/dev/null
	SYS_STARTED_OVSGW=""
	sys_log "stopped ovsgw ($pid)"
}

# --------------------------------- stopping --------------------------------

stop_started() {
	_sys_ovsgw_stop
	_sys_dockerd_stop
	_sys_vswitchd_stop
	_sys_ovsdb_stop
}

# What is still running that we started (status 1 if anything).
sys_leftovers() {
	local p bad=0
	for p in $SYS_STARTED_OVSGW $SYS_STARTED_DOCKERD $SYS_STARTED_CONTAINERD \
		$SYS_STARTED_VSWITCHD $SYS_STARTED_OVSDB; do
		_sys_alive "$p" && { echo "still running: $p $(_sys_cmdline "$p")"; bad=1; }
	done
	return $bad
}

# How to stop, by hand and in this order, the daemons these functions started
# (status 1 if none).
_sys_hint() { printf "  %-62s # %s\n" "$1" "$2"; }
sys_started_summary() {
	local any=0
	if [ -n "$SYS_STARTED_OVSGW" ]; then
		_sys_hint "kill $SYS_STARTED_OVSGW" "ovsgw"
		any=1
	fi
	if [ -n "$SYS_STARTED_DOCKERD" ]; then
		_sys_hint "kill $SYS_STARTED_DOCKERD && tail --pid=$SYS_STARTED_DOCKERD -f /dev/null" \
			"dockerd${SYS_STARTED_CONTAINERD:+ (stops its containerd $SYS_STARTED_CONTAINERD)}"
		if [ -n "$SYS_DOCKER_NET_PRE" ]; then
			_sys_hint "bash -c '. $SYS_TOP/scripts/system.sh && sys_undo_docker_net $SYS_DOCKER_NET_PRE'" \
				"undo its docker0/iptables/ip_forward setup"
		fi
		any=1
	fi
	if [ -n "$SYS_STARTED_VSWITCHD" ]; then
		_sys_hint "ovs-appctl -t ovs-vswitchd exit --cleanup" "ovs-vswitchd $SYS_STARTED_VSWITCHD"
		any=1
	fi
	case $SYS_TSO_RESTORE in
	"") ;;
	-) _sys_hint "ovs-vsctl --no-wait remove Open_vSwitch . other_config userspace-tso-enable" \
		"(was unset)" ;;
	*) _sys_hint "ovs-vsctl --no-wait set Open_vSwitch . other_config:userspace-tso-enable=$SYS_TSO_RESTORE" \
		"(was $SYS_TSO_RESTORE)" ;;
	esac
	if [ -n "$SYS_STARTED_OVSDB" ]; then
		_sys_hint "ovs-appctl -t ovsdb-server exit" "ovsdb-server $SYS_STARTED_OVSDB"
		any=1
	fi
	[ $any = 1 ]
}
