# SPDX-License-Identifier: GPL-2.0
# vm: nics=e1000e:k0:1,virtio:d0:1 smp=4 mem=1024 timeout=600 nvme=1
#
# Core isolation on 4 CPUs: isolate 2-3 and check /proc/irq (every IRQ left
# on them is reported, with its reason; nvme's managed IRQs are reported,
# not moved); IRQs a NIC gets after a rebind or an `ip link set up` stay
# off; bad sets are refused; clear, the death of a lease holder and rmmod
# each restore every affinity.
. "$DPKIT_TOP/tests/vm/lib.sh"

ko=$DPKIT_KO
tmp=$(mktemp -d)
ISO=0xc		# CPUs 2-3

# irq_state: "IRQ HANDLERS MASK" for every IRQ with a handler.
irq_state() {
	local d names
	for d in /proc/irq/[0-9]*; do
		names=$(cd "$d" && ls -d -- */ 2>/dev/null | tr -d / | tr '\n' ,)
		[ -n "$names" ] || continue
		echo "${d##*/} $names $(tr -d , < "$d/smp_affinity")"
	done
}

# The IRQs whose affinity touches CPUs 2-3, one per line.
irqs_on_isolated() {
	irq_state | while read -r irq names mask; do
		[ $((0x$mask & ISO)) -eq 0 ] || echo "$irq $names"
	done
}

# Every IRQ on CPUs 2-3 is one the module reports (as left there).
all_reported() {
	local left
	left=$("$DPKITCTL" --json isolate show | python3 -c '
import json, sys
print(" ".join(str(i["irq"]) for i in json.load(sys.stdin)["irqs_left"]))')
	irqs_on_isolated > "$tmp/on"
	while read -r irq names; do
		case " $left " in
		*" $irq "*) ;;
		*) echo "IRQ $irq ($names) is on CPUs 2-3 and not reported"; return 1 ;;
		esac
	done < "$tmp/on"
}

# The affinities of the IRQs present in both snapshots are the same.
same_affinities() {
	irq_state | sort > "$tmp/now"
	join "$1" "$tmp/now" | awk '$2 == $4 && $3 != $5 { print; bad = 1 } END { exit bad }'
}

check "4 CPUs online" sh -c '[ "$(nproc)" = 4 ]'
check "nvme has queue IRQs" grep -q nvme /proc/interrupts
irq_state | sort > "$tmp/before"
check "insmod dpkit.ko" insmod "$ko"
check "status lists the isolate feature" \
	sh -c "'$DPKITCTL' status | grep -q '^features .*isolate'"
check "nothing isolated yet" \
	sh -c "'$DPKITCTL' isolate show | grep -q '^isolated     (none)'"

check "isolate set 2-3" "$DPKITCTL" isolate set 2-3
check "show: 2-3, with IRQs moved" \
	sh -c "'$DPKITCTL' isolate show | grep -q '^isolated     2-3' &&
	       '$DPKITCTL' --json isolate show | python3 -c 'import json,sys; assert json.load(sys.stdin)[\"irqs_moved\"] > 0'"
"$DPKITCTL" isolate show | sed 's/^/# /'
check "every IRQ left on CPUs 2-3 is reported" all_reported
check "nvme's managed IRQs are reported as managed" \
	sh -c "'$DPKITCTL' isolate show | grep -Eq '^[0-9]+ +managed +nvme'"
