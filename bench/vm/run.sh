#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/vm/run.sh (root; never part of make check): the in-VM benchmarks of
# bench/vm/link.sh on the Debian kernel, one VM under the VM lock
# (/tmp/dpkit-vm.lock); builds dpkit.ko, the userspace, the initramfs and
# the two helpers (into build/bench/vm), prints the "bench:" lines and
# appends them to build/bench/vm/results.txt. BENCH_FLAPS=N changes the
# number of veth flaps (default 1000).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
out=build/bench/vm
mkdir -p "$out"
kver=$(scripts/kver.sh)
make -s kmod user > "$out/build.log" 2>&1 ||
	{ echo "bench/vm: make failed ($out/build.log)"; exit 1; }
cc -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE -Iinclude/uapi -Iuser/lib \
	-o "$out/linkbench" bench/vm/linkbench.c build/user/libdpkit.a \
	$(pkg-config --cflags --libs libnl-genl-3.0 hwloc libmnl) -lpthread
cc -O2 -g -Wall -Wextra -Werror $(pkg-config --cflags libdpdk) \
	-o "$out/ethlink" bench/vm/ethlink.c $(pkg-config --libs libdpdk)
initrd=build/vm/initrd-$kver.gz
[ -f "$initrd" ] || { mkdir -p build/vm; scripts/vm/mkinitrd.sh "$kver" "$initrd"; }
flock /tmp/dpkit-vm.lock python3 scripts/vm/vmrun.py bench/vm/link.sh \
	--name bench-link --top "$top" --kernel "/boot/vmlinuz-$kver" \
	--initrd "$initrd" --logdir "$out/logs" | tee "$out/run.log"
{
	echo "bench/vm: $(date -u '+%F %H:%M') UTC, kernel $kver under TCG (qemu -accel tcg), host load $(cut -d' ' -f1-3 /proc/loadavg)"
	grep -h '# bench:' "$out/run.log" "$out"/logs/*.log 2>/dev/null | sed 's/^# //' | sort -u
} | tee -a "$out/results.txt"
