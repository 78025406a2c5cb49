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
	# the fuzz tier (tests/fuzz): clang's libFuzzer
	clang-14 libfuzzer-14-dev
	# the KUnit test kernel (scripts/testkernel.sh)
	linux-source-6.1 bc bison flex libssl-dev libelf-dev xz-utils cpio patch
	# the test VMs (scripts/vm): guest tools come from the host root
	qemu-system-x86 busybox-static iproute2 pciutils util-linux procps
	ethtool iputils-ping strace
)

missing=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f '${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	[ "${status:0:2}" = "ii" ] || missing+=("$p")
done

# The kernel matrix (Documentation/testing.rst): Debian 12's 6.1 above, and
# bookworm-backports' 6.12 and 6.12 PREEMPT_RT, headers and images (the
# headers depend on their image). Their exact releases are whatever the
# suite has today; scripts/kver.sh finds them.
here=$(cd "$(dirname "$0")" && pwd)
matrix=()
for series in 6.12 6.12-rt; do
	"$here/kver.sh" "$series" >/dev/null 2>&1 || matrix+=("$series")
done

if [ "${#missing[@]}" -eq 0 ] && [ "${#matrix[@]}" -eq 0 ]; then
	echo "deps: all ${#packages[@]} packages and the kernel matrix present"
	exit 0
fi

sudo=
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null ||
		{ echo "deps: need root (or sudo) to install: ${missing[*]} ${matrix[*]}" >&2; exit 1; }
	sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive

if [ "${#matrix[@]}" -gt 0 ] &&
   ! grep -rqs '^[^#]*bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d; then
	echo "deps: adding Debian's bookworm-backports suite (the 6.12 kernels)"
	echo 'deb http://deb.debian.org/debian bookworm-backports main' |
		$sudo tee /etc/apt/sources.list.d/dpkit-bookworm-backports.list >/dev/null
fi
$sudo apt-get update -q

for series in "${matrix[@]}"; do
	case "$series" in
	6.12) re='^linux-headers-6\.12\.[0-9]+\+deb12-amd64$' ;;
	6.12-rt) re='^linux-headers-6\.12\.[0-9]+\+deb12-rt-amd64$' ;;
	esac
	pkg=$(apt-cache search --names-only "$re" | cut -d' ' -f1 | sort -V | tail -n 1)
	if [ -z "$pkg" ]; then
		echo "deps: no $series kernel headers in bookworm-backports" >&2
		exit 1
	fi
	missing+=("$pkg")
done

echo "deps: installing ${missing[*]}"
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "deps: done"
