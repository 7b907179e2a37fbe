# shellcheck shell=bash
# Issue 11: the way out (NAT), host access and published ports through the
# virtual gateway, beside Docker's bridge driver on the same dockerd.
#
# "outside" is a network namespace of the test's, hanging off the test
# namespace (the "host") by a veth: 192.0.2.1 on the host, 192.0.2.2
# outside, and no route back to any container subnet, so only NAT can
# answer.  Traffic goes nowhere else.

HOST_IP=192.0.2.1
OUT_IP=192.0.2.2

out() { nsenter --net="$OVSGW_T/ns/outside" -- "$@"; }

outside_up() {
    mkdir -p "$OVSGW_T/ns"
    : >"$OVSGW_T/ns/outside"
    unshare --net="$OVSGW_T/ns/outside" true
    tns ip link add upxhost type veth peer name upxout
    tns ip link set upxout netns "$OVSGW_T/ns/outside"
    tns ip addr add "$HOST_IP/24" dev upxhost
    tns ip link set upxhost up
    out ip addr add "$OUT_IP/24" dev upxout
    out ip link set upxout up
    out ip link set lo up
}

outside_down() {
    tns ip link del upxhost 2>/dev/null
    umount "$OVSGW_T/ns/outside" 2>/dev/null
    rm -f "$OVSGW_T/ns/outside"
}

# serve_outside PORT [-s SIZE SEED]: tcpcat listening outside; its output
# (peer address, then the stream's line) goes to $OVSGW_T/out.PORT.
serve_outside() {
    local port=$1
    shift
    (exec nsenter --net="$OVSGW_T/ns/outside" -- timeout 60 \
        "$OVSGW_TCPCAT" -l "$port" "$@" >"$OVSGW_T/out.$port" 2>&1) &
    sleep 0.3
}
# outside_line PORT N: line N of what the outside listener printed, once
# it is done.
outside_line() {
    wait_for 60 bash -c "[ \$(wc -l <'$OVSGW_T/out.$1') -ge 2 ]" || return 1
    sed -n "${2}p" "$OVSGW_T/out.$1"
}

# serve_in CONTAINER PORT [-s SIZE SEED]: tcpcat listening in a container,
# its output in /tmp/in.PORT there.
serve_in() {
    local c=$1 port=$2
    shift 2
    dk exec -d "$c" sh -c "timeout 60 tcpcat -l $port $* > /tmp/in.$port 2>&1"
    sleep 0.3
}
in_line() {
    local _
    for _ in $(seq 100); do
        if [ "$(dk exec "$1" sh -c "wc -l < /tmp/in.$2")" -ge 2 ]; then
            dk exec "$1" sed -n "${3}p" "/tmp/in.$2"
            return 0
        fi
        sleep 0.2
    done
    return 1
}

# served_by CONTAINER PORT CLIENT_CMD...: runs the client against a new
# server in CONTAINER on PORT (tcpcat serves one client) that sends 1 MB;
# the client's line must match the stream's.
served_by() {
    local c=$1 port=$2 want got
    shift 2
    want=$("$OVSGW_TCPCAT" -g 1000000 42)
    serve_in "$c" "$port" -s 1000000 42
    got=$("$@" 2>&1 | tail -n1)
    [ "$got" = "$want" ] || { echo "got '$got', want '$want'"; return 1; }
}
served_by_web() { served_by web 8080 "$@"; }

# restart_dockerd: stops dockerd (it stops its containers) and starts it
# again; the containers stay, stopped.
restart_dockerd() {
    local pid
    pid=$(dockerd_pid)
    kill -TERM "$pid"
    wait_until 60 pid_dead "$pid"
    docker_start
}

uplink_of() { ovsctl --bare --columns=name find Interface \
    "external_ids:ovsgw-uplink=$1"; }

nf_rules() { tns iptables-save | grep -c -- "$1" || true; }

