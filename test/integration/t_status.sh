# shellcheck shell=bash
# Issue 5: 'ovsgw status' from the daemon and, with the daemon down, from
# OVSDB; it changes nothing.

ovsgw_status() {
    "$OVSGW_BIN" status --socket "$OVSGW_SOCK" --ovsdb "unix:$OVSDB_SOCK"
}

test_status() {
    check "network with a policy" dk network create -d "$DRIVER" \
        --subnet 10.20.1.0/24 --gateway 10.20.1.1 --subnet 10.20.2.0/24 \
        --gateway 10.20.2.1 -o 'ovsgw.tcp.rules=deny 10.20.2.0/24->10.20.1.0/24' \
        statnet
    ctr vm1 statnet 10.20.1.100
    ctr vm2 statnet 10.20.2.100
    ping_ok vm1 10.20.2.100
    local br p1 out
    br=$(ovsctl list-br)
    p1=$(ovsctl --bare --columns=name find Interface \
        'external_ids:ovsgw-ipv4="10.20.1.100/24"')
    out=$(ovsgw_status)
    awk '{ print "        " $0 }' <<<"$out"
    check "status names the bridge" grep -q \
        "bridge    $br (${OVSGW_DATAPATH:-netdev}" <<<"$out"
    check "... the subnets and gateways" grep -q \
        'subnet    10.20.2.0/24       gateway 10.20.2.1' <<<"$out"
    check "... the policy" grep -qF \
        'policy    deny 10.20.2.0/24->10.20.1.0/24, default allow' <<<"$out"
    check "... vm1's port, IP and OpenFlow port" grep -qE \
        "oc[0-9a-f]{12} +10\.20\.1\.100/24 +02:[0-9a-f:]{14} +$p1 +[1-9]" \
        <<<"$out"
    check "--json gives the same as JSON" bash -c \
        "$OVSGW_BIN status --json --socket $OVSGW_SOCK --ovsdb unix:$OVSDB_SOCK \
         | grep -q '\"address\": \"10.20.2.100/24\"'"
    local flows_before ports_before
    flows_before=$(flow_count "$br")
    ports_before=$(ovsctl list-ports "$br")
    kill_ovsgw
    out=$(ovsgw_status)
    check "with the daemon down, status reads OVSDB" grep -q \
        'read from OVSDB' <<<"$out"
    check "... and shows the same endpoints" grep -q '10.20.2.100/24' \
        <<<"$out"
    check "status changed no flow" \
        test "$(flow_count "$br")" -eq "$flows_before"
    check "status changed no port" \
        test "$(ovsctl list-ports "$br")" = "$ports_before"
    start_ovsgw
    check "ovsgw --version" bash -c "$OVSGW_BIN --version | grep -q '^ovsgw '"
    check "ovsgw --help mentions status" bash -c \
        "$OVSGW_BIN --help | grep -q 'ovsgw status'"
}

# Two ovsgw instances (two driver names) on one OVS: neither adopts the
# other's networks, also across restarts.
test_two_instances() {
    local sock2=/run/docker/plugins/${DRIVER}b.sock pid2
    ovsgw_spawn pid2 "$sock2" "$OVSGW_T/ovsgw-b.log" ||
        echo "  info  the second instance does not answer"
    check "net A on driver $DRIVER" dk network create -d "$DRIVER" \
        --subnet 10.20.1.0/24 --gateway 10.20.1.1 neta
    check "net B on driver ${DRIVER}b" dk network create -d "${DRIVER}b" \
        --subnet 10.20.2.0/24 --gateway 10.20.2.1 netb
    ctr a1 neta 10.20.1.10
    ctr b1 netb 10.20.2.10
    local ida idb
    ida=$(dk network inspect -f '{{.Id}}' neta)
    idb=$(dk network inspect -f '{{.Id}}' netb)
    kill_ovsgw
    start_ovsgw
    check "after a restart, the first instance lists only its network" \
        bash -c "out=\$($OVSGW_BIN status --socket $OVSGW_SOCK); \
                 grep -q ${ida:0:12} <<<\"\$out\" && \
                 ! grep -q ${idb:0:12} <<<\"\$out\""
    check "the second instance lists only its own" \
        bash -c "out=\$($OVSGW_BIN status --socket $sock2); \
                 grep -q ${idb:0:12} <<<\"\$out\" && \
                 ! grep -q ${ida:0:12} <<<\"\$out\""
    check "b1 still reaches its gateway" ping_ok b1 10.20.2.1
    check "a1 still reaches its gateway" ping_ok a1 10.20.1.1
    dk rm -f a1 b1 >/dev/null
    check "net B is removed by its own driver" dk network rm netb
    kill "$pid2"
    wait "$pid2" 2>/dev/null
    rm -f "$sock2"
}
