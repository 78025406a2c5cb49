# SPDX-License-Identifier: GPL-2.0
# vm: nics=e1000e:b0:2:bridge,e1000e:b1:3:bridge,virtio:d0:1,virtio:d1:1,virtio:l0:4 smp=2 mem=1536 timeout=900
#
# Several processes at once against dpkit.ko (tests/kfuzz/kstress.c): binds
# and restores of the same NIC (d1) and of a NIC (b0) whose IOMMU group
# sibling (b1) is unbound and rebound through sysfs meanwhile; isolation
# set and cleared; lease holders killed, one holding d0 open through VFIO
# (and a second process holding it while the holder dies); links flapping
# (QMP set_link, IFF_UP) while readers check every copy of the mapped page.
# (An ioctl stalled on a user page is 08-kernel-regressions' check.) Every
# call runs under a time limit: a hang fails the run with the stuck tasks'
# kernel stacks. Then a bind and an isolation are left for rmmod to undo,
# and the NICs, IRQ affinities and knobs must be as they were. The kernel
# command line (vmrun.py --append) may set dpkitvm.stress_seed,
# dpkitvm.stress_secs, dpkitvm.stress_roles (a comma-separated subset, to
# chase one defect), dpkitvm.stress_vfio_kinds (A, B, C: the vfio role's
# cases, in turn) and dpkitvm.stress_limit (seconds a call may take).
. "$DPKIT_TOP/tests/vm/lib.sh"

ko=$DPKIT_KO
tmp=$(mktemp -d)
seed=$(vm_param stress_seed "$(( $(date +%s%N) % 1000000000 ))")
secs=$(vm_param stress_secs 60)
roles=$(vm_param stress_roles all)
limit=$(vm_param stress_limit 30)
kinds=$(vm_param stress_vfio_kinds ABC)
preempt=/sys/kernel/debug/sched/preempt

l0=$(netdev_by_mac 52:54:00:dc:04:04)
B0=$(bdf_of_netdev "$(netdev_by_mac 52:54:00:dc:02:00)")
B1=$(bdf_of_netdev "$(netdev_by_mac 52:54:00:dc:03:01)")
D0=$(bdf_of_netdev "$(netdev_by_mac 52:54:00:dc:01:02)")
D1=$(bdf_of_netdev "$(netdev_by_mac 52:54:00:dc:01:03)")
echo "# b0 $B0, b1 $B1 (one IOMMU group), d0 $D0, d1 $D1, l0 $l0; module $ko"
echo "# seed $seed, $secs s, roles $roles, call limit $limit s"

group_of() { basename "$(readlink "/sys/bus/pci/devices/$1/iommu_group")"; }
check "b0 and b1 share an IOMMU group, d0 has its own" \
	sh -c "[ '$(group_of "$B0")' = '$(group_of "$B1")' ] &&
	       [ '$(group_of "$D0")' != '$(group_of "$B0")' ]"
# Built in on the debug kernel, modules on Debian's.
check "vfio-pci is there (or its modules load)" sh -c \
	"[ -d /sys/bus/pci/drivers/vfio-pci ] || modprobe -a vfio-pci vfio_iommu_type1"
ip link set "$l0" up

# Full preemption where the kernel can switch (PREEMPT_DYNAMIC): a writer
# of the page may then be preempted inside its write section.
old_preempt=
if [ -w "$preempt" ]; then
	old_preempt=$(sed -n 's/.*(\([a-z]*\)).*/\1/p' "$preempt")
	echo full > "$preempt"
fi
echo "# preemption: $(cat "$preempt" 2>/dev/null || echo "not switchable ($(uname -v))")"

state_snapshot "$tmp/before"
check "insmod dpkit.ko" insmod "$ko"

bounded $((secs + 6 * limit + 120)) "$KSTRESS" run --seed "$seed" --secs "$secs" \
	--roles "$roles" --timeout "$limit" --same "$D1" --group "$B0,$B1" \
	--vfio "$D0" --vfio-kinds "$kinds" --flap "l0=$l0" --flap d1 \
	> "$tmp/stress" 2>&1
rc=$?
sed 's/^\([^#]\)/# \1/' "$tmp/stress"
case $rc in
0) ok "stress: $(sed -n 's/^# kstress: \(seed .* operations in [0-9]* s\).*/\1/p' "$tmp/stress")" ;;
3|124) not_ok "stress: a hang (stacks above); again: dpkitvm.stress_seed=$seed dpkitvm.stress_roles=$roles dpkitvm.stress_vfio_kinds=$kinds" ;;
*) not_ok "stress (status $rc); again: dpkitvm.stress_seed=$seed dpkitvm.stress_roles=$roles dpkitvm.stress_vfio_kinds=$kinds" ;;
esac

check "a bind and an isolation left behind for rmmod" \
	bounded "$limit" "$KSTRESS" leave --same "$D1"
check "rmmod dpkit" bounded 60 rmmod dpkit
[ -n "$old_preempt" ] && echo "$old_preempt" > "$preempt"
check "the NICs, IRQ affinities and knobs are as before" state_same "$tmp/before"
check_dmesg_clean
echo "# $SECONDS s"
finish
