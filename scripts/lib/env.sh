# shellcheck shell=bash
# scripts/lib/env.sh - the Open vSwitch, Docker and ovsgw instances that
# `make demo`, `make run`, the integration tests and the benchmarks run
# against, in one of two profiles:
#
#   system   the system's Open vSwitch (/var/run/openvswitch) and Docker
#            engine (/var/run/docker.sock): used when they answer, started
#            otherwise; the daemon serves /run/docker/plugins/ovsgw.sock.
#            Stops only what it started (remembered by PID in ENV_STARTED),
#            and undoes the host network changes of a dockerd it started.
#   private  an ovsdb-server/ovs-vswitchd, containerd and dockerd of their
#            own under one directory $OVSGW_T (a fresh
#            mktemp -d /tmp/ovsgw-t.XXXXXX unless given), with OVSGW_USE_NETNS=1
#            in a network namespace of their own.  Never touches a system
#            OVS or Docker; runs twice in a row, or in parallel.
#
# Source it (it defines functions and defaults, runs nothing), then:
#   env_init system | env_init private [DIR]
#   ovs_start              ovsdb-server + ovs-vswitchd (ovs.sh)
#   docker_start           (containerd +) dockerd (docker.sh)
#   image_build [NAME]     the busybox + udpcat image (docker.sh)
#   start_ovsgw [ARGS...]  the daemon (ovsgw.sh)
#   tns CMD...             CMD in the network namespace of the daemons
#   env_cleanup            stop what was started, in reverse order; private:
#                          also unmount and remove $OVSGW_T (idempotent)
#   env_leftovers          what is still running (or mounted) of ours;
#                          status 1 if anything
#   env_started_summary    system: how to stop, by hand, what was started
#
# Set by env_init, both profiles:
#   OVS_RUNDIR, OVS_DBDIR, OVS_LOGDIR, OVSDB_SOCK   where OVS lives
#   DOCKER (/usr/bin/docker: use "$DOCKER" or dk), DOCKER_HOST, DOCKERD_LOG
#   OVSGW_SOCK, OVSGW_LOG  the daemon's socket and log
# private only:
#   OVSGW_T, OVSGW_NETNS (nsfs file, "" without a netns), OVSGW_USE_NETNS,
#   OVS_SYSCONFDIR, DOCKER_CONFIG, OVSGW_CGROUP (the containers' cgroup
#   parent)
#
# Tunables (set before the call that reads them):
#   OVSGW_BIN, OVSGW_UDPCAT  the daemon and udpcat [build/ovsgw, build/udpcat]
#   OVSGW_USE_NETNS=1        private: own network namespace [0]
#   OVSGW_DATAPATH           datapath_type of the bridges the library makes
#                            itself (the self check) [netdev]
#   OVSGW_TSO                other_config:userspace-tso-enable, read by
#                            ovs-vswitchd at start only [true]
#   OVSGW_STORAGE_DRIVER     private: force one storage driver [overlay2, then vfs]
#   OVSGW_DOCKER_LOGLEVEL    private: dockerd --log-level [info]
#   OVSGW_LOG_LEVEL          the daemon's --log-level [its default]
#   OVSGW_START_TIMEOUT      seconds the daemon has to answer [10]
#   OVSGW_KEEP=1             private: env_cleanup keeps $OVSGW_T
#   OVSGW_LOG                system: the daemon's log [/var/log/ovsgw.log]
#
# Processes are told apart by PID (pidfile or $!), never by name: other
# OVS and dockerd instances (other private environments) may run at the
# same time.

# shellcheck source=scripts/lib/base.sh
. "${BASH_SOURCE[0]%/*}/base.sh"
# shellcheck source=scripts/lib/ovs.sh
. "$LIB_DIR/ovs.sh"
# shellcheck source=scripts/lib/docker.sh
. "$LIB_DIR/docker.sh"
# shellcheck source=scripts/lib/ovsgw.sh
. "$LIB_DIR/ovsgw.sh"

