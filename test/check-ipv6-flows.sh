#!/bin/bash
# The IPv6 golden flows in a live ovs-vswitchd: a private ovsdb-server and
# ovs-vswitchd (userspace datapath) in a network namespace of their own,
# one bridge with the ports of the golden files (vm1 on 1, vm2 on 2, the
# uplink on 65279), the golden flows loaded with 'ovs-ofctl add-flows'.
#   1. ovs-vswitchd takes every flow (the two-stage ND responder too);
#   2. ofproto/trace: an NS for a gateway comes back out its in_port as an
#      NA with the right fields, an NS for an endpoint as its proxied NA,
#      an echo request to a gateway as a reply; a DAD NS, an NS without
#      source link-layer option, a forged NA and an NS for nobody drop;
#   3. with busybox, Linux judges the packets: two "containers" (nested
#      namespaces with the endpoints' MACs and addresses) and the host end
#      of the uplink finish DAD, resolve the gateways (R flag) and each
#      other's link-local addresses, ping6 the gateway, each other (routed
#      and link-local) and across the uplink.
# Needs root and Open vSwitch; otherwise it says SKIPPED and succeeds.
# Leaves no process, namespace or file behind.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
golden=$here/golden
name=check-ipv6-flows

skip() {
    echo "$name: SKIPPED: $*" >&2
    exit 0
}

if [[ -z ${OVSGW_V6_INNER:-} ]]; then
    [[ $(id -u) -eq 0 ]] || skip "needs root"
    for c in ovsdb-tool ovsdb-server ovs-vswitchd ovs-vsctl ovs-ofctl \
        ovs-appctl unshare nsenter ip; do
        command -v "$c" >/dev/null || skip "no $c"
    done
    unshare --net true 2>/dev/null || skip "cannot make a network namespace"
    # A network namespace of our own: our ovs-vswitchd's netdev datapath
    # and veths never meet another one's.  It goes with our last process.
    exec env OVSGW_V6_INNER=1 unshare --net -- "$0" "$@"
fi

dir=$(mktemp -d /tmp/ovsgw-v6flows.XXXXXX)
export OVS_RUNDIR=$dir OVS_LOGDIR=$dir OVS_DBDIR=$dir OVS_SYSCONFDIR=$dir
db=unix:$dir/db.sock
holders=()

cleanup() {
    local f pid
    for f in ovs-vswitchd ovsdb-server; do
        if [[ -s $dir/$f.pid ]]; then
            pid=$(cat "$dir/$f.pid")
            kill "$pid" 2>/dev/null || true
            for _ in $(seq 50); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.1
            done
        fi
    done
    for pid in "${holders[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$dir"
}
trap cleanup EXIT

failed=0
passed=0
ok() {
    passed=$((passed + 1))
    echo "  ok    $1"
}
fail() {
    failed=$((failed + 1))
    echo "  FAIL  $1"
    [[ -z ${2:-} ]] || printf '%s\n' "$2" | tail -n 20 | sed 's/^/        | /'
}

ip link set lo up
ovsdb-tool create "$dir/conf.db" /usr/share/openvswitch/vswitch.ovsschema
ovsdb-server "$dir/conf.db" --remote="punix:$dir/db.sock" \
    --pidfile="$dir/ovsdb-server.pid" --log-file="$dir/ovsdb-server.log" \
    --unixctl="$dir/ovsdb-server.ctl" -vconsole:off --no-chdir --detach \
    2>>"$dir/console.log"
ovs-vsctl --db="$db" --no-wait init
ovs-vswitchd "$db" --pidfile="$dir/ovs-vswitchd.pid" \
    --log-file="$dir/ovs-vswitchd.log" --unixctl="$dir/ovs-vswitchd.ctl" \
    -vconsole:off --no-chdir --detach 2>>"$dir/console.log"
appctl() { ovs-appctl -t "$dir/ovs-vswitchd.ctl" "$@"; }
# ofctl COMMAND [ARG...]: on br0
ofctl() { ovs-ofctl -O OpenFlow14 "$1" "unix:$dir/br0.mgmt" "${@:2}"; }