test_uplink_outbound() {
    outside_up
    check "network" dk network create -d "$DRIVER" --subnet 10.30.1.0/24 \
        --gateway 10.30.1.1 --subnet 10.30.2.0/24 --gateway 10.30.2.1 upnet
    ctr c1 upnet 10.30.1.10
    ctr c2 upnet 10.30.2.10
    local br up
    br=$(dk network inspect -f '{{.Id}}' upnet | cut -c1-9)
    br=ovsgw-$br
    up=$(uplink_of "$br")
    check "the bridge has an uplink port" test -n "$up"
    check "the gateway is still virtual: no address of a subnet on the host" \
        lacks '10\.30\.' tns ip -4 addr
    check "the host routes 10.30.1.0/24 through the uplink" \
        has "$(tns ip route)" "10.30.1.0/24 via 10.30.1.1 dev $up"
    check "... and 10.30.2.0/24" \
        has "$(tns ip route)" "10.30.2.0/24 via 10.30.2.1 dev $up"
    check "c1 still pings its gateway" ping_ok c1 10.30.1.1
    check "c1 -> c2 still routed by flows" ping_ok c1 10.30.2.10
    check "c1 pings the outside" ping_ok c1 "$OUT_IP"
    check "c2 (other subnet) pings the outside" ping_ok c2 "$OUT_IP"
    check "the host pings c1 by its address" tns busybox ping -c1 -W2 10.30.1.10
    check "the host reaches the gateway too" tns busybox ping -c1 -W2 10.30.1.1
    # 50 MB each way through NAT, content checked.
    serve_outside 9001 -s 50000000 7
    local got want
    want=$("$OVSGW_TCPCAT" -g 50000000 7)
    got=$(dk exec c1 tcpcat "$OUT_IP" 9001 | tail -n1)
    check "50 MB outside -> c1 through NAT, content intact" \
        test "$got" = "$want"
    check "... the outside saw the host's address (masquerade)" \
        test "$(outside_line 9001 1)" = "peer $HOST_IP"
    serve_outside 9002
    dk exec c1 tcpcat "$OUT_IP" 9002 -s 50000000 8 >/dev/null
    check "50 MB c1 -> outside through NAT, content intact" \
        test "$(outside_line 9002 2)" = "$("$OVSGW_TCPCAT" -g 50000000 8)"
    check "ovsgw status shows the uplink and NAT" bash -c \
        "$OVSGW_BIN status --socket $OVSGW_SOCK | grep -q 'uplink    $up (NAT)'"
    # Anti-spoofing holds for traffic that leaves.
    dk exec c1 sh -c 'true' >/dev/null
    ctr spoof upnet 10.30.1.20 --cap-add NET_ADMIN
    check "spoof pings the outside (control)" ping_ok spoof "$OUT_IP"
    dk exec spoof sh -c 'ip addr flush dev eth0 && \
        ip addr add 10.30.1.21/24 dev eth0 && \
        ip route add default via 10.30.1.1' >/dev/null 2>&1
    check "with another address, it reaches nothing outside" \
        ping_fails spoof "$OUT_IP"
    dk rm -f c1 c2 spoof >/dev/null
    check "network rm" dk network rm upnet
    check "no route is left" lacks '10\.30\.' tns ip route
    check "no rule or chain of ovsgw is left" \
        test "$(nf_rules OVSGW)" -eq 0
    outside_down
}

test_uplink_internal() {
    outside_up
    check "internal network" dk network create -d "$DRIVER" --internal \
        --subnet 10.31.1.0/24 --gateway 10.31.1.1 innet
    check "a routed network (control)" dk network create -d "$DRIVER" \
        --subnet 10.31.2.0/24 --gateway 10.31.2.1 outnet
    ctr i1 innet 10.31.1.10
    ctr o1 outnet 10.31.2.10
    check "the routed container pings the outside (control)" \
        ping_ok o1 "$OUT_IP"
    check "the internal one pings its gateway" ping_ok i1 10.31.1.1
    check "the internal one has no way out" ping_fails i1 "$OUT_IP"
    check "the host has no route to the internal network" \
        lacks '10\.31\.1\.' tns ip route
    check "no rule for the internal network" test "$(nf_rules 10.31.1.)" -eq 0
    check "ovsgw status says internal" bash -c \
        "$OVSGW_BIN status --socket $OVSGW_SOCK | grep -q 'internal (no way out)'"
    dk rm -f i1 o1 >/dev/null
    check "network rm" dk network rm innet outnet
    outside_down
}

test_uplink_nat_false() {
    outside_up
    check "network with ovsgw.nat=false" dk network create -d "$DRIVER" \
        -o ovsgw.nat=false --subnet 10.32.1.0/24 --gateway 10.32.1.1 rtnet
    ctr r1 rtnet 10.32.1.10
    check "without a route back, the outside cannot answer" \
        ping_fails r1 "$OUT_IP"
    out ip route add 10.32.1.0/24 via "$HOST_IP"
    check "with the operator's route, r1 pings the outside" \
        ping_ok r1 "$OUT_IP"
    serve_outside 9003 -s 1000000 3
    dk exec r1 tcpcat "$OUT_IP" 9003 >/dev/null
    check "the outside sees r1's own address" \
        test "$(outside_line 9003 1)" = "peer 10.32.1.10"
    check "no masquerade rule for it" \
        test "$(nf_rules '10.32.1.0/24 ! -o')" -eq 0
    dk rm -f r1 >/dev/null
    check "network rm" dk network rm rtnet
    outside_down
}

