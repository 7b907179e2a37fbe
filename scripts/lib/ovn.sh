# shellcheck shell=bash
# scripts/lib/ovn.sh - a simulated OVN deployment on one machine, for the
# tests of ovsgw's OVN mode: a "central" (the NB and SB ovsdb-servers and
# ovn-northd) and up to nine "hosts", each a private profile of env.sh (a
# network namespace, ovsdb-server and ovs-vswitchd of its own, netdev
# datapath) running ovn-controller.  An underlay joins them: a Linux bridge
# br-ul with $OVN_UNDERLAY.254/24 in the central's network namespace, and
# on host N a veth "ul0" on the OVS bridge br-phy, which holds the host's
# underlay address $OVN_UNDERLAY.N/24 (userspace tunnelling wants the
# tunnel endpoint on an OVS bridge).  Geneve between the hosts, the OVN
# control plane (tcp:$OVN_UNDERLAY.254:6641/6642) and nothing else go
# over it; nothing leaves the namespaces made here.
#
# Sourced (after env.sh, which it sources too); defines functions and
# defaults, runs nothing.  The caller's shell keeps its own env.sh state: what runs on a
# host runs in a subshell that attaches to that host (env_init private on
# its directory), so any shell that called `ovn_init DIR` can operate on,
# or clean up, a world another shell made.
#
#   ovn_init [DIR]          the world's directory (a fresh
#                           mktemp -d /tmp/ovsgw-ovn.XXXXXX unless given;
#                           an existing world is attached to)
#   ovn_central_start       central netns, br-ul, NB/SB servers, ovn-northd
#   ovn_host_start N        host N (1..9): OVS, underlay, ovn-controller;
#                           waits for its chassis in SB and br-int
#   ovn_host_dir N          host N's directory (its $OVSGW_T)
#   on_host N CMD...        CMD in a subshell attached to host N: OVSDB_SOCK,
#                           OVS_RUNDIR, DOCKER_HOST, tns, ovs-vsctl... are
#                           host N's (OVN_RUNDIR too: its ovn-controller's)
#   hdk N ARGS...           docker ARGS against host N's dockerd
#   driver_of N             the driver name of host N's ovsgw (the basename
#                           of its directory: its socket's name)
#   ovn_nbctl / ovn_sbctl ARGS...   against the central's unix sockets
#   ovn_trace ARGS...       ovn-trace on the central's SB (23.03 reads no
#                           NB): ovn_trace --minimal LS 'inport == "p1" && ...';
#                           add --ovs=unix:$(ovn_host_dir N)/ovs/br-int.mgmt
#                           for host N's OpenFlow flows
#   ovn_appctl N ARGS...    ovn-appctl to host N's ovn-controller
#   ovn_chassis N           host N's chassis name (system-id)
#   ovn_controller_kill N   kill -9 host N's ovn-controller (flows stay)
#   ovn_controller_start N  (re)start it; waits until it is connected
#   ovn_fake_port N NAME LS MAC IP/PLEN [GW]
#                           a "container" on host N: a network namespace
#                           with eth0 (MAC, IP, $OVN_FAKE_MTU, default
#                           route via GW), its peer NAME on br-int with
#                           external_ids:iface-id=NAME, and the LSP NAME
#                           in LS (addresses and port_security "MAC IP");
#                           waits for external_ids:ovn-installed=true.
#                           OVN_FAKE_NB=0: no LSP (the caller makes it)
#   ovn_fake_exec N NAME CMD...   CMD in that namespace
#   ovn_port_installed N NAME   host N's ovn-controller has set
#                           external_ids:ovn-installed=true on port NAME
#   ovn_fake_del N NAME     the port, namespace and LSP go
#   ovn_cleanup             stop the hosts (env_cleanup each), northd and
#                           the NB/SB servers; remove namespaces, mounts and
#                           DIR (idempotent); status 1 if anything is left
#   ovn_leftovers           processes and mounts of ours still there;
#                           status 1 if any
#
# Set by ovn_init (exported):
#   OVN_DIR                 the world's directory (marker .ovsgw-ovn)
#   OVN_NB_SOCK, OVN_SB_SOCK   the central's unix sockets (any netns)
#   OVN_NB_REMOTE, OVN_SB_REMOTE   tcp:$OVN_UNDERLAY.254:6641/6642, for a
#                           daemon in a host's network namespace
#   OVN_CENTRAL_NS          the central's nsfs file
# Tunables (before ovn_init): OVN_UNDERLAY [10.99.0], OVN_FAKE_MTU [1400],
#   OVN_TSO: host ovs-vswitchd's userspace-tso-enable [$OVSGW_TSO, true]
#   OVN_WAIT: seconds a wait may take [30]
#
# Directory layout: DIR/c is the central's env.sh directory (its ns/net is
# the central netns; NB/SB/northd files in DIR/c/ovn), DIR/TAG-hN host N's
# (TAG = basename of DIR: the env.sh cgroup parent and plugin socket names
# come from it and must not clash between parallel worlds); ovn-controller's
# files in DIR/TAG-hN/ovn, fake ports' namespaces in DIR/TAG-hN/ns/f-NAME.
# Every process started here names its directory on its command line, so
# env_cleanup (and ovn_cleanup) find them.

