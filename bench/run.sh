#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/run.sh [RUNS] [SECONDS] (make bench; root; never part of make check;
# Documentation/benchmarks.rst): dpkitd next to DPDK's own applications on
# the same CPUs and vdevs (two net_null ports, no hugepages), every
# application measured the same way: the sum of its ports' opackets, read
# through its DPDK telemetry socket (bench/telemetry.py), over SECONDS after
# a warm-up, and the CPU time its forwarding threads had meanwhile
# (bench/window.py). RUNS rounds, each running every application once in
# turn, so that all see the machine's load alike; medians with the spread
# (min-max). DPDK's l2fwd-event and eventdev_pipeline are built from the
# dpdk-doc examples into build/bench (never committed).
#
# Prints, and writes to build/bench/results.txt:
#   - forwarding rates, by the wall clock and per second of the forwarding
#     threads' own CPU time: testpmd io; l2fwd-event poll and eventdev (dsw,
#     sw); eventdev_pipeline (sw); dpkitd poll, poll with the per-batch
#     link check compiled out, event_dsw, event_sw (inline); ratios to
#     testpmd io in the same round;
#   - refused at admission: dpkitd's rx_held and eventdev drops in a window;
#   - dpkitd event_dsw throughput vs worker count, 1 .. the machine's CPUs
#     less one (the main lcore keeps a CPU of its own), on net_pcap ports
#     replaying 256 flows, and a plot of it (build/bench/workers.png, with
#     gnuplot);
#   - rx-mode adaptive against poll under full load (net_null never idles:
#     what the idle checks cost), dpkitd poll mode and event_dsw, rounds
#     alternating the two; and their instructions per packet (callgrind);
#   - instructions per packet under callgrind: stable on a noisy machine
#     (BENCH_CALLGRIND=0 skips it: slow); the profiles stay in
#     build/bench/callgrind (callgrind_annotate reads them).
# BENCH_ONLY="rates admission workers idle callgrind" runs some of them.
#
# Each application runs under flock $BENCH_LOCK (default the host tests'
# lock, /tmp/dpkit-host.lock), taken for that run only: a shared machine's
# host tests interleave with the benchmark rather than wait for all of it.
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
lock=${BENCH_LOCK:-/tmp/dpkit-host.lock}
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
# under callgrind: valgrind implements no seccomp(), so the workers' filter
# is compiled out there (their steady state makes no system call)
if only callgrind || only idle; then
	for v in cg:-DDPK_BENCH_NO_SECCOMP \
		 cgnolink:"-DDPK_BENCH_NO_SECCOMP -DDPK_BENCH_NO_LINK_CHECK"; do
		make -s O="$out/${v%%:*}" CFLAGS="-O2 -g ${v#*:}" \
			"$out/${v%%:*}/user/dpkitd" > "$out/${v%%:*}.build.log" 2>&1 ||
			{ echo "bench: the ${v%%:*} build failed"; exit 1; }
	done
fi

: > "$out/results.txt"
say "bench: $(date -u '+%F %H:%M') UTC, $ncpu CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), kernel $(uname -r), DPDK $(pkg-config --modversion libdpdk)"
say "bench: main lcore CPU 0, worker CPU $w; two net_null ports, no hugepages;"
say "bench: $runs rounds of ${secs} s windows after ${warm} s; load at the start: $(cut -d' ' -f1-3 /proc/loadavg)"

EAL="--no-huge -m 512 --no-pci --vdev net_null0 --vdev net_null1 --log-level error"

# window PREFIX PID: once the app's telemetry is up and a warm-up passed,
# one window of SECONDS (bench/window.py): "PPS CPU_PPS OTHERS", packets
# per second sent, packets per second of its forwarding threads' own CPU
# time (its lcores, and its main lcore when that forwards: $main_works),
# and how many CPUs the rest of the machine kept busy meanwhile.
window() {
	for _ in $(seq 1 60); do
		[ -S "/var/run/dpdk/$1/dpdk_telemetry.v2" ] && break
		sleep 1
	done
	sleep "$warm"
	python3 bench/window.py "$1" "$2" "$secs" "$main_works"
}

# dpkitd_conf EVENTDEV: dpkitd on the same CPUs and ports as the others.
dpkitd_conf() {
	cat <<-CONF
		worker-cpus = ${DPKITD_CPUS:-$w}
		eventdev = $1
		rx-mode = ${DPKITD_RX_MODE:-poll}
		hugepages = no
		memory = 1024
		log-level = err
		[port a]
		device = ${DEV_A:-net_null0}
		[port b]
		device = ${DEV_B:-net_null1}
	CONF
}

