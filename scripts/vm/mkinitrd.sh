#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitrd.sh KVER OUT: a busybox initramfs that mounts the host root over
# 9p read-only and runs scripts/vm/guest.sh in it (see init.sh). For a
# distribution kernel (KVER has a /lib/modules tree) the virtio and 9p
# modules and their dependencies are packed too; a test kernel has them
# built in and KVER may be "builtin".
set -euo pipefail

kver=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
busybox=/bin/busybox
want="virtio_pci 9pnet_virtio 9p virtio_console overlay"

[ -x "$busybox" ] && "$busybox" --list >/dev/null 2>&1 ||
	{ echo "mkinitrd: busybox-static is missing (run scripts/deps.sh)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp"/{bin,dev,proc,sys,root,lib/modules}
cp "$busybox" "$tmp/bin/busybox"
ln -s busybox "$tmp/bin/sh"
cp "$here/init.sh" "$tmp/init"
chmod 755 "$tmp/init"
: > "$tmp/modules.order"

# Depth-first, so a module's dependencies come before it in modules.order.
declare -A seen=()
add_module() {
	local name=$1 path dep
	[ -z "${seen[$name]:-}" ] || return 0
	seen[$name]=1
	path=$(modinfo -k "$kver" -n "$name" 2>/dev/null) || return 0
	case "$path" in /*) ;; *) return 0 ;; esac	# "(builtin)"
	for dep in $(modinfo -k "$kver" -F depends "$name" | tr ',' ' '); do
		add_module "$dep"
	done
	case "$path" in
	*.ko) cp "$path" "$tmp/lib/modules/" ;;
	*.ko.xz) xz -dc "$path" > "$tmp/lib/modules/$(basename "$path" .xz)" ;;
	*) echo "mkinitrd: cannot pack $path" >&2; exit 1 ;;
	esac
	basename "${path%.xz}" >> "$tmp/modules.order"
}

if [ -d "/lib/modules/$kver" ]; then
	for m in $want; do
		add_module "$m"
	done
fi

(cd "$tmp" && find . | cpio -o -H newc --quiet | gzip -1) > "$out.tmp"
mv "$out.tmp" "$out"
