# SPDX-License-Identifier: GPL-2.0
#
# The eventdev pipeline on the host, no module, no hugepages: two net_null
# ports, one worker, rx -> queue 0 (atomic) -> stage -> tx, on event_dsw
# and on event_sw (its scheduler inline on the worker: a 2-CPU host has no
# spare CPU for a service lcore).
# Every packet received is sent or counted; SIGTERM drains the pipeline and
# leaves every mbuf in the pool.
. "$DPKIT_TOP/tests/host/lib.sh"

conf() {	# conf EVENTDEV [KEY=VALUE...]
	printf 'worker-cpus = %s\neventdev = %s\nhugepages = no\nmemory = 256\n' \
		"$(worker_cpu)" "$1"
	shift
	printf '%s\n' "$@"
	printf '[port a]\ndevice = net_null0\n[port b]\ndevice = net_null1\n'
}

for ev in dsw sw; do
	conf "$ev" > "$tmp/$ev.conf"
	run_dpkitd "$tmp/$ev.conf" 3 \
		"'$DPKITCTL' --json stats > '$tmp/stats.json' 2>&1"
	check "$ev: the EAL gets event_${ev}0" \
		grep -q "eventdev: event_$ev, " "$tmp/run.log"
	check "$ev: the pipeline is rx -> queue 0 -> stage -> tx" \
		grep -q "stage forward, rx -> eventdev queue 0 (atomic)" "$tmp/run.log"
	check "$ev: SIGTERM mid-traffic: exit 0" test "$rc" = 0
	check "$ev: packets went through the eventdev to tx" sh -c "[ $tx -gt 0 ]"
	check "$ev: packets in = packets out + counted drops" \
		test "$rx" = "$((tx + dropped))"
	check "$ev: every mbuf went back to the pool" test "$in_use" = 0
	cp "$tmp/run.log" "$tmp/$ev.log"
	sed 's/^/# stats: /' "$tmp/stats.json"
	check "$ev: telemetry shows the eventdev and its xstats" python3 -c "
import json; d = json.load(open('$tmp/stats.json'))
e = d['/dpkit/eventdev']
assert e['driver'] == 'event_$ev', e
assert e['ports'] == 1 and e['queues'] == 1, e
assert isinstance(e['xstats'], dict)
assert isinstance(e['queue0_xstats'], dict), e
assert '$ev' == 'dsw' or len(e['queue0_xstats']) > 0, e"
	# Both ports flood it: each direction must get its share of the room.
	check "$ev: a full eventdev is shared fairly by both directions" python3 -c "
import json; p = json.load(open('$tmp/stats.json'))['/dpkit/ports']
a, b = p['a']['tx_packets'], p['b']['tx_packets']
assert min(a, b) > 0.5 * max(a, b), (a, b)"
done
check "sw: the scheduler runs inline on the worker (no spare CPU)" \
	grep -q "scheduler service inline on worker 0" "$tmp/sw.log"
check "dsw: no scheduler service (distributed scheduling)" \
	sh -c "! grep -q 'scheduler service' '$tmp/dsw.log'"

conf dsw "stage = drop" > "$tmp/drop.conf"
run_dpkitd "$tmp/drop.conf" 2
check "stage = drop: nothing sent, every packet counted as a stage drop" \
	sh -c "[ $rx -gt 0 ] && [ $tx = 0 ] && [ $rx = $((drop_stage + drop_evdev + flushed)) ] && [ $drop_stage -gt 0 ]"
check "stage = drop: every mbuf back" test "$in_use" = 0

"$DPKITD" -c "$tmp/dsw.conf" --set stage=nope > "$tmp/out" 2>&1 || true
check "an unknown stage is refused, naming those there are" grep -q \
	"no stage 'nope' in this dpkitd (it has forward, reflect, drop)" "$tmp/out"
"$DPKITD" -c "$tmp/dsw.conf" --set eventdev=dlb2 > "$tmp/out" 2>&1 || true
check "eventdev = dlb2 without an address: one message naming the key" \
	grep -q "eventdev-args: eventdev = dlb2 needs the DLB2" "$tmp/out"
mkdir -p "$tmp/sys/bus/pci/devices/0000:6d:00.0"
echo 0x8086 > "$tmp/sys/bus/pci/devices/0000:6d:00.0/vendor"
echo 0x2710 > "$tmp/sys/bus/pci/devices/0000:6d:00.0/device"
DPKITD_SYSFS=$tmp/sys "$DPKITD" -c "$tmp/dsw.conf" --set eventdev=auto \
	--set eventdev-args=max_num_events=2048 --check-config > "$tmp/out" 2>&1
check "eventdev = auto picks a DLB2 the machine has, and passes it to the EAL" \
	grep -q -- "-a 0000:6d:00.0,max_num_events=2048" "$tmp/out"
"$DPKITD" -c "$tmp/dsw.conf" --set eventdev=auto --check-config > "$tmp/out" 2>&1
check "eventdev = auto without a DLB2: dsw" grep -q -- "--vdev event_dsw0" "$tmp/out"
finish