# cmd NAME: the command line of application NAME (after app() set prefix).
cmd() {
	case $1 in
	testpmd)
		echo dpdk-testpmd -l "0,$w" $EAL --file-prefix "$prefix" -- \
			--forward-mode=io --auto-start --stats-period 60 \
			--total-num-mbufs=16383 ;;
	l2fwd-poll)
		echo "$out/l2fwd-event/build/l2fwd-event" -l "0,$w" $EAL \
			--file-prefix "$prefix" -- -p 0x3 -q 2 --mode=poll \
			--no-mac-updating -T 60 ;;
	l2fwd-dsw|l2fwd-sw)
		# its Rx/Tx adapters (and sw's scheduler) run as services on
		# lcore 2, sharing the main lcore's CPU (reniced, in app())
		echo "$out/l2fwd-event/build/l2fwd-event" --lcores "0@0,1@$w,2@0" \
			-S 2 $EAL --vdev "event_${1#l2fwd-}0" --file-prefix "$prefix" \
			-- -p 0x3 --mode=eventdev --eventq-sched=atomic \
			--no-mac-updating -T 60 ;;
	pipeline-sw)
		# rx, tx and the scheduler on the main lcore, the worker on CPU w
		echo "$out/eventdev_pipeline/build/eventdev_pipeline" -l "0,$w" \
			$EAL --vdev event_sw0 --file-prefix "$prefix" -- -r1 -t1 -e1 \
			-w2 -s1 -n0 -c32 -q ;;
	dpkitd-*)
		echo "${DPKITD_BIN:-build/user/dpkitd}" -c "$tmp/d.conf" ;;
	nolink-*)	# the per-batch link check compiled out
		echo "${NOLINK_BIN:-$out/nolink/user/dpkitd}" -c "$tmp/d.conf" ;;
	esac
}

# app NAME [WRAPPER...]: start application NAME in the background (under
# WRAPPER, e.g. valgrind); sets pid, prefix, main_works (its main lcore
# forwards too).
app() {
	local name=$1
	shift
	prefix=bench_$name
	main_works=0
	case $name in
	dpkitd-*|nolink-*)
		prefix=dpkitd
		dpkitd_conf "${name#*-}" > "$tmp/d.conf" ;;
	pipeline-sw)
		main_works=1 ;;
	esac
	rm -rf "/var/run/dpdk/$prefix"
	# shellcheck disable=SC2046
	"$@" $(cmd "$name") > "$tmp/$name.log" 2>&1 9>&- &
	pid=$!
	# l2fwd-event's main lcore busy-waits on its stats timer: let the
	# service lcore that shares its CPU have that CPU
	case $name in
	l2fwd-dsw|l2fwd-sw) sleep 1; renice -n 19 -p "$pid" > /dev/null ;;
	esac
}

stop() {
	kill -INT "$pid" 2>/dev/null
	for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rm -rf "/var/run/dpdk/$prefix"
}

# measure NAME: one window of application NAME: "PPS CPU_PPS OTHERS".
measure() {
	local v
	exec 9> "$lock"
	flock 9
	app "$1"
	v=$(window "$prefix" "$pid") || v="0 0 0"
	stop
	exec 9>&-
	[ "$v" = "0 0 0" ] && sed 's/^/# /' "$tmp/$1.log" | tail -5 >&2
	echo "$v"
}

# rounds FILE APP...: RUNS rounds, each measuring every APP once in turn;
# appends "ROUND APP PPS CPU_PPS OTHERS LOADAVG" lines to FILE.
rounds() {
	local f=$1 r a v
	shift
	for r in $(seq 1 "$runs"); do
		for a in "$@"; do
			v=$(measure "$a")
			echo "$r $a $v $(cut -d' ' -f1 /proc/loadavg)" >> "$f"
		done
	done
}

