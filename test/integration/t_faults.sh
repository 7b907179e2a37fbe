# shellcheck shell=bash
# Issue 4: restarts of every part, load, leaks, bad input, security.

# port_of CONTAINER: the OVS port (host end) of a container's endpoint.
port_of() {
    local ip
    ip=$(dk inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$1")
    ovsctl --bare --columns=name find Interface \
        "external_ids:ovsgw-ipv4=\"$ip/24\""
}
# port_removed BRIDGE PORT: PORT (known) is not a port of BRIDGE.
port_removed() {
    [ -n "$2" ] || { echo "no port name to look for"; return 1; }
    lacks "^$2\$" ovsctl list-ports "$1"
}
# wait_ping CONTAINER IP SECONDS: keeps pinging until it answers; prints
# how long that took.
wait_ping() {
    local t0 i
    t0=$(date +%s.%N)
    for ((i = 0; i < $3 * 5; i++)); do
        if dk exec "$1" ping -c1 -W1 "$2" >/dev/null 2>&1; then
            echo "answered after $(echo "$(date +%s.%N) - $t0" | bc) s"
            return 0
        fi
        sleep 0.2
    done
    echo "no answer in $3 s"
    return 1
}
# A network's own flows, with one or two subnets: per subnet 3 (gateway
# ARP and ICMP, the drop of other traffic to it) and 3 for the way out
# (the host's ARP and IPv4 in, no exit to unused addresses), plus 2 (no
# exit to loopback, the default route to the uplink).
NET_FLOWS_1=$((6 * 1 + 2))
NET_FLOWS_2=$((6 * 2 + 2))
# err_names_ovsdb REPLY: an Err that names ovsdb-server.
err_names_ovsdb() { grep -q "Err.*ovsdb-server" <<<"$1" || { echo "got: $1"; return 1; }; }
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$OVSGW_PID/status"; }
ovsgw_alive() { kill -0 "$OVSGW_PID" 2>/dev/null; }

test_restart_daemon() {
    check "network" dk network create -d "$DRIVER" --subnet 10.20.1.0/24 \
        --gateway 10.20.1.1 --subnet 10.20.2.0/24 --gateway 10.20.2.1 rnet
    ctr vm1 rnet 10.20.1.100
    ctr vm2 rnet 10.20.2.100
    ctr vm3 rnet 10.20.1.103
    local br p3
    br=$(ovsctl list-br)
    p3=$(port_of vm3)
    check "vm1 -> vm2 before" ping_ok vm1 10.20.2.100
    kill_ovsgw
    check "with ovsgw killed (-9), vm1 -> vm2 still works" \
        ping_ok vm1 10.20.2.100
    check "... and the gateway still answers" ping_ok vm2 10.20.2.1
    # vm3's network namespace dies while nobody listens: its veth is gone.
    tns ip link del "$p3"
    start_ovsgw
    check "after restart, vm3's vanished endpoint is removed from OVS" \
        port_removed "$br" "$p3"
    check "... and its flows are gone" \
        test "$(flow_count "$br")" -eq $((5 + NET_FLOWS_2 + 2 * 5))
    check "a new container works after the restart" ctr vm4 rnet 10.20.1.104
    check "vm4 -> vm2 (routed)" ping_ok vm4 10.20.2.100
    check "vm2 -> vm4" ping_ok vm2 10.20.1.104
    # A call that arrives while ovsgw is down is served when it is back.
    kill_ovsgw
    dk rm -f vm4 >/dev/null 2>&1 &
    local rm_pid=$!
    sleep 1
    start_ovsgw
    # wait, here: a check runs in a subshell, which cannot wait for it.
    local rm_rc=0
    wait "$rm_pid" || rm_rc=$?
    check "docker rm -f issued while ovsgw was down completes" \
        test "$rm_rc" -eq 0
    check "vm4's endpoint is gone" \
        test "$(endpoint_ports "$br" | wc -l)" -eq 2
    check "docker rm -f of old containers works" dk rm -f vm1 vm2 vm3
    check "docker network rm works after the restarts" dk network rm rnet
}

test_restart_vswitchd() {
    check "network" dk network create -d "$DRIVER" --subnet 10.20.1.0/24 \
        --gateway 10.20.1.1 --subnet 10.20.2.0/24 --gateway 10.20.2.1 \
        -o 'ovsgw.tcp.rules=deny 10.20.2.0/24->10.20.1.0/24' vnet
    ctr vm1 vnet 10.20.1.100
    ctr vm2 vnet 10.20.2.100
    http_echo vm1 8080
    local br before
    br=$(ovsctl list-br)
    before=$(flow_count "$br")
    check "vm1 -> vm2 before" ping_ok vm1 10.20.2.100
    check "ovs-vswitchd restarts" ovs_restart_vswitchd
    check "connectivity is back without anyone asking" \
        wait_ping vm1 10.20.2.100 20
    echo "  info  ovs-vswitchd restart: connectivity $(wait_ping vm2 10.20.1.100 20)"
    check "every flow is back ($before)" \
        test "$(flow_count "$br")" -eq "$before"
    check "the TCP policy is back too" tcp_blocked vm2 10.20.1.100 8080
    check "flows wiped by hand are re-applied within seconds" bash -c \
        "ovs-ofctl -O OpenFlow14 del-flows unix:$OVS_RUNDIR/$br.mgmt && \
         for i in \$(seq 40); do \
           [ \$(ovs-ofctl -O OpenFlow14 dump-flows \
                unix:$OVS_RUNDIR/$br.mgmt | grep -c actions=) -eq $before ] \
           && exit 0; sleep 0.25; done; exit 1"
    check "a new container works" ctr vm3 vnet 10.20.2.103
    check "vm3 -> vm1" ping_ok vm3 10.20.1.100
}

test_restart_ovsdb() {
    check "network" dk network create -d "$DRIVER" --subnet 10.20.1.0/24 \
        --gateway 10.20.1.1 onet
    ctr vm1 onet 10.20.1.100
    check "ovsdb-server restarts" ovs_restart_ovsdb
    check "the next container starts (ovsgw reconnects)" \
        ctr vm2 onet 10.20.1.101
    check "vm2 -> vm1" ping_ok vm2 10.20.1.100
    # While ovsdb-server is down, a call gets a clear error at once.
    local nid eid out out_del out_net
    nid=$(dk network inspect -f '{{.Id}}' onet)
    eid=$(dk inspect -f '{{.NetworkSettings.Networks.onet.EndpointID}}' vm1)
    ovsdb_stop
    out=$(timeout 10 curl -s --unix-socket "$OVSGW_SOCK" -X POST \
        http://x/NetworkDriver.CreateEndpoint -d "{\"NetworkID\": \"$nid\",
        \"EndpointID\": \"00ff00ff00ff00ff00ff\", \"Interface\":
        {\"Address\": \"10.20.1.77/24\"}}")
    out_del=$(timeout 10 curl -s --unix-socket "$OVSGW_SOCK" -X POST \
        http://x/NetworkDriver.DeleteEndpoint \
        -d "{\"NetworkID\": \"$nid\", \"EndpointID\": \"$eid\"}")
    out_net=$(timeout 10 curl -s --unix-socket "$OVSGW_SOCK" -X POST \
        http://x/NetworkDriver.DeleteNetwork -d "{\"NetworkID\": \"$nid\"}")
    ovsdb_start
    ovs_sync 30
    local names=(CreateEndpoint DeleteEndpoint DeleteNetwork) outs=(
        "$out" "$out_del" "$out_net") i
    for i in 0 1 2; do
        check "with ovsdb-server down, ${names[i]} gets a clear Err" \
            err_names_ovsdb "${outs[i]}"
    done
    check "... which touched nothing: vm2 -> vm1" \
        ping_ok vm2 10.20.1.100
    check "... and leaves no veth" lacks '^og00ff00ff00ff' tns ip -br link
    check "the daemon keeps running" ovsgw_alive
    check "and serves calls again" ctr vm3 onet 10.20.1.102
}

test_restart_dockerd() {
    check "network" dk network create -d "$DRIVER" --subnet 10.20.1.0/24 \
        --gateway 10.20.1.1 --subnet 10.20.2.0/24 --gateway 10.20.2.1 dnet
    ctr vm1 dnet 10.20.1.100
    ctr vm2 dnet 10.20.2.100
    check "vm1 -> vm2 before" ping_ok vm1 10.20.2.100
    local pid
    pid=$(dockerd_pid)
    kill -TERM "$pid"
    wait_until 60 pid_dead "$pid"
    check "dockerd stopped its containers: no port left" lacks . \
        ovsctl --bare --columns=name find Interface 'external_ids:ovsgw-endpoint!=""'
    check "... and no veth but spares" no_stray_veths
    check "dockerd starts again" docker_start
    check "the network is still there" dk network inspect dnet
    check "the containers start again" dk start vm1 vm2
    check "vm1 -> vm2 after" ping_ok vm1 10.20.2.100

    # kill -9: dockerd never says DeleteEndpoint; its containers die (their
    # veths with them), and the restarted dockerd gives their addresses
    # out again.
    pid=$(dockerd_pid)
    kill -KILL "$pid"
    wait_until 60 pid_dead "$pid"
    check "after kill -9 of dockerd, it starts again" docker_start
    check "the containers start again on their addresses" dk start vm1 vm2
    check "vm1 -> vm2 after that" ping_ok vm1 10.20.2.100
    check "the daemon said why the old endpoints went" \
        grep -q "the container died unannounced" "$OVSGW_LOG"
}

test_load_parallel() {
    check "network" dk network create -d "$DRIVER" --subnet 10.20.0.0/16 \
        --gateway 10.20.0.1 lnet
    local i pids=()
    for i in $(seq 20); do
        dk run -d --name "p$i" --net lnet ovsgw-test sleep 1d \
            >/dev/null 2>&1 &
        pids+=($!)
    done
    local failed=0
    for i in "${pids[@]}"; do
        wait "$i" || failed=$((failed + 1))
    done
    check "20 containers started in parallel" test "$failed" -eq 0
    local br
    br=$(ovsctl list-br)
    check "20 ports with 20 distinct OpenFlow numbers" bash -c \
        "[ \$(ovs-vsctl --db=unix:$OVSDB_SOCK --bare --columns=ofport \
           find Interface 'external_ids:ovsgw-network!=\"\"' | grep . \
           | sort -u | wc -l) -eq 20 ]"
    check "flows: 5 bridge + 8 network + 20 x 5 endpoint" \
        test "$(flow_count "$br")" -eq $((5 + NET_FLOWS_1 + 100))
    local bad=0 ip
    for i in $(seq 20); do
        ping_ok "p$i" 10.20.0.1 || bad=$((bad + 1))
    done
    check "all 20 reach the gateway" test "$bad" -eq 0
    ip=$(dk inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' p20)
    check "p1 -> p20" ping_ok p1 "$ip"
    local slowest
    slowest=$(grep -oE 'NetworkDriver\.[A-Za-z]+: [0-9]+ in [0-9.]+ ms' \
        "$OVSGW_T/ovsgw.log" | awk '{print $(NF-1), "ms,", $1}' \
        | sort -n | tail -1)
    echo "  info  slowest call so far: ${slowest%:}"
}

test_leak_cycles() {
    local n=${OVSGW_LEAK_CYCLES:-200} i before after fails=0
    check "network" dk network create -d "$DRIVER" --subnet 10.20.1.0/24 \
        --gateway 10.20.1.1 leaknet
    ctr anchor leaknet 10.20.1.2
    local br
    br=$(ovsctl list-br)
    for i in $(seq 10); do
        dk run --rm --net leaknet ovsgw-test true >/dev/null || true
    done
    before=$(rss_kib)
    for i in $(seq "$n"); do
        dk run --rm --net leaknet ovsgw-test \
            ping -c1 -W2 10.20.1.1 >/dev/null 2>&1 || fails=$((fails + 1))
    done
    after=$(rss_kib)
    echo "  info  $n cycles of docker run --rm: RSS $before KiB -> $after KiB"
    check "every cycle reached the gateway" test "$fails" -eq 0
    check "only the anchor's endpoint is left" \
        test "$(endpoint_ports "$br" | wc -l)" -eq 1
    check "one spare port, taken over by each cycle" n_spares "$br" 1
    check "no veth left but the anchor's and the spare's" no_stray_veths
    check "flows: 5 bridge + 8 network + 5 anchor" \
        test "$(flow_count "$br")" -eq $((5 + NET_FLOWS_1 + 5))
    # ASan holds freed memory in quarantine, so RSS says nothing there;
    # LeakSanitizer checks the daemon at exit instead.
    if [ -z "${OVSGW_SANITIZED:-}" ]; then
        check "RSS grew by less than 512 KiB" test $((after - before)) -lt 512
    fi
}

# api PATH BODY: POSTs to the daemon; prints "STATUS BODY".
api() {
    curl -s -o /dev/stdout -w ' %{http_code}' --unix-socket "$OVSGW_SOCK" \
        -X POST "http://x/$1" --data-binary "$2"
}
# api_ok PATH BODY: status 200 and no Err.
api_ok() {
    local out
    out=$(api "$1" "$2")
    echo "$out"
    [[ $out == *" 200" && $out != *'"Err"'* ]]
}
# api_err PATH BODY STATUS MESSAGE_PART
api_err() {
    local out
    out=$(api "$1" "$2")
    echo "$out"
    [[ $out == *"\"Err\""*"$4"*" $3" ]]
}

test_bad_input() {
    local n1=aaaa000000000000000000000000000000000000000000000000000000000001
    local n2=aaaa000000000000000000000000000000000000000000000000000000000002
    local e1=eeee000000000000000000000000000000000000000000000000000000000001
    local net='"IPv4Data": [{"Pool": "10.90.1.0/24", "Gateway": "10.90.1.1/24"}], "Options": {"com.docker.network.generic": {"ovsgw.bridge": "brbad"}}'
    check "malformed JSON" api_err NetworkDriver.CreateNetwork '{"NetworkID":' 400 'bad JSON'
    check "not an object" api_err NetworkDriver.CreateNetwork '[]' 400 'want a JSON object'
    check "wrong type" api_err NetworkDriver.CreateNetwork '{"NetworkID": 5}' 400 'NetworkID: want a string'
    check "missing field" api_err NetworkDriver.CreateEndpoint "{\"NetworkID\": \"$n1\"}" 400 'missing EndpointID'
    check "bad ID" api_err NetworkDriver.Join '{"NetworkID": "../../etc", "EndpointID": "x"}' 400 'bad ID'
    check "unknown NetworkID" api_err NetworkDriver.CreateEndpoint \
        "{\"NetworkID\": \"$n1\", \"EndpointID\": \"$e1\", \"Interface\": {\"Address\": \"10.90.1.5/24\"}}" 404 'no network'
    check "unknown EndpointID" api_err NetworkDriver.Join \
        "{\"NetworkID\": \"$n1\", \"EndpointID\": \"$e1\"}" 404 'no network'
    check "IPv6-only network" api_err NetworkDriver.CreateNetwork \
        "{\"NetworkID\": \"$n1\", \"IPv4Data\": [], \"IPv6Data\": [{\"Pool\": \"fd00::/64\", \"Gateway\": \"fd00::1/64\"}]}" 400 'IPv6'
    head -c 2000000 /dev/zero | tr '\0' ' ' >"$OVSGW_T/big.json"
    check "oversized body" api_err NetworkDriver.CreateNetwork \
        "@$OVSGW_T/big.json" 413 'over'
    check "a good network on brbad" api_ok NetworkDriver.CreateNetwork \
        "{\"NetworkID\": \"$n1\", $net}"
    check "overlapping subnet on the shared bridge" api_err \
        NetworkDriver.CreateNetwork "{\"NetworkID\": \"$n2\", ${net/10.90.1.0\/24/10.90.0.0\/16}}" 400 'overlaps'
    check "an endpoint (its MAC is generated and returned)" api_ok \
        NetworkDriver.CreateEndpoint "{\"NetworkID\": \"$n1\", \"EndpointID\": \"$e1\", \"Interface\": {\"Address\": \"10.90.1.5/24\"}}"
    check "duplicate EndpointID" api_err NetworkDriver.CreateEndpoint \
        "{\"NetworkID\": \"$n1\", \"EndpointID\": \"$e1\", \"Interface\": {\"Address\": \"10.90.1.6/24\"}}" 400 'exists'
    check "address outside the subnets" api_err NetworkDriver.CreateEndpoint \
        "{\"NetworkID\": \"$n1\", \"EndpointID\": \"${e1%1}2\", \"Interface\": {\"Address\": \"10.91.1.6/24\"}}" 400 'none of'
    check "the gateway's address" api_err NetworkDriver.CreateEndpoint \
        "{\"NetworkID\": \"$n1\", \"EndpointID\": \"${e1%1}2\", \"Interface\": {\"Address\": \"10.90.1.1/24\"}}" 400 'is the gateway'
    check "the daemon keeps running" ovsgw_alive
    check "only the good endpoint's port exists" \
        test "$(ovsctl list-ports brbad | grep -c '^og')" -eq 1
    check "only the good network is on brbad" bash -c \
        "[ \$(ovs-vsctl --db=unix:$OVSDB_SOCK get bridge brbad external_ids \
           | grep -o 'ovsgw-net-' | wc -l) -eq 1 ]"
    check "DeleteEndpoint" api_ok NetworkDriver.DeleteEndpoint \
        "{\"NetworkID\": \"$n1\", \"EndpointID\": \"$e1\"}"
    check "DeleteNetwork" api_ok NetworkDriver.DeleteNetwork \
        "{\"NetworkID\": \"$n1\"}"
}

test_security() {
    check "the socket is root-only (0600)" \
        test "$(stat -c %a "$OVSGW_SOCK")" = 600
    check "network" dk network create -d "$DRIVER" --subnet 10.20.1.0/24 \
        --gateway 10.20.1.1 secnet
    ctr vm1 secnet 10.20.1.100
    local br
    br=$(ovsctl list-br)
    # Even if someone gives the bridge's LOCAL port an address, containers
    # do not reach the host through it, nor the host them.
    tns ip addr add 10.20.1.254/24 dev "$br"
    tns ip link set "$br" up
    check "vm1 reaches its gateway (control)" ping_ok vm1 10.20.1.1
    check "vm1 cannot reach the host's LOCAL port" ping_fails vm1 10.20.1.254
    # (busybox-static's ping: the host may have no other.)  The host
    # reaches vm1 through the uplink; not through LOCAL.
    check_not "the host cannot reach vm1 through LOCAL" \
        tns /bin/busybox ping -I "$br" -c2 -W1 10.20.1.100
    # ARP spoofing: an attacker claims a neighbour's IP with gratuitous
    # ARP; Linux would update an existing neighbour entry if it arrived.
    ctr victim secnet 10.20.1.101
    ctr observer secnet 10.20.1.102
    ctr attacker secnet 10.20.1.103 --cap-add NET_ADMIN
    local vmac
    vmac=$(dk exec victim cat /sys/class/net/eth0/address)
    check "observer reaches the victim (control)" \
        ping_ok observer 10.20.1.101
    dk exec attacker sh -c 'ip addr add 10.20.1.101/32 dev eth0 && \
        arping -U -c 3 -I eth0 -s 10.20.1.101 10.20.1.101; \
        arping -A -c 3 -I eth0 -s 10.20.1.101 10.20.1.101' >/dev/null 2>&1
    check "after gratuitous ARP, observer still maps the victim's IP to \
the victim's MAC" bash -c "$DOCKER exec observer ip neigh show 10.20.1.101 \
        | grep -q '${vmac:-(no MAC of the victim)}'"
    check "... and still reaches the victim" ping_ok observer 10.20.1.101
    # shellcheck disable=SC2016  # the $(...) is the bad input, not to expand
    check "bridge names are validated (no shell)" create_fails \
        'bad bridge name' -o 'ovsgw.bridge=$(reboot)'
}
