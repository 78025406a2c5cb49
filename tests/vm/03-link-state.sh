# SPDX-License-Identifier: GPL-2.0
# vm: nics=e1000e:k0:1,virtio:k1:1 smp=2 mem=1024 timeout=900
#
# dpkit.ko's link state end to end: kernel netdevs (a veth pair, an e1000e,
# a virtio-net flapped from the QEMU monitor) and DPDK ports reported
# through a lease, seen in the mapped page, in poll()/read() wake-ups and
# on the generic netlink group; permissions; a killed lease holder; a
# 100k-change storm against concurrent readers; rmmod while in use.
. "$DPKIT_TOP/tests/vm/lib.sh"

ko=$DPKIT_KO
tmp=$(mktemp -d)
e1000e=$(netdev_by_mac 52:54:00:dc:01:00)
virtio=$(netdev_by_mac 52:54:00:dc:01:01)
ifindex() { cat "/sys/class/net/$1/ifindex"; }

# state_is OWNER KEY PATTERN: the page's view of a link matches PATTERN.
state_is() { "$LINKPROBE" state "$1" "$2" | grep -q -- "$3"; }
absent() { [ "$("$LINKPROBE" state "$1" "$2")" = absent ]; }

# watch_start NAME: `dpkitctl link watch` in the background, subscribed.
watch_start() {
	"$DPKITCTL" link watch --timeout 120 > "$tmp/$1.out" 2> "$tmp/$1.err" &
	eval "watch_$1=\$!"
	wait_for 10 grep -q watching "$tmp/$1.err"
}

# watch_saw NAME PATTERN [COUNT]: the watcher printed COUNT (default 1)
# lines matching PATTERN within 15 s; the watcher is stopped either way.
watch_saw() {
	local pid ok=0
	eval "pid=\$watch_$1"
	wait_for 15 sh -c "[ \$(grep -c -- '$2' '$tmp/$1.out') -ge ${3:-1} ]" || ok=1
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	[ "$ok" = 0 ] || cat "$tmp/$1.out" "$tmp/$1.err"
	return "$ok"
}

ip link set "$e1000e" up
ip link set "$virtio" up
for dev in "$e1000e" "$virtio"; do
	wait_for 30 sh -c "[ \$(cat /sys/class/net/$dev/carrier) = 1 ]"
done

check "insmod dpkit.ko" insmod "$ko"
check "version reports the link and lease features" \
	sh -c "'$DPKITCTL' status | grep -q '^features .*link.*lease'"

# -- kernel netdevs present at load time ----------------------------------
check "the e1000e netdev is in the page, up" \
	state_is kernel "$(ifindex "$e1000e")" "up=1 .* name=$e1000e"
check "... with the speed and duplex ethtool reports" \
	state_is kernel "$(ifindex "$e1000e")" "flags=0xf speed=1000 "
check "the virtio netdev is in the page, up" \
	state_is kernel "$(ifindex "$virtio")" "up=1"
check "loopback is not tracked" absent kernel 1
check "dpkitctl link show lists both" \
	sh -c "'$DPKITCTL' link show | grep -q ' $e1000e .* up ' &&
	       '$DPKITCTL' link show | grep -q ' $virtio .* up '"
check "dpkitctl --json link show parses" \
	sh -c "'$DPKITCTL' --json link show | python3 -c 'import json,sys; assert len(json.load(sys.stdin)) >= 2'"
check "the genetlink dump lists them" \
	sh -c "'$DPKITCTL' link dump kernel | grep -q '^$e1000e kernel:'"

# -- a veth pair: register, up, down, rename, unregister ------------------
watch_start reg
ip link add dpkva type veth peer name dpkvb
va=$(ifindex dpkva)
check "veth registered: in the page, down" state_is kernel "$va" "up=0 .*name=dpkva"
check "... and announced on the genl group" watch_saw reg "^dpkv[ab] kernel:[0-9]* down"

"$LINKPROBE" wait 20000 > "$tmp/wait.out" &
waiter=$!
wait_for 10 grep -q waiting "$tmp/wait.out"
watch_start up
ip link set dpkva up
ip link set dpkvb up
check "veth up: the page says up" wait_for 10 state_is kernel "$va" "up=1"
wait "$waiter"
waited=$?
check "poll()/read() woke the waiter" \
	sh -c "[ $waited = 0 ] && grep -q '^events [0-9]' $tmp/wait.out"
check "genl: up event" watch_saw up "^dpkva kernel:$va up"

watch_start down
ip link set dpkvb down
check "peer down: no carrier, so down" wait_for 10 state_is kernel "$va" "up=0 flags=0x4 "
check "genl: no-carrier event with the change count" \
	watch_saw down "^dpkva kernel:$va no-carrier .* changes 2"
ip link set dpkva down
watch_start rename
ip link set dpkva name dpkvz
check "rename: the page follows" state_is kernel "$va" "name=dpkvz"
check "genl: the new name" watch_saw rename "^dpkvz kernel:$va"
watch_start del
ip link del dpkvz
check "unregister: the slot is gone" absent kernel "$va"
check "genl: removal event" watch_saw del "kernel:$va removed"