# summary FILE: per app of FILE (rounds' lines), the medians (min-max) of
# its rates and of its ratio to testpmd io in the same round; then the
# load it all ran with.
summary() {
	python3 - "$1" <<-'EOF'
	import collections, statistics as st, sys
	by, order = collections.defaultdict(dict), []
	for r, app, pps, cpps, oth, load in (l.split() for l in open(sys.argv[1])):
	    by[app][r] = (int(pps), int(cpps), float(oth), float(load))
	    if app not in order:
	        order.append(app)
	def med(v):
	    v = sorted(v)
	    return st.median(v), v[0], v[-1]
	def ratio(app, k):
	    t, a = by.get("testpmd", {}), by[app]
	    v = [a[r][k] / t[r][k] for r in a if r in t and t[r][k]]
	    return "%.2f (%.2f-%.2f)" % med(v) if v and app != "testpmd" else ""
	print("%-14s %-20s %-17s %-20s %-17s %s" % ("app", "Mpps (wall)", "ratio",
	      "Mpps (own CPU)", "ratio", "ns/pkt"))
	for app in order:
	    w = med([v[0] / 1e6 for v in by[app].values()])
	    c = med([v[1] / 1e6 for v in by[app].values()])
	    print("%-14s %-20s %-17s %-20s %-17s %.0f" % (app,
	          "%.2f (%.2f-%.2f)" % w, ratio(app, 0),
	          "%.2f (%.2f-%.2f)" % c, ratio(app, 1), 1e3 / max(c[0], 1e-9)))
	oth = sorted(v[2] for a in by.values() for v in a.values())
	load = sorted(v[3] for a in by.values() for v in a.values())
	print("other load in the windows: %.2f CPUs busy (%.2f-%.2f), "
	      "loadavg %.1f (%.1f-%.1f), medians (min-max)" % (st.median(oth),
	      oth[0], oth[-1], st.median(load), load[0], load[-1]))
	EOF
}

t_start=$(date +%s)
if only rates; then
	say ""
	say "Forwarding rates: $runs rounds, each app once a round in turn."
	say "Mpps by the wall clock and per second of its forwarding threads' own"
	say "CPU time, median (min-max); ratio to testpmd io in the same round;"
	say "ns/pkt: of that CPU time per packet."
	: > "$out/rates.dat"
	rounds "$out/rates.dat" testpmd l2fwd-poll l2fwd-dsw l2fwd-sw \
		pipeline-sw dpkitd-none nolink-none dpkitd-dsw dpkitd-sw
	summary "$out/rates.dat" | tee -a "$out/results.txt"
	python3 - "$out/rates.dat" <<-'EOF' | tee -a "$out/results.txt"
	import collections, statistics as st, sys
	by = collections.defaultdict(dict)
	for r, app, pps, cpps, oth, load in (l.split() for l in open(sys.argv[1])):
	    by[app][r] = int(cpps)
	a, b = by["dpkitd-none"], by["nolink-none"]
	d = sorted(100 * (b[r] - a[r]) / b[r] for r in a if r in b and b[r])
	if d:
	    print("link check, poll mode, own-CPU rates round by round: "
	          "%.1f%% (%.1f..%.1f) slower with it" % (st.median(d), d[0], d[-1]))
	EOF
fi

# Refused at admission: in a window, with net_null flooding the pipeline.
if only admission; then
	say ""
	for ev in dsw sw; do
		exec 9> "$lock"
		flock 9
		app "dpkitd-$ev"
		window dpkitd "$pid" > /dev/null	# up, and warmed up
		a=$(tel dpkitd /dpkit/workers)
		sleep "$secs"
		b=$(tel dpkitd /dpkit/workers)
		stop
		exec 9>&-
		say "dpkitd event_$ev, refused at admission in ${secs} s: $(python3 -c "
import json
a, b = json.loads('''$a''')['/dpkit/workers'], json.loads('''$b''')['/dpkit/workers']
d = lambda k: sum(b[w][k] - a[w][k] for w in b)
print('held (offered again) %d of %d received (%.2f%%), refused and freed %d' % (
    d('rx_held'), d('rx'), 100.0 * d('rx_held') / max(d('rx'), 1), d('drop_eventdev_full')))")"
	done
fi