test_uplink_ports() {
    outside_up
    check "network" dk network create -d "$DRIVER" --subnet 10.33.1.0/24 \
        --gateway 10.33.1.1 pnet
    check "a container with -p 18080:8080 and -p 18081:8081/udp starts" \
        ctr web pnet 10.33.1.10 -p 18080:8080 -p 18081:8081/udp
    ctr sib pnet 10.33.1.11
    check "from the outside, through the host's address" \
        served_by_web out "$OVSGW_TCPCAT" "$HOST_IP" 18080
    check "... the container sees the client's own address" \
        test "$(in_line web 8080 1)" = "peer $OUT_IP"
    check "from the host, through its own address" \
        served_by_web tns "$OVSGW_TCPCAT" "$HOST_IP" 18080
    check "from the host's 127.0.0.1" \
        served_by_web tns "$OVSGW_TCPCAT" 127.0.0.1 18080
    check "from a sibling container, through the host's address" \
        served_by_web dk exec sib tcpcat "$HOST_IP" 18080
    check "from the container itself, through the host's address" \
        served_by_web dk exec web tcpcat "$HOST_IP" 18080
    dk exec -d web sh -c 'udpcat -l 8081 20 > /tmp/udp.8081'
    sleep 0.3
    out "$OVSGW_UDPCAT" "$HOST_IP" 18081 "udp-through-port"
    check "UDP from the outside reaches its container port" \
        wait_for 5 dk exec web grep -q udp-through-port /tmp/udp.8081
    # A published port reaches only its container port.
    out ip route add 10.33.1.0/24 via "$HOST_IP"
    serve_in web 8082 -s 1000 1
    check_not "the outside cannot open an unpublished port of the container" \
        out timeout 5 "$OVSGW_TCPCAT" 10.33.1.10 8082
    check_not "... nor the published one by the container's address" \
        out timeout 5 "$OVSGW_TCPCAT" 10.33.1.10 8080
    out ip route del 10.33.1.0/24
    local ep
    ep=$(dk inspect -f '{{range .NetworkSettings.Networks}}{{.EndpointID}}{{end}}' web)
    check "ovsgw status shows the published ports" bash -c \
        "$OVSGW_BIN status --socket $OVSGW_SOCK | grep -q '0.0.0.0:18080->8080/tcp'"
    # -p 8090 (any host port): ovsgw picks one and shows it.
    check "-p 8090 starts" ctr anyport pnet 10.33.1.12 -p 8090
    local hp
    hp=$($OVSGW_BIN status --json --socket "$OVSGW_SOCK" | tr -d ' \n' |
        grep -o '"host_port":[0-9]*,"port":8090' | grep -o '[0-9]*' | head -n1)
    hp=${hp:-$($OVSGW_BIN status --json --socket "$OVSGW_SOCK" | tr -d ' \n' |
        grep -o '"port":8090,"host_port":[0-9]*' | grep -o '[0-9]*$')}
    check "... on a port of Docker's ephemeral range ($hp)" \
        bash -c "[ '${hp:-0}' -ge 49153 ] && [ '${hp:-0}' -le 60999 ]"
    # A host port in use is a clear error, and nothing is half-made.
    (exec nsenter --net="$OVSGW_NETNS" -- timeout 60 "$OVSGW_TCPCAT" \
        -l 18085 >/dev/null 2>&1) &
    local holder=$!
    sleep 0.3
    check_not "a host port a process holds fails the container" \
        ctr busy1 pnet 10.33.1.13 -p 18085:80
    check "... with an Err that names it" grep -q \
        "host port 0.0.0.0:18085/tcp is in use by a process" \
        "$OVSGW_LOG"
    check_not "a host port another container holds fails too" \
        ctr busy2 pnet 10.33.1.14 -p 18080:80
    check "... naming the endpoint" grep -q \
        "host port 0.0.0.0:18080/tcp is in use by endpoint ${ep:0:12}" \
        "$OVSGW_LOG"
    check "no rule for the refused ports" \
        lacks 'dport 18085|10\.33\.1\.14' tns iptables-save
    kill "$holder" 2>/dev/null
    wait "$holder" 2>/dev/null
    dk rm -f busy1 busy2 >/dev/null 2>&1
    # Taking the container away takes exactly its rules.
    dk rm -f anyport >/dev/null
    check "the other container's rules stay" \
        test "$(nf_rules 'dport 18080')" -ge 1
    dk rm -f web sib >/dev/null
    check "no DNAT rule is left once the containers are gone" \
        test "$(nf_rules '-j DNAT')" -eq 0
    check "network rm" dk network rm pnet
    check "nothing of ovsgw is left in iptables" test "$(nf_rules OVSGW)" -eq 0
    outside_down
}