# Ports as in the golden files: vm1 on 1, vm2 on 2, the uplink on 65279.
ovs-vsctl --db="$db" add-br br0 -- set bridge br0 datapath_type=netdev \
    fail_mode=secure
for p in v1:1 v2:2 vup:65279; do
    ip link add "${p%:*}" type veth peer name "${p%:*}p"
    sysctl -qw "net.ipv6.conf.${p%:*}.disable_ipv6=1"
    ip link set "${p%:*}" up
    ovs-vsctl --db="$db" add-port br0 "${p%:*}" -- set interface \
        "${p%:*}" "ofport_request=${p#*:}"
done

# ---- 1. every golden flow of the dual-stack network is taken ----------
echo "$name: ovs-vswitchd $(ovs-vswitchd --version | sed -n '1s/.* //p'), userspace datapath, private namespace"
# Setting nd_reserved and nd_options_type needs the datapath's ND
# extensions: the userspace datapath has them, the kernel's has not.
if appctl dpif/show-dp-features br0 | grep -qx 'IPv6 ND Extension: Yes'; then
    ok "the datapath has IPv6 ND extensions, which the ND responder needs"
else
    fail "the datapath lacks ND extensions" "$(appctl dpif/show-dp-features br0)"
fi
want=$(cat "$golden/dual-stack.flows" "$golden/dual-stack-uplink.flows" \
    "$golden/policy-v6.flows" | sed 's/ actions=.*//' | sort -u | wc -l)
if out=$(ofctl add-flows "$golden/dual-stack.flows" 2>&1 &&
    ofctl add-flows "$golden/dual-stack-uplink.flows" 2>&1 &&
    ofctl add-flows "$golden/policy-v6.flows" 2>&1); then
    got=$(ofctl dump-flows --no-names | grep -c 'cookie=')
    if [[ $got -eq $want ]]; then
        ok "add-flows: all $want flows of dual-stack, dual-stack-uplink and policy-v6 installed"
    else
        fail "add-flows: $got flows installed, want $want"
    fi
else
    fail "add-flows refused the golden flows" "$out"
fi

# ---- 2. ofproto/trace --------------------------------------------------
gwmac=06:aa:55:f0:ee:ad
mac1=02:0a:70:3a:01:9c ll1=fe80::a:70ff:fe3a:19c ip1=fd00:20:1::100
mac2=02:37:1c:27:ab:29 ll2=fe80::37:1cff:fe27:ab29 ip2=fd00:20:2::100
upmac=0a:1b:2c:3d:4e:5f
# The datapath's port numbers of v1 and vup, as the traces print them.
odp() { appctl dpif/show | sed -n "s|^ *$1 [0-9]*/\([0-9]*\):.*|\1|p"; }
odp1=$(odp v1)
odpup=$(odp vup)
from1="in_port=1,dl_src=$mac1"

# trace DESCRIPTION FLOW PATTERN...: every PATTERN (fixed strings) is in
# the trace of FLOW, which starts a packet on br0.
trace() {
    local desc=$1 flow=$2 out p
    shift 2
    out=$(appctl ofproto/trace br0 "$flow" 2>&1) || {
        fail "$desc" "$out"
        return
    }
    for p in "$@"; do
        if ! grep -qF -- "$p" <<<"$out"; then
            fail "$desc (no \"$p\")" "$out"
            return
        fi
    done
    ok "$desc"
}
dropped() { trace "$1" "$2" "Datapath actions: drop"; }