env_init() {
    case ${1:-} in
    system) _env_init_system ;;
    private) _env_init_private "${2:-${OVSGW_T:-}}" ;;
    *)
        lib_err "env_init: want system or private, not '${1:-}'"
        return 1
        ;;
    esac
}

_env_init_system() {
    ENV_PROFILE=system
    LIB_LOG_TAG=""
    # The standard paths, whatever the caller's environment says.
    export OVS_RUNDIR=/var/run/openvswitch
    export OVS_DBDIR=/etc/openvswitch
    export OVS_LOGDIR=/var/log/openvswitch
    unset OVS_SYSCONFDIR OVS_PKGDATADIR OVS_BINDIR OVS_SBINDIR OVS_DB OVS_CTL_OPTS
    OVSDB_SOCK=$OVS_RUNDIR/db.sock
    OVS_VLOG=(-vconsole:emer -vsyslog:err -vfile:info)
    OVS_DB_REMOTES=("--remote=db:Open_vSwitch,Open_vSwitch,manager_options")
    OVS_CONSOLE=""
    # The engine's own client (/usr/local/bin/docker may be a newer one).
    DOCKER=/usr/bin/docker
    export DOCKER_HOST=unix:///var/run/docker.sock
    unset DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH
    DOCKER_PIDFILE=/var/run/docker.pid
    DOCKERD_LOG=/var/log/ovsgw-dockerd.log
    OVSGW_SOCK=/run/docker/plugins/ovsgw.sock
    OVSGW_LOG=${OVSGW_LOG:-/var/log/ovsgw.log}
    OVSGW_NETNS=""
}

_env_init_private() {
    local dir=$1
    ENV_PROFILE=private
    LIB_LOG_TAG="env"
    if [ -n "$dir" ]; then
        # env_cleanup does rm -rf $OVSGW_T: only take an empty directory or
        # one made by env_init (marker file).
        if [ -d "$dir" ] && [ ! -e "$dir/.ovsgw-env" ] &&
            [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
            lib_err "$dir is not empty and not an ovsgw test dir; refusing"
            return 1
        fi
        mkdir -p "$dir" || return 1
        OVSGW_T=$(cd "$dir" && pwd) || return 1
    else
        OVSGW_T=$(mktemp -d /tmp/ovsgw-t.XXXXXX) || return 1
    fi
    case $OVSGW_T in
    /?*/?*) ;;
    *)
        lib_err "OVSGW_T=$OVSGW_T: too short a path"
        return 1
        ;;
    esac
    : >"$OVSGW_T/.ovsgw-env"
    export OVSGW_T
    # AF_UNIX paths are limited to 107 bytes; the deepest one is about
    # $OVSGW_T/containerd/containerd.sock.ttrpc.
    if [ "${#OVSGW_T}" -gt 60 ]; then
        lib_err "OVSGW_T=$OVSGW_T is too long for unix socket paths"
        return 1
    fi
    mkdir -p "$OVSGW_T"/{ovs/etc,docker,containerd,docker-cli,ns} || return 1

    export OVS_RUNDIR="$OVSGW_T/ovs"
    export OVS_DBDIR="$OVSGW_T/ovs"
    export OVS_LOGDIR="$OVSGW_T/ovs"
    export OVS_SYSCONFDIR="$OVSGW_T/ovs/etc"
    export OVSDB_SOCK="$OVSGW_T/ovs/db.sock"
    OVS_VLOG=(-vconsole:off)
    OVS_DB_REMOTES=()
    OVS_CONSOLE=$OVS_LOGDIR
    export DOCKER_HOST="unix://$OVSGW_T/docker.sock"
    export DOCKER=/usr/bin/docker
    export DOCKER_CONFIG="$OVSGW_T/docker-cli"
    unset DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH
    DOCKER_PIDFILE=$OVSGW_T/docker/dockerd.pid
    DOCKERD_LOG=$OVSGW_T/dockerd.log
    export OVSGW_CGROUP
    OVSGW_CGROUP=$(basename "$OVSGW_T")
    OVSGW_SOCK=/run/docker/plugins/$OVSGW_CGROUP.sock
    OVSGW_LOG=$OVSGW_T/ovsgw.log

    export OVSGW_NETNS=""
    export OVSGW_USE_NETNS=${OVSGW_USE_NETNS:-0}
    if [ "$OVSGW_USE_NETNS" != 0 ]; then
        if [ ! -e "$OVSGW_T/ns/net" ] || ! nsenter --net="$OVSGW_T/ns/net" true 2>/dev/null; then
            # A private bind mount so that the nsfs bind mount below works
            # even when / is a shared mount (systemd hosts).
            if ! _env_our_mounts | grep -qx "$OVSGW_T/ns" &&
                ! { mount --bind "$OVSGW_T/ns" "$OVSGW_T/ns" &&
                    mount --make-private "$OVSGW_T/ns"; }; then
                lib_err "cannot make $OVSGW_T/ns a private mount"
                return 1
            fi
            : >"$OVSGW_T/ns/net"
            unshare --net="$OVSGW_T/ns/net" true || {
                lib_err "cannot create network namespace"
                return 1
            }
        fi
        OVSGW_NETNS="$OVSGW_T/ns/net"
        nsenter --net="$OVSGW_NETNS" ip link set lo up
    fi
    lib_log "OVSGW_T=$OVSGW_T netns=${OVSGW_NETNS:-none (caller netns)}"
}

