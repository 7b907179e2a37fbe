# shellcheck shell=bash
# scripts/lib/docker.sh - the Docker engine in the profile that env_init
# chose (see env.sh), and the busybox image.  Sourced by env.sh.
#
#   docker_start       system: use the engine at /var/run/docker.sock, or
#                      start dockerd with its default options (falling back
#                      to --iptables=false --bridge=none if those fail);
#                      private: our containerd, then dockerd with its own
#                      data-root, exec-root, socket and cgroup parent, in
#                      the private netns with its default network options
#                      (iptables, docker0, ip_forward: all in that netns)
#                      (overlay2, else vfs)
#   docker_stop        stop the dockerd we started and its containerd and
#                      shims; system: undo its host network changes;
#                      private: remove every container first, unmount
#   dockerd_pid        PID of our dockerd
#   docker_undo_net DIR   system: undo what a dockerd changed in the host
#                      network since the snapshot in DIR; removes DIR
#   image_build [NAME] docker image NAME [$OVSGW_IMAGE: ovsgw-busybox]:
#                      Debian's static busybox with its applets, a minimal
#                      /etc, $OVSGW_UDPCAT (UDP, which busybox nc lacks)
#                      $OVSGW_TCPCAT (TCP transfers with a content check:
#                      busybox nc cuts them short) and $OVSGW_NDSEND
#                      (forged neighbor discovery)
#
# Set: ENV_DOCKER_STATUS (a line for a report), ENV_DOCKER_NET_PRE (system:
# the snapshot directory), OVSGW_DOCKER_STORAGE (storage driver),
# OVSGW_BB_APPLETS (the test applets the image has).
# shellcheck disable=SC2034  # ENV_DOCKER_STATUS is read by demo.sh and run.sh

# shellcheck source=scripts/lib/base.sh
. "${BASH_SOURCE[0]%/*}/base.sh"

OVSGW_UDPCAT=${OVSGW_UDPCAT:-$LIB_TOP/build/udpcat}
OVSGW_TCPCAT=${OVSGW_TCPCAT:-$LIB_TOP/build/tcpcat}
OVSGW_NDSEND=${OVSGW_NDSEND:-$LIB_TOP/build/ndsend}
# The tools in the image, as its label: an image with others is rebuilt.
OVSGW_IMAGE_TOOLS=udpcat,tcpcat,ndsend
# Not from the environment: compose examples use OVSGW_IMAGE for their own
# image, and the system profile must not overwrite a tag of the user.
OVSGW_IMAGE=ovsgw-busybox
ENV_DOCKER_STATUS=""
ENV_DOCKER_NET_PRE=""

docker_up() { timeout 10 "$DOCKER" version --format '{{.Server.Version}}' >/dev/null 2>&1; }

# PID of our live dockerd: system: the one we started; private: its
# pidfile's or (early or failed start) the one whose command line is ours.
dockerd_pid() {
    local pid
    if [ "$ENV_PROFILE" = system ]; then
        pid=${ENV_STARTED[dockerd]:-}
        pid_alive "$pid" && echo "$pid"
        return 0
    fi
    pid=$(pidfile_pid "$DOCKER_PIDFILE")
    if pid_alive "$pid" && pid_ours "$pid"; then
        echo "$pid"
        return 0
    fi
    _env_our_pids "dockerd --config-file $OVSGW_T/docker/daemon.json" | head -n1
}

# PID of the containerd of our dockerd: private: the one we started for
# it; system: the one a dockerd we started started itself (none when it
# uses the system's containerd).
_containerd_pid() {
    local p f
    if [ "$ENV_PROFILE" = private ]; then
        p=$(pidfile_pid "$OVSGW_T/containerd/containerd.pid")
        pid_alive "$p" && pid_ours "$p" && echo "$p"
        return 0
    fi
    [ -n "${ENV_STARTED[dockerd]:-}" ] || return 0
    for f in /var/run/docker/containerd/containerd.pid /run/docker/containerd/containerd.pid; do
        p=$(pidfile_pid "$f") || continue
        pid_alive "$p" || continue
        [ "$(awk '{print $4}' "/proc/$p/stat" 2>/dev/null)" = "${ENV_STARTED[dockerd]}" ] &&
            { echo "$p"; return 0; }
    done
    return 0
}

