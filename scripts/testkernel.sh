#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (once) the KUnit test kernel from Debian's linux-source-6.1 and print
# the path of its build directory. The build is cached outside the checkout,
# keyed by the source package version, the config fragment, the patches in
# tests/kunit/patches and this script:
#
#   ${DPKIT_CACHE:-~/.cache/dpkit}/testkernel-<key>/{build/,bzImage,.done}
#
# The pristine source is unpacked once per package version (checkpatch.pl
# comes from there); the patches go into a copy of it keyed by them.
#
# A missing or half-built cache entry is rebuilt from scratch.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
fragment=$top/tests/kunit/kernel.config
cache=${DPKIT_CACHE:-$HOME/.cache/dpkit}
tarball=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n 1)

if [ -z "$tarball" ]; then
	echo "testkernel: linux-source-6.1 is not installed (run scripts/deps.sh)" >&2
	exit 1
fi

srcver=$(dpkg-query -W -f '${Version}' linux-source-6.1)
patches=$(ls "$top"/tests/kunit/patches/*.patch 2>/dev/null || true)
key=$( { echo "$srcver"; cat "$fragment" "$0" $patches; } | sha256sum | cut -c1-16)
out=$cache/testkernel-$key
src=$cache/linux-source-6.1-$srcver

if [ -f "$out/.done" ]; then
	echo "$out/build"
	exit 0
fi

log() { echo "testkernel: $*" >&2; }

mkdir -p "$cache"
if [ ! -f "$src/.unpacked" ]; then
	log "unpacking $tarball (linux-source-6.1 $srcver) into $src"
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	tar -C "$src.tmp" --strip-components=1 -xf "$tarball"
	mv "$src.tmp" "$src"
	touch "$src/.unpacked"
fi

if [ -n "$patches" ]; then
	pkey=$(cat $patches | sha256sum | cut -c1-16)
	psrc=$cache/linux-source-6.1-$srcver-patched-$pkey
	if [ ! -f "$psrc/.patched" ]; then
		log "applying tests/kunit/patches to a copy of the source in $psrc"
		rm -rf "$psrc" "$psrc.tmp"
		cp -al "$src" "$psrc.tmp"	# hard links: patch replaces, never edits
		for p in $patches; do
			patch -d "$psrc.tmp" -p1 --quiet --no-backup-if-mismatch \
				< "$p" ||
				{ log "$p does not apply"; exit 1; }
		done
		rm -f "$psrc.tmp/.unpacked"
		mv "$psrc.tmp" "$psrc"
		touch "$psrc/.patched"
	fi
	src=$psrc
fi

log "building the KUnit kernel in $out (key $key; 11-15 minutes on 2 cores)"
rm -rf "$out"
mkdir -p "$out/build"
make -s -C "$src" O="$out/build" ARCH=x86_64 \
	KCONFIG_ALLCONFIG="$fragment" allnoconfig >&2
make -s -C "$src" O="$out/build" ARCH=x86_64 olddefconfig >&2

# Every option of the fragment must have survived dependency resolution.
missing=0
while IFS= read -r line; do
	case "$line" in CONFIG_*=*) ;; *) continue ;; esac
	if ! grep -qx -- "$line" "$out/build/.config"; then
		log "fragment option not in the final config: $line"
		missing=1
	fi
done < "$fragment"
[ "$missing" = 0 ] || exit 1

jobs=$(nproc)
start=$(date +%s)
# Progress: a line a minute, the full log kept beside the build.
( while sleep 60; do log "... still building ($(( ($(date +%s) - start) / 60 )) min)"; done ) &
ticker=$!
trap 'kill $ticker 2>/dev/null || true' EXIT
if ! make -C "$src" O="$out/build" ARCH=x86_64 -j"$jobs" bzImage modules \
	> "$out/build.log" 2>&1; then
	tail -n 40 "$out/build.log" >&2
	log "kernel build failed, log: $out/build.log"
	exit 1
fi
cp "$out/build/arch/x86/boot/bzImage" "$out/bzImage"
touch "$out/.done"
log "built in $(( $(date +%s) - start )) s"
echo "$out/build"