ns="icmp6,nw_ttl=255,icmpv6_type=135,icmpv6_code=0"
trace "NS for the gateway: NA with R|S|O and the gateway's MAC, out in_port" \
    "$from1,$ns,dl_dst=33:33:ff:00:00:01,ipv6_src=$ip1,ipv6_dst=ff02::1:ff00:1,nd_target=fd00:20:1::1,nd_sll=$mac1" \
    "Final flow: icmp6,reg0=0xaa55f0ee,reg1=0x1,in_port=1,vlan_tci=0x0000,dl_src=$gwmac,dl_dst=$mac1,ipv6_src=fd00:20:1::1,ipv6_dst=$ip1," \
    "nw_ttl=255,nw_frag=no,icmp_type=136,icmp_code=0,nd_target=fd00:20:1::1,nd_sll=$mac1,nd_tll=$gwmac" \
    "set(nd_ext(nd_reserved=0xe0000000,nd_options_type=2))" \
    "set(nd(tll=$gwmac))" "set(icmpv6(type=136,code=0)),$odp1"$'\n'
trace "NS for an endpoint's link-local address: proxied NA, S|O, its MAC" \
    "$from1,$ns,dl_dst=33:33:ff:27:ab:29,ipv6_src=$ll1,ipv6_dst=ff02::1:ff27:ab29,nd_target=$ll2,nd_sll=$mac1" \
    "dl_src=$mac2,dl_dst=$mac1,ipv6_src=$ll2,ipv6_dst=$ll1," \
    "icmp_type=136,icmp_code=0,nd_target=$ll2,nd_sll=$mac1,nd_tll=$mac2" \
    "set(nd_ext(nd_reserved=0x60000000,nd_options_type=2))" \
    "set(icmpv6(type=136,code=0)),$odp1"$'\n'
trace "the host's NS for a gateway from the uplink: NA back to the uplink" \
    "in_port=65279,dl_src=$upmac,$ns,dl_dst=33:33:ff:00:00:01,ipv6_src=fe80::81b:2cff:fe3d:4e5f,ipv6_dst=ff02::1:ff00:1,nd_target=fd00:20:2::1,nd_sll=$upmac" \
    "dl_src=$gwmac,dl_dst=$upmac,ipv6_src=fd00:20:2::1,ipv6_dst=fe80::81b:2cff:fe3d:4e5f," \
    "set(nd_ext(nd_reserved=0xe0000000,nd_options_type=2))" \
    "set(icmpv6(type=136,code=0)),$odpup"$'\n'
trace "echo request to a gateway: echo reply, hop limit 255, out in_port" \
    "$from1,icmp6,dl_dst=$gwmac,ipv6_src=$ip1,ipv6_dst=fd00:20:2::1,nw_ttl=64,icmpv6_type=128,icmpv6_code=0" \
    "dl_src=$gwmac,dl_dst=$mac1,ipv6_src=fd00:20:2::1,ipv6_dst=$ip1," \
    "nw_ttl=255,nw_frag=no,icmp_type=129,icmp_code=0" \
    "set(icmpv6(type=129,code=0)),$odp1"$'\n'
dropped "DAD NS (source ::, no option) drops" \
    "$from1,$ns,dl_dst=33:33:ff:00:01:00,ipv6_src=::,ipv6_dst=ff02::1:ff00:100,nd_target=$ip1"
dropped "unicast NS without source link-layer option drops" \
    "$from1,$ns,dl_dst=$gwmac,ipv6_src=$ip1,ipv6_dst=fd00:20:1::1,nd_target=fd00:20:1::1"
dropped "NS with another port's MAC as source link-layer option drops" \
    "$from1,$ns,dl_dst=33:33:ff:00:00:01,ipv6_src=$ip1,ipv6_dst=ff02::1:ff00:1,nd_target=fd00:20:1::1,nd_sll=$mac2"
dropped "NS for an address nobody has drops" \
    "$from1,$ns,dl_dst=33:33:ff:00:00:99,ipv6_src=$ip1,ipv6_dst=ff02::1:ff00:99,nd_target=fd00:20:1::99,nd_sll=$mac1"
dropped "forged NA (vm2's address at vm1's MAC, unicast to vm2) drops" \
    "$from1,icmp6,dl_dst=$mac2,ipv6_src=$ll1,ipv6_dst=$ll2,nw_ttl=255,icmpv6_type=136,icmpv6_code=0,nd_target=$ll2,nd_tll=$mac1"