# shellcheck source=scripts/lib/env.sh
. "${BASH_SOURCE[0]%/*}/env.sh"

OVN_UNDERLAY=${OVN_UNDERLAY:-10.99.0}
OVN_FAKE_MTU=${OVN_FAKE_MTU:-1400}
OVN_WAIT=${OVN_WAIT:-30}
OVN_SCHEMA_DIR=${OVN_SCHEMA_DIR:-/usr/share/ovn}
OVN_DIR=${OVN_DIR:-}

ovn_init() {
    local dir=${1:-} tag
    if [ -n "$dir" ]; then
        if [ -d "$dir" ] && [ ! -e "$dir/.ovsgw-ovn" ] &&
            [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
            lib_err "$dir is not empty and not an ovsgw OVN world; refusing"
            return 1
        fi
        mkdir -p "$dir" || return 1
        dir=$(cd "$dir" && pwd) || return 1
    else
        dir=$(mktemp -d /tmp/ovsgw-ovn.XXXXXX) || return 1
    fi
    case $dir in
    /?*/?*) ;;
    *)
        lib_err "OVN_DIR=$dir: too short a path"
        return 1
        ;;
    esac
    tag=${dir##*/}
    # env.sh wants host directories ($dir/$tag-hN) of 60 bytes at most.
    if [ $((${#dir} + ${#tag} + 4)) -gt 60 ]; then
        lib_err "OVN_DIR=$dir is too long for unix socket paths"
        return 1
    fi
    : >"$dir/.ovsgw-ovn" || return 1
    export OVN_DIR=$dir
    export OVN_NB_SOCK=$dir/c/ovn/nb.sock OVN_SB_SOCK=$dir/c/ovn/sb.sock
    export OVN_NB_REMOTE=tcp:$OVN_UNDERLAY.254:6641
    export OVN_SB_REMOTE=tcp:$OVN_UNDERLAY.254:6642
    export OVN_CENTRAL_NS=$dir/c/ns/net
    lib_log "OVN world in $OVN_DIR"
}

_ovn_need_init() {
    [ -n "${OVN_DIR:-}" ] && [ -e "$OVN_DIR/.ovsgw-ovn" ] && return 0
    lib_err "ovn_init has not been called"
    return 1
}

_ovn_host_ok() {
    case ${1:-} in
    [1-9]) return 0 ;;
    esac
    lib_err "host number 1..9, not '${1:-}'"
    return 1
}

ovn_host_dir() { echo "$OVN_DIR/${OVN_DIR##*/}-h$1"; }
ovn_chassis() { echo "host$1"; }

# _ovn_attach DIR: (in a subshell) env_init private DIR with its own
# network namespace, quietly; OVN_RUNDIR (and the other OVN_*DIRs) in
# DIR/ovn.
_ovn_attach() {
    OVSGW_USE_NETNS=1
    env_init private "$1" 2>/dev/null || {
        lib_err "cannot attach to $1"
        return 1
    }
    export OVN_RUNDIR=$OVSGW_T/ovn OVN_LOGDIR=$OVSGW_T/ovn OVN_DBDIR=$OVSGW_T/ovn
    export OVN_SYSCONFDIR=$OVSGW_T/ovn
    unset OVN_NB_DB OVN_SB_DB OVN_NB_DAEMON
    mkdir -p "$OVN_RUNDIR"
}

on_host() {
    local n=$1 d
    shift
    _ovn_need_init && _ovn_host_ok "$n" || return 1
    d=$(ovn_host_dir "$n")
    [ -e "$d/.ovsgw-env" ] || {
        lib_err "host $n is not started"
        return 1
    }
    (_ovn_attach "$d" && "$@")
}

hdk() {
    local n=$1
    shift
    on_host "$n" dk "$@"
}
driver_of() { basename "$(ovn_host_dir "$1")"; }

_ovn_central() {
    _ovn_need_init || return 1
    (_ovn_attach "$OVN_DIR/c" && "$@")
}

ovn_nbctl() { ovn-nbctl --db="unix:$OVN_NB_SOCK" --timeout="$OVN_WAIT" "$@"; }
ovn_sbctl() { ovn-sbctl --db="unix:$OVN_SB_SOCK" --timeout="$OVN_WAIT" "$@"; }
ovn_trace() { ovn-trace --db="unix:$OVN_SB_SOCK" "$@"; }
ovn_appctl() {
    local n=$1
    shift
    ovn-appctl -T "$OVN_WAIT" -t "$(_ovn_ctl_path "$n")" "$@"
}
# (ovn-controller 23.03 has no --unixctl: its socket is named after its PID.)
_ovn_ctl_path() {
    local d pid
    d=$(ovn_host_dir "$1")/ovn
    pid=$(pidfile_pid "$d/ovn-controller.pid") || pid=none
    echo "$d/ovn-controller.$pid.ctl"
}

# _ovn_daemon NAME PROGRAM ARGS...: (attached) start PROGRAM --detach in
# the attached network namespace, its pid/log/ctl files
# $OVN_RUNDIR/NAME.{pid,log,ctl}, its console in NAME.console.  Nothing if
# it runs already.  (ovn-controller has no --unixctl, see _ovn_ctl_path.)
_ovn_daemon() {
    local name=$1 prog=$2 ctl=()
    shift 2
    [ -n "$(_ovn_pid "$name")" ] && return 0
    [ "$prog" = ovn-controller ] || ctl=(--unixctl="$OVN_RUNDIR/$name.ctl")
    (
        cd / && close_fds
        exec >>"$OVN_RUNDIR/$name.console" 2>&1
        exec ${OVSGW_NETNS:+nsenter --net="$OVSGW_NETNS" --} "$prog" "$@" \
            -vconsole:off -vfile:info --pidfile="$OVN_RUNDIR/$name.pid" \
            --log-file="$OVN_RUNDIR/$name.log" "${ctl[@]}" --no-chdir --detach
    ) || {
        lib_err "$name failed; see $OVN_RUNDIR/$name.log and .console"
        return 1
    }
}

# _ovn_pid NAME: (attached) the live PID of our daemon NAME, or nothing.
_ovn_pid() {
    local pid
    pid=$(pidfile_pid "$OVN_RUNDIR/$1.pid")
    pid_ours "$pid" && pid_alive "$pid" && echo "$pid"
    return 0
}

_ovn_stop() {
    local pid
    pid=$(_ovn_pid "$1")
    [ -n "$pid" ] || return 0
    kill_pid "$pid" "$OVN_RUNDIR/$1" 5
}

# ------------------------------------------------------------------ central

_ovn_db_up() {
    ovsdb-client --timeout=2 list-dbs "unix:$1" >/dev/null 2>&1
}
_ovn_northd_active() {
    ovn-appctl -T 2 -t "$OVN_RUNDIR/northd.ctl" status 2>/dev/null |
        grep -q 'Status: active'
}

_ovn_central_up() {
    local db d=$OVN_RUNDIR
    tns ip link show br-ul >/dev/null 2>&1 || {
        tns ip link add br-ul type bridge &&
            tns ip addr add "$OVN_UNDERLAY.254/24" dev br-ul &&
            tns ip link set br-ul up
    } || {
        lib_err "cannot make the underlay bridge"
        return 1
    }
    for db in nb:6641 sb:6642; do
        [ -e "$d/${db%:*}.db" ] || ovsdb-tool create "$d/${db%:*}.db" \
            "$OVN_SCHEMA_DIR/ovn-${db%:*}.ovsschema" || return 1
        _ovn_daemon "${db%:*}" ovsdb-server "$d/${db%:*}.db" \
            --remote="punix:$d/${db%:*}.sock" \
            --remote="ptcp:${db#*:}:$OVN_UNDERLAY.254" || return 1
        wait_until "$OVN_WAIT" _ovn_db_up "$d/${db%:*}.sock" || {
            lib_err "the ${db%:*} ovsdb-server does not answer"
            return 1
        }
    done
    ovn_nbctl --no-wait init && ovn_sbctl init || return 1
    _ovn_daemon northd ovn-northd --ovnnb-db="unix:$d/nb.sock" \
        --ovnsb-db="unix:$d/sb.sock" || return 1
    wait_until "$OVN_WAIT" _ovn_northd_active || {
        lib_err "ovn-northd is not active; see $d/northd.log"
        return 1
    }
}

# _ovn_need_tools PROGRAM...: each is installed, or say which package.
_ovn_need_tools() {
    local c
    for c in "$@"; do
        command -v "$c" >/dev/null && continue
        case $c in
        ovn-northd) lib_err "ovn-northd not found (apt-get install ovn-central)" ;;
        ovn-controller) lib_err "ovn-controller not found (apt-get install ovn-host)" ;;
        *) lib_err "$c not found" ;;
        esac
        return 1
    done
    [ -r "$OVN_SCHEMA_DIR/ovn-nb.ovsschema" ] || {
        lib_err "no $OVN_SCHEMA_DIR/ovn-nb.ovsschema (apt-get install ovn-central)"
        return 1
    }
}

