#!/bin/bash
# scripts/demo.sh - `sudo make demo`: the seed recipe end to end on the real
# system, with a report.
#
# Uses the system Open vSwitch and Docker, or starts them (the system profile
# of scripts/lib/env.sh),
# builds the ovsgw-busybox image if missing, starts build/ovsgw on
# /run/docker/plugins/ovsgw.sock (or uses the ovsgw already serving it), then:
#
#   docker network create -d ovsgw --ipv6 \
#       --subnet 10.20.1.0/24 --gateway 10.20.1.1 \
#       --subnet 10.20.2.0/24 --gateway 10.20.2.1 \
#       --subnet fd00:20:1::/64 --gateway fd00:20:1::1 \
#       --subnet fd00:20:2::/64 --gateway fd00:20:2::1 ovsnet
#   docker run -d --name vm1 --net ovsnet --ip 10.20.1.100 \
#       --ip6 fd00:20:1::100 -p 127.0.0.1::8090 ovsgw-busybox sleep 1d
#   docker run -d --name vm2 --net ovsnet --ip 10.20.2.100 \
#       --ip6 fd00:20:2::100 ovsgw-busybox sleep 1d
#
# and checks pings to the virtual gateways (IPv4 and IPv6), routed pings,
# TCP and UDP both ways, TCP over IPv6, the host reaching a container, and
# vm1's published port from the host's 127.0.0.1 (nothing leaves the
# host).  Exit status 0 iff every check passed (and the cleanup left
# nothing).
#
# At the end (and on Ctrl-C or an error) it removes the containers and the
# network and stops exactly the daemons it started.  KEEP=1 leaves it all
# running and prints how to clean up.  OVSGW_ARGS: extra ovsgw arguments.
# shellcheck disable=SC2317  # functions are called through traps
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/lib/env.sh
. "$HERE/lib/env.sh"
# shellcheck source=scripts/lib/checks.sh
. "$HERE/lib/checks.sh"
need_root "$0" demo
env_init system

KEEP=${KEEP:-0}
NET=ovsnet
IMAGE=$OVSGW_IMAGE
LABEL=ovsgw-demo=1
CREATED_CTRS=()
CREATED_NET=0
BRIDGE=""
PORTS=()

# Elapsed time in seconds with one decimal since a stamp from now_us.
now_us() { echo "${EPOCHREALTIME/[.,]/}"; }

ping6_ok() {
    local _
    for _ in 1 2 3; do
        dk exec "$1" ping -6 -c1 -W2 "$2" >/dev/null 2>&1 && return 0
    done
    return 1
}

# tcp_served CONTAINER PORT CLIENT...: a tcpcat in CONTAINER on PORT sends
# 1 MB to the client; the client's line must match the stream's.
tcp_served() {
    local c=$1 port=$2 want got
    shift 2
    want=$("$OVSGW_TCPCAT" -g 1000000 7)
    dk exec -d "$c" timeout 30 tcpcat -l "$port" -s 1000000 7 >/dev/null
    sleep 0.3
    got=$("$@" 2>&1 | tail -n1)
    [ "$got" = "$want" ] || { echo "got '$got', want '$want'"; return 1; }
}
since() { local d=$(($(now_us) - $1)); printf '%d.%ds' $((d / 1000000)) $((d % 1000000 / 100000)); }

T_START=$(now_us)
SIGNAL=""
# The cleanup may run from a trap while a redirection is in effect: it
# writes to the script's own stdout/stderr, kept in 8 and 9.  (The library
# does not pass them on to the daemons.)
exec 8>&1 9>&2
TIMES=()

# --------------------------------- cleanup ---------------------------------

keep_message() {
    echo
    echo "KEEP=1: the network and the containers are left running.  Try:"
    echo "  $DOCKER exec vm1 ping -c1 10.20.2.100"
    [ -n "$BRIDGE" ] && echo "  ovs-ofctl -O OpenFlow14 dump-flows $BRIDGE"
    echo "To clean up by hand:"
    echo "  $DOCKER rm -f vm1 vm2"
    echo "  $DOCKER network rm $NET"
    if env_started_summary >/dev/null; then
        echo "The daemons the demo started keep running; stop them, in this order, with:"
        env_started_summary
    else
        echo "(The demo started no daemon: OVS, Docker and ovsgw were already running.)"
    fi
}

