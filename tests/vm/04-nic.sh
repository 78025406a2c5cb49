# SPDX-License-Identifier: GPL-2.0
# vm: nics=e1000e:k0:1,virtio:d0:1,e1000e:b0:2:bridge,e1000e:b1:3:bridge smp=2 mem=1024 timeout=600
#
# NIC ownership through dpkitctl and the module: e1000e and virtio-net to
# vfio-pci and back (sysfs, the netdev, traffic), the refusals (an up
# interface, an IOMMU group shared with a kernel-bound device, bad input,
# no privilege), leases ended by SIGKILL, PERSIST, and rmmod restoring.
. "$DPKIT_TOP/tests/vm/lib.sh"

ko=$DPKIT_KO
tmp=$(mktemp -d)
mac_k0=52:54:00:dc:01:00 mac_d0=52:54:00:dc:01:01
K0=$(bdf_of_netdev "$(netdev_by_mac $mac_k0)")
D0=$(bdf_of_netdev "$(netdev_by_mac $mac_d0)")
B0=$(bdf_of_netdev "$(netdev_by_mac 52:54:00:dc:02:02)")
B1=$(bdf_of_netdev "$(netdev_by_mac 52:54:00:dc:03:03)")
echo "# k0 $K0, d0 $D0, b0 $B0, b1 $B1"

on() { [ "$(driver_of "$1")" = "$2" ]; }
override_is() { [ "$(cat "/sys/bus/pci/devices/$1/driver_override")" = "$2" ]; }
# says MESSAGE command...: the command fails and its stderr has MESSAGE.
says() {
	local msg=$1
	shift
	! "$@" 2> "$tmp/err" && grep -q -- "$msg" "$tmp/err" ||
		{ cat "$tmp/err"; return 1; }
}
nic_json() {
	"$DPKITCTL" --json nic list | python3 -c "
import json, sys
nics = {n['bdf']: n for n in json.load(sys.stdin)}
$1"
}

check "insmod dpkit.ko" insmod "$ko"
check "status lists the nic feature" \
	sh -c "'$DPKITCTL' status | grep -q '^features .*nic'"
check "nic list shows the four NICs, their drivers and netdevs" nic_json "
assert nics['$K0']['driver'] == 'e1000e' and nics['$K0']['netdev']
assert nics['$D0']['driver'] == 'virtio-pci' and nics['$D0']['netdev']
assert nics['$D0']['vendor'] == '1af4' and nics['$D0']['device'] == '1041'
assert nics['$K0']['iommu_group'] >= 0"
check "b0 and b1, behind one PCI bridge, share an IOMMU group" nic_json "
assert nics['$B0']['iommu_group'] == nics['$B1']['iommu_group']
assert nics['$B0']['iommu_group'] != nics['$K0']['iommu_group']"
"$DPKITCTL" nic list | sed 's/^/# /'
check "the SATA controller is not listed" nic_json "assert '0000:00:1f.2' not in nics"

# -- refusing an interface in use ------------------------------------------
ip link set "$(netdev_by_mac $mac_k0)" up
ip addr add 198.51.100.7/24 dev "$(netdev_by_mac $mac_k0)"
check "bind refused while k0's interface is up" \
	says "is up or has addresses" "$DPKITCTL" nic bind "$K0"
check "... naming the interface, its address and its route" \
	grep -Eq "is up; addresses: 198.51.100.7/24(, [^;]*)?; routes: 198.51.100.0/24" "$tmp/err"
check "... and k0 stayed on e1000e" on "$K0" e1000e
check "--force binds it anyway" \
	sh -c "'$DPKITCTL' nic bind '$K0' --force | grep -q 'e1000e -> vfio-pci (forced)'"
