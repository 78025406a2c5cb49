# SPDX-License-Identifier: GPL-2.0
#
# dpkitctl metrics and stats. First against a stand-in for dpkitd's
# telemetry (tests/vm/helpers/fake_telemetry.py): each telemetry key
# becomes the family it should, a key the tool does not know yet is still
# exported, the text passes `promtool check metrics` (Prometheus' format)
# and Python's strict OpenMetrics parser, and no dpkitd is dpkitd_up 0.
# Then for real: dpkitd forwards on net_null ports, `dpkitctl metrics
# --listen` serves it, Debian's Prometheus scrapes it every second and its
# HTTP API shows a counter that moved; `dpkitctl stats -i` shows rates.
. "$DPKIT_TOP/tests/host/lib.sh"

helpers=$DPKIT_TOP/tests/vm/helpers
# The system's Python has python3-prometheus-client (a pyenv may not).
PY=/usr/bin/python3
free_port() {
	$PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

cat > "$tmp/replies.json" <<-'EOF'
	{"/dpkit/ports": {"p0": {"port_id": 0, "link_up": 1, "rx_packets": 1000,
	  "tx_packets": 990, "rx_missed": 3, "rx_nombuf": 0, "tx_errors": 0,
	  "drop_link_down": 7, "drop_eventdev_full": 3, "rx_bursts": 42}},
	 "/dpkit/workers": {"worker0": {"lcore": 1, "rx": 1000, "tx": 990,
	  "drop_tx_full": 0, "drop_link_down": 7, "drop_eventdev_full": 3,
	  "drop_stage": 0, "drop_flushed": 0, "busy_percent": 25}},
	 "/dpkit/eventdev": {"driver": "event_dlb2", "ports": 3, "queues": 2,
	  "events_limit": 2048, "new_event_threshold": 1024,
	  "scheduler_service": "none",
	  "xstats": {"dev_rx_ok": 1000, "port_0_depth_le50_threshold": 12}}}
EOF
$PY "$helpers/fake_telemetry.py" "$tmp/tel.sock" "$tmp/replies.json" > "$tmp/fake.log" 2>&1 &
fake=$!
wait_for 10 grep -q listening "$tmp/fake.log"
DPKIT_TELEMETRY=$tmp/tel.sock "$DPKITCTL" metrics > "$tmp/fake.om" 2> "$tmp/fake.err"
DPKIT_TELEMETRY=$tmp/tel.sock "$DPKITCTL" metrics --format prometheus > "$tmp/fake.prom"
DPKIT_TELEMETRY=$tmp/tel.sock "$DPKITCTL" stats > "$tmp/fake.stats" 2>&1
kill "$fake"
sed 's/^/# /' "$tmp/fake.om"
check "telemetry keys become Prometheus families with their labels" \
	$PY - "$tmp/fake.om" <<-'EOF'
	import sys
	from prometheus_client.openmetrics.parser import text_string_to_metric_families
	fams = {f.name: f for f in text_string_to_metric_families(open(sys.argv[1]).read())}
	def value(fam, **labels):
	    for s in fams[fam].samples:
	        if all(s.labels.get(k) == v for k, v in labels.items()) and not s.name.endswith("_created"):
	            return s.value
	    raise AssertionError(f"{fam} {labels}: no sample")
	assert fams["dpkit_port_rx_packets"].type == "counter"
	assert value("dpkit_port_rx_packets", port="p0") == 1000
	assert value("dpkit_port_rx_missed_packets", port="p0") == 3
	assert value("dpkit_port_dropped_packets", port="p0", reason="link_down") == 7
	assert value("dpkit_port_dropped_packets", port="p0", reason="eventdev_full") == 3
	assert fams["dpkit_port_rx_bursts"].type == "unknown"      # a new key
	assert value("dpkit_port_rx_bursts", port="p0") == 42
	assert value("dpkit_worker_busy_ratio", worker="0") == 0.25
	assert fams["dpkit_worker_busy_ratio"].unit == "ratio"
	assert value("dpkit_worker_dropped_packets", worker="0", reason="tx_full") == 0
	assert fams["dpkit_eventdev"].type == "info"
	assert value("dpkit_eventdev", driver="event_dlb2") == 1
	assert value("dpkit_eventdev_xstat", name="port_0_depth_le50_threshold") == 12
	assert value("dpkitd_up") == 1
	EOF
check "the text is valid OpenMetrics (strict parser) and ends with # EOF" \
	sh -c "tail -n 1 '$tmp/fake.om' | grep -qx '# EOF'"
check "promtool check metrics: Prometheus' text format, no lint findings" \
	sh -c "promtool check metrics < '$tmp/fake.prom'"
check "stats: a table per port and per worker, drops by reason, the xstats" \
	sh -c "grep -Eq '^p0 +up +1000 +990 +3 +0 +0 +10\$' '$tmp/fake.stats' &&
	       grep -q '^  p0 drops: link_down 7, eventdev_full 3\$' '$tmp/fake.stats' &&
	       grep -Eq '^0 +1 +1000 +990 +10 +25\$' '$tmp/fake.stats' &&
	       grep -Eq 'port_0_depth_le50_threshold +12' '$tmp/fake.stats'"
sed 's/^/# /' "$tmp/fake.stats"
DPKIT_TELEMETRY=$tmp/none "$DPKITCTL" metrics > "$tmp/down.om"
check "without dpkitd: dpkitd_up 0, still valid" \
	sh -c "grep -qx 'dpkitd_up 0' '$tmp/down.om' && tail -n 1 '$tmp/down.om' | grep -qx '# EOF'"

# The real thing.
cat > "$tmp/sw.conf" <<-CONF
	worker-cpus = $(worker_cpu)
	eventdev = sw
	hugepages = no
	memory = 256
	[port a]
	device = net_null0
	[port b]
	device = net_null1
CONF
"$DPKITD" -c "$tmp/sw.conf" > "$tmp/run.log" 2>&1 &
pid=$!
wait_for 60 grep -q 'dpkitd: running' "$tmp/run.log"
mport=$(free_port)
"$DPKITCTL" metrics --listen "$mport" > "$tmp/serve.log" 2>&1 &
server=$!
pport=$(free_port)
cat > "$tmp/prometheus.yml" <<-EOF
	global:
	  scrape_interval: 1s
	scrape_configs:
	  - job_name: dpkit
	    static_configs:
	      - targets: ['127.0.0.1:$mport']
EOF
prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/tsdb" \
	--web.listen-address="127.0.0.1:$pport" > "$tmp/prometheus.log" 2>&1 &
prom=$!
# query PROMQL: the first result's value, from Prometheus' HTTP API.
query() {
	$PY - "$pport" "$1" <<-'EOF'
	import json, sys, urllib.parse, urllib.request
	url = (f"http://127.0.0.1:{sys.argv[1]}/api/v1/query?"
	       + urllib.parse.urlencode({"query": sys.argv[2]}))
	r = json.load(urllib.request.urlopen(url, timeout=5))["data"]["result"]
	print(r[0]["value"][1] if r else "none")
	EOF
}
moved() {
	local v
	v=$(query 'increase(dpkit_port_rx_packets_total{port="a"}[10s])' 2>/dev/null)
	[ "$v" != none ] && [ -n "$v" ] && awk "BEGIN { exit !($v > 0) }"
}
check "dpkitctl metrics --listen serves OpenMetrics to who asks, 0.0.4 otherwise" \
	$PY - "$mport" <<-'EOF'
	import sys, urllib.request
	base = f"http://127.0.0.1:{sys.argv[1]}"
	om = urllib.request.urlopen(urllib.request.Request(base + "/metrics",
	    headers={"Accept": "application/openmetrics-text;version=1.0.0,text/plain;q=0.5"}))
	assert om.headers["Content-Type"].startswith("application/openmetrics-text; version=1.0.0"), om.headers
	assert om.read().decode().endswith("# EOF\n")
	plain = urllib.request.urlopen(base + "/metrics")
	assert plain.headers["Content-Type"].startswith("text/plain; version=0.0.4"), plain.headers
	assert "dpkit_port_rx_packets_total{port=\"a\"}" in plain.read().decode()
	try:
	    urllib.request.urlopen(base + "/nothing")
	    raise AssertionError("no 404")
	except urllib.error.HTTPError as e:
	    assert e.code == 404
	EOF
check "Prometheus scrapes it: up, and a counter that moved (increase over 10 s > 0)" \
	wait_for 60 moved
echo "# up{job=dpkit} = $(query 'up{job="dpkit"}'), rx rate of port a = $(query 'rate(dpkit_port_rx_packets_total{port="a"}[5s])') pkt/s, dpkitd_up = $(query dpkitd_up)"
"$DPKITCTL" metrics --format prometheus > "$tmp/real.prom"
check "promtool check metrics on a live dpkitd's metrics" \
	sh -c "promtool check metrics < '$tmp/real.prom'"
"$DPKITCTL" stats -i 1 > "$tmp/rates" 2>&1
sed 's/^/# /' "$tmp/rates"
check "stats -i 1: rates over the interval" \
	sh -c "grep -q '^rates over the last 1.[0-9] s' '$tmp/rates' &&
	       awk '\$1 == \"a\" && \$4 > 0 { found = 1 } END { exit !found }' '$tmp/rates'"
timeout 10 "$DPKITCTL" stats --watch -i 0.5 > "$tmp/watch" 2>&1 &
watcher=$!
sleep 2
kill -INT "$watcher"
wait "$watcher"
watch_rc=$?
check "stats --watch: a table every interval, ^C exits 0" \
	sh -c "[ $watch_rc = 0 ] && [ \$(grep -c '^rates over the last' '$tmp/watch') -ge 2 ]"
kill "$prom" "$server"
wait "$server"
check "the server stops on SIGTERM with status 0" test $? = 0
kill -TERM "$pid"
wait "$pid"
check "dpkitd stops cleanly" test $? = 0
wait "$prom"
finish
