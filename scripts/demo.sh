#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: boot the test VM (QEMU, no KVM needed), load dpkit.ko, run
# dpkitd between two network namespaces and walk through ping, a link
# flap, a crash and a restart, narrating as it goes. Assumes `make` and
# scripts/deps.sh ran (the Makefile's demo target does both).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
kver=$(scripts/kver.sh)
mkdir -p build/vm
scripts/vm/mkinitrd.sh "$kver" build/vm/initrd-"$kver".gz

cat <<'INTRO'
== dpkit demo ==============================================================
A QEMU guest (Debian's kernel, software-emulated, so DPDK starts slowly:
a few minutes in all) runs dpkit.ko and dpkitd. Lines starting "##" tell the
story; "ok N" lines are the checks behind it; the full logs are in
build/vm/logs/demo/.
============================================================================
INTRO
python3 scripts/vm/vmrun.py tests/vm/07-dataplane.sh --name demo \
	--kernel "/boot/vmlinuz-$kver" --initrd "build/vm/initrd-$kver.gz" \
	--logdir build/vm/logs/demo |
	grep --line-buffered -E '^(##|ok|not ok|vm:|vmrun: host)' |
	sed -u 's/^## /  /'
