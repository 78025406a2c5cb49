# SPDX-License-Identifier: GPL-2.0
# vm: nics=e1000e:k0:1,virtio:d0:1:q2,e1000e:k1:2,virtio:d1:2:q2 smp=8 mem=3072 hugepages=512 timeout=1800
#
# dpkitd at scale, as a function test (TCG runs 8 vCPUs on the host's 2
# cores: nothing here is about speed). Two kernel-owned NICs in two network
# namespaces, each cabled to a virtio-net NIC with two queue pairs that
# dpkitd binds; 6 workers on isolated CPUs 1-7, 2 rx queues per port.
# First on event_dsw, then on event_sw with its scheduler on a service
# lcore of its own (CPU 7): 64 TCP connections each way at once cross the
# dataplane, their data intact; every worker ran the stage; no packet was
# refused at admission; SIGTERM exits 0 with every mbuf back.
. "$DPKIT_TOP/tests/vm/lib.sh"

ko=$DPKIT_TOP/kmod/dpkit.ko
tmp=$(mktemp -d)
DPKITD=$DPKIT_BUILD/user/dpkitd
XFER=$DPKIT_TOP/tests/vm/helpers/tcpxfer.py
k0=$(netdev_by_mac 52:54:00:dc:01:00)
k1=$(netdev_by_mac 52:54:00:dc:02:02)
D0=$(bdf_of_netdev "$(netdev_by_mac 52:54:00:dc:01:01)")
D1=$(bdf_of_netdev "$(netdev_by_mac 52:54:00:dc:02:03)")
echo "# kernel NICs $k0 $k1, DPDK NICs $D0 $D1, $(nproc) CPUs"
say() { echo "## $*"; }
t0=$(date +%s)
stamp() { echo "# t+$(( $(date +%s) - t0 )) s: $*"; }
CONNS=64

netns_pair "$k0" "$k1"

# both_ways BYTES: CONNS connections na -> nb and CONNS nb -> na at once,
# BYTES each; what arrives is what was sent (bytes and digests).
both_ways() {
	ip netns exec nb python3 "$XFER" serve-many 192.0.2.2 5001 $CONNS > "$tmp/ab.rx" 2>&1 &
	local s1=$!
	ip netns exec na python3 "$XFER" serve-many 192.0.2.1 5002 $CONNS > "$tmp/ba.rx" 2>&1 &
	local s2=$!
	wait_for 60 grep -q listening "$tmp/ab.rx" && wait_for 60 grep -q listening "$tmp/ba.rx"
	ip netns exec na python3 "$XFER" send-many 192.0.2.2 5001 $CONNS "$1" > "$tmp/ab.tx" 2>&1 &
	local c1=$!
	ip netns exec nb python3 "$XFER" send-many 192.0.2.1 5002 $CONNS "$1" > "$tmp/ba.tx" 2>&1
	wait "$c1" "$s1" "$s2"
	echo "# a->b sent $(cat "$tmp/ab.tx"), received $(tail -n 1 "$tmp/ab.rx")"
	echo "# b->a sent $(cat "$tmp/ba.tx"), received $(tail -n 1 "$tmp/ba.rx")"
	[ -s "$tmp/ab.tx" ] && [ "$(cat "$tmp/ab.tx")" = "$(tail -n 1 "$tmp/ab.rx")" ] &&
		[ -s "$tmp/ba.tx" ] && [ "$(cat "$tmp/ba.tx")" = "$(tail -n 1 "$tmp/ba.rx")" ]
}

conf() {	# conf EVENTDEV
	cat <<-CONF
		workers = 6
		isolate = 1-7
		eventdev = $1
		[port p0]
		device = $D0
		queues = 2
		[port p1]
		device = $D1
		queues = 2
	CONF
}