# What of ours is still there after the cleanup (status 1 if anything).
leftovers() {
    local bad=0 p
    env_leftovers || bad=1
    for p in "${PORTS[@]}" "${PORTS[@]/#og/oc}"; do
        [ -n "$p" ] || continue
        ip link show "$p" >/dev/null 2>&1 && { echo "still there: veth $p"; bad=1; }
    done
    if [ -n "$BRIDGE" ]; then
        if ip link show "$BRIDGE" >/dev/null 2>&1 ||
            ovs-vsctl --timeout=5 br-exists "$BRIDGE" 2>/dev/null; then
            echo "still there: bridge $BRIDGE"
            bad=1
        fi
    fi
    [ "$CREATED_NET" = 1 ] && dk network inspect "$NET" >/dev/null 2>&1 &&
        { echo "still there: network $NET"; bad=1; }
    return "$bad"
}

cleanup() {
    local rc=$? t c
    trap '' INT TERM
    trap - EXIT
    exec 1>&8 2>&9
    if [ -n "$SIGNAL" ]; then
        echo
        lib_log "$SIGNAL: cleaning up"
    fi
    if [ "$KEEP" = 1 ]; then
        keep_message
        exit "$rc"
    fi
    t=$(now_us)
    echo
    echo "cleanup"
    if [ "${#CREATED_CTRS[@]}" -gt 0 ] || [ "$CREATED_NET" = 1 ]; then
        if [ "$FAILED" -gt 0 ] && [ -n "$OVSGW_PID" ]; then
            echo "  (ovsgw log, last lines:)"
            tail -n "+$OVSGW_LOGLINE" "$OVSGW_LOG" | tail -n 12 | sed 's/^/  | /'
        fi
        revive_ovsgw
        for c in "${CREATED_CTRS[@]}"; do
            if timeout 60 "$DOCKER" rm -f "$c" >/dev/null; then
                echo "  removed container $c"
            else
                lib_err "docker rm -f $c failed"
                rc=1
            fi
        done
        if [ "$CREATED_NET" = 1 ]; then
            if timeout 60 "$DOCKER" network rm "$NET" >/dev/null; then
                echo "  removed network $NET"
            else
                lib_err "docker network rm $NET failed"
                rc=1
            fi
        fi
    fi
    env_cleanup
    if leftovers | sed 's/^/  /'; then
        echo "  nothing left: no container, network, bridge, veth or daemon of the demo"
    else
        rc=1
    fi
    echo "  cleanup took $(since "$t"); demo total $(since "$T_START")"
    exit "$rc"
}
trap cleanup EXIT
trap 'SIGNAL=interrupted; exit 130' INT
trap 'SIGNAL=terminated; exit 143' TERM

# ---------------------------------- setup ----------------------------------

# Containers/network of an earlier KEEP=1 run are removed; anything else with
# those names is not ours to remove.
remove_earlier() {
    local c label nets drv others
    for c in vm1 vm2; do
        dk container inspect "$c" >/dev/null 2>&1 || continue
        label=$(dk container inspect -f '{{index .Config.Labels "ovsgw-demo"}}' "$c")
        # shellcheck disable=SC2016
        nets=$(dk container inspect -f '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}' "$c")
        if [ "$label" = 1 ] || [[ " $nets " == *" $NET "* ]]; then
            lib_log "removing container $c of an earlier run"
            dk rm -f "$c" >/dev/null || return 1
        else
            lib_err "a container \"$c\" exists that the demo did not make;" \
                "remove or rename it first ($DOCKER rm -f $c)"
            return 1
        fi
    done
    drv=$(dk network inspect -f '{{.Driver}}' "$NET" 2>/dev/null) || return 0
    if [ "$drv" != ovsgw ]; then
        lib_err "a network \"$NET\" with driver $drv exists; remove it first ($DOCKER network rm $NET)"
        return 1
    fi
    others=$(dk network inspect -f '{{range .Containers}}{{.Name}} {{end}}' "$NET")
    if [ -n "${others// /}" ]; then
        lib_err "network $NET of an earlier run still has containers: $others"
        return 1
    fi
    lib_log "removing network $NET of an earlier run"
    dk network rm "$NET" >/dev/null
}

