# shellcheck shell=bash
# Issue 13: the datapath the daemon picks by itself (system when the OVS
# kernel module is loaded, else netdev), and on the kernel datapath
# (make test-kernel) its ports and upcall counters.

# The bridge of a network, from its state in OVSDB.
dp_bridge_of() {
    local id
    id=$(dk network inspect -f '{{.Id}}' "$1") || return 1
    ovsctl --bare --columns=name find Bridge "external_ids:ovsgw-net-$id!=\"\""
}

# dp_counter NAME: hit, missed or lost of the kernel datapath in the test
# netns (ovs-dpctl show's "lookups:" line).
dp_counter() {
    tns ovs-dpctl show | awk -v k="$1" '/lookups:/ {
        for (i = 2; i <= NF; i++) { split($i, kv, ":"); if (kv[1] == k) print kv[2] } }'
}

# Threads of ovs-vswitchd named handlerN: the upcall handlers.
vswitchd_handlers() {
    local pid
    pid=$(cat "$OVS_RUNDIR/ovs-vswitchd.pid")
    grep -l '^handler' /proc/"$pid"/task/*/comm 2>/dev/null | wc -l
}

test_datapath_auto() {
    local want=netdev br out n lines
    [ ! -e /sys/module/openvswitch ] || want=system
    check "the environment runs the $want datapath (OVSGW_DATAPATH)" \
        test "${OVSGW_DATAPATH:-netdev}" = "$want"
    check "network without ovsgw.datapath" dk network create -d "$DRIVER" \
        --subnet 10.20.1.0/24 --gateway 10.20.1.1 --subnet 10.20.2.0/24 \
        --gateway 10.20.2.1 dpnet
    ctr vm1 dpnet 10.20.1.100
    ctr vm2 dpnet 10.20.2.100
    br=$(dp_bridge_of dpnet)
    check "the daemon chose datapath_type $want for $br" \
        test "$(ovsctl get bridge "$br" datapath_type)" = "$want"
    check "vm1 -> vm2 ping (routed)" ping_ok vm1 10.20.2.100
    http_serve vm2 8080
    check "TCP vm1 -> vm2 (routed, 64 KiB)" http_get vm1 10.20.2.100 8080 vm2
    check "UDP vm2 -> vm1" udp_roundtrip vm2 vm1 10.20.1.100 9000
    [ "$want" = system ] || return 0

    out=$(tns ovs-dpctl show)
    mapfile -t lines <<<"$out"
    printf '        %s\n' "${lines[@]}"
    check "ovs-dpctl shows the kernel datapath system@ovs-system" \
        grep -q '^system@ovs-system:' <<<"$out"
    n=$(grep -cE 'port [0-9]+: og[0-9a-f]{12}$' <<<"$out" || true)
    check "... with both containers' ports ($n)" test "$n" -eq 2
    check "... and the bridge's internal port" \
        grep -qE "port [0-9]+: $br \(internal\)" <<<"$out"
    check "upcalls went through (missed > 0)" \
        test "$(dp_counter missed)" -gt 0
    check "and the kernel's flow cache forwarded (hit > 0)" \
        test "$(dp_counter hit)" -gt 0
    check "no upcall lost (lost: 0)" test "$(dp_counter lost)" = 0
    check "ovs-vswitchd has upcall handler threads ($(vswitchd_handlers))" \
        test "$(vswitchd_handlers)" -gt 0
}
