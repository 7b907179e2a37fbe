# shellcheck shell=bash
# test/integration/env.sh - private Open vSwitch + Docker environment for the
# ovsgw integration tests.  Source it; it only defines functions and a few
# read-only defaults, nothing runs at source time.
#
# Everything lives under one directory, $OVSGW_T (default: a fresh
# mktemp -d /tmp/ovsgw-t.XXXXXX):
#
#   * ovsdb-server + ovs-vswitchd (userspace datapath only, datapath_type=netdev)
#   * containerd + dockerd (own data-root, exec-root, socket, cgroup parent,
#     no iptables/bridge/ip-forward changes on the host)
#
# Network namespace (OVSGW_USE_NETNS, default 0):
#   0: the daemons run in the caller's network namespace (normally the host's).
#      Bridge tap devices ("ovs-netdev" and one per netdev bridge) appear in
#      `ip link` while the test runs and disappear at cleanup.  Pitfall: the
#      netdev datapath always uses a tap called "ovs-netdev", so if another
#      userspace ovs-vswitchd in the same netns has a netdev bridge, ours
#      cannot create bridges ("ovs-netdev: creating tap device failed: Device
#      or resource busy"); ovs_start detects and reports that.
#   1: env_init creates a private netns ($OVSGW_NETNS, an nsfs file bind-
#      mounted under $OVSGW_T) and runs ovs-vswitchd, ovsdb-server,
#      containerd and dockerd in it: no clash, nothing visible on the host,
#      parallel runs possible.  Then everything that creates or inspects
#      interfaces which OVS or dockerd must see (the plugin process, `ip`,
#      veth creation) must run in that netns too: prefix it with `tns`, e.g.
#          tns "$TOP/build/ovsgw" --socket "$SOCK" ... &
#          tns ip -br link
#      Unix sockets (ovs-vsctl/ovs-ofctl/ovs-appctl, docker CLI, the plugin
#      socket in /run/docker/plugins) work from any netns.
#   `tns CMD...` works in both modes (plain CMD when OVSGW_USE_NETNS=0).
#
# Public functions:
#   env_init [DIR]         set up $OVSGW_T and export the variables below
#   tns CMD...             run CMD in the test network namespace
#   ovs_start              ovsdb-server + ovs-vswitchd (+ self check)
#   ovs_stop               stop both (db file is kept)
#   ovs_restart_vswitchd   stop/start ovs-vswitchd only (same db)
#   ovs_restart_ovsdb      stop/start ovsdb-server only (same db file)
#   docker_start           containerd + dockerd (private)
#   docker_stop            remove containers, stop dockerd/containerd, unmount
#   busybox_image          docker import image "ovsgw-busybox" (if missing)
#   env_leftovers          print what is still running/mounted for $OVSGW_T;
#                          status 1 if anything is
#   env_cleanup            stop everything, remove $OVSGW_T (idempotent,
#                          trap-safe)
#
# Exported by env_init:
#   OVSGW_T        private root directory
#   OVSGW_NETNS    nsfs file of the private netns ("" if OVSGW_USE_NETNS=0)
#   OVSGW_USE_NETNS  0 or 1 (as used)
#   OVS_RUNDIR, OVS_DBDIR, OVS_LOGDIR   = $OVSGW_T/ovs
#   OVS_SYSCONFDIR = $OVSGW_T/ovs/etc
#   OVSDB_SOCK     = $OVSGW_T/ovs/db.sock   (ovs-vsctl default --db)
#   DOCKER_HOST    = unix://$OVSGW_T/docker.sock
#   DOCKER         = /usr/bin/docker        (use "$DOCKER", not "docker")
#   DOCKER_CONFIG  = $OVSGW_T/docker-cli    (no user ~/.docker influence)
#   OVSGW_CGROUP   = cgroup parent of the containers (ovsgw-t.XXXXXX)
# Set by docker_start:  OVSGW_DOCKER_STORAGE (overlay2 or vfs)
# Set by busybox_image: OVSGW_IMAGE=ovsgw-busybox, OVSGW_BB_APPLETS
#
# Tunables (set before calling): OVSGW_TSO=true|false (userspace-tso-enable,
# read by ovs-vswitchd at start only), OVSGW_DATAPATH=netdev|system (the
# self-check bridge's datapath; system needs the OVS kernel module, see
# test/kernel/run.sh), OVSGW_STORAGE_DRIVER (force one driver),
# OVSGW_DOCKER_LOGLEVEL (default info), OVSGW_KEEP=1 (env_cleanup stops
# daemons but keeps $OVSGW_T for post-mortem).