trace "control: the same addresses carry UDP to vm2" \
    "$from1,udp6,dl_dst=$mac2,ipv6_src=$ll1,ipv6_dst=$ll2,nw_ttl=64,udp_src=9,udp_dst=9" \
    "Datapath actions: $(odp v2)"$'\n'
dropped "MLDv2 report drops" \
    "$from1,icmp6,dl_dst=33:33:00:00:00:16,ipv6_src=$ll1,ipv6_dst=ff02::16,nw_ttl=1,icmpv6_type=143,icmpv6_code=0"
dropped "router solicitation drops" \
    "$from1,icmp6,dl_dst=33:33:00:00:00:02,ipv6_src=$ll1,ipv6_dst=ff02::2,nw_ttl=255,icmpv6_type=133,icmpv6_code=0"
dropped "a spoofed source address drops" \
    "$from1,icmp6,dl_dst=$gwmac,ipv6_src=$ip2,ipv6_dst=fd00:20:2::1,nw_ttl=64,icmpv6_type=128,icmpv6_code=0"
trace "routed to vm2: gateway MAC out, vm2's in, hop limit 63" \
    "$from1,udp6,dl_dst=$gwmac,ipv6_src=$ip1,ipv6_dst=$ip2,nw_ttl=64,udp_src=9,udp_dst=9" \
    "set(eth(src=$gwmac,dst=$mac2)),set(ipv6(hlimit=63)),$(odp v2)"$'\n'
trace "none of the subnets: out the uplink, hop limit 63" \
    "$from1,udp6,dl_dst=$gwmac,ipv6_src=$ip1,ipv6_dst=2001:db8::1,nw_ttl=64,udp_src=9,udp_dst=9" \
    "set(eth(src=$gwmac,dst=$upmac)),set(ipv6(hlimit=63)),$odpup"$'\n'
for dst in fe80::1 ::1 ff05::2 fd00:20:1::99; do
    dropped "to $dst via the gateway: not out the uplink" \
        "$from1,udp6,dl_dst=$gwmac,ipv6_src=$ip1,ipv6_dst=$dst,nw_ttl=64,udp_src=9,udp_dst=9"
done

# ---- 3. Linux as the judge ---------------------------------------------
# check DESCRIPTION COMMAND...: COMMAND (a function, say) succeeds.
check() {
    local desc=$1 out
    shift
    if out=$("$@" 2>&1); then ok "$desc"; else fail "$desc" "$out"; fi
}
inns() { nsenter --net="/proc/$1/ns/net" "${@:2}"; }

# container PID PEER MAC ADDR GATEWAY: PID (a sleep in a namespace of its
# own) gets the veth peer as its interface, with the endpoint's MAC (so
# its link-local address), address and default route.
container() {
    until [[ $(readlink "/proc/$1/ns/net") != "$(readlink /proc/self/ns/net)" ]]; do
        sleep 0.05
    done
    ip link set "$2" netns "$1"
    inns "$1" ip link set lo up
    inns "$1" ip link set "$2" address "$3"
    inns "$1" ip link set "$2" up
    inns "$1" ip -6 addr add "$4/64" dev "$2"
    inns "$1" ip -6 route add default via "$5" dev "$2"
}

# ping_ok PID ARGS...: one echo answered within 2 s, 3 tries (the first
# may wait for ND).
ping_ok() {
    local try
    for try in 1 2 3; do
        inns "$1" busybox ping6 -c1 -W2 "${@:2}" >/dev/null 2>&1 && return 0
        [[ $try -lt 3 ]] || return 1
    done
}
# ping_fails PID ARGS...: no answer within 2 s.
ping_fails() { ! inns "$1" busybox ping6 -c1 -W2 "${@:2}" >/dev/null 2>&1; }

# snmp6 PID COUNTER: a counter of /proc/net/snmp6 in PID's namespace.
snmp6() {
    # shellcheck disable=SC2016
    inns "$1" awk -v k="$2" '$1 == k { print $2 }' /proc/net/snmp6
}