# The IRQs reported as managed kept the affinity they had before.
managed_unmoved() {
	local irq names mask n=0
	for irq in $("$DPKITCTL" --json isolate show | python3 -c '
import json, sys
print(" ".join(str(i["irq"]) for i in json.load(sys.stdin)["irqs_left"]
               if i["reason"] == "managed"))'); do
		read -r _ names mask <<< "$(grep "^$irq " "$tmp/before")"
		[ "$(tr -d , < "/proc/irq/$irq/smp_affinity")" = "$mask" ] || return 1
		n=$((n + 1))
	done
	[ "$n" -gt 0 ]
}
nics_off() { ! irqs_on_isolated | grep -Eq 'eth|virtio'; }
check "... and were not moved" managed_unmoved
check "the NICs' IRQs are off CPUs 2-3" nics_off
check "show warns that nohz_full is missing" \
	sh -c "'$DPKITCTL' isolate show | grep -q 'warning: nohz_full=2-3'"
mask_is() { [ $((0x$(tr -d , < "$1"))) -eq "$2" ]; }
check "new IRQs default to CPUs 0-1" mask_is /proc/irq/default_smp_affinity 3
check "unbound workqueues run on CPUs 0-1" \
	mask_is /sys/devices/virtual/workqueue/cpumask 3
# An idle CPU without ticks (NO_HZ_IDLE) may see no local timer interrupt in
# 2 s; a dataplane core never idles, so spin one on CPU 2 as dpkitd would.
taskset -c 2 sh -c 'while :; do :; done' &
spin=$!
"$DPKITCTL" isolate verify 2 > "$tmp/verify" 2>&1
kill "$spin"
wait "$spin" 2>/dev/null || true
sed 's/^/# /' "$tmp/verify"
check "isolate verify names what fires there (the local timer, without nohz_full)" \
	grep -q '^LOC .*per-CPU kernel interrupt' "$tmp/verify"

# -- new IRQs stay off ----------------------------------------------------------
D0=$(bdf_of_netdev "$(netdev_by_mac 52:54:00:dc:01:01)")
check "rebind d0: virtio-pci -> vfio-pci -> virtio-pci" \
	sh -c "'$DPKITCTL' nic bind '$D0' && '$DPKITCTL' nic restore '$D0'"
check "d0's new IRQs were steered off CPUs 2-3" wait_for 10 all_reported
ip link set "$(netdev_by_mac 52:54:00:dc:01:00)" up
check "e1000e's IRQs requested at ip link up were steered off" \
	wait_for 10 all_reported

# -- refusals ----------------------------------------------------------------------
check_not "isolating every CPU is refused" "$DPKITCTL" isolate set 0-3
check_not "a CPU that does not exist is refused" "$DPKITCTL" isolate set 2-5
check_not "a malformed list is refused" "$DPKITCTL" isolate set 2-x
check "... and the isolation is unchanged" \
	sh -c "'$DPKITCTL' isolate show | grep -q '^isolated     2-3'"
chmod 0644 /dev/dpkit
check "unprivileged: show works" setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$DPKITCTL" isolate show
check_not "unprivileged: set is refused" setpriv --reuid=65534 --regid=65534 \
	--clear-groups "$DPKITCTL" isolate set 3
chmod 0600 /dev/dpkit

# -- clear, lease, rmmod -------------------------------------------------------
irq_state | sort > "$tmp/iso"
check "isolate clear" "$DPKITCTL" isolate clear
check "clear restored every affinity dpkit changed" same_affinities "$tmp/before"
check "... and the default IRQ affinity" mask_is /proc/irq/default_smp_affinity 15
check "... and the workqueue cpumask" mask_is /sys/devices/virtual/workqueue/cpumask 15

# -- a cgroup v2 isolated partition -----------------------------------------------
part=/sys/fs/cgroup/dpkit
check "isolate set 2-3 --partition" "$DPKITCTL" isolate set 2-3 --partition
check "the cpuset partition is isolated" grep -qx isolated $part/cpuset.cpus.partition
check "a task outside it cannot run on CPU 2" sh -c "! taskset -c 2 true 2>/dev/null"
check "a task that joins it can" sh -c "echo \$\$ > $part/cgroup.procs && taskset -c 2 true"
check "isolate clear removes the partition" \
	sh -c "'$DPKITCTL' isolate clear && [ ! -d $part ] && taskset -c 2 true"

check "admin: isolate set 2 (no lease)" "$DPKITCTL" isolate set 2
"$LINKPROBE" hold-isolate 3 > "$tmp/take.out" 2>&1
sed 's/^/# /' "$tmp/take.out"
check "a lease may not take over the admin's isolation (EBUSY)" \
	grep -q "linkprobe: isolate: the isolation is someone else's" "$tmp/take.out"
check "... which stays as it was" \
	sh -c "'$DPKITCTL' isolate show | grep -q '^isolated     2\$'"
check "admin: isolate clear" "$DPKITCTL" isolate clear

"$LINKPROBE" hold-isolate 3 > "$tmp/hold.out" 2>&1 &
holder=$!
check "a lease holder isolated CPU 3" wait_for 20 grep -q ready "$tmp/hold.out"
check_not "another process cannot change a leased isolation" \
	"$DPKITCTL" isolate set 2
kill -9 "$holder"
wait "$holder" 2>/dev/null
check "SIGKILL of the holder restored the affinities" \
	wait_for 10 same_affinities "$tmp/before"
check "... and nothing is isolated" \
	sh -c "'$DPKITCTL' isolate show | grep -q '^isolated     (none)'"

check "isolate 1-2 again" "$DPKITCTL" isolate set 1-2
check "rmmod dpkit" rmmod dpkit
check "rmmod restored the affinities" same_affinities "$tmp/before"
check "without the module, isolate clear restores the userspace settings" \
	sh -c "'$DPKITCTL' isolate clear && [ \$((0x\$(cat /proc/irq/default_smp_affinity))) = 15 ]"
check_dmesg_clean
finish
