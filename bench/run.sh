#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/run.sh [RUNS] [SECONDS] (make bench; root; never part of make check):
# dpkitd next to DPDK's own applications on the same CPUs and vdevs (two
# net_null ports, no hugepages), every application measured the same way:
# the sum of its ports' opackets, read through its DPDK telemetry socket
# (bench/telemetry.py), over SECONDS after a warm-up; the median of RUNS
# runs, with the spread (min-max). DPDK's l2fwd-event and eventdev_pipeline
# are built from the dpdk-doc examples into build/bench (never committed).
#
# Prints, and writes to build/bench/results.txt:
#   - forwarding rates: testpmd io; l2fwd-event poll and eventdev (dsw, sw);
#     eventdev_pipeline (sw); dpkitd poll, event_dsw, event_sw (inline);
#     ratios to testpmd io;
#   - the per-batch link check: dpkitd poll mode with it compiled out;
#   - refused at admission: dpkitd's rx_held and eventdev drops in a window;
#   - instructions per packet under callgrind (dpkitd, l2fwd-event): stable
#     on a noisy machine (BENCH_CALLGRIND=0 skips it: slow);
#   - dpkitd event_dsw throughput vs worker count, 1 .. the machine's CPUs
#     less one, and a plot of it (build/bench/workers.png, with gnuplot).
# BENCH_ONLY="rates admission workers callgrind" runs some of them.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# DPDK's runtime directories and dpkitd's lock in a mount namespace of the
# benchmark's own: no other DPDK program on the host shares a telemetry
# socket with what is measured.
if [ -z "${BENCH_PRIVATE:-}" ] && [ "$(id -u)" = 0 ]; then
	exec unshare -m --propagation private env BENCH_PRIVATE=1 bash "$0" "$@"
fi
if [ -n "${BENCH_PRIVATE:-}" ]; then
	mkdir -p /run/dpdk /run/dpkit
	mount -t tmpfs bench /run/dpdk && mount -t tmpfs bench /run/dpkit ||
		{ echo "bench: private /run/dpdk: mount failed"; exit 1; }
fi
runs=${1:-5}
secs=${2:-5}
warm=3
out=build/bench
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ncpu=$(nproc)
w=$((ncpu - 1))			# the worker's CPU; the main lcore: CPU 0
tel() { python3 bench/telemetry.py "$@"; }
only() { [ -z "${BENCH_ONLY:-}" ] || [[ " $BENCH_ONLY " == *" $1 "* ]]; }
say() { echo "$*" | tee -a "$out/results.txt"; }

[ "$(id -u)" = 0 ] || { echo "bench: needs root (DPDK's EAL)"; exit 1; }
[ "$ncpu" -ge 2 ] || { echo "SKIPPED: bench needs two CPUs"; exit 0; }
command -v dpdk-testpmd > /dev/null ||
	{ echo "bench: dpdk-testpmd missing (scripts/deps.sh)"; exit 1; }
[ -d /usr/share/dpdk/examples/l2fwd-event ] ||
	{ echo "bench: the dpdk-doc examples are missing (apt-get install dpdk-doc)"; exit 1; }

# ---- build: DPDK's examples, dpkitd, dpkitd without the link check ----
for ex in l2fwd-event eventdev_pipeline; do
	if [ ! -x "$out/$ex/build/$ex" ]; then
		rm -rf "$out/$ex"
		cp -r "/usr/share/dpdk/examples/$ex" "$out/$ex"
		make -s -C "$out/$ex" > "$out/$ex.build.log" 2>&1 ||
			{ echo "bench: building $ex failed ($out/$ex.build.log)"; exit 1; }
	fi
done
make -s user > "$out/dpkitd.build.log" 2>&1 || { echo "bench: make failed"; exit 1; }
make -s O="$out/nolink" CFLAGS="-O2 -g -DDPK_BENCH_NO_LINK_CHECK" \
	"$out/nolink/user/dpkitd" > "$out/nolink.build.log" 2>&1 ||
	{ echo "bench: the no-link-check build failed"; exit 1; }

: > "$out/results.txt"
say "bench: $(date -u +%F), $ncpu CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), $(uname -r)"
say "bench: main lcore CPU 0, worker CPU $w; two net_null ports, no hugepages;"
say "bench: median of $runs runs of ${secs} s after ${warm} s, spread min-max"

EAL="--no-huge -m 512 --no-pci --vdev net_null0 --vdev net_null1 --log-level error"

