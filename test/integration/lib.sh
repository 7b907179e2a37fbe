# shellcheck shell=bash
# test/integration/lib.sh - what only the integration tests ask of OVS and
# Docker: test containers, ports by their external_ids, leftovers.  Sourced
# by run.sh after scripts/lib/env.sh and checks.sh; uses $DRIVER and the
# private profile's OVSDB_SOCK, OVS_RUNDIR.

ovsctl() { ovs-vsctl --db="unix:$OVSDB_SOCK" "$@"; }

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
    local p v
    for p in $(ovsctl list-ports "$1"); do
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

n_spares() { test "$(spare_ports "$1" | wc -l)" -eq "$2"; }

# ovsgw veths on the host that are neither a port in OVS nor the container
# end of a spare: what a removed container must not leave.
stray_veths() {
    local l p keep
    keep=" $(ovsctl --bare --columns=name list Interface | tr '\n' ' ') "
    for p in $(ovsctl --bare --columns=name find Interface \
                   'external_ids:ovsgw-spare!=""'); do
        keep+="$(iface_ext "$p" ovsgw-peer) "
    done
    for l in $(tns ip -br link | awk '{sub(/@.*/, "", $1); print $1}' \
                   | grep -E '^o[gc][0-9a-f]{12}'); do
        [[ $keep == *" $l "* ]] || echo "$l"
    done
}

# The test's own leftovers: bridges, ports and veths of ovsgw, flows.
no_leftovers() {
    local brs links
    brs=$(ovsctl list-br)
    links=$(tns ip -br link | awk '{print $1}' | grep -E '^o[gc][0-9a-f]{12}' \
        || true)
    [ -z "$brs" ] || { echo "bridges left: $brs"; return 1; }
    [ -z "$links" ] || { echo "veths left: $links"; return 1; }
    [ -z "$(ovsctl --columns=name --bare list Port)" ] || {
        echo "ports left"
        return 1
    }
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
