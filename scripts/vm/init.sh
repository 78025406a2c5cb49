#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 of the dpkit test VM. Mounts the host root read-only at /root with
# tmpfs over the paths a test writes, runs scripts/vm/guest.sh there with
# its output on ttyS1, prints the end marker with its exit status, and
# reboots, which ends QEMU (-no-reboot). A panic reboots too (panic=-1), and
# the host sees the missing end marker.
#
# dpkitvm.overlay=1: the root is writable instead, an overlayfs of a tmpfs
# over the read-only host root (installing packages writes /etc, /usr,
# /var/lib/dpkg; nothing reaches the host). dpkitvm.init=systemd (needs the
# overlay): systemd becomes PID 1 and runs the scenario as a unit.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

for m in $(cat /modules.order); do
	insmod "/lib/modules/$m" || echo "init: insmod $m failed"
done

top= out= overlay= vminit=
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	dpkitvm.top=*) top=${arg#*=} ;;
	dpkitvm.out=*) out=${arg#*=} ;;
	dpkitvm.overlay=*) overlay=${arg#*=} ;;
	dpkitvm.init=*) vminit=${arg#*=} ;;
	esac
done

stty -F /dev/ttyS1 raw -echo 2>/dev/null
exec 3>/dev/ttyS1

die() {
	echo "init: $*" >&3
	echo "@@DPKIT-VM-END rc=125" >&3
	reboot -f
}

scratch="/var/log /var/lib /root /home /mnt"
if [ "$overlay" = 1 ]; then
	mkdir -p /lower /upper
	mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144 hostroot /lower ||
		die "cannot mount the host root over 9p"
	mount -t tmpfs -o mode=755 tmpfs /upper
	mkdir -p /upper/data /upper/work
	mount -t overlay -o lowerdir=/lower,upperdir=/upper/data,workdir=/upper/work \
		overlay /root || die "cannot mount the overlay over the host root"
	scratch=	# writable already: /var/lib/dpkg and the rest stay the host's
else
	mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144 hostroot /root ||
		die "cannot mount the host root over 9p"
fi
# The tree under test may live below a path that gets a tmpfs (a CI clone
# in /tmp or /root): keep it visible by moving a bind mount of it back on
# top of the tmpfs.
mkdir -p /stash
mount --bind "/root$top" /stash || die "cannot see $top in the host root"
for d in /tmp /run /var/tmp $scratch; do
	[ -d "/root$d" ] && mount -t tmpfs -o mode=1777 tmpfs "/root$d"
done
mkdir -p "/root$top" 2>/dev/null
mount --move /stash "/root$top" || die "cannot remount $top"
mount -t proc proc /root/proc
mount -t sysfs sysfs /root/sys
mount -t devtmpfs devtmpfs /root/dev
mkdir -p /root/dev/pts /root/dev/shm /root/dev/hugepages
mount -t devpts devpts /root/dev/pts
mount -t tmpfs tmpfs /root/dev/shm
if [ -n "$out" ]; then
	mkdir -p "/root$out" 2>/dev/null
	mount -t 9p -o trans=virtio,version=9p2000.L,rw,msize=262144 out "/root$out" ||
		die "cannot mount the output share at $out"
fi

# The kernel runs /sbin/modprobe for module autoloading (veth, vfio-pci,
# ...) in PID 1's root, this initramfs: hand it to the host root's.
mkdir -p /sbin
printf '#!/bin/sh\nexec /bin/chroot /root /sbin/modprobe "$@"\n' > /sbin/modprobe
chmod 755 /sbin/modprobe

if [ "$vminit" = systemd ]; then
	[ "$overlay" = 1 ] || die "dpkitvm.init=systemd needs dpkitvm.overlay=1"
	# The scenario as a unit: its output on ttyS1, then the end marker and
	# an immediate reboot. Only sysinit.target comes up with it (udev,
	# journald, tmpfiles): no timers, no multi-user services.
	units=/root/run/systemd/system
	mkdir -p "$units"
	cat > "$units/dpkit-vm.target" <<-EOF
		[Unit]
		Description=dpkit VM scenario
		Requires=sysinit.target dpkit-vm.service
		After=sysinit.target dpkit-vm.service
		AllowIsolate=yes
	EOF
	cat > "$units/dpkit-vm.service" <<-EOF
		[Unit]
		Description=dpkit VM scenario
		After=sysinit.target
		[Service]
		Type=oneshot
		TimeoutStartSec=infinity
		Environment=HOME=/root TERM=dumb DPKIT_TOP=$top DPKIT_VM_OUT=$out
		StandardOutput=file:/dev/ttyS1
		StandardError=inherit
		ExecStartPre=-/bin/udevadm settle --timeout=60
		ExecStart=/bin/sh -c '/bin/sh $top/scripts/vm/guest.sh; echo "@@DPKIT-VM-END rc=\$?"; sync; systemctl reboot --force --force'
	EOF
	echo "@@DPKIT-VM-BEGIN" >&3
	exec 3>&-
	exec switch_root /root /lib/systemd/systemd --unit=dpkit-vm.target \
		--show-status=error
fi

echo "@@DPKIT-VM-BEGIN" >&3
chroot /root /usr/bin/env -i HOME=/root TERM=dumb \
	PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	DPKIT_TOP="$top" DPKIT_VM_OUT="$out" \
	/bin/sh "$top/scripts/vm/guest.sh" >&3 2>&1
rc=$?
echo "@@DPKIT-VM-END rc=$rc" >&3
sync
reboot -f