ovn_central_start() {
    local t0=$SECONDS
    _ovn_need_tools ovn-northd ovn-nbctl ovn-sbctl ovsdb-server ovsdb-tool \
        ovsdb-client ovn-appctl || return 1
    _ovn_central _ovn_central_up || return 1
    lib_log "OVN central ready in $((SECONDS - t0))s" \
        "(NB $OVN_NB_REMOTE, SB $OVN_SB_REMOTE)"
}

# -------------------------------------------------------------------- hosts

_ovn_controller_up() {
    local n=$1 name
    name=$(ovn_chassis "$n")
    [ "$(ovn-appctl -T 2 -t "$(_ovn_ctl_path "$n")" connection-status \
        2>/dev/null)" = connected ] &&
        ovs-vsctl --timeout=2 br-exists br-int &&
        [ "$(ovn_sbctl --timeout=2 --bare --columns=name find Chassis \
            "name=$name" 2>/dev/null)" = "$name" ]
}

# (attached to host N)
_ovn_controller_run() {
    local n=$1
    _ovn_daemon ovn-controller ovn-controller "unix:$OVSDB_SOCK" || return 1
    wait_until "$OVN_WAIT" _ovn_controller_up "$n" || {
        lib_err "host $n: ovn-controller did not come up; see $OVN_RUNDIR/ovn-controller.log"
        return 1
    }
}

