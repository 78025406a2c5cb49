#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Print the release of the newest Debian kernel that has both its headers
# (/usr/src/linux-headers-REL) and its image (/boot/vmlinuz-REL): the kernel
# dpkit.ko is built for and the VM tests boot. Never `uname -r`: a build or
# CI machine may run a kernel with no headers or modules at all.
for d in $(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V -r); do
	rel=${d#/usr/src/linux-headers-}
	if [ -f "/boot/vmlinuz-$rel" ]; then
		echo "$rel"
		exit 0
	fi
done
exit 1
