#!/bin/sh
# shellcheck shell=sh
# test/kernel/init.sh - /init of the guest's initramfs (busybox sh), built
# by test/kernel/run.sh.  It loads the modules that mounting the host needs
# (listed in load order in /modules/order), mounts the host's root read-only
# over 9p with an overlay on tmpfs, puts the cached kernel's modules at
# /lib/modules/VERSION, mounts the run's writable share at /run/ovsgw-out
# and switches to the new root, where docker-init (tini) runs the guest
# script as its child.  Anything that goes wrong powers the guest off: the
# host then finds no result and fails loudly.
set -eu
export PATH=/bin

fatal() {
    echo "ovsgw-guest: FATAL: $*"
    poweroff -f
    sleep 10
}

mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
echo "ovsgw-guest: initramfs up after $(cut -d' ' -f1 /proc/uptime) s"

while read -r m; do
    insmod "/modules/$m" || fatal "insmod $m failed"
done </modules/order

P9=trans=virtio,version=9p2000.L,msize=262144
mkdir -p /host /out /rw /newroot
mount -t 9p -o "$P9,ro,cache=loose" hostroot /host ||
    fatal "cannot mount the host's root over 9p"
mount -t 9p -o "$P9" ovsgwout /out || fatal "cannot mount the run directory"
[ -r /out/guest.env ] || fatal "no guest.env in the run directory"
# KVER, MODDIR (the cached modules, a path on the host) and GUEST_SCRIPT.
# shellcheck source=/dev/null
. /out/guest.env

mount -t tmpfs -o mode=0755 tmpfs /rw
mkdir -p /rw/upper /rw/work
mount -t overlay -o lowerdir=/host,upperdir=/rw/upper,workdir=/rw/work \
    overlay /newroot || fatal "cannot mount the overlay root"

# The host has no /lib/modules of this kernel (and must not get one).
mkdir -p "/newroot/lib/modules/$KVER"
mount --bind "/newroot$MODDIR" "/newroot/lib/modules/$KVER" ||
    fatal "cannot bind $MODDIR to /lib/modules/$KVER"
mount -t tmpfs -o mode=1777 tmpfs /newroot/tmp
mount -t tmpfs -o mode=0755 tmpfs /newroot/run
mkdir -p /newroot/run/ovsgw-out
mount --move /out /newroot/run/ovsgw-out
mount --move /proc /newroot/proc
mount --move /sys /newroot/sys
mount --move /dev /newroot/dev

# switch_root chroots PID 1 itself, whose root kernel threads share: the
# kernel's module autoloading then finds /sbin/modprobe in the new root.
exec switch_root /newroot /usr/bin/docker-init -- /bin/bash "$GUEST_SCRIPT"