# (attached to host N)
_ovn_host_up() {
    local n=$1 ip=$OVN_UNDERLAY.$1
    OVSGW_TSO=${OVN_TSO:-${OVSGW_TSO:-true}} ovs_start || return 1
    if ! tns ip link show ul0 >/dev/null 2>&1; then
        tns ip link add ul0 type veth peer name "ulh$n" netns "$OVN_CENTRAL_NS" ||
            return 1
    fi
    nsenter --net="$OVN_CENTRAL_NS" ip link set "ulh$n" master br-ul up &&
        ovn_csum_off "$OVN_CENTRAL_NS" "ulh$n" || return 1
    ovs-vsctl --timeout=10 --may-exist add-br br-phy \
        -- set bridge br-phy datapath_type=netdev \
        other-config:hwaddr="02:99:00:00:00:0$n" \
        -- --may-exist add-port br-phy ul0 || return 1
    tns ip link set ul0 up &&
        tns ip addr replace "$ip/24" dev br-phy &&
        tns ip link set br-phy up || return 1
    ovs-vsctl --timeout=10 set Open_vSwitch . \
        external_ids:system-id="$(ovn_chassis "$n")" \
        external_ids:ovn-remote="$OVN_SB_REMOTE" \
        external_ids:ovn-encap-type=geneve \
        external_ids:ovn-encap-ip="$ip" \
        external_ids:ovn-bridge=br-int \
        external_ids:ovn-bridge-datapath-type=netdev || return 1
    _ovn_controller_run "$n" || return 1
    _ovn_warm_up "$n"
}

