# SPDX-License-Identifier: GPL-2.0
# vm: nics=e1000e:k0:1,virtio:d0:1,e1000e:k1:2,virtio:d1:2 smp=3 mem=2048 hugepages=256 timeout=1500
#
# Idle workers on real rx interrupts (Documentation/dpkitd.rst, "Idle"):
# virtio-net NICs bound to vfio-pci have MSI-X rx interrupts. Two kernel
# NICs in two network namespaces, each cabled to a virtio NIC dpkitd
# bridges, one worker on CPU 1.
#
#  - rx-mode adaptive (poll pipeline): the worker parks in epoll on both
#    ports' rx interrupts; idle, it takes under 2% of its CPU over 10 s;
#    ping RTT idle (1 s apart: each one wakes the worker) and busy (while
#    2000 frames/s flow), median and p99; every first ping after an idle
#    second answered; 10,000 frames sent at once after idle arrive
#    complete, nothing missed on the NIC; a link flap (QEMU set_link) while
#    parked: the worker wakes and its next pass sees it.
#  - rx-mode interrupt, through event_dsw: parks after every empty pass,
#    when nothing is in flight; idle under 2%; pings and a burst arrive.
#  - rx-mode poll: the worker spins at ~100% of its CPU; ping RTT idle, the
#    baseline.
#  - net_ring ports (no rx interrupts), adaptive: the log names the
#    fallback; idle, the worker parks and takes less CPU than in poll mode.
# About 7 minutes under TCG (three dpkitd starts).
. "$DPKIT_TOP/tests/vm/lib.sh"

ko=$DPKIT_KO
tmp=$(mktemp -d)
DPKITD=$DPKIT_BUILD/user/dpkitd
FRAMES=$DPKIT_TOP/tests/vm/helpers/frames.py
k0=$(netdev_by_mac 52:54:00:dc:01:00)
k1=$(netdev_by_mac 52:54:00:dc:02:02)
D0=$(bdf_of_netdev "$(netdev_by_mac 52:54:00:dc:01:01)")
D1=$(bdf_of_netdev "$(netdev_by_mac 52:54:00:dc:02:03)")
echo "# kernel NICs $k0 $k1, DPDK NICs $D0 $D1"
t0=$(date +%s)
stamp() { echo "# t+$(( $(date +%s) - t0 )) s: $*"; }

netns_pair "$k0" "$k1"

