# shellcheck shell=bash
# Issue 10: no input kills the daemon or leaves anything half-made, and
# bridges shared with others stay as they were.

# raw_path PATH: the HTTP status and body of a POST to PATH as given.
raw_path() {
    curl -s -o /dev/stdout -w ' %{http_code}' --unix-socket "$OVSGW_SOCK" \
        -X POST --path-as-is "http://x$1" --data-binary '{}'
}

test_http_surface() {
    local pid=$OVSGW_PID out
    out=$(raw_path '/%ff')
    check "a path with byte 0xff gets 404 and an Err naming it" \
        has "$out" '"Err":"unknown path /\\xff"} 404'
    out=$(raw_path '/%c3%28%0a%00')
    # (The NUL ends the path: libmicrohttpd hands it over as a C string.)
    check "... and broken UTF-8, a newline and a NUL in the path" \
        has "$out" '"Err":"unknown path /\\xc3(\\x0a"} 404'
    out=$(curl -s -o /dev/stdout -w ' %{http_code}' --unix-socket "$OVSGW_SOCK" \
        -X $'\xfe\xff' http://x/Plugin.Activate)
    check "a method of odd bytes gets an answer with an Err" \
        has "$out" '"Err":'
    check "the daemon is the same process" test "$OVSGW_PID" = "$pid"
    check "... and alive" ovsgw_alive
    check "... and answers (control)" api_ok Plugin.Activate '{}'
}

# 300 clients that send half a request and wait never lock Docker out.
test_idle_connections() {
    local fifo=$OVSGW_T/holdconns.out hold n t0 t1
    rm -f "$fifo"
    "$OVSGW_HOLDCONNS" "$OVSGW_SOCK" 300 30 >"$fifo" &
    hold=$!
    wait_for 10 test -s "$fifo"
    n=$(head -n1 "$fifo")
    check "300 half-sent connections are open" test "$n" = 300
    check "the daemon holds them (control: they reached it)" \
        test "$(find "/proc/$OVSGW_PID/fd" -mindepth 1 | wc -l)" -gt 300
    t0=$(date +%s%N)
    check "Plugin.Activate still answers" \
        curl -sf -m 5 --unix-socket "$OVSGW_SOCK" -X POST http://x/Plugin.Activate
    t1=$(date +%s%N)
    check "... within 2 s" test $(((t1 - t0) / 1000000)) -lt 2000
    check "a network is still created" dk network create -d "$DRIVER" \
        --subnet 10.20.1.0/24 --gateway 10.20.1.1 idlenet
    kill "$hold" 2>/dev/null
    wait "$hold" 2>/dev/null
    check "network rm" dk network rm idlenet
}

# --socket never replaces a file that is not a socket.
test_socket_path() {
    local dir=$OVSGW_T/sockdir out
    mkdir -p "$dir"
    echo precious >"$dir/file.sock"
    out=$(timeout 10 "$OVSGW_BIN" --socket "$dir/file.sock" \
        --ovsdb "unix:$OVSDB_SOCK" --ovs-rundir "$OVS_RUNDIR" 2>&1)
    check "ovsgw refuses a socket path that is a regular file" \
        has "$out" "exists and is not a socket"
    check "... and leaves the file as it was" \
        test "$(cat "$dir/file.sock")" = precious
    # A socket nobody answers is stale and replaced (control): a daemon
    # killed with -9 leaves one.
    local p
    ovsgw_spawn p "$dir/stale.sock" "$OVSGW_T/ovsgw-stale.log"
    kill -KILL "$p" 2>/dev/null
    wait "$p" 2>/dev/null
    check "(a stale socket is left)" bash -c \
        "test -S '$dir/stale.sock' && ! curl -sf --unix-socket \
         '$dir/stale.sock' -X POST http://x/Plugin.Activate"
    ovsgw_spawn p "$dir/stale.sock" "$OVSGW_T/ovsgw-stale.log"
    check "a stale socket is replaced: the daemon answers on it" \
        ovsgw_sock_live "$dir/stale.sock"
    kill "$p" 2>/dev/null
    wait "$p" 2>/dev/null
}

# A CreateNetwork that fails after the bridge row went in leaves nothing.
test_failed_bridge() {
    if [ -e /sys/module/openvswitch ]; then
        echo "  (kernel datapath present: the failing case cannot be made)"
        return 0
    fi
    check_not "-o ovsgw.datapath=system without the kernel module fails" \
        dk network create -d "$DRIVER" -o ovsgw.datapath=system \
        -o ovsgw.bridge=brsys --subnet 10.20.1.0/24 --gateway 10.20.1.1 \
        sysnet
    check "... with an Err that says why" bash -c \
        "grep -q 'brsys: .*ovs-vswitchd' '$OVSGW_LOG'"
    check "no bridge is left in OVSDB" br_absent brsys
    kill_ovsgw
    start_ovsgw
    check "nothing comes back at the next restore: no bridge" br_absent brsys
    check "... no network in the daemon" \
        lacks brsys "$OVSGW_BIN" status --socket "$OVSGW_SOCK"
    check "the same network on netdev works (control)" dk network create \
        -d "$DRIVER" -o ovsgw.bridge=brsys --subnet 10.20.1.0/24 \
        --gateway 10.20.1.1 sysnet
    check "... and its bridge exists" ovsctl br-exists brsys
    check "network rm" dk network rm sysnet
}

# Addresses that no endpoint or gateway can have are refused by name.
test_bad_addresses() {
    local n=abcd000000000000000000000000000000000000000000000000000000000001
    local e=ecce000000000000000000000000000000000000000000000000000000000001
    local opts='"Options": {"com.docker.network.generic": {"ovsgw.bridge": "braddr"}}'
    check "gateway = network address" api_err NetworkDriver.CreateNetwork \
        "{\"NetworkID\": \"$n\", \"IPv4Data\": [{\"Pool\": \"10.91.1.0/24\", \"Gateway\": \"10.91.1.0/24\"}], $opts}" \
        400 'Gateway 10.91.1.0/24 is the network address'
    check "gateway = broadcast address" api_err NetworkDriver.CreateNetwork \
        "{\"NetworkID\": \"$n\", \"IPv4Data\": [{\"Pool\": \"10.91.1.0/24\", \"Gateway\": \"10.91.1.255/24\"}], $opts}" \
        400 'Gateway 10.91.1.255/24 is the broadcast address'
    check "no bridge came of it" br_absent braddr
    check "a good network (control)" api_ok NetworkDriver.CreateNetwork \
        "{\"NetworkID\": \"$n\", \"IPv4Data\": [{\"Pool\": \"10.91.1.0/24\", \"Gateway\": \"10.91.1.1/24\"}], $opts}"
    local ep="{\"NetworkID\": \"$n\", \"EndpointID\": \"$e\", \"Interface\""
    check "endpoint = network address" api_err NetworkDriver.CreateEndpoint \
        "$ep: {\"Address\": \"10.91.1.0/24\"}}" 400 \
        'address 10.91.1.0 is the network address of the subnet 10.91.1.0/24'
    check "endpoint = broadcast address" api_err NetworkDriver.CreateEndpoint \
        "$ep: {\"Address\": \"10.91.1.255/24\"}}" 400 \
        'address 10.91.1.255 is the broadcast address'
    check "endpoint prefix length differs from the subnet's" api_err \
        NetworkDriver.CreateEndpoint "$ep: {\"Address\": \"10.91.1.5/16\"}}" \
        400 'address 10.91.1.5/16: the subnet 10.91.1.0/24 has another prefix length'
    check "multicast MAC" api_err NetworkDriver.CreateEndpoint \
        "$ep: {\"Address\": \"10.91.1.5/24\", \"MacAddress\": \"01:00:5e:00:00:01\"}}" \
        400 'bad unicast MAC \"01:00:5e:00:00:01\"'
    check "broadcast MAC" api_err NetworkDriver.CreateEndpoint \
        "$ep: {\"Address\": \"10.91.1.5/24\", \"MacAddress\": \"ff:ff:ff:ff:ff:ff\"}}" \
        400 'bad unicast MAC \"ff:ff:ff:ff:ff:ff\"'
    check "all-zero MAC" api_err NetworkDriver.CreateEndpoint \
        "$ep: {\"Address\": \"10.91.1.5/24\", \"MacAddress\": \"00:00:00:00:00:00\"}}" \
        400 'bad unicast MAC \"00:00:00:00:00:00\"'
    check "no port came of them" \
        test "$(ovsctl list-ports braddr | grep -c '^og')" -eq 0
    check "a good endpoint (control)" api_ok NetworkDriver.CreateEndpoint \
        "$ep: {\"Address\": \"10.91.1.5/24\", \"MacAddress\": \"02:00:00:00:00:05\"}}"
    # A stored endpoint outside every subnet (a hand edit, a bug) is
    # dropped at restore with a log line, not put in subnet 0.
    local port
    port=$(ovsctl list-ports braddr | grep '^og')
    ovsctl set Interface "$port" external_ids:ovsgw-ipv4=10.99.0.5/24
    kill_ovsgw
    start_ovsgw
    check "a restored endpoint outside every subnet is dropped, logged" \
        grep -q "address 10.99.0.5 is in none of the subnets" \
        "$OVSGW_LOG"
    check "... and not shown" \
        lacks 10.99.0.5 "$OVSGW_BIN" status --socket "$OVSGW_SOCK"
    ovsctl del-port braddr "$port"
    tns ip link del "$port" 2>/dev/null
    check "DeleteNetwork" api_ok NetworkDriver.DeleteNetwork \
        "{\"NetworkID\": \"$n\"}"
}

# Endpoint IDs that share their first 12 digits, and a spare that kept an
# older endpoint's names, never need the same veth or port name.
test_name_clash() {
    local na=abce000000000000000000000000000000000000000000000000000000000001
    local nb=abce000000000000000000000000000000000000000000000000000000000002
    local e1=eeeeffff0000000000000000000000000000000000000000000000000000000a
    local e2=eeeeffff0000000000000000000000000000000000000000000000000000000b
    local netj='"IPv4Data": [{"Pool": "10.92.1.0/24", "Gateway": "10.92.1.1/24"}]'
    local netk='"IPv4Data": [{"Pool": "10.93.1.0/24", "Gateway": "10.93.1.1/24"}]'
    check "network A" api_ok NetworkDriver.CreateNetwork \
        "{\"NetworkID\": \"$na\", $netj, \"Options\": {\"com.docker.network.generic\": {\"ovsgw.bridge\": \"brna\"}}}"
    check "network B on another bridge" api_ok NetworkDriver.CreateNetwork \
        "{\"NetworkID\": \"$nb\", $netk, \"Options\": {\"com.docker.network.generic\": {\"ovsgw.bridge\": \"brnb\"}}}"
    check "endpoint 1 in A" api_ok NetworkDriver.CreateEndpoint \
        "{\"NetworkID\": \"$na\", \"EndpointID\": \"$e1\", \"Interface\": {\"Address\": \"10.92.1.5/24\"}}"
    check "endpoint 2 in A, same first 12 digits" api_ok \
        NetworkDriver.CreateEndpoint \
        "{\"NetworkID\": \"$na\", \"EndpointID\": \"$e2\", \"Interface\": {\"Address\": \"10.92.1.6/24\"}}"
    check "two ports on A" \
        test "$(ovsctl list-ports brna | grep -c '^og')" -eq 2
    # Endpoint 1 goes: its port stays as a spare of brna, with its names.
    check "endpoint 1 goes (a spare now)" api_ok NetworkDriver.DeleteEndpoint \
        "{\"NetworkID\": \"$na\", \"EndpointID\": \"$e1\"}"
    check "... its port is a spare" bash -c \
        "ovs-vsctl --db=unix:$OVSDB_SOCK --bare --columns=name find \
         Interface external_ids:ovsgw-spare=$DRIVER | grep -q ogeeeeffff0000"
    check "an endpoint with endpoint 1's ID in B (another bridge)" api_ok \
        NetworkDriver.CreateEndpoint \
        "{\"NetworkID\": \"$nb\", \"EndpointID\": \"$e1\", \"Interface\": {\"Address\": \"10.93.1.5/24\"}}"
    check "... got a port of its own" \
        test "$(ovsctl list-ports brnb | grep -c '^og')" -eq 1
    check "every port name is unique" bash -c \
        "[ \$(ovs-vsctl --db=unix:$OVSDB_SOCK --bare --columns=name list Port \
            | grep -v '^\$' | sort | uniq -d | wc -l) -eq 0 ]"
    check "DeleteNetwork A" api_ok NetworkDriver.DeleteNetwork \
        "{\"NetworkID\": \"$na\"}"
    check "DeleteNetwork B" api_ok NetworkDriver.DeleteNetwork \
        "{\"NetworkID\": \"$nb\"}"
}

# of_br COMMAND BRIDGE [ARG...]: ovs-ofctl on a bridge of the private OVS.
of_br() {
    local cmd=$1 br=$2
    shift 2
    ovs-ofctl -O OpenFlow14 "$cmd" "unix:$OVS_RUNDIR/$br.mgmt" "$@"
}

# A bridge ovsgw did not create keeps its owner's flows and fail_mode.
test_foreign_bridge() {
    ovsctl add-br brown -- set bridge brown datapath_type=netdev \
        protocols=OpenFlow10,OpenFlow13,OpenFlow14
    wait_for 10 of_br dump-flows brown
    local before
    check_not "a network on a bridge with fail_mode standalone is refused" \
        dk network create -d "$DRIVER" -o ovsgw.bridge=brown \
        --subnet 10.20.1.0/24 --gateway 10.20.1.1 ownnet
    check "... saying why" grep -q "brown is not ovsgw's and its fail_mode" \
        "$OVSGW_LOG"
    ovsctl set-fail-mode brown secure
    of_br add-flow brown 'priority=0,actions=NORMAL'
    before=$(of_br dump-flows brown --no-stats | sort)
    check_not "a network on a bridge whose table-miss flow is its owner's \
is refused" dk network create -d "$DRIVER" -o ovsgw.bridge=brown \
        --subnet 10.20.1.0/24 --gateway 10.20.1.1 ownnet
    check "... saying which flow" grep -q "brown is not ovsgw's and has a \
flow of its own in table 0, priority 0" "$OVSGW_LOG"
    check "the owner's flows are as they were" \
        test "$(of_br dump-flows brown --no-stats | sort)" = "$before"
    check "fail_mode is as it was" \
        test "$(ovsctl get-fail-mode brown)" = secure
    check "the bridge keeps no ovsgw state" \
        lacks ovsgw ovsctl get bridge brown external_ids
    # Control: without its own table-miss flow the bridge is taken.
    of_br del-flows brown
    check "the same bridge without flows of its own is taken (control)" \
        dk network create -d "$DRIVER" -o ovsgw.bridge=brown \
        --subnet 10.20.1.0/24 --gateway 10.20.1.1 ownnet
    check "network rm" dk network rm ownnet
    check "the bridge stays, fail_mode secure, no flow left" bash -c \
        "ovs-vsctl --db=unix:$OVSDB_SOCK br-exists brown && \
         [ \$(ovs-vsctl --db=unix:$OVSDB_SOCK get-fail-mode brown) = secure ] && \
         [ \$(ovs-ofctl -O OpenFlow14 dump-flows unix:$OVS_RUNDIR/brown.mgmt \
              | grep -c actions=) -eq 0 ]"
    ovsctl del-br brown
}

# Two ovsgw instances on one bridge: neither deletes it under the other,
# and their tags and OpenFlow ports do not clash.
test_shared_bridge_instances() {
    local sock2=/run/docker/plugins/${DRIVER}c.sock pid2
    ovsgw_spawn pid2 "$sock2" "$OVSGW_T/ovsgw-c.log"
    check "net A on $DRIVER, bridge brtwo" dk network create -d "$DRIVER" \
        -o ovsgw.bridge=brtwo --subnet 10.20.1.0/24 --gateway 10.20.1.1 sha
    local ida
    ida=$(dk network inspect -f '{{.Id}}' sha)
    ctr a1 sha 10.20.1.10
    ctr a2 sha 10.20.1.11
    # Instance C's network, with an ID whose first 8 digits are A's: the
    # tag derived from it must not be A's.
    local idc="${ida:0:8}00000000000000000000000000000000000000000000000000000001"
    check "net C on the second instance, same bridge, same ID prefix" \
        curl -sf --unix-socket "$sock2" -X POST \
        http://x/NetworkDriver.CreateNetwork --data-binary \
        "{\"NetworkID\": \"$idc\", \"IPv4Data\": [{\"Pool\": \"10.20.2.0/24\", \"Gateway\": \"10.20.2.1/24\"}], \"Options\": {\"com.docker.network.generic\": {\"ovsgw.bridge\": \"brtwo\"}}}"
    local taga tagc
    taga=$(ovsctl get bridge brtwo "external_ids:ovsgw-net-$ida" |
        grep -o 'tag\\":[0-9]*')
    tagc=$(ovsctl get bridge brtwo "external_ids:ovsgw-net-$idc" |
        grep -o 'tag\\":[0-9]*')
    check "the two networks have different tags ($taga, $tagc)" \
        bash -c "[ -n '$taga' ] && [ -n '$tagc' ] && [ '$taga' != '$tagc' ]"
    local ec=ecce00000000000000000000000000000000000000000000000000000000000c
    check "an endpoint of C" curl -sf --unix-socket "$sock2" -X POST \
        http://x/NetworkDriver.CreateEndpoint --data-binary \
        "{\"NetworkID\": \"$idc\", \"EndpointID\": \"$ec\", \"Interface\": {\"Address\": \"10.20.2.5/24\"}}"
    check "every port asked for its own OpenFlow number" bash -c \
        "[ \$(ovs-vsctl --db=unix:$OVSDB_SOCK --bare --columns=ofport_request \
            list Interface | grep -v '^\$' | sort | uniq -d | wc -l) -eq 0 ]"
    check "a1 -> a2 before" ping_ok a1 10.20.1.11
    check "C's network goes" curl -sf --unix-socket "$sock2" -X POST \
        http://x/NetworkDriver.DeleteNetwork --data-binary \
        "{\"NetworkID\": \"$idc\"}"
    check "the bridge stays for A" ovsctl br-exists brtwo
    check "a1 -> a2 after C left" ping_ok a1 10.20.1.11
    check "a1 reaches its gateway after C left" ping_ok a1 10.20.1.1
    dk rm -f a1 a2 >/dev/null
    check "network rm A" dk network rm sha
    check "the last network takes the bridge" br_absent brtwo
    kill "$pid2" 2>/dev/null
    wait "$pid2" 2>/dev/null
    rm -f "$sock2"
}