# window PREFIX PID: packets per second sent by the app over the window.
window() {
	local a b t0 t1
	for _ in $(seq 1 30); do
		[ -S "/var/run/dpdk/$1/dpdk_telemetry.v2" ] && break
		sleep 1
	done
	sleep "$warm"
	a=$(tel "$1" opackets) || return 1
	t0=$(date +%s.%N)
	sleep "$secs"
	b=$(tel "$1" opackets) || return 1
	t1=$(date +%s.%N)
	python3 -c "print(int(($b - $a) / ($t1 - $t0)))"
}

# dpkitd_conf EVENTDEV: dpkitd on the same CPUs and ports as the others.
dpkitd_conf() {
	cat <<-CONF
		worker-cpus = ${DPKITD_CPUS:-$w}
		eventdev = $1
		hugepages = no
		memory = 1024
		log-level = err
		[port a]
		device = net_null0
		[port b]
		device = net_null1
	CONF
}

# app NAME: start application NAME in the background; sets pid, prefix.
app() {
	prefix=bench_$1
	case $1 in dpkitd-*) prefix=dpkitd ;; esac
	case $1 in
	testpmd)
		exec dpdk-testpmd -l "0,$w" $EAL --file-prefix "$prefix" -- \
			--forward-mode=io --auto-start --stats-period 60 \
			--total-num-mbufs=16383 ;;
	l2fwd-poll)
		exec "$out/l2fwd-event/build/l2fwd-event" -l "0,$w" $EAL \
			--file-prefix "$prefix" -- -p 0x3 -q 2 --mode=poll \
			--no-mac-updating -T 60 ;;
	l2fwd-dsw|l2fwd-sw)
		# its Rx/Tx adapters (and sw's scheduler) run as services on
		# lcore 2, sharing the main lcore's CPU
		exec "$out/l2fwd-event/build/l2fwd-event" --lcores "0@0,1@$w,2@0" -S 2 \
			$EAL --vdev "event_${1#l2fwd-}0" --file-prefix "$prefix" -- \
			-p 0x3 --mode=eventdev --eventq-sched=atomic \
			--no-mac-updating -T 60 ;;
	pipeline-sw)
		# rx, tx and the scheduler on the main lcore, the worker on CPU w
		exec "$out/eventdev_pipeline/build/eventdev_pipeline" -l "0,$w" $EAL \
			--vdev event_sw0 --file-prefix "$prefix" -- -r1 -t1 -e1 -w2 \
			-s1 -n0 -c32 -q ;;
	dpkitd-*)
		dpkitd_conf "${1#dpkitd-}" > "$tmp/d.conf"
		exec ${DPKITD_BIN:-build/user/dpkitd} -c "$tmp/d.conf" ;;
	esac > "$tmp/$1.log" 2>&1 &
	pid=$!
}

stop() {
	kill -INT "$pid" 2>/dev/null
	for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rm -rf "/var/run/dpdk/$prefix"
}

# measure NAME: RUNS windows; prints "median min max".
measure() {
	local r v all=""
	for r in $(seq 1 "$runs"); do
		app "$1"
		v=$(window "$prefix" "$pid") || v=0
		stop
		all="$all $v"
	done
	python3 -c "import statistics as s, sys; v = sorted(map(int, sys.argv[1:]))
print(int(s.median(v)), v[0], v[-1])" $all
}

declare -A med lo hi
row() {	# row NAME LABEL
	local m
	m=$(measure "$1")
	set -- "$1" "$2" $m
	med[$1]=$3 lo[$1]=$4 hi[$1]=$5
	say "$(printf '%-40s %12d  %12d-%-12d %5s' "$2" "$3" "$4" "$5" \
		"$(python3 -c "print('%.2f' % ($3 / ${med[testpmd]:-$3}) if ${med[testpmd]:-$3} else '-')")")"
}

if only rates; then
say ""
say "$(printf '%-40s %12s  %-25s %5s' 'application' 'packets/s' 'spread' 'vs testpmd')"
row testpmd "dpdk-testpmd io"
row l2fwd-poll "l2fwd-event poll"
row l2fwd-dsw "l2fwd-event eventdev, event_dsw"
row l2fwd-sw "l2fwd-event eventdev, event_sw"
row pipeline-sw "eventdev_pipeline, event_sw"
row dpkitd-none "dpkitd poll mode"
row dpkitd-dsw "dpkitd event_dsw"
row dpkitd-sw "dpkitd event_sw (scheduler inline)"
DPKITD_BIN=$out/nolink/user/dpkitd row dpkitd-none "dpkitd poll, link check compiled out"
say "link check: $(python3 -c "
a, b = ${med[dpkitd-none]}, $(grep 'link check compiled out' "$out/results.txt" | awk '{print $(NF-2)}')
print('%.1f%% of the poll-mode rate' % (100 * (b - a) / b if b else 0))")"
fi

