# SPDX-License-Identifier: GPL-2.0
# vm: nics=virtio:d0:1,virtio:d1:1,e1000e:k0:2 smp=2 mem=1024 hugepages=128 timeout=1500
#
# Crash points (Documentation/reliability.rst, "Crash points"): dpkitd is
# killed (DPKITD_CRASH=NAME: SIGKILL at the point NAME) at every point of
# stage one, across the exec, of stage two's start-up, its steady state
# and its shutdown, and in the unwinding of a stage one that failed. After
# each, the host must come back to a snapshot taken before: NIC drivers,
# every IRQ's affinity, the default IRQ affinity, the workqueue cpumask,
# the cgroup cpuset partitions, the persistent NIC overrides, dpkit.ko's
# isolation and the knobs' journal. The kernel gives a lease's NICs back
# in the background and the undo helper puts the knobs back once it sees
# dpkitd gone: each check polls (60 s at most). dpkitd runs as user nobody,
# so only its undo helper can put the knobs back. Then a clean SIGTERM,
# which must leave the host as it was the moment dpkitd has exited; last,
# dpkitd and its helper killed together (systemd's SIGKILL of the unit):
# the lease gives back the NICs and the isolation, the knobs wait for the
# next dpkitd start; the NICs' config IRQs, made by their drivers while the
# default IRQ affinity was still the isolated one, keep that (narrower)
# affinity: the only difference allowed then.
. "$DPKIT_TOP/tests/vm/lib.sh"

tmp=$(mktemp -d)
DPKITD=$DPKIT_BUILD/user/dpkitd
D0=$(bdf_of_netdev "$(netdev_by_mac 52:54:00:dc:01:00)")
D1=$(bdf_of_netdev "$(netdev_by_mac 52:54:00:dc:01:01)")
k0=$(netdev_by_mac 52:54:00:dc:02:02)
K0=$(bdf_of_netdev "$k0")
echo "# DPDK NICs $D0 $D1 (cabled to each other), kernel NIC $k0 ($K0)"
# The kernel NIC is up with an address: a bind of it is refused.
ip addr add 192.0.2.1/24 dev "$k0" && ip link set "$k0" up

# snapshot: what dpkitd may change and must give back. Shell builtins
# where it can (a fork costs tens of ms under TCG; it runs in a loop).
snapshot() {
	local d h names line mask
	echo "== NIC drivers"
	for d in /sys/bus/pci/devices/*; do
		IFS= read -r line < "$d/uevent"
		case "$line" in DRIVER=*) ;; *) line="(none)" ;; esac
		echo "${d##*/} ${line#DRIVER=}"
	done
	echo "== IRQ handlers and affinities (numbers aside: a rebound NIC may get others)"
	for d in /proc/irq/[0-9]*; do
		names=
		for h in "$d"/*/; do
			[ -d "$h" ] && h=${h%/} && names="$names${h##*/},"
		done
		[ -n "$names" ] || continue
		read -r mask < "$d/smp_affinity"
		echo "$names $mask"
	done | sort
	read -r mask < /proc/irq/default_smp_affinity
	echo "== default IRQ affinity $mask"
	read -r mask < /sys/devices/virtual/workqueue/cpumask
	echo "== workqueue cpumask $mask"
	echo "== cpuset partitions"
	for d in /sys/fs/cgroup/*/cpuset.cpus.partition; do
		[ -e "$d" ] && read -r line < "$d" && echo "$d $line"
	done
	echo "== overrides"
	if [ -e /etc/dpkit/overrides.conf ]; then
		while IFS= read -r line; do echo "$line"; done < /etc/dpkit/overrides.conf
	else
		echo "(none)"
	fi
	echo "== dpkit.ko"
	"$DPKITCTL" isolate show | grep '^isolated'
	echo "== knobs journal"
	if [ -e /run/dpkit/knobs.journal ]; then
		while IFS= read -r line; do echo "$line"; done < /run/dpkit/knobs.journal
	else
		echo "(none)"
	fi
}
as_before() {
	snapshot > "$tmp/now" 2>&1
	cmp -s "$tmp/before" "$tmp/now"
}
# The same, but for the IRQs of D0 and D1 (their virtio device's).
nic_irqs() {
	local v
	for v in /sys/bus/pci/devices/"$D0"/virtio* /sys/bus/pci/devices/"$D1"/virtio*; do
		printf '^%s-\n' "${v##*/}"
	done
}
as_before_but_nic_irqs() {
	as_before && return
	nic_irqs > "$tmp/nic_irqs"
	grep -v -f "$tmp/nic_irqs" "$tmp/before" > "$tmp/before.other"
	grep -v -f "$tmp/nic_irqs" "$tmp/now" > "$tmp/now.other"
	cmp -s "$tmp/before.other" "$tmp/now.other"
}
# Nothing of dpkitd left: no process, the instance lock free.
gone() {
	! pgrep -x 'dpkitd|dpkitd-undo' > /dev/null &&
		flock -n /run/dpkit/dpkitd.lock true
}

