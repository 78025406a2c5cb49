# SPDX-License-Identifier: GPL-2.0
# vm: nics=e1000e:k0:1,virtio:d0:1,e1000e:b0:2:bridge,e1000e:b1:2:bridge smp=2 mem=1024 timeout=900 nvme=1
#
# Defects of dpkit.ko that need a real kernel to show, one check each
# (Documentation/testing.rst): drivers outside the allow-list, a netdev in
# another namespace, genetlink's reserved header byte, an ioctl stalled in
# copy_to_user, stale IRQ masks after a rebind, a lease ending while a VFIO
# fd is open, the page writer preempted mid-slot, the genetlink family seen
# before the table exists (test builds only), and a bind racing a sibling's
# unbind/bind in one IOMMU group (last: a deadlock there cannot be undone).
. "$DPKIT_TOP/tests/vm/lib.sh"

ko=$DPKIT_KO
tmp=$(mktemp -d)
K0_IF=$(netdev_by_mac 52:54:00:dc:01:00)
K0=$(bdf_of_netdev "$K0_IF")
D0=$(bdf_of_netdev "$(netdev_by_mac 52:54:00:dc:01:01)")
B0=$(bdf_of_netdev "$(netdev_by_mac 52:54:00:dc:02:02)")
B1=$(bdf_of_netdev "$(netdev_by_mac 52:54:00:dc:02:03)")
NVME=$(basename "$(readlink -f /sys/class/nvme/nvme0/device)")
echo "# k0 $K0 ($K0_IF), d0 $D0, b0 $B0, b1 $B1, nvme $NVME"
on() { [ "$(driver_of "$1")" = "$2" ]; }

check "insmod dpkit.ko" insmod "$ko"

# -- only drivers a NIC may belong to are loaded ------------------------------
if modinfo dummy >/dev/null 2>&1 && [ ! -d /sys/module/dummy ]; then
	check_not "bind to a driver outside the allow-list (dummy) is refused" \
		"$DPKITCTL" nic bind "$K0" dummy
	check "... and its module was not loaded" test ! -d /sys/module/dummy
	rmmod dummy 2>/dev/null
else
	skip "no loadable, unloaded dummy module on this kernel"
	skip "no loadable, unloaded dummy module on this kernel"
fi

# -- a netdev in another network namespace is still in use -------------------
ip netns add dpk
ip link set "$K0_IF" netns dpk
ip -n dpk link set "$K0_IF" up
check_not "bind refused while k0's netdev is up in another namespace" \
	"$DPKITCTL" nic bind "$K0"
check "... and k0 stayed on e1000e" on "$K0" e1000e
on "$K0" e1000e || "$DPKITCTL" nic restore "$K0"
ip -n dpk link set "$K0_IF" down
ip -n dpk link set "$K0_IF" netns 1
ip netns del dpk
check "k0's netdev is back" wait_for 10 netdev_by_mac 52:54:00:dc:01:00

# -- genetlink validates its header strictly ----------------------------------
check "a LINK_GET dump with genlmsghdr.reserved set is refused" \
	"$KREGRESS" genl-reserved

# -- nothing copies to userspace under a global lock ---------------------------
check "NIC_LIST stalled in copy_to_user does not block other callers" \
	"$KREGRESS" stall nic

# -- IRQ masks saved before a rebind never land on another IRQ ---------------
irq_masks() {	# IRQ number and affinity of every IRQ named by $1, not by $2
	local irq
	for irq in $(awk -v pat="$1" -v not="${2:-^$}" \
		'$0 ~ pat && $0 !~ not { sub(":", "", $1); print $1 }' /proc/interrupts); do
		echo "$irq $(cat "/proc/irq/$irq/smp_affinity_list")"
	done
}
check "isolate set 1" "$DPKITCTL" isolate set 1
check "IRQ_REPORT stalled in copy_to_user does not block other callers" \
	"$KREGRESS" stall irq
