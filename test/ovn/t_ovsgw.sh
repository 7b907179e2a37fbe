# shellcheck shell=bash
# ovsgw's OVN mode across the simulated hosts: dockerd and ovsgw on hosts
# 1 and 2 (host 1 finds the northbound database in its Open_vSwitch row,
# host 2 is given --ovn-nb), fake ports on host 3.  The seed's network,
# made by `docker network create` on both hosts with a per-host
# --ip-range, is one logical network: the gateways answer, same-subnet and
# routed ping, TCP and UDP pass between hosts, the seed's one-way TCP
# policy holds, other networks are apart, spoofing is dropped, a
# duplicate address is refused, and faults leave nothing half-made.

OVN_IMAGE=ovsgw-test
SEED_RULES='deny 10.20.2.0/24->10.20.1.0/24, deny 10.20.1.101->10.20.1.100'

# (on a host) dockerd, the test image and ovsgw, unless they run; ARGS go
# to ovsgw.  ovsgw's PID goes to $OVSGW_T/ovsgw.pid.
_dhost_up() {
    docker_up || docker_start >/dev/null 2>&1 || return 1
    image_build "$OVN_IMAGE" >/dev/null 2>&1 || return 1
    ovsgw_sock_live "$OVSGW_SOCK" && return 0
    OVSGW_LOG_LEVEL=debug start_ovsgw "$@" 2>/dev/null || return 1
    echo "$OVSGW_PID" >"$OVSGW_T/ovsgw.pid"
}
dhost_up() {
    local n=$1
    shift
    on_host "$n" _dhost_up "$@"
}
# Hosts 1 and 2 with Docker and ovsgw: host 1 reads ovn-nb from OVSDB.
dhosts_up() {
    on_host 1 ovs-vsctl set Open_vSwitch . "external_ids:ovn-nb=$OVN_NB_REMOTE" &&
        dhost_up 1 && dhost_up 2 --ovn-nb "$OVN_NB_REMOTE"
}
driver_of() { basename "$(ovn_host_dir "$1")"; }
hdk() {
    local n=$1
    shift
    on_host "$n" dk "$@"
}
ovsgw_pid() { pidfile_pid "$(ovn_host_dir "$1")/ovsgw.pid"; }
ovsgw_log() { echo "$(ovn_host_dir "$1")/ovsgw.log"; }

# onet N NAME OVN_NAME RANGE1 RANGE2 [ARGS...]: on host N, the seed's two
# subnets as the logical network OVN_NAME, addresses from RANGE1/RANGE2.
onet() {
    local n=$1 name=$2 ovn=$3 r1=$4 r2=$5
    shift 5
    hdk "$n" network create -d "$(driver_of "$n")" \
        --subnet 10.20.1.0/24 --gateway 10.20.1.1 --ip-range "$r1" \
        --subnet 10.20.2.0/24 --gateway 10.20.2.1 --ip-range "$r2" \
        -o ovsgw.mode=ovn -o "ovsgw.ovn.name=$ovn" "$@" "$name" >/dev/null
}
# octr N NAME NET IP: a container on host N.
octr() {
    hdk "$1" run -d --name "$2" --net "$3" --ip "$4" --cap-add NET_ADMIN \
        "$OVN_IMAGE" sleep 3600 >/dev/null
}
# on a host: ping_ok, http_* ... with that host's Docker.
h() {
    local n=$1
    shift
    on_host "$n" "$@"
}

# xudp N1 FROM N2 TO IP PORT: a datagram from FROM (host N1) reaches TO's
# (host N2) listener, content checked.
xudp() {
    local n1=$1 from=$2 n2=$3 to=$4 ip=$5 port=$6 msg="udp-$2-$RANDOM" _
    hdk "$n2" exec -d "$to" sh -c "udpcat -l $port 10 > /tmp/udp.$port" ||
        return 1
    sleep 0.3
    for _ in 1 2 3 4 5; do
        hdk "$n1" exec "$from" udpcat "$ip" "$port" "$msg" || true
        sleep 0.2
        hdk "$n2" exec "$to" grep -q "$msg" "/tmp/udp.$port" 2>/dev/null &&
            return 0
    done
    echo "datagram $msg did not arrive in $to"
    return 1
}

