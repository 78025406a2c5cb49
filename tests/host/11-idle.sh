# SPDX-License-Identifier: GPL-2.0
#
# Idle workers (Documentation/dpkitd.rst, "Idle"), on the host: two net_tap
# ports, dpktapa and dpktapb on the kernel side. net_tap's queue fds are
# its rx interrupts, so a worker can park in epoll on them.
#
#  - rx-mode poll: the worker spins (its CPU time over 10 s is what the
#    machine gives it); adaptive: under 2% of a CPU over 10 s, parked in
#    epoll. The first frame after an idle period arrives, every time; the
#    one-way latency idle and busy is printed; a burst of 10,000 frames
#    after an idle second arrives complete. A link flap while parked: the
#    main lcore's eventfd wakes the worker, whose next pass sees it.
#  - rx-mode interrupt: parks after every empty pass; frames arrive.
#  - A PMD without rx interrupts (net_ring): the log and --check-config
#    say so; the worker parks in the sleep ladder, capped at the ring's
#    time at link speed (its CPU figure is printed).
#  - event_dsw, two workers (test mode: they share a CPU): idle, both park;
#    frames that one receives and the other may be scheduled arrive (the
#    receiver wakes its parked peer).
# About 90 s.
. "$DPKIT_TOP/tests/host/lib.sh"
FRAMES="python3 $DPKIT_TOP/tests/vm/helpers/frames.py"
pid=
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT

if [ ! -c /dev/net/tun ]; then
	skip "net_tap: no /dev/net/tun on this host"
	finish
	exit 0
fi

# conf NAME RX-MODE EVENTDEV [QUEUES [DEVICE-A DEVICE-B]]
conf() {
	cat > "$tmp/$1.conf" <<-CONF
		worker-cpus = $(worker_cpu)
		$([ "${4:-1}" -gt 1 ] && echo "lcores-per-cpu = $4")
		eventdev = $3
		hugepages = no
		memory = 256
		rx-mode = $2
		[port a]
		device = ${5:-net_tap0,iface=dpktapa}
		queues = ${4:-1}
		[port b]
		device = ${6:-net_tap1,iface=dpktapb}
		queues = ${4:-1}
	CONF
}
# start NAME: dpkitd with $tmp/NAME.conf, until it runs; the taps up.
start() {
	"$DPKITD" -c "$tmp/$1.conf" > "$tmp/$1.log" 2>&1 &
	pid=$!
	wait_for 60 grep -q "dpkitd: running" "$tmp/$1.log" || return 1
	for i in dpktapa dpktapb; do
		[ -d "/sys/class/net/$i" ] || continue
		sysctl -qw "net.ipv6.conf.$i.disable_ipv6=1"
		ip link set "$i" txqueuelen 20000 up
	done
	sleep 1
}
# stop NAME: SIGTERM; sets rc and in_use.
stop() {
	kill -TERM "$pid"
	wait "$pid"
	rc=$?
	pid=
	in_use=$(sed -n 's/.*mbufs in use \([0-9]*\).*/\1/p' "$tmp/$1.log")
	grep -E "rx-mode|parks|stopped" "$tmp/$1.log" | sed 's/^/# /'
}
stats() { "$DPKITCTL" --json stats > "$tmp/$1.json"; }
# field STATS KEY: KEY summed over the workers (tid: the list).
field() {
	python3 -c "import json
w = json.load(open('$tmp/$1.json'))['/dpkit/workers'].values()
print(' '.join(str(x['$2']) for x in w) if '$2' == 'tid' else sum(x['$2'] for x in w))"
}
port() {
	python3 -c "import json
print(json.load(open('$tmp/$1.json'))['/dpkit/ports']['$2']['$3'])"
}
# cpu SECONDS: the workers' CPU time over SECONDS, in % of one CPU.
cpu() {
	local tids t a=0 b=0
	stats tids
	tids=$(field tids tid)
	for t in $tids; do
		a=$(( a + $(awk '{print $14 + $15}' "/proc/$pid/task/$t/stat") ))
	done
	sleep "$1"
	for t in $tids; do
		b=$(( b + $(awk '{print $14 + $15}' "/proc/$pid/task/$t/stat") ))
	done
	echo $(( (b - a) * 1000 / $(getconf CLK_TCK) / $1 )) | sed 's/.$/.&/; s/^\./0./'
}
# below PERCENT VALUE (one decimal)
below() { awk -v l="$1" -v v="$2" 'BEGIN { exit !(v < l) }'; }