echo "ovsgw demo: the seed recipe on the system's Open vSwitch and Docker"
t=$(now_us)
ovs_start || die "cannot get Open vSwitch running"
TIMES+=("OVS $(since "$t")")
t=$(now_us)
docker_start || die "cannot get a Docker engine running"
TIMES+=("Docker $(since "$t")")
t=$(now_us)
image_build "$OVSGW_IMAGE" || die "cannot build the $IMAGE image"
TIMES+=("image $(since "$t")")
t=$(now_us)
read -ra args <<<"${OVSGW_ARGS:-}"
start_ovsgw "${args[@]}" || die "cannot start ovsgw"
DRIVER=$(basename "$OVSGW_SOCK" .sock)
TIMES+=("ovsgw $(since "$t")")

t=$(now_us)
remove_earlier || die "the names vm1, vm2 or $NET are taken"
lib_log "docker network create -d $DRIVER ... $NET"
CREATED_NET=1
if ! dk network create -d "$DRIVER" --label "$LABEL" --ipv6 \
    --subnet 10.20.1.0/24 --gateway 10.20.1.1 \
    --subnet 10.20.2.0/24 --gateway 10.20.2.1 \
    --subnet fd00:20:1::/64 --gateway fd00:20:1::1 \
    --subnet fd00:20:2::/64 --gateway fd00:20:2::1 "$NET" >/dev/null; then
    CREATED_NET=0
    die "docker network create failed"
fi
# vm1 publishes its port 8090 on the host's 127.0.0.1, on a free port.
for spec in "vm1 10.20.1.100 fd00:20:1::100 -p 127.0.0.1::8090" \
    "vm2 10.20.2.100 fd00:20:2::100"; do
    read -r c ip ip6 publish <<<"$spec"
    lib_log "docker run -d --name $c --net $NET --ip $ip --ip6 $ip6 ${publish:+$publish }$IMAGE sleep 1d"
    CREATED_CTRS+=("$c")
    # shellcheck disable=SC2086  # $publish is "-p ADDR" or nothing
    dk run -d --name "$c" --label "$LABEL" --net "$NET" --ip "$ip" \
        --ip6 "$ip6" $publish "$IMAGE" sleep 1d >/dev/null ||
        die "docker run $c failed"
done
TIMES+=("network + 2 containers $(since "$t")")
T_SETUP=$(since "$T_START")

# --------------------------------- report ----------------------------------

NETID=$(dk network inspect -f '{{.Id}}' "$NET")
echo
echo "system"
printf '  %-13s %s\n' "Open vSwitch" "$ENV_OVS_STATUS" "Docker" "$ENV_DOCKER_STATUS" \
    "ovsgw" "$ENV_OVSGW_STATUS"
echo
printf 'network %s (driver %s, id %.12s)\n' "$NET" "$DRIVER" "$NETID"
ROWS=()
for c in vm1 vm2; do
    read -r ip plen mac ip6 < <(dk container inspect -f \
        "{{with index .NetworkSettings.Networks \"$NET\"}}{{.IPAddress}} {{.IPPrefixLen}} {{.MacAddress}} {{.GlobalIPv6Address}}{{end}}" "$c")
    port=$(ovs-vsctl --timeout=5 --bare --columns=name find Interface \
        "external_ids:ovsgw-network=$NETID" "external_ids:ovsgw-ipv4=\"$ip/$plen\"")
    ofport="?"
    if [ -n "$port" ]; then
        PORTS+=("$port")
        ofport=$(ovs-vsctl --timeout=5 get Interface "$port" ofport)
        [ -n "$BRIDGE" ] || BRIDGE=$(ovs-vsctl --timeout=5 port-to-br "$port")
    fi
    ROWS+=("$(printf '  %-5s %-14s %-16s %-18s %-15s %s' "$c" "$ip/$plen" "${ip6:-?}" "$mac" "${port:-?}" "$ofport")")
