# SPDX-License-Identifier: GPL-2.0
#
# A debug build (make DEBUG=1) with a user stage linked in (make STAGES=):
# the stage is there under its name, and when it returns holding a lock
# the task-boundary check stops dpkitd, naming the task.
. "$DPKIT_TOP/tests/host/lib.sh"

dbg=$tmp/debug
check "make DEBUG=1 STAGES=tests/host/stages/leak_lock.c builds dpkitd" \
	make -s -C "$DPKIT_TOP" O="$dbg" DEBUG=1 \
	STAGES=tests/host/stages/leak_lock.c "$dbg/user/dpkitd"
cat > "$tmp/leak.conf" <<-CONF
	worker-cpus = $(worker_cpu)
	eventdev = none
	stage = leak-lock
	hugepages = no
	memory = 256
	mbufs = 4095
	[port a]
	device = net_null0
CONF
check "the user stage is in that dpkitd, by name" \
	"$dbg/user/dpkitd" -c "$tmp/leak.conf" --check-config
timeout 60 "$dbg/user/dpkitd" -c "$tmp/leak.conf" > "$tmp/leak.log" 2>&1
rc=$?
sed 's/^/# /' "$tmp/leak.log" | grep -v '^# EAL' | head -20
check "a task that returns holding a lock stops the debug build, naming it" \
	sh -c "[ $rc != 0 ] && [ $rc != 124 ] &&
	       grep -q 'worker task stage returned holding 1 lock' '$tmp/leak.log'"
check "the release dpkitd does not have the test stage" \
	sh -c "! '$DPKITD' -c '$tmp/leak.conf' --check-config 2>/dev/null"
finish