# conf NAME RX-MODE EVENTDEV [DEVICE0 DEVICE1]: ports p0 and p1 on the
# virtio NICs, or on the two vdevs given (then without hugepages).
conf() {
	cat > "$tmp/$1.conf" <<-CONF
		worker-cpus = 1
		main-lcore = 0
		eventdev = $3
		rx-mode = $2
		mbufs = 8191
		$([ $# -gt 3 ] && echo "hugepages = no")
		[port p0]
		device = ${4:-$D0}
		[port p1]
		device = ${5:-$D1}
	CONF
}
start() {
	"$DPKITD" -c "$tmp/$1.conf" > "$tmp/$1.log" 2>&1 &
	pid=$!
	wait_for 180 grep -q "dpkitd: running" "$tmp/$1.log"
}
stop() {
	kill -TERM "$pid"
	wait "$pid"
	rc=$?
	grep -E "rx-mode|parks|stopped" "$tmp/$1.log" | sed 's/^/# /'
}
stats() { "$DPKITCTL" --json stats > "$tmp/$1.json"; }
wfield() {	# wfield STATS KEY: worker 0's
	python3 -c "import json
print(json.load(open('$tmp/$1.json'))['/dpkit/workers']['worker0']['$2'])"
}
pfield() {	# pfield STATS PORT KEY
	python3 -c "import json
print(json.load(open('$tmp/$1.json'))['/dpkit/ports']['$2']['$3'])"
}
# cpu SECONDS: the worker's CPU time over SECONDS, in % of its CPU.
cpu() {
	local tid a b
	stats tid
	tid=$(wfield tid tid)
	a=$(awk '{print $14 + $15}' "/proc/$pid/task/$tid/stat")
	sleep "$1"
	b=$(awk '{print $14 + $15}' "/proc/$pid/task/$tid/stat")
	echo $(( (b - a) * 1000 / $(getconf CLK_TCK) / $1 )) | sed 's/.$/.&/; s/^\./0./'
}
below() { awk -v l="$1" -v v="$2" 'BEGIN { exit !(v < l) }'; }
# rtt NAME COUNT INTERVAL: pings na -> nb; all answered; prints the RTTs'
# median and p99.
rtt() {
	ip netns exec na ping -c "$2" -i "$3" -W 2 192.0.2.2 > "$tmp/$1.ping" 2>&1
	python3 - "$tmp/$1.ping" "$1" "$2" <<-'PY'
	import re, sys
	t = sorted(float(x) for x in re.findall(r"time=([0-9.]+) ms", open(sys.argv[1]).read()))
	n = int(sys.argv[3])
	if t:
	    print(f"# {sys.argv[2]}: {len(t)}/{n} answered, RTT median {t[len(t) // 2]:.2f} ms, "
	          f"p99 {t[min(len(t) - 1, round(0.99 * (len(t) - 1)))]:.2f} ms, max {t[-1]:.2f} ms")
	sys.exit(0 if len(t) == n else 1)
	PY
}
# nic_rx NS IF: the kernel NIC's rx packets and drops.
nic_rx() {
	ip -n "$1" -s -s -j link show "$2" | python3 -c "import json, sys
s = json.load(sys.stdin)[0]['stats64']['rx']; print(s['packets'], s['dropped'] + s['missed_errors'])"
}
# burst COUNT: COUNT frames from na's NIC at once, after an idle second:
# the parked worker's wake-up loses none (dpkitd's p0 receives all COUNT),
# and every one is accounted for: sent on p1 and received by nb's socket,
# or counted by dpkitd as tx full (QEMU's virtio backend under TCG drains
# p1's tx ring slower than 10,000 frames a second; dpkitd drops when a tx
# ring is full, in every rx-mode). Where they went is printed.
burst() {
	local k
	stats burst0
	k=$(nic_rx nb "$k1")
	ip netns exec nb python3 "$FRAMES" recv "$k1" "$1" 90 > "$tmp/burst.rx" 2>&1 &
	local rx=$!
	wait_for 30 grep -q listening "$tmp/burst.rx"
	ip netns exec na python3 "$FRAMES" send "$k0" "$1" 1 > "$tmp/burst.tx" 2>&1
	wait "$rx"
	stats burst1
	set -- "$1" $k $(nic_rx nb "$k1")
	local rx tx full got
	rx=$(( $(pfield burst1 p0 rx_packets) - $(pfield burst0 p0 rx_packets) ))
	tx=$(( $(pfield burst1 p1 tx_packets) - $(pfield burst0 p1 tx_packets) ))
	full=$(( $(wfield burst1 drop_tx_full) - $(wfield burst0 drop_tx_full) ))
	got=$(sed -n 's/^received \([0-9]*\)$/\1/p' "$tmp/burst.rx")
	echo "# $(cat "$tmp/burst.tx"); dpkitd p0 rx +$rx, p1 tx +$tx, tx full +$full; nb's NIC rx +$(( $4 - $2 )), dropped +$(( $5 - $3 )); the socket got ${got:-none}"
	[ "$rx" = "$1" ] && [ $((tx + full)) = "$1" ] && [ "${got:-0}" = "$tx" ]
}

check "insmod dpkit.ko" insmod "$ko"

# ---- adaptive ----
conf adaptive adaptive none
stamp "adaptive: starting"
start adaptive
check "rx-mode adaptive: dpkitd starts" test $? = 0
stamp "adaptive: running"
check_log "virtio under vfio has rx interrupts: both ports, and the worker parks in epoll on them" \
	sh -c "grep -E 'rx-mode adaptive: rx interrupts|parks in' '$tmp/adaptive.log' &&
	       grep -q 'port p0: rx-mode adaptive: rx interrupts; its workers park in epoll' '$tmp/adaptive.log' &&
	       grep -q 'port p1: rx-mode adaptive: rx interrupts; its workers park in epoll' '$tmp/adaptive.log' &&
	       grep -q 'worker 0 (lcore 1): rx-mode adaptive: parks in epoll on rx interrupts' '$tmp/adaptive.log'"
check "ping crosses the dataplane" wait_for 60 ping_ab
sleep 2
stats a0
idle_cpu=$(cpu 10)
stats a1
echo "# rx-mode adaptive, idle: the worker's CPU over 10 s: $idle_cpu% of its CPU"
check "rx-mode adaptive: idle, the worker takes under 2% of its CPU over 10 s ($idle_cpu%)" \
	below 2 "$idle_cpu"
check "... parked: parks grow, over 9 s of the 10 parked" \
	sh -c "[ $(wfield a1 parks) -gt $(wfield a0 parks) ] &&
	       [ $(( $(wfield a1 parked_us) - $(wfield a0 parked_us) )) -gt 9000000 ]"
check_log "ping after 1 s idle, 20 times: every first packet after idle answered (RTT idle)" \
	rtt adaptive-idle 20 1
stats a2
check "... each woke the parked worker through an rx interrupt" \
	sh -c "[ $(( $(wfield a2 wake_rx) - $(wfield a1 wake_rx) )) -ge 20 ]"
ip netns exec na python3 "$FRAMES" send "$k0" 1000000 0 2000 > /dev/null 2>&1 &
filler=$!
sleep 2
check_log "ping while 2000 frames/s flow, 20 times: all answered (RTT busy)" \
	rtt adaptive-busy 20 0.2
kill "$filler"
wait "$filler" 2>/dev/null
sleep 2
stats a3
check_log "10,000 frames at once after an idle second: dpkitd receives all, each sent or counted tx full" burst 10000
stats a4
check "... the NIC missed none, and none ran out of mbufs" \
	sh -c "[ $(pfield a4 p0 rx_missed) = $(pfield a3 p0 rx_missed) ] &&
	       [ $(pfield a4 p0 rx_nombuf) = 0 ]"
sleep 2
stats before_flap
check "host: set_link d1 off (the worker parked)" host set_link d1 off
flapped() {
	stats flap
	[ "$(wfield flap wake_kick)" -gt "$(wfield before_flap wake_kick)" ] &&
		[ "$(wfield flap link_seen)" != "$(wfield before_flap link_seen)" ]
}
check "link flap while parked: dpkitd's eventfd wakes the worker, whose next pass sees p1 down" \
	wait_for 10 flapped
check "... dpkitd saw it by LSC interrupt" \
	grep -q "port p1: link down (LSC interrupt)" "$tmp/adaptive.log"
check "host: set_link d1 on" host set_link d1 on
check "... woken again, its pass sees p1 up" wait_for 10 sh -c \
	"'$DPKITCTL' --json stats | python3 -c \"import json, sys
assert json.load(sys.stdin)['/dpkit/workers']['worker0']['link_seen'] == $(wfield before_flap link_seen)\""
check "... ping again" wait_for 30 ping_ab
stop adaptive
check "rx-mode adaptive: SIGTERM, exit 0, every mbuf back" \
	sh -c "[ $rc = 0 ] && grep -q 'mbufs in use 0' '$tmp/adaptive.log'"
stamp "adaptive: done"

# ---- interrupt, through event_dsw ----
conf interrupt interrupt dsw
start interrupt
check "rx-mode interrupt, event_dsw: dpkitd starts" test $? = 0
stamp "interrupt: running"
check "... the worker parks after every empty pass, when nothing is in flight" grep -q \
	"worker 0 (lcore 1): rx-mode interrupt: parks in epoll on rx interrupts and the wake-up eventfd, after 1 empty pass, when nothing is in flight" \
	"$tmp/interrupt.log"
check "ping crosses the eventdev pipeline" wait_for 60 ping_ab
sleep 2
irq_cpu=$(cpu 5)
echo "# rx-mode interrupt, idle: the worker's CPU over 5 s: $irq_cpu% of its CPU"
check "rx-mode interrupt: idle, under 2% of its CPU ($irq_cpu%)" below 2 "$irq_cpu"
check_log "ping after 1 s idle, 10 times: all answered" rtt interrupt-idle 10 1
check_log "10,000 frames at once after an idle second: dpkitd receives all, each sent or counted tx full" burst 10000
stop interrupt
check "rx-mode interrupt: SIGTERM, exit 0, every mbuf back" \
	sh -c "[ $rc = 0 ] && grep -q 'mbufs in use 0' '$tmp/interrupt.log'"
stamp "interrupt: done"

# ---- poll: the baseline ----
conf poll poll none
start poll
check "rx-mode poll: dpkitd starts" test $? = 0
check "ping crosses" wait_for 60 ping_ab
poll_cpu=$(cpu 5)
echo "# rx-mode poll, idle: the worker's CPU over 5 s: $poll_cpu% of its CPU"
check "rx-mode poll: idle, the worker still spins: ~100% of its CPU ($poll_cpu%)" \
	awk -v v="$poll_cpu" 'BEGIN { exit !(v >= 90) }'
check_log "ping after 1 s idle, 20 times: all answered (RTT, poll)" rtt poll-idle 20 1
stop poll
check "rx-mode poll: SIGTERM, exit 0, every mbuf back" \
	sh -c "[ $rc = 0 ] && grep -q 'mbufs in use 0' '$tmp/poll.log'"
stamp "poll: done"

# ---- a PMD without rx interrupts: the fallback (tests/host/11-idle.sh too) ----
conf ring adaptive none net_ring0 net_ring1
start ring
check "net_ring (no rx interrupts), rx-mode adaptive: dpkitd starts" test $? = 0
check_log "... the log says, per port, no rx interrupts and the fallback, capped at the ring's time at link speed" \
	fallback_logged "$tmp/ring.log" p0 p1
stats r0
ring_cpu=$(cpu 5)
stats r1
echo "# rx-mode adaptive on net_ring (the fallback), idle: the worker's CPU over 5 s: $ring_cpu% of its CPU"
check "... idle, it parks (below the poll figure: $ring_cpu% < $poll_cpu%)" \
	sh -c "[ $(wfield r1 parks) -gt $(wfield r0 parks) ] &&
	       awk -v a=$ring_cpu -v b=$poll_cpu 'BEGIN { exit !(a < b) }'"
stop ring
check "net_ring: SIGTERM, exit 0, every mbuf back" \
	sh -c "[ $rc = 0 ] && grep -q 'mbufs in use 0' '$tmp/ring.log'"

check "rmmod" rmmod dpkit
check_dmesg_clean
finish