done
if [ -n "$BRIDGE" ]; then
    printf '  bridge   %s (datapath %s, fail_mode %s)\n' "$BRIDGE" \
        "$(ovs-vsctl --timeout=5 get bridge "$BRIDGE" datapath_type)" \
        "$(ovs-vsctl --timeout=5 get bridge "$BRIDGE" fail_mode)"
else
    echo "  bridge   ? (no OVS port found for the containers)"
fi
dk network inspect -f '{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{"\n"}}{{end}}' "$NET" |
    while read -r subnet gw; do
        [ -n "$subnet" ] && printf '  subnet   %-15s gateway %s (virtual: answered by flows)\n' "$subnet" "$gw"
    done
STATUS=$("$OVSGW_BIN" status --socket "$OVSGW_SOCK" 2>/dev/null)
grep -E '^  uplink ' <<<"$STATUS" | head -n1
echo
echo "containers"
printf '  %-5s %-14s %-16s %-18s %-15s %s\n' NAME IP IPV6 MAC "OVS PORT" OFPORT
printf '%s\n' "${ROWS[@]}"
# Docker cannot show a remote driver's ports: ovsgw status does.
PUBLISHED=$(grep -o '127\.0\.0\.1:[0-9]*->8090/tcp' <<<"$STATUS" | head -n1)
HOSTPORT=${PUBLISHED#127.0.0.1:}
HOSTPORT=${HOSTPORT%%-*}
echo "  vm1 published ${PUBLISHED:-nothing} (ovsgw status; docker ps cannot show it)"
echo
if [ -n "$BRIDGE" ]; then
    FLOWS=$(ovs-ofctl -O OpenFlow14 dump-flows "$BRIDGE" | grep -c cookie=)
    echo "flows: $FLOWS on $BRIDGE (ovs-ofctl -O OpenFlow14 dump-flows $BRIDGE)"
fi

echo
echo "checks"
t=$(now_us)
check "vm1 pings its gateway 10.20.1.1" ping_ok vm1 10.20.1.1
check "vm2 pings its gateway 10.20.2.1" ping_ok vm2 10.20.2.1
check "vm1 -> vm2 ping (routed)" ping_ok vm1 10.20.2.100
check "vm2 -> vm1 ping (routed)" ping_ok vm2 10.20.1.100
http_serve vm1 8080 >/dev/null 2>&1
http_serve vm2 8080 >/dev/null 2>&1
check "TCP vm1 -> vm2 (HTTP GET, 64 KiB, content checked)" http_get vm1 10.20.2.100 8080 vm2
check "TCP vm2 -> vm1 (HTTP GET, 64 KiB, content checked)" http_get vm2 10.20.1.100 8080 vm1
check "UDP vm1 -> vm2" udp_roundtrip vm1 vm2 10.20.2.100 9000
check "UDP vm2 -> vm1" udp_roundtrip vm2 vm1 10.20.1.100 9001
check "vm1 pings its IPv6 gateway fd00:20:1::1" ping6_ok vm1 fd00:20:1::1
check "vm1 -> vm2 ping over IPv6 (routed)" ping6_ok vm1 fd00:20:2::100
check "vm2 -> vm1 ping over IPv6 (routed)" ping6_ok vm2 fd00:20:1::100
check "TCP vm2 -> vm1 over IPv6 (1 MB, content checked)" \
    tcp_served vm1 8081 dk exec vm2 tcpcat fd00:20:1::100 8081
check "the host reaches vm1 by its address" /bin/busybox ping -c1 -W2 10.20.1.100
if [ -n "$HOSTPORT" ]; then
    check "the host's 127.0.0.1:$HOSTPORT reaches vm1's port 8090 (-p)" \
        tcp_served vm1 8090 "$OVSGW_TCPCAT" 127.0.0.1 "$HOSTPORT"
else
    check "vm1's port is published" false
fi
T_CHECKS=$(since "$t")

echo
times=$(printf '%s, ' "${TIMES[@]}")
echo "timing: setup $T_SETUP (${times%, }), checks $T_CHECKS"
if [ "$FAILED" -eq 0 ]; then
    echo "summary: all $PASSED checks ok"
else
    echo "summary: $FAILED of $((PASSED + FAILED)) checks FAILED (see FAIL above)"
    exit 1
fi
exit 0
