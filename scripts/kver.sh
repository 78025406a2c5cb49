#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kver.sh [SERIES]: the release of the newest installed Debian kernel of
# SERIES that has both its headers (/usr/src/linux-headers-REL) and its image
# (/boot/vmlinuz-REL). SERIES is one of the kernel matrix
# (Documentation/testing.rst):
#
#   6.1      Debian 12's own kernel (the default: what `make` builds for)
#   6.12     bookworm-backports' kernel
#   6.12-rt  bookworm-backports' PREEMPT_RT kernel
#
# Never `uname -r`: a build or CI machine may run a kernel with no headers
# or modules at all. Never "the newest of all": installing 6.12's headers
# must not change what the default is.
series=${1:-6.1}
case "$series" in
6.1)	pat='6.1.0-*-amd64' ; notpat='*-rt-amd64 *-cloud-amd64' ;;
6.12)	pat='6.12.*-amd64' ; notpat='*-rt-amd64 *-cloud-amd64' ;;
6.12-rt) pat='6.12.*-rt-amd64' ;;
*)	echo "kver.sh: unknown kernel series '$series' (6.1, 6.12, 6.12-rt)" >&2
	exit 2 ;;
esac
for d in $(ls -d /usr/src/linux-headers-$pat 2>/dev/null | sort -V -r); do
	rel=${d#/usr/src/linux-headers-}
	skip=
	for n in ${notpat:-}; do
		case "$rel" in $n) skip=1 ;; esac
	done
	if [ -z "$skip" ] && [ -f "/boot/vmlinuz-$rel" ]; then
		echo "$rel"
		exit 0
	fi
done
exit 1
