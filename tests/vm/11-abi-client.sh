# SPDX-License-Identifier: GPL-2.0
# vm: nics=virtio:k0:1 smp=2 mem=1024 timeout=300
#
# The ABI document suffices: tests/vm/helpers/abiclient.py, a client of
# /dev/dpkit and the "dpkit" generic netlink family written from
# Documentation/link-state.rst and nic-isolation.rst alone (no header),
# checks what those pages promise against the module: ioctl numbers,
# layouts and errors, the mapping's refusals, read()/poll(), what a change
# and a removal publish, genl validation, the opener's capabilities.
# Then tests/vm/helpers/docclient.c, a second client written in C from the
# same pages by another author (built without any dpkit include path), on
# the module loaded afresh.
. "$DPKIT_TOP/tests/vm/lib.sh"

tmp=$(mktemp -d)
# relay FILE: a client's "ok - " / "not ok - " lines as TAP, the rest as
# comments; $n is the number of checks.
relay() {
	n=0
	while IFS= read -r line; do
		case "$line" in
		"ok - "*) ok "${line#ok - }"; n=$((n + 1)) ;;
		"not ok - "*) not_ok "${line#not ok - }"; n=$((n + 1)) ;;
		*) echo "# $line" ;;
		esac
	done < "$1"
}

check "insmod dpkit.ko" insmod "$DPKIT_KO"
python3 "$DPKIT_TOP/tests/vm/helpers/abiclient.py" > "$tmp/abi.out" 2>&1
rc=$?
relay "$tmp/abi.out"
check "the client ran to its end ($n checks)" \
	sh -c "[ $rc -le 1 ] && grep -q 'genl: LINK_NEW (down' '$tmp/abi.out'"
check "/dev/dpkit is root-only again" sh -c '[ "$(stat -c %a /dev/dpkit)" = 600 ]'
check "rmmod dpkit" rmmod dpkit

check "insmod dpkit.ko for the C client" insmod "$DPKIT_KO"
t0=$(date +%s)
"$DPKIT_BUILD/tests/docclient" > "$tmp/doc.out" 2>&1
rc=$?
relay "$tmp/doc.out"
check "the C client ran to its end ($n checks, $(( $(date +%s) - t0 )) s)" \
	sh -c "[ $rc -le 1 ] && grep -q '^# docclient: ' '$tmp/doc.out'"
check "rmmod dpkit after the C client" rmmod dpkit
check_dmesg_clean
finish
