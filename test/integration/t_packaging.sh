# shellcheck shell=bash
# Issue 5: packaging.  The managed plugin (make plugin) on the private
# dockerd, a round trip through a local registry, the compose example, and
# make install / make deb (the .deb is installed into the real system with
# dpkg -i and removed again).

# pkg_took T0: how long the test took.
pkg_took() { printf '  time  %ss\n' "$((SECONDS - $1))"; }

# plugin_build NAME: `make plugin` from $OVSGW_BIN (not rebuilt: an
# absolute PKG_BIN has no rule), created disabled on the private dockerd
# ($DOCKER, $DOCKER_HOST).
plugin_build() {
    make -C "$TOP" --no-print-directory plugin PKG_BIN="$OVSGW_BIN" \
        PLUGIN_DIR="$OVSGW_T/plugin" PLUGIN_NAME="$1"
}

plugin_id() { dk plugin inspect -f '{{.Id}}' "$1"; }

# `make && make plugin`, as the README says: the rootfs goes to its
# default directory beside the objects of build/ (it once was build/plugin,
# the objects' own directory, and make plugin refused to wipe it).
test_plugin_after_make() {
    local p=ovsgw-default-$$
    check "make (the objects in build/plugin/)" \
        make -C "$TOP" --no-print-directory -s
    check "make plugin with its default directory" \
        make -C "$TOP" --no-print-directory plugin PLUGIN_NAME="$p"
    check "... the rootfs is in build/plugin-rootfs" \
        test -x "$TOP/build/plugin-rootfs/rootfs/usr/sbin/ovsgw"
    check "... and the objects are still there" \
        test -e "$TOP/build/plugin/driver.o"
    check "the plugin exists (disabled)" bash -c \
        "[ \"\$($DOCKER plugin inspect -f '{{.Enabled}}' $p)\" = false ]"
    check "make plugin again replaces it" \
        make -C "$TOP" --no-print-directory plugin PLUGIN_NAME="$p"
    dk plugin rm "$p" >/dev/null
}
plugin_enabled() {
    [ "$(dk plugin inspect -f '{{.Enabled}}' "$1" 2>/dev/null)" = true ]
}

# plugin_pid NAME: the PID of the plugin's daemon (containerd's task in
# dockerd's "plugins.moby" namespace).
plugin_pid() {
    local id
    id=$(plugin_id "$1") || return 1
    command ctr --address "$OVSGW_T/containerd/containerd.sock" -n plugins.moby \
        task ls 2>/dev/null | awk -v id="$id" '$1 == id { print $2 }'
}

# plugin_gone NAME [NETWORK]: the safety net after a failed check: remove
# every container and NETWORK (run.sh's reset_docker only knows $DRIVER's
# networks), then disable (force) and remove the plugin, if it exists.
plugin_gone() {
    local c
    c=$(dk ps -aq)
    # shellcheck disable=SC2086
    [ -z "$c" ] || dk rm -f $c >/dev/null 2>&1
    [ -z "${2:-}" ] || dk network rm "$2" >/dev/null 2>&1
    dk plugin inspect "$1" >/dev/null 2>&1 || return 0
    dk plugin disable -f "$1" >/dev/null 2>&1
    dk plugin rm -f "$1" >/dev/null
}

# The seed's two subnets on driver $1, network $2.
pkg_seed_network() {
    dk network create -d "$1" --subnet 10.20.1.0/24 --gateway 10.20.1.1 \
        --subnet 10.20.2.0/24 --gateway 10.20.2.1 "$2" >/dev/null
}