# (attached to host N) Userspace tunnelling drops the packets it has no
# next hop MAC for (tnl/neigh/show) while it ARPs, and learns a MAC only
# from an ARP reply addressed to its bridge's IP: fill both caches of each
# pair of this host and the others that run now, by ARP requests from
# either side.
_ovn_warm_up() {
    local m ns
    for m in 1 2 3 4 5 6 7 8 9; do
        [ "$m" = "$1" ] && continue
        ns=$(ovn_host_dir "$m")/ns/net
        [ -e "$ns" ] || continue
        if ! tns busybox arping -f -q -c3 -w3 -I br-phy "$OVN_UNDERLAY.$m" ||
            ! nsenter --net="$ns" busybox arping -f -q -c3 -w3 -I br-phy \
                "$OVN_UNDERLAY.$1"; then
            lib_log "host $1: no ARP answer between it and host $m"
        fi
    done
    return 0
}

ovn_host_start() {
    local n=$1 t0=$SECONDS d
    _ovn_need_init && _ovn_host_ok "$n" || return 1
    _ovn_need_tools ovn-controller busybox || return 1
    [ -e "$OVN_CENTRAL_NS" ] || {
        lib_err "ovn_central_start first"
        return 1
    }
    d=$(ovn_host_dir "$n")
    (_ovn_attach "$d" && _ovn_host_up "$n") || {
        lib_err "host $n failed; see $d/ovs and $d/ovn"
        return 1
    }
    lib_log "OVN host $n ready in $((SECONDS - t0))s ($OVN_UNDERLAY.$n, chassis $(ovn_chassis "$n"))"
}

ovn_controller_kill() {
    on_host "$1" _ovn_controller_kill9
}
_ovn_controller_kill9() {
    local pid
    pid=$(_ovn_pid ovn-controller)
    [ -n "$pid" ] || {
        lib_err "no ovn-controller of ours running"
        return 1
    }
    kill -KILL "$pid" && wait_until 5 pid_dead "$pid"
}

ovn_controller_start() {
    on_host "$1" _ovn_controller_run "$1"
}

# --------------------------------------------------------------- fake ports

# ovn_csum_off NSFILE IFACE: TX checksum offload off on IFACE (and with it
# TSO) in the network namespace NSFILE, by ethtool or, where it is missing,
# the same SIOCETHTOOL ETHTOOL_STXCSUM ioctl from python3 (which OVS and OVN
# depend on).  On OVS 3.1's userspace datapath, a packet that a veth hands
# over with its checksum left to offload is dropped at tunnel push ("Tunneling
# packets with HW offload flags is not supported", userspace-tso-enable=true)
# or goes out with a bad checksum (false): what enters a tunnel, and with
# userspace-tso-enable=false what the central sends through its veths, must
# come fully checksummed.
ovn_csum_off() {
    if command -v ethtool >/dev/null; then
        nsenter --net="$1" -- ethtool -K "$2" tx off >/dev/null && return 0
    elif nsenter --net="$1" -- python3 -c '
import ctypes, fcntl, socket, struct, sys
val = ctypes.create_string_buffer(struct.pack("II", 0x17, 0), 8)
ifr = struct.pack("16sP16x", sys.argv[1].encode(), ctypes.addressof(val))
fcntl.ioctl(socket.socket(socket.AF_INET, socket.SOCK_DGRAM), 0x8946, ifr)
' "$2"; then
        return 0
    fi
    lib_err "cannot turn TX checksum offload off on $2 (ethtool or python3)"
    return 1
}

_ovn_fake_ns() { echo "$(ovn_host_dir "$1")/ns/f-$2"; }

ovn_fake_exec() {
    local ns
    ns=$(_ovn_fake_ns "$1" "$2")
    shift 2
    [ -e "$ns" ] || {
        lib_err "no fake port $ns"
        return 1
    }
    nsenter --net="$ns" -- "$@"
}

_ovn_installed() {
    [ "$(ovs-vsctl --timeout=2 get Interface "$1" \
        external_ids:ovn-installed 2>/dev/null)" = '"true"' ]
}
ovn_port_installed() { on_host "$1" _ovn_installed "$2"; }

