# SPDX-License-Identifier: GPL-2.0
#
# Least privilege (Documentation/dpkitd.rst, "Privileges"): while dpkitd
# forwards, every one of its threads has no capability left (effective,
# permitted, inheritable, ambient, bounding set) and no-new-privs; worker
# and service lcores run under the seccomp filter (Seccomp 2), the main
# lcore and the control threads do not (0). Telemetry still answers; with
# user = nobody every thread is nobody's. A stage that makes a call no
# worker makes (a socket) gets dpkitd killed by SIGSYS, the call named.
. "$DPKIT_TOP/tests/host/lib.sh"

bld=$tmp/stages
check "make STAGES='forbidden.c control.c' STAGES_CONTROL=control_thread.c builds dpkitd" \
	make -s -C "$DPKIT_TOP" O="$bld" \
	STAGES="tests/host/stages/forbidden.c tests/host/stages/control.c" \
	STAGES_CONTROL=tests/host/stages/control_thread.c "$bld/user/dpkitd"
DPKITD=$bld/user/dpkitd

# The scheduler on a service lcore of its own, and a control thread
# (test mode: two worker lcores and the service lcore share a CPU).
cat > "$tmp/svc.conf" <<-CONF
	worker-cpus = $(worker_cpu)
	lcores-per-cpu = 2
	main-lcore = 0
	service-cpu = 0
	eventdev = sw
	stage = with-control
	hugepages = no
	memory = 256
	[port a]
	device = net_null0
	[port b]
	device = net_null1
CONF
# look: once it runs, its threads and its telemetry (run_dpkitd's $pid).
look="wait_for 30 grep -q 'running:' '$tmp/run.log'; threads \$pid > '$tmp/threads'"
run_dpkitd "$tmp/svc.conf" 3 "$look; '$DPKITCTL' --json stats > '$tmp/stats.json' 2>&1"
echo "# TID NAME UID CapInh CapPrm CapEff CapBnd CapAmb NoNewPrivs Seccomp"
sed 's/^/# /' "$tmp/threads"
check "the log says privileges were dropped on every thread, lcores filtered" \
	grep -q "privileges dropped on all 7 threads: no capabilities, no-new-privs, uid 0 gid 0; lcores 1,2,3 under" \
	"$tmp/run.log"
check "while it forwards: no thread has a capability, each has no-new-privs; the 3 lcores (2 workers, the service) Seccomp 2, the others 0" \
	privileges "$tmp/threads" 0
check "... the threads are the main lcore, the EAL's interrupt thread, the telemetry, the stage's control thread and 3 lcores" \
	sh -c "[ \$(grep -c ' rte-worker-' '$tmp/threads') = 3 ] &&
	       grep -q ' dpkitd ' '$tmp/threads' && grep -q ' eal-intr-thread ' '$tmp/threads' &&
	       grep -q ' telemetry-v2 ' '$tmp/threads' && grep -q ' dpk-control ' '$tmp/threads'"
check "... telemetry answers after the drop (dpkitctl stats)" python3 -c "
import json; d = json.load(open('$tmp/stats.json'))
assert sum(w['rx'] for w in d['/dpkit/workers'].values()) > 0"
check "... and it stops cleanly: exit 0, every mbuf back" \
	sh -c "[ $rc = 0 ] && [ $in_use = 0 ] && [ $rx -gt 0 ]"

# user = nobody: every thread becomes nobody once started.
uid=$(id -u nobody)
sed 's/^stage = with-control$/user = nobody/' "$tmp/svc.conf" > "$tmp/user.conf"
check "--check-config says who it runs as" \
	sh -c "'$DPKITD' -c '$tmp/user.conf' --check-config | grep -q 'once started: no capabilities, no-new-privs, uid $uid'"
run_dpkitd "$tmp/user.conf" 3 "$look"
sed 's/^/# /' "$tmp/threads"
check "user = nobody: every thread is uid $uid, without capabilities; lcores filtered" \
	privileges "$tmp/threads" "$uid"