# (on a host) the container's neighbour entry for IP has MAC.
ctr_neigh() { dk exec "$1" ip neigh show "$2" | grep -q "lladdr $3"; }
# (on a host) the route to IP from container C has TTL 63 answers.
ping_ttl63() { dk exec "$1" ping -c1 -W2 "$2" | grep -q 'ttl=63'; }
# The logical network's rows: its switch has N hosts.
ls_hosts() {
    local got
    got=$(ovn_nbctl --bare get Logical_Switch "ovsgw-$1" external_ids |
        grep -o 'ovsgw-host-[^=]*' | wc -l)
    [ "$got" = "$2" ] || {
        echo "switch ovsgw-$1 has $got hosts, want $2"
        return 1
    }
}
ls_absent() { ! ovn_nbctl --bare --columns=name find Logical_Switch "name=ovsgw-$1" | grep -q .; }
# The LSP of a container (by its endpoint ID on host N) is bound to CHASSIS.
ctr_lsp() {
    local eid
    eid=$(hdk "$1" inspect -f "{{(index .NetworkSettings.Networks \"$3\").EndpointID}}" "$2") ||
        return 1
    echo "ovsgw-$eid"
}
bound_to() {
    local lsp ch
    lsp=$(ctr_lsp "$1" "$2" "$3") || return 1
    ch=$(pb_chassis "$lsp")
    [ "$ch" = "$4" ] || {
        echo "$lsp is bound to '$ch', want $4"
        return 1
    }
}
# (on a host) no veth of ovsgw's and no port of ovsgw's on br-int.
_host_has_no_endpoint() {
    lacks '^og' tns ip -o -br link &&
        lacks '^og' ovs-vsctl list-ports br-int
}
no_endpoints() { on_host 1 _host_has_no_endpoint && on_host 2 _host_has_no_endpoint; }