# ---- poll: the baseline ----
conf poll poll none
start poll
check "rx-mode poll: dpkitd starts" test $? = 0
poll_cpu=$(cpu 10)
echo "# rx-mode poll: the worker's CPU over 10 s: $poll_cpu% of a CPU"
check "rx-mode poll: the worker spins: ${poll_cpu}% of a CPU over 10 s (all the machine gives it)" \
	awk -v v="$poll_cpu" 'BEGIN { exit !(v >= 25) }'
check_log "rx-mode poll: 20 frames, each after 0.3 s idle, all arrive" \
	$FRAMES probes dpktapa dpktapb 20 0.3
check_log "rx-mode poll: 20 frames while 2000 frames/s flow, all arrive" \
	$FRAMES probes dpktapa dpktapb 20 0.02 2000
stop poll
check "rx-mode poll: exit 0, every mbuf back" sh -c "[ $rc = 0 ] && [ '$in_use' = 0 ]"

# ---- adaptive, on rx interrupts ----
conf adaptive adaptive none
start adaptive
check "rx-mode adaptive: dpkitd starts" test $? = 0
check "... net_tap has rx interrupts: the worker parks in epoll on them" \
	sh -c "grep -q 'port a: rx-mode adaptive: rx interrupts; its workers park in epoll' '$tmp/adaptive.log' &&
	       grep -q 'worker 0 (lcore 1): rx-mode adaptive: parks in epoll on rx interrupts and the wake-up eventfd, after 256 empty passes' '$tmp/adaptive.log'"
stats a0
idle_cpu=$(cpu 10)
stats a1
echo "# rx-mode adaptive: the worker's CPU over 10 s idle: $idle_cpu% of a CPU"
check "rx-mode adaptive: idle, the worker takes under 2% of a CPU over 10 s ($idle_cpu%)" \
	below 2 "$idle_cpu"
check "... parked most of the time: parks and time parked grow" python3 -c "
import json
a, b = (json.load(open('$tmp/%s.json' % n))['/dpkit/workers']['worker0'] for n in ('a0', 'a1'))
print(b['parks'] - a['parks'], 'parks,', b['parked_us'] - a['parked_us'], 'us parked,', b['passes'] - a['passes'], 'passes')
assert b['parks'] > a['parks'] and b['parked_us'] - a['parked_us'] > 9000000, (a, b)"
check "... telemetry: port a's mode, rx interrupts, parks in epoll" \
	sh -c "[ $(port a1 a rx_mode) = adaptive ] && [ $(port a1 a rx_interrupts) = yes ] &&
	       [ '$(port a1 a park)' = 'rx interrupts' ]"
check_log "rx-mode adaptive: 20 frames, each after 0.3 s idle (the worker parked), all arrive" \
	$FRAMES probes dpktapa dpktapb 20 0.3
check_log "rx-mode adaptive: 20 frames while 2000 frames/s flow, all arrive" \
	$FRAMES probes dpktapa dpktapb 20 0.02 2000
check_log "rx-mode adaptive: a burst of 10,000 frames after an idle second arrives complete" \
	$FRAMES burst dpktapa dpktapb 10000 1
stats before_flap
sleep 0.5
ip link set dpktapb down
flapped() {
	stats flap
	[ "$(field flap link_seen)" = 1 ] &&
		[ "$(field flap wake_kick)" -gt "$(field before_flap wake_kick)" ]
}
check "link flap while parked: the main lcore's eventfd wakes the worker, whose next pass sees b down" \
	wait_for 5 flapped
check_log "... frames for b are dropped as link down" sh -c "
	$FRAMES burst dpktapa dpktapb 5 0.2; sleep 0.5; $DPKITCTL --json stats > $tmp/down.json
	python3 -c \"import json; d = json.load(open('$tmp/down.json'))['/dpkit/ports']['b']; print(d['drop_link_down']); assert d['drop_link_down'] >= 5\""
ip link set dpktapb up
check "... b up again: woken again, its pass sees it" \
	wait_for 5 sh -c "$DPKITCTL --json stats > $tmp/up.json && python3 -c \"import json
