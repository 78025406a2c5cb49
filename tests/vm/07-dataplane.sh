# SPDX-License-Identifier: GPL-2.0
# vm: nics=e1000e:k0:1,virtio:d0:1,e1000e:k1:2,virtio:d1:2 smp=3 mem=2048 hugepages=256 timeout=1200
#
# The dataplane end to end: two kernel-owned NICs in two network namespaces,
# each cabled to a virtio-net NIC that dpkitd binds to vfio-pci and bridges
# through an eventdev. First run: event_sw, CPUs 1-2 isolated through the
# lease, the worker on CPU 1 and the scheduler on its own service lcore on
# CPU 2. ping and a TCP transfer cross the dataplane; a QEMU link flap stops
# it; SIGKILL gives both NICs and the CPUs back (and the undo helper the
# isolation knobs). Each run checks, while it forwards, that no thread of
# dpkitd has a capability left and that its lcores run under the seccomp
# filter (Documentation/dpkitd.rst, "Privileges"): the link reports into
# dpkit.ko go on through the lease. Second run: event_dsw (eventdev =
# auto), as user nobody; SIGTERM exits 0 having put everything back, the
# NICs included, the moment it has exited. Last, a lease may not take over
# an admin's isolation.
. "$DPKIT_TOP/tests/vm/lib.sh"

ko=$DPKIT_KO
tmp=$(mktemp -d)
DPKITD=$DPKIT_BUILD/user/dpkitd
k0=$(netdev_by_mac 52:54:00:dc:01:00)
k1=$(netdev_by_mac 52:54:00:dc:02:02)
D0=$(bdf_of_netdev "$(netdev_by_mac 52:54:00:dc:01:01)")
D1=$(bdf_of_netdev "$(netdev_by_mac 52:54:00:dc:02:03)")
K0=$(bdf_of_netdev "$k0")
echo "# kernel NICs $k0 $k1, DPDK NICs $D0 $D1"
on() { [ "$(driver_of "$1")" = "$2" ]; }
# lease_cloexec PID: PID's descriptor on /dev/dpkit is close-on-exec (no
# program it starts inherits the lease).
lease_cloexec() {
	local f flags
	for f in /proc/"$1"/fd/*; do
		[ "$(readlink "$f")" = /dev/dpkit ] || continue
		flags=$(sed -n 's/^flags:[[:space:]]*//p' "/proc/$1/fdinfo/${f##*/}")
		echo "fd ${f##*/} on /dev/dpkit, flags $flags"
		[ $((0$flags & 02000000)) -ne 0 ]
		return
	done
	echo "no descriptor on /dev/dpkit"
	return 1
}
# say TEXT: a line of narration (make demo shows them).
say() { echo "## $*"; }

say "Two network namespaces, na and nb, each with a kernel e1000e NIC:"
say "na's is cabled to virtio NIC $D0, nb's to virtio NIC $D1."
netns_pair "$k0" "$k1"
# tcp_ab BYTES: a TCP transfer from na to nb; the bytes and sha256 match.
tcp_ab() {
	ip netns exec nb python3 "$DPKIT_TOP/tests/vm/helpers/tcpxfer.py" \
		serve 192.0.2.2 5001 > "$tmp/tcp.rx" 2>&1 &
	local srv=$!
	wait_for 60 grep -q listening "$tmp/tcp.rx"
	ip netns exec na python3 "$DPKIT_TOP/tests/vm/helpers/tcpxfer.py" \
		send 192.0.2.2 5001 "$1" > "$tmp/tcp.tx" 2>&1
	wait "$srv"
	echo "# sent $(cat "$tmp/tcp.tx"), received $(tail -n 1 "$tmp/tcp.rx")"
	[ -s "$tmp/tcp.tx" ] && [ "$(cat "$tmp/tcp.tx")" = "$(tail -n 1 "$tmp/tcp.rx")" ]
}
default_affinity() { cat /proc/irq/default_smp_affinity; }
orig_affinity=$(default_affinity)