# (attached to host N)
_ovn_fake_up() {
    local name=$1 ls=$2 mac=$3 cidr=$4 gw=$5 ns=$OVSGW_T/ns/f-$1
    if [ ! -e "$ns" ]; then
        : >"$ns" && unshare --net="$ns" true || return 1
    fi
    tns ip link add "$name" mtu "$OVN_FAKE_MTU" type veth peer name eth0 \
        mtu "$OVN_FAKE_MTU" address "$mac" netns "$ns" || return 1
    tns ip link set "$name" up && ovn_csum_off "$ns" eth0 || return 1
    nsenter --net="$ns" -- sh -c "ip link set lo up && ip link set eth0 up &&
        ip addr add $cidr dev eth0${gw:+ && ip route add default via $gw}" ||
        return 1
    if [ "${OVN_FAKE_NB:-1}" != 0 ]; then
        ovn_nbctl --may-exist lsp-add "$ls" "$name" \
            -- lsp-set-addresses "$name" "$mac ${cidr%/*}" \
            -- lsp-set-port-security "$name" "$mac ${cidr%/*}" || return 1
    fi
    ovs-vsctl --timeout=10 --may-exist add-port br-int "$name" \
        -- set Interface "$name" external_ids:iface-id="$name" || return 1
    wait_until "$OVN_WAIT" _ovn_installed "$name" || {
        lib_err "port $name: no ovn-installed=true after ${OVN_WAIT}s"
        return 1
    }
}

ovn_fake_port() {
    local n=$1 name=$2 gw=${6:-}
    [ $# -ge 5 ] || {
        lib_err "usage: ovn_fake_port N NAME LS MAC IP/PLEN [GW]"
        return 1
    }
    [ "${#name}" -le 15 ] || {
        lib_err "port name $name: 15 characters at most (a Linux interface)"
        return 1
    }
    on_host "$n" _ovn_fake_up "$name" "$3" "$4" "$5" "$gw"
}

# (attached to host N)
_ovn_fake_down() {
    local name=$1 ns=$OVSGW_T/ns/f-$1 rc=0
    ovs-vsctl --timeout=10 --if-exists del-port br-int "$name" || rc=1
    tns ip link del "$name" 2>/dev/null
    if [ -e "$ns" ]; then
        umount "$ns" 2>/dev/null
        rm -f "$ns" || rc=1
    fi
    [ "${OVN_FAKE_NB:-1}" = 0 ] || ovn_nbctl --if-exists lsp-del "$name" || rc=1
    return $rc
}

ovn_fake_del() {
    on_host "$1" _ovn_fake_down "$2"
}

# ------------------------------------------------------------------ the end

ovn_leftovers() {
    [ -n "${OVN_DIR:-}" ] || return 0
    (
        ENV_PROFILE=private OVSGW_T=$OVN_DIR OVSGW_CGROUP=""
        env_leftovers
    )
}

# (attached) stop the daemons of this directory, then env_cleanup.
_ovn_env_stop() {
    local name
    for name in ovn-controller northd nb sb; do
        _ovn_stop "$name"
    done
    env_cleanup
}

ovn_cleanup() {
    local rc=0 d p
    [ -n "${OVN_DIR:-}" ] && [ -d "$OVN_DIR" ] || return 0
    if [ ! -e "$OVN_DIR/.ovsgw-ovn" ]; then
        lib_err "not cleaning $OVN_DIR: no .ovsgw-ovn marker"
        return 1
    fi
    for d in "$OVN_DIR"/*-h[1-9] "$OVN_DIR/c"; do
        [ -e "$d/.ovsgw-env" ] || continue
        (_ovn_attach "$d" && _ovn_env_stop) || rc=1
    done
    # Anything left that names the world (a half-made host, a process
    # started by hand).
    (
        ENV_PROFILE=private OVSGW_T=$OVN_DIR
        for p in $(_env_our_pids); do
            kill_pid "$p" "" 5
        done
        _env_umount_under "$OVN_DIR"
    ) || rc=1
    ovn_leftovers >&2 || rc=1
    if [ -z "$(ENV_PROFILE=private OVSGW_T=$OVN_DIR _env_our_mounts)" ]; then
        rm -rf --one-file-system "$OVN_DIR" || rc=1
    else
        lib_err "not removing $OVN_DIR: still mounted"
        rc=1
    fi
    return $rc
}