# Shims (and their runc) of our containerd: their command lines name its
# socket.
_shim_pids() {
    local f p
    if [ "$ENV_PROFILE" = private ]; then
        for p in $(_env_our_pids); do
            case " $(pid_cmdline "$p")" in
            *containerd* | *dockerd* | *runc*) echo "$p" ;;
            esac
        done
        return 0
    fi
    while read -r f; do
        p=${f#/proc/}
        p=${p%/cmdline}
        case " $(pid_cmdline "$p")" in
        *containerd-shim*" -address /var/run/docker/containerd/containerd.sock"* | \
            *containerd-shim*" -address /run/docker/containerd/containerd.sock"*)
            echo "$p" ;;
        esac
    done < <(grep -lsaF /docker/containerd/containerd.sock /proc/[0-9]*/cmdline)
}

# private: dockerd 20.10 uses the system containerd whenever
# /run/containerd/containerd.sock exists, and otherwise starts one itself.
# To be independent of that, run our own and pass --containerd.
_containerd_start() {
    local c=$OVSGW_T/containerd
    [ -n "$(_containerd_pid)" ] && return 0
    mkdir -p "$c/root" "$c/state"
    cat >"$c/config.toml" <<EOF
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
    (cd / && close_fds && exec setsid ${OVSGW_NETNS:+nsenter --net="$OVSGW_NETNS" --} \
        containerd --config "$c/config.toml" </dev/null >"$c/containerd.log" 2>&1) &
    if ! wait_until 20 test -S "$c/containerd.sock"; then
        lib_err "containerd did not start, see $c/containerd.log"
        return 1
    fi
    # Not $!: setsid forks when it is a process group leader (job control).
    _env_our_pids "containerd --config $c/config.toml" | head -n1 >"$c/containerd.pid"
}

# The host network state a dockerd with default options changes: the
# docker0 bridge, iptables chains and rules, ip_forward, FORWARD's policy.
_net_snapshot() {
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
    return 0
}