check "k0 is on vfio-pci, override set" \
	sh -c "[ \"\$(basename \$(readlink /sys/bus/pci/devices/$K0/driver))\" = vfio-pci ] &&
	       [ \"\$(cat /sys/bus/pci/devices/$K0/driver_override)\" = vfio-pci ]"
check "k0's netdev is gone" sh -c "! grep -qs $mac_k0 /sys/class/net/*/address"
"$DPKITCTL" nic list | sed 's/^/# /'
check "nic list: bound by dpkit, was e1000e" nic_json "
n = nics['$K0']; assert n['bound_by_dpkit'] and n['orig_driver'] == 'e1000e'
assert not n['leased'] and n['netdev'] is None"
check "restore k0" "$DPKITCTL" nic restore "$K0"
check "k0 is back on e1000e, override cleared" \
	sh -c "[ \"\$(basename \$(readlink /sys/bus/pci/devices/$K0/driver))\" = e1000e ] &&
	       [ \"\$(cat /sys/bus/pci/devices/$K0/driver_override)\" = '(null)' ]"
check "k0's netdev is back" wait_for 10 netdev_by_mac $mac_k0

# -- virtio-net ------------------------------------------------------------
check "bind d0 (virtio-net) to vfio-pci" "$DPKITCTL" nic bind "$D0"
check "d0 is on vfio-pci" on "$D0" vfio-pci
check "binding again: already bound" \
	sh -c "'$DPKITCTL' nic bind '$D0' | grep -q 'already bound to vfio-pci'"
check "restore d0" "$DPKITCTL" nic restore "$D0"
check "d0 is back on virtio-pci with a netdev" \
	sh -c "[ \"\$(basename \$(readlink /sys/bus/pci/devices/$D0/driver))\" = virtio-pci ]"
check "d0's netdev is back" wait_for 10 netdev_by_mac $mac_d0

# -- traffic through the restored NICs -------------------------------------
k0=$(netdev_by_mac $mac_k0)
d0=$(netdev_by_mac $mac_d0)
netns_pair "$k0" "$d0"
check "the restored k0 and d0 pass traffic" \
	wait_for 30 ip netns exec na ping -c 1 -W 2 192.0.2.2
ip netns del na
ip netns del nb
wait_for 10 netdev_by_mac $mac_k0

# -- an IOMMU group shared with a kernel-bound device -----------------------
check "b0 to vfio-pci refused: b1 shares its group, on e1000e" \
	says "IOMMU group also holds $B1" "$DPKITCTL" nic bind "$B0"
check "... b0 untouched" on "$B0" e1000e
# modprobe is userspace and may take its time: a bind loading its driver's
# module holds no claim on the NIC meanwhile, so a restore of that NIC does
# not wait for it (6 s of slow modprobe; the restore gets 3).
slow_modprobe() {
	local rc=0
	# An install command (modprobe.d(5)) makes modprobe slow where it runs,
	# whatever root the kernel starts it in.
	cp -a /etc/modprobe.d "$tmp/modprobe.d"
	mount -t tmpfs tmpfs /etc/modprobe.d
	cp -a "$tmp/modprobe.d/." /etc/modprobe.d/
	echo 'install pci_stub sleep 6; /sbin/modprobe --ignore-install pci_stub' \
		> /etc/modprobe.d/dpkit-test-slow.conf
	"$DPKITCTL" nic bind "$B1" pci-stub > "$tmp/bind.out" 2>&1 &
	sleep 1
	timeout 3 "$DPKITCTL" nic restore "$B1" || rc=$?
	wait $! || { echo "the bind failed"; rc=1; }
	umount /etc/modprobe.d
	cat "$tmp/bind.out"
	return $rc
}
if [ -d /sys/bus/pci/drivers/pci-stub ]; then
	skip "a restore does not wait for a bind's modprobe (pci-stub is loaded)"
	check "b1 to pci-stub (no group rule for other drivers)" \
		"$DPKITCTL" nic bind "$B1" pci-stub
else
	check "a restore does not wait for a bind's modprobe" slow_modprobe
fi
check "b1 on pci-stub (no group rule for other drivers)" on "$B1" pci-stub
check "now b0 to vfio-pci" "$DPKITCTL" nic bind "$B0"
check "restore b0 and b1" sh -c "'$DPKITCTL' nic restore '$B0' && '$DPKITCTL' nic restore '$B1'"
check "both back on e1000e" sh -c "
	[ \"\$(basename \$(readlink /sys/bus/pci/devices/$B0/driver))\" = e1000e ] &&
	[ \"\$(basename \$(readlink /sys/bus/pci/devices/$B1/driver))\" = e1000e ]"

# -- bad input and no privilege ---------------------------------------------
check "unknown PCI address" says "no such PCI device" "$DPKITCTL" nic bind 0000:00:1e.0
check "malformed address" says "malformed" "$DPKITCTL" nic bind eth0
check "not a NIC (the SATA controller)" \
	says "not a network device" "$DPKITCTL" nic bind 0000:00:1f.2
check "a driver outside the allow-list" \
	says "not a driver a NIC may be bound to" "$DPKITCTL" nic bind "$D0" nosuchdrv
check "... d0 untouched" on "$D0" virtio-pci
chmod 0644 /dev/dpkit
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
check "unprivileged: nic list works" nobody "$DPKITCTL" nic list
check "unprivileged: bind refused" \
	says "needs CAP_SYS_ADMIN" nobody "$DPKITCTL" nic bind "$D0"
chmod 0600 /dev/dpkit

# -- leases ------------------------------------------------------------------
"$LINKPROBE" hold-nic "$D0" > "$tmp/hold.out" 2>&1 &
holder=$!
check "a lease holder bound d0" wait_for 20 grep -q ready "$tmp/hold.out"
check "nic list shows the lease" nic_json "assert nics['$D0']['leased']"
check "another process cannot restore a leased NIC" \
	says "lease that another process holds" "$DPKITCTL" nic restore "$D0"
kill -9 "$holder"
wait "$holder" 2>/dev/null
check "SIGKILL of the holder: d0 back on virtio-pci" wait_for 20 on "$D0" virtio-pci
check "... with its netdev" wait_for 10 netdev_by_mac $mac_d0

"$LINKPROBE" hold-nic "$D0" persist > "$tmp/hold2.out" 2>&1 &
holder=$!
wait_for 20 grep -q ready "$tmp/hold2.out"
kill -9 "$holder"
wait "$holder" 2>/dev/null
sleep 1
check "a PERSIST bind outlives its lease" on "$D0" vfio-pci
check "... until restored" "$DPKITCTL" nic restore "$D0"
check "... d0 on virtio-pci" on "$D0" virtio-pci

# -- persistent overrides ------------------------------------------------------
export DPKIT_OVERRIDES=$tmp/overrides.conf
check "bind --persist records the override" \
	sh -c "'$DPKITCTL' nic bind '$D0' --persist && grep -q '^$D0 vfio-pci' '$DPKIT_OVERRIDES'"
check "nic list marks it persistent" \
	sh -c "'$DPKITCTL' nic list | grep '^$D0' | grep -q persistent"
check "reloading dpkit.ko (as a reboot would) gives d0 back" \
	sh -c "rmmod dpkit && insmod '$ko'"
check "... to virtio-pci" on "$D0" virtio-pci
check "nic apply binds it again" "$DPKITCTL" nic apply
check "... d0 on vfio-pci" on "$D0" vfio-pci
check "restore forgets the override" \
	sh -c "'$DPKITCTL' nic restore '$D0' | grep -q 'no longer persistent' &&
	       ! grep -q '$D0' '$DPKIT_OVERRIDES'"

# -- rmmod restores everything ----------------------------------------------
check "bind k0 and d0 without a lease" \
	sh -c "'$DPKITCTL' nic bind '$K0' && '$DPKITCTL' nic bind '$D0'"
check "rmmod dpkit" rmmod dpkit
check "rmmod gave k0 back to e1000e" on "$K0" e1000e
check "rmmod gave d0 back to virtio-pci" on "$D0" virtio-pci
check "no override is left" \
	sh -c "! grep -v '(null)' /sys/bus/pci/devices/*/driver_override"
check_dmesg_clean
finish
