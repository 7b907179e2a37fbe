# shellcheck shell=bash
# scripts/lib/ovs.sh - ovsdb-server and ovs-vswitchd in the profile that
# env_init chose (see env.sh).  Sourced by env.sh.
#
#   ovs_start              system: use the running daemons, or start the
#                          missing ones (ovs-ctl with the kernel module, by
#                          hand on the userspace datapath); private: start
#                          ours.  Then a self check (a bridge can be made).
#   ovs_stop               stop the ones we started (ovs-vswitchd --cleanup:
#                          its datapath and taps go too); the db is kept
#   ovs_restart_vswitchd   stop/start ovs-vswitchd only (same db)
#   ovs_restart_ovsdb      stop/start ovsdb-server only (same db file)
#   ovsdb_start / ovsdb_stop, vswitchd_start / vswitchd_stop [--cleanup]
#   ovs_pid NAME           PID of our ovsdb-server or ovs-vswitchd
#   ovs_sync [SECONDS]     a db change, waited for until ovs-vswitchd
#                          applied it
#   dump_flows BRIDGE [ARGS...]   its OpenFlow 1.4 flows, over its
#                          management socket
#   flow_count BRIDGE [ARGS...]   how many; prints nothing (status 1) when
#                          the flows cannot be read
#
# Set: ENV_DATAPATH (system: system or netdev), ENV_OVS_STATUS (a line for
# a report), ENV_TSO_RESTORE (system: userspace-tso-enable before we set
# it, "-" if unset).
# shellcheck disable=SC2034  # ENV_OVS_STATUS is read by demo.sh and run.sh

# shellcheck source=scripts/lib/base.sh
. "${BASH_SOURCE[0]%/*}/base.sh"

OVSGW_DATAPATH=${OVSGW_DATAPATH:-netdev}
OVSGW_OVS_SCHEMA=${OVSGW_OVS_SCHEMA:-/usr/share/openvswitch/vswitch.ovsschema}
OVS_CTL=/usr/share/openvswitch/scripts/ovs-ctl
ENV_DATAPATH=""
ENV_OVS_STATUS=""
ENV_TSO_RESTORE=""

_ovsdb_up() {
    ovs-vsctl --db="unix:$OVSDB_SOCK" --timeout=2 --no-wait show >/dev/null 2>&1
}
_vswitchd_up() { ovs-appctl -T 2 -t ovs-vswitchd version >/dev/null 2>&1; }

# ovs_pid ovsdb-server|ovs-vswitchd: the live daemon of ours (private: its
# pidfile's, if it names $OVSGW_T; system: the one we started), or nothing.
ovs_pid() {
    local pid
    if [ "$ENV_PROFILE" = system ]; then
        pid=${ENV_STARTED[$1]:-}
    else
        pid=$(pidfile_pid "$OVS_RUNDIR/$1.pid")
        pid_ours "$pid" || pid=""
    fi
    pid_alive "$pid" && echo "$pid"
    return 0
}

# _ovs_daemon NAME ARGS...: start NAME (--detach) with the profile's paths,
# log options and network namespace; its console output goes to
# $OVS_CONSOLE/NAME.console if set.  Records the PID (system).
_ovs_daemon() {
    local name=$1 pid
    shift
    (
        cd / && close_fds
        ulimit -n 65535 2>/dev/null
        [ -z "$OVS_CONSOLE" ] || exec >>"$OVS_CONSOLE/$name.console" 2>&1
        # (Log levels before --log-file, which logs that it opened it.)
        exec ${OVSGW_NETNS:+nsenter --net="$OVSGW_NETNS" --} "$name" "$@" \
            "${OVS_VLOG[@]}" --pidfile="$OVS_RUNDIR/$name.pid" \
            --log-file="$OVS_LOGDIR/$name.log" --no-chdir --detach
    ) || {
        lib_err "$name failed; see $OVS_LOGDIR/$name.log${OVS_CONSOLE:+ and .console}"
        return 1
    }
    pid=$(pidfile_pid "$OVS_RUNDIR/$name.pid")
    [ "$ENV_PROFILE" = system ] && pid_alive "$pid" && ENV_STARTED[$name]=$pid
    return 0
}