# dad_done PID DEV GLOBAL LINKLOCAL: both addresses there, after at most
# 5 s neither tentative nor failed.
dad_done() {
    local out tries=50
    while out=$(inns "$1" ip -6 addr show dev "$2") &&
        grep -q tentative <<<"$out" && ((--tries)); do
        sleep 0.1
    done
    echo "$out"
    grep -q "inet6 $3/64 scope global" <<<"$out" &&
        grep -q "inet6 $4/64 scope link" <<<"$out" &&
        ! grep -qE 'tentative|dadfailed' <<<"$out"
}

# neigh PID DEV ADDR PATTERN: ADDR's neighbour entry matches PATTERN.
neigh() { inns "$1" ip -6 neigh show "$3" dev "$2" | grep -E -- "$4"; }

no_csum_errors() {
    local pid
    for pid in "$@"; do
        [[ $(snmp6 "$pid" Icmp6InCsumErrors) == 0 ]] || return 1
    done
}

# Every NS is answered by the flows: c2 gets NAs, never an NS.
no_flood() {
    [[ $(snmp6 "$c2" Icmp6InNeighborAdvertisements) -gt 0 &&
        $(snmp6 "$c2" Icmp6InNeighborSolicits) == 0 ]]
}

if ! command -v busybox >/dev/null; then
    echo "$name: SKIPPED: the packet checks need busybox (ping6)" >&2
else
    unshare --net sleep 600 &
    c1=$!
    holders+=("$c1")
    unshare --net sleep 600 &
    c2=$!
    holders+=("$c2")
    container "$c1" v1p "$mac1" "$ip1" fd00:20:1::1
    container "$c2" v2p "$mac2" "$ip2" fd00:20:2::1
    # The host's end of the uplink, in this namespace: it routes the
    # subnets via their gateways.
    ip link set vupp address "$upmac" up
    ip -6 addr add fd00:99::1/128 dev vupp nodad
    ip -6 route add fd00:20:1::/64 via fd00:20:1::1 dev vupp onlink
    ip -6 route add fd00:20:2::/64 via fd00:20:2::1 dev vupp onlink

    check "c1: DAD completes (global and link-local, not tentative, no dadfailed)" \
        dad_done "$c1" v1p "$ip1" "$ll1"
    check "c2: DAD completes" dad_done "$c2" v2p "$ip2" "$ll2"
    check "c1 pings its gateway" ping_ok "$c1" fd00:20:1::1
    check "c1 took the gateway's NA: its MAC, router flag" \
        neigh "$c1" v1p fd00:20:1::1 "lladdr $gwmac router"
    check "c1 pings the other subnet's gateway" ping_ok "$c1" fd00:20:2::1
    check "c1 pings c2, routed" ping_ok "$c1" "$ip2"
    check "c1 pings c2's link-local address" ping_ok "$c1" -I v1p "$ll2"
    check "c1 took c2's proxied NA: c2's MAC, no router flag" \
        neigh "$c1" v1p "$ll2" "lladdr $mac2 (STALE|REACHABLE|DELAY)"
    check "the host pings c1 through the uplink" \
        ping_ok $$ -I fd00:99::1 "$ip1"
    check "the host pings c2 through the uplink" \
        ping_ok $$ -I fd00:99::1 "$ip2"
    check "the host took the gateway's NA: router flag" \
        neigh $$ vupp fd00:20:2::1 "lladdr $gwmac router"
    check "no ICMPv6 checksum error in c1, c2 or the host" \
        no_csum_errors "$c1" "$c2" $$
    # Negative checks; their controls are above.
    check "nothing floods: c2 got NAs but never an NS" no_flood
    check "c1 cannot reach an address nobody has" \
        ping_fails "$c1" fd00:20:1::99
    inns "$c1" ip -6 addr add fd00:20:1::77/64 dev v1p nodad
    check "c1 from an address not its own reaches nobody" \
        ping_fails "$c1" -I fd00:20:1::77 fd00:20:1::1
fi

echo "$name: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
