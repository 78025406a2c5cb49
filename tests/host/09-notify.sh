# SPDX-License-Identifier: GPL-2.0
#
# dpkitd under systemd's notification protocol, with a listener standing in
# for systemd (tests/vm/helpers/notify_listen.py): STATUS= lines while it
# starts, READY=1 once the workers forward, WATCHDOG=1 every half interval
# only while every worker makes passes (a worker stopped from outside with
# ptrace stops the pings, and they resume when it runs again), STOPPING=1
# on SIGTERM.
. "$DPKIT_TOP/tests/host/lib.sh"

helpers=$DPKIT_TOP/tests/vm/helpers
cat > "$tmp/null.conf" <<-CONF
	worker-cpus = $(worker_cpu)
	eventdev = none
	hugepages = no
	memory = 256
	[port a]
	device = net_null0
	[port b]
	device = net_null1
CONF

python3 "$helpers/notify_listen.py" "$tmp/notify" > "$tmp/notify.log" 2>&1 &
listener=$!
wait_for 10 grep -q listening "$tmp/notify.log"
# WatchdogSec=1s: a check (and a ping) every 0.5 s.
NOTIFY_SOCKET=$tmp/notify WATCHDOG_USEC=1000000 "$DPKITD" -c "$tmp/null.conf" \
	> "$tmp/run.log" 2>&1 &
pid=$!
wait_for 60 grep -q 'READY=1' "$tmp/notify.log"
check "READY=1 once the workers forward, after the start-up's STATUS= lines" \
	python3 - "$tmp/notify.log" <<-'EOF'
	import sys
	msgs = [l.split(" ", 1)[1].strip() for l in open(sys.argv[1])][1:]
	ready = msgs.index("READY=1")
	before = " / ".join(msgs[:ready])
	assert "STATUS=stage one" in before and "STATUS=starting DPDK" in before, msgs
	assert any(m.startswith("STATUS=forwarding: 1 worker; a up, b up")
	           for m in msgs[ready:]), msgs
	EOF
sleep 2
check "WATCHDOG=1 about every half interval while the worker makes passes" \
	python3 - "$tmp/notify.log" <<-'EOF'
	import sys
	pings = [float(l.split()[0]) for l in open(sys.argv[1]) if "WATCHDOG=1" in l]
	assert len(pings) >= 3, pings
	gaps = [b - a for a, b in zip(pings, pings[1:])]
	assert all(0.4 <= g <= 1.0 for g in gaps), gaps
	EOF

tid=
for t in /proc/$pid/task/*; do
	case $(cat "$t/comm" 2>/dev/null) in *-worker-1) tid=${t##*/} ;; esac
done
echo "# dpkitd $pid, worker thread $tid"
python3 "$helpers/freeze_thread.py" "$tid" 3 > "$tmp/freeze.log" 2>&1
cat "$tmp/freeze.log" | sed 's/^/# /'
wait_for 5 grep -q 'makes passes again' "$tmp/run.log"
check "a stopped worker stops the pings (none from 0.7 s after it stopped)" \
	python3 - "$tmp/notify.log" "$tmp/freeze.log" <<-'EOF'
	import sys
	ev = dict(l.split() for l in open(sys.argv[2]))
	frozen, thawed = float(ev["frozen"]), float(ev["thawed"])
	pings = [float(l.split()[0]) for l in open(sys.argv[1]) if "WATCHDOG=1" in l]
	during = [p for p in pings if frozen + 0.7 < p < thawed]
	assert not during, (frozen, thawed, during)
	assert any(p > thawed for p in pings), "no ping after the thaw"
	EOF
check "... dpkitd names it in its log and its STATUS=" \
	sh -c "grep -q 'dpkitd: worker 0 (lcore 1) made no pass in 500 ms: no watchdog ping' '$tmp/run.log' &&
	       grep -q 'STATUS=worker 0 (lcore 1) is stuck' '$tmp/notify.log'"
check "... and the pings resume when it runs again" \
	grep -q 'worker 0 makes passes again: watchdog pings resume' "$tmp/run.log"
kill -TERM "$pid"
wait "$pid"
rc=$?
sleep 0.2
kill "$listener"
sed 's/^/# notify: /' "$tmp/notify.log" | grep -v WATCHDOG
grep -v '^EAL' "$tmp/run.log" | sed 's/^/# /'
check "SIGTERM: STOPPING=1, exit 0" \
	sh -c "[ $rc = 0 ] && grep -q 'STOPPING=1 | STATUS=stopping (Terminated): draining' '$tmp/notify.log'"
finish