test_ovsgw_1_seed() {
    check "hosts 1 and 2: dockerd, image, ovsgw" dhosts_up
    check "host 1: the seed's network as logical network 'seed'" \
        onet 1 seed seed 10.20.1.0/26 10.20.2.0/26 -o "ovsgw.tcp.rules=$SEED_RULES"
    check "host 2: the same, other --ip-ranges" \
        onet 2 seed seed 10.20.1.128/26 10.20.2.128/26 -o "ovsgw.tcp.rules=$SEED_RULES"
    check "one logical switch for both hosts" ls_hosts seed 2
    check "vm1 on host 1 (10.20.1.100)" octr 1 vm1 seed 10.20.1.100
    check "vm3 on host 1 (10.20.1.101)" octr 1 vm3 seed 10.20.1.101
    check "vm2 on host 2 (10.20.2.100)" octr 2 vm2 seed 10.20.2.100
    check "vm4 on host 2 (10.20.1.130)" octr 2 vm4 seed 10.20.1.130
    check "vm1's logical port is bound to host1" bound_to 1 vm1 seed host1
    check "vm2's to host2" bound_to 2 vm2 seed host2
    check "no address on either host for the gateways" \
        eval "lacks '10\\.20\\.[12]\\.1/' on_host 1 tns ip -4 addr &&
              lacks '10\\.20\\.[12]\\.1/' on_host 2 tns ip -4 addr"
    check "an MTU of 1442 (1500 less Geneve) in vm1" \
        eval "hdk 1 exec vm1 ip link show eth0 | grep -q 'mtu 1442'"

    check "vm2 (host 2) pings its gateway 10.20.2.1" h 2 ping_ok vm2 10.20.2.1
    check "vm1 (host 1) pings 10.20.1.1 and 10.20.2.1" \
        eval "h 1 ping_ok vm1 10.20.1.1 && h 1 ping_ok vm1 10.20.2.1"
    local gmac
    gmac=$(ovn_nbctl --bare get Logical_Router_Port ovsgw-seed-lrp mac | tr -d '"')
    check "vm1 learnt the gateway's MAC ($gmac) by ARP" h 1 ctr_neigh vm1 10.20.1.1 "$gmac"
    check "vm1 -> vm4 ping (same subnet, host 1 -> host 2)" h 1 ping_ok vm1 10.20.1.130
    check "vm1 -> vm2 ping (routed, across hosts)" h 1 ping_ok vm1 10.20.2.100
    check "vm2 -> vm1 ping (routed back)" h 2 ping_ok vm2 10.20.1.100
    check "routed TTL is decremented" h 1 ping_ttl63 vm1 10.20.2.100
    check "vm1 -> vm3 ping (same host)" h 1 ping_ok vm1 10.20.1.101

    h 1 http_echo vm1 8080 && h 1 http_echo vm3 8080
    h 2 http_echo vm2 8080 && h 2 http_echo vm4 8080
    check "vm1's server is up (control)" h 1 server_up vm1 8080
    check "TCP vm4 (host 2) -> vm1 (host 1), same subnet, 64 KiB" \
        h 2 http_get vm4 10.20.1.100 8080 vm1
    check "TCP vm1 -> vm2, routed across hosts, data both ways" \
        h 1 echo_post vm1 10.20.2.100 8080 vm2
    check "UDP vm1 -> vm2 across hosts" xudp 1 vm1 2 vm2 10.20.2.100 9000
    check "UDP vm2 -> vm1 back" xudp 2 vm2 1 vm1 10.20.1.100 9001
    check "UDP vm4 -> vm3 (same subnet)" xudp 2 vm4 1 vm3 10.20.1.101 9002

    # The seed's one-way policy, judged where the SYN enters OVN.
    check "policy: vm2 (host 2) cannot open a connection to vm1 (host 1)" \
        h 2 tcp_blocked vm2 10.20.1.100 8080
    check "... while vm1 opens one to vm2, data both ways" \
        h 1 echo_post vm1 10.20.2.100 8080 vm2
    check "... and vm2 still pings vm1" h 2 ping_ok vm2 10.20.1.100
    check "policy: vm3 cannot open a connection to vm1 (same host)" \
        h 1 tcp_blocked vm3 10.20.1.100 8080
    check "... vm4 (host 2, same subnet, no rule) can" \
        h 2 echo_post vm4 10.20.1.100 8080 vm1
    check "the policy's ACLs are on the switch" \
        eval "[ \$(ovn_nbctl acl-list ovsgw-seed | grep -c 'drop') -eq 2 ]"

    check "docker rm -f on host 1" hdk 1 rm -f vm1 vm3
    check "host 1 leaves the network" hdk 1 network rm seed
    check "the switch stays for host 2" ls_hosts seed 1
    check "vm4 pings vm2 still" h 2 ping_ok vm4 10.20.2.100
    check "docker rm -f on host 2" hdk 2 rm -f vm2 vm4
    check "host 2, the last, leaves" hdk 2 network rm seed
    check "no switch, router or ACL of the network is left" \
        eval "ls_absent seed && [ \$(nb_rows ACL) = 0 ] && [ \$(nb_rows Logical_Router_Port) = 0 ]"
    check "no veth or port of ovsgw's on either host" no_endpoints
}

# Last: neither daemon logged a sanitizer report (make test SANITIZE=1)
# or died.
test_ovsgw_9_logs() {
    local n
    for n in 1 2; do
        [ -e "$(ovsgw_log "$n")" ] || continue
        check "host $n: no sanitizer report in ovsgw's log" \
            lacks 'AddressSanitizer|LeakSanitizer|runtime error:' cat "$(ovsgw_log "$n")"
        check "host $n: ovsgw is alive" pid_alive "$(ovsgw_pid "$n")"
    done
}