cat > "$tmp/sw.conf" <<-CONF
	workers = 1
	isolate = 1-2
	eventdev = sw
	mbufs = 8191
	[port p0]
	device = $D0
	[port p1]
	device = $D1
CONF
sed -e 's/^eventdev = sw/eventdev = auto/' -e 's/^mbufs = 8191/&\nuser = nobody/' \
	"$tmp/sw.conf" > "$tmp/auto.conf"

# start NAME CONF: dpkitd in the background (in this shell: $pid is ours).
start() {
	"$DPKITD" -c "$tmp/$2.conf" > "$tmp/$1.log" 2>&1 &
	pid=$!
}
# DPDK under TCG is slow to start.
running() { wait_for 120 grep -q "dpkitd: running" "$tmp/$1.log"; }
log() { sed 's/^/# /' "$tmp/$1.log"; }

say "Load dpkit.ko. No path joins na and nb yet."
check "insmod dpkit.ko" insmod "$ko"
check_not "no path between the namespaces before dpkitd" ping_ab
say "Start dpkitd: stage one takes a lease on /dev/dpkit, binds both virtio"
say "NICs to vfio-pci and isolates CPUs 1-2 through it, then execs stage two,"
say "which starts DPDK: rx -> event_sw queue 0 (atomic by flow) -> stage ->"
say "tx; one worker on CPU 1, event_sw's scheduler on a service lcore of its"
say "own on CPU 2."
start first sw
check "dpkitd starts: binds both NICs, runs" running first
log first
check "stage one isolated CPUs 1-2 through the lease" \
	grep -q "isolated CPUs 1-2 through the lease" "$tmp/first.log"
check "... and the default IRQ affinity keeps off them" \
	sh -c "[ \$((0x\$(cat /proc/irq/default_smp_affinity) & 6)) = 0 ]"
check "dpkitctl isolate show: CPUs 1-2" \
	sh -c "'$DPKITCTL' isolate show | grep -q '^isolated     1-2'"
check "the worker runs on CPU 1, the scheduler service on its own lcore, CPU 2" \
	sh -c "grep -q 'eventdev: event_sw' '$tmp/first.log' &&
	       grep -q 'scheduler service on lcore 2' '$tmp/first.log'"
check "both DPDK NICs are on vfio-pci, through the lease" \
	sh -c "[ \$(basename \$(readlink /sys/bus/pci/devices/$D0/driver)) = vfio-pci ] &&
	       [ \$(basename \$(readlink /sys/bus/pci/devices/$D1/driver)) = vfio-pci ]"
check "ping crosses the dataplane" wait_for 30 ping_ab
say "Once the EAL, ports and eventdev are up, dpkitd drops its privileges"
say "for good: no thread keeps a capability; the lcores run under seccomp."
threads "$pid" > "$tmp/threads"
sed 's/^/##   /' "$tmp/threads"
check "while it forwards: no thread has a capability, each has no-new-privs; worker and service lcores Seccomp 2, the others 0" \
	privileges "$tmp/threads" 0
say "A TCP transfer, na to nb, through the eventdev pipeline:"
check "a 2 MB TCP transfer arrives whole (same bytes, same sha256)" tcp_ab 2000000

say "dpkitd reports its ports' links into dpkit.ko; its workers read them from"
say "the module's shared page, one load per pass:"
"$DPKITCTL" link show | grep -E 'SLOT|dpdk' | sed 's/^/##   /'
check "the workers read link state from dpkit.ko's page" \
	grep -q "workers read link state from dpkit.ko's page" "$tmp/first.log"
"$DPKITCTL" stats 2>&1 | sed 's/^/##   /'
"$DPKITCTL" --json stats > "$tmp/stats" 2>&1
say "dpkitctl stats reads dpkitd's DPDK telemetry (tables above, JSON checked)"
check "dpkitctl stats: the worker forwarded the packets, through event_sw" python3 -c "
import json
seen = set()
for line in open('$tmp/stats'):
    d = json.loads(line)
    if '/dpkit/workers' in d:
        assert d['/dpkit/workers']['worker0']['rx'] > 0
        assert d['/dpkit/workers']['worker0']['tx'] > 0
        seen.add('w')
    if '/dpkit/eventdev' in d:
        e = d['/dpkit/eventdev']
        assert e['driver'] == 'event_sw' and e['scheduler_service'] == 'lcore 2', e
        assert e['xstats']['dev_rx'] > 0, e
        seen.add('e')
