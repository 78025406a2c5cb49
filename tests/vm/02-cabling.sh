# SPDX-License-Identifier: GPL-2.0
# vm: nics=e1000e:k0:1,virtio:k1:1 smp=2 mem=1024 timeout=300
#
# The harness's cabling and link flapping, which the link-state and
# dataplane scenarios rely on: two NICs on one QEMU hub, each in its own
# network namespace, reach each other; `host set_link` from the QEMU
# monitor drops and restores the carrier the guest sees.
#
# The flap is on the virtio-net end: with QEMU 7.2, set_link on an e1000e
# changes nothing the guest's e1000e driver reports (carrier stays 1).
. "$DPKIT_TOP/tests/vm/lib.sh"

a=$(netdev_by_mac 52:54:00:dc:01:00)
b=$(netdev_by_mac 52:54:00:dc:01:01)
check "e1000e k0 has a netdev ($a)" test -n "$a"
check "virtio-net k1 has a netdev ($b)" test -n "$b"

carrier() { ip netns exec "$1" cat "/sys/class/net/$2/carrier" 2>/dev/null; }
carrier_is() { [ "$(carrier "$1" "$2")" = "$3" ]; }

netns_pair "$a" "$b"

check "carrier up on both ends" \
	wait_for 20 sh -c "[ \"\$(ip netns exec na cat /sys/class/net/$a/carrier)\" = 1 ] &&
			   [ \"\$(ip netns exec nb cat /sys/class/net/$b/carrier)\" = 1 ]"
check "ping across the cable" ip netns exec na ping -c 3 -W 5 192.0.2.2

check "host: set_link k1 off" host set_link k1 off
check "k1 loses carrier" wait_for 10 carrier_is nb "$b" 0
check_not "no ping while k1 is down" ip netns exec na ping -c 2 -W 1 192.0.2.2
check "host: set_link k1 on" host set_link k1 on
check "k1 regains carrier" wait_for 10 carrier_is nb "$b" 1
check "ping again" wait_for 20 ip netns exec na ping -c 1 -W 2 192.0.2.2

check_not "host refuses unknown commands" host reboot
check_dmesg_clean
finish