# Two ovsgw networks cannot reach each other, also not through the host,
# and no container reaches the host's 127.0.0.0/8.
test_uplink_isolation() {
    outside_up
    check "net A" dk network create -d "$DRIVER" --subnet 10.34.1.0/24 \
        --gateway 10.34.1.1 isoa
    check "net B" dk network create -d "$DRIVER" --subnet 10.34.2.0/24 \
        --gateway 10.34.2.1 isob
    ctr a1 isoa 10.34.1.10 --cap-add NET_ADMIN
    ctr b1 isob 10.34.2.10 -p 18090:8080
    check "a1 pings the outside (control: the way through the host works)" \
        ping_ok a1 "$OUT_IP"
    check "a1 cannot reach b1 through the host" ping_fails a1 10.34.2.10
    serve_in b1 8081 -s 1000 5
    check_not "... nor open a connection to it" \
        dk exec a1 timeout 5 tcpcat 10.34.2.10 8081
    check "but b1's published port is open to a1, like to anyone" \
        served_by b1 8080 dk exec a1 tcpcat "$HOST_IP" 18090
    # The host's loopback: a listener on 127.0.0.1 only, and a container
    # that sends to 127.0.0.1 through its gateway.
    (exec nsenter --net="$OVSGW_NETNS" -- timeout 30 "$OVSGW_TCPCAT" \
        -l 18099 >"$OVSGW_T/lo.out" 2>&1) &
    local lo=$!
    sleep 0.3
    dk exec a1 sh -c 'ip route del local 127.0.0.0/8 table local; \
        ip route add 127.0.0.0/8 via 10.34.1.1 dev eth0 onlink' \
        >/dev/null 2>&1
    check_not "a1 cannot reach the host's 127.0.0.1" \
        dk exec a1 timeout 5 tcpcat 127.0.0.1 18099
    check "... the listener saw nothing" test ! -s "$OVSGW_T/lo.out"
    kill "$lo" 2>/dev/null
    wait "$lo" 2>/dev/null
    dk rm -f a1 b1 >/dev/null
    check "network rm" dk network rm isoa isob
    outside_down
}

# host_routes -4|-6 TEXT...: the host's routing table shows every TEXT.
# (Not 'ip route | grep -q': with pipefail, grep's early exit can fail
# the pipeline.)
host_routes() {
    local out t
    out=$(tns ip "$1" route) || return 1
    shift
    for t; do
        has "$out" "$t" || return 1
    done
}

# Two networks on one bridge share its uplink port: the host reaches both
# over IPv4 and IPv6 (on the kernel datapath ovsgw answers the host's
# solicitations for either network's gateway, whichever came first), and
# removing one removes its routes (the port, and so the device, stays for
# the other).
test_uplink_shared_bridge() {
    outside_up
    check "net A on bridge brup" dk network create -d "$DRIVER" --ipv6 \
        --subnet 10.36.1.0/24 --gateway 10.36.1.1 \
        --subnet fd00:36:1::/64 --gateway fd00:36:1::1 -o ovsgw.bridge=brup upa
    check "net B on the same bridge" dk network create -d "$DRIVER" --ipv6 \
        --subnet 10.36.2.0/24 --gateway 10.36.2.1 \
        --subnet fd00:36:2::/64 --gateway fd00:36:2::1 -o ovsgw.bridge=brup upb
    ctr a1 upa 10.36.1.10 --ip6 fd00:36:1::10
    ctr b1 upb 10.36.2.10 --ip6 fd00:36:2::10
    check "the host routes both subnets" \
        host_routes -4 "10.36.1.0/24 via" "10.36.2.0/24 via"
    check "a1 has its IPv6 address, DAD done" \
        wait_for 30 addr6_ready a1 fd00:36:1::10
    check "b1 too" wait_for 30 addr6_ready b1 fd00:36:2::10
    check "the host reaches a1 over IPv6 (A's gateway, through the shared uplink)" \
        wait_for 20 tns busybox ping -6 -c1 -W2 fd00:36:1::10
    check "... and b1 (B's)" wait_for 20 tns busybox ping -6 -c1 -W2 fd00:36:2::10
    dk rm -f a1 >/dev/null
    check "network rm A" dk network rm upa
    check "A's routes are gone at once" \
        eval "lacks '^10\.36\.1\.' tns ip route &&
              lacks '^fd00:36:1::' tns ip -6 route"
    check "B's stay (control)" \
        eval 'host_routes -4 "10.36.2.0/24 via" &&
              host_routes -6 "fd00:36:2::/64 via"'
    check "b1 still pings the outside" ping_ok b1 "$OUT_IP"
    check "the host still reaches b1 over IPv6" tns busybox ping -6 -c1 -W2 fd00:36:2::10
    dk rm -f b1 >/dev/null
    check "network rm B" dk network rm upb
    check "no route is left" \
        eval "lacks '10\.36\.' tns ip route && lacks 'fd00:36:' tns ip -6 route"
    outside_down
}

