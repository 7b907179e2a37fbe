#!/bin/bash
# packaging/mkplugin.sh - build the ovsgw managed Docker plugin (`make plugin`).
#
# Usage: mkplugin.sh [--no-create] BINARY OUTDIR
#
# Makes OUTDIR/config.json (the repository's config.json) and OUTDIR/rootfs:
# the daemon as /usr/sbin/ovsgw; iptables-save/-restore and
# ip6tables-save/-restore (the nf_tables backend, xtables-nft-multi, which
# the daemon runs through PATH for NAT and published ports) with their
# extensions; and every shared library they need (from ldd), all copied
# from this system: no image is pulled, nothing comes from outside the
# installed Debian packages.  Then, unless --no-create, runs
#     $DOCKER plugin create $PLUGIN_NAME OUTDIR
# PLUGIN_NAME defaults to "ovsgw" (docker adds ":latest"); DOCKER defaults to
# "docker" and DOCKER_HOST is used as usual.  A disabled plugin of that name
# is replaced; an enabled one is an error (disable it first).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
CREATE=1
if [ "${1:-}" = --no-create ]; then
    CREATE=0
    shift
fi
if [ $# -ne 2 ]; then
    echo "usage: $0 [--no-create] BINARY OUTDIR" >&2
    exit 2
fi
BIN=$1
OUT=$2
PLUGIN_NAME=${PLUGIN_NAME:-ovsgw}
DOCKER=${DOCKER:-docker}
XT=${XTABLES_MULTI:-$(command -v xtables-nft-multi || true)}
XT_LIBDIR=${XTABLES_LIBDIR:-/usr/lib/$(gcc -dumpmachine 2>/dev/null || echo x86_64-linux-gnu)/xtables}

log() { printf 'mkplugin: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[ -x "$BIN" ] || die "$BIN: no such executable (run make first)"
if [ -z "$XT" ] || [ ! -x "$XT" ]; then
    die "xtables-nft-multi not found (apt-get install iptables)"
fi
[ -d "$XT_LIBDIR" ] || die "$XT_LIBDIR: no iptables extensions"
command -v ldd >/dev/null || die "ldd not found (libc-bin)"

# OUTDIR is removed and rebuilt: refuse anything that does not look like
# ours.
case $OUT in
"" | / | /usr | /usr/* | /etc | /etc/* | /bin | /sbin | /lib | /lib/*)
    die "refusing OUTDIR=$OUT" ;;
esac
if [ -e "$OUT" ] && [ ! -e "$OUT/.ovsgw-plugin" ] &&
    [ -n "$(ls -A "$OUT" 2>/dev/null)" ]; then
    die "$OUT exists, is not empty and was not made by $0"
fi
rm -rf "$OUT"
R=$OUT/rootfs
mkdir -p "$R"
: >"$OUT/.ovsgw-plugin"

# Same top-level layout as the host (merged /usr on Debian 12: /lib ->
# usr/lib and so on), so that the paths ldd prints are valid inside.
for d in bin sbin lib lib32 lib64 libx32; do
    if [ -L "/$d" ]; then
        t=$(readlink "/$d")
        mkdir -p "$R/${t#/}"
        ln -s "${t#/}" "$R/$d"
    fi
done
mkdir -p "$R"/{usr/bin,usr/sbin,etc,dev,proc,sys,tmp,run/docker/plugins} \
    "$R"/var/run/openvswitch
chmod 1777 "$R/tmp"

# copy_file SRC: SRC (symlinks followed) at the same path in the rootfs.
copy_file() {
    local src=$1 dst=$R$1
    [ -e "$dst" ] && return 0
    mkdir -p "$(dirname "$dst")"
    cp -L "$src" "$dst"
}

# copy_libs BINARY: every library ldd resolves, and the dynamic loader.
copy_libs() {
    local out line lib
    out=$(ldd "$1" 2>&1) || {
        # A static binary needs nothing.
        grep -q 'not a dynamic executable' <<<"$out" && return 0
        die "ldd $1: $out"
    }
    if grep -q 'not found' <<<"$out"; then
        die "ldd $1: missing libraries: $(grep 'not found' <<<"$out" | tr -s ' \t' ' ')"
    fi
    while read -r line; do
        case $line in
        *"=> /"*) lib=${line#*=> }; lib=${lib%% (*} ;;
        /*) lib=${line%% (*} ;;
        *) continue ;; # linux-vdso.so.1
        esac
        copy_file "$lib"
    done <<<"$out"
}

install -m 0755 "$BIN" "$R/usr/sbin/ovsgw"
copy_libs "$BIN"
install -m 0755 "$XT" "$R/usr/sbin/xtables-nft-multi"
copy_libs "$XT"
for t in iptables-save iptables-restore ip6tables-save ip6tables-restore; do
    ln -s xtables-nft-multi "$R/usr/sbin/$t"
done
mkdir -p "$R$XT_LIBDIR"
for x in "$XT_LIBDIR"/*.so; do
    copy_file "$x"
    copy_libs "$x"
done

# Enough of /etc for libc and the tools (root only; no name service).
printf 'root:x:0:0:root:/root:/bin/false\n' >"$R/etc/passwd"
printf 'root:x:0:\n' >"$R/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files\n' >"$R/etc/nsswitch.conf"
: >"$R/etc/hosts"
# iptables names protocols (-p tcp) through /etc/protocols.
[ -r /etc/protocols ] && cp /etc/protocols "$R/etc/protocols"

cp "$TOP/config.json" "$OUT/config.json"

# Self check, in the rootfs: the dynamic loader finds every library of
# both programs (ld.so --list runs none of their code, so a SANITIZE=1
# build, which needs /proc to start, is checked too), and iptables runs.
if [ "$(id -u)" -eq 0 ] && command -v chroot >/dev/null; then
    for b in /usr/sbin/ovsgw /usr/sbin/xtables-nft-multi; do
        interp=$(ldd "$R$b" | awk '$1 ~ /^\// && $2 ~ /^\(/ { print $1; exit }')
        [ -n "$interp" ] || continue
        if ! out=$(chroot "$R" "$interp" --list "$b" 2>&1) ||
            grep -q 'not found' <<<"$out"; then
            die "$b does not load in $R: $out"
        fi
    done
    chroot "$R" /usr/sbin/iptables-save --version >/dev/null ||
        die "/usr/sbin/iptables-save does not run in $R"
fi
log "rootfs $R: $(du -sh "$R" | cut -f1), $(find "$R" -type f | wc -l) files"

[ "$CREATE" -eq 1 ] || exit 0

if "$DOCKER" plugin inspect "$PLUGIN_NAME" >/dev/null 2>&1; then
    if [ "$("$DOCKER" plugin inspect -f '{{.Enabled}}' "$PLUGIN_NAME")" = true ]; then
        die "plugin $PLUGIN_NAME exists and is enabled: docker plugin disable $PLUGIN_NAME first"
    fi
    log "replacing the disabled plugin $PLUGIN_NAME"
    "$DOCKER" plugin rm "$PLUGIN_NAME" >/dev/null
fi
"$DOCKER" plugin create "$PLUGIN_NAME" "$OUT" >/dev/null
log "created plugin $PLUGIN_NAME (disabled).  Next:"
log "  $DOCKER plugin set $PLUGIN_NAME ovs-rundir.source=/var/run/openvswitch   # if OVS runs elsewhere"
log "  $DOCKER plugin enable $PLUGIN_NAME"
