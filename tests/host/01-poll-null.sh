# SPDX-License-Identifier: GPL-2.0
#
# dpkitd on the host, no module, no hugepages: two net_null ports in poll
# mode, one worker. Packets in = packets out + counted drops; SIGTERM
# mid-traffic exits 0 with every mbuf back in the pool.
. "$DPKIT_TOP/tests/host/lib.sh"

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

check "--check-config accepts it" "$DPKITD" -c "$tmp/null.conf" --check-config
run_dpkitd "$tmp/null.conf" 3 \
	"'$DPKITCTL' --json stats > '$tmp/stats.json' 2>&1"
sed 's/^/# stats: /' "$tmp/stats.json"
check "dpkitctl stats reads dpkitd's telemetry" python3 -c "
import json; d = json.load(open('$tmp/stats.json'))
assert d['/dpkit/workers']['worker0']['rx'] > 0
assert d['/dpkit/ports']['a']['link_up'] == 1
assert 0 <= d['/dpkit/workers']['worker0']['busy_percent'] <= 100"
check "stage one exec'd stage two with the sealed config memfd" \
	grep -q "stage two: the configuration from stage one's sealed memfd" "$tmp/run.log"
check "without the module it says so" grep -q "warning: running without dpkit.ko" "$tmp/run.log"
check "SIGTERM mid-traffic: exit 0" test "$rc" = 0
check "it forwarded packets" sh -c "[ $rx -gt 0 ]"
check "packets in = packets out + counted drops" test "$rx" = "$((tx + dropped))"
check "every mbuf went back to the pool" test "$in_use" = 0
# One dpkitd per host: a second one is refused, naming the first.
"$DPKITD" -c "$tmp/null.conf" > "$tmp/first.log" 2>&1 &
first=$!
sleep 1
"$DPKITD" -c "$tmp/null.conf" > "$tmp/second.log" 2>&1
rc2=$?
sed 's/^/# second: /' "$tmp/second.log"
check "a second dpkitd is refused, naming the first's pid" \
	sh -c "[ $rc2 = 1 ] && grep -q 'another dpkitd is running (pid $first' '$tmp/second.log'"
check "... and the first one runs on" kill -0 "$first"
kill -TERM "$first"
wait "$first"
check "... and stops cleanly" test $? = 0
printf 'worker-cpus = %s\n[port a]\ndevice = 0000:00:05.0\n' "$(worker_cpu)" > "$tmp/pci.conf"
check "a PCI port without the module: refused, naming the module" \
	sh -c "'$DPKITD' -c '$tmp/pci.conf' 2>&1 | grep -q 'PCI ports need dpkit.ko to bind them'"
finish
