# SPDX-License-Identifier: GPL-2.0
# vm: nics=virtio:d0:1 smp=3 mem=2048 hugepages=256 timeout=1800
#
# The in-VM benchmarks (bench/vm/run.sh; Documentation/benchmarks.rst),
# under TCG: figures for comparison side by side, not for speed.
#   - ns per read of a link's state: dpkit.ko's page (the up bit, a whole
#     slot), RTM_GETLINK through libmnl, rte_eth_link_get_nowait on a
#     virtio-net port (net_virtio on vfio-pci);
#   - a veth's carrier change to visible in the page vs to an RTNLGRP_LINK
#     listener, over $BENCH_FLAPS flaps (default 1000);
#   - dpkitctl nic bind + restore vs dpdk-devbind.py -b there and back.
# Figures are "# bench: ..." lines; checks only that each part ran.
. "$DPKIT_TOP/tests/vm/lib.sh"

B=$DPKIT_BUILD/bench/vm
flaps=${BENCH_FLAPS:-1000}
# vmrun.py's MACs: 52:54:00:dc:HUB:INDEX; d0 is the only NIC (index 0)
D0=$(bdf_of_netdev "$(netdev_by_mac 52:54:00:dc:01:00)")
echo "$D0" | grep -qE '^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$' ||
	{ not_ok "d0's virtio NIC found (got '$D0')"; finish; exit 1; }
tmp=$(mktemp -d)
ms() { echo $(( $(date +%s%N) / 1000000 )); }

check "insmod dpkit.ko" insmod "$DPKIT_KO"
ip link add bva type veth peer name bvb
ip link set bva up && ip link set bvb up
check "the veth is in the page, up" wait_for 10 "$LINKPROBE" state kernel \
	"$(cat /sys/class/net/bva/ifindex)"

check_log "link reads: page vs RTM_GETLINK" "$B/linkbench" read bva 10000000
check_log "carrier changes: page vs RTNLGRP_LINK ($flaps flaps)" \
	"$B/linkbench" flaps bva bvb "$flaps"

modprobe vfio-pci
check "d0 to vfio-pci" "$DPKITCTL" nic bind "$D0"
check_log "link reads: rte_eth_link_get_nowait (net_virtio, vfio-pci)" \
	"$B/ethlink" -l 0 -a "$D0" --file-prefix ethlink --log-level error \
	-- 20000
check "d0 restored" "$DPKITCTL" nic restore "$D0"

# bind_bench NAME TO BACK N: N times, bind d0 to vfio-pci with TO, back to
# its driver with BACK; the median and max ms of a round trip.
bind_bench() {
	local name=$1 to=$2 back=$3 i t all=
	for i in $(seq 1 "$4"); do
		t=$(ms)
		eval "$to" > "$tmp/out" 2>&1 || { cat "$tmp/out"; return 1; }
		[ "$(driver_of "$D0")" = vfio-pci ] || return 1
		eval "$back" > "$tmp/out" 2>&1 || { cat "$tmp/out"; return 1; }
		[ "$(driver_of "$D0")" = virtio-pci ] || return 1
		all="$all $(( $(ms) - t ))"
	done
	echo "bench: bind_restore_ms $name $(echo $all | tr ' ' '\n' | sort -n |
		awk '{ v[NR] = $1 } END { printf "median %d max %d (%d rounds)", v[int((NR + 1) / 2)], v[NR], NR }')"
}
check_log "nic bind + restore: dpkitctl" bind_bench dpkitctl \
	"'$DPKITCTL' nic bind $D0" "'$DPKITCTL' nic restore $D0" 10
check_log "nic bind + restore: dpdk-devbind.py" bind_bench dpdk-devbind.py \
	"dpdk-devbind.py -b vfio-pci $D0" "dpdk-devbind.py -b virtio-pci $D0" 10

finish
