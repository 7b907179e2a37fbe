# shellcheck shell=bash
# Issue 12: dual-stack networks whose IPv6 gateways are answered by flows
# (by ovsgw itself on the kernel datapath):
# addresses, ping6 and TCP/UDP in a subnet and routed, DAD, no flooding,
# spoofing, IPv6 TCP rules, restarts, and the way out over IPv6.

V6_HOST=fd00:99::1
V6_OUT=fd00:99::2

# dual_net NAME [OPTIONS...]: 10.40.1.0/24 + fd00:40:1::/64 and
# 10.40.2.0/24 + fd00:40:2::/64.
dual_net() {
    local name=$1
    shift
    dk network create -d "$DRIVER" --ipv6 \
        --subnet 10.40.1.0/24 --gateway 10.40.1.1 \
        --subnet 10.40.2.0/24 --gateway 10.40.2.1 \
        --subnet fd00:40:1::/64 --gateway fd00:40:1::1 \
        --subnet fd00:40:2::/64 --gateway fd00:40:2::1 "$@" "$name" >/dev/null
}

# ctr6 NAME NETWORK IPV4 IPV6 [docker run options...]
ctr6() {
    local name=$1 net=$2 ip=$3 ip6=$4
    shift 4
    ctr "$name" "$net" "$ip" --ip6 "$ip6" "$@"
}

ping6_ok() {
    local _
    for _ in 1 2 3; do
        dk exec "$1" ping -6 -c1 -W2 "$2" >/dev/null 2>&1 && return 0
    done
    echo "no answer from $2 to $1"
    return 1
}
ping6_fails() {
    dk exec "$1" true >/dev/null 2>&1 || { echo "no container $1"; return 1; }
    ! dk exec "$1" ping -6 -c2 -W1 "$2" >/dev/null 2>&1
}

# addr6_ready CONTAINER ADDRESS: the address is on eth0, and neither
# tentative nor dadfailed.
addr6_ready() {
    local out
    out=$(dk exec "$1" ip -6 addr show dev eth0) || return 1
    grep -q "inet6 $2/" <<<"$out" || { echo "$out"; return 1; }
    ! grep -E -q 'tentative|dadfailed' <<<"$out" || { echo "$out"; return 1; }
}

# tcp6_ok CLIENT SERVER ADDRESS PORT: 1 MB from SERVER to CLIENT over
# IPv6, content checked.
tcp6_ok() {
    local want got
    want=$("$OVSGW_TCPCAT" -g 1000000 "$4")
    serve_in "$2" "$4" -s 1000000 "$4"
    got=$(dk exec "$1" tcpcat "$3" "$4" 2>&1 | tail -n1)
    [ "$got" = "$want" ] || { echo "got '$got', want '$want'"; return 1; }
}
tcp6_blocked() {
    serve_in "$2" "$4" -s 1000 1
    ! dk exec "$1" timeout 5 tcpcat "$3" "$4" >/dev/null 2>&1
}

# icmp6_in CONTAINER COUNTER: an ICMPv6 counter of the container's
# /proc/net/snmp6, e.g. Icmp6InNeighborSolicits.
icmp6_in() {
    dk exec "$1" cat /proc/net/snmp6 | awk -v k="$2" '$1 == k { print $2 }'
}

# nd_by FLOWS WANT NOT: the flows have WANT and nothing like NOT.
nd_by() {
    grep -q -- "$2" <<<"$1" && ! grep -q -- "$3" <<<"$1" && return 0
    echo "$1"
    return 1
}

