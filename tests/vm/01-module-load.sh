# SPDX-License-Identifier: GPL-2.0
# vm: nics=e1000e:k0:1,virtio:d0:1 smp=2 mem=1024 timeout=300
#
# dpkit.ko loads, answers the version ioctl, rejects malformed and unknown
# ioctls with the right errno (64-bit and 32-bit callers), and unloads
# leaving nothing behind.
. "$DPKIT_TOP/tests/vm/lib.sh"

ko=$DPKIT_KO

check "the test NICs have kernel netdevs" \
	sh -c '[ "$(ls /sys/class/net | grep -vc "^lo$")" -ge 2 ]'
check_not "dpkitctl says the module is not loaded" "$DPKITCTL" status
check "... and names insmod in its message" \
	sh -c "'$DPKITCTL' status 2>&1 | grep -q 'not loaded.*insmod'"

check "insmod dpkit.ko" insmod "$ko"
check "/dev/dpkit is a character device" test -c /dev/dpkit
check "/dev/dpkit is root-only by default" \
	sh -c '[ "$(stat -c %a /dev/dpkit)" = 600 ]'

check "version ioctl" "$PROBE" version
check "version reports ABI 1 and a 20 KiB, 256-slot page" \
	sh -c "'$PROBE' version | grep -Eq '^abi 1 features 0x[0-9a-f]+ map_size 20480 slots 256 release 0.1.0'"
check "dpkitctl status" "$DPKITCTL" status
check "dpkitctl --json status" \
	sh -c "'$DPKITCTL' --json status | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[\"loaded\"] and d[\"abi\"] == 1'"

for c in flags reserved; do
	check "version with $c set -> EINVAL" "$PROBE" expect EINVAL version-$c
done
check "version with a bad pointer -> EFAULT" "$PROBE" expect EFAULT version-badptr
check "version with a wrong size -> ENOTTY" "$PROBE" expect ENOTTY version-wrong-size
check "unknown ioctl number -> ENOTTY" "$PROBE" expect ENOTTY unknown-nr
check "foreign ioctl magic -> ENOTTY" "$PROBE" expect ENOTTY foreign-magic

if [ -x "$PROBE32" ]; then
	check "32-bit caller: version ioctl" \
		sh -c "'$PROBE32' version | grep -q '^abi 1 '"
	check "32-bit caller: flags set -> EINVAL" "$PROBE32" expect EINVAL version-flags
	check "32-bit caller: unknown ioctl -> ENOTTY" "$PROBE32" expect ENOTTY unknown-nr
else
	skip "32-bit caller (no -m32 toolchain when this tree was built)"
fi

check "rmmod dpkit" rmmod dpkit
check "/dev/dpkit is gone" test ! -e /dev/dpkit
check "the module is gone" sh -c '! grep -q "^dpkit " /proc/modules'
check "insmod again after rmmod" insmod "$ko"
check "rmmod again" rmmod dpkit
check_dmesg_clean
finish
