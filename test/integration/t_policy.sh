# shellcheck shell=bash
# Issue 3: per-network TCP policies from driver options.

# policy_net NAME OPTIONS...: the seed's two subnets with policy options.
policy_net() {
    local name=$1
    shift
    dk network create -d "$DRIVER" --subnet 10.20.1.0/24 \
        --gateway 10.20.1.1 --subnet 10.20.2.0/24 --gateway 10.20.2.1 \
        "$@" "$name" >/dev/null
}

bridge_of() {
    local id
    id=$(dk network inspect -f '{{.Id}}' "$1") || return 1
    ovsctl --bare --columns=name find Bridge \
        "external_ids:ovsgw-net-$id!=\"\""
}

test_policy_one_way() {
    check "network with the seed's one-way rule" policy_net pnet \
        -o 'ovsgw.tcp.rules=deny 10.20.2.0/24->10.20.1.0/24, deny 10.20.1.101->10.20.1.100'
    ctr vm1 pnet 10.20.1.100
    ctr vm2 pnet 10.20.2.100
    ctr vm3 pnet 10.20.1.101
    http_echo vm1 8080
    http_echo vm2 8080
    http_echo vm3 8080
    check "vm1's server is up (control)" server_up vm1 8080
    check "vm1 opens a connection to vm2, data both ways" \
        echo_post vm1 10.20.2.100 8080 vm2
    check "vm2 cannot open a connection to vm1" \
        tcp_blocked vm2 10.20.1.100 8080
    check "vm2 still pings vm1 (the policy is about TCP)" \
        ping_ok vm2 10.20.1.100
    check "same subnet: vm3 cannot open a connection to vm1" \
        tcp_blocked vm3 10.20.1.100 8080
    check "same subnet: vm1 opens a connection to vm3" \
        echo_post vm1 10.20.1.101 8080 vm3
    check "vm3 opens a connection to vm2 (no rule)" \
        echo_post vm3 10.20.2.100 8080 vm2
    local br
    br=$(bridge_of pnet)
    check "the active policy is in the bridge's external_ids" bash -c \
        "ovs-vsctl --db=unix:$OVSDB_SOCK get bridge $br external_ids \
         | grep -qF 'deny 10.20.2.0/24->10.20.1.0/24, deny 10.20.1.101->10.20.1.100, default allow'"
    check "policy flows sit in table 30 and match only SYNs" bash -c \
        "ovs-ofctl -O OpenFlow14 dump-flows unix:$OVS_RUNDIR/$br.mgmt \
         table=30 | grep 'tcp_flags=+syn-ack' | grep -c actions=drop \
         | grep -qx 2"
}

test_policy_ports() {
    check "network allowing only ports 80-90 into 10.20.1.0/24" \
        policy_net portnet -o 'ovsgw.tcp.rules=allow any->10.20.1.0/24:80-90, deny any->10.20.1.0/24'
    ctr srv portnet 10.20.1.100
    ctr cli portnet 10.20.2.100
    http_serve srv 80
    local p
    for p in 79 85 90 91 8080; do
        dk exec srv httpd -p "$p" -h /www
        check "port $p answers inside srv (control)" server_up srv "$p"
    done
    check "port 80 is reachable" http_get cli 10.20.1.100 80 srv
    check "port 85 is reachable" http_get cli 10.20.1.100 85 srv
    check "port 90 is reachable" http_get cli 10.20.1.100 90 srv
    check "port 79 is refused" tcp_blocked cli 10.20.1.100 79
    check "port 91 is refused" tcp_blocked cli 10.20.1.100 91
    check "port 8080 is refused" tcp_blocked cli 10.20.1.100 8080
    local br
    br=$(bridge_of portnet)
    check "80-90 is 3 masked flows, not 11" bash -c \
        "[ \$(ovs-ofctl -O OpenFlow14 dump-flows \
           unix:$OVS_RUNDIR/$br.mgmt table=30 | grep tp_dst \
           | grep -c goto_table) -eq 3 ]"
}

