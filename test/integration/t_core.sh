# Issue 2: the seed topology, isolation, anti-spoofing, MTU, bad options,
# leftovers.  Each test_* function runs against the environment of run.sh.

seed_network() {
    dk network create -d "$DRIVER" \
        --subnet 10.20.1.0/24 --gateway 10.20.1.1 \
        --subnet 10.20.2.0/24 --gateway 10.20.2.1 "$@" ovsnet >/dev/null
}

test_seed() {
    check "network with two subnets is created" seed_network
    check "vm1 starts in 10.20.1.0/24" ctr vm1 ovsnet 10.20.1.100
    check "vm2 starts in 10.20.2.0/24" ctr vm2 ovsnet 10.20.2.100
    check "vm3 starts in 10.20.1.0/24" ctr vm3 ovsnet 10.20.1.101
    local br
    br=$(ovsctl list-br)
    check "one bridge, fail_mode secure" \
        test "$(ovsctl get bridge "$br" fail_mode)" = secure
    check "three container ports on it" \
        test "$(ovsctl list-ports "$br" | grep -c '^og')" -eq 3
    check "no address on the host for the gateway" bash -c \
        '! tns ip -4 addr | grep -q "10\.20\.[12]\.1/"'

    check "vm1 pings its gateway 10.20.1.1" ping_ok vm1 10.20.1.1
    check "vm2 pings its gateway 10.20.2.1" ping_ok vm2 10.20.2.1
    check "vm1 pings the other gateway 10.20.2.1" ping_ok vm1 10.20.2.1
    check "vm1 -> vm2 ping (routed)" ping_ok vm1 10.20.2.100
    check "vm2 -> vm1 ping (routed)" ping_ok vm2 10.20.1.100
    check "vm1 -> vm3 ping (same subnet)" ping_ok vm1 10.20.1.101
    check "vm3 -> vm1 ping (same subnet)" ping_ok vm3 10.20.1.100
    check "routed TTL is decremented" bash -c \
        "$DOCKER exec vm1 ping -c1 -W2 10.20.2.100 | grep -q 'ttl=63'"
    check "container default route is the virtual gateway" bash -c \
        "$DOCKER exec vm1 ip route | grep -q 'default via 10.20.1.1'"

    http_serve vm1 8080
    http_serve vm2 8080
    http_serve vm3 8080
    check "TCP vm1 -> vm2 (routed, 64 KiB)" http_get vm1 10.20.2.100 8080 vm2
    check "TCP vm2 -> vm1 (routed, 64 KiB)" http_get vm2 10.20.1.100 8080 vm1
    check "TCP vm3 -> vm1 (same subnet)" http_get vm3 10.20.1.100 8080 vm1
    check "UDP vm1 -> vm2" udp_roundtrip vm1 vm2 10.20.2.100 9000
    check "UDP vm2 -> vm1" udp_roundtrip vm2 vm1 10.20.1.100 9001
    check "UDP vm3 -> vm1 (same subnet)" udp_roundtrip vm3 vm1 10.20.1.100 9002

    check "docker rm -f removes every container" \
        dk rm -f vm1 vm2 vm3
    check "the bridge keeps only network flows" bash -c \
        "[ \$(ovs-ofctl -O OpenFlow14 dump-flows unix:$OVS_RUNDIR/$br.mgmt \
          | grep -c 'in_port=') -eq 0 ]"
    check "docker network rm" dk network rm ovsnet
    check "bridge, ports, veths and flows are gone" no_leftovers
}