docker_undo_net() {
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
                # shellcheck disable=SC2086  # the rule's words
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

_dockerd_up_or_dead() { docker_up || [ -z "$(dockerd_pid)" ]; }

# _dockerd_try DESCRIPTION DOCKERD-OPTIONS...: start dockerd, wait until it
# answers (status 0) or dies (status 1: it is stopped and its traces are
# undone).
_dockerd_try() {
    local what=$1
    shift
    printf '\n=== %s ovsgw: dockerd (%s) %s\n' "$(date '+%F %T')" "$what" "$*" >>"$DOCKERD_LOG"
    # A dockerd killed with -9 leaves its pidfile, and dockerd refuses to
    # start while the PID in it exists, even as an unreaped zombie.
    if [ "$ENV_PROFILE" = private ] && [ -e "$DOCKER_PIDFILE" ] &&
        pid_dead "$(pidfile_pid "$DOCKER_PIDFILE")"; then
        rm -f "$DOCKER_PIDFILE"
    fi
    if [ "$ENV_PROFILE" = system ]; then
        ENV_DOCKER_NET_PRE=$(mktemp -d /tmp/ovsgw-sys-net.XXXXXX)
        _net_snapshot "$ENV_DOCKER_NET_PRE"
    fi
    # setsid: not in the terminal's process group, so a Ctrl-C meant for
    # the script does not hit it.  (No job control here: $! is dockerd.)
    (cd / && close_fds && exec setsid ${OVSGW_NETNS:+nsenter --net="$OVSGW_NETNS" --} \
        dockerd "$@" </dev/null >>"$DOCKERD_LOG" 2>&1) &
    [ "$ENV_PROFILE" = system ] && ENV_STARTED[dockerd]=$!
    wait_until 60 _dockerd_up_or_dead
    if docker_up && [ -n "$(dockerd_pid)" ]; then
        [ "$(pidfile_pid "$DOCKER_PIDFILE")" = "$(dockerd_pid)" ] ||
            lib_log "note: $DOCKER_PIDFILE does not name dockerd $(dockerd_pid)"
        return 0
    fi
    lib_log "dockerd ($what) did not come up; last lines of $DOCKERD_LOG:"
    tail -n 6 "$DOCKERD_LOG" | cut -c1-240 | sed 's/^/    /' >&2
    if [ "$ENV_PROFILE" = system ]; then
        docker_stop
    else
        # Our containerd stays for the next attempt.
        kill_pid "$(dockerd_pid)" dockerd 10
        _env_umount_under "$OVSGW_T/docker"
    fi
    return 1
}

docker_start() {
    local t0=$SECONDS pid attempts=() a extra base=() ok=0
    _env_need_init || return 1
    if docker_up; then
        [ "$ENV_PROFILE" = private ] && return 0
        ENV_DOCKER_STATUS="already running ($("$DOCKER" version --format '{{.Server.Version}}' 2>/dev/null))"
        lib_log "Docker: using the engine at ${DOCKER_HOST#unix://}"
        return 0
    fi
    if [ "$ENV_PROFILE" = system ]; then
        command -v dockerd >/dev/null || { lib_err "dockerd not found (apt-get install docker.io)"; return 1; }
        [ -x "$DOCKER" ] || { lib_err "$DOCKER not found (apt-get install docker.io)"; return 1; }
        pid=$(pidfile_pid "$DOCKER_PIDFILE")
        if pid_alive "$pid" && [[ $(pid_cmdline "$pid") == *dockerd* ]]; then
            lib_log "Docker: dockerd $pid is running but not answering yet; waiting"
            wait_until 60 docker_up || {
                lib_err "dockerd $pid does not answer on ${DOCKER_HOST#unix://}"
                return 1
            }
            ENV_DOCKER_STATUS="already running"
            return 0
        fi
        local ctd="dockerd starts its own containerd"
        [ -S /run/containerd/containerd.sock ] && ctd="using the system containerd"
        lib_log "Docker: starting dockerd with its default options ($ctd; log $DOCKERD_LOG)"
        attempts=("default options" "--iptables=false --ip-forward=false --ip-masq=false --bridge=none")
    else
        local d=$OVSGW_T/docker
        mkdir -p "$d/data" "$d/exec"
        # deprecated-key-path: otherwise dockerd 20.10 writes /etc/docker/key.json.
        printf '{\n  "deprecated-key-path": "%s"\n}\n' "$d/key.json" >"$d/daemon.json"
        _containerd_start || return 1
        base=(--config-file "$d/daemon.json"
            --containerd "$OVSGW_T/containerd/containerd.sock"
            --data-root "$d/data" --exec-root "$d/exec" --pidfile "$DOCKER_PIDFILE"
            -H "$DOCKER_HOST"
            --exec-opt native.cgroupdriver=cgroupfs --cgroup-parent "/$OVSGW_CGROUP"
            --log-level "${OVSGW_DOCKER_LOGLEVEL:-info}")
        for a in ${OVSGW_STORAGE_DRIVER:-overlay2 vfs}; do
            attempts+=("--storage-driver $a")
        done
    fi
    for a in "${attempts[@]}"; do
        extra=()
        [ "$a" = "default options" ] || read -ra extra <<<"$a"
        if _dockerd_try "$a" "${base[@]}" "${extra[@]}"; then
            ok=1
            break
        fi
        if [ "$a" = "default options" ]; then
            lib_log "Docker: the default bridge/iptables setup failed here; falling back to" \
                "dockerd ${attempts[1]}"
        fi
    done
    if [ $ok = 0 ]; then
        lib_err "dockerd does not start; see $DOCKERD_LOG"
        return 1
    fi
    if [ "$ENV_PROFILE" = private ]; then
        OVSGW_DOCKER_STORAGE=$("$DOCKER" info --format '{{.Driver}}')
        export OVSGW_DOCKER_STORAGE
        lib_log "dockerd started in $((SECONDS - t0))s (storage driver $OVSGW_DOCKER_STORAGE)"
        return 0
    fi
    ENV_STARTED[containerd]=$(_containerd_pid)
    [ -n "${ENV_STARTED[containerd]}" ] || unset "ENV_STARTED[containerd]"
    ENV_DOCKER_STATUS="started by this script ($a)"
    [ "$a" = "default options" ] ||
        ENV_DOCKER_STATUS="started by this script (--iptables=false --bridge=none: the default network setup failed)"
    ENV_DOCKER_STATUS+=", $("$DOCKER" version --format '{{.Server.Version}}' 2>/dev/null), storage $("$DOCKER" info --format '{{.Driver}}' 2>/dev/null)"
    lib_log "Docker ready in $((SECONDS - t0))s (dockerd ${ENV_STARTED[dockerd]}${ENV_STARTED[containerd]:+, its containerd ${ENV_STARTED[containerd]}})"
}

docker_stop() {
    local pid ctd p ids rc=0 shim=""
    if [ "$ENV_PROFILE" = system ]; then
        [ -n "${ENV_STARTED[dockerd]:-}" ] || return 0
        pid=${ENV_STARTED[dockerd]}
        ctd=${ENV_STARTED[containerd]:-$(_containerd_pid)}
        shim=containerd-shim
    else
        [ -n "${OVSGW_T:-}" ] && [ -d "$OVSGW_T/docker" ] || return 0
        if docker_up; then
            ids=$(timeout 20 "$DOCKER" ps -aq 2>/dev/null)
            if [ -n "$ids" ]; then
                # shellcheck disable=SC2086  # one word per ID
                timeout 60 "$DOCKER" rm -f $ids >/dev/null 2>&1 ||
                    lib_err "docker rm -f failed"
            fi
        fi
        pid=$(dockerd_pid)
        ctd=$(_containerd_pid)
    fi
    kill_pid "$pid" dockerd 30
    # A dockerd stops the containerd it started; make sure, and of ours.
    kill_pid "$ctd" containerd 15
    if [ -n "$ctd" ] || [ "$ENV_PROFILE" = private ]; then
        for p in $(_shim_pids); do
            kill_pid "$p" "$shim" 5
        done
    fi
    if [ "$ENV_PROFILE" = system ]; then
        docker_undo_net "$ENV_DOCKER_NET_PRE"
        ENV_DOCKER_NET_PRE=""
        pid_dead "$pid" && unset "ENV_STARTED[dockerd]" "ENV_STARTED[containerd]"
        lib_log "stopped dockerd ($pid${ctd:+, containerd $ctd})"
        return 0
    fi
    # Anything still in our cgroup.
    for p in $(_env_cgroup_pids); do
        kill -KILL "$p" 2>/dev/null
    done
    _env_umount_under "$OVSGW_T/docker" || rc=1
    _env_umount_under "$OVSGW_T/containerd" || rc=1
    if [ -n "${OVSGW_CGROUP:-}" ]; then
        # Container cgroups are removed by runc; remove the parent we made.
        find /sys/fs/cgroup -mindepth 1 -maxdepth 3 -type d -name "$OVSGW_CGROUP" 2>/dev/null |
            while read -r p; do
                find "$p" -depth -type d -exec rmdir {} + 2>/dev/null
            done
    fi
    rm -f "$OVSGW_T/docker.sock"
    [ -z "$(_env_cgroup_pids)" ] || { lib_err "processes left in cgroup $OVSGW_CGROUP"; rc=1; }
    return $rc
}

# --------------------------------------------------------------- the image

image_build() {
    local name=${1:-$OVSGW_IMAGE} r a rc bb=/bin/busybox t0=$SECONDS tmp
    _env_need_init || return 1
    if [ "$(dk image inspect -f '{{index .Config.Labels "ovsgw.tools"}}' "$name" \
        2>/dev/null)" = "$OVSGW_IMAGE_TOOLS" ]; then
        return 0
    fi
    if [ ! -x "$bb" ] || ldd "$bb" >/dev/null 2>&1; then
        lib_err "$bb is missing or not static (apt-get install busybox-static)"
        return 1
    fi
    for a in "$OVSGW_UDPCAT" "$OVSGW_TCPCAT" "$OVSGW_NDSEND"; do
        if [ ! -x "$a" ]; then
            make -s -C "$LIB_TOP" "${a#"$LIB_TOP"/}" >&2 ||
                { lib_err "cannot build $a"; return 1; }
        fi
    done
    tmp=/tmp
    [ "$ENV_PROFILE" = private ] && tmp=$OVSGW_T
    r=$(mktemp -d "$tmp/ovsgw-image.XXXXXX") || return 1
    mkdir -p "$r"/{bin,etc,tmp,proc,sys,dev,root,var,run,usr}
    chmod 1777 "$r/tmp"
    if ! cp "$bb" "$r/bin/busybox" || ! cp "$OVSGW_UDPCAT" "$r/bin/udpcat" ||
        ! cp "$OVSGW_TCPCAT" "$r/bin/tcpcat" ||
        ! cp "$OVSGW_NDSEND" "$r/bin/ndsend"; then
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
    OVSGW_BB_APPLETS=""
    for a in ping nc httpd wget ip ifconfig sleep timeout; do
        [ -e "$r/bin/$a" ] && OVSGW_BB_APPLETS+="$a "
    done
    OVSGW_BB_APPLETS=${OVSGW_BB_APPLETS% }
    tar -C "$r" --numeric-owner --owner=0 --group=0 -cf - . |
        dk import -c 'ENV PATH=/bin:/sbin:/usr/bin:/usr/sbin' \
            -c "LABEL ovsgw.tools=$OVSGW_IMAGE_TOOLS" -c 'CMD ["/bin/sh"]' - "$name" >/dev/null
    rc=${PIPESTATUS[1]}
    rm -rf "$r"
    [ "$rc" = 0 ] || { lib_err "docker import failed"; return 1; }
    lib_log "image $name built in $((SECONDS - t0))s (busybox-static + udpcat, tcpcat, ndsend; applets: $OVSGW_BB_APPLETS)"
}