OVSGW_OVS_SCHEMA=${OVSGW_OVS_SCHEMA:-/usr/share/openvswitch/vswitch.ovsschema}
OVSGW_IMAGE=${OVSGW_IMAGE:-ovsgw-busybox}

_env_log() { printf '[env %s] %s\n' "$(date +%T)" "$*" >&2; }
_env_err() { printf '[env %s] ERROR: %s\n' "$(date +%T)" "$*" >&2; }

_env_need_init() {
	if [ -z "${OVSGW_T:-}" ] || [ ! -d "$OVSGW_T" ]; then
		_env_err "env_init has not been called"
		return 1
	fi
}

# _env_wait TIMEOUT_SECONDS CMD... : poll CMD every 0.1 s until it succeeds.
_env_wait() {
	local t=$1 i=0
	shift
	while ! "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ "$i" -ge $((t * 10)) ] && return 1
		sleep 0.1
	done
	return 0
}

# Alive = exists and is not a zombie.  (PID 1 on some hosts reaps orphans
# lazily, so `kill -0` is true for a dead daemon for a while.)
_env_pid_alive() {
	local st
	[ -n "${1:-}" ] || return 1
	st=$(sed -n 's/^.*) \(.\) .*$/\1/p' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}
_env_pid_dead() { ! _env_pid_alive "$1"; }

# Is PID one of ours (its command line mentions $OVSGW_T)?
_env_pid_ours() {
	case ${OVSGW_T:-} in /?*/?*) ;; *) return 1 ;; esac
	[ -n "${1:-}" ] && [ -r "/proc/$1/cmdline" ] &&
		tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline" | grep -qF -- "$OVSGW_T/"
}

# PIDs of live processes whose command line mentions $OVSGW_T/ (not this
# shell).  With a PATTERN, only those whose command line also contains it.
_env_our_pids() {
	local f p
	case ${OVSGW_T:-} in /?*/?*) ;; *) return 0 ;; esac
	# Pattern via -f <(...): grep must not match its own command line.
	# shellcheck disable=SC2013
	for f in $(grep -lsaF -f <(printf '%s/\n' "$OVSGW_T") /proc/[0-9]*/cmdline); do
		p=${f#/proc/}
		p=${p%/cmdline}
		[ "$p" = "$$" ] || [ "$p" = "${BASHPID:-}" ] && continue
		if [ -n "${1:-}" ]; then
			tr '\0' ' ' 2>/dev/null <"$f" | grep -qF -- "$1" || continue
		fi
		_env_pid_alive "$p" && echo "$p"
	done
	return 0
}

# PIDs of processes inside our containers' cgroup parent.
_env_cgroup_pids() {
	[ -n "${OVSGW_CGROUP:-}" ] || return 0
	local d
	for d in /sys/fs/cgroup/pids/"$OVSGW_CGROUP" /sys/fs/cgroup/"$OVSGW_CGROUP" \
		/sys/fs/cgroup/unified/"$OVSGW_CGROUP"; do
		[ -d "$d" ] || continue
		find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null
		return 0
	done
	return 0
}