test_ipv6_core() {
    check "a dual-stack network" dual_net v6net
    ctr6 a1 v6net 10.40.1.10 fd00:40:1::10
    ctr6 a2 v6net 10.40.1.11 fd00:40:1::11
    ctr6 b1 v6net 10.40.2.10 fd00:40:2::10
    check "a1 has its IPv6 address, DAD done" \
        wait_for 10 addr6_ready a1 fd00:40:1::10
    check "b1 too" wait_for 10 addr6_ready b1 fd00:40:2::10
    check "a1's default IPv6 route is via its gateway" \
        has "$(dk exec a1 ip -6 route)" "default via fd00:40:1::1"
    check "a1 pings its IPv6 gateway" ping6_ok a1 fd00:40:1::1
    # Who answers the solicitations depends on the datapath: the flows on
    # the userspace one, ovsgw (packet-ins) on the kernel one.
    local br dp flows
    br=ovsgw-$(dk network inspect -f '{{.Id}}' v6net | cut -c1-9)
    dp=$(ovsctl get bridge "$br" datapath_type)
    flows=$(dump_flows "$br")
    if [ "$dp" = system ]; then
        check "kernel datapath: solicitations go to ovsgw, no ND stage 2" \
            nd_by "$flows" 'table=10,.*icmp6,.*icmp_type=135 actions=CONTROLLER:65535' 'table=11'
    else
        check "userspace datapath: the flows answer solicitations (stage 2)" \
            nd_by "$flows" 'table=11.*nd_reserved' 'CONTROLLER'
    fi
    check "b1 pings its IPv6 gateway" ping6_ok b1 fd00:40:2::1
    check "a1 learnt the gateway as a router" \
        has "$(dk exec a1 ip -6 neigh show fd00:40:1::1)" router
    check "a1 -> a2 (same subnet)" ping6_ok a1 fd00:40:1::11
    check "a1 -> b1 (routed)" ping6_ok a1 fd00:40:2::10
    check "b1 -> a1 (routed)" ping6_ok b1 fd00:40:1::10
    local hops
    hops=$(dk exec a1 ping -6 -c1 -W2 fd00:40:2::10 | grep -o 'ttl=[0-9]*')
    check "routed: the hop limit went down by one ($hops)" \
        test "$hops" = ttl=63
    local ll2
    ll2=$(dk exec a2 ip -6 addr show dev eth0 scope link |
        grep -o 'fe80::[0-9a-f:]*')
    check "a1 -> a2 by its link-local address ($ll2)" \
        ping6_ok a1 "$ll2%eth0"
    check "TCP a1 -> b1 over IPv6, routed, content checked" \
        tcp6_ok a1 b1 fd00:40:2::10 9101
    check "TCP b1 -> a2 over IPv6, routed" tcp6_ok b1 a2 fd00:40:1::11 9102
    check "TCP a1 -> a2 over IPv6, same subnet" \
        tcp6_ok a1 a2 fd00:40:1::11 9103
    dk exec -d b1 sh -c 'udpcat -l 9104 10 > /tmp/udp6' >/dev/null
    sleep 0.3
    dk exec a1 udpcat fd00:40:2::10 9104 udp6-a1-to-b1 >/dev/null
    check "UDP a1 -> b1 over IPv6" \
        wait_for 5 dk exec b1 grep -q udp6-a1-to-b1 /tmp/udp6
    # No flooding: nobody ever gets a neighbor solicitation (the flows
    # answer them all), so a third container sees none of a1 and a2
    # resolving each other.
    # (Two new containers that have not resolved each other yet.)
    local na_before
    ctr6 n1 v6net 10.40.1.20 fd00:40:1::20
    ctr6 n2 v6net 10.40.1.21 fd00:40:1::21
    wait_for 10 addr6_ready n1 fd00:40:1::20
    wait_for 10 addr6_ready n2 fd00:40:1::21
    na_before=$(icmp6_in n1 Icmp6InNeighborAdvertisements)
    ping6_ok n1 fd00:40:1::21 >/dev/null
    ping6_ok n2 fd00:40:1::20 >/dev/null
    check "n1 got its answer as an advertisement (control)" \
        test "$(icmp6_in n1 Icmp6InNeighborAdvertisements)" -gt "$na_before"
    check "b1 received no neighbor solicitation" \
        test "$(icmp6_in b1 Icmp6InNeighborSolicits)" = 0
    check "... nor did n2 (it was resolved by the flows, not asked)" \
        test "$(icmp6_in n2 Icmp6InNeighborSolicits)" = 0
    dk rm -f n1 n2 >/dev/null
    check "EndpointOperInfo-level status shows the IPv6 address" \
        has "$("$OVSGW_BIN" status --json --socket "$OVSGW_SOCK")" \
        '"address_ipv6": "fd00:40:1::10/64"'
    # A daemon restart keeps IPv6 endpoints working.
    kill_ovsgw
    check "with ovsgw killed, a1 -> b1 over IPv6" ping6_ok a1 fd00:40:2::10
    start_ovsgw
    check "after the restart, a1 -> b1 over IPv6" ping6_ok a1 fd00:40:2::10
    ctr6 a3 v6net 10.40.1.12 fd00:40:1::12
    check "a new container after the restart reaches a1" \
        ping6_ok a3 fd00:40:1::10
    dk rm -f a1 a2 a3 b1 >/dev/null
    check "network rm" dk network rm v6net
}