assert seen == {'w', 'e'}, seen"
check "dpkitctl link show lists dpkitd's ports, up" \
	sh -c "'$DPKITCTL' link show | grep -Eq '^[0-9]+ +dpdk +[0-9]+ +p0 +up ' &&
	       '$DPKITCTL' link show | grep -Eq '^[0-9]+ +dpdk +[0-9]+ +p1 +up '"
check "... both ways" wait_for 10 ip netns exec nb ping -c 1 -W 2 192.0.2.1

say "Pull nb's cable (QEMU set_link d1 off): dpkitd sees the link go down and"
say "drops what would go out there; ping stops. Plug it back: ping resumes."
say "(It reports the link into dpkit.ko through its lease, without capabilities.)"
check "host: set_link d1 off" host set_link d1 off
check "dpkitd sees port p1 go down" wait_for 10 grep -q "port p1: link down" "$tmp/first.log"
say "$(grep "port p1: link down" "$tmp/first.log")"
check "... virtio-net has link-state interrupts: dpkitd registered for them" \
	grep -q "port p1: link-state interrupts (LSC)" "$tmp/first.log"
check_not "no ping while p1 is down" ping_ab
drops=$("$DPKITCTL" --json stats | python3 -c "import json, sys
print(json.load(sys.stdin)['/dpkit/ports']['p1']['drop_link_down'])")
check "... what was for p1 was counted as dropped, link down ($drops)" \
	test "${drops:-0}" -gt 0
check "the page shows p1 without carrier" \
	sh -c "'$DPKITCTL' link show | grep -Eq '^[0-9]+ +dpdk +[0-9]+ +p1 +no-carrier '"
check "host: set_link d1 on" host set_link d1 on
check "dpkitd sees it come back" wait_for 10 grep -q "port p1: link up" "$tmp/first.log"
check "ping again" wait_for 30 ping_ab

say "Kill dpkitd with SIGKILL: the kernel ends its lease, gives both NICs"
say "back to virtio-pci and ends the isolation."
kill -9 "$pid"
wait "$pid" 2>/dev/null
check "SIGKILL of dpkitd: the lease gives d0 back to virtio-pci" wait_for 20 on "$D0" virtio-pci
check "... and d1" wait_for 20 on "$D1" virtio-pci
check_not "... so no path any more" ping_ab
check "... and its link reports are gone from the page" \
	sh -c "! '$DPKITCTL' link show | grep -q ' dpdk '"
check "... and nothing is isolated any more" \
	sh -c "'$DPKITCTL' isolate show | grep -q '^isolated     (none)'"
check "... and its undo helper put the default IRQ affinity back ($orig_affinity)" \
	wait_for 20 sh -c "[ \$(cat /proc/irq/default_smp_affinity) = $orig_affinity ]"

say "Start it again with eventdev = auto (no DLB2 here: event_dsw), then stop"
say "it cleanly with SIGTERM and read its counters."
# Under strace, which holds it 3 s as it enters exit_group, its files (the
# lease) still open: what it gives back before it exits shows then. Not
# --seccomp-bpf: strace's filter would show as Seccomp 2 on every thread.
strace -f -e trace=exit_group -e inject=exit_group:delay_enter=3s \
	-o "$tmp/exit.trace" "$DPKITD" -c "$tmp/auto.conf" > "$tmp/second.log" 2>&1 &
spid=$!
check "dpkitd starts again" running second
pid=$(pgrep -P "$spid" -x dpkitd)
check "... on event_dsw (eventdev = auto, no DLB2 here)" \
	grep -q "eventdev: event_dsw" "$tmp/second.log"
check "stage two holds its lease close-on-exec" lease_cloexec "$pid"
threads "$pid" > "$tmp/threads"
check "as user nobody: every thread is nobody's, without a capability; lcores filtered" \
	privileges "$tmp/threads" "$(id -u nobody)"
check "ping crosses again" wait_for 30 ping_ab
check "a 1 MB TCP transfer arrives whole" tcp_ab 1000000
kill -TERM "$pid"
wait_for 60 grep -q "^$pid  *exit_group" "$tmp/exit.trace"
IFS= read -r d0_at_exit < "/sys/bus/pci/devices/$D0/uevent"
IFS= read -r d1_at_exit < "/sys/bus/pci/devices/$D1/uevent"
wait "$spid"	# strace's status is dpkitd's
rc=$?
log second
say "$(grep 'dpkitd: stopped' "$tmp/second.log")"
check "SIGTERM: exit 0, every mbuf back" \
	sh -c "[ $rc = 0 ] && grep -q 'mbufs in use 0' '$tmp/second.log'"
say "A clean exit gives the NICs back itself, before it exits: as it enters"
say "exit_group, its lease still open, both are on virtio-pci already (a crash"
say "leaves that to the end of the lease, which the kernel does in the"
say "background)."
check "... and both NICs were back on virtio-pci when it entered exit_group ($d0_at_exit, $d1_at_exit)" \
	test "$d0_at_exit $d1_at_exit" = "DRIVER=virtio-pci DRIVER=virtio-pci"
check "... and CPUs 1-2 are no longer isolated" \
	sh -c "'$DPKITCTL' isolate show | grep -q '^isolated     (none)'"
check "... and the default IRQ affinity is as it was ($orig_affinity)" \
	test "$(default_affinity)" = "$orig_affinity"
say "The admin isolates CPU 1 without a lease: dpkitd (isolate = 1-2) may not"
say "take that over, so it refuses to start and leaves the NICs as they were."
check "admin: isolate set 1" "$DPKITCTL" isolate set 1
"$DPKITD" -c "$tmp/sw.conf" > "$tmp/refused.log" 2>&1
rc=$?
log refused
check "dpkitd refuses: it will not take over the admin's isolation" \
	sh -c "[ $rc != 0 ] && grep -q 'will not take that over' '$tmp/refused.log'"
check "... and the NICs are back on virtio-pci" wait_for 20 on "$D0" virtio-pci
check "... and the admin's isolation is untouched" \
	sh -c "'$DPKITCTL' isolate show | grep -q '^isolated     1\$'"
check "admin: isolate clear" "$DPKITCTL" isolate clear
check "... and the default IRQ affinity is as it was ($orig_affinity)" \
	test "$(default_affinity)" = "$orig_affinity"

say "A bind that fails half-way through stage one: p0 binds, p1 (na's e1000e,"
say "up with an address in namespace na) is refused; dpkitd gives p0 back"
say "before it exits."
cat > "$tmp/half.conf" <<-CONF
	worker-cpus = 1
	eventdev = none
	[port p0]
	device = $D0
	[port p1]
	device = $K0
CONF
timeout 60 "$DPKITD" -c "$tmp/half.conf" > "$tmp/half.log" 2>&1
rc=$?
log half
check "dpkitd stops at p1's bind (its interface is up), exit 1" \
	sh -c "[ $rc = 1 ] && grep -q 'port p0: $D0 bound to vfio-pci' '$tmp/half.log' &&
	       grep -q 'port p1: $K0: its interface is up' '$tmp/half.log'"
check "... and p0 is back on virtio-pci" wait_for 20 on "$D0" virtio-pci
check "... and p1 still on e1000e, up in na with its address" \
	sh -c "[ \$(basename \$(readlink /sys/bus/pci/devices/$K0/driver)) = e1000e ] &&
	       ip -n na -o addr show dev $k0 | grep -q 'inet 192.0.2.1/24' &&
	       ip -n na -o link show dev $k0 | grep -q 'state UP'"

check "rmmod" rmmod dpkit
check_dmesg_clean
finish