echo "# k0's IRQs while isolated: $(irq_masks "$K0_IF" | tr '\n' ' ')"
check "bind k0 to vfio-pci (its IRQs are freed)" "$DPKITCTL" nic bind "$K0"
echo "$NVME" > /sys/bus/pci/drivers/nvme/unbind
echo "$NVME" > /sys/bus/pci/drivers/nvme/bind
wait_for 20 sh -c "grep -q nvme0q1 /proc/interrupts"
# Its I/O queues' IRQs are managed. The admin queue's (nvme0q0) is not: born
# on the narrowed default affinity, a clear may put it back on the default
# of before (if a steering pass saw it), so it is left out.
irq_masks nvme0q > "$tmp/nvme.all"
echo "# nvme's new IRQs: $(tr '\n' ' ' < "$tmp/nvme.all")"
irq_masks 'nvme0q[1-9]' nvme0q0 > "$tmp/nvme.before"
check "isolate clear" "$DPKITCTL" isolate clear
irq_masks 'nvme0q[1-9]' nvme0q0 > "$tmp/nvme.after"
check "clear left nvme's managed IRQs (its I/O queues') as they were" \
	sh -c "[ -s '$tmp/nvme.before' ] && cmp '$tmp/nvme.before' '$tmp/nvme.after'"
diff "$tmp/nvme.before" "$tmp/nvme.after" | sed 's/^/# /'
check "restore k0" "$DPKITCTL" nic restore "$K0"

# -- a lease that ends while a VFIO fd is open -----------------------------------
"$KREGRESS" lease-bind "$D0" > "$tmp/lease.out" 2>&1 &
leaser=$!
check "a lease holder bound d0 to vfio-pci" wait_for 20 grep -q bound "$tmp/lease.out"
"$KREGRESS" vfio-hold "$D0" > "$tmp/vfio.out" 2>&1 &
vfio=$!
check "another process holds d0's VFIO device fd" wait_for 20 grep -q held "$tmp/vfio.out"
kill -9 "$leaser"
check "the lease holder exits at once (its close does not wait for VFIO)" \
	wait_for 10 sh -c "! kill -0 $leaser 2>/dev/null"
check "NIC_LIST answers while d0's restore waits for the VFIO fd, d0 busy" \
	"$KREGRESS" timed 10 nic-list "$D0"
kill -9 "$vfio"
wait "$vfio" "$leaser" 2>/dev/null
check "once the VFIO fd closes, d0 is restored to virtio-pci" \
	wait_for 30 on "$D0" virtio-pci

# -- the page writer is not preempted inside a slot ------------------------------
# Under TCG an interrupt lands only between translated blocks, and the write
# section is about one: test builds widen it (test_slot_write_us).
preempt=none
if [ -w /sys/kernel/debug/sched/preempt ]; then
	echo full > /sys/kernel/debug/sched/preempt 2>/dev/null
	grep -q '(full)' /sys/kernel/debug/sched/preempt && preempt=full
fi
case "$(uname -v)" in *PREEMPT_RT*) preempt=rt ;; *"PREEMPT "*) preempt=full ;; esac
slot_us=/sys/module/dpkit/parameters/test_slot_write_us
if [ "$preempt" = none ]; then
	skip "the kernel is not preemptible"
elif [ ! -w "$slot_us" ]; then
	skip "a production build: no test_slot_write_us to widen the write section"
else
	echo "# preemption: $preempt"
	echo 20 > "$slot_us"
	check_log "a SCHED_FIFO reader never waits long for the page writer" \
		"$KREGRESS" preempt 1 10
	echo 0 > "$slot_us"
fi

# -- the genetlink family appears only once the table exists ------------------
if modinfo -p "$ko" | grep -q '^test_init_delay_ms'; then
	check "rmmod dpkit" rmmod dpkit
	"$KREGRESS" genl-spin 8 > "$tmp/spin.out" 2>&1 &
	spinner=$!
	check "insmod with 3 s between genetlink registration and the end of init" \
		insmod "$ko" test_init_delay_ms=3000
	wait "$spinner"
	spun=$?
	sed 's/^/# /' "$tmp/spin.out"
	check "dumps during module init were answered, never crashed" test "$spun" = 0
else
	skip "no test_init_delay_ms parameter (only in test builds)"
fi

# -- bind racing a sibling's unbind/bind in one IOMMU group ---------------------
check "b0 and b1 share an IOMMU group" test \
	"$(readlink /sys/bus/pci/devices/$B0/iommu_group)" = \
	"$(readlink /sys/bus/pci/devices/$B1/iommu_group)"
check_log "30 s of b0 binds against b1 unbind/bind: nothing hangs" \
	"$KREGRESS" group-race "$B0" "$B1" 30
check "b0 and b1 are on e1000e again" \
	wait_for 20 sh -c "[ \"\$(basename \$(readlink /sys/bus/pci/devices/$B0/driver))\" = e1000e ] &&
			   [ \"\$(basename \$(readlink /sys/bus/pci/devices/$B1/driver))\" = e1000e ]"

check "rmmod dpkit" rmmod dpkit
check_dmesg_clean
finish
