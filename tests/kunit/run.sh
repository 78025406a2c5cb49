# SPDX-License-Identifier: GPL-2.0
# vm: smp=4 mem=1024 timeout=600
#
# Guest side of `make kunit`: load dpkit.ko and dpkit_kunit.ko built for the
# KUnit test kernel; loading the test module runs its suites, whose KTAP
# this prints for scripts/vm/vmrun.py --ktap to count.
kmod=${DPKIT_KMOD:-$DPKIT_TOP/build/kunit/kmod}

if ! insmod "$kmod/dpkit.ko"; then
	echo "not ok 1 - insmod dpkit.ko"
	exit 1
fi
dmesg -C
if ! insmod "$kmod/dpkit_kunit.ko"; then
	echo "# insmod dpkit_kunit.ko failed"
fi
# The suites ran during insmod; print their KTAP without timestamps.
dmesg -t | sed -n '/KTAP version/,$p' | grep -v '^dpkit' 
rmmod dpkit_kunit 2>/dev/null
rmmod dpkit || echo "# rmmod dpkit failed"
# Lockdep, KASAN, debug objects and kmemleak reports while the suites ran.
. "$DPKIT_TOP/tests/vm/lib.sh"
check_dmesg_clean
