# Helpers for the integration tests: checks, containers, leftovers.
# Sourced by run.sh after env.sh; uses $DOCKER, $DRIVER, $OVSDB_SOCK.

PASSED=0
FAILED=0
FAILED_NAMES=()
CURRENT_TEST=""

# check DESCRIPTION COMMAND...: runs COMMAND, records pass or fail.
check() {
    local desc=$1
    shift
    local out
    if out=$("$@" 2>&1); then
        PASSED=$((PASSED + 1))
        printf '  ok    %s\n' "$desc"
    else
        FAILED=$((FAILED + 1))
        FAILED_NAMES+=("$CURRENT_TEST: $desc")
        printf '  FAIL  %s\n' "$desc"
        printf '%s\n' "$out" | tail -n 15 | sed 's/^/        | /'
    fi
}

# check_not DESCRIPTION COMMAND...: passes when COMMAND fails.
check_not() {
    local desc=$1
    shift
    check "$desc" bash -c '! "$@"' _ "$@"
}

dk() { "$DOCKER" "$@"; }
ovsctl() { ovs-vsctl --db="unix:$OVSDB_SOCK" "$@"; }
ofctl() { ovs-ofctl -O OpenFlow14 "$1" "unix:$OVS_RUNDIR/$1.mgmt" "${@:2}"; }
dump_flows() { ovs-ofctl -O OpenFlow14 dump-flows "unix:$OVS_RUNDIR/$1.mgmt"; }

# ctr NAME NETWORK IP [docker run options...]: a test container that
# sleeps.
ctr() {
    local name=$1 net=$2 ip=$3
    shift 3
    dk run -d --name "$name" --net "$net" ${ip:+--ip "$ip"} "$@" \
        ovsgw-test sleep 1d >/dev/null
}

# ping_ok CONTAINER IP: one ping answered within 2 s (3 tries: the first
# packet may race the flows of a container that just started).
ping_ok() {
    local i
    for i in 1 2 3; do
        dk exec "$1" ping -c1 -W2 "$2" >/dev/null 2>&1 && return 0
    done
    return 1
}
ping_fails() { ! dk exec "$1" ping -c2 -W1 "$2" >/dev/null 2>&1; }