# _env_kill_pid PID [TIMEOUT]: TERM, wait, KILL.  Only if the PID is ours.
_env_kill_pid() {
	local pid=$1 t=${2:-10}
	_env_pid_alive "$pid" || return 0
	_env_pid_ours "$pid" || { _env_err "pid $pid is not ours, not killing"; return 1; }
	kill -TERM "$pid" 2>/dev/null
	_env_wait "$t" _env_pid_dead "$pid" && return 0
	_env_log "pid $pid did not exit on TERM, sending KILL"
	kill -KILL "$pid" 2>/dev/null
	_env_wait 5 _env_pid_dead "$pid"
}

_env_pidfile_pid() { [ -r "$1" ] && tr -d ' \n' <"$1"; }

# Mount points under $OVSGW_T, deepest first.
_env_our_mounts() {
	[ -n "${OVSGW_T:-}" ] || return 0
	awk -v t="$OVSGW_T" '{ m = $5; gsub(/\\040/, " ", m);
		if (m == t || index(m, t "/") == 1) print m }' /proc/self/mountinfo | sort -r
}

_env_umount_under() {
	local prefix=$1 m i
	for i in 1 2 3; do
		while read -r m; do
			[ -n "$m" ] || continue
			case $m in "$prefix" | "$prefix"/*) ;; *) continue ;; esac
			umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null ||
				_env_err "cannot unmount $m"
		done < <(_env_our_mounts)
		_env_our_mounts | grep -q -e "^$prefix\$" -e "^$prefix/" || return 0
	done
	return 1
}

# ---------------------------------------------------------------------------

env_init() {
	local dir=${1:-${OVSGW_T:-}}
	if [ -n "$dir" ]; then
		# env_cleanup does rm -rf $OVSGW_T: only take an empty directory or
		# one made by env_init (marker file).
		if [ -d "$dir" ] && [ ! -e "$dir/.ovsgw-env" ] &&
			[ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
			_env_err "$dir is not empty and not an ovsgw test dir; refusing"
			return 1
		fi
		mkdir -p "$dir" || return 1
		OVSGW_T=$(cd "$dir" && pwd) || return 1
	else
		OVSGW_T=$(mktemp -d /tmp/ovsgw-t.XXXXXX) || return 1
	fi
	case $OVSGW_T in
	/?*/?*) ;;
	*) _env_err "OVSGW_T=$OVSGW_T: too short a path"; return 1 ;;
	esac
	: >"$OVSGW_T/.ovsgw-env"
	export OVSGW_T
	# AF_UNIX paths are limited to 107 bytes; the deepest one is about
	# $OVSGW_T/containerd/containerd.sock.ttrpc.
	if [ "${#OVSGW_T}" -gt 60 ]; then
		_env_err "OVSGW_T=$OVSGW_T is too long for unix socket paths"
		return 1
	fi
	mkdir -p "$OVSGW_T"/{ovs/etc,docker,containerd,docker-cli,ns,baseline} || return 1

	export OVS_RUNDIR="$OVSGW_T/ovs"
	export OVS_DBDIR="$OVSGW_T/ovs"
	export OVS_LOGDIR="$OVSGW_T/ovs"
	export OVS_SYSCONFDIR="$OVSGW_T/ovs/etc"
	export OVSDB_SOCK="$OVSGW_T/ovs/db.sock"
	export DOCKER_HOST="unix://$OVSGW_T/docker.sock"
	export DOCKER=/usr/bin/docker
	export DOCKER_CONFIG="$OVSGW_T/docker-cli"
	unset DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH
	export OVSGW_CGROUP
	OVSGW_CGROUP=$(basename "$OVSGW_T")

	# What the host looked like (for env_leftovers / the selftest).
	ip -br link 2>/dev/null | awk '{print $1}' | sort >"$OVSGW_T/baseline/links"
	ip netns list 2>/dev/null | sort >"$OVSGW_T/baseline/netns"

	export OVSGW_NETNS=""
	export OVSGW_USE_NETNS=${OVSGW_USE_NETNS:-0}
	if [ "$OVSGW_USE_NETNS" != 0 ]; then
		if [ ! -e "$OVSGW_T/ns/net" ] || ! nsenter --net="$OVSGW_T/ns/net" true 2>/dev/null; then
			# A private bind mount so that the nsfs bind mount below works
			# even when / is a shared mount (systemd hosts).
			if ! _env_our_mounts | grep -qx "$OVSGW_T/ns"; then
				mount --bind "$OVSGW_T/ns" "$OVSGW_T/ns" &&
					mount --make-private "$OVSGW_T/ns" || {
					_env_err "cannot make $OVSGW_T/ns a private mount"
					return 1
				}
			fi
			: >"$OVSGW_T/ns/net"
			unshare --net="$OVSGW_T/ns/net" true || {
				_env_err "cannot create network namespace"
				return 1
			}
		fi
		OVSGW_NETNS="$OVSGW_T/ns/net"
		nsenter --net="$OVSGW_NETNS" ip link set lo up
	fi
	_env_log "OVSGW_T=$OVSGW_T netns=${OVSGW_NETNS:-none (caller netns)}"
}

