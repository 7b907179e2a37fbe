# shellcheck shell=bash
# scripts/lib/ovsgw.sh - the ovsgw daemon ($OVSGW_BIN) on $OVSGW_SOCK, in
# the profile that env_init chose (see env.sh).  Sourced by env.sh.
#
#   start_ovsgw [ARGS...]  the daemon in the background (ARGS after the
#                          profile's: private --ovsdb/--ovs-rundir of its
#                          OVS; --log-level $OVSGW_LOG_LEVEL if set), ready
#                          when it answers Plugin.Activate; a live ovsgw
#                          already serving the socket is used instead.
#                          Sets OVSGW_PID.
#   stop_ovsgw             TERM (then KILL) the one we started; its stale
#                          socket goes
#   kill_ovsgw             kill -9, as a crash would (the socket stays)
#   revive_ovsgw           start it again, same ARGS, if it has died
#   ovsgw_spawn PIDVAR SOCK LOG [ARGS...]   another daemon on SOCK; its
#                          PID in the variable PIDVAR
#   ovsgw_sock_live SOCK   a live server answers on SOCK
#
# Set: OVSGW_PID, OVSGW_LOGLINE (its first line in $OVSGW_LOG),
# ENV_OVSGW_STATUS (a line for a report).
# shellcheck disable=SC2034  # ENV_OVSGW_STATUS is read by demo.sh

# shellcheck source=scripts/lib/base.sh
. "${BASH_SOURCE[0]%/*}/base.sh"

OVSGW_BIN=${OVSGW_BIN:-$LIB_TOP/build/ovsgw}
OVSGW_PID=""
OVSGW_ARGS=()
OVSGW_LOGLINE=1
OVSGW_SOCK_OURS=0
ENV_OVSGW_STATUS=""

ovsgw_sock_live() {
    [ -S "$1" ] && curl -s -m 3 --unix-socket "$1" -X POST http://ovsgw/Plugin.Activate >/dev/null
}

_ovsgw_ready() { pid_dead "$1" || ovsgw_sock_live "$2"; }

ovsgw_spawn() {
    local var=$1 sock=$2 log=$3 pid
    shift 3
    local args=(--socket "$sock")
    [ "$ENV_PROFILE" = private ] &&
        args+=(--ovsdb "unix:$OVSDB_SOCK" --ovs-rundir "$OVS_RUNDIR")
    [ -x "$OVSGW_BIN" ] || { lib_err "$OVSGW_BIN missing: run make"; return 1; }
    mkdir -p "$(dirname "$sock")" "$(dirname "$log")"
    # setsid: out of the terminal's process group, so that a Ctrl-C meant
    # for the script does not stop ovsgw before the cleanup has used it.
    # (No job control in scripts: setsid and nsenter exec, $! is ovsgw.)
    (close_fds && exec setsid ${OVSGW_NETNS:+nsenter --net="$OVSGW_NETNS" --} \
        "$OVSGW_BIN" "${args[@]}" "$@") </dev/null >>"$log" 2>&1 &
    pid=$!
    printf -v "$var" %s "$pid"
    # It restores every network and endpoint from OVSDB before it
    # listens: seconds with 1000 endpoints.
    wait_until "${OVSGW_START_TIMEOUT:-10}" _ovsgw_ready "$pid" "$sock" && pid_alive "$pid"
}

start_ovsgw() {
    local a prev="" sock=$OVSGW_SOCK
    for a in "$@"; do
        case $prev in --socket) sock=$a ;; esac
        case $a in --socket=*) sock=${a#--socket=} ;; esac
        prev=$a
    done
    OVSGW_SOCK=$sock
    if ovsgw_sock_live "$sock"; then
        ENV_OVSGW_STATUS="already running on $sock"
        lib_log "ovsgw: a live ovsgw already serves $sock; using it${1:+ (ignoring $*)}"
        return 0
    fi
    mkdir -p "$(dirname "$OVSGW_LOG")"
    printf '\n=== %s %s %s\n' "$(date '+%F %T')" "$OVSGW_BIN" "$*" >>"$OVSGW_LOG"
    OVSGW_LOGLINE=$(($(wc -l <"$OVSGW_LOG") + 1))
    OVSGW_SOCK_OURS=1
    if ! ovsgw_spawn OVSGW_PID "$sock" "$OVSGW_LOG" \
        ${OVSGW_LOG_LEVEL:+--log-level "$OVSGW_LOG_LEVEL"} "$@"; then
        kill_ovsgw
        if tail -n 3 "$OVSGW_LOG" | grep -q 'Address already in use' &&
            ovsgw_sock_live "$sock"; then
            OVSGW_SOCK_OURS=0
            ENV_OVSGW_STATUS="already running on $sock"
            lib_log "ovsgw: another ovsgw already serves $sock; using it"
            return 0
        fi
        lib_err "ovsgw did not start; last lines of $OVSGW_LOG:"
        tail -n 10 "$OVSGW_LOG" | sed 's/^/    /' >&2
        return 1
    fi
    [ "$(readlink "/proc/$OVSGW_PID/exe")" = "$(readlink -f "$OVSGW_BIN")" ] ||
        lib_log "warning: pid $OVSGW_PID is not $OVSGW_BIN"
    OVSGW_ARGS=("$@")
    ENV_OVSGW_STATUS="started by this script (pid $OVSGW_PID, log $OVSGW_LOG)"
    lib_log "ovsgw: serving $sock (pid $OVSGW_PID, log $OVSGW_LOG)"
}

stop_ovsgw() {
    if [ -n "$OVSGW_PID" ]; then
        kill_pid "$OVSGW_PID" ovsgw 10
        wait "$OVSGW_PID" 2>/dev/null
        lib_log "stopped ovsgw ($OVSGW_PID)"
        OVSGW_PID=""
    fi
    if [ "$OVSGW_SOCK_OURS" = 1 ] && ! ovsgw_sock_live "$OVSGW_SOCK"; then
        rm -f "$OVSGW_SOCK"
    fi
    return 0
}

kill_ovsgw() {
    [ -n "$OVSGW_PID" ] || return 0
    kill -KILL "$OVSGW_PID" 2>/dev/null
    wait "$OVSGW_PID" 2>/dev/null
    OVSGW_PID=""
}

# Docker needs the driver to remove its containers and networks.
revive_ovsgw() {
    [ -n "$OVSGW_PID" ] || return 0
    pid_alive "$OVSGW_PID" && return 0
    lib_log "ovsgw ($OVSGW_PID) is gone; starting it again for the cleanup"
    wait "$OVSGW_PID" 2>/dev/null
    OVSGW_PID=""
    start_ovsgw "${OVSGW_ARGS[@]}"
}