# -- ip link set down/up on the e1000e -------------------------------------
ei=$(ifindex "$e1000e")
ip link set "$e1000e" down
check "e1000e admin down: down in the page" wait_for 10 state_is kernel "$ei" "up=0"
ip link set "$e1000e" up
check "e1000e admin up: up again after autonegotiation" \
	wait_for 30 state_is kernel "$ei" "up=1 flags=0xf speed=1000 "

# -- QEMU set_link on the virtio NIC (QEMU 7.2's e1000e ignores set_link) --
vi=$(ifindex "$virtio")
changes0=$("$LINKPROBE" state kernel "$vi" | sed 's/.*changes=\([0-9]*\).*/\1/')
watch_start flap
check "host: set_link k1 off" host set_link k1 off
check "the page shows the virtio link down" wait_for 10 state_is kernel "$vi" "up=0"
check "genl: the flap" watch_saw flap "^$virtio kernel:$vi no-carrier"
check "host: set_link k1 on" host set_link k1 on
check "the page shows it up again" wait_for 10 state_is kernel "$vi" "up=1"
check "two more transitions counted" \
	state_is kernel "$vi" "changes=$((changes0 + 2)) "

# -- the watch set ---------------------------------------------------------
check "watch only $e1000e" "$LINKPROBE" watch add "$e1000e"
check "... $virtio is no longer tracked" absent kernel "$vi"
check "... $e1000e still is" state_is kernel "$(ifindex "$e1000e")" "up=1"
check_not "watch a missing interface: refused" "$LINKPROBE" watch add nosuchif0
check "back to every Ethernet netdev" "$LINKPROBE" watch all
check "... $virtio is tracked again" state_is kernel "$vi" "up=1"
check "unwatch $virtio from 'all'" "$LINKPROBE" watch del "$virtio"
check "... gone; $e1000e stays" \
	sh -c "'$LINKPROBE' state kernel $vi | grep -q absent &&
	       '$LINKPROBE' state kernel $(ifindex "$e1000e") | grep -q up=1"
"$LINKPROBE" watch all

# -- DPDK ports, leases ----------------------------------------------------
"$LINKPROBE" hold 7 8 > "$tmp/hold.out" &
holder=$!
check "a lease holder reported ports 7 and 8" wait_for 10 grep -q ready "$tmp/hold.out"
check "port 7 is up in the page, 10G full" state_is dpdk 7 "up=1 flags=0x3 speed=10000 .*name=held7"
check "another file may not change a leased port" \
	sh -c "'$LINKPROBE' report 7 down | grep -q 'another lease'"
check "an unleased report works and outlives its file" "$LINKPROBE" report 9 up
check "... port 9 is up after its reporter exited" state_is dpdk 9 "up=1"
watch_start lease
kill -9 "$holder"
wait "$holder" 2>/dev/null
check "SIGKILL of the holder: port 7 is released" wait_for 10 absent dpdk 7
check "... and port 8" absent dpdk 8
check "genl: both ports removed" watch_saw lease "dpdk:[78] removed" 2
check "the unleased port 9 stays" state_is dpdk 9 "up=1"

# -- permissions and the mapping --------------------------------------------
check "the mapping refuses every writable or odd request" "$LINKPROBE" mmap-misuse
chgrp nogroup /dev/dpkit && chmod 0640 /dev/dpkit
check "an unprivileged reader can read but not mutate" "$LINKPROBE" unpriv
chmod 0600 /dev/dpkit

# -- the storm ---------------------------------------------------------------
# Their figures go to the log; `check` only shows output on failure.
"$LINKPROBE" storm 100000 2 > "$tmp/storm.out" 2>&1
storm=$?
cat "$tmp/storm.out"
check "100k reported changes, 2 concurrent readers: nothing torn" \
	test "$storm" = 0
# A flap takes rtnl and the notifier twice: on PREEMPT_RT under TCG that
# is several times slower, and 5k flaps still give the readers a preempted
# writer to meet.
flaps=20000
case "$(uname -v)" in *PREEMPT_RT*) flaps=5000 ;; esac
ip link add dpkst0 type veth peer name dpkst1
ip link set dpkst1 up
"$LINKPROBE" ifstorm dpkst0 $flaps 2 > "$tmp/ifstorm.out" 2>&1
storm=$?
cat "$tmp/ifstorm.out"
check "$flaps netdev flaps through the notifier, 2 readers: all consistent" \
	test "$storm" = 0
ip link del dpkst0

# -- rmmod while in use ------------------------------------------------------
exec 5</dev/dpkit
check_not "rmmod refused while the device is open" rmmod dpkit
exec 5<&-
python3 -c "
import mmap, os, time
fd = os.open('/dev/dpkit', os.O_RDONLY)
m = mmap.mmap(fd, 20480, mmap.MAP_SHARED, mmap.PROT_READ)
os.close(fd)
print('mapped', flush=True)
time.sleep(600)" > "$tmp/map.out" &
mapper=$!
wait_for 20 grep -q mapped "$tmp/map.out"
check_not "rmmod refused while the page is mapped (fd closed)" rmmod dpkit
kill "$mapper"
wait "$mapper" 2>/dev/null
check "rmmod once nothing holds it" rmmod dpkit
check_dmesg_clean
finish