_env_need_init() {
    case $ENV_PROFILE in
    system) return 0 ;;
    private) [ -n "${OVSGW_T:-}" ] && [ -d "$OVSGW_T" ] && return 0 ;;
    esac
    lib_err "env_init has not been called"
    return 1
}

# Run a command in the daemons' network namespace.
tns() {
    if [ -n "${OVSGW_NETNS:-}" ]; then
        nsenter --net="$OVSGW_NETNS" -- "$@"
    else
        "$@"
    fi
}

# private: is PID one of ours (its command line names $OVSGW_T/)?  (The
# system profile keeps the PIDs it started in ENV_STARTED instead.)
pid_ours() {
    [ -n "${1:-}" ] || return 1
    case ${OVSGW_T:-} in /?*/?*) ;; *) return 1 ;; esac
    [[ " $(pid_cmdline "$1")" == *"$OVSGW_T/"* ]]
}

# ------------------------------------------------- private: processes, mounts

# PIDs of live processes whose command line mentions $OVSGW_T/ (not this
# shell).  With a PATTERN, only those whose command line also contains it.
_env_our_pids() {
    local f p
    case ${OVSGW_T:-} in /?*/?*) ;; *) return 0 ;; esac
    # Pattern via -f <(...): grep must not match its own command line.
    while read -r f; do
        p=${f#/proc/}
        p=${p%/cmdline}
        if [ "$p" = "$$" ] || [ "$p" = "${BASHPID:-}" ]; then
            continue
        fi
        if [ -n "${1:-}" ]; then
            [[ " $(pid_cmdline "$p")" == *"$1"* ]] || continue
        fi
        pid_alive "$p" && echo "$p"
    done < <(grep -lsaF -f <(printf '%s/\n' "$OVSGW_T") /proc/[0-9]*/cmdline)
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
                lib_err "cannot unmount $m"
        done < <(_env_our_mounts)
        _env_our_mounts | grep -q -e "^$prefix\$" -e "^$prefix/" || return 0
    done
    return 1
}

# ------------------------------------------------------------------ the end