cat > "$tmp/crash.conf" <<-CONF
	workers = 1
	isolate = 1
	eventdev = dsw
	mbufs = 4095
	user = nobody
	[port p0]
	device = $D0
	rx-desc = 256
	tx-desc = 256
	[port p1]
	device = $D1
	rx-desc = 256
	tx-desc = 256
CONF
# p1 the kernel NIC: its bind is refused after p0's, stage one unwinds.
sed "s/^device = $D1\$/device = $K0/" "$tmp/crash.conf" > "$tmp/fail.conf"

check "insmod dpkit.ko" insmod "$DPKIT_KO"
snapshot > "$tmp/before" 2>&1
sed 's/^/# before: /' "$tmp/before" | grep -v ' 0000:00:0[0-1]'

# The points, in the order dpkitd reaches them: NAME CONF HOW WHERE. HOW:
# "up", killed on its way up (s2-running: at the first tick of its steady
# state); "stop", killed during the shutdown a SIGTERM starts once it runs.
cat > "$tmp/points" <<-'POINTS'
	s1-locked crash up stage one: the instance lock held, nothing else
	s1-leased crash up stage one: the lease taken
	s1-bound:0 crash up stage one: p0 bound to vfio-pci
	s1-bound:1 crash up stage one: p1 bound too
	s1-isolated crash up stage one: mid-isolation (the kernel's half)
	s1-knobs crash up stage one: the knobs turned, the undo helper up
	s1-memfd-before crash up stage one: before the config memfd
	s1-memfd-after crash up stage one: the memfd written and sealed
	s1-exec crash up stage one: just before the exec
	s2-start crash up stage two: just after the exec
	s2-config crash up stage two: the memfd read, the lock held
	s2-eal-init crash up stage two: before rte_eal_init
	s2-eal crash up stage two: the EAL up, VFIO open
	s2-port:0 crash up stage two: p0 started
	s2-port:1 crash up stage two: p1 started
	s2-ports crash up stage two: links reported, the page mapped
	s2-evdev crash up stage two: the eventdev started
	s2-dropped crash up stage two: privileges dropped
	s2-running crash up stage two: steady state, workers forwarding
	s2-drain crash stop shutdown: rx stopped, draining
	s2-stopped crash stop shutdown: workers and eventdev stopped
	s2-ports-closed crash stop shutdown: ports closed, detached
	s2-eal-cleanup crash stop shutdown: after rte_eal_cleanup
	s2-knobs crash stop shutdown: the knobs back
	s2-restored crash stop shutdown: isolation ended, NICs given back
	s1-failed fail up a failed stage one, mid-unwind
POINTS
# Every point takes 10 to 90 s under TCG (about 20 minutes in all): make
# soak runs them all (dpkitvm.crash=all); make check five, one per phase:
# stage one with the knobs turned, across the exec, the steady state, the
# end of the shutdown, a failed stage one.
if [ "$(vm_param crash quick)" != all ]; then
	grep -E '^(s1-knobs|s1-exec|s2-running|s2-restored|s1-failed) ' \
		"$tmp/points" > "$tmp/points.quick"
	mv "$tmp/points.quick" "$tmp/points"
fi

# point NAME CONF HOW: run it; sets killed, back (seconds from the kill to
# the snapshot, or "no"), took (seconds in all); the log in $tmp/NAME.log.
point() {
	local name=$1 conf=$2 how=$3 pid t0 t_start=$(date +%s)
	DPKITD_CRASH=$name timeout --foreground -s KILL 300 "$DPKITD" -c "$tmp/$conf.conf" \
		> "$tmp/$name.log" 2>&1 &
	pid=$!
	if [ "$how" = stop ] &&
	   wait_for 180 grep -q "dpkitd: running" "$tmp/$name.log"; then
		kill -TERM "$pid"	# timeout passes it on to dpkitd
	fi
	wait "$pid" 2>/dev/null
	rc=$?
	killed=no
	[ "$rc" = 137 ] && grep -q "DPKITD_CRASH=$name: SIGKILL" "$tmp/$name.log" &&
		killed=yes
	t0=$(date +%s)
	if wait_for 60 as_before && wait_for 20 gone; then
		back=$(( $(date +%s) - t0 ))
	else
		back=no
	fi
	took=$(( $(date +%s) - t_start ))
}

start=$(date +%s)
survived=0
total=0
: > "$tmp/table"
while read -r name conf how where; do
	point "$name" "$conf" "$how"
	total=$((total + 1))
	if [ "$killed" = yes ] && [ "$back" != no ]; then
		survived=$((survived + 1))
		ok "killed at $name ($where): the host is as before, ${back} s after"
	else
		not_ok "killed at $name ($where): the host is as before (killed: $killed, status $rc)"
		grep -v '^EAL' "$tmp/$name.log" | tail -n 15 | sed 's/^/#   /'
		diff "$tmp/before" "$tmp/now" | sed 's/^/#   /' | head -n 20
		wait_for 60 gone	# the next point needs the lock
	fi
	printf '%-16s %-46s %-6s %-10s %s\n' "$name" "$where" "$killed" \
		"$([ "$back" = no ] && echo NO || echo "yes, ${back} s")" \
		"$took s" >> "$tmp/table"
done < "$tmp/points"

# A clean stop gives everything back itself, before it exits.
timeout --foreground -s KILL 300 "$DPKITD" -c "$tmp/crash.conf" > "$tmp/clean.log" 2>&1 &
pid=$!
wait_for 180 grep -q "dpkitd: running" "$tmp/clean.log"
kill -TERM "$pid"
wait "$pid"
rc=$?
snapshot > "$tmp/now" 2>&1
grep -E 'stopped|given back|isolation of|put back|VFIO|NICs back|undo' \
	"$tmp/clean.log" | sed 's/^/# /'
check "SIGTERM: exit 0, and the host is as before the moment dpkitd has exited" \
	sh -c "[ $rc = 0 ] && cmp '$tmp/before' '$tmp/now'"
diff "$tmp/before" "$tmp/now" | sed 's/^/#   /' | head -n 20
wait_for 20 gone

# dpkitd and its undo helper killed together: the lease gives the NICs
# and the isolation back, the knobs stay until the next dpkitd starts.
timeout --foreground -s KILL 300 "$DPKITD" -c "$tmp/crash.conf" > "$tmp/unit.log" 2>&1 &
pid=$!
wait_for 180 grep -q "dpkitd: running" "$tmp/unit.log"
dpkitd=$(pgrep -P "$pid" -x dpkitd)
helper=$(pgrep -P "$dpkitd" -x dpkitd-undo)
echo "# dpkitd $dpkitd, its undo helper $helper: SIGKILL to both"
kill -KILL "$dpkitd" $helper
wait "$pid" 2>/dev/null
check "dpkitd and its undo helper killed together: the lease gives the NICs back" \
	wait_for 60 sh -c "[ \$(basename \$(readlink /sys/bus/pci/devices/$D0/driver)) = virtio-pci ] &&
			   [ \$(basename \$(readlink /sys/bus/pci/devices/$D1/driver)) = virtio-pci ]"
check "... and the isolation" \
	sh -c "'$DPKITCTL' isolate show | grep -q '^isolated     (none)'"
check "... the knobs stay, journaled, for the next start" \
	grep -q '^dpkitd set /proc/irq/default_smp_affinity' /run/dpkit/knobs.journal
(DPKITD_CRASH=s1-leased timeout --foreground -s KILL 300 "$DPKITD" \
	-c "$tmp/crash.conf" > "$tmp/next.log" 2>&1) 2>/dev/null
grep 'put back' "$tmp/next.log" | sed 's/^/# /'
check "... which puts them back: the host is as before, but for the NICs' config IRQs" \
	wait_for 60 as_before_but_nic_irqs
diff "$tmp/before" "$tmp/now" | sed 's/^/#   /' | head -n 20

elapsed=$(( $(date +%s) - start ))
echo "# crash points: $survived of $total survived (the host as before after each), in $elapsed s"
echo "# point            where                                          killed as before   took"
sed 's/^/# /' "$tmp/table"
check "rmmod" rmmod dpkit
check_dmesg_clean
finish
