#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/run.sh [SECONDS]: dpkitd's forwarding rate between two net_null
# ports, in poll mode and through each software eventdev, against DPDK's
# own baseline on the same CPUs: dpdk-testpmd in io forward mode (no
# eventdev, no stage, no link checks). net_null receives as fast as it is
# polled, so these figures are the cost of the software path per packet,
# not of a NIC. Prints figures and ratios; never fails on speed. Needs root
# (DPDK's EAL), two CPUs or more, and `make` done first.
set -u
cd "$(dirname "$0")/.."
secs=${1:-10}
dpkitd=build/user/dpkitd
dpkitctl=build/user/dpkitctl
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
worker=$(($(nproc) - 1))

[ -x "$dpkitd" ] || { echo "bench: build first (make)"; exit 1; }
command -v dpdk-testpmd > /dev/null ||
	{ echo "bench: dpdk-testpmd missing (scripts/deps.sh installs dpdk)"; exit 1; }
if [ "$(nproc)" -lt 2 ]; then
	echo "SKIPPED: bench needs two CPUs (main lcore and one worker)"
	exit 0
fi

echo "bench: $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1))"
echo "bench: main lcore on CPU 0, one worker on CPU $worker, ${secs} s per run"

# testpmd: the sum of both ports' Tx-pps, averaged over the run's periods
# after the first.
timeout -s INT $((secs + 3)) dpdk-testpmd -l "0,$worker" --no-huge -m 512 \
	--no-pci --vdev net_null0 --vdev net_null1 --log-level=error -- \
	--forward-mode=io --auto-start --stats-period 1 \
	--total-num-mbufs=8191 > "$tmp/testpmd.log" 2>&1
base=$(awk '/Tx-pps:/ { v[n++] = $2 }
	END { s = 0; c = 0; for (i = 4; i + 1 < n; i += 2) { s += v[i] + v[i+1]; c++ }
	      printf "%d", c ? s / c : 0 }' "$tmp/testpmd.log")

# dpkitd: forwarded packets (both ports' tx) between two telemetry samples.
tx_sum() {
	"$dpkitctl" --json stats 2>/dev/null | python3 -c "
import json, sys
d = json.load(sys.stdin)['/dpkit/ports']
print(sum(p['tx_packets'] for p in d.values()))"
}
run() {	# run EVENTDEV: prints packets per second
	cat > "$tmp/b.conf" <<-CONF
		worker-cpus = $worker
		eventdev = $1
		hugepages = no
		memory = 512

		log-level = err
		[port a]
		device = net_null0
		[port b]
		device = net_null1
	CONF
	"$dpkitd" -c "$tmp/b.conf" > "$tmp/$1.log" 2>&1 &
	local pid=$! a b t0 t1
	sleep 3
	a=$(tx_sum); t0=$(date +%s.%N)
	sleep "$secs"
	b=$(tx_sum); t1=$(date +%s.%N)
	kill -TERM "$pid"
	wait "$pid"
	python3 -c "print(int(($b - $a) / ($t1 - $t0)))"
}

printf '\n%-34s %14s %8s\n' "path" "packets/s" "vs DPDK"
printf '%-34s %14d %8s\n' "dpdk-testpmd io forward (baseline)" "$base" "1.00"
for ev in none dsw sw; do
	pps=$(run "$ev")
	case $ev in
	none) what="dpkitd poll mode (rx-stage-tx)" ;;
	*) what="dpkitd eventdev = $ev" ;;
	esac
	printf '%-34s %14d %8s\n' "$what" "$pps" \
		"$(python3 -c "print('%.2f' % ($pps / $base) if $base else 'n/a')")"
done
echo
echo "(one worker does rx, the stage and tx; with an eventdev it also runs the"
echo " eventdev's enqueue/dequeue and, for sw, the scheduler inline)"