assert sum(w['link_seen'] for w in json.load(open('$tmp/up.json'))['/dpkit/workers'].values()) == 3\""
check_log "... and frames cross again" $FRAMES probes dpktapa dpktapb 5 0.3
stop adaptive
check "rx-mode adaptive: exit 0, every mbuf back" sh -c "[ $rc = 0 ] && [ '$in_use' = 0 ]"

# ---- interrupt: parks after every empty pass ----
conf interrupt interrupt none
start interrupt
check "rx-mode interrupt: dpkitd starts" test $? = 0
check "... the worker parks after every empty pass" grep -q \
	'rx-mode interrupt: parks in epoll on rx interrupts and the wake-up eventfd, after 1 empty pass$' \
	"$tmp/interrupt.log"
irq_cpu=$(cpu 5)
echo "# rx-mode interrupt: the worker's CPU over 5 s idle: $irq_cpu% of a CPU"
check "rx-mode interrupt: idle, under 2% of a CPU ($irq_cpu%)" below 2 "$irq_cpu"
check_log "rx-mode interrupt: 10 frames after 0.3 s idle each, all arrive" \
	$FRAMES probes dpktapa dpktapb 10 0.3
check_log "rx-mode interrupt: a burst of 10,000 frames after an idle second arrives complete" \
	$FRAMES burst dpktapa dpktapb 10000 1
stop interrupt
check "rx-mode interrupt: exit 0, every mbuf back" sh -c "[ $rc = 0 ] && [ '$in_use' = 0 ]"

# ---- a PMD without rx interrupts: the fallback ----
conf ring adaptive none 1 net_ring0 net_ring1
check_log "--check-config explains each port's rx-mode and its fallback" sh -c "
	'$DPKITD' -c '$tmp/ring.conf' --check-config | sed -n '/^idle:/,/^\$/p' > '$tmp/explain'; cat '$tmp/explain'
	grep -q 'port a: rx-mode adaptive (rx-mode): after 256 empty passes its worker arms the port.s rx interrupts and parks in epoll' '$tmp/explain' &&
	grep -q 'if the PMD has no rx interrupts (known at start: the log says), it .* up to the time its 1024 rx descriptors take to fill at the link speed (68 us at 10 Gb/s' '$tmp/explain'"
start ring
check "net_ring (no rx interrupts): dpkitd starts" test $? = 0
check_log "... the log says, per port, no rx interrupts and the fallback, capped at the ring's time at link speed" \
	fallback_logged "$tmp/ring.log" a b
stats r0
ring_cpu=$(cpu 5)
stats r1
echo "# rx-mode adaptive on net_ring (sleep ladder up to 68 us): the worker's CPU over 5 s idle: $ring_cpu% of a CPU"
check "... idle, it parks (below the poll figure: $ring_cpu% < $poll_cpu%)" \
	sh -c "[ $(field r1 parks) -gt $(field r0 parks) ] && awk -v a=$ring_cpu -v b=$poll_cpu 'BEGIN { exit !(a < b) }'"
stop ring
check "net_ring: exit 0, every mbuf back" sh -c "[ $rc = 0 ] && [ '$in_use' = 0 ]"

# ---- event_dsw, two workers: the receiver wakes its parked peer ----
conf evdev adaptive dsw 2
start evdev
check "event_dsw, 2 workers, adaptive: dpkitd starts" test $? = 0
check "... both park in epoll, when nothing is in flight" sh -c "[ \$(grep -c \
	'parks in epoll on rx interrupts and the wake-up eventfd, after 256 empty passes, when nothing is in flight' \
	'$tmp/evdev.log') = 2 ]"
stats e0
ev_cpu=$(cpu 10)
echo "# event_dsw, two workers, adaptive: their CPU over 10 s idle: $ev_cpu% of a CPU"
check "event_dsw: idle, both workers together under 2% of a CPU ($ev_cpu%)" below 2 "$ev_cpu"
check_log "event_dsw: 20 frames after 0.3 s idle each (flows over both workers), all arrive" \
	$FRAMES probes dpktapa dpktapb 20 0.3
check_log "event_dsw: a burst of 10,000 frames after an idle second arrives complete" \
	$FRAMES burst dpktapa dpktapb 10000 1
stats e1
check "... a worker that received woke its parked peer (kicks counted)" \
	sh -c "[ $(field e1 wake_kick) -gt $(field e0 wake_kick) ]"
stop evdev
check "event_dsw: exit 0, every mbuf back" sh -c "[ $rc = 0 ] && [ '$in_use' = 0 ]"
finish