# Throughput vs workers (event_dsw), 1 .. ncpu - 1 workers on CPUs of their
# own (BENCH_WORKERS_MAX lowers it; dpkitd refuses a worker on the main
# lcore's CPU, so a 2-CPU machine has one point). Not
# net_null, whose packets are all alike (one flow: an atomic queue gives it
# to one worker at a time), but net_pcap replaying 256 TCP flows from memory
# (infinite_rx), with as many queue pairs as workers (one rx_pcap each; its
# tx frees), so that every worker count sends from its own tx queues.
if only workers; then
	say ""
	max=${BENCH_WORKERS_MAX:-$((ncpu - 1))}
	# dpkitd's placement keeps the main lcore's CPU for housekeeping
	[ "$max" -lt "$ncpu" ] || max=$((ncpu - 1))
	[ "$max" -gt 1 ] ||
		say "workers: $ncpu CPUs give one worker a CPU of its own: one point only"
	# the host tests' pcap maker (tests/host/lib.sh), 256 flows
	eval "$(sed -n '/^mkpcap() {/,/^}/p' tests/host/lib.sh)"
	mkpcap "$tmp/flows.pcap" 256
	pcap=
	for _ in $(seq 1 "$max"); do pcap=$pcap,rx_pcap=$tmp/flows.pcap; done
	: > "$out/workers.raw"
	for n in $(seq 1 "$max"); do
		cpus=$w
		[ "$n" = 1 ] || cpus=$(( ncpu - n ))-$w
		DPKITD_CPUS=$cpus DEV_A=net_pcap0$pcap,infinite_rx=1 \
			DEV_B=net_pcap1$pcap,infinite_rx=1 \
			rounds "$out/workers.raw" dpkitd-dsw
		sed -i "s/ dpkitd-dsw / $n /" "$out/workers.raw"
	done
	python3 - "$out/workers.raw" <<-'EOF' > "$out/workers.dat"
	import collections, statistics as st, sys
	by = collections.defaultdict(list)
	for r, n, pps, cpps, oth, load in (l.split() for l in open(sys.argv[1])):
	    by[int(n)].append((int(pps), int(cpps)))
	for n in sorted(by):
	    w = sorted(v[0] for v in by[n]); c = sorted(v[1] for v in by[n])
	    print(n, int(st.median(w)), w[0], w[-1], int(st.median(c)), c[0], c[-1])
	EOF
	while read -r n m l h cm cl ch; do
		say "dpkitd event_dsw, $n worker(s), net_pcap: $m packets/s ($l-$h); per second of its workers' CPU $cm ($cl-$ch)"
	done < "$out/workers.dat"
	if command -v gnuplot > /dev/null; then
		gnuplot <<-EOF
			set terminal pngcairo size 640,400
			set output "$out/workers.png"
			set title "dpkitd event_dsw, two net_pcap ports, 256 flows ($ncpu CPUs)"
			set xlabel "workers"; set ylabel "Mpps"; set xtics 1
			set yrange [0:*]; set key bottom right
			plot "$out/workers.dat" using 1:(\$2/1e6):(\$3/1e6):(\$4/1e6) \\
				with yerrorlines title "wall clock, median (min-max)", \\
			     "" using 1:(\$5/1e6):(\$6/1e6):(\$7/1e6) \\
				with yerrorlines title "per second of the workers' CPU"
		EOF
		say "plot: $out/workers.png"
	else
		say "plot: skipped (no gnuplot; apt-get install gnuplot-nox)"
	fi
fi