# Print what is still running (or mounted) of ours; status 1 if anything.
env_leftovers() {
    local bad=0 p out
    case $ENV_PROFILE in
    system)
        for p in "${ENV_STARTED[@]}" "${OVSGW_PID:-}"; do
            pid_alive "$p" && { echo "still running: $p $(pid_cmdline "$p")"; bad=1; }
        done
        ;;
    private)
        [ -n "${OVSGW_T:-}" ] || return 0
        for p in $(_env_our_pids) $(_env_cgroup_pids); do
            echo "leftover process: $p $(pid_cmdline "$p")"
            bad=1
        done
        out=$(_env_our_mounts)
        if [ -n "$out" ]; then
            echo "leftover mounts:"
            echo "$out"
            bad=1
        fi
        ;;
    esac
    return $bad
}

env_cleanup() {
    local rc=0 p
    case $ENV_PROFILE in
    system)
        stop_ovsgw
        docker_stop || rc=1
        ovs_stop || rc=1
        return $rc
        ;;
    private) [ -n "${OVSGW_T:-}" ] && [ -d "$OVSGW_T" ] || return 0 ;;
    *) return 0 ;;
    esac
    stop_ovsgw
    docker_stop || rc=1
    ovs_stop || rc=1
    for p in $(_env_our_pids); do
        kill_pid "$p" "" 5 || rc=1
    done
    # Unmount everything below $OVSGW_T, including the netns file: the
    # namespace and all interfaces in it (OVS taps, veths) go away with it.
    _env_umount_under "$OVSGW_T" || rc=1
    if env_leftovers >&2; then :; else rc=1; fi
    if [ "${OVSGW_KEEP:-0}" = 1 ]; then
        lib_log "keeping $OVSGW_T (OVSGW_KEEP=1)"
        return $rc
    fi
    if [ ! -e "$OVSGW_T/.ovsgw-env" ]; then
        lib_err "not removing $OVSGW_T: no .ovsgw-env marker"
        rc=1
    elif [ -z "$(_env_our_mounts)" ]; then
        rm -rf --one-file-system "$OVSGW_T" || rc=1
    else
        lib_err "not removing $OVSGW_T: still mounted"
        rc=1
    fi
    return $rc
}

# system: how to stop, by hand and in this order, the daemons this shell
# started (status 1 if none).
_env_hint() { printf "  %-62s # %s\n" "$1" "$2"; }
env_started_summary() {
    local any=0 d=${ENV_STARTED[dockerd]:-} c=${ENV_STARTED[containerd]:-}
    if [ -n "${OVSGW_PID:-}" ]; then
        _env_hint "kill $OVSGW_PID" "ovsgw"
        any=1
    fi
    if [ -n "$d" ]; then
        _env_hint "kill $d && tail --pid=$d -f /dev/null" \
            "dockerd${c:+ (stops its containerd $c)}"
        if [ -n "$ENV_DOCKER_NET_PRE" ]; then
            _env_hint "bash -c '. $LIB_DIR/env.sh && docker_undo_net $ENV_DOCKER_NET_PRE'" \
                "undo its docker0/iptables/ip_forward setup"
        fi
        any=1
    fi
    if [ -n "${ENV_STARTED[ovs-vswitchd]:-}" ]; then
        _env_hint "ovs-appctl -t ovs-vswitchd exit --cleanup" \
            "ovs-vswitchd ${ENV_STARTED[ovs-vswitchd]}"
        any=1
    fi
    case $ENV_TSO_RESTORE in
    "") ;;
    -) _env_hint "ovs-vsctl --no-wait remove Open_vSwitch . other_config userspace-tso-enable" \
        "(was unset)" ;;
    *) _env_hint "ovs-vsctl --no-wait set Open_vSwitch . other_config:userspace-tso-enable=$ENV_TSO_RESTORE" \
        "(was $ENV_TSO_RESTORE)" ;;
    esac
    if [ -n "${ENV_STARTED[ovsdb-server]:-}" ]; then
        _env_hint "ovs-appctl -t ovsdb-server exit" "ovsdb-server ${ENV_STARTED[ovsdb-server]}"
        any=1
    fi
    [ $any = 1 ]
}
