#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the test VM, chrooted into the host root (read-only, with
# tmpfs over the writable paths): finishes the mounts a test needs and
# runs the scenario named on the kernel command line.
scenario=
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	dpkitvm.scenario=*) scenario=${arg#*=} ;;
	dpkitvm.kmod=*) export DPKIT_KMOD=${arg#*=} ;;
	esac
done
# No udev here: load the drivers of the devices present (PCI, then the
# virtio devices the PCI transport created), as a coldplug would.
for bus in pci virtio; do
	cat /sys/bus/$bus/devices/*/modalias 2>/dev/null | sort -u |
		xargs -r -n 1 modprobe -q -b 2>/dev/null
done
mount -t hugetlbfs nodev /dev/hugepages 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
ip link set lo up 2>/dev/null
cd "$DPKIT_TOP" || exit 125
echo "guest: kernel $(uname -r), $(nproc) CPUs, scenario ${scenario#"$DPKIT_TOP"/}"
exec bash "$scenario"