# Instructions per packet under callgrind, over a window of the running
# application (bench/window.py --callgrind: callgrind_control zeroes, then
# dumps): the lcores' threads (not the main one, whose EAL start-up would
# count; eventdev_pipeline's main lcore forwards, and counts). dpkitd runs
# its stage two directly (bench/stage2.py): valgrind cannot follow stage
# one's exec of /proc/self/exe. The profiles stay in build/bench/callgrind.
cgsecs=${BENCH_CG_SECONDS:-30}
ipp() {	# ipp NAME
	local name=$1 d=$out/callgrind/$1 pk
	rm -rf "$d"
	mkdir -p "$d"
	exec 9> "$lock"
	flock 9
	set -- valgrind --tool=callgrind --separate-threads=yes \
		--compress-strings=no --compress-pos=no \
		--callgrind-out-file="$d/cg.out"
	case $name in
	dpkitd-*|nolink-*)	# app() writes $tmp/d.conf before it starts
		set -- python3 bench/stage2.py "$tmp/d.conf" "$@" ;;
	esac
	DPKITD_BIN=$out/cg/user/dpkitd NOLINK_BIN=$out/cgnolink/user/dpkitd \
		app "$name" "$@"
	for _ in $(seq 1 180); do
		[ -S "/var/run/dpdk/$prefix/dpdk_telemetry.v2" ] && break
		sleep 1
	done
	sleep 5
	pk=$(python3 bench/window.py --callgrind "$prefix" "$pid" "$cgsecs")
	# the dump is there: no final one at exit
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rm -rf "/var/run/dpdk/$prefix"
	exec 9>&-
	python3 - "$d" "$main_works" ${pk:-0 0 0} <<-'EOF'
	import collections, glob, os, sys
	d, main_works = sys.argv[1], sys.argv[2] == "1"
	lo, hi = int(sys.argv[4]), int(sys.argv[5])
	# Packets: net_null's tx frees each packet through a function of its
	# own (Debian's 22.11 build), so the calls to net_null's most called
	# function of its own are the packets sent in the window, exactly;
	# else the midpoint of the counters read around the window.
	ir, calls = 0, collections.Counter()
	for f in glob.glob(d + "/cg.out.*"):
	    if f.endswith("-01") and not main_works:
	        continue		# the main thread
	    ob = cob = cfn = None
	    for line in open(f):
	        if line.startswith("totals:"):
	            ir += int(line.split()[1])
	        elif line.startswith("ob="):
	            ob = os.path.basename(line[3:].strip())
	        elif line.startswith("cob="):
	            cob = os.path.basename(line[4:].strip())
	        elif line.startswith("cfn="):
	            cfn = line[4:].strip()
	        elif line.startswith("calls="):
	            if ob and ob.startswith("librte_net_null") and (cob or ob) == ob:
	                calls[cfn] += int(line[6:].split()[0])
	            cob = None
	pk = calls.most_common(1)[0][1] if calls else int(sys.argv[3])
	how = "net_null's frees" if calls else "counters"
	if pk <= 0 or lo <= 0:
	    print("no packets in the window (see the log)")
	else:
	    print("%d instructions per packet (%d packets (%s) in the window; "
	          "the counters read around it: %d-%d)" % (ir / pk, pk, how, lo, hi))
	EOF
}
# rx-mode adaptive under full load, against poll, in rounds that alternate
# the two (the machine's drift falls on both); issue 13 wants adaptive
# within 2% of poll.
if only idle; then
	say ""
	say "rx-mode adaptive against poll under full load (net_null never idles),"
	say "$runs rounds alternating the two; Mpps by the wall clock and per"
	say "second of the worker's CPU time, median (min-max); ratio adaptive/poll"
	say "round by round."
	: > "$out/idle.dat"
	for ev in none dsw; do
		for r in $(seq 1 "$runs"); do
			echo "$r $ev-poll $(measure "dpkitd-$ev")" >> "$out/idle.dat"
			echo "$r $ev-adaptive $(DPKITD_RX_MODE=adaptive \
				measure "dpkitd-$ev")" >> "$out/idle.dat"
		done
	done
	python3 - "$out/idle.dat" <<-'EOF' | tee -a "$out/results.txt"
	import collections, statistics as st, sys
	by = collections.defaultdict(dict)
	for r, app, pps, cpps, oth in (l.split() for l in open(sys.argv[1])):
	    by[app][r] = (int(pps), int(cpps))
	def med(v):
	    v = sorted(v)
	    return "%.3f (%.3f-%.3f)" % (st.median(v), v[0], v[-1]) if v else "-"
	for ev, name in (("none", "poll mode"), ("dsw", "event_dsw")):
	    p, a = by[ev + "-poll"], by[ev + "-adaptive"]
	    for k, what in ((0, "wall"), (1, "own CPU")):
	        print("dpkitd %s, %s: rx-mode poll %s Mpps, adaptive %s; "
	              "adaptive/poll %s" % (name, what,
	              med([v[k] / 1e6 for v in p.values()]),
	              med([v[k] / 1e6 for v in a.values()]),
	              med([a[r][k] / p[r][k] for r in a if r in p and p[r][k]])))
	EOF
	if [ "${BENCH_CALLGRIND:-1}" = 1 ] && command -v valgrind > /dev/null; then
		say "callgrind, dpkitd poll mode, rx-mode poll: $(ipp dpkitd-none)"
		say "callgrind, dpkitd poll mode, rx-mode adaptive: $(DPKITD_RX_MODE=adaptive ipp dpkitd-none)"
	fi
fi

if only callgrind && [ "${BENCH_CALLGRIND:-1}" = 1 ] &&
   command -v valgrind > /dev/null; then
	say ""
	say "Instructions per packet under callgrind, ${cgsecs} s windows; ratio:"
	say "testpmd's / the app's (the throughput ratio were instructions all"
	say "that counted)"
	ref=0
	# Only applications whose one lcore does all the work: valgrind runs
	# threads one at a time, so in a pipeline of threads (l2fwd-event's
	# eventdev mode, eventdev_pipeline) a stage spinning on an empty
	# queue counts instructions for packets it never gets.
	for a in ${BENCH_CG_APPS:-testpmd l2fwd-poll dpkitd-none nolink-none \
		 dpkitd-dsw dpkitd-sw}; do
		r=$(ipp "$a")
		v=${r%% *}
		[ "$a" = testpmd ] && ref=$v
		case $v in
		*[!0-9]*|"") say "callgrind, $a: $r" ;;
		*) say "$(printf 'callgrind, %-12s %s; ratio %s' "$a:" "$r" \
			"$(python3 -c "print('%.2f' % ($ref / $v) if $ref else '-')")")" ;;
		esac
	done
fi
say ""
say "bench: $(( $(date +%s) - t_start )) s; load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
say "results: $out/results.txt"
