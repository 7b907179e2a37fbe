# shellcheck shell=bash
# test/ovn/lib.sh - what the OVN tests ask of the simulated world
# (scripts/lib/ovn.sh): traffic between fake ports, bindings, and "nothing
# left".  Sourced by run.sh after env.sh, checks.sh and ovn.sh.
#
#   fake_ping_ok N NAME IP [PING ARGS...]   one ping from fake port NAME on
#                           host N answered (3 tries: a tunnel's first packet
#                           may be dropped while ovs-vswitchd ARPs)
#   fake_ping_fails N NAME IP [PING ARGS...]   none of 2 answered, from a
#                           port that can run commands
#   fake_tcp N1 FROM N2 TO IP PORT BYTES   FROM sends BYTES over TCP to a
#                           tcpcat listening in TO; both lines must match
#   pb_chassis PORT         the chassis name its Port_Binding is bound to
#   nb_rows TABLE / sb_rows TABLE   how many rows
#   world_clean             no logical switch or router in NB, no
#                           Port_Binding in SB, nothing but the tunnels to
#                           the other hosts on any br-int, no fake port
#   world_gone NSINODES...  after ovn_cleanup: no process or mount of the
#                           world, no process in one of its network
#                           namespaces, no directory

OVSGW_TCPCAT=${OVSGW_TCPCAT:-$LIB_TOP/build/tcpcat}
OVN_HOSTS=(1 2 3)

fake_ping_ok() {
    local n=$1 name=$2 ip=$3 _
    shift 3
    for _ in 1 2 3; do
        ovn_fake_exec "$n" "$name" busybox ping -c1 -W2 "$@" "$ip" \
            >/dev/null 2>&1 && return 0
    done
    echo "no answer from $ip to fake port $name on host $n"
    return 1
}

fake_ping_fails() {
    local n=$1 name=$2 ip=$3
    shift 3
    ovn_fake_exec "$n" "$name" true || {
        echo "cannot run a command in fake port $name on host $n"
        return 1
    }
    _negated ovn_fake_exec "$n" "$name" busybox ping -c2 -W1 "$@" "$ip"
}

fake_tcp() {
    local n1=$1 from=$2 n2=$3 to=$4 ip=$5 port=$6 bytes=$7 out want got
    [ -x "$OVSGW_TCPCAT" ] || {
        echo "$OVSGW_TCPCAT is missing (make build/tcpcat)"
        return 1
    }
    out=$OVN_DIR/tcp.$port
    (ovn_fake_exec "$n2" "$to" timeout 30 "$OVSGW_TCPCAT" -l "$port" \
        >"$out" 2>&1 &)
    wait_for 5 ovn_fake_exec "$n2" "$to" sh -c "ss -Hltn | grep -q ':$port '" ||
        return 1
    want=$("$OVSGW_TCPCAT" -g "$bytes" "$port")
    got=$(ovn_fake_exec "$n1" "$from" timeout 30 "$OVSGW_TCPCAT" "$ip" "$port" \
        -s "$bytes" "$port" 2>&1 | tail -n1)
    [ "$got" = "$want" ] || {
        echo "sender: '$got', want '$want'"
        return 1
    }
    wait_for 10 bash -c "[ \$(wc -l <'$out') -ge 2 ]" || return 1
    got=$(sed -n 2p "$out")
    [ "$got" = "$want" ] || {
        echo "receiver: '$got', want '$want'"
        return 1
    }
}

pb_chassis() {
    local ch
    ch=$(ovn_sbctl --bare --columns=chassis find Port_Binding \
        "logical_port=$1") || return 1
    [ -n "$ch" ] || return 0
    ovn_sbctl --bare get Chassis "$ch" name
}

nb_rows() { ovn_nbctl --bare --columns=_uuid list "$1" | grep -c . || true; }
sb_rows() { ovn_sbctl --bare --columns=_uuid list "$1" | grep -c . || true; }

# _br_int_only_tunnels N: every port of host N's br-int is a geneve tunnel
# to one of the other hosts (and there is one to each).
_br_int_only_tunnels() {
    local n=$1 p type ports tunnels=0
    ports=$(ovs-vsctl list-ports br-int) || return 1
    for p in $ports; do
        type=$(ovs-vsctl get Interface "$p" type) || return 1
        if [ "$type" != geneve ]; then
            echo "host $n: port $p ($type) on br-int"
            return 1
        fi
        tunnels=$((tunnels + 1))
    done
    [ "$tunnels" -eq $((${#OVN_HOSTS[@]} - 1)) ] || {
        echo "host $n: $tunnels tunnels on br-int, want $((${#OVN_HOSTS[@]} - 1))"
        return 1
    }
}

world_clean() {
    local n t rows bad=0 f
    for t in Logical_Switch Logical_Router; do
        rows=$(nb_rows "$t")
        [ "$rows" = 0 ] || { echo "NB $t: $rows rows"; bad=1; }
    done
    rows=$(sb_rows Port_Binding)
    [ "$rows" = 0 ] || { echo "SB Port_Binding: $rows rows"; bad=1; }
    for n in "${OVN_HOSTS[@]}"; do
        on_host "$n" _br_int_only_tunnels "$n" || bad=1
        for f in "$(ovn_host_dir "$n")"/ns/f-*; do
            [ -e "$f" ] && { echo "fake port namespace $f"; bad=1; }
        done
    done
    return $bad
}

# The inode numbers of the world's network namespaces (central, hosts,
# fake ports), for world_gone.
world_netns() {
    local f
    for f in "$OVN_DIR"/c/ns/net "$OVN_DIR"/*-h[1-9]/ns/*; do
        [ -e "$f" ] && stat -L -c %i "$f"
    done
    return 0
}

world_gone() {
    local bad=0 ino pats=() out
    ovn_leftovers || bad=1
    [ ! -e "$OVN_DIR" ] || { echo "$OVN_DIR is still there"; bad=1; }
    for ino in "$@"; do
        pats+=(-e "net:[$ino]")
    done
    if [ ${#pats[@]} -gt 0 ]; then
        out=$(find /proc/[0-9]*/ns /proc/[0-9]*/fd -maxdepth 1 -type l \
            -printf '%l %p\n' 2>/dev/null | grep -F "${pats[@]}")
        [ -z "$out" ] || { echo "network namespaces still in use:"; echo "$out"; bad=1; }
    fi
    return $bad
}
