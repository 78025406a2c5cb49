# SPDX-License-Identifier: GPL-2.0
# vm: nics=e1000e:k0:1,virtio:d0:1,e1000e:k1:2,virtio:d1:2 smp=2 mem=2048 hugepages=256 timeout=900
#
# The dataplane end to end: two kernel-owned NICs in two network namespaces,
# each cabled to a virtio-net NIC that dpkitd binds to vfio-pci and bridges
# (poll mode). ping crosses the dataplane; a QEMU link flap stops it; SIGKILL
# of dpkitd gives both NICs back to virtio-pci; a restart works; SIGTERM
# exits 0.
. "$DPKIT_TOP/tests/vm/lib.sh"

ko=$DPKIT_TOP/kmod/dpkit.ko
tmp=$(mktemp -d)
DPKITD=$DPKIT_BUILD/user/dpkitd
k0=$(netdev_by_mac 52:54:00:dc:01:00)
k1=$(netdev_by_mac 52:54:00:dc:02:02)
D0=$(bdf_of_netdev "$(netdev_by_mac 52:54:00:dc:01:01)")
D1=$(bdf_of_netdev "$(netdev_by_mac 52:54:00:dc:02:03)")
echo "# kernel NICs $k0 $k1, DPDK NICs $D0 $D1"
on() { [ "$(driver_of "$1")" = "$2" ]; }
# say TEXT: a line of narration (make demo shows them).
say() { echo "## $*"; }

say "Two network namespaces, na and nb, each with a kernel e1000e NIC:"
say "na's is cabled to virtio NIC $D0, nb's to virtio NIC $D1."
ip netns add na && ip netns add nb
ip link set "$k0" netns na && ip link set "$k1" netns nb
ip -n na addr add 192.0.2.1/24 dev "$k0" && ip -n na link set "$k0" up
ip -n nb addr add 192.0.2.2/24 dev "$k1" && ip -n nb link set "$k1" up
ping_ab() { ip netns exec na ping -c 1 -W 2 192.0.2.2; }

cat > "$tmp/dpkitd.conf" <<-CONF
	worker-cpus = 1
	eventdev = none
	mbufs = 8191
	[port p0]
	device = $D0
	[port p1]
	device = $D1
CONF

# start NAME: dpkitd in the background (in this shell, so $pid is ours).
start() {
	"$DPKITD" -c "$tmp/dpkitd.conf" > "$tmp/$1.log" 2>&1 &
	pid=$!
}
# DPDK under TCG is slow to start.
running() { wait_for 120 grep -q "dpkitd: running" "$tmp/$1.log"; }
log() { sed 's/^/# /' "$tmp/$1.log"; }

say "Load dpkit.ko. No path joins na and nb yet."
check "insmod dpkit.ko" insmod "$ko"
check_not "no path between the namespaces before dpkitd" ping_ab
say "Start dpkitd: stage one takes a lease on /dev/dpkit and binds both virtio"
say "NICs to vfio-pci through it, then execs stage two, which starts DPDK and"
say "bridges the two ports (poll mode: one worker, on CPU 1)."
start first
check "dpkitd starts: binds both NICs, runs" running first
log first
check "both DPDK NICs are on vfio-pci, through the lease" \
	sh -c "[ \$(basename \$(readlink /sys/bus/pci/devices/$D0/driver)) = vfio-pci ] &&
	       [ \$(basename \$(readlink /sys/bus/pci/devices/$D1/driver)) = vfio-pci ]"
check "ping crosses the dataplane" wait_for 30 ping_ab

say "dpkitd reports its ports' links into dpkit.ko; its workers read them from"
say "the module's shared page, one load per pass:"
"$DPKITCTL" link show | grep -E 'SLOT|dpdk' | sed 's/^/##   /'
check "the workers read link state from dpkit.ko's page" \
	grep -q "workers read link state from dpkit.ko's page" "$tmp/first.log"
"$DPKITCTL" stats > "$tmp/stats" 2>&1
say "dpkitctl stats reads dpkitd's DPDK telemetry:"
sed 's/^/##   /' "$tmp/stats"
check "dpkitctl stats: the worker forwarded the pings" python3 -c "
import json
for line in open('$tmp/stats'):
    d = json.loads(line)
    if '/dpkit/workers' in d:
        assert d['/dpkit/workers']['worker0']['rx'] > 0
        assert d['/dpkit/workers']['worker0']['tx'] > 0"
check "dpkitctl link show lists dpkitd's ports, up" \
	sh -c "'$DPKITCTL' link show | grep -Eq '^[0-9]+ +dpdk +[0-9]+ +p0 +up ' &&
	       '$DPKITCTL' link show | grep -Eq '^[0-9]+ +dpdk +[0-9]+ +p1 +up '"
check "... both ways" wait_for 10 ip netns exec nb ping -c 1 -W 2 192.0.2.1

say "Pull nb's cable (QEMU set_link d1 off): dpkitd sees the link go down and"
say "drops what would go out there; ping stops. Plug it back: ping resumes."
check "host: set_link d1 off" host set_link d1 off
check "dpkitd sees port p1 go down" wait_for 10 grep -q "port p1: link down" "$tmp/first.log"
check_not "no ping while p1 is down" ping_ab
check "the page shows p1 without carrier" \
	sh -c "'$DPKITCTL' link show | grep -Eq '^[0-9]+ +dpdk +[0-9]+ +p1 +no-carrier '"
check "host: set_link d1 on" host set_link d1 on
check "dpkitd sees it come back" wait_for 10 grep -q "port p1: link up" "$tmp/first.log"
check "ping again" wait_for 30 ping_ab

say "Kill dpkitd with SIGKILL: the kernel ends its lease and gives both NICs"
say "back to virtio-pci."
kill -9 "$pid"
wait "$pid" 2>/dev/null
check "SIGKILL of dpkitd: the lease gives d0 back to virtio-pci" wait_for 20 on "$D0" virtio-pci
check "... and d1" wait_for 20 on "$D1" virtio-pci
check_not "... so no path any more" ping_ab
check "... and its link reports are gone from the page" \
	sh -c "! '$DPKITCTL' link show | grep -q ' dpdk '"

say "Start it again, then stop it cleanly with SIGTERM and read its counters."
start second
check "dpkitd starts again" running second
check "ping crosses again" wait_for 30 ping_ab
kill -TERM "$pid"
wait "$pid"
rc=$?
log second
say "$(grep 'dpkitd: stopped' "$tmp/second.log")"
check "SIGTERM: exit 0, every mbuf back" \
	sh -c "[ $rc = 0 ] && grep -q 'mbufs in use 0' '$tmp/second.log'"
check "... and the NICs are back on virtio-pci" \
	sh -c "[ \$(basename \$(readlink /sys/bus/pci/devices/$D0/driver)) = virtio-pci ]"
check "rmmod" rmmod dpkit
check_dmesg_clean
finish
