# shellcheck shell=bash
# The harness itself (scripts/lib/ovn.sh): the central and three hosts are
# up and joined, fake ports talk across Geneve, through a logical router,
# past a dead ovn-controller, and port security drops what it should.
# Each test removes what it made; run.sh then checks that nothing is left.

P1_MAC=0a:00:00:00:50:0b
P2_MAC=0a:00:00:00:50:0c
P3_MAC=0a:00:00:00:50:0d
Q1_MAC=0a:00:00:00:51:0b
LR_MAC1=02:00:00:00:50:01
LR_MAC2=02:00:00:00:51:01

northd_active() {
    ovn-appctl -T 5 -t "$OVN_DIR/c/ovn/northd.ctl" status | grep -q 'Status: active'
}

# chassis_encap N: host N's chassis has one encap, geneve on its underlay IP.
chassis_encap() {
    local ch
    ch=$(ovn_sbctl --bare --columns=encaps find Chassis "name=$(ovn_chassis "$1")")
    [ -n "$ch" ] || { echo "no chassis $(ovn_chassis "$1")"; return 1; }
    [ "$(ovn_sbctl --bare get Encap "$ch" type | tr -d '"')" = geneve ] &&
        [ "$(ovn_sbctl --bare get Encap "$ch" ip | tr -d '"')" = "$OVN_UNDERLAY.$1" ]
}

# (on a host)
br_int_netdev() { [ "$(ovs-vsctl get Bridge br-int datapath_type)" = netdev ]; }
route_on_br_phy() { ovs-appctl ovs/route/show | grep -q "$OVN_UNDERLAY.0/24 dev br-phy"; }
# neigh_has IP...: tnl/neigh/show has a MAC for each IP, on br-phy.
neigh_has() {
    local out ip
    out=$(ovs-appctl tnl/neigh/show) || return 1
    for ip in "$@"; do
        grep -qE "^$ip +([0-9a-f]{2}:){5}[0-9a-f]{2} +br-phy" <<<"$out" || {
            echo "$out"
            return 1
        }
    done
}
# the environment on_host gives: host N's OVS, and its own chassis.
host_env_is() {
    [[ $OVSDB_SOCK == "$(ovn_host_dir "$1")/"* ]] &&
        [ "$(ovs-vsctl get Open_vSwitch . external_ids:system-id | tr -d '"')" = \
            "$(ovn_chassis "$1")" ]
}
nb_over_tcp() { tns ovn-nbctl --db="$OVN_NB_REMOTE" --timeout=5 show >/dev/null; }
sb_over_tcp() { tns ovn-sbctl --db="$OVN_SB_REMOTE" --timeout=5 show >/dev/null; }

test_ovn_1_world() {
    local n others
    check "ovn-northd is active" northd_active
    check "3 chassis in SB" test "$(sb_rows Chassis)" -eq 3
    for n in 1 2 3; do
        others=$(for m in 1 2 3; do [ "$m" = "$n" ] || echo "$OVN_UNDERLAY.$m"; done)
        check "host $n: chassis $(ovn_chassis "$n"), geneve on $OVN_UNDERLAY.$n" \
            chassis_encap "$n"
        check "host $n: on_host sees its OVS and system-id" on_host "$n" host_env_is "$n"
        check "host $n: br-int is netdev, tunnels to the 2 others only" \
            on_host "$n" eval "br_int_netdev && _br_int_only_tunnels $n"
        check "host $n: ovs/route/show routes the underlay via br-phy" \
            on_host "$n" route_on_br_phy
        # shellcheck disable=SC2086  # one word per address
        check "host $n: tnl/neigh/show knows the other hosts" \
            on_host "$n" neigh_has $others
    done
    check "from host 2's netns, NB answers on $OVN_NB_REMOTE" on_host 2 nb_over_tcp
    check "... and SB on $OVN_SB_REMOTE" on_host 2 sb_over_tcp
    check "a host has no way out of the world (no default route)" \
        lacks '^default' on_host 1 tns ip route
}

# (on a host) its datapath has a flow that pushes a Geneve header towards
# the underlay address IP.
dp_geneve_to() {
    ovs-appctl dpctl/dump-flows | grep 'tnl_push(' | grep -q "dst=$1,proto=17.*geneve("
}
# via_geneve N NAME IP REMOTE: a ping from fake port NAME on host N to IP
# leaves host N in Geneve, towards REMOTE.
via_geneve() {
    fake_ping_ok "$1" "$2" "$3" && on_host "$1" dp_geneve_to "$4"
}

test_ovn_2_switch() {
    ovn_nbctl ls-add ls1
    check "fake port p1 on host 1" ovn_fake_port 1 p1 ls1 "$P1_MAC" 10.50.0.11/24
    check "fake port p3 on host 3" ovn_fake_port 3 p3 ls1 "$P3_MAC" 10.50.0.13/24
    check "p1 is bound to host1" test "$(pb_chassis p1)" = host1
    check "p3 is bound to host3" test "$(pb_chassis p3)" = host3
    check "p1 (host 1) pings p3 (host 3) across Geneve" fake_ping_ok 1 p1 10.50.0.13
    check "p3 pings p1" fake_ping_ok 3 p3 10.50.0.11
    check "... host 1's datapath pushed it into Geneve to $OVN_UNDERLAY.3" \
        via_geneve 1 p1 10.50.0.13 "$OVN_UNDERLAY.3"
    check "1372 bytes of payload (a full 1400 MTU packet) go through" \
        fake_ping_ok 1 p1 10.50.0.13 -s 1372
    check "1 MB over TCP p1 -> p3, content intact" \
        fake_tcp 1 p1 3 p3 10.50.0.13 9001 1000000
    check "1 MB over TCP p3 -> p1" fake_tcp 3 p3 1 p1 10.50.0.11 9002 1000000
    # Port security: p1 may send from 10.50.0.11 only, p3 receive (and
    # answer ARP) for 10.50.0.13 only; each has one more address.
    ovn_fake_exec 1 p1 ip addr add 10.50.0.99/24 dev eth0
    ovn_fake_exec 3 p3 ip addr add 10.50.0.33/24 dev eth0
    check "p1 pings p3 from its own address (control)" \
        fake_ping_ok 1 p1 10.50.0.13 -I 10.50.0.11
    check "from 10.50.0.99, not in p1's port_security, it cannot" \
        fake_ping_fails 1 p1 10.50.0.13 -I 10.50.0.99
    check "nor reach 10.50.0.33, not in p3's" fake_ping_fails 1 p1 10.50.0.33
    check "port_security cleared on p1 and p3" ovn_nbctl --wait=hv \
        lsp-set-port-security p1 -- lsp-set-port-security p3
    check "... then 10.50.0.99 gets through (control)" \
        fake_ping_ok 1 p1 10.50.0.13 -I 10.50.0.99
    check "... and 10.50.0.33 answers (control)" fake_ping_ok 1 p1 10.50.0.33
    check "port_security back" ovn_nbctl --wait=hv \
        lsp-set-port-security p1 "$P1_MAC 10.50.0.11" \
        -- lsp-set-port-security p3 "$P3_MAC 10.50.0.13"
    check "... then 10.50.0.99 is dropped again" \
        fake_ping_fails 1 p1 10.50.0.13 -I 10.50.0.99
    check "... and so is what goes to 10.50.0.33" fake_ping_fails 1 p1 10.50.0.33
    check "delete p1" ovn_fake_del 1 p1
    check "delete p3" ovn_fake_del 3 p3
    ovn_nbctl ls-del ls1
}

# router_up: ls1 10.50.0.0/24 and ls2 10.51.0.0/24 joined by lr0.
router_up() {
    ovn_nbctl ls-add ls1 -- ls-add ls2 -- lr-add lr0 \
        -- lrp-add lr0 lr0-ls1 "$LR_MAC1" 10.50.0.1/24 \
        -- lrp-add lr0 lr0-ls2 "$LR_MAC2" 10.51.0.1/24 \
        -- lsp-add ls1 ls1-lr0 -- lsp-set-type ls1-lr0 router \
        -- lsp-set-addresses ls1-lr0 router \
        -- lsp-set-options ls1-lr0 router-port=lr0-ls1 \
        -- lsp-add ls2 ls2-lr0 -- lsp-set-type ls2-lr0 router \
        -- lsp-set-addresses ls2-lr0 router \
        -- lsp-set-options ls2-lr0 router-port=lr0-ls2
}
router_down() { ovn_nbctl lr-del lr0 -- ls-del ls1 -- ls-del ls2; }

# ping_ttl N NAME IP TTL: the answer comes with that TTL.
ping_ttl() {
    ovn_fake_exec "$1" "$2" busybox ping -c1 -W2 "$3" | grep -q "ttl=$4 "
}
neigh_mac() { ovn_fake_exec "$1" "$2" ip neigh show "$3" | grep -q "lladdr $4 "; }

test_ovn_3_router() {
    check "ls1, ls2 and lr0 (10.50.0.1/24, 10.51.0.1/24)" router_up
    check "p1 on host 1 in ls1" ovn_fake_port 1 p1 ls1 "$P1_MAC" 10.50.0.11/24 10.50.0.1
    check "p3 on host 3 in ls1" ovn_fake_port 3 p3 ls1 "$P3_MAC" 10.50.0.13/24 10.50.0.1
    check "q1 on host 1 in ls2" ovn_fake_port 1 q1 ls2 "$Q1_MAC" 10.51.0.11/24 10.51.0.1
    check "p3 (host 3) pings the router's 10.50.0.1" fake_ping_ok 3 p3 10.50.0.1
    check "... at the router port's MAC $LR_MAC1" neigh_mac 3 p3 10.50.0.1 "$LR_MAC1"
    check "q1 pings its gateway 10.51.0.1" fake_ping_ok 1 q1 10.51.0.1
    check "p3 (host 3, ls1) pings q1 (host 1, ls2) through lr0" \
        fake_ping_ok 3 p3 10.51.0.11
    check "... in Geneve from host 3 to $OVN_UNDERLAY.1" \
        via_geneve 3 p3 10.51.0.11 "$OVN_UNDERLAY.1"
    check "... one hop: TTL 63" ping_ttl 3 p3 10.51.0.11 63
    check "q1 pings p3 back" fake_ping_ok 1 q1 10.50.0.13
    check "1 MB routed over TCP q1 -> p3" fake_tcp 1 q1 3 p3 10.50.0.13 9003 1000000
    check "p1 and q1 (same host, routed) ping" fake_ping_ok 1 p1 10.51.0.11
    check "delete the ports" eval "ovn_fake_del 1 p1 && ovn_fake_del 3 p3 && ovn_fake_del 1 q1"
    check "delete lr0, ls1, ls2" router_down
}

# trace_arp TPA: ovn-trace of an ARP request from p1 for TPA.
trace_arp() {
    ovn_trace --minimal ls1 "inport == \"p1\" && eth.src == $P1_MAC &&
        eth.dst == ff:ff:ff:ff:ff:ff && arp.op == 1 && arp.sha == $P1_MAC &&
        arp.spa == 10.50.0.11 && arp.tha == 00:00:00:00:00:00 && arp.tpa == $1"
}
# trace_has TPA TEXT...: its output has every TEXT.
trace_has() {
    local out t
    out=$(trace_arp "$1") || return 1
    shift
    for t in "$@"; do
        grep -qF -- "$t" <<<"$out" || {
            echo "no '$t' in:"
            echo "$out"
            return 1
        }
    done
}

test_ovn_4_trace() {
    check "ls1/ls2/lr0 and a port p1 (not bound anywhere)" router_up
    check "p1's LSP" ovn_nbctl lsp-add ls1 p1 -- lsp-set-addresses p1 "$P1_MAC 10.50.0.11"
    check "SB is in sync" ovn_nbctl --wait=sb sync
    check "ovn-trace: an ARP request for 10.50.0.1 is answered (op 2, the router's MAC, back to p1)" \
        trace_has 10.50.0.1 'arp.op = 2' "arp.sha = $LR_MAC1" 'arp.spa = 10.50.0.1' \
        "eth.dst = $P1_MAC" 'output("p1")'
    check "... for 10.50.0.77, nobody's, it is not (control)" \
        lacks 'arp.op = 2' trace_arp 10.50.0.77
    check "delete" eval "ovn_nbctl lsp-del p1 && router_down"
}

controller_dead() { ! pid_alive "$(pidfile_pid "$(ovn_host_dir 2)/ovn/ovn-controller.pid")"; }
# ovn_fake_port, waiting 3 s only.
fake_port_quick() { OVN_WAIT=3 ovn_fake_port "$@"; }

test_ovn_5_controller() {
    ovn_nbctl ls-add ls1
    check "p1 on host 1" ovn_fake_port 1 p1 ls1 "$P1_MAC" 10.50.0.11/24
    check "p3 on host 3" ovn_fake_port 3 p3 ls1 "$P3_MAC" 10.50.0.13/24
    check "p1 pings p3 (control)" fake_ping_ok 1 p1 10.50.0.13
    check "kill -9 ovn-controller on host 2" ovn_controller_kill 2
    check "... it is gone" controller_dead
    check "p1 (host 1) still pings p3 (host 3)" fake_ping_ok 1 p1 10.50.0.13
    check "... TCP too" fake_tcp 3 p3 1 p1 10.50.0.11 9004 1000000
    check_not "a new port p2 on host 2 is not installed meanwhile" \
        fake_port_quick 2 p2 ls1 "$P2_MAC" 10.50.0.12/24
    check "... nor bound" test -z "$(pb_chassis p2)"
    check "restart ovn-controller on host 2" ovn_controller_start 2
    check "p2 gets installed" wait_for 30 ovn_port_installed 2 p2
    check "... bound to host2" test "$(pb_chassis p2)" = host2
    check "p2 (host 2) pings p1 (host 1)" fake_ping_ok 2 p2 10.50.0.11
    check "p1 still pings p3" fake_ping_ok 1 p1 10.50.0.13
    check "still 3 chassis" test "$(sb_rows Chassis)" -eq 3
    check "delete the ports" eval "ovn_fake_del 1 p1 && ovn_fake_del 2 p2 && ovn_fake_del 3 p3"
    ovn_nbctl ls-del ls1
}
