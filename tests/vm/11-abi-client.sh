# SPDX-License-Identifier: GPL-2.0
# vm: nics=virtio:k0:1 smp=2 mem=1024 timeout=300
#
# The ABI document suffices: tests/vm/helpers/abiclient.py, a client of
# /dev/dpkit and the "dpkit" generic netlink family written from
# Documentation/link-state.rst and nic-isolation.rst alone (no header),
# checks what those pages promise against the module: ioctl numbers,
# layouts and errors, the mapping's refusals, read()/poll(), what a change
# and a removal publish, genl validation, the opener's capabilities.
. "$DPKIT_TOP/tests/vm/lib.sh"

tmp=$(mktemp -d)
check "insmod dpkit.ko" insmod "$DPKIT_KO"
python3 "$DPKIT_TOP/tests/vm/helpers/abiclient.py" > "$tmp/abi.out" 2>&1
rc=$?
n=0
while IFS= read -r line; do
	case "$line" in
	"ok - "*) ok "${line#ok - }"; n=$((n + 1)) ;;
	"not ok - "*) not_ok "${line#not ok - }"; n=$((n + 1)) ;;
	*) echo "# $line" ;;
	esac
done < "$tmp/abi.out"
check "the client ran to its end ($n checks)" \
	sh -c "[ $rc -le 1 ] && grep -q 'genl: LINK_NEW (down' '$tmp/abi.out'"
check "/dev/dpkit is root-only again" sh -c '[ "$(stat -c %a /dev/dpkit)" = 600 ]'
check "rmmod dpkit" rmmod dpkit
check_dmesg_clean
finish