# Run a command in the test network namespace.
tns() {
	if [ -n "${OVSGW_NETNS:-}" ]; then
		nsenter --net="$OVSGW_NETNS" -- "$@"
	else
		"$@"
	fi
}

# ------------------------------- Open vSwitch ------------------------------

_ovsdb_start() {
	local pid
	pid=$(_env_pidfile_pid "$OVS_RUNDIR/ovsdb-server.pid")
	if _env_pid_alive "$pid" && _env_pid_ours "$pid"; then
		return 0
	fi
	[ -f "$OVS_DBDIR/conf.db" ] ||
		ovsdb-tool create "$OVS_DBDIR/conf.db" "$OVSGW_OVS_SCHEMA" || return 1
	# Unixctl socket: default name $OVS_RUNDIR/ovsdb-server.<pid>.ctl, so that
	# plain `ovs-appctl -t ovsdb-server` finds it through the pidfile.
	tns ovsdb-server "$OVS_DBDIR/conf.db" \
		--remote="punix:$OVSDB_SOCK" \
		--pidfile="$OVS_RUNDIR/ovsdb-server.pid" \
		--log-file="$OVS_LOGDIR/ovsdb-server.log" \
		-vconsole:off --no-chdir --detach \
		>>"$OVS_LOGDIR/ovsdb-server.console" 2>&1 || {
		_env_err "ovsdb-server failed, see $OVS_LOGDIR/ovsdb-server.{log,console}"
		return 1
	}
	_env_wait 10 ovs-vsctl --timeout=1 --no-wait show || {
		_env_err "ovsdb-server does not answer on $OVSDB_SOCK"
		return 1
	}
}

_ovsdb_stop() {
	local pid
	pid=$(_env_pidfile_pid "$OVS_RUNDIR/ovsdb-server.pid")
	_env_pid_alive "$pid" || return 0
	ovs-appctl -T 5 -t ovsdb-server exit >/dev/null 2>&1
	_env_wait 5 _env_pid_dead "$pid" || _env_kill_pid "$pid" 5
}

_vswitchd_start() {
	local pid
	pid=$(_env_pidfile_pid "$OVS_RUNDIR/ovs-vswitchd.pid")
	if _env_pid_alive "$pid" && _env_pid_ours "$pid"; then
		return 0
	fi
	if _env_is_tap ovs-netdev && _env_tap_busy ovs-netdev; then
		_env_err "tap 'ovs-netdev' is held by another process: another userspace" \
			"ovs-vswitchd has netdev bridges in this netns, ours could not" \
			"create any.  Stop it, or use OVSGW_USE_NETNS=1 (see env.sh)."
		return 1
	fi
	tns ovs-vswitchd "unix:$OVSDB_SOCK" \
		--pidfile="$OVS_RUNDIR/ovs-vswitchd.pid" \
		--log-file="$OVS_LOGDIR/ovs-vswitchd.log" \
		-vconsole:off --no-chdir --detach \
		>>"$OVS_LOGDIR/ovs-vswitchd.console" 2>&1 || {
		_env_err "ovs-vswitchd failed, see $OVS_LOGDIR/ovs-vswitchd.{log,console}"
		return 1
	}
	# Ready = answers on unixctl and has (re)applied the whole db config.
	_env_wait 10 ovs-appctl -T 1 -t ovs-vswitchd version || {
		_env_err "ovs-vswitchd does not answer"
		return 1
	}
	_ovs_sync 20 || {
		_env_err "ovs-vswitchd did not apply the db config"
		return 1
	}
}