# http_serve CONTAINER PORT: busybox httpd serving /www/data (64 KiB of
# the container's name, so the client can tell whom it reached).
http_serve() {
    dk exec "$1" sh -c "mkdir -p /www && for i in \$(seq 4096); do \
        echo -n '$1-0123456789'; done > /www/data && \
        httpd -p $2 -h /www" >/dev/null
}
# http_get CONTAINER IP PORT EXPECTED_NAME: fetches /data over TCP and
# checks size and content.
http_get() {
    local got
    got=$(dk exec "$1" timeout 5 wget -q -O - "http://$2:$3/data") || {
        echo "wget from $1 to $2:$3 failed"
        return 1
    }
    local want_len=$(( (${#4} + 11) * 4096 ))
    [ "${#got}" -eq "$want_len" ] || {
        echo "got ${#got} bytes, want $want_len"
        return 1
    }
    [[ $got == "$4-0123456789"* ]]
}

# udp_roundtrip FROM TO_NAME TO_IP PORT: FROM sends a datagram that TO's
# listener writes to a file; the file must hold the message.
udp_roundtrip() {
    local from=$1 to=$2 ip=$3 port=$4 msg="udp-$1-to-$2-$RANDOM" i
    dk exec -d "$to" sh -c "udpcat -l $port 10 > /tmp/udp.$port"
    sleep 0.3
    for i in 1 2 3 4 5; do
        dk exec "$from" udpcat "$ip" "$port" "$msg" || true
        sleep 0.2
        if dk exec "$to" grep -q "$msg" "/tmp/udp.$port"; then
            return 0
        fi
    done
    echo "no datagram $msg at $to"
    return 1
}

# udp_blocked FROM TO_NAME TO_IP PORT: no datagram from FROM reaches TO.
udp_blocked() {
    ! udp_roundtrip "$@" >/dev/null
}

# Spare ports (see t_spares.sh) and other ports by their external_ids.
iface_ext() {
    ovsctl get interface "$1" "external_ids:$2" 2>/dev/null | tr -d '"'
}
# ports_where BRIDGE KEY [VALUE]: ports of BRIDGE whose interface has
# external_ids:KEY (equal to VALUE if given).
ports_where() {
    local p v
    for p in $(ovsctl list-ports "$1"); do
        v=$(iface_ext "$p" "$2")
        if [ $# -lt 3 ]; then
            [ -z "$v" ] || echo "$p"
        elif [ "$v" = "$3" ]; then
            echo "$p"
        fi
    done
}
spare_ports() { ports_where "$1" ovsgw-spare; }
endpoint_ports() { ports_where "$1" ovsgw-endpoint; }
port_of_ip() { ports_where "$1" ovsgw-ipv4 "$2"; }

# wait_for SECONDS CMD...: until CMD succeeds.
wait_for() {
    local n=$(($1 * 10))
    shift
    while ! "$@" >/dev/null 2>&1; do
        n=$((n - 1))
        [ "$n" -gt 0 ] || { echo "timed out: $*"; return 1; }
        sleep 0.1
    done
}
n_spares() { test "$(spare_ports "$1" | wc -l)" -eq "$2"; }

# ovsgw veths on the host that are neither a port in OVS nor the container
# end of a spare: what a removed container must not leave.
stray_veths() {
    local l p keep
    keep=" $(ovsctl --bare --columns=name list Interface | tr '\n' ' ') "
    for p in $(ovsctl --bare --columns=name find Interface \
                   'external_ids:ovsgw-spare!=""'); do
        keep+="$(iface_ext "$p" ovsgw-peer) "
    done
    for l in $(tns ip -br link | awk '{sub(/@.*/, "", $1); print $1}' \
                   | grep -E '^o[gc][0-9a-f]{12}'); do
        [[ $keep == *" $l "* ]] || echo "$l"
    done
}

# The test's own leftovers: bridges, ports and veths of ovsgw, flows.
no_leftovers() {
    local brs links
    brs=$(ovsctl list-br)
    links=$(tns ip -br link | awk '{print $1}' | grep -E '^o[gc][0-9a-f]{12}' \
        || true)
    [ -z "$brs" ] || { echo "bridges left: $brs"; return 1; }
    [ -z "$links" ] || { echo "veths left: $links"; return 1; }
    [ -z "$(ovsctl --columns=name --bare list Port)" ] || {
        echo "ports left"
        return 1
    }
}

# Removes every container and network of the private dockerd.
reset_docker() {
    local c n
    c=$(dk ps -aq)
    [ -z "$c" ] || dk rm -f $c >/dev/null
    for n in $(dk network ls -q --filter driver="$DRIVER"); do
        dk network rm "$n" >/dev/null
    done
}

# http_echo CONTAINER PORT: httpd on PORT with /cgi-bin/echo, which sends
# back the body of a POST (data both ways over one connection).
http_echo() {
    dk exec "$1" sh -c "mkdir -p /www && for i in \$(seq 4096); do \
        echo -n '$1-0123456789'; done > /www/data" && \
    dk exec "$1" sh -c "mkdir -p /www/cgi-bin && printf '%s\n' \
        '#!/bin/sh' 'echo Content-Type: text/plain' 'echo' \
        'echo \"echo-from-$1:\$(head -c \$CONTENT_LENGTH)\"' \
        > /www/cgi-bin/echo && chmod +x /www/cgi-bin/echo && \
        httpd -p $2 -h /www" >/dev/null
}
# echo_post CONTAINER IP PORT SERVER_NAME: POSTs a message and expects it
# back from SERVER_NAME.
echo_post() {
    local msg="hello-from-$1-$RANDOM" got
    got=$(dk exec "$1" timeout 5 wget -q -O - --post-data "$msg" \
        "http://$2:$3/cgi-bin/echo") || {
        echo "POST from $1 to $2:$3 failed"
        return 1
    }
    [ "$got" = "echo-from-$4:$msg" ] || {
        echo "got '$got'"
        return 1
    }
}
# server_up CONTAINER PORT: the server answers inside its own container,
# so that a blocked connection from elsewhere means the policy blocked it.
server_up() {
    dk exec "$1" timeout 3 wget -q -O /dev/null "http://127.0.0.1:$2/data"
}
# tcp_blocked CONTAINER IP PORT: no TCP connection can be opened.
tcp_blocked() {
    ! dk exec "$1" timeout 3 wget -q -O /dev/null "http://$2:$3/data" \
        >/dev/null 2>&1
}
