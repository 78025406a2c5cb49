# SPDX-License-Identifier: GPL-2.0
#
# A debug build (make DEBUG=1) with two user stages linked in (make
# STAGES=): each is there under its name; a stage's control thread runs
# registered with the EAL (dpk_spawn) and ends with dpkitd; and a stage
# that returns holding a lock is stopped by the task-boundary check,
# which names the task.
. "$DPKIT_TOP/tests/host/lib.sh"

dbg=$tmp/debug
check "make DEBUG=1 STAGES='leak_lock.c control.c' builds dpkitd" \
	make -s -C "$DPKIT_TOP" O="$dbg" DEBUG=1 \
	STAGES="tests/host/stages/leak_lock.c tests/host/stages/control.c" \
	"$dbg/user/dpkitd"
cat > "$tmp/leak.conf" <<-CONF
	worker-cpus = $(worker_cpu)
	eventdev = none
	stage = leak-lock
	hugepages = no
	memory = 256
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
sed -e 's/stage = leak-lock/stage = with-control/' "$tmp/leak.conf" > "$tmp/control.conf"
DPKITD="$dbg/user/dpkitd" run_dpkitd "$tmp/control.conf" 2
check "a stage's control thread runs registered with the EAL, non-EAL role" \
	grep -Eq "control: lcore [0-9]+, registered, role non-EAL, 1 ports" "$tmp/run.log"
check "... and returns when dpkitd stops; exit 0, every mbuf back" \
	sh -c "grep -q 'control: stopped after' '$tmp/run.log' && [ $rc = 0 ] && [ $in_use = 0 ]"
check "the release dpkitd does not have the test stage" \
	sh -c "! '$DPKITD' -c '$tmp/leak.conf' --check-config 2>/dev/null"
finish
