#!/bin/bash
# packaging/mkdeb.sh - turn a 'make install PREFIX=/usr DESTDIR=ROOT' tree
# into a Debian binary package with dpkg-deb (`make deb`).
#
# Usage: mkdeb.sh ROOT VERSION ARCH OUTPUT.deb
#
# Adds what Debian wants on top of the installed files: the man page and
# the larger docs gzipped (-9n), /usr/share/doc/ovsgw/copyright and
# changelog.gz, DEBIAN/control (Depends from dpkg-shlibdeps when dpkg-dev is
# there, else from the packages owning the binary's shared libraries; plus
# iptables for NAT and published ports), md5sums, and maintainer scripts that
# only stop the service on removal and reload systemd: the package never
# starts ovsgw by itself (systemctl enable --now ovsgw does).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
if [ $# -ne 4 ]; then
    echo "usage: $0 ROOT VERSION ARCH OUTPUT.deb" >&2
    exit 2
fi
ROOT=$1 VERSION=$2 ARCH=$3 OUTPUT=$4
MAINTAINER=${DEB_MAINTAINER:-ovsgw maintainers <maintainers@users.noreply.b-seed-3accb2f2.example>}
BIN=$ROOT/usr/sbin/ovsgw
DOC=$ROOT/usr/share/doc/ovsgw

die() { printf 'mkdeb: error: %s\n' "$*" >&2; exit 1; }
[ -x "$BIN" ] || die "$BIN missing: run make install PREFIX=/usr DESTDIR=$ROOT"
command -v dpkg-deb >/dev/null || die "dpkg-deb not found"

# Reproducible timestamps: the last commit's date if there is one.
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$HERE/.." log -1 --format=%ct 2>/dev/null || date +%s)}
export SOURCE_DATE_EPOCH

# Debug symbols stay out of the package (policy 10.1).
if command -v strip >/dev/null; then
    strip --strip-unneeded --remove-section=.comment --remove-section=.note "$BIN"
fi

# Man pages and docs: gzip -9n (policy 12.1, 12.3; not copyright).
find "$ROOT/usr/share/man" -type f ! -name '*.gz' -exec gzip -9nf {} +
find "$DOC" -type f ! -name copyright ! -name '*.gz' -size +4k -exec gzip -9nf {} +

install -m 0644 "$HERE/copyright" "$DOC/copyright"
CHANGELOG_DATE=$(date -R -u -d "@$SOURCE_DATE_EPOCH")
printf '%s\n' \
    "ovsgw ($VERSION) unstable; urgency=medium" "" \
    "  * Upstream release $VERSION, packaged with 'make deb'." "" \
    " -- $MAINTAINER  $CHANGELOG_DATE" |
    gzip -9n >"$DOC/changelog.gz"
chmod 0644 "$DOC/changelog.gz"

# Depends.
depends=""
if command -v dpkg-shlibdeps >/dev/null; then
    tmp=$(mktemp -d)
    mkdir "$tmp/debian"
    : >"$tmp/debian/control"
    depends=$(cd "$tmp" && dpkg-shlibdeps -O -e "$(realpath "$BIN")" 2>/dev/null |
        sed -n 's/^shlibs:Depends=//p') || depends=""
    rm -rf "$tmp"
fi
if [ -z "$depends" ]; then
    # The packages that own the libraries the binary names (DT_NEEDED;
    # merged /usr: try both spellings of the path).
    ldd_needed() {
        local out so
        out=$(ldd "$1")
        for so in $(objdump -p "$1" | awk '$1 == "NEEDED" { print $2 }'); do
            awk -v so="$so" '$1 == so && $2 == "=>" { print $3 }' <<<"$out"
        done
    }
    while read -r lib; do
        pkg=""
        for p in "$lib" "$(realpath "$lib")" "${lib#/usr}" "/usr${lib#/usr}"; do
            pkg=$(dpkg -S "$p" 2>/dev/null | head -n1 | cut -d: -f1) && break
        done
        [ -n "${pkg:-}" ] || die "no package owns $lib"
        case ", $depends, " in *", $pkg, "*) ;; *) depends=${depends:+$depends, }$pkg ;; esac
    done < <(ldd_needed "$BIN")
fi
depends="$depends, iptables"

mkdir -p "$ROOT/DEBIAN"
cat >"$ROOT/DEBIAN/control" <<EOF
Package: ovsgw
Version: $VERSION
Architecture: $ARCH
Maintainer: $MAINTAINER
Installed-Size: $(du -sk --exclude=DEBIAN "$ROOT" | cut -f1)
Depends: $depends
Recommends: openvswitch-switch, docker.io
Section: net
Priority: optional
Description: Docker network driver on Open vSwitch with virtual gateways
 ovsgw is a Docker remote network driver that puts containers on Open
 vSwitch bridges and makes the switch itself the router: each subnet's
 gateway is answered by OpenFlow ARP and ICMP responder flows, traffic
 between subnets is routed by flows, every port only lets in its own MAC
 and IP, and per-network TCP policies decide who may open connections.
 .
 The service (ovsgw.service) is installed but not enabled: run
 "systemctl enable --now ovsgw", then "docker network create -d ovsgw".
EOF

# Stop a running service before its binary goes away; no start on install.
cat >"$ROOT/DEBIAN/prerm" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = remove ] && [ -d /run/systemd/system ]; then
    deb-systemd-invoke stop ovsgw.service >/dev/null 2>&1 || true
fi
exit 0
EOF
cat >"$ROOT/DEBIAN/postinst" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = configure ] && [ -d /run/systemd/system ]; then
    systemctl --system daemon-reload >/dev/null 2>&1 || true
fi
exit 0
EOF
cat >"$ROOT/DEBIAN/postrm" <<'EOF'
#!/bin/sh
set -e
if [ -d /run/systemd/system ]; then
    systemctl --system daemon-reload >/dev/null 2>&1 || true
fi
# Forget an 'enable' (its symlinks in /etc/systemd/system) on purge.
if [ "$1" = purge ]; then
    if command -v deb-systemd-helper >/dev/null; then
        deb-systemd-helper purge ovsgw.service >/dev/null 2>&1 || true
        deb-systemd-helper unmask ovsgw.service >/dev/null 2>&1 || true
    fi
    for l in /etc/systemd/system/*.wants/ovsgw.service; do
        if [ -L "$l" ]; then rm -f "$l"; fi
    done
fi
exit 0
EOF
chmod 0755 "$ROOT/DEBIAN/prerm" "$ROOT/DEBIAN/postinst" "$ROOT/DEBIAN/postrm"

(cd "$ROOT" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' |
    sort -z | xargs -0 md5sum) >"$ROOT/DEBIAN/md5sums"
chmod 0644 "$ROOT/DEBIAN/md5sums" "$ROOT/DEBIAN/control"

# Normalised permissions and times; owner root:root in the archive.
find "$ROOT" -type d -exec chmod 0755 {} +
find "$ROOT" -newermt "@$SOURCE_DATE_EPOCH" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
mkdir -p "$(dirname "$OUTPUT")"
dpkg-deb --root-owner-group -Zxz --build "$ROOT" "$OUTPUT" >/dev/null
echo "mkdeb: $OUTPUT"
