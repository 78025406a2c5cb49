# SPDX-License-Identifier: GPL-2.0
#
# Link state honoured in the dataplane, on the host: two net_tap ports whose
# kernel sides are dpktapa and dpktapb. Pings from dpktapa's side cross the
# eventdev pipeline towards b; once b's kernel side is down, dpkitd sees it
# (polled: net_tap has no LSC interrupt) and from then on sends nothing to
# b: every packet for it is dropped and counted as "link down".
. "$DPKIT_TOP/tests/host/lib.sh"

if [ ! -c /dev/net/tun ]; then
	skip "net_tap: no /dev/net/tun on this host"
	finish
	exit 0
fi

cat > "$tmp/tap.conf" <<-CONF
	worker-cpus = $(worker_cpu)
	hugepages = no
	memory = 256
	[port a]
	device = net_tap0,iface=dpktapa
	[port b]
	device = net_tap1,iface=dpktapb
CONF
stats() { "$DPKITCTL" --json stats > "$tmp/$1.json" 2>&1; }
tx_b() {
	python3 -c "import json; print(json.load(open('$tmp/$1.json'))['/dpkit/ports']['b']['tx_packets'])"
}
pings() {	# ARP requests out of dpktapa: they reach port a, go to b
	ping -c "$1" -i 0.2 -W 1 198.51.100.2 > /dev/null 2>&1 || true
}
traffic() {
	ip link set dpktapa up && ip link set dpktapb up &&
		ip addr add 198.51.100.1/24 dev dpktapa
	pings 5
	stats up
	ip link set dpktapb down
	sleep 1
	stats down1
	pings 5
	stats down2
}
run_dpkitd "$tmp/tap.conf" 8 traffic
check "packets crossed a -> b while b was up" sh -c "[ $(tx_b up) -gt 0 ]"
check "dpkitd saw b go down" grep -q "port b: link down" "$tmp/run.log"
check "nothing was sent to b while it was down" \
	test "$(tx_b down1)" = "$(tx_b down2)"
check "... each packet for b was counted as a link-down drop" \
	sh -c "[ $link_down -gt 0 ]"
check "... and dpkitctl stats shows them on port b" python3 -c "
import json; d = json.load(open('$tmp/down2.json'))['/dpkit/ports']
assert d['b']['drop_link_down'] > 0 and d['a']['drop_link_down'] == 0, d"
check "packets in = packets out + counted drops" test "$rx" = "$((tx + dropped))"
check "SIGTERM: exit 0, every mbuf back" sh -c "[ $rc = 0 ] && [ $in_use = 0 ]"
finish
