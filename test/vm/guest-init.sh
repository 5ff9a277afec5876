#!/bin/sh
# /init of the harness's initramfs (busybox sh). Mounts the host's root read-only under a
# tmpfs overlay, chroots into it and runs /run/synq-vm/command.sh there. The exit status
# goes to the exchange share; stdout/stderr go to the virtio serial ports the host reads.
set -u
export PATH=/bin:/sbin

/bin/busybox mkdir -p /bin /sbin /proc /sys /dev
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
exec </dev/null >/dev/console 2>&1

log() { echo "synq-vm: $*"; }
die() {
  log "error: $*"
  sync
  poweroff -f
}

while read -r module; do
  insmod "/modules/$module" || die "insmod $module failed"
done </modules/load-order

ninep="trans=virtio,version=9p2000.L,msize=512000"
mkdir -p /exchange /host /overlay /newroot
mount -t 9p -o "$ninep,cache=none" synqvm /exchange || die "cannot mount the exchange share"
# config.sh sets GUEST_UNAME, HOST_MODULES_DIR, HOST_BOOT_DIR and WRITABLE_SHARES
# ("tag:guest-path" words).
. /exchange/config.sh

# The host root does not change during a run: cache it, the overlay absorbs writes.
mount -t 9p -o "$ninep,cache=loose,ro" host /host || die "cannot mount the host root"
mount -t tmpfs -o mode=0755 overlay /overlay
mkdir -p /overlay/upper /overlay/work
mount -t overlay -o lowerdir=/host,upperdir=/overlay/upper,workdir=/overlay/work overlay /newroot ||
  die "cannot mount the overlay root"

r=/newroot
mount -t proc proc $r/proc
mount -t sysfs sys $r/sys
mount -t devtmpfs dev $r/dev
mkdir -p $r/dev/pts $r/dev/shm
mount -t devpts -o newinstance,ptmxmode=0666 devpts $r/dev/pts
mount -t tmpfs -o mode=1777 shm $r/dev/shm
mount -t tmpfs -o mode=0755 run $r/run
# No tmpfs on /tmp: the project (and its .vm-cache) may live there; the overlay takes writes.
mount -t tracefs tracefs $r/sys/kernel/tracing 2>/dev/null || log "no tracefs"
mount -t debugfs debugfs $r/sys/kernel/debug 2>/dev/null || log "no debugfs"
mount -t bpf bpf $r/sys/fs/bpf || log "no bpffs"
mount -t cgroup2 cgroup2 $r/sys/fs/cgroup 2>/dev/null || log "no cgroup2"
mkdir -p $r/run/netns $r/run/synq-vm
mount --bind /exchange $r/run/synq-vm

# Modules for this kernel come from the host's extracted package; the kernel's
# request_module runs /sbin/modprobe in the initramfs root, which defers to the chroot.
mkdir -p "$r/lib/modules/$GUEST_UNAME"
mount --bind "$r$HOST_MODULES_DIR" "$r/lib/modules/$GUEST_UNAME" || die "cannot bind the modules dir"
echo /sbin/chroot-modprobe >/proc/sys/kernel/modprobe
# As on an installed Debian system: tools read the running kernel's config from /boot.
mkdir -p $r/boot
for file in config System.map; do
  ln -sf "$HOST_BOOT_DIR/$file-$GUEST_UNAME" "$r/boot/$file-$GUEST_UNAME"
done

for share in $WRITABLE_SHARES; do
  tag=${share%%:*}
  path=${share#*:}
  mkdir -p "$r$path"
  mount -t 9p -o "$ninep,cache=none" "$tag" "$r$path" || die "cannot mount share $tag at $path"
done

hostname synq-vm
ip link set lo up

stdout=/dev/null
stderr=/dev/null
for port in /sys/class/virtio-ports/*; do
  case "$(cat "$port/name" 2>/dev/null)" in
  synq.stdout) stdout=/dev/${port##*/} ;;
  synq.stderr) stderr=/dev/${port##*/} ;;
  esac
done

log "running the command"
chroot $r /bin/sh /run/synq-vm/command.sh >"$stdout" 2>"$stderr"
status=$?
log "command exited with status $status"
echo "$status" >/exchange/exit-status.tmp && mv /exchange/exit-status.tmp /exchange/exit-status
sync
poweroff -f
