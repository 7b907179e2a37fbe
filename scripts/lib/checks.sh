# shellcheck shell=bash
# scripts/lib/checks.sh - checks and the traffic between containers that
# they look at; for `make demo` and the integration tests.  Uses $DOCKER
# (through dk).  Defines functions and counters only.
#
#   check DESC CMD...       run CMD (in a subshell of this shell: its
#                           variables do not come back), count and print
#                           "ok" or "FAIL" with the tail of its output;
#                           status 1 if it failed
#   check_not DESC CMD...   the same, passing when CMD fails; CMD a program
#                           or a function of this shell.  A command that
#                           is not found or cannot run (status 126 or 127,
#                           also from inside CMD) fails the check
#   lacks REGEX CMD...      CMD succeeds and no line of its output matches
#                           REGEX (grep -E); the lines that do are printed
#   wait_for SECONDS CMD... wait_until, saying what timed out
#   ping_ok C IP, ping_fails C IP       one ping answered / none
#   http_serve C PORT, http_get C IP PORT NAME   64 KiB over TCP
#   http_echo C PORT, echo_post C IP PORT NAME   data both ways over one
#                           TCP connection
#   server_up C PORT, tcp_blocked C IP PORT
#   udp_roundtrip FROM TO IP PORT, udp_blocked FROM TO IP PORT
#
# A negative helper (ping_fails, tcp_blocked, udp_blocked) fails when the
# client container cannot run commands at all, or not this one (status 126
# or 127): an unreachable target is shown only by a client that could have
# reached it.
# shellcheck disable=SC2034  # PASSED, FAILED, FAILED_NAMES are for the callers

# shellcheck source=scripts/lib/base.sh
. "${BASH_SOURCE[0]%/*}/base.sh"

PASSED=0
FAILED=0
FAILED_NAMES=()
CURRENT_TEST=""

check() {
    local desc=$1 out
    shift
    if out=$("$@" 2>&1); then
        PASSED=$((PASSED + 1))
        printf '  ok    %s\n' "$desc"
    else
        FAILED=$((FAILED + 1))
        FAILED_NAMES+=("${CURRENT_TEST:+$CURRENT_TEST: }$desc")
        printf '  FAIL  %s\n' "$desc"
        printf '%s\n' "$out" | tail -n 15 | sed 's/^/        | /'
        return 1
    fi
}

check_not() {
    local desc=$1
    shift
    check "$desc" _negated "$@"
}
_negated() {
    local rc=0
    if ! type -t "$1" >/dev/null; then
        echo "$1: command not found"
        return 1
    fi
    "$@" || rc=$?
    case $rc in
    0)
        echo "succeeded: $*"
        return 1
        ;;
    126 | 127)
        echo "could not run: $* (status $rc)"
        return 1
        ;;
    esac
    return 0
}

# (A failing CMD prints nothing: "nothing" must not pass for "none".)
lacks() {
    local re=$1 out
    shift
    out=$("$@") || {
        echo "failed: $*"
        return 1
    }
    ! grep -E -- "$re" <<<"$out"
}

wait_for() {
    wait_until "$@" || {
        echo "timed out after $1 s: ${*:2}"
        return 1
    }
}

# Can the container run a command?  (The client side of a negative check.)
_can_exec() {
    dk exec "$1" true >/dev/null 2>&1 || {
        echo "cannot run a command in container $1"
        return 1
    }
}

# One ping answered within 2 s (3 tries: the first packet may race the
# flows of a container that just started).
ping_ok() {
    local i
    for i in 1 2 3; do
        dk exec "$1" ping -c1 -W2 "$2" >/dev/null 2>&1 && return 0
    done
    echo "no answer from $2 in $1"
    return 1
}
ping_fails() {
    _can_exec "$1" && _negated dk exec "$1" ping -c2 -W1 "$2"
}

# http_serve CONTAINER PORT: busybox httpd serving /www/data (64 KiB of
# the container's name, so the client can tell whom it reached).
http_serve() {
    dk exec "$1" sh -c "mkdir -p /www && for i in \$(seq 4096); do \
        echo -n '$1-0123456789'; done > /www/data && \
        httpd -p $2 -h /www" >/dev/null
}

# http_get CONTAINER IP PORT EXPECTED_NAME: fetches /data over TCP and
# checks size and content.  (busybox wget -T crashes: timeout bounds it.)
http_get() {
    local got want_len=$(((${#4} + 11) * 4096))
    got=$(dk exec "$1" timeout 5 wget -q -O - "http://$2:$3/data") || {
        echo "wget from $1 to http://$2:$3/data failed"
        return 1
    }
    [ "${#got}" -eq "$want_len" ] || {
        echo "got ${#got} bytes, want $want_len"
        return 1
    }
    [[ $got == "$4-0123456789"* ]] || {
        echo "content is not $4's: ${got:0:40}..."
        return 1
    }
}

# http_echo CONTAINER PORT: httpd on PORT with /cgi-bin/echo, which sends
# back the body of a POST (data both ways over one connection).
http_echo() {
    dk exec "$1" sh -c "mkdir -p /www && for i in \$(seq 4096); do \
        echo -n '$1-0123456789'; done > /www/data" &&
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
    _can_exec "$1" &&
        _negated dk exec "$1" timeout 3 wget -q -O /dev/null "http://$2:$3/data"
}

# udp_roundtrip FROM TO TO_IP PORT: FROM sends a datagram that TO's
# listener writes to a file; the file must hold the message.
udp_roundtrip() {
    local from=$1 to=$2 ip=$3 port=$4 msg="udp-$1-to-$2-$RANDOM" i
    dk exec -d "$to" sh -c "udpcat -l $port 10 > /tmp/udp.$port" || return 1
    sleep 0.3
    for i in 1 2 3 4 5; do
        dk exec "$from" udpcat "$ip" "$port" "$msg" || true
        sleep 0.2
        dk exec "$to" grep -q "$msg" "/tmp/udp.$port" 2>/dev/null && return 0
    done
    echo "datagram \"$msg\" did not arrive in $to"
    return 1
}

# udp_blocked FROM TO TO_IP PORT: no datagram from FROM reaches TO.
udp_blocked() {
    _can_exec "$1" && _can_exec "$2" || return 1
    ! udp_roundtrip "$@" >/dev/null
}