check "... it forwards and stops cleanly as nobody: exit 0, every mbuf back" \
	sh -c "[ $rc = 0 ] && [ $in_use = 0 ] && [ $rx -gt 0 ]"
sed 's/^user = nobody$/user = nosuchuser/' "$tmp/user.conf" > "$tmp/nouser.conf"
"$DPKITD" -c "$tmp/nouser.conf" > "$tmp/nouser.log" 2>&1
rc=$?
sed 's/^/# /' "$tmp/nouser.log"
check "user = a user that does not exist: refused before anything starts" \
	sh -c "[ $rc = 1 ] && grep -q 'user = nosuchuser: no such user' '$tmp/nouser.log' &&
	       ! grep -q 'stage two' '$tmp/nouser.log'"

# net_tap ports: net_tap takes the first free real-time signal as its rx
# trigger (F_SETSIG), and the kernel queues it to the process while the
# threads drop: the drop's own signal must be another, and its handler
# must count only the main lcore's (before, the log said 6 threads where
# /proc had 5, and a thread dropped twice got dpkitd killed by its own
# filter). Three starts: each says as many threads as /proc has, and
# stops cleanly.
if [ -c /dev/net/tun ]; then
	cat > "$tmp/tap.conf" <<-CONF
		worker-cpus = $(worker_cpu)
		lcores-per-cpu = 2
		eventdev = dsw
		hugepages = no
		memory = 256
		rx-mode = adaptive
		[port a]
		device = net_tap0,iface=dpkprva
		queues = 2
		[port b]
		device = net_tap1,iface=dpkprvb
		queues = 2
	CONF
	tap_ok=0
	for round in 1 2 3; do
		"$DPKITD" -c "$tmp/tap.conf" > "$tmp/tap.log" 2>&1 &
		tpid=$!
		ntask=?
		# up as soon as they exist: the kernel's IPv6 start-up frames
		# go into the taps while dpkitd sets up and drops
		wait_for 60 test -d /sys/class/net/dpkprvb
		ip link set dpkprva up 2>/dev/null
		ip link set dpkprvb up 2>/dev/null
		if wait_for 60 grep -q 'dpkitd: running' "$tmp/tap.log"; then
			ntask=$(ls "/proc/$tpid/task" | wc -l)
			sleep 1
			kill -TERM "$tpid" 2>/dev/null
		fi
		wait "$tpid"
		trc=$?
		if [ "$trc" = 0 ] &&
		   grep -q "privileges dropped on all $ntask threads" "$tmp/tap.log"; then
			tap_ok=$((tap_ok + 1))
		else
			grep -v '^EAL' "$tmp/tap.log" | grep -e privileges -e 'system call' -e stopped |
				sed "s/^/# round $round (status $trc, $ntask threads in \/proc): /"
		fi
	done
	check "net_tap ports (their rx trigger a real-time signal): 3 of 3 starts count the threads /proc has and stop cleanly ($tap_ok)" \
		test "$tap_ok" = 3
else
	skip "net_tap: no /dev/net/tun on this host"
fi

# A worker that makes a forbidden call: killed, the call named.
sed 's/^stage = with-control$/stage = forbidden/' "$tmp/svc.conf" > "$tmp/forbidden.conf"
(ulimit -c 0; exec timeout 60 "$DPKITD" -c "$tmp/forbidden.conf") > "$tmp/forbidden.log" 2>&1
rc=$?
grep -v '^EAL' "$tmp/forbidden.log" | tail -n 4 | sed 's/^/# /'
check "a stage that opens a socket on a worker: dpkitd is killed by SIGSYS (status $rc)" \
	test "$rc" = $((128 + 31))
check "... and the log names the call: socket" \
	grep -Eq "lcore [0-9]+ \(thread [0-9]+\) made the system call socket \([0-9]+\), which the workers' seccomp filter does not allow" \
	"$tmp/forbidden.log"
finish