# Faults: kill -9 of ovsgw in the middle of a transfer, restarts of
# dockerd and ovs-vswitchd, rules flushed by hand.
test_uplink_faults() {
    outside_up
    check "network" dk network create -d "$DRIVER" --subnet 10.35.1.0/24 \
        --gateway 10.35.1.1 fnet
    ctr f1 fnet 10.35.1.10 -p 18095:8080
    check "f1 pings the outside" ping_ok f1 "$OUT_IP"
    # kill -9 in the middle of a transfer.
    serve_outside 9005 -s 200000000 11
    dk exec -d f1 sh -c "tcpcat $OUT_IP 9005 > /tmp/big 2>&1"
    sleep 0.5
    kill_ovsgw
    check "with ovsgw killed, f1 still pings the outside" \
        ping_ok f1 "$OUT_IP"
    check "... and its published port still answers" \
        served_by f1 8080 out "$OVSGW_TCPCAT" "$HOST_IP" 18095
    start_ovsgw
    check "the transfer that ran through the kill arrived whole" \
        wait_for 60 bash -c "[ \"\$($DOCKER exec f1 tail -n1 /tmp/big)\" = \
                             \"\$($OVSGW_TCPCAT -g 200000000 11)\" ]"
    check "after the restart, no rule is there twice" bash -c \
        "[ \$(nsenter --net=$OVSGW_NETNS iptables-save | grep -E '^-A' \
            | sort | uniq -d | wc -l) -eq 0 ]"
    check "... and one jump into each chain" \
        test "$(nf_rules '^-A FORWARD -j OVSGW')" -eq 1
    # Rules flushed by hand come back within the tick.
    local base
    base=$(tns iptables-save -t nat | grep -o '^:OVSGW[^ ]*-POST' | tr -d :)
    tns iptables -t nat -F "$base"
    tns iptables -D FORWARD -j "${base%-POST}-FWD"
    check "flushed rules come back" wait_for 10 bash -c \
        "nsenter --net=$OVSGW_NETNS iptables-save | grep -q -- '-A FORWARD -j ${base%-POST}-FWD' && \
         nsenter --net=$OVSGW_NETNS iptables-save -t nat | grep -q -- '-A $base -s 10.35.1.0/24'"
    check "f1 pings the outside again" ping_ok f1 "$OUT_IP"
    # ovs-vswitchd restart: a new tap for the uplink, readied again.
    ovs_restart_vswitchd
    check "after an ovs-vswitchd restart, f1 pings the outside" \
        wait_for 20 dk exec f1 ping -c1 -W1 "$OUT_IP"
    check "... and the host reaches f1" \
        wait_for 10 tns busybox ping -c1 -W1 10.35.1.10
    # dockerd restart: it re-makes its chains and sets FORWARD's policy to
    # DROP; ovsgw's traffic flows when the container is back.
    restart_dockerd
    check "dockerd set FORWARD's policy to DROP" bash -c \
        "nsenter --net=$OVSGW_NETNS iptables-save -t filter | grep -q ':FORWARD DROP'"
    dk start f1 >/dev/null
    check "after a dockerd restart, f1 pings the outside" \
        wait_for 20 dk exec f1 ping -c1 -W1 "$OUT_IP"
    check "... and its published port answers" \
        served_by f1 8080 out "$OVSGW_TCPCAT" "$HOST_IP" 18095
    check "no rule of ovsgw is there twice" bash -c \
        "[ \$(nsenter --net=$OVSGW_NETNS iptables-save | grep OVSGW \
            | sort | uniq -d | wc -l) -eq 0 ]"
    dk rm -f f1 >/dev/null
    check "network rm" dk network rm fnet
    check "nothing of ovsgw is left in iptables" test "$(nf_rules OVSGW)" -eq 0
    outside_down
}
