# SPDX-License-Identifier: GPL-2.0
#
# A debug build (make DEBUG=1) with two user stages linked in (make
# STAGES=): each is there under its name; a stage's control thread runs
# registered with the EAL (dpk_spawn) and ends with dpkitd; and a stage
# that returns holding a lock is stopped by the task-boundary check,
# which names the task. The debug build also checks the eventdev's stop
# (its scheduler service idle first) and injects faults into the set-up to
# test its error paths.
. "$DPKIT_TOP/tests/host/lib.sh"

dbg=$tmp/debug
check "make DEBUG=1 STAGES='leak_lock.c control.c' STAGES_CONTROL=control_thread.c builds dpkitd" \
	make -s -C "$DPKIT_TOP" O="$dbg" DEBUG=1 \
	STAGES="tests/host/stages/leak_lock.c tests/host/stages/control.c" \
	STAGES_CONTROL=tests/host/stages/control_thread.c "$dbg/user/dpkitd"
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

# event_sw's scheduler on a service lcore: at SIGTERM the service must have
# stopped running before the eventdev stops (the debug build checks; test
# mode: the service lcore shares the main lcore's CPU, so when the main
# lcore looks, the service has not had the CPU since it was told to stop).
cat > "$tmp/svc.conf" <<-CONF
	worker-cpus = $(worker_cpu)
	lcores-per-cpu = 2
	main-lcore = 0
	service-cpu = 0
	eventdev = sw
	hugepages = no
	memory = 256
	[port a]
	device = net_null0
	[port b]
	device = net_null1
CONF
DPKITD="$dbg/user/dpkitd" run_dpkitd "$tmp/svc.conf" 3
check "event_sw, service lcore: the scheduler service is stopped and idle before the eventdev stops" \
	sh -c "grep -q 'scheduler service on lcore 3' '$tmp/run.log' &&
	       ! grep -q 'may still be running' '$tmp/run.log' && [ $rc = 0 ] && [ $in_use = 0 ]"

# Parking under the debug checks (no lock held, nothing left armed, no
# token disarmed twice): a worker in rx-mode interrupt parks and wakes on
# net_tap's rx interrupts while ARP requests cross.
if [ -c /dev/net/tun ]; then
	cat > "$tmp/park.conf" <<-CONF
		worker-cpus = $(worker_cpu)
		eventdev = dsw
		rx-mode = interrupt
		hugepages = no
		memory = 256
		[port a]
		device = net_tap0,iface=dpkdbga
		[port b]
		device = net_tap1,iface=dpkdbgb
	CONF
	DPKITD="$dbg/user/dpkitd" run_dpkitd "$tmp/park.conf" 3 "ip link set dpkdbga up;
		ip link set dpkdbgb up; ip addr add 198.51.100.1/24 dev dpkdbga;
		ping -c 5 -i 0.2 -W 1 198.51.100.2 > /dev/null 2>&1"
	check "debug build, rx-mode interrupt: parks and wakes, its checks hold; exit 0, every mbuf back" \
		sh -c "grep -q 'parks in epoll on rx interrupts' '$tmp/run.log' &&
		       [ $rx -gt 0 ] && [ $rc = 0 ] && [ $in_use = 0 ]"
else
	skip "debug build, parking: no /dev/net/tun for net_tap"
fi

# Error paths (fault injection, debug builds only): a port whose start
# fails is closed like the others (net_tap holds mbufs in its rx queues
# from setup on), its LSC callback unregistered; an eventdev that fails
# half-way through its setup is closed.
if [ -c /dev/net/tun ]; then
	cat > "$tmp/fail.conf" <<-CONF
		worker-cpus = $(worker_cpu)
		eventdev = dsw
		hugepages = no
		memory = 256
		[port a]
		device = net_null0
		[port b]
		device = net_tap0,iface=dpkfail0
	CONF
	DPKITD_FAIL=port-start:1 timeout 60 "$dbg/user/dpkitd" -c "$tmp/fail.conf" \
		> "$tmp/fail.log" 2>&1
	rc=$?
	grep -E 'b|stopped|closed' "$tmp/fail.log" | grep -v EAL | sed 's/^/# /'
	check "a port whose start fails: exit 1, the port closed, every mbuf back" \
		sh -c "[ $rc = 1 ] && grep -q 'port b: closed' '$tmp/fail.log' &&
		       grep -q 'mbufs in use 0' '$tmp/fail.log'"
else
	skip "a port whose start fails: no /dev/net/tun for net_tap"
fi
DPKITD_FAIL=evdev-link timeout 60 "$dbg/user/dpkitd" -c "$tmp/svc.conf" \
	> "$tmp/fail.log" 2>&1
rc=$?
grep -E 'eventdev|stopped' "$tmp/fail.log" | sed 's/^/# /'
check "an eventdev that fails half-way through its setup: exit 1, closed, every mbuf back" \
	sh -c "[ $rc = 1 ] && grep -q 'eventdev: closed' '$tmp/fail.log' &&
	       grep -q 'mbufs in use 0' '$tmp/fail.log'"
finish
