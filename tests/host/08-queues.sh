# SPDX-License-Identifier: GPL-2.0
#
# Queue planning and the tx path, on the host (test mode: two worker lcores
# share one CPU). A device is asked what it has: a net_pcap port has one
# queue pair, so with two workers it gets one tx queue and its packets
# reach it through the single-link tx queue (worker 0 sends them), while
# net_null, which has a tx queue per worker, is sent to directly by the
# worker that ran the stage (per-flow order holds: queue 0 is atomic).
# Each port gets RSS when its device has it, with a symmetric key; the
# mbufs are sized from the plan.
. "$DPKIT_TOP/tests/host/lib.sh"

# p (net_pcap: one queue pair, replaying 64 flows) <-> a (net_null0).
mkpcap "$tmp/flows.pcap" 64
cat > "$tmp/pcap.conf" <<-CONF
	worker-cpus = $(worker_cpu)
	lcores-per-cpu = 2
	eventdev = dsw
	hugepages = no
	memory = 512
	[port p]
	device = net_pcap0,rx_pcap=$tmp/flows.pcap,tx_pcap=/dev/null,infinite_rx=1
	[port a]
	device = net_null0
CONF
run_dpkitd "$tmp/pcap.conf" 4 "'$DPKITCTL' --json stats > '$tmp/stats.json' 2>&1"
check "two workers and a one-queue-pair port (net_pcap): it starts, exit 0" \
	sh -c "grep -q 'dpkitd: running' '$tmp/run.log' && [ $rc = 0 ]"
check "... the port gets one tx queue, through the single-link queue" \
	grep -q "port p: 1 rx queue, 1 tx queue (the device has 1): tx through the single-link queue" "$tmp/run.log"
check "... net_null gets a tx queue per worker, sent to directly" \
	grep -q "port a: 1 rx queue, 2 tx queues: tx from the stage's worker" "$tmp/run.log"
check "... both ports send, both workers ran the stage, every mbuf comes back" \
	python3 - "$tmp/stats.json" "$in_use" <<-'EOF'
	import json, sys
	d = json.load(open(sys.argv[1]))
	p, w = d['/dpkit/ports'], d['/dpkit/workers']
	print(p, w)
	assert p['p']['tx_packets'] > 0 and p['a']['tx_packets'] > 0, p
	assert all(v['stage'] > 0 for v in w.values()), w
	assert sys.argv[2] == '0'
	EOF

# The worker that ran the stage sends: with one flow (net_null's packets
# are all alike) one worker does the stage work, and it is the one whose
# tx counts grow; nothing goes through a tx queue in the eventdev.
cat > "$tmp/null.conf" <<-CONF
	worker-cpus = $(worker_cpu)
	lcores-per-cpu = 2
	eventdev = dsw
	hugepages = no
	memory = 512
	[port a]
	device = net_null0
	queues = 2
	[port b]
	device = net_null1
	queues = 2
CONF
run_dpkitd "$tmp/null.conf" 3 "'$DPKITCTL' --json stats > '$tmp/stats.json' 2>&1"
check "net_null, two workers: the worker that ran the stage sent the packets" \
	python3 - "$tmp/stats.json" <<-'EOF'
	import json, sys
	d = json.load(open(sys.argv[1]))
	w, e = d['/dpkit/workers'], d['/dpkit/eventdev']
	print(w, e)
	assert e['queues'] == 1 and e['tx_port'] == 'none', e
	for k, v in w.items():
	    assert (v['stage'] > 0) == (v['tx'] > 0), (k, v)
	EOF
check "... exit 0, every mbuf back" sh -c "[ $rc = 0 ] && [ $in_use = 0 ]"

# Poll mode needs a tx queue per worker on every port.
sed 's/eventdev = dsw/eventdev = none/' "$tmp/pcap.conf" > "$tmp/poll.conf"
timeout 60 "$DPKITD" -c "$tmp/poll.conf" > "$tmp/poll.log" 2>&1
rc=$?
sed 's/^/# /' "$tmp/poll.log" | grep -v EAL | tail -n 3
check "poll mode, two workers, a one-queue-pair port: refused, naming the numbers" \
	sh -c "[ $rc = 1 ] && grep -q 'port p: poll mode needs a tx queue per worker (2), the device has 1' '$tmp/poll.log'"

# RSS whenever the device has it, one queue or more, with a symmetric key
# (both directions of a connection: one flow); its RETA from "reta =".
cat > "$tmp/rss.conf" <<-CONF
	worker-cpus = $(worker_cpu)
	eventdev = dsw
	hugepages = no
	memory = 512
	[port a]
	device = net_null0
	[port b]
	device = net_null1
	queues = 2
	reta = 1,0,0
CONF
run_dpkitd "$tmp/rss.conf" 2 "'$DPKITCTL' --json stats > '$tmp/stats.json' 2>&1"
check "RSS on a one-queue port, a symmetric key; the RETA as configured" \
	python3 - "$tmp/stats.json" <<-'EOF'
	import json, sys
	p = json.load(open(sys.argv[1]))['/dpkit/ports']
	print({k: (v.get('rss_hf'), v.get('rss_key'), v.get('reta', [])[:6]) for k, v in p.items()})
	assert p['a']['rss_hf'] != 0 and p['b']['rss_hf'] != 0, p
	assert p['a']['rss_key'] == '6d5a' * 20, p['a']
	assert p['b']['reta'][:6] == [1, 0, 0, 1, 0, 0], p['b']
	EOF
check "... exit 0" test "$rc" = 0
sed 's/reta = 1,0,0/reta = 0,2/' "$tmp/rss.conf" > "$tmp/reta.conf"
timeout 60 "$DPKITD" -c "$tmp/reta.conf" > "$tmp/reta.log" 2>&1
rc=$?
check "reta = 0,2 with two queues: refused, naming the port and the queue" \
	sh -c "[ $rc = 1 ] && grep -q 'port b: reta: queue 2, the port has 2 rx queues' '$tmp/reta.log'"

# mbufs: sized from the plan, or refused, naming the numbers, when the
# configured count cannot cover the plan (the rx rings alone would empty
# the pool: rx_nombuf, which looks like NIC loss).
cat > "$tmp/mbufs.conf" <<-CONF
	worker-cpus = $(worker_cpu)
	eventdev = dsw
	hugepages = no
	memory = 512
	mbufs = 2047
	[port a]
	device = net_null0
	[port b]
	device = net_null1
CONF
timeout 60 "$DPKITD" -c "$tmp/mbufs.conf" > "$tmp/mbufs.log" 2>&1
rc=$?
grep mbufs "$tmp/mbufs.log" | sed 's/^/# /'
check "mbufs = 2047 for 2 ports of 1024 + 1024 descriptors: refused, naming the numbers" \
	sh -c "[ $rc = 1 ] && grep -q 'mbufs = 2047 is too few: rx descriptors 2048 + tx descriptors 2048 + ' '$tmp/mbufs.log'"
sed '/^mbufs/d' "$tmp/mbufs.conf" > "$tmp/auto.conf"
run_dpkitd "$tmp/auto.conf" 2
check "mbufs unset: the pool is sized from the plan, and said so" \
	sh -c "[ $rc = 0 ] && [ $in_use = 0 ] && grep -Eq 'mbufs: [0-9]+ on socket 0 \(rx descriptors 2048, tx descriptors 2048, events [0-9]+, ' '$tmp/run.log'"
finish