test_isolation() {
    check "net A on its own bridge" dk network create -d "$DRIVER" \
        --subnet 10.30.1.0/24 --gateway 10.30.1.1 neta
    check "net B on its own bridge" dk network create -d "$DRIVER" \
        --subnet 10.30.2.0/24 --gateway 10.30.2.1 netb
    check "net C on shared bridge brshared" dk network create \
        -d "$DRIVER" -o ovsgw.bridge=brshared \
        --subnet 10.40.1.0/24 --gateway 10.40.1.1 netc
    check "net D on shared bridge brshared" dk network create \
        -d "$DRIVER" -o ovsgw.bridge=brshared \
        --subnet 10.40.2.0/24 --gateway 10.40.2.1 netd
    check "overlapping subnet on the shared bridge is refused" \
        create_fails_args overlaps -o ovsgw.bridge=brshared \
        --subnet 10.40.1.0/25 --gateway 10.40.1.1 nete
    ctr a1 neta 10.30.1.10
    ctr a2 neta 10.30.1.11
    ctr b1 netb 10.30.2.10
    ctr c1 netc 10.40.1.10
    ctr c2 netc 10.40.1.11
    ctr d1 netd 10.40.2.10
    check "a1 -> a2 works (control)" ping_ok a1 10.30.1.11
    check "c1 -> c2 works on the shared bridge (control)" \
        ping_ok c1 10.40.1.11
    check "d1 pings its gateway" ping_ok d1 10.40.2.1
    check "a1 cannot reach b1 (other network)" ping_fails a1 10.30.2.10
    check "b1 cannot reach a1" ping_fails b1 10.30.1.10
    check "a1 gets no answer from B's gateway" ping_fails a1 10.30.2.1
    check "c1 cannot reach d1 (shared bridge)" ping_fails c1 10.40.2.10
    check "d1 cannot reach c1 (shared bridge)" ping_fails d1 10.40.1.10
    check "c1 gets no answer from D's gateway" ping_fails c1 10.40.2.1
    http_serve d1 8080
    check "d1's server is up (control)" server_up d1 8080
    check "no TCP from c1 to d1 on the shared bridge" bash -c \
        "! $DOCKER exec c1 timeout 3 wget -q -O /dev/null \
           http://10.40.2.10:8080/data"
    check "shared bridge carries both networks" \
        test "$(ovsctl list-ports brshared | grep -c '^og')" -eq 3
    dk rm -f a1 a2 b1 c1 c2 d1 >/dev/null
    check "removing net C keeps the shared bridge for D" bash -c \
        "$DOCKER network rm netc >/dev/null && ovs-vsctl \
         --db=unix:$OVSDB_SOCK br-exists brshared"
    check "removing net D removes the shared bridge" bash -c \
        "$DOCKER network rm netd >/dev/null && ! ovs-vsctl \
         --db=unix:$OVSDB_SOCK br-exists brshared"
}

test_antispoofing() {
    check "network" dk network create -d "$DRIVER" \
        --subnet 10.50.1.0/24 --gateway 10.50.1.1 --subnet 10.50.2.0/24 \
        --gateway 10.50.2.1 spoofnet
    ctr honest spoofnet 10.50.1.10
    ctr victim spoofnet 10.50.2.10
    ctr ipthief spoofnet 10.50.1.20 --cap-add NET_ADMIN
    ctr macthief spoofnet 10.50.1.30 --cap-add NET_ADMIN
    check "ipthief reaches victim before (control)" \
        ping_ok ipthief 10.50.2.10
    check "macthief reaches victim before (control)" \
        ping_ok macthief 10.50.2.10
    # Take another container's address.
    dk exec ipthief sh -c 'ip addr flush dev eth0 && \
        ip addr add 10.50.1.10/24 dev eth0 && \
        ip route add default via 10.50.1.1'
    check "a container with a stolen IP reaches nobody" \
        ping_fails ipthief 10.50.2.10
    check "... not even the gateway" ping_fails ipthief 10.50.1.1
    check "... nor the same subnet" ping_fails ipthief 10.50.1.30
    # Take a new MAC.
    dk exec macthief sh -c 'ip link set eth0 down && \
        ip link set eth0 address 02:de:ad:be:ef:01 && ip link set eth0 up \
        && ip route add default via 10.50.1.1 2>/dev/null; true'
    check "a container with a changed MAC reaches nobody" \
        ping_fails macthief 10.50.2.10
    check "... not even the gateway" ping_fails macthief 10.50.1.1
    check "the honest owner of the IP still works" ping_ok honest 10.50.2.10
}

