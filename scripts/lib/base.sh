# shellcheck shell=bash
# scripts/lib/base.sh - the bottom of the shell library: logging, waiting,
# processes.  Sourced by every other file of scripts/lib (twice is
# harmless); defines functions and a few variables, runs nothing.
#
#   lib_log MSG / lib_err MSG   a timestamped line on stderr
#                               ([$LIB_LOG_TAG HH:MM:SS] MSG)
#   die MSG                     lib_err, then exit 1
#   need_root SCRIPT TARGET     exit 1 unless root, saying `sudo make TARGET`
#   wait_until SECONDS CMD...   poll CMD every 0.1 s until it succeeds
#   pid_alive PID / pid_dead PID   exists and is not a zombie / the opposite
#   pidfile_pid FILE            the PID a pidfile names
#   pid_cmdline PID             its command line, arguments joined by spaces
#   close_fds                   close every file descriptor above 2 (in the
#                               subshell that then execs a daemon)
#   kill_pid PID NAME [SECONDS] TERM, wait, KILL; see below for whose PIDs
#   dk ARGS...                  "$DOCKER" ARGS (the engine's own client)

# shellcheck disable=SC2034  # LIB_TOP and ENV_STARTED are for the other files
LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LIB_TOP=$(cd "$LIB_DIR/../.." && pwd)
LIB_LOG_TAG=${LIB_LOG_TAG:-}
ENV_PROFILE=${ENV_PROFILE:-}
# system profile (env.sh): role (ovsdb-server, ovs-vswitchd, dockerd,
# containerd) -> PID of what this shell started.
declare -gA ENV_STARTED

lib_log() { printf '[%s%s] %s\n' "${LIB_LOG_TAG:+$LIB_LOG_TAG }" "$(date +%T)" "$*" >&2; }
lib_err() { lib_log "ERROR: $*"; }
die() {
    lib_err "$*"
    exit 1
}

need_root() {
    if [ "$(id -u)" -ne 0 ]; then
        echo "$1 needs root: it starts Open vSwitch, Docker and the ovsgw daemon" \
            "and creates bridges and veths.  Run: sudo make ${2:-${1##*/}}" >&2
        exit 1
    fi
}

wait_until() {
    local t=$1 i=0
    shift
    while ! "$@" >/dev/null 2>&1; do
        i=$((i + 1))
        [ "$i" -ge $((t * 10)) ] && return 1
        sleep 0.1
    done
    return 0
}

# (PID 1 on some hosts reaps orphans lazily: `kill -0` is true for a dead
# daemon for a while.)
pid_alive() {
    local st
    [ -n "${1:-}" ] || return 1
    st=$(sed -n 's/^.*) \(.\) .*$/\1/p' "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}
pid_dead() { ! pid_alive "$1"; }
pidfile_pid() { [ -r "$1" ] && tr -d ' \n' <"$1"; }
pid_cmdline() { tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline"; }

# Daemons inherit no file descriptor above 2: demo.sh keeps its terminal in
# 8 and 9, and a caller's pipe would keep a "| tee" waiting.
close_fds() {
    local f
    for f in "/proc/$BASHPID/fd/"*; do
        f=${f##*/}
        [ "$f" -gt 2 ] 2>/dev/null && eval "exec $f>&-"
    done
    return 0
}

# kill_pid PID NAME [SECONDS]: only while PID's command line contains NAME
# (it may have exited and its number been reused) and, in the private
# profile, names $OVSGW_T (see env.sh); the caller chooses the PID, by
# pidfile or $!, never by name.  Status 1 if it refused or PID survived.
kill_pid() {
    local pid=$1 name=$2 t=${3:-10} cmd
    pid_alive "$pid" || return 0
    cmd=" $(pid_cmdline "$pid")"
    if [[ $cmd != *"$name"* ]]; then
        lib_err "pid $pid is no longer $name, not killing it"
        return 1
    fi
    if [ "${ENV_PROFILE:-}" = private ]; then
        case ${OVSGW_T:-} in /?*/?*) ;; *) return 1 ;; esac
        if [[ $cmd != *"$OVSGW_T/"* ]]; then
            lib_err "pid $pid is not ours (no $OVSGW_T/ in its command line), not killing it"
            return 1
        fi
    fi
    kill -TERM "$pid" 2>/dev/null
    wait_until "$t" pid_dead "$pid" && return 0
    lib_log "${name:-pid} $pid did not exit on TERM, sending KILL"
    kill -KILL "$pid" 2>/dev/null
    wait_until 5 pid_dead "$pid"
}

dk() { "$DOCKER" "$@"; }