test_plugin_managed() {
    local t0=$SECONDS p=ovsgw-managed-$$ id pid sock
    check "make plugin builds the rootfs and creates the plugin" plugin_build "$p"
    check "the rootfs has the daemon, iptables and their libraries" bash -c \
        "test -x $OVSGW_T/plugin/rootfs/usr/sbin/ovsgw &&
         test -x $OVSGW_T/plugin/rootfs/usr/sbin/iptables-restore &&
         test -x $OVSGW_T/plugin/rootfs/usr/sbin/ip6tables-save &&
         ls $OVSGW_T/plugin/rootfs/lib/*/libmicrohttpd.so.* \
            $OVSGW_T/plugin/rootfs/lib/*/libnftnl.so.* \
            $OVSGW_T/plugin/rootfs/usr/lib/*/xtables/libxt_conntrack.so \
            >/dev/null"
    check "... and no ovs-ofctl: the daemon spawns none" \
        test ! -e "$OVSGW_T/plugin/rootfs/usr/bin/ovs-ofctl"
    check "the plugin is created disabled" bash -c \
        "[ \"\$($DOCKER plugin inspect -f '{{.Enabled}}' $p)\" = false ]"
    check "the plugin asks for NET_ADMIN and host networking" bash -c \
        "$DOCKER plugin inspect -f '{{.Config.Linux.Capabilities}} {{.Config.Network.Type}}' $p \
         | grep -qx '\[CAP_NET_ADMIN\] host'"
    check "point its OVS mount at the private OVS, debug logs" \
        dk plugin set "$p" "ovs-rundir.source=$OVS_RUNDIR" \
        args="--log-level debug"
    check "docker plugin enable" dk plugin enable "$p"
    # A managed plugin's driver name has its tag: NAME:latest.
    check "network with the seed's two subnets on the plugin ($p:latest)" \
        pkg_seed_network "$p:latest" plugnet
    check_not "a name without its tag is not found (docker's rule)" \
        dk network create -d "$p" --subnet 10.21.1.0/24 badnet
    check "vm1 starts in 10.20.1.0/24" ctr vm1 plugnet 10.20.1.100
    check "vm2 starts in 10.20.2.0/24" ctr vm2 plugnet 10.20.2.100
    check "the bridge is in the private OVS" test -n "$(ovsctl list-br)"
    check "vm1 pings its gateway 10.20.1.1" ping_ok vm1 10.20.1.1
    check "vm2 pings its gateway 10.20.2.1" ping_ok vm2 10.20.2.1
    check "vm1 -> vm2 ping (routed)" ping_ok vm1 10.20.2.100
    check "vm2 -> vm1 ping (routed)" ping_ok vm2 10.20.1.100
    http_echo vm1 8080
    http_echo vm2 8080
    check "TCP vm1 -> vm2, data both ways" echo_post vm1 10.20.2.100 8080 vm2
    check "TCP vm2 -> vm1, data both ways" echo_post vm2 10.20.1.100 8080 vm1
    id=$(plugin_id "$p")
    # dockerd keeps a plugin's socket in /run/docker/plugins/ID (a fixed
    # path whatever its --exec-root: socket paths are short).
    sock=/run/docker/plugins/$id/ovsgw.sock
    check "ovsgw status asks the plugin's daemon on its socket" bash -c \
        "out=\$($OVSGW_BIN status --socket $sock --ovsdb unix:/nonexistent) &&
         ! grep -q 'read from OVSDB' <<<\"\$out\" &&
         grep -q '10.20.2.100/24' <<<\"\$out\""
    check "the plugin's log lines reach dockerd's log" bash -c \
        "grep -F 'plugin=$id' $OVSGW_T/dockerd.log \
         | grep -q 'ovsgw info: serving /run/docker/plugins/ovsgw.sock'"
    check "... with its debug lines (args=--log-level debug)" bash -c \
        "grep -F 'plugin=$id' $OVSGW_T/dockerd.log | grep -q 'ovsgw debug'"
    check "... one per Docker call (CreateEndpoint)" bash -c \
        "grep -F 'plugin=$id' $OVSGW_T/dockerd.log | grep -q CreateEndpoint"
    pid=$(plugin_pid "$p")
    check "the plugin's daemon runs (pid ${pid:-?})" pid_alive "$pid"
    check "docker plugin disable is refused while a network uses it" \
        bash -c "! $DOCKER plugin disable $p 2>&1 && $DOCKER plugin inspect \
                 -f '{{.Enabled}}' $p | grep -qx true"
    check "docker rm -f vm1 vm2" dk rm -f vm1 vm2
    check "docker network rm" dk network rm plugnet
    check "bridge, ports, veths and flows are gone" no_leftovers
    check "docker plugin disable" dk plugin disable "$p"
    check "the plugin's daemon has exited" pid_gone "$pid" 10
    # Its output is in dockerd's log, not in ovsgw.log that run.sh checks.
    check "no sanitizer report in the plugin's log" \
        lacks 'ERROR: (Address|Leak)Sanitizer|runtime error' \
        grep -F "plugin=$id" "$OVSGW_T/dockerd.log"
    check "docker plugin rm" dk plugin rm "$p"
    check "no plugin left" lacks . dk plugin ls -q
    check "its state directory /run/docker/plugins/ID is gone" \
        test ! -e "/run/docker/plugins/$id"
    plugin_gone "$p" plugnet
    pkg_took "$t0"
}

# --- a local registry (Debian's docker-registry) in the test netns ---

REGISTRY_PID=

# free_port: a free TCP port on the test netns's loopback.
free_port() {
    tns python3 -c 'import socket; s = socket.socket(); \
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# registry_start PORT: docker-registry on 127.0.0.1:PORT of the test netns
# (where dockerd runs), storage under $OVSGW_T/registry.
registry_start() {
    local d=$OVSGW_T/registry port=$1 i=0
    mkdir -p "$d/data"
    cat >"$d/config.yml" <<EOF
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: $d/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
  secret: ovsgw-test-$$-$RANDOM
EOF
    (exec ${OVSGW_NETNS:+nsenter --net="$OVSGW_NETNS" --} \
        "$TOP/build/tools/usr/bin/docker-registry" serve "$d/config.yml" \
        >>"$d/registry.log" 2>&1) &
    REGISTRY_PID=$!
    while [ $((i += 1)) -le 100 ]; do
        registry_get "$port" /v2/ >/dev/null && return 0
        pid_alive "$REGISTRY_PID" || break
        sleep 0.1
    done
    echo "the registry did not start; its log:"
    cat "$d/registry.log"
    return 1
}

# registry_get PORT PATH: GET from the registry (in the test netns).
registry_get() { tns curl -sf "http://127.0.0.1:$1$2"; }
# registry_answers PORT LOG: it answers; if not, LOG (of its start) says why.
registry_answers() { registry_get "$1" /v2/ >/dev/null || { cat "$2"; return 1; }; }

registry_stop() {
    [ -n "$REGISTRY_PID" ] || return 0
    kill "$REGISTRY_PID" 2>/dev/null
    wait "$REGISTRY_PID" 2>/dev/null
    REGISTRY_PID=
}

test_plugin_registry() {
    local t0=$SECONDS port ref
    port=$(free_port)
    ref=127.0.0.1:$port/ovsgw:test
    # Not inside check: that runs in a subshell, REGISTRY_PID would be lost.
    local out
    out=$(mktemp "$OVSGW_T/registry-start.XXXXXX")
    registry_start "$port" >"$out" 2>&1
    check "docker-registry on 127.0.0.1:$port in the test netns" \
        registry_answers "$port" "$out"
    check "build the plugin as $ref" plugin_build "$ref"
    check "docker plugin push" dk plugin push "$ref"
    check "the registry has it" \
        grep -q '"test"' <(registry_get "$port" /v2/ovsgw/tags/list)
    check "docker plugin rm" dk plugin rm "$ref"
    check "it is gone locally" lacks . dk plugin ls -q
    check "docker plugin install --grant-all-permissions from the registry" \
        dk plugin install --grant-all-permissions "$ref" \
        "ovs-rundir.source=$OVS_RUNDIR"
    check "the installed plugin is enabled" plugin_enabled "$ref"
    local id
    id=$(plugin_id "$ref")
    check "network on the installed plugin" dk network create -d "$ref" \
        --subnet 10.20.1.0/24 --gateway 10.20.1.1 regnet
    check "a container starts on it" ctr r1 regnet 10.20.1.100
    check "the container pings its gateway" ping_ok r1 10.20.1.1
    check "docker rm -f, network rm" bash -c \
        "$DOCKER rm -f r1 >/dev/null && $DOCKER network rm regnet >/dev/null"
    check "nothing left in OVS" no_leftovers
    check "docker plugin disable, rm" bash -c \
        "$DOCKER plugin disable $ref >/dev/null && $DOCKER plugin rm $ref >/dev/null"
    check "its state directory /run/docker/plugins/ID is gone" \
        test ! -e "/run/docker/plugins/$id"
    plugin_gone "$ref" regnet
    local rpid=$REGISTRY_PID
    registry_stop
    check "the registry has stopped" pid_gone "$rpid"
    pkg_took "$t0"
}

# --- compose ---

pkg_compose() {
    OVSGW_DRIVER=$DRIVER OVSGW_IMAGE=ovsgw-test \
        docker-compose --ansi never -p "ovsgwtest$$" \
        -f "$TOP/examples/compose.yml" "$@"
}

test_compose() {
    local t0=$SECONDS
    check "docker-compose config accepts the example" pkg_compose config -q
    check "docker-compose up -d" pkg_compose up -d
    check "the network is on the driver with the policy" bash -c \
        "[ \"\$($DOCKER network inspect -f '{{.Driver}} {{index .Options \"ovsgw.tcp.rules\"}}' ovsnet)\" \
           = '$DRIVER deny 10.20.2.0/24->10.20.1.0/24' ]"
    check "vm1 has 10.20.1.100" bash -c \
        "$DOCKER exec vm1 ip -4 addr show eth0 | grep -q 'inet 10.20.1.100/24'"
    check "vm2 has 10.20.2.100" bash -c \
        "$DOCKER exec vm2 ip -4 addr show eth0 | grep -q 'inet 10.20.2.100/24'"
    check "vm1 pings its gateway 10.20.1.1" ping_ok vm1 10.20.1.1
    check "vm2 pings its gateway 10.20.2.1" ping_ok vm2 10.20.2.1
    check "vm1 -> vm2 ping (routed)" ping_ok vm1 10.20.2.100
    check "vm2 -> vm1 ping (routed)" ping_ok vm2 10.20.1.100
    http_echo vm1 8080
    http_echo vm2 8080
    check "vm1's server is up (control)" server_up vm1 8080
    check "vm1 opens a TCP connection to vm2, data both ways" \
        echo_post vm1 10.20.2.100 8080 vm2
    check "vm2 cannot open a TCP connection to vm1" \
        tcp_blocked vm2 10.20.1.100 8080
    check "docker-compose down" pkg_compose down
    check "no container left" lacks . dk ps -aq
    check "no network left" lacks '^ovsnet$' dk network ls --format '{{.Name}}'
    check "no bridge, port or veth left" no_leftovers
    pkg_took "$t0"
}

# --- make install, make deb, dpkg -i / -r / --purge ---

PKG_DEB_INSTALLED=0

# dpkg_retry ARGS...: dpkg, waiting for a concurrent apt/dpkg's lock.
dpkg_retry() {
    local try out
    for try in $(seq 120); do
        out=$(dpkg "$@" 2>&1) && return 0
        [ "$try" -lt 120 ] || break
        grep -qi 'lock' <<<"$out" || { echo "$out"; return 1; }
        sleep 5
    done
    echo "$out"
    return 1
}

# If the test dies while the package is installed, the EXIT trap of
# run.sh runs this first.
pkg_deb_emergency_purge() {
    [ "$PKG_DEB_INSTALLED" = 1 ] || return 0
    dpkg_retry --purge ovsgw >/dev/null 2>&1
    PKG_DEB_INSTALLED=0
}

# The files the package installs.
PKG_FILES=(/usr/sbin/ovsgw /lib/systemd/system/ovsgw.service
           /usr/share/man/man8/ovsgw.8.gz /usr/share/doc/ovsgw/copyright)

pkg_none_present() {
    local f
    for f in "${PKG_FILES[@]}" /usr/share/doc/ovsgw; do
        [ ! -e "$f" ] || { echo "$f is still there"; return 1; }
    done
}

pkg_not_installed() {
    ! dpkg-query -W -f='${db:Status-Status}' ovsgw 2>/dev/null |
        grep -qx installed
}

test_deb() {
    local t0=$SECONDS dest=$OVSGW_T/destdir debdir=$OVSGW_T/deb deb ver f
    ver=$("$OVSGW_BIN" --version | awk '{ print $2 }')

    # make install / uninstall into a staging directory.
    check "make install DESTDIR=... (PREFIX=/usr/local)" \
        make -C "$TOP" --no-print-directory install \
        PKG_BIN="$OVSGW_BIN" DESTDIR="$dest"
    for f in sbin/ovsgw lib/systemd/system/ovsgw.service \
        share/man/man8/ovsgw.8 share/doc/ovsgw/README.md \
        share/doc/ovsgw/install.md; do
        check "... installs \$(PREFIX)/$f" test -s "$dest/usr/local/$f"
    done
    check "... the unit runs /usr/local/sbin/ovsgw" grep -q \
        '^ExecStart=/usr/local/sbin/ovsgw ' \
        "$dest/usr/local/lib/systemd/system/ovsgw.service"
    check "make install PREFIX=/usr puts the unit in /lib/systemd/system" \
        make -C "$TOP" --no-print-directory install \
        PKG_BIN="$OVSGW_BIN" DESTDIR="$dest" PREFIX=/usr
    check "... and ExecStart=/usr/sbin/ovsgw" grep -q \
        '^ExecStart=/usr/sbin/ovsgw ' "$dest/lib/systemd/system/ovsgw.service"
    check "make uninstall removes what make install put there" bash -c \
        "make -C $TOP --no-print-directory -s uninstall DESTDIR=$dest &&
         make -C $TOP --no-print-directory -s uninstall DESTDIR=$dest PREFIX=/usr &&
         [ -z \"\$(find $dest ! -type d)\" ]"

    # The Debian package.
    check "make deb" make -C "$TOP" --no-print-directory deb \
        PKG_BIN="$OVSGW_BIN" DEB_DIR="$debdir"
    deb=$debdir/ovsgw_${ver}_$(dpkg --print-architecture).deb
    check "it is $(basename "$deb")" test -s "$deb"
    check "control: package, version and Depends on the shared libraries" \
        bash -c "dpkg-deb -I $deb > $OVSGW_T/deb/info &&
        grep -qx ' Package: ovsgw' $OVSGW_T/deb/info &&
        grep -qx ' Version: $ver' $OVSGW_T/deb/info &&
        for p in libmicrohttpd12 libjansson4 libnl-3-200 libnl-route-3-200 \
                 iptables; do
            grep '^ Depends:' $OVSGW_T/deb/info | grep -qw \$p || exit 1
        done"
    check "contents: binary, unit, gzipped man page, copyright" bash -c \
        "dpkg-deb -c $deb > $OVSGW_T/deb/contents &&
        for f in ./usr/sbin/ovsgw ./lib/systemd/system/ovsgw.service \
                 ./usr/share/man/man8/ovsgw.8.gz ./usr/share/doc/ovsgw/copyright \
                 ./usr/share/doc/ovsgw/README.md.gz; do
            grep -q \" \$f\\\$\" $OVSGW_T/deb/contents || { echo \"no \$f\"; exit 1; }
        done"
    check "the man page renders without warnings" bash -c \
        "! LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 \
           -l -Tutf8 -Z $TOP/packaging/ovsgw.8 2>&1 >/dev/null | grep ."

    # dpkg -i into the real system, then remove it again.  Never over an
    # ovsgw that is there already.
    if ! pkg_not_installed || ! pkg_none_present >/dev/null; then
        echo "  skip  dpkg -i: an ovsgw is already installed on this system"
        pkg_took "$t0"
        return 0
    fi
    local old_trap
    old_trap=$(trap -p EXIT)
    trap 'pkg_deb_emergency_purge; cleanup' EXIT
    PKG_DEB_INSTALLED=1
    check "dpkg -i" dpkg_retry -i "$deb"
    check "the package is installed" bash -c \
        "dpkg-query -W -f='\${db:Status-Status}' ovsgw | grep -qx installed"
    check "/usr/sbin/ovsgw --version says $ver" bash -c \
        "[ \"\$(/usr/sbin/ovsgw --version)\" = 'ovsgw $ver' ]"
    check "man -w ovsgw finds the man page" bash -c \
        "man -w ovsgw 2>/dev/null | grep -q ovsgw.8 ||
         test -s /usr/share/man/man8/ovsgw.8.gz"
    check "the unit file is installed" test -s /lib/systemd/system/ovsgw.service
    if command -v systemd-analyze >/dev/null; then
        check "systemd-analyze verify ovsgw.service" bash -c \
            "systemd-analyze verify /lib/systemd/system/ovsgw.service"
    fi
    # An 'enable' (a symlink in /etc, also without a running systemd) is
    # forgotten on purge.
    local wants=/etc/systemd/system/multi-user.target.wants/ovsgw.service
    if systemctl enable ovsgw.service >/dev/null 2>&1 && [ -L "$wants" ]; then
        check "systemctl enable ovsgw made $wants" test -L "$wants"
    else
        wants=
    fi
    check "dpkg -r ovsgw" dpkg_retry -r ovsgw
    check "... removes the binary, unit and man page" bash -c \
        "for f in ${PKG_FILES[*]:0:3}; do [ ! -e \$f ] || { echo \$f; exit 1; }; done"
    check "dpkg --purge ovsgw" dpkg_retry --purge ovsgw
    check "nothing of the package is left" pkg_none_present
    [ -z "$wants" ] || check "purge removed the enable symlink" test ! -L "$wants"
    check "dpkg knows no ovsgw" bash -c \
        "! dpkg-query -W ovsgw >/dev/null 2>&1 ||
         [ -z \"\$(dpkg-query -W -f='\${db:Status-Status}' ovsgw)\" ] ||
         dpkg-query -W -f='\${db:Status-Status}' ovsgw | grep -qx not-installed"
    if pkg_not_installed && pkg_none_present >/dev/null; then
        PKG_DEB_INSTALLED=0
    else
        pkg_deb_emergency_purge
    fi
    eval "${old_trap:-trap - EXIT}"
    pkg_took "$t0"
}