test_ipv6_spoofing() {
    check "a dual-stack network" dual_net v6spoof
    ctr6 victim v6spoof 10.40.1.10 fd00:40:1::10
    ctr6 observer v6spoof 10.40.1.11 fd00:40:1::11
    ctr6 attacker v6spoof 10.40.1.12 fd00:40:1::12 --cap-add NET_ADMIN
    local vmac amac
    vmac=$(dk exec victim cat /sys/class/net/eth0/address)
    amac=$(dk exec attacker cat /sys/class/net/eth0/address)
    check "observer reaches the victim (control)" \
        ping6_ok observer fd00:40:1::10
    check "the attacker reaches the observer (control)" \
        ping6_ok attacker fd00:40:1::11
    # A forged advertisement: "the victim's address is at my MAC".
    dk exec attacker ndsend na fd00:40:1::10 "$amac" >/dev/null 2>&1
    dk exec attacker ndsend na fd00:40:1::10 "$amac" >/dev/null 2>&1
    check "after a forged NA, observer still has the victim's MAC" \
        has "$(dk exec observer ip -6 neigh show fd00:40:1::10)" "$vmac"
    check "... and still reaches the victim" ping6_ok observer fd00:40:1::10
    # A solicitation with someone else's MAC as its source option.
    dk exec attacker ip -6 neigh flush dev eth0 >/dev/null 2>&1
    dk exec attacker ndsend ns fd00:40:1::11 "$vmac" >/dev/null 2>&1
    check "a forged NS source option poisons nobody: observer keeps the \
victim's MAC" has "$(dk exec observer ip -6 neigh show fd00:40:1::10)" "$vmac"
    # Another address: reaches nobody.
    dk exec attacker ip -6 addr del fd00:40:1::12/64 dev eth0
    dk exec attacker ip -6 addr add fd00:40:1::99/64 dev eth0
    dk exec attacker ip -6 route add default via fd00:40:1::1 2>/dev/null
    check "(the attacker has only fd00:40:1::99 now)" \
        lacks 'fd00:40:1::12' dk exec attacker ip -6 addr show dev eth0
    check "(... and DAD let it keep it)" \
        wait_for 10 addr6_ready attacker fd00:40:1::99
    check_not "with an address of its own choosing it reaches nobody" \
        ping6_ok attacker fd00:40:1::11
    check_not "... not even the gateway" ping6_ok attacker fd00:40:1::1
    dk exec attacker ip -6 addr del fd00:40:1::99/64 dev eth0
    dk exec attacker ip -6 addr add fd00:40:1::10/64 dev eth0
    dk exec attacker ip -6 route add default via fd00:40:1::1 2>/dev/null
    check "(the attacker has the victim's address: DAD does not see the \
victim)" wait_for 10 addr6_ready attacker fd00:40:1::10
    check_not "with the victim's address it reaches nobody" \
        ping6_ok attacker fd00:40:1::11
    dk rm -f victim observer attacker >/dev/null
    check "network rm" dk network rm v6spoof
}

