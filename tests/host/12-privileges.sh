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
