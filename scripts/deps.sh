#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install, idempotently, every Debian package that dpkit's build, tests and
# test VMs need. Needs root (or sudo). Does nothing, quickly, when all are
# present; otherwise runs `apt-get update` once and installs what is missing.
set -euo pipefail

packages=(
	# build: module and userspace
	build-essential make pkg-config gcc-multilib kmod
	linux-image-amd64 linux-headers-amd64
	libdpdk-dev dpdk dpdk-dev dpdk-doc
	libmnl-dev libnl-3-dev libnl-genl-3-dev libnl-route-3-dev
	libhwloc-dev hwloc libjansson-dev
	# packages (make deb), the unit's checks, metrics against Prometheus
	debhelper dh-dkms dkms dpkg-dev fakeroot lintian systemd
	bash-completion prometheus
	# tests
	libcmocka-dev python3 python3-docutils
	# the KUnit test kernel (scripts/testkernel.sh)
	linux-source-6.1 bc bison flex libssl-dev libelf-dev xz-utils cpio
	# the test VMs (scripts/vm): guest tools come from the host root
	qemu-system-x86 busybox-static iproute2 pciutils util-linux procps
	ethtool iputils-ping
)

missing=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f '${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	[ "${status:0:2}" = "ii" ] || missing+=("$p")
done

if [ "${#missing[@]}" -eq 0 ]; then
	echo "deps: all ${#packages[@]} packages present"
	exit 0
fi

sudo=
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null ||
		{ echo "deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
	sudo=sudo
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "deps: done"