# system: ovs-ctl, with OVS_CTL_OPTS from /etc/default/openvswitch-switch as
# the systemd units do.
_ovs_ctl() {
    local extra
    # (In a child shell: the file may set anything.)
    # shellcheck disable=SC2016  # expanded by that shell
    extra=$(sh -c '. /etc/default/openvswitch-switch >/dev/null 2>&1; echo "${OVS_CTL_OPTS:-}"')
    # shellcheck disable=SC2086  # OVS_CTL_OPTS is a list of words
    (cd / && close_fds && "$OVS_CTL" --no-monitor --system-id=random --no-record-hostname \
        "$@" $extra start) 2>&1 | sed 's/^/    ovs-ctl: /' >&2
    return "${PIPESTATUS[0]}"
}

_ovsdb_create() {
    local db=$OVS_DBDIR/conf.db
    [ -e "$db" ] && return 0
    # (On Debian, /etc/openvswitch/conf.db is a symlink into /var/lib.)
    mkdir -p "$(dirname "$(readlink -f "$db")")"
    ovsdb-tool create "$db" "$OVSGW_OVS_SCHEMA" || {
        lib_err "cannot create $db"
        return 1
    }
}

ovsdb_start() {
    [ -n "$(ovs_pid ovsdb-server)" ] && return 0
    _ovsdb_create || return 1
    # ovs-ctl without ovs-vswitchd does not touch the kernel module.
    if [ "$ENV_PROFILE" = system ] && [ -x "$OVS_CTL" ]; then
        _ovs_ctl --no-ovs-vswitchd ||
            lib_log "ovs-ctl --no-ovs-vswitchd start failed; starting ovsdb-server by hand"
        pid_alive "$(pidfile_pid "$OVS_RUNDIR/ovsdb-server.pid")" &&
            ENV_STARTED[ovsdb-server]=$(pidfile_pid "$OVS_RUNDIR/ovsdb-server.pid")
    fi
    if [ -z "$(ovs_pid ovsdb-server)" ]; then
        # The unixctl socket keeps its default name,
        # $OVS_RUNDIR/ovsdb-server.<pid>.ctl, which ovs-appctl -t finds.
        _ovs_daemon ovsdb-server "$OVS_DBDIR/conf.db" \
            --remote="punix:$OVSDB_SOCK" "${OVS_DB_REMOTES[@]}" || return 1
    fi
    wait_until 10 _ovsdb_up || {
        lib_err "ovsdb-server does not answer on $OVSDB_SOCK"
        return 1
    }
    ovs-vsctl --no-wait init
}

ovsdb_stop() {
    local pid
    pid=$(ovs_pid ovsdb-server)
    [ -n "$pid" ] || return 0
    [ "$(pidfile_pid "$OVS_RUNDIR/ovsdb-server.pid")" = "$pid" ] &&
        ovs-appctl -T 5 -t ovsdb-server exit >/dev/null 2>&1
    wait_until 5 pid_dead "$pid" || kill_pid "$pid" ovsdb-server 5
    pid_dead "$pid" && unset "ENV_STARTED[ovsdb-server]"
    [ "$ENV_PROFILE" = system ] && lib_log "stopped ovsdb-server ($pid)"
    return 0
}

# Is there a tun/tap device of that name in our network namespace?  (Not
# via /sys/class/net: sysfs shows the netns it was mounted in.)
_ovs_is_tap() { tns ip -d link show "$1" 2>/dev/null | grep -qw tun; }