test_ipv6_policy() {
    check "dual-stack network with an IPv6 rule (the seed's, in IPv6)" \
        dual_net v6pol -o 'ovsgw.tcp.rules=deny fd00:40:2::/64->fd00:40:1::/64'
    ctr6 p1 v6pol 10.40.1.10 fd00:40:1::10
    ctr6 p2 v6pol 10.40.2.10 fd00:40:2::10
    check "p1 -> p2 over IPv6: a connection, data both ways" \
        tcp6_ok p1 p2 fd00:40:2::10 9201
    check "p2 -> p1 over IPv6 is refused" tcp6_blocked p2 p1 fd00:40:1::10 9202
    check "... while p2 -> p1 over IPv4 is not (the rule is IPv6's)" \
        tcp6_ok p2 p1 10.40.1.10 9203
    check "... and ping6 p2 -> p1 passes (only TCP is judged)" \
        ping6_ok p2 fd00:40:1::10
    dk rm -f p1 p2 >/dev/null
    check "network rm" dk network rm v6pol
    check "a port rule in brackets" dual_net v6pol2 \
        -o 'ovsgw.tcp.rules=deny any->[fd00:40:1::10]:9301'
    ctr6 q1 v6pol2 10.40.1.10 fd00:40:1::10
    ctr6 q2 v6pol2 10.40.2.10 fd00:40:2::10
    check "q2 -> [q1]:9301 is refused" tcp6_blocked q2 q1 fd00:40:1::10 9301
    check "q2 -> [q1]:9302 is not" tcp6_ok q2 q1 fd00:40:1::10 9302
    dk rm -f q1 q2 >/dev/null
    check "network rm" dk network rm v6pol2
    check "a bad IPv6 rule fails naming the token" create_fails_args \
        'bad CIDR "fd00::/129"' --ipv6 --subnet 10.41.1.0/24 \
        --subnet fd00:41::/64 -o 'ovsgw.tcp.rules=deny fd00::/129->any' badv6
    check "an IPv6 rule on a network without IPv6 fails naming it" \
        create_fails_args 'rule 1 is IPv6 and the network has no IPv6' \
        --subnet 10.41.1.0/24 -o 'ovsgw.tcp.rules=deny any->fd00::1' badv6
    check "nothing is left of them" no_leftovers
}

test_ipv6_outside() {
    outside_up
    tns ip -6 addr add "$V6_HOST/64" dev upxhost nodad
    out ip -6 addr add "$V6_OUT/64" dev upxout nodad
    tns sysctl -qw net.ipv6.conf.all.forwarding=1
    check "a dual-stack network" dual_net v6out
    ctr6 o1 v6out 10.40.1.10 fd00:40:1::10 -p 18180:8080
    local up
    up=$(uplink_of "ovsgw-$(dk network inspect -f '{{.Id}}' v6out | cut -c1-9)")
    check "the host routes the IPv6 subnets through the uplink" \
        has "$(tns ip -6 route)" "fd00:40:1::/64 via fd00:40:1::1 dev $up"
    check "the host reaches o1 over IPv6" \
        tns /bin/busybox ping -6 -c1 -W2 fd00:40:1::10
    check "o1 pings the outside over IPv6" ping6_ok o1 "$V6_OUT"
    serve_outside 9301 -s 1000000 31
    local got
    got=$(dk exec o1 tcpcat "$V6_OUT" 9301 | tail -n1)
    check "TCP outside -> o1 over IPv6, content intact" \
        test "$got" = "$("$OVSGW_TCPCAT" -g 1000000 31)"
    check "... the outside saw the host's address (NAT66)" \
        test "$(outside_line 9301 1)" = "peer $V6_HOST"
    check "the published port answers on the host's IPv6 address" \
        served_by o1 8080 out "$OVSGW_TCPCAT" "$V6_HOST" 18180
    check "... and on its IPv4 address" \
        served_by o1 8080 out "$OVSGW_TCPCAT" "$HOST_IP" 18180
    dk rm -f o1 >/dev/null
    check "network rm" dk network rm v6out
    check "no IPv6 route is left" lacks 'fd00:40:' tns ip -6 route
    check "no ip6tables rule of ovsgw is left" lacks OVSGW tns ip6tables-save
    tns sysctl -qw net.ipv6.conf.all.forwarding=0
    outside_down
}
