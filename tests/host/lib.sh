# SPDX-License-Identifier: GPL-2.0
#
# Sourced by the host scenarios (tests/host): the TAP helpers of the VM
# scenarios, and running dpkitd for a while.
. "$DPKIT_TOP/tests/vm/lib.sh"

DPKITD=$DPKIT_BUILD/user/dpkitd
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The CPU a single worker gets: the last one (the main lcore takes CPU 0).
worker_cpu() { echo $(( $(nproc) - 1 )); }

# run_dpkitd CONF SECONDS [ACTION]: run dpkitd, run ACTION a second after
# it says it runs (its telemetry is up then), SIGTERM it SECONDS - 1 after
# that; sets rc, rx, tx, dropped, link_down, in_use, drop_evdev, drop_stage,
# flushed.
run_dpkitd() {
	"$DPKITD" -c "$1" > "$tmp/run.log" 2>&1 &
	local pid=$!
	# running (its telemetry registered), then a second of traffic
	wait_for 60 grep -q 'dpkitd: running' "$tmp/run.log"
	sleep 1
	[ -n "${3:-}" ] && eval "$3"
	sleep "$(( $2 - 1 ))"
	kill -TERM "$pid"
	wait "$pid"
	rc=$?
	sed 's/^/# /' "$tmp/run.log"
	set -- $(sed -n 's/.*stopped: rx \([0-9]*\), tx \([0-9]*\), dropped \([0-9]*\) (tx full [0-9]*, link down \([0-9]*\), eventdev full \([0-9]*\), stage \([0-9]*\), flushed \([0-9]*\), eventdev errors [0-9]*); mbufs in use \([0-9]*\).*/\1 \2 \3 \4 \8 \5 \6 \7/p' "$tmp/run.log")
	rx=${1:--1} tx=${2:--1} dropped=${3:--1} link_down=${4:--1} in_use=${5:--1}
	drop_evdev=${6:--1} drop_stage=${7:--1} flushed=${8:--1}
}

# mkpcap FILE FLOWS: a pcap file of FLOWS TCP packets between 10.0.0.1 and
# 10.0.1.1, one flow each (source ports 1024 on), for net_pcap's rx_pcap.
mkpcap() {
	python3 - "$1" "$2" <<-'PY'
	import struct, sys
	out = open(sys.argv[1], 'wb')
	out.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
	for i in range(int(sys.argv[2])):
	    tcp = struct.pack('!HHIIBBHHH', 1024 + i, 80, 0, 0, 0x50, 0x10, 512, 0, 0)
	    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), i, 0, 64, 6, 0,
	                     bytes([10, 0, 0, 1]), bytes([10, 0, 1, 1]))
	    frame = bytes(6) + bytes([2, 0, 0, 0, 0, 1]) + b'\x08\x00' + ip + tcp
	    frame += bytes(max(0, 60 - len(frame)))
	    out.write(struct.pack('<IIII', 0, i, len(frame), len(frame)) + frame)
	PY
}