stats() { "$DPKITCTL" --json stats > "$tmp/$1.json" 2>&1; }
# field FILE NAME: NAME's values in dpkitctl's JSON, one a line, in order.
field() { grep -o "\"$2\":[0-9]*" "$1" | cut -d: -f2; }
# steady BEFORE AFTER: between the two, each of the 6 workers ran the stage
# and held nothing back from rx; no drop, refusal or error anywhere.
# (Shell, not python: a python start takes tens of seconds in this guest.)
steady() {
	local d
	field "$1" stage > "$tmp/stage.1"	# no /dev/fd in the guest
	field "$2" stage > "$tmp/stage.2"
	d=$(paste -d' ' "$tmp/stage.1" "$tmp/stage.2" |
	    awk '$2 > $1 { n++ } END { print n + 0 }')
	echo "workers that ran the stage: $d of 6"
	[ "$d" = 6 ] || return 1
	[ "$(field "$1" rx_held | paste -sd' ')" = "$(field "$2" rx_held | paste -sd' ')" ] ||
		{ echo "rx held: $(field "$2" rx_held | paste -sd' ')"; return 1; }
	for d in drop_eventdev_full drop_tx_full eventdev_errors rx_nombuf; do
		field "$2" "$d" | grep -qv '^0$' && { echo "$d: not 0"; return 1; }
	done
	return 0
}

# run EVENTDEV: one dpkitd run with its checks.
run() {
	local ev=$1 pid rc
	conf "$ev" > "$tmp/$ev.conf"
	"$DPKITD" -c "$tmp/$ev.conf" > "$tmp/$ev.log" 2>&1 &
	pid=$!
	stamp "$ev: starting dpkitd"
	check "$ev: dpkitd starts: 6 workers, 2 ports" \
		wait_for 180 grep -q "dpkitd: running: 6 workers, 2 ports" "$tmp/$ev.log"
	stamp "$ev: running"
	grep -E "eventdev|port p|mbufs|placement|worker|service" "$tmp/$ev.log" | sed 's/^/# /'
	check "$ev: each port gets 2 rx queues; its 2 tx queues are few for 6 workers: tx through the single-link queue" \
		sh -c "grep -q 'port p0: 2 rx queues, 1 tx queue (the device has 2): tx through the single-link queue' '$tmp/$ev.log' &&
		       grep -q 'port p1: 2 rx queues, 1 tx queue (the device has 2)' '$tmp/$ev.log'"
	check "$ev: ping crosses the dataplane" wait_for 60 ping_ab
	stats before
	check "$ev: $CONNS TCP connections each way at once: every byte arrives, intact" \
		both_ways 8192
	stats after
	stamp "$ev: transfers done"
	sed 's/^/# stats: /' "$tmp/after.json"
	check "$ev: every worker ran the stage; nothing refused at admission or dropped" \
		steady "$tmp/before.json" "$tmp/after.json"
	check "$ev: RSS on both virtio NICs, with the symmetric key" \
		test "$(grep -o '"rss_key":"\(6d5a\)\{20\}"' "$tmp/after.json" | wc -l)" = 2
	stamp "$ev: checked, SIGTERM"
	kill -TERM "$pid"
	wait "$pid"
	rc=$?
	stamp "$ev: stopped"
	grep -E "stopped|closed|service" "$tmp/$ev.log" | sed 's/^/# /'
	check "$ev: SIGTERM: exit 0, every mbuf back" \
		sh -c "[ $rc = 0 ] && grep -q 'mbufs in use 0' '$tmp/$ev.log'"
	check "$ev: the NICs are back on virtio-pci" \
		wait_for 20 sh -c "[ \$(basename \$(readlink /sys/bus/pci/devices/$D0/driver)) = virtio-pci ]"
}

check "insmod dpkit.ko" insmod "$ko"
say "event_dsw: 6 workers, no scheduler service."
run dsw
check "dsw: no scheduler service" sh -c "! grep -q 'scheduler service' '$tmp/dsw.log'"
say "event_sw: 6 workers, its scheduler on a service lcore of its own."
run sw
check "sw: the scheduler service on its own lcore (CPU 7)" \
	grep -q "scheduler service on lcore 7" "$tmp/sw.log"
check "rmmod" rmmod dpkit
check_dmesg_clean
finish
