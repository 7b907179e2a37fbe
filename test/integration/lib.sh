# shellcheck shell=bash
# test/integration/lib.sh - what only the integration tests ask of OVS and
# Docker: test containers, ports by their external_ids, leftovers.  Sourced
# by run.sh after scripts/lib/env.sh and checks.sh; uses $DRIVER and the
# private profile's OVSDB_SOCK, OVS_RUNDIR.
#
# Helpers for negative checks fail when they cannot look (a command that
# fails prints nothing, and "nothing" must not pass for "none").

ovsctl() { ovs-vsctl --db="unix:$OVSDB_SOCK" "$@"; }

# br_absent BRIDGE: OVSDB answers that there is no such bridge (br-exists
# says 2; 1 is an error).
br_absent() {
    local rc=0
    ovsctl br-exists "$1" || rc=$?
    [ "$rc" -eq 2 ] || { echo "br-exists $1: status $rc, want 2"; return 1; }
}

# pid_gone PID [SECONDS]: PID is known and has exited (within SECONDS).
pid_gone() {
    [ -n "$1" ] || { echo "no PID to look at"; return 1; }
    wait_for "${2:-0}" pid_dead "$1"
}

# link_shows NAME TEXT: the link exists in the test netns and
# `ip -o link show NAME` has TEXT in it.
link_shows() { tns ip -o link show "$1" | grep -qF -- "$2"; }

# ctr NAME NETWORK IP [docker run options...]: a test container that
# sleeps.
ctr() {
    local name=$1 net=$2 ip=$3
    shift 3
    dk run -d --name "$name" --net "$net" ${ip:+--ip "$ip"} "$@" \
        ovsgw-test sleep 1d >/dev/null
}

# Spare ports (see t_spares.sh) and other ports by their external_ids.
iface_ext() {
    ovsctl get interface "$1" "external_ids:$2" 2>/dev/null | tr -d '"'
}
# ports_where BRIDGE KEY [VALUE]: ports of BRIDGE whose interface has
# external_ids:KEY (equal to VALUE if given).
ports_where() {
    local p v ports
    ports=$(ovsctl list-ports "$1") || return 1
    for p in $ports; do
        v=$(iface_ext "$p" "$2")
        if [ $# -lt 3 ]; then
            [ -z "$v" ] || echo "$p"
        elif [ "$v" = "$3" ]; then
            echo "$p"
        fi
    done
}
spare_ports() { ports_where "$1" ovsgw-spare; }
endpoint_ports() { ports_where "$1" ovsgw-endpoint; }
port_of_ip() { ports_where "$1" ovsgw-ipv4 "$2"; }
# n_spares BRIDGE N: the bridge has exactly N spare ports.
n_spares() {
    local s
    s=$(spare_ports "$1") || return 1
    [ "$(grep -c . <<<"$s")" -eq "$2" ] || {
        echo "spares on $1: ${s:-none}, want $2"
        return 1
    }
}

# ovsgw veths in the test netns that are neither a port in OVS nor the
# container end of a spare: what a removed container must not leave.
stray_veths() {
    local l p keep names spares links
    names=$(ovsctl --bare --columns=name list Interface) || return 1
    spares=$(ovsctl --bare --columns=name find Interface \
        'external_ids:ovsgw-spare!=""') || return 1
    links=$(tns ip -br link) || return 1
    keep=" $(tr '\n' ' ' <<<"$names") "
    for p in $spares; do
        keep+="$(iface_ext "$p" ovsgw-peer) "
    done
    while read -r l; do
        [[ $keep == *" $l "* ]] || echo "$l"
    done < <(awk '{sub(/@.*/, "", $1); print $1}' <<<"$links" |
        grep -E '^o[gc][0-9a-f]{12}')
}
no_stray_veths() { lacks . stray_veths; }

# The test's own leftovers: bridges, ports and veths of ovsgw, flows.
no_leftovers() {
    local brs links ports
    brs=$(ovsctl list-br) || { echo "cannot list the bridges"; return 1; }
    ports=$(ovsctl --columns=name --bare list Port) || { echo "cannot list the ports"; return 1; }
    links=$(tns ip -br link) || { echo "cannot list the links"; return 1; }
    links=$(awk '{print $1}' <<<"$links" | grep -E '^o[gc][0-9a-f]{12}')
    [ -z "$brs" ] || { echo "bridges left: $brs"; return 1; }
    [ -z "$links" ] || { echo "veths left: $links"; return 1; }
    [ -z "$ports" ] || { echo "ports left: $ports"; return 1; }
}

# Removes every container and network of the private dockerd.
reset_docker() {
    local c n
    c=$(dk ps -aq)
    # shellcheck disable=SC2086  # one word per ID
    [ -z "$c" ] || dk rm -f $c >/dev/null
    for n in $(dk network ls -q --filter driver="$DRIVER"); do
        dk network rm "$n" >/dev/null
    done
}

# flows_but_uplink BRIDGE: the bridge's flows but those from its uplink
# (the network's own way in).
flows_but_uplink() {
    local out
    out=$(dump_flows "$1") || return 1
    grep -v 'in_port=65279' <<<"$out" || true
}

# has TEXT NEEDLE: TEXT contains NEEDLE (shows TEXT when not).
has() { grep -qF -- "$2" <<<"$1" || { echo "got: $1"; return 1; }; }