test_mtu() {
    check "network with MTU 1400" dk network create -d "$DRIVER" \
        -o com.docker.network.driver.mtu=1400 \
        --subnet 10.60.1.0/24 --gateway 10.60.1.1 mtunet
    ctr m1 mtunet 10.60.1.10
    ctr m2 mtunet 10.60.1.11
    check "eth0 in the container has MTU 1400" bash -c \
        "[ \"\$($DOCKER exec m1 cat /sys/class/net/eth0/mtu)\" = 1400 ]"
    local port
    port=$(ovsctl --bare --columns=name find Interface \
        "external_ids:ovsgw-ipv4=\"10.60.1.10/24\"")
    check "host end $port has MTU 1400" bash -c \
        "tns ip -o link show $port | grep -q 'mtu 1400 '"
    check "a 1372-byte ping with DF passes" \
        dk exec m1 ping -c1 -W2 -s 1372 10.60.1.11
}

# create_fails_args MESSAGE_PART ARGS...: 'docker network create -d
# DRIVER ARGS' must fail with a message containing MESSAGE_PART.
create_fails_args() {
    local want=$1 out
    shift
    if out=$(dk network create -d "$DRIVER" "$@" 2>&1); then
        echo "created despite $*"
        dk network rm "${@: -1}"
        return 1
    fi
    echo "$out"
    grep -qF -- "$want" <<<"$out"
}

# create_fails MESSAGE_PART OPTIONS...: the same for network "badnet" on
# 10.70.1.0/24.
create_fails() {
    local want=$1
    shift
    create_fails_args "$want" --subnet 10.70.1.0/24 --gateway 10.70.1.1 \
        "$@" badnet
}

test_bad_options() {
    check "-o ovsgw.bogus=1 fails naming the key" \
        create_fails 'unknown option "ovsgw.bogus"' -o ovsgw.bogus=1
    check "-o ovsgw.gateway_mac=zz fails naming the key" \
        create_fails 'ovsgw.gateway_mac: bad MAC "zz"' -o ovsgw.gateway_mac=zz
    check "a bad bridge name fails" \
        create_fails 'ovsgw.bridge: bad bridge name' -o 'ovsgw.bridge=a;b'
    check "a bad MTU fails" \
        create_fails 'com.docker.network.driver.mtu: bad MTU "9x"' \
        -o com.docker.network.driver.mtu=9x
    check "IPv6 is refused clearly" \
        create_fails 'IPv6 is not supported' --ipv6 --subnet fd00:70::/64
    check "after the failures nothing is left" no_leftovers
    check "docker lists no such network" bash -c \
        "! $DOCKER network inspect badnet >/dev/null 2>&1"
}

# An existing bridge is adopted (and kept), and a port of its owner that
# holds the OpenFlow number ovsgw asks for does not break anything.
test_adopted_bridge() {
    ovsctl add-br bruser -- set bridge bruser \
        datapath_type="${OVSGW_DATAPATH:-netdev}" \
        -- add-port bruser userport -- set Interface userport \
        type=internal ofport_request=1
    check "network on the existing bridge bruser" dk network create \
        -d "$DRIVER" -o ovsgw.bridge=bruser --subnet 10.80.1.0/24 \
        --gateway 10.80.1.1 adoptnet
    ctr u1 adoptnet 10.80.1.10
    ctr u2 adoptnet 10.80.1.11
    check "u1 -> u2 (ovsgw moved the flows off port 1)" \
        ping_ok u1 10.80.1.11
    check "u2 reaches the gateway" ping_ok u2 10.80.1.1
    check "the user's port still has OpenFlow port 1" \
        test "$(ovsctl get Interface userport ofport)" = 1
    dk rm -f u1 u2 >/dev/null
    check "network rm" dk network rm adoptnet
    check "the adopted bridge stays, with the user's port" \
        bash -c "ovs-vsctl --db=unix:$OVSDB_SOCK list-ports bruser \
                 | grep -qx userport"
    check "no ovsgw flow is left on it" \
        test "$(dump_flows bruser | grep -c 'actions=')" -eq 0
    ovsctl del-br bruser
}