# Is the tap held open by a process of our network namespace (fdinfo
# "iff:")?  Taps of that name in other namespaces (another private or the
# system OVS) do not count.
_ovs_tap_busy() {
    local f pid want
    if [ -n "${OVSGW_NETNS:-}" ]; then
        want="net:[$(stat -L -c %i "$OVSGW_NETNS" 2>/dev/null)]"
    else
        want=$(readlink /proc/self/ns/net)
    fi
    while read -r f; do
        pid=${f#/proc/}
        pid=${pid%%/*}
        [ "$(readlink "/proc/$pid/ns/net" 2>/dev/null)" = "$want" ] && return 0
    done < <(grep -ls "^iff:[[:space:]]$1\$" /proc/[0-9]*/fdinfo/* 2>/dev/null)
    return 1
}

vswitchd_start() {
    [ -n "$(ovs_pid ovs-vswitchd)" ] && return 0
    if _ovs_is_tap ovs-netdev && _ovs_tap_busy ovs-netdev; then
        lib_err "tap 'ovs-netdev' is held by another process: another userspace" \
            "ovs-vswitchd has netdev bridges in this network namespace; ours" \
            "could not create any.  Stop it${OVSGW_T:+, or use OVSGW_USE_NETNS=1}."
        return 1
    fi
    _ovs_daemon ovs-vswitchd "unix:$OVSDB_SOCK" || return 1
    wait_until 10 _vswitchd_up || {
        lib_err "ovs-vswitchd does not answer"
        return 1
    }
    # private: ready = has (re)applied the whole db config.  (The system
    # profile leaves no mark in the system's db; its self check waits.)
    if [ "$ENV_PROFILE" = private ] && ! ovs_sync 20; then
        lib_err "ovs-vswitchd did not apply the db config"
        return 1
    fi
}

# A (harmless) db change, waited for until ovs-vswitchd has applied it:
# proves that the running ovs-vswitchd is connected and has reconfigured
# all bridges and ports.  (cur_cfg alone is not enough: it survives in the
# db.)
ovs_sync() {
    ovs-vsctl --timeout="${1:-20}" set Open_vSwitch . \
        external_ids:ovsgw-sync="$$.$RANDOM" >/dev/null
}

# The datapath's tap devices (netdev) are made persistent by ovs-vswitchd:
# they survive a plain `ovs-appctl exit` (a restarted ovs-vswitchd finds
# them again) or a crash.  vswitchd_stop [--cleanup]: with --cleanup, the
# datapath and its taps are deleted, and stale taps of ours that are left
# (kill -9) are removed.
vswitchd_stop() {
    local pid cleanup=${1:-} taps="" t
    if [ "$ENV_PROFILE" = system ]; then
        pid=${ENV_STARTED[ovs-vswitchd]:-}
        [ -n "$pid" ] || return 0
    else
        pid=$(ovs_pid ovs-vswitchd)
    fi
    if [ "$cleanup" = --cleanup ]; then
        taps=ovs-netdev
        # (The system's db may name bridges that are not ours.)
        [ "$ENV_PROFILE" = private ] && taps+=" $(ovs-vsctl --timeout=5 --no-wait \
            --bare --columns=name find Interface type=internal 2>/dev/null)"
    fi
    if pid_alive "$pid" && [ "$(pidfile_pid "$OVS_RUNDIR/ovs-vswitchd.pid")" = "$pid" ]; then
        # shellcheck disable=SC2086  # empty or --cleanup
        ovs-appctl -T 10 -t ovs-vswitchd exit $cleanup >/dev/null 2>&1
    fi
    wait_until 10 pid_dead "$pid" || kill_pid "$pid" ovs-vswitchd 5
    for t in $taps; do
        if _ovs_is_tap "$t" && ! _ovs_tap_busy "$t"; then
            tns ip link del "$t" 2>/dev/null
        fi
    done
    pid_dead "$pid" && unset "ENV_STARTED[ovs-vswitchd]"
    [ "$ENV_PROFILE" = system ] && lib_log "stopped ovs-vswitchd ($pid)"
    return 0
}

# _ovs_set_tso VALUE: userspace-tso-enable (ovs-vswitchd reads it once, at
# start; TCP over veth on the netdev datapath needs it, see README).  The
# system profile remembers the old value for ovs_stop.
_ovs_set_tso() {
    local old
    old=$(ovs-vsctl --no-wait get Open_vSwitch . other_config:userspace-tso-enable \
        2>/dev/null | tr -d '"') || old=-
    [ -n "$old" ] || old=-
    [ "$old" = "$1" ] && return 0
    ovs-vsctl --no-wait set Open_vSwitch . other_config:userspace-tso-enable="$1" ||
        return 1
    [ "$ENV_PROFILE" = system ] && ENV_TSO_RESTORE=$old
    return 0
}

_ovs_restore_tso() {
    [ -n "$ENV_TSO_RESTORE" ] && _ovsdb_up || return 0
    if [ "$ENV_TSO_RESTORE" = - ]; then
        ovs-vsctl --no-wait remove Open_vSwitch . other_config userspace-tso-enable
    else
        ovs-vsctl --no-wait set Open_vSwitch . \
            other_config:userspace-tso-enable="$ENV_TSO_RESTORE"
    fi
    ENV_TSO_RESTORE=""
}

# Self check: a bridge of datapath $OVSGW_DATAPATH can be made and talks
# OpenFlow 1.4.  (Fails on the netdev datapath when another userspace
# ovs-vswitchd in this network namespace holds the "ovs-netdev" tap.)
ovs_selfcheck() {
    local br=ovsgwchk$$ log=$OVS_LOGDIR/ovs-vswitchd.log logstart=$1
    br=${br:0:15}
    if ! ovs-vsctl --timeout=10 add-br "$br" -- set bridge "$br" \
        datapath_type="$OVSGW_DATAPATH" >/dev/null; then
        lib_err "ovs-vswitchd cannot create a $OVSGW_DATAPATH bridge; see $log"
        tail -n "+$logstart" "$log" 2>/dev/null |
            grep -q 'ovs-netdev: creating tap device failed' &&
            lib_err "another userspace ovs-vswitchd in this network namespace holds" \
                "the 'ovs-netdev' tap device; stop it${OVSGW_T:+, or use OVSGW_USE_NETNS=1}"
        ovs-vsctl --timeout=10 --if-exists del-br "$br" >/dev/null 2>&1
        return 1
    fi
    if ! ovs-ofctl -O OpenFlow14 dump-flows "$br" >/dev/null; then
        lib_err "ovs-ofctl dump-flows $br failed"
        ovs-vsctl --timeout=10 --if-exists del-br "$br"
        return 1
    fi
    ovs-vsctl --timeout=10 del-br "$br"
}

# system, with the kernel module: the standard way, for what is missing.
_ovs_start_kmod() {
    local want_db=$1 want_vs=$2 opts=()
    [ "$want_db" = 1 ] || opts+=(--no-ovsdb-server)
    [ "$want_vs" = 1 ] || opts+=(--no-ovs-vswitchd)
    lib_log "Open vSwitch: ovs-ctl start ${opts[*]} (kernel datapath)"
    if [ "$want_db" = 1 ]; then
        _ovsdb_create || return 1
    fi
    _ovs_ctl "${opts[@]}"
    local name pid
    for name in ovsdb-server ovs-vswitchd; do
        [ "$name" = ovsdb-server ] && [ "$want_db" = 0 ] && continue
        [ "$name" = ovs-vswitchd ] && [ "$want_vs" = 0 ] && continue
        pid=$(pidfile_pid "$OVS_RUNDIR/$name.pid")
        pid_alive "$pid" && ENV_STARTED[$name]=$pid
    done
    if ! wait_until 10 _ovsdb_up || ! wait_until 10 _vswitchd_up; then
        lib_err "ovs-ctl start failed; see $OVS_LOGDIR"
        return 1
    fi
}

ovs_start() {
    local t0=$SECONDS want_db=1 want_vs=1 c logstart=1 tso=""
    _env_need_init || return 1
    if [ "$ENV_PROFILE" = system ]; then
        ENV_DATAPATH=netdev
        [ -d /sys/module/openvswitch ] && ENV_DATAPATH=system
        _ovsdb_up && want_db=0
        _vswitchd_up && want_vs=0
        if [ $want_db = 0 ] && [ $want_vs = 0 ]; then
            ENV_OVS_STATUS="already running ($ENV_DATAPATH datapath)"
            lib_log "Open vSwitch: using the running ovsdb-server and ovs-vswitchd"
            return 0
        fi
        for c in ovsdb-server ovs-vswitchd ovs-vsctl ovs-appctl ovs-ofctl ovsdb-tool; do
            command -v "$c" >/dev/null || {
                lib_err "$c not found (apt-get install openvswitch-switch)"
                return 1
            }
        done
    fi
    mkdir -p "$OVS_RUNDIR" "$OVS_LOGDIR"
    if [ "$ENV_DATAPATH" = system ]; then
        _ovs_start_kmod $want_db $want_vs || return 1
    else
        # "ovs-ctl start" insists on loading the kernel module: ovsdb-server
        # (system: through ovs-ctl --no-ovs-vswitchd), ovs-vswitchd by hand.
        if [ $want_db = 1 ]; then
            [ "$ENV_PROFILE" = system ] &&
                lib_log "Open vSwitch: starting ovsdb-server ($OVS_DBDIR/conf.db)"
            ovsdb_start || return 1
        fi
        if [ $want_vs = 1 ]; then
            [ "$ENV_PROFILE" = system ] &&
                lib_log "Open vSwitch: no kernel module, starting ovs-vswitchd by hand" \
                    "(userspace datapath, other_config:userspace-tso-enable=${OVSGW_TSO:-true})"
            _ovs_set_tso "${OVSGW_TSO:-true}" || return 1
            tso=" (userspace-tso-enable=${OVSGW_TSO:-true})"
            [ -f "$OVS_LOGDIR/ovs-vswitchd.log" ] &&
                logstart=$(($(wc -l <"$OVS_LOGDIR/ovs-vswitchd.log") + 1))
            vswitchd_start || return 1
            ovs_selfcheck "$logstart" || return 1
        fi
    fi
    if [ "$ENV_PROFILE" = system ]; then
        ENV_OVS_STATUS="started by this script ($ENV_DATAPATH datapath)"
        [ $want_db = 0 ] && ENV_OVS_STATUS="ovs-vswitchd started by this script, ovsdb-server was running ($ENV_DATAPATH datapath)"
        [ $want_vs = 0 ] && ENV_OVS_STATUS="ovsdb-server started by this script, ovs-vswitchd was running ($ENV_DATAPATH datapath)"
    fi
    lib_log "Open vSwitch ready in $((SECONDS - t0))s$tso"
}

ovs_stop() {
    [ -n "${OVS_RUNDIR:-}" ] || return 0
    vswitchd_stop --cleanup
    _ovs_restore_tso
    ovsdb_stop
}

# Like a real restart: datapath taps persist, bridges and ports come back
# from the db, OpenFlow flows do not (the daemon must re-add them).
ovs_restart_vswitchd() {
    _env_need_init || return 1
    vswitchd_stop || return 1
    vswitchd_start
}

ovs_restart_ovsdb() {
    _env_need_init || return 1
    ovsdb_stop || return 1
    ovsdb_start || return 1
    # ovs-vswitchd reconnects by itself (backoff up to 8 s); wait for it.
    ovs_sync 30
}

dump_flows() {
    ovs-ofctl -O OpenFlow14 dump-flows "unix:$OVS_RUNDIR/$1.mgmt" "${@:2}"
}

flow_count() {
    local out
    out=$(dump_flows "$@") || return 1
    grep -c ' actions=' <<<"$out" || true
}
