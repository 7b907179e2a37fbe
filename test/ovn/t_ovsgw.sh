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
# octr N NAME NET IP [DOCKER RUN OPTIONS...]: a container on host N.
octr() {
    local n=$1 name=$2 net=$3 ip=$4
    shift 4
    hdk "$n" run -d --name "$name" --net "$net" --ip "$ip" --cap-add NET_ADMIN \
        "$@" "$OVN_IMAGE" sleep 3600 >/dev/null
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
    gmac=$(ovn_nbctl --bare get Logical_Router_Port ovsgw-seed:lrp mac | tr -d '"')
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
    local lsp2 mac2
    lsp2=$(ctr_lsp 2 vm2 seed) && mac2=$(hdk 2 inspect -f \
        '{{(index .NetworkSettings.Networks "seed").MacAddress}}' vm2)
    check "ovn-trace: vm2's SYN to vm1:8080 is dropped by an ACL (no output)" \
        trace_tcp drop "$lsp2" "$mac2" "$gmac" 10.20.2.100 10.20.1.100 0x02 seed
    check "ovn-trace: vm2's SYN+ACK to vm1 (a reply) is routed to vm1's port (control)" \
        trace_tcp pass "$lsp2" "$mac2" "$gmac" 10.20.2.100 10.20.1.100 0x12 seed

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

# net1 N NAME OVN SUBNET GW RANGE [ARGS...]: one subnet on host N.
net1() {
    local n=$1 name=$2 ovn=$3 sn=$4 gw=$5 r=$6
    shift 6
    hdk "$n" network create -d "$(driver_of "$n")" --subnet "$sn" \
        --gateway "$gw" --ip-range "$r" -o ovsgw.mode=ovn \
        -o "ovsgw.ovn.name=$ovn" "$@" "$name" >/dev/null
}
# run_fails_with N TEXT DOCKER-RUN-ARGS...: docker run fails on host N and
# says TEXT.
run_fails_with() {
    local n=$1 text=$2 out
    shift 2
    if out=$(hdk "$n" run -d "$@" 2>&1); then
        echo "docker run worked: $out"
        return 1
    fi
    grep -qF -- "$text" <<<"$out" || {
        echo "got: $out"
        return 1
    }
}
create_fails_with() {
    local n=$1 text=$2 out
    shift 2
    if out=$(hdk "$n" network create -d "$(driver_of "$n")" "$@" 2>&1); then
        echo "docker network create worked: $out"
        return 1
    fi
    grep -qF -- "$text" <<<"$out" || {
        echo "got: $out"
        return 1
    }
}
# (on a host) ovsgw status.
_status() { "$OVSGW_BIN" status --socket "$OVSGW_SOCK"; }
lsp_count() { ovn_nbctl --bare --columns=name list Logical_Switch_Port | grep -c . || true; }
# (on a host) the number of ovsgw's veths.
_og_links() { tns ip -o link show | grep -c ': og' || true; }
og_links() { on_host "$1" _og_links; }
# trace_gw_arp LSP MAC IP GW NET GWMAC: ovn-trace of an ARP request from
# the port (MAC, IP) for GW, in the logical network NET: answered with
# GWMAC, back out of the port.
trace_gw_arp() {
    local out
    out=$(ovn_trace --minimal "ovsgw-$5" "inport == \"$1\" && eth.src == $2 &&
        eth.dst == ff:ff:ff:ff:ff:ff && arp.op == 1 && arp.sha == $2 &&
        arp.spa == $3 && arp.tha == 00:00:00:00:00:00 && arp.tpa == $4") ||
        return 1
    if grep -q 'arp.op = 2' <<<"$out" && grep -qF "output(\"$1\")" <<<"$out" &&
        grep -q "arp.sha = $6" <<<"$out"; then
        return 0
    fi
    echo "$out"
    return 1
}

# trace_tcp drop|pass LSP MAC GWMAC SRC DST FLAGS NET: ovn-trace of a TCP
# segment with FLAGS from the port (MAC, SRC) to DST:8080 through the
# gateway of the logical network NET: dropped before any output, or output
# to one of ovsgw's ports.
trace_tcp() {
    local out
    out=$(ovn_trace --minimal "ovsgw-$8" "inport == \"$2\" && eth.src == $3 &&
        eth.dst == $4 && ip4.src == $5 && ip4.dst == $6 && ip.ttl == 64 &&
        tcp.src == 40000 && tcp.dst == 8080 && tcp.flags == $7") || return 1
    case $1 in
    drop) lacks 'output\(' echo "$out" && return 0 ;;
    pass) grep -q 'output("ovsgw-' <<<"$out" && return 0 ;;
    esac
    echo "$out"
    return 1
}

test_ovsgw_2_apart() {
    check "hosts 1 and 2 up" dhosts_up
    check "logical network 'blue' on host 1" \
        net1 1 blue blue 10.30.1.0/24 10.30.1.1 10.30.1.0/26
    check "... and on host 2" net1 2 blue blue 10.30.1.0/24 10.30.1.1 10.30.1.64/26
    check "logical network 'green' on host 2 only" \
        net1 2 green green 10.31.1.0/24 10.31.1.1 10.31.1.64/26
    check "b1 on host 1 in blue" octr 1 b1 blue 10.30.1.10
    check "b2 on host 2 in blue" octr 2 b2 blue 10.30.1.70
    check "g2 on host 2 in green" octr 2 g2 green 10.31.1.70
    check "host 3, without Docker: a fake port in blue's switch" \
        ovn_fake_port 3 f3 ovsgw-blue 0a:00:00:00:30:c8 10.30.1.200/24 10.30.1.1
    check "b1 (host 1) pings f3 (host 3)" h 1 ping_ok b1 10.30.1.200
    check "f3 pings b2 (host 2)" fake_ping_ok 3 f3 10.30.1.70
    check "f3 pings its gateway 10.30.1.1" fake_ping_ok 3 f3 10.30.1.1

    # Isolation: green and blue are different switches and routers.
    check "g2 pings its gateway 10.31.1.1 (control)" h 2 ping_ok g2 10.31.1.1
    check "g2 cannot reach b2 (same host, other network)" h 2 ping_fails g2 10.30.1.70
    check "g2 cannot reach b1 (other host)" h 2 ping_fails g2 10.30.1.10
    check "b1 cannot reach g2" h 1 ping_fails b1 10.31.1.70
    check "b1 cannot reach green's gateway 10.31.1.1" h 1 ping_fails b1 10.31.1.1

    # Anti-spoofing: port_security holds b1 to its MAC and address.
    hdk 1 exec b1 ip addr add 10.30.1.77/24 dev eth0
    check "b1 pings b2 from its own address (control)" \
        eval "hdk 1 exec b1 ping -c1 -W2 -I 10.30.1.10 10.30.1.70 >/dev/null"
    check "from 10.30.1.77, not b1's, nothing gets through" \
        eval "! hdk 1 exec b1 ping -c2 -W1 -I 10.30.1.77 10.30.1.70 >/dev/null"
    hdk 1 exec b1 ip addr del 10.30.1.77/24 dev eth0
    hdk 1 exec b1 ip link set eth0 address 02:42:0a:1e:01:4d
    check "with another MAC, b1 reaches nobody" h 1 ping_fails b1 10.30.1.70
    hdk 1 exec b1 ip link set eth0 address 02:42:0a:1e:01:0a
    hdk 1 exec b1 ip neigh flush all >/dev/null 2>&1
    check "with its own MAC back, b1 reaches b2 again (control)" h 1 ping_ok b1 10.30.1.70

    # Each host allocates by itself: an address in use elsewhere is
    # refused, naming where it is.
    local lsps links
    lsps=$(lsp_count)
    links=$(og_links 2)
    check "host 2 refuses b1's address 10.30.1.10, naming host 1's chassis" \
        run_fails_with 2 "address 10.30.1.10 is already used by endpoint" \
        --name dup --net blue --ip 10.30.1.10 "$OVN_IMAGE" sleep 60
    check "... the Err names the chassis host1" \
        run_fails_with 2 "(chassis host1)" --name dup2 --net blue --ip 10.30.1.10 \
        "$OVN_IMAGE" sleep 60
    check "... and the fake port's 10.30.1.200 (no ovsgw host) too" \
        run_fails_with 2 "address 10.30.1.200 is already used by port f3" \
        --name dup3 --net blue --ip 10.30.1.200 "$OVN_IMAGE" sleep 60
    check "nothing half-made: no new logical port" test "$(lsp_count)" = "$lsps"
    check "... and no new veth on host 2" test "$(og_links 2)" = "$links"
    check "a free address works (control)" octr 2 b3 blue 10.30.1.11
    check "... and b1 reaches it" h 1 ping_ok b1 10.30.1.11

    local eid1 mac1
    eid1=$(ctr_lsp 1 b1 blue) && mac1=$(hdk 1 inspect -f \
        '{{(index .NetworkSettings.Networks "blue").MacAddress}}' b1)
    check "ovn-trace: b1's ARP for its gateway is answered by the router" \
        trace_gw_arp "$eid1" "$mac1" 10.30.1.10 10.30.1.1 blue \
        "$(ovn_nbctl --bare get Logical_Router_Port ovsgw-blue:lrp mac | tr -d '"')"

    # Same options on every host, or a clear refusal.
    check "a host that disagrees on the gateway is refused" \
        create_fails_with 1 "logical network green exists with" \
        --subnet 10.31.1.0/24 --gateway 10.31.1.254 -o ovsgw.mode=ovn \
        -o ovsgw.ovn.name=green green
    check "one network per logical network on a host" \
        create_fails_with 2 "is already the logical network blue" \
        --subnet 10.33.1.0/24 -o ovsgw.mode=ovn -o ovsgw.ovn.name=blue blue2
    check "OVN mode without a name is refused" \
        create_fails_with 1 "ovsgw.mode=ovn needs ovsgw.ovn.name" \
        --subnet 10.32.1.0/24 -o ovsgw.mode=ovn noname

    check "status on host 1 shows the mode and logical network" \
        eval "on_host 1 _status | grep -q 'mode      ovn: logical network blue'"
    check "... and b1's chassis, installed" \
        eval "on_host 1 _status | grep -q 'chassis host1, installed by ovn-controller'"

    check "remove the fake port" ovn_fake_del 3 f3
    check "remove the containers" \
        eval "hdk 1 rm -f b1 dup >/dev/null; hdk 2 rm -f b2 b3 g2 dup dup2 dup3 >/dev/null; true"
    check "remove the networks" \
        eval "hdk 1 network rm blue && hdk 2 network rm blue green"
    check "no logical switch, router or port left" \
        eval "[ \$(nb_rows Logical_Switch) = 0 ] && [ \$(nb_rows Logical_Router) = 0 ] &&
              [ \$(lsp_count) = 0 ]"
    check "no veth or port of ovsgw's on either host" no_endpoints
}

# dual N: on host N, the dual-stack logical network 'six': 10.40.1.0/24 +
# fd00:40:1::/64 and 10.40.2.0/24 + fd00:40:2::/64, addresses from the
# host's quarter of each IPv4 subnet (IPv6 ones are given).
dual() {
    local n=$1 q=$(($1 * 64))
    shift
    hdk "$n" network create -d "$(driver_of "$n")" --ipv6 \
        --subnet 10.40.1.0/24 --gateway 10.40.1.1 --ip-range "10.40.1.$q/26" \
        --subnet 10.40.2.0/24 --gateway 10.40.2.1 --ip-range "10.40.2.$q/26" \
        --subnet fd00:40:1::/64 --gateway fd00:40:1::1 \
        --subnet fd00:40:2::/64 --gateway fd00:40:2::1 \
        -o ovsgw.mode=ovn -o ovsgw.ovn.name=six "$@" six >/dev/null
}
# (on a host) IPv6 helpers, as in the integration tests.
_ping6_ok() {
    local _
    for _ in 1 2 3; do
        dk exec "$1" ping -6 -c1 -W2 "$2" >/dev/null 2>&1 && return 0
    done
    echo "no answer from $2 to $1"
    return 1
}
_addr6_ready() {
    local out
    out=$(dk exec "$1" ip -6 addr show dev eth0) || return 1
    if grep -q "inet6 $2/" <<<"$out" && ! grep -Eq 'tentative|dadfailed' <<<"$out"; then
        return 0
    fi
    echo "$out"
    return 1
}
# xtcp N1 CLIENT N2 SERVER IP PORT: 1 MB from SERVER (host N2) to CLIENT
# (host N1) over TCP, content checked.
xtcp() {
    local n1=$1 c=$2 n2=$3 srv=$4 ip=$5 port=$6 want got
    want=$("$OVSGW_TCPCAT" -g 1000000 "$port")
    hdk "$n2" exec -d "$srv" sh -c "timeout 30 tcpcat -l $port -s 1000000 $port" ||
        return 1
    sleep 0.3
    got=$(hdk "$n1" exec "$c" timeout 20 tcpcat "$ip" "$port" 2>&1 | tail -n1)
    [ "$got" = "$want" ] || { echo "got '$got', want '$want'"; return 1; }
}
xtcp_blocked() {
    local n1=$1 c=$2 n2=$3 srv=$4 ip=$5 port=$6
    hdk "$n1" exec "$c" true || return 1
    hdk "$n2" exec -d "$srv" sh -c "timeout 10 tcpcat -l $port -s 1000 1" ||
        return 1
    sleep 0.3
    ! hdk "$n1" exec "$c" timeout 5 tcpcat "$ip" "$port" >/dev/null 2>&1
}

test_ovsgw_3_ipv6() {
    check "hosts 1 and 2 up" dhosts_up
    check "dual-stack logical network 'six' on host 1, with an IPv6 TCP rule" \
        dual 1 -o 'ovsgw.tcp.rules=deny fd00:40:2::/64->[fd00:40:1::/64]:9200'
    check "... and on host 2" \
        dual 2 -o 'ovsgw.tcp.rules=deny fd00:40:2::/64->[fd00:40:1::/64]:9200'
    check "the router port has both families' gateways" \
        eval "ovn_nbctl get Logical_Router_Port ovsgw-six:lrp networks |
              grep -q 'fd00:40:2::1/64'"
    check "s1 on host 1 (10.40.1.10, fd00:40:1::10)" \
        octr 1 s1 six 10.40.1.10 --ip6 fd00:40:1::10
    check "s2 on host 2 (10.40.2.140, fd00:40:2::140)" \
        octr 2 s2 six 10.40.2.140 --ip6 fd00:40:2::140
    check "s1's IPv6 address is ready (DAD done, not tentative)" \
        h 1 wait_for 10 _addr6_ready s1 fd00:40:1::10
    check "s1 pings its IPv6 gateway fd00:40:1::1 (answered by OVN)" \
        h 1 _ping6_ok s1 fd00:40:1::1
    check "s2 pings its IPv6 gateway fd00:40:2::1" h 2 _ping6_ok s2 fd00:40:2::1
    check "s1 -> s2 over IPv6, routed across hosts" h 1 _ping6_ok s1 fd00:40:2::140
    check "s2 -> s1 over IPv6" h 2 _ping6_ok s2 fd00:40:1::10
    check "1 MB over TCP/IPv6 s2 -> s1, across hosts, content checked" \
        xtcp 1 s1 2 s2 fd00:40:2::140 9100
    check "the IPv6 rule: s2 cannot open a connection to s1:9200 over IPv6" \
        xtcp_blocked 2 s2 1 s1 fd00:40:1::10 9200
    check "... s1:9201 it can (control)" xtcp 2 s2 1 s1 fd00:40:1::10 9201
    hdk 1 exec s1 killall tcpcat
    check "... and s1:9200 over IPv4 too (the rule is IPv6's)" \
        xtcp 2 s2 1 s1 10.40.1.10 9200
    check "remove" eval "hdk 1 rm -f s1 >/dev/null && hdk 2 rm -f s2 >/dev/null &&
        hdk 1 network rm six && hdk 2 network rm six"
    check "no veth or port of ovsgw's on either host" no_endpoints
}

# (on a host) the number of networks ovsgw keeps on br-int.
_br_int_nets() {
    ovs-vsctl get Bridge br-int external_ids | grep -o 'ovsgw-net-' | wc -l
}
nb_stop() { _ovn_central _ovn_stop nb; }
_no_patch() { lacks patch ovs-vsctl list-ports br-int; }
no_patch_ports() { on_host 1 _no_patch && on_host 2 _no_patch; }
nb_start() { _ovn_central _ovn_central_up; }
# A fault leaves traffic alone: IP from container C on host N, now.
flows_on() { h "$1" ping_ok "$2" "$3"; }

test_ovsgw_4_faults() {
    check "hosts 1 and 2 up" dhosts_up
    check "logical network 'ft' on hosts 1 and 2" eval \
        "net1 1 ft ft 10.50.1.0/24 10.50.1.1 10.50.1.0/26 &&
         net1 2 ft ft 10.50.1.0/24 10.50.1.1 10.50.1.64/26"
    check "t1 on host 1, t2 on host 2" eval "octr 1 t1 ft 10.50.1.10 && octr 2 t2 ft 10.50.1.70"
    check "a fake port on host 3" \
        ovn_fake_port 3 p3 ovsgw-ft 0a:00:00:00:50:c8 10.50.1.200/24 10.50.1.1
    check "t1 pings t2 and p3 (control)" eval "flows_on 1 t1 10.50.1.70 && flows_on 1 t1 10.50.1.200"

    # kill -9 of ovsgw on host 1: the traffic does not go through it.
    check "kill -9 ovsgw on host 1" kill -9 "$(ovsgw_pid 1)"
    check "t1 still pings t2 and p3" eval "flows_on 1 t1 10.50.1.70 && flows_on 1 t1 10.50.1.200"
    check "ovsgw on host 1 again: it rebuilds from OVSDB" dhost_up 1
    check "... t1 is its endpoint, installed" \
        eval "on_host 1 _status | grep -q 'chassis host1, installed'"
    check "... a new container there (t3) works, reached from host 2" \
        eval "octr 1 t3 ft 10.50.1.11 && flows_on 2 t2 10.50.1.11"
    check "... and goes" hdk 1 rm -f t3

    # kill -9 of ovn-controller on host 2: the others carry on.
    local lsps links
    check "kill -9 ovn-controller on host 2" ovn_controller_kill 2
    check "host 1 and host 3 still talk" fake_ping_ok 3 p3 10.50.1.10
    check "t2 (host 2) still reaches t1 (flows stay)" flows_on 2 t2 10.50.1.10
    lsps=$(lsp_count)
    links=$(og_links 2)
    check "a container on host 2 now fails: ovn-controller does not install it" \
        run_fails_with 2 "ovn-controller has not installed port" \
        --name t4 --net ft --ip 10.50.1.71 "$OVN_IMAGE" sleep 60
    check "... and leaves no logical port" test "$(lsp_count)" = "$lsps"
    check "... and no veth" test "$(og_links 2)" = "$links"
    hdk 2 rm -f t4 >/dev/null 2>&1
    check "ovn-controller on host 2 again" ovn_controller_start 2
    check "... then a container there works, reached from host 1" \
        eval "octr 2 t4 ft 10.50.1.71 && flows_on 1 t1 10.50.1.71"

    # The northbound database goes away.
    lsps=$(lsp_count)
    links=$(og_links 1)
    check "stop the NB ovsdb-server" nb_stop
    check "t1 still pings t2 and p3" eval "flows_on 1 t1 10.50.1.70 && flows_on 1 t1 10.50.1.200"
    check "a new OVN network fails, naming the northbound database" \
        create_fails_with 1 "OVN northbound database" \
        --subnet 10.51.1.0/24 -o ovsgw.mode=ovn -o ovsgw.ovn.name=nb-down nbdown
    check "... and leaves no state on br-int" test "$(on_host 1 _br_int_nets)" = 1
    check "a container fails too, naming it" \
        run_fails_with 1 "OVN northbound database" \
        --name t5 --net ft --ip 10.50.1.12 "$OVN_IMAGE" sleep 60
    check "... and leaves no veth" test "$(og_links 1)" = "$links"
    hdk 1 rm -f t5 >/dev/null 2>&1
    check "docker rm -f t1 meanwhile: its side on host 1 goes all the same" \
        eval "hdk 1 rm -f t1 >/dev/null && [ \$(og_links 1) = \$((links - 1)) ]"
    check "the NB ovsdb-server back" nb_start
    check "... the tick deletes t1's logical port, left behind" \
        wait_for 15 lacks 10.50.1.10 ovn_nbctl --bare --columns=addresses \
        list Logical_Switch_Port
    check "... so host 2 may use t1's address" octr 2 t6 ft 10.50.1.10
    check "... then a container on host 1 works again" \
        eval "octr 1 t5 ft 10.50.1.12 && flows_on 2 t2 10.50.1.12"

    check "remove" eval "ovn_fake_del 3 p3 && hdk 1 rm -f t5 >/dev/null &&
        hdk 2 rm -f t2 t4 t6 >/dev/null && hdk 1 network rm ft && hdk 2 network rm ft"
    check "no logical switch or router left" \
        eval "[ \$(nb_rows Logical_Switch) = 0 ] && [ \$(nb_rows Logical_Router) = 0 ]"
    check "no veth or port of ovsgw's on either host" no_endpoints
    check "ovn-controller took its patch ports to the networks' bridges away" \
        wait_for 10 no_patch_ports
}

# (on a host) "outside": a network namespace hanging off the host's by a
# veth, 192.0.2.1 on the host, 192.0.2.2 outside, no route back to any
# container subnet: only NAT can answer.
_outside_up() {
    [ -e "$OVSGW_T/ns/outside" ] && return 0
    : >"$OVSGW_T/ns/outside"
    unshare --net="$OVSGW_T/ns/outside" true &&
        tns ip link add upxhost type veth peer name upxout &&
        tns ip link set upxout netns "$OVSGW_T/ns/outside" &&
        tns ip addr add 192.0.2.1/24 dev upxhost && tns ip link set upxhost up &&
        nsenter --net="$OVSGW_T/ns/outside" sh -c \
            'ip addr add 192.0.2.2/24 dev upxout && ip link set upxout up && ip link set lo up'
}
_outside_down() {
    tns ip link del upxhost 2>/dev/null
    umount "$OVSGW_T/ns/outside" 2>/dev/null
    rm -f "$OVSGW_T/ns/outside"
}
_out() { nsenter --net="$OVSGW_T/ns/outside" -- "$@"; }
# (on a host) a tcpcat outside on PORT sending 1 MB; its lines (the peer's
# address, then the stream's) in $OVSGW_T/out.PORT.
_serve_outside() {
    (exec nsenter --net="$OVSGW_T/ns/outside" -- timeout 60 "$OVSGW_TCPCAT" \
        -l "$1" -s 1000000 "$1" >"$OVSGW_T/out.$1" 2>&1) &
    sleep 0.3
}
_outside_line() {
    wait_for 30 bash -c "[ \$(wc -l <'$OVSGW_T/out.$1') -ge 2 ]" || return 1
    sed -n "${2}p" "$OVSGW_T/out.$1"
}
# way_out N C PORT: container C on host N fetches 1 MB from outside host
# N, content checked, and outside saw the host's address (masquerade).
way_out() {
    local n=$1 c=$2 port=$3 want got peer
    want=$("$OVSGW_TCPCAT" -g 1000000 "$port")
    on_host "$n" _serve_outside "$port" || return 1
    got=$(hdk "$n" exec "$c" timeout 30 tcpcat 192.0.2.2 "$port" 2>&1 | tail -n1)
    [ "$got" = "$want" ] || { echo "got '$got', want '$want'"; return 1; }
    peer=$(on_host "$n" _outside_line "$port" 1)
    [[ $peer == *" 192.0.2.1"* ]] || { echo "outside saw $peer, not the host"; return 1; }
}
# published N C HOSTPORT PORT: from outside host N, HOSTPORT on the host
# reaches C's PORT (a 1 MB stream from C).
published() {
    local n=$1 c=$2 hp=$3 port=$4 want got
    want=$("$OVSGW_TCPCAT" -g 1000000 "$port")
    hdk "$n" exec -d "$c" sh -c "timeout 30 tcpcat -l $port -s 1000000 $port" ||
        return 1
    sleep 0.3
    got=$(on_host "$n" _out timeout 30 "$OVSGW_TCPCAT" 192.0.2.1 "$hp" 2>&1 | tail -n1)
    [ "$got" = "$want" ] || { echo "got '$got', want '$want'"; return 1; }
}
# (on a host) the host reaches IP, and the network's host end is there.
_host_pings() { tns busybox ping -c1 -W2 "$1" >/dev/null; }
_uplinks() { tns ip -o link show | grep -c ': ovsgwu' || true; }
_mappings() { ovs-vsctl --if-exists get Open_vSwitch . external_ids:ovn-bridge-mappings 2>/dev/null; }

test_ovsgw_5_way_out() {
    check "hosts 1 and 2 up" dhosts_up
    check "an outside world for host 1 and for host 2" \
        eval "on_host 1 _outside_up && on_host 2 _outside_up"
    check "logical network 'wo' on hosts 1 and 2" eval \
        "net1 1 wo wo 10.60.1.0/24 10.60.1.1 10.60.1.0/26 &&
         net1 2 wo wo 10.60.1.0/24 10.60.1.1 10.60.1.64/26"
    check "'wi', --internal, on host 1" \
        net1 1 wi wi 10.61.1.0/24 10.61.1.1 10.61.1.0/26 --internal
    check "w1 on host 1 (publishing 18080 -> 9000), w2 on host 2, i1 in wi" \
        eval "octr 1 w1 wo 10.60.1.10 -p 18080:9000 && octr 2 w2 wo 10.60.1.70 &&
              octr 1 i1 wi 10.61.1.10"
    check "host 1 has a bridge and host end for 'wo' (one, not for 'wi')" \
        test "$(on_host 1 _uplinks)" = 1
    check "... mapped for OVN's localnet" \
        eval "on_host 1 _mappings | grep -q 'ovsgw-wo:ovsgwu'"
    check "the gateway is still virtual: no subnet address on host 1" \
        lacks '10\.60\.' on_host 1 tns ip -4 addr
    check "w1 (host 1) goes out through host 1: 1 MB, masqueraded" way_out 1 w1 7001
    check "w2 (host 2) goes out through host 2" way_out 2 w2 7002
    check "host 1 reaches w1" on_host 1 _host_pings 10.60.1.10
    check "host 2 reaches w2" on_host 2 _host_pings 10.60.1.70
    check "from outside host 1, its port 18080 reaches w1's 9000 (-p)" \
        published 1 w1 18080 9000
    check "the internal network has no way out (i1 pings its gateway, control)" \
        h 1 ping_ok i1 10.61.1.1
    check "... but not the outside" h 1 ping_fails i1 192.0.2.2
    check "w1 reaches the outside by ping too (control)" h 1 ping_ok w1 192.0.2.2

    check "remove" eval "hdk 1 rm -f w1 i1 >/dev/null && hdk 2 rm -f w2 >/dev/null &&
        hdk 1 network rm wo wi && hdk 2 network rm wo"
    check "no bridge or host end left on either host" \
        eval "[ \$(on_host 1 _uplinks) = 0 ] && [ \$(on_host 2 _uplinks) = 0 ]"
    check "no mapping left" eval "! on_host 1 _mappings | grep -q ovsgw"
    check "no route to the subnet left" lacks '10\.60\.' on_host 1 tns ip route
    check "no switch, router or port left in NB" \
        eval "[ \$(nb_rows Logical_Switch) = 0 ] && [ \$(nb_rows Logical_Router) = 0 ] &&
              [ \$(lsp_count) = 0 ]"
    on_host 1 _outside_down
    on_host 2 _outside_down
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