# Refused at admission: in a window, with the eventdev full.
only admission && say "" && for ev in dsw sw; do
	app "dpkitd-$ev"
	sleep $((warm + 1))
	a=$(tel dpkitd /dpkit/workers)
	sleep "$secs"
	b=$(tel dpkitd /dpkit/workers)
	stop
	say "dpkitd event_$ev, refused at admission in ${secs} s: $(python3 -c "
import json
a, b = json.loads('''$a''')['/dpkit/workers'], json.loads('''$b''')['/dpkit/workers']
d = lambda k: sum(b[w][k] - a[w][k] for w in b)
print('held (offered again) %d of %d received (%.1f%%), refused and freed %d' % (
    d('rx_held'), d('rx'), 100.0 * d('rx_held') / max(d('rx'), 1), d('drop_eventdev_full')))")"
done

# Throughput vs workers, 1 .. ncpu - 1 (event_dsw).
if only workers; then
say ""
: > "$out/workers.dat"
for n in $(seq 1 $((ncpu - 1))); do
	runs_saved=$runs runs=3
	DPKITD_CPUS=$( [ "$n" = 1 ] && echo "$w" || echo "1-$n" ) measure dpkitd-dsw > "$tmp/n"
	runs=$runs_saved
	read -r m l h < "$tmp/n"
	echo "$n $m $l $h" >> "$out/workers.dat"
	say "dpkitd event_dsw, $n worker(s): $m packets/s ($l-$h)"
done
if command -v gnuplot > /dev/null; then
	gnuplot <<-EOF
		set terminal pngcairo size 640,400
		set output "$out/workers.png"
		set title "dpkitd event_dsw, two net_null ports"
		set xlabel "workers"; set ylabel "Mpps"; set xtics 1; set yrange [0:*]
		plot "$out/workers.dat" using 1:(\$2/1e6):(\$3/1e6):(\$4/1e6) \
			with yerrorlines title "median (min-max)"
	EOF
	say "plot: $out/workers.png"
else
	say "plot: skipped (no gnuplot; apt-get install gnuplot-nox)"
fi
fi

# Instructions per packet under callgrind, over a window of the running
# application (callgrind_control zeroes, then dumps): the lcores' threads
# (not the main one, whose EAL start-up would count).
ipp() {	# ipp NAME
	local d=$tmp/cg.$1 a b
	mkdir -p "$d"
	rm -rf /var/run/dpdk/dpkitd "/var/run/dpdk/bench_$1"
	case $1 in
	dpkitd-*)
		prefix=dpkitd
		dpkitd_conf "${1#dpkitd-}" > "$tmp/d.conf"
		exec 3< "$tmp/d.conf"
		DPKITD_CONFIG_FD=3 valgrind --tool=callgrind --separate-threads=yes \
			--callgrind-out-file="$d/cg.out" build/user/dpkitd \
			> "$tmp/$1.cg.log" 2>&1 &
		pid=$!
		exec 3<&- ;;
	l2fwd-poll)
		prefix=bench_$1
		valgrind --tool=callgrind --separate-threads=yes \
			--callgrind-out-file="$d/cg.out" \
			"$out/l2fwd-event/build/l2fwd-event" -l "0,$w" $EAL \
			--file-prefix "$prefix" -- -p 0x3 -q 2 --mode=poll \
			--no-mac-updating -T 60 > "$tmp/$1.cg.log" 2>&1 &
		pid=$! ;;
	esac
	sleep 1
	for _ in $(seq 1 120); do
		[ -S "/var/run/dpdk/$prefix/dpdk_telemetry.v2" ] && break
		sleep 1
	done
	sleep 5
	callgrind_control -z "$pid" > /dev/null 2>&1
	a=$(tel "$prefix" opackets)
	sleep 10
	b=$(tel "$prefix" opackets)
	callgrind_control -d "$pid" > /dev/null 2>&1
	# the dump is there: no final one at exit
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rm -rf "/var/run/dpdk/$prefix"
	python3 - "$d" "$a" "$b" <<-'EOF'
	import glob, sys
	d, a, b = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
	ir = 0
	for f in glob.glob(d + "/cg.out.1-*"):
	    if f.endswith("-01"):
	        continue		# the main thread
	    for line in open(f):
	        if line.startswith("totals:"):
	            ir += int(line.split()[1])
	print("%d instructions per packet (%d packets in the window)" %
	      (ir / max(b - a, 1), b - a))
	EOF
}
if only callgrind && [ "${BENCH_CALLGRIND:-1}" = 1 ] &&
   command -v valgrind > /dev/null; then
	say ""
	for a in dpkitd-none dpkitd-dsw dpkitd-sw l2fwd-poll; do
		say "callgrind, $a: $(ipp "$a")"
	done
fi
say ""
say "results: $out/results.txt"
