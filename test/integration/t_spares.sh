# shellcheck shell=bash
# Spare ports: a container's veth and OVS port outlive it, without flows,
# and the next container on the bridge takes them over; a restart keeps
# them; --pool bounds them and --pool-idle deletes unused ones.
# (start_ovsgw runs outside 'check': it sets OVSGW_PID for kill_ovsgw.)

eth0_mac() { dk exec "$1" cat /sys/class/net/eth0/address; }

test_spare_ports() {
    local br port ofport peer mac2
    check "network" dk network create -d "$DRIVER" --subnet 10.30.1.0/24 \
        --gateway 10.30.1.1 sparenet
    check "vm1 starts" ctr vm1 sparenet 10.30.1.10
    check "vm2 starts" ctr vm2 sparenet 10.30.1.20
    br=$(ovsctl list-br)
    port=$(port_of_ip "$br" 10.30.1.20/24)
    ofport=$(ovsctl get interface "$port" ofport)
    peer=$(iface_ext "$port" ovsgw-peer)
    mac2=$(iface_ext "$port" ovsgw-mac)
    check "vm2 reaches vm1" ping_ok vm2 10.30.1.10

    check "vm2 removed" dk rm -f vm2
    check "its port stays, as the one spare" \
        test "$(spare_ports "$br")" = "${port:-(vm2 had no port)}"
    check "... without the endpoint's state" \
        test -z "$(iface_ext "$port" ovsgw-endpoint)"
    check "... without a flow" lacks \
        "in_port=${ofport}[, ]|output:$ofport\$|10\.30\.1\.20[, ]" dump_flows "$br"
    check "... its container end back on the host, down" \
        link_shows "$peer" 'state DOWN'
    check "vm1 no longer reaches 10.30.1.20" ping_fails vm1 10.30.1.20

    check "vm3 starts" ctr vm3 sparenet 10.30.1.30
    check "vm3 took the spare port" \
        test "$(iface_ext "$port" ovsgw-ipv4)" = 10.30.1.30/24
    check "no spare left" n_spares "$br" 0
    local m3
    m3=$(eth0_mac vm3)
    check "vm3 has its own MAC on eth0" \
        test "$m3" = "$(iface_ext "$port" ovsgw-mac)" -a "$m3" != "$mac2"
    check "vm3 pings its gateway" ping_ok vm3 10.30.1.1
    check "vm3 -> vm1" ping_ok vm3 10.30.1.10
    check "vm1 -> vm3" ping_ok vm1 10.30.1.30
    http_serve vm1 8080
    check "TCP vm3 -> vm1" http_get vm3 10.30.1.10 8080 vm1
    check "vm4 gets vm2's old address, on a new port" \
        ctr vm4 sparenet 10.30.1.20
    check "... and vm2's MAC, derived from the address" \
        test "$(eth0_mac vm4)" = "$mac2"
    check "vm4 -> vm1" ping_ok vm4 10.30.1.10
    check "vm1 -> vm4 (its ARP entry for the address is still right)" \
        ping_ok vm1 10.30.1.20

    check "vm3 removed" dk rm -f vm3
    kill_ovsgw
    start_ovsgw
    check "a restart keeps the spare" test "$(spare_ports "$br")" = "$port"
    check "vm5 takes it after the restart" ctr vm5 sparenet 10.30.1.50
    check "... the same port" \
        test "$(iface_ext "$port" ovsgw-ipv4)" = 10.30.1.50/24
    check "vm5 -> vm1" ping_ok vm5 10.30.1.10

    check "vm4 and vm5 removed: two spares" dk rm -f vm4 vm5
    check "... two spares" n_spares "$br" 2
    kill_ovsgw
    start_ovsgw --pool 1
    check "the spare over the limit goes" wait_for 5 n_spares "$br" 1
    kill_ovsgw
    start_ovsgw --pool-idle 1
    check "the idle spare goes" wait_for 5 n_spares "$br" 0
    check "... with its veth" lacks "^$peer" tns ip -br link
    check "only vm1's port is left (and the uplink)" \
        test "$(ovsctl list-ports "$br" | grep -c '^og')" -eq 1
    kill_ovsgw
    start_ovsgw --pool 0
    check "vm6 starts" ctr vm6 sparenet 10.30.1.60
    check "vm6 removed" dk rm -f vm6
    check "--pool 0 keeps no spare" n_spares "$br" 0
    check "... and no veth" no_stray_veths
    kill_ovsgw
    start_ovsgw
}

# A spare goes to a network with another MTU on the same bridge.
test_spare_shared_bridge_mtu() {
    check "net A, MTU 1400, on bridge brsp" dk network create -d "$DRIVER" \
        -o ovsgw.bridge=brsp -o com.docker.network.driver.mtu=1400 \
        --subnet 10.31.1.0/24 --gateway 10.31.1.1 spa
    check "net B, MTU 1500, on the same bridge" dk network create \
        -d "$DRIVER" -o ovsgw.bridge=brsp --subnet 10.31.2.0/24 \
        --gateway 10.31.2.1 spb
    check "a1 starts in A" ctr a1 spa 10.31.1.10
    local port
    port=$(port_of_ip brsp 10.31.1.10/24)
    check "a1 removed: its port is a spare" dk rm -f a1
    check "... the one spare" test "$(spare_ports brsp)" = "$port"
    check "b1 starts in B" ctr b1 spb 10.31.2.10
    check "b1 took A's old port" \
        test "$(iface_ext "$port" ovsgw-ipv4)" = 10.31.2.10/24
    check "b1's eth0 has B's MTU" \
        test "$(dk exec b1 cat /sys/class/net/eth0/mtu)" = 1500
    check "... and so has the host end" link_shows "$port" 'mtu 1500 '
    check "b2 starts in B" ctr b2 spb 10.31.2.11
    check "b1 pings its gateway" ping_ok b1 10.31.2.1
    check "a 1472-byte ping b1 -> b2 passes" \
        dk exec b1 ping -c1 -W2 -s 1472 10.31.2.11
    check "a2 in A cannot reach B" ctr a2 spa 10.31.1.11
    check "... a2 -> b1 fails (networks on one bridge stay apart)" \
        ping_fails a2 10.31.2.10
    check "a2 removed" dk rm -f a2
    check "network A removed, the bridge stays for B" dk network rm spa
    check "B still works" ping_ok b1 10.31.2.11
}