# Make a (harmless) db change and wait until ovs-vswitchd has applied it:
# proves that the running vswitchd is connected and has reconfigured all
# bridges/ports.  (cur_cfg alone is not enough: it survives in the db.)
_ovs_sync() {
	ovs-vsctl --timeout="${1:-20}" set Open_vSwitch . \
		external_ids:ovsgw-sync="$$.$RANDOM" >/dev/null
}

# Is there a tun/tap device of that name in the test netns?  (Not via
# /sys/class/net: sysfs shows the netns it was mounted in, not ours.)
_env_is_tap() {
	tns ip -d link show "$1" 2>/dev/null | grep -qw tun
}

# Is a tun/tap device of that name open in some process (fdinfo "iff:")?
# (Any netns: fdinfo does not say which.)
# Is the tap held open by a process of OUR network namespace?  Taps of
# the same name in other namespaces (another private or system OVS) do
# not count.
_env_tap_busy() {
	local f pid want
	if [ -n "${OVSGW_NETNS:-}" ]; then
		want="net:[$(stat -L -c %i "$OVSGW_NETNS" 2>/dev/null)]"
	else
		want=$(readlink /proc/self/ns/net)
	fi
	for f in $(grep -ls "^iff:[[:space:]]$1\$" /proc/[0-9]*/fdinfo/* 2>/dev/null); do
		pid=${f#/proc/}
		pid=${pid%%/*}
		[ "$(readlink "/proc/$pid/ns/net" 2>/dev/null)" = "$want" ] && return 0
	done
	return 1
}

# Tap devices of the netdev datapath are made persistent (TUNSETPERSIST) by
# ovs-vswitchd: they survive a plain `ovs-appctl exit` (so that a restarted
# vswitchd finds them again) or a crash.  _vswitchd_stop [--cleanup]:
# with --cleanup, the datapath and its taps are deleted, and stale taps of
# ours that are left (kill -9) are removed.
_vswitchd_stop() {
	local pid cleanup=${1:-} taps="" t
	pid=$(_env_pidfile_pid "$OVS_RUNDIR/ovs-vswitchd.pid")
	if [ "$cleanup" = --cleanup ]; then
		# (needs ovsdb-server, which is stopped after us)
		taps="ovs-netdev $(ovs-vsctl --timeout=5 --no-wait --bare --columns=name \
			find Interface type=internal 2>/dev/null)"
	fi
	if _env_pid_alive "$pid"; then
		# shellcheck disable=SC2086
		ovs-appctl -T 10 -t ovs-vswitchd exit $cleanup >/dev/null 2>&1
		_env_wait 10 _env_pid_dead "$pid" || _env_kill_pid "$pid" 5
	fi
	for t in $taps; do
		if _env_is_tap "$t" && ! _env_tap_busy "$t"; then
			tns ip link del "$t" 2>/dev/null
		fi
	done
	return 0
}

ovs_start() {
	_env_need_init || return 1
	local t0=$SECONDS
	_ovsdb_start || return 1
	ovs-vsctl --no-wait init || return 1
	# Must be in the db before ovs-vswitchd starts (read once at start).
	ovs-vsctl --no-wait set Open_vSwitch . \
		other_config:userspace-tso-enable="${OVSGW_TSO:-true}" || return 1
	_vswitchd_start || return 1

	# Self check: a bridge ($OVSGW_DATAPATH) can be created and talks OpenFlow 1.4.
	local br=ovsgwchk$$
	br=${br:0:15}
	if ! ovs-vsctl --timeout=10 add-br "$br" -- set bridge "$br" \
		datapath_type="${OVSGW_DATAPATH:-netdev}"; then
		_env_err "cannot create a ${OVSGW_DATAPATH:-netdev} bridge; see $OVS_LOGDIR/ovs-vswitchd.log"
		grep -q 'ovs-netdev: creating tap device failed: Device or resource busy' \
			"$OVS_LOGDIR/ovs-vswitchd.log" &&
			_env_err "another userspace ovs-vswitchd owns 'ovs-netdev' in this" \
				"netns; stop it or use OVSGW_USE_NETNS=1"
		return 1
	fi
	if ! ovs-ofctl -O OpenFlow14 dump-flows "$br" >/dev/null; then
		_env_err "ovs-ofctl dump-flows $br failed"
		ovs-vsctl --timeout=10 --if-exists del-br "$br"
		return 1
	fi
	ovs-vsctl --timeout=10 del-br "$br" || return 1
	_env_log "ovs started in $((SECONDS - t0))s (datapath ${OVSGW_DATAPATH:-netdev}, userspace-tso-enable=${OVSGW_TSO:-true})"
}

ovs_stop() {
	[ -n "${OVS_RUNDIR:-}" ] || return 0
	_vswitchd_stop --cleanup
	_ovsdb_stop
}

# Like a real restart: datapath taps persist, bridges and ports come back from
# the db, OpenFlow flows do not (the controller/plugin must re-add them).
ovs_restart_vswitchd() {
	_env_need_init || return 1
	_vswitchd_stop || return 1
	_vswitchd_start
}

ovs_restart_ovsdb() {
	_env_need_init || return 1
	_ovsdb_stop || return 1
	_ovsdb_start || return 1
	# ovs-vswitchd reconnects by itself (backoff up to 8 s); wait for it.
	_ovs_sync 30
}

# ---------------------------------- Docker ---------------------------------

_docker_up() { "$DOCKER" info >/dev/null 2>&1; }

_containerd_start() {
	local c=$OVSGW_T/containerd pid
	pid=$(_env_pidfile_pid "$c/containerd.pid")
	if _env_pid_alive "$pid" && _env_pid_ours "$pid"; then
		return 0
	fi
	mkdir -p "$c/root" "$c/state"
	# dockerd 20.10 uses the system containerd whenever
	# /run/containerd/containerd.sock exists, and otherwise starts one itself.
	# To be independent of that, run our own and pass --containerd.
	cat >"$c/config.toml" <<-EOF
		version = 2
		root = "$c/root"
		state = "$c/state"
		disabled_plugins = ["io.containerd.grpc.v1.cri"]
		oom_score = 0
		[grpc]
		  address = "$c/containerd.sock"
		[ttrpc]
		  address = "$c/containerd.sock.ttrpc"
		[debug]
		  address = "$c/debug.sock"
		  level = "info"
		[metrics]
		  address = ""
		[plugins."io.containerd.internal.v1.opt"]
		  path = "$c/opt"
	EOF
	(cd / && exec setsid nsenter ${OVSGW_NETNS:+--net="$OVSGW_NETNS"} -- \
		containerd --config "$c/config.toml" \
		</dev/null >"$c/containerd.log" 2>&1) &
	if ! _env_wait 20 test -S "$c/containerd.sock"; then
		_env_err "containerd did not start, see $c/containerd.log"
		return 1
	fi
	# Not $!: setsid forks when it is a process group leader (job control).
	pid=$(_env_our_pids "containerd --config $c/config.toml" | head -n1)
	echo "$pid" >"$c/containerd.pid"
}

_dockerd_run() {
	local d=$OVSGW_T/docker driver=$1
	(cd / && exec setsid nsenter ${OVSGW_NETNS:+--net="$OVSGW_NETNS"} -- \
		dockerd \
		--config-file "$d/daemon.json" \
		--containerd "$OVSGW_T/containerd/containerd.sock" \
		--data-root "$d/data" \
		--exec-root "$d/exec" \
		--pidfile "$d/dockerd.pid" \
		-H "$DOCKER_HOST" \
		--storage-driver "$driver" \
		--iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
		--bridge=none --userland-proxy=false \
		--exec-opt native.cgroupdriver=cgroupfs \
		--cgroup-parent "/$OVSGW_CGROUP" \
		--log-level "${OVSGW_DOCKER_LOGLEVEL:-info}" \
		</dev/null >>"$OVSGW_T/dockerd.log" 2>&1) &
}

# PID of our dockerd: its pidfile, or (early/failed start) its command line.
_dockerd_pid() {
	local pid
	pid=$(_env_pidfile_pid "$OVSGW_T/docker/dockerd.pid")
	if _env_pid_alive "$pid" && _env_pid_ours "$pid"; then
		echo "$pid"
		return 0
	fi
	_env_our_pids "dockerd --config-file $OVSGW_T/docker/daemon.json" | head -n1
}

docker_start() {
	_env_need_init || return 1
	local d=$OVSGW_T/docker t0=$SECONDS drv pid
	if _docker_up; then
		return 0
	fi
	mkdir -p "$d/data" "$d/exec"
	# deprecated-key-path: otherwise dockerd 20.10 writes /etc/docker/key.json.
	cat >"$d/daemon.json" <<-EOF
		{
		  "deprecated-key-path": "$d/key.json"
		}
	EOF
	_containerd_start || return 1
	for drv in ${OVSGW_STORAGE_DRIVER:-overlay2 vfs}; do
		echo "=== ovsgw: starting dockerd with storage driver $drv" >>"$OVSGW_T/dockerd.log"
		_dockerd_run "$drv"
		# Up, or dead (e.g. overlay2 not supported on this file system).
		_env_wait 60 _docker_up_or_dead
		if _docker_up; then
			OVSGW_DOCKER_STORAGE=$("$DOCKER" info --format '{{.Driver}}')
			export OVSGW_DOCKER_STORAGE
			_env_log "dockerd started in $((SECONDS - t0))s (storage driver $OVSGW_DOCKER_STORAGE)"
			return 0
		fi
		_env_log "dockerd with storage driver $drv failed (see $OVSGW_T/dockerd.log)"
		_env_kill_pid "$(_dockerd_pid)" 10
		_env_umount_under "$d"
	done
	_env_err "dockerd did not start"
	return 1
}

_docker_up_or_dead() { _docker_up || [ -z "$(_dockerd_pid)" ]; }

docker_stop() {
	[ -n "${OVSGW_T:-}" ] && [ -d "$OVSGW_T/docker" ] || return 0
	local d=$OVSGW_T/docker pid ids p rc=0
	if _docker_up; then
		ids=$(timeout 20 "$DOCKER" ps -aq 2>/dev/null)
		if [ -n "$ids" ]; then
			# shellcheck disable=SC2086
			timeout 60 "$DOCKER" rm -f $ids >/dev/null 2>&1 ||
				_env_err "docker rm -f failed"
		fi
	fi
	_env_kill_pid "$(_dockerd_pid)" 30
	pid=$(_env_pidfile_pid "$OVSGW_T/containerd/containerd.pid")
	_env_kill_pid "$pid" 15
	# Leftovers: shims (their command line names our containerd socket) and
	# anything still in our cgroup.
	for p in $(_env_our_pids); do
		case $(tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline") in
		*containerd* | *dockerd* | *runc*) _env_kill_pid "$p" 5 ;;
		esac
	done
	for p in $(_env_cgroup_pids); do
		kill -KILL "$p" 2>/dev/null
	done
	_env_umount_under "$d" || rc=1
	_env_umount_under "$OVSGW_T/containerd" || rc=1
	if [ -n "${OVSGW_CGROUP:-}" ]; then
		# Container cgroups are removed by runc; remove the parent we made.
		find /sys/fs/cgroup -mindepth 1 -maxdepth 3 -type d -name "$OVSGW_CGROUP" 2>/dev/null |
			while read -r p; do
				find "$p" -depth -type d -exec rmdir {} + 2>/dev/null
			done
	fi
	rm -f "$OVSGW_T/docker.sock"
	[ -z "$(_env_cgroup_pids)" ] || { _env_err "processes left in cgroup $OVSGW_CGROUP"; rc=1; }
	return $rc
}

# --------------------------------- busybox ---------------------------------

busybox_image() {
	_env_need_init || return 1
	local r=$OVSGW_T/busybox-rootfs a t0=$SECONDS bb=/bin/busybox
	export OVSGW_IMAGE
	if "$DOCKER" image inspect "$OVSGW_IMAGE" >/dev/null 2>&1; then
		return 0
	fi
	[ -x "$bb" ] || { _env_err "$bb missing (apt-get install busybox-static)"; return 1; }
	if ldd "$bb" >/dev/null 2>&1; then
		_env_err "$bb is dynamically linked; install busybox-static"
		return 1
	fi
	rm -rf "$r"
	mkdir -p "$r"/{bin,etc,tmp,proc,sys,dev,root,var,run,usr} || return 1
	chmod 1777 "$r/tmp"
	cp "$bb" "$r/bin/busybox" || return 1
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
		"$DOCKER" import \
			-c 'ENV PATH=/bin:/sbin:/usr/bin:/usr/sbin' \
			-c 'CMD ["/bin/sh"]' \
			- "$OVSGW_IMAGE" >/dev/null || {
		_env_err "docker import failed"
		return 1
	}
	OVSGW_BB_APPLETS=""
	for a in ping nc httpd wget ip ifconfig sleep timeout; do
		[ -e "$r/bin/$a" ] && OVSGW_BB_APPLETS+="$a "
	done
	export OVSGW_BB_APPLETS=${OVSGW_BB_APPLETS% }
	rm -rf "$r"
	_env_log "image $OVSGW_IMAGE built in $((SECONDS - t0))s (applets: $OVSGW_BB_APPLETS)"
}

# --------------------------------- cleanup ---------------------------------

# Print what is still alive/mounted for $OVSGW_T; status 1 if anything.
env_leftovers() {
	[ -n "${OVSGW_T:-}" ] || return 0
	local bad=0 p out
	for p in $(_env_our_pids) $(_env_cgroup_pids); do
		echo "leftover process: $p $(tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline")"
		bad=1
	done
	out=$(_env_our_mounts)
	if [ -n "$out" ]; then
		echo "leftover mounts:"
		echo "$out"
		bad=1
	fi
	return $bad
}

env_cleanup() {
	local rc=0 p
	[ -n "${OVSGW_T:-}" ] || return 0
	if [ ! -d "$OVSGW_T" ]; then
		return 0
	fi
	docker_stop || rc=1
	ovs_stop || rc=1
	for p in $(_env_our_pids); do
		_env_kill_pid "$p" 5 || rc=1
	done
	# Unmount everything below $OVSGW_T, including the netns file: the
	# namespace and all interfaces in it (OVS taps, veths) go away with it.
	_env_umount_under "$OVSGW_T" || rc=1
	if env_leftovers >&2; then :; else rc=1; fi
	if [ "${OVSGW_KEEP:-0}" = 1 ]; then
		_env_log "keeping $OVSGW_T (OVSGW_KEEP=1)"
		return $rc
	fi
	if [ ! -e "$OVSGW_T/.ovsgw-env" ]; then
		_env_err "not removing $OVSGW_T: no .ovsgw-env marker"
		rc=1
	elif [ -z "$(_env_our_mounts)" ]; then
		rm -rf --one-file-system "$OVSGW_T" || rc=1
	else
		_env_err "not removing $OVSGW_T: still mounted"
		rc=1
	fi
	return $rc
}
