# SPDX-License-Identifier: GPL-2.0
#
# dpkitd at several worker counts: 1, 2, 4, 8 and 16 workers between two
# net_null ports (one rx queue per worker on each), on event_dsw and on
# event_sw (its scheduler inline). A 2-CPU host has one CPU for workers,
# so this runs in the test mode that lets worker lcores share a CPU
# (lcores-per-cpu, never production placement): a function test, not a
# speed test. At every count: it starts, packets keep flowing through the
# eventdev in a window after warm-up (no stall: both ports send, more than
# 1% of what was received), the eventdev refuses and frees nothing at
# admission, and SIGTERM exits 0 with every mbuf back.
. "$DPKIT_TOP/tests/host/lib.sh"

counts=${DPKIT_SCALE_COUNTS:-1 2 4 8 16}

conf() {	# conf EVENTDEV WORKERS
	cat <<-CONF
		worker-cpus = $(worker_cpu)
		lcores-per-cpu = $2
		eventdev = $1
		hugepages = no
		memory = 1024
		log-level = notice
		[port a]
		device = net_null0
		queues = $2
		rx-desc = 256
		tx-desc = 256
		[port b]
		device = net_null1
		queues = $2
		rx-desc = 256
		tx-desc = 256
	CONF
}

# window NAME: two samples of the telemetry one second apart.
sample() { "$DPKITCTL" --json stats > "$tmp/$1.json" 2>/dev/null; }

# scale EVENTDEV WORKERS
scale() {
	local ev=$1 n=$2 pid
	conf "$ev" "$n" > "$tmp/s.conf"
	"$DPKITD" -c "$tmp/s.conf" > "$tmp/run.log" 2>&1 &
	pid=$!
	if ! wait_for 60 grep -q "dpkitd: running" "$tmp/run.log"; then
		sed 's/^/# /' "$tmp/run.log" | tail -n 20
		not_ok "$ev, $n workers: starts"
		kill -TERM "$pid" 2>/dev/null
		wait "$pid"
		return
	fi
	ok "$ev, $n workers: starts"
	sleep 2
	sample t0
	sleep 2
	sample t1
	kill -TERM "$pid"
	wait "$pid"
	rc=$?
	grep -E "eventdev:|stopped|plan|queues" "$tmp/run.log" | sed 's/^/# /'
	check "$ev, $n workers: no stall (in the window both ports send, not a trickle of what came in)" \
		python3 - "$tmp/t0.json" "$tmp/t1.json" <<-'EOF'
		import json, sys
		a, b = (json.load(open(f))['/dpkit/ports'] for f in sys.argv[1:])
		tx = {p: b[p]['tx_packets'] - a[p]['tx_packets'] for p in a}
		rx = {p: b[p]['rx_packets'] - a[p]['rx_packets'] for p in a}
		print('tx', tx, 'rx', rx, file=sys.stderr)
		assert all(v > 0 for v in tx.values()), tx
		assert sum(tx.values()) >= 0.01 * sum(rx.values()), (tx, rx)
		EOF
	check "$ev, $n workers: nothing refused and freed at admission" \
		python3 - "$tmp/t1.json" <<-'EOF'
		import json, sys
		p = json.load(open(sys.argv[1]))['/dpkit/ports']
		v = {k: p[k]['drop_eventdev_full'] for k in p}
		assert not any(v.values()), v
		EOF
	set -- $(sed -n 's/.*stopped: rx \([0-9]*\), tx \([0-9]*\), dropped \([0-9]*\).*mbufs in use \([0-9]*\).*/\1 \2 \3 \4/p' "$tmp/run.log")
	check "$ev, $n workers: SIGTERM: exit 0, packets in = out + counted drops, every mbuf back" \
		sh -c "[ $rc = 0 ] && [ '${1:-x}' = $(( ${2:-0} + ${3:-0} )) ] && [ '${4:-x}' = 0 ]"
}

for ev in dsw sw; do
	for n in $counts; do
		scale "$ev" "$n"
	done
done
finish