test_policy_default_deny() {
    check "default deny with one allow rule" policy_net denynet \
        -o ovsgw.tcp.default=deny \
        -o 'ovsgw.tcp.rules=allow 10.20.1.100->10.20.2.100:8080'
    ctr vm1 denynet 10.20.1.100
    ctr vm2 denynet 10.20.2.100
    ctr vm3 denynet 10.20.1.101
    http_echo vm1 8080
    http_echo vm2 8080
    dk exec vm2 httpd -p 8081 -h /www
    check "vm1's server is up (control)" server_up vm1 8080
    check "vm2's server on 8081 is up (control)" server_up vm2 8081
    check "vm1 -> vm2:8080 works (the allowed flow)" \
        echo_post vm1 10.20.2.100 8080 vm2
    check "vm1 -> vm2:8081 is refused" tcp_blocked vm1 10.20.2.100 8081
    check "vm2 -> vm1:8080 is refused" tcp_blocked vm2 10.20.1.100 8080
    check "vm3 -> vm2:8080 is refused" tcp_blocked vm3 10.20.2.100 8080
    check "ping is unaffected" ping_ok vm3 10.20.2.100
    check "the gateway still answers ping" ping_ok vm2 10.20.2.1
    check "UDP is unaffected (vm3 -> vm2)" udp_roundtrip vm3 vm2 10.20.2.100 \
        9000
    check "UDP is unaffected (vm2 -> vm1)" udp_roundtrip vm2 vm1 10.20.1.100 \
        9001
}

test_policy_order() {
    check "allow-then-deny network" policy_net order1 \
        -o 'ovsgw.tcp.rules=allow 10.20.2.100->10.20.1.100, deny 10.20.2.0/24->10.20.1.0/24'
    ctr a1 order1 10.20.1.100
    ctr a2 order1 10.20.2.100
    ctr a3 order1 10.20.2.101
    http_echo a1 8080
    check "first rule wins: a2 may connect to a1" \
        echo_post a2 10.20.1.100 8080 a1
    check "the second rule still holds for a3" \
        tcp_blocked a3 10.20.1.100 8080
    dk rm -f a1 a2 a3 >/dev/null
    dk network rm order1 >/dev/null

    check "deny-then-allow network" policy_net order2 \
        -o 'ovsgw.tcp.rules=deny 10.20.2.0/24->10.20.1.0/24, allow 10.20.2.100->10.20.1.100'
    ctr b1 order2 10.20.1.100
    ctr b2 order2 10.20.2.100
    http_echo b1 8080
    check "b1's server is up (control)" server_up b1 8080
    check "first rule wins: b2 may not connect to b1" \
        tcp_blocked b2 10.20.1.100 8080
}

test_policy_bad_rules() {
    check "a bad CIDR is refused with the rule and token" \
        create_fails 'ovsgw.tcp.rules: rule 1 "deny 10.0.0.0/33->any": bad CIDR "10.0.0.0/33"' \
        -o 'ovsgw.tcp.rules=deny 10.0.0.0/33->any'
    check "a bad action is refused" \
        create_fails 'ovsgw.tcp.rules: rule 2 "drop any->any": bad action "drop"' \
        -o 'ovsgw.tcp.rules=allow any->any, drop any->any'
    check "port 70000 is refused" \
        create_fails 'bad port "70000"' -o 'ovsgw.tcp.rules=allow any->any:70000'
    check "a reversed range is refused" \
        create_fails 'bad port range "90-80"' \
        -o 'ovsgw.tcp.rules=allow any->any:90-80'
    check "a rule without -> is refused" \
        create_fails 'rule 1 "deny 10.20.1.1": missing "->"' \
        -o 'ovsgw.tcp.rules=deny 10.20.1.1'
    check "an empty rule is refused" \
        create_fails 'ovsgw.tcp.rules: rule 2 is empty' \
        -o 'ovsgw.tcp.rules=deny any->any,,allow any->any'
    check "a bad default is refused" \
        create_fails 'ovsgw.tcp.default: bad value "maybe"' \
        -o ovsgw.tcp.default=maybe
    check "after the failures nothing is left" no_leftovers
}
