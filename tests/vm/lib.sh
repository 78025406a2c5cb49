# SPDX-License-Identifier: GPL-2.0
#
# Sourced by every VM scenario: TAP output that scripts/vm/vmrun.py counts,
# and the channel to the host (QEMU monitor commands such as set_link).
#
#   check "what is checked" command args...   ok when the command succeeds
#   check_not "what" command args...          ok when the command fails
#   host set_link k0 off                      run a command on the host
#   wait_for 10 command args...               poll until it succeeds
#   netdev_by_mac 52:54:00:dc:01:00           a test NIC's netdev name
#   threads PID; privileges FILE UID          each thread's privileges
#   bounded 30 command args...                the command, or 124 (and the
#                                             stuck tasks' stacks) after 30 s
#   vm_param NAME DEFAULT                     dpkitvm.NAME= of the kernel
#                                             command line (vmrun.py --append)
#   finish                                    print the plan, exit 0/1

DPKIT_BUILD=${DPKIT_BUILD:-$DPKIT_TOP/build}
DPKITCTL=$DPKIT_BUILD/user/dpkitctl
PROBE=$DPKIT_BUILD/tests/ioctl_probe
PROBE32=$DPKIT_BUILD/tests/ioctl_probe32
LINKPROBE=$DPKIT_BUILD/tests/linkprobe
KREGRESS=$DPKIT_BUILD/tests/kregress
IOCTL_FUZZ=$DPKIT_BUILD/tests/ioctl_fuzz
IOCTL_FUZZ32=$DPKIT_BUILD/tests/ioctl_fuzz32
KSTRESS=$DPKIT_BUILD/tests/kstress
PERMCHECK=$DPKIT_BUILD/tests/permcheck
# The module built for the running kernel (scripts/check.sh passes the
# directory of each kernel's build on the guest's command line).
DPKIT_KO=${DPKIT_KMOD:-$DPKIT_TOP/kmod}/dpkit.ko
_tap_n=0
_tap_failed=0

ok() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $*"
}

not_ok() {
	_tap_n=$((_tap_n + 1))
	_tap_failed=$((_tap_failed + 1))
	echo "not ok $_tap_n - $*"
}

skip() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $* # SKIP"
}

check() {
	local what=$1 out
	shift
	if out=$("$@" 2>&1); then
		ok "$what"
	else
		not_ok "$what"
		{ echo "\$ $*"; echo "$out"; } | sed 's/^/#   /' | head -n 20
	fi
}

# check_log "what" command args...: as check, and the command's output is
# shown (as comments) either way: for tests whose figures are worth a look.
check_log() {
	local what=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	echo "$out" | sed 's/^/# /'
	if [ "$rc" -eq 0 ]; then ok "$what"; else not_ok "$what"; fi
}

check_not() {
	local what=$1 out
	shift
	if out=$("$@" 2>&1); then
		not_ok "$what"
		{ echo "\$ $*"; echo "$out"; } | sed 's/^/#   /' | head -n 20
	else
		ok "$what"
	fi
}

# wait_for SECONDS command args...: poll until the command succeeds.
wait_for() {
	local deadline=$(( $(date +%s) + $1 ))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$deadline" ] || return 1
		sleep 0.2
	done
}

# netns_pair A B: the kernel netdevs A and B into network namespaces na and
# nb, with 192.0.2.1/24 and 192.0.2.2/24, up; ping_ab pings nb from na.
netns_pair() {
	ip netns add na && ip netns add nb
	ip link set "$1" netns na && ip link set "$2" netns nb
	ip -n na addr add 192.0.2.1/24 dev "$1" && ip -n na link set "$1" up
	ip -n nb addr add 192.0.2.2/24 dev "$2" && ip -n nb link set "$2" up
}
ping_ab() { ip netns exec na ping -c 1 -W 2 192.0.2.2; }

# netdev_by_mac MAC: the kernel netdev of a test NIC (vmrun.py gives NIC i
# on hub h the MAC 52:54:00:dc:hh:ii).
netdev_by_mac() {
	local d
	for d in /sys/class/net/*; do
		[ "$(cat "$d/address" 2>/dev/null)" = "$1" ] && { echo "${d##*/}"; return 0; }
	done
	return 1
}

# bdf_of_netdev IF: the PCI address of a netdev's device (through virtio).
bdf_of_netdev() {
	local p
	p=$(readlink -f "/sys/class/net/$1/device") || return 1
	case "${p##*/}" in virtio*) p=${p%/*} ;; esac
	echo "${p##*/}"
}

# driver_of BDF: the driver bound to a PCI device, or "none".
driver_of() {
	local d
	d=$(readlink "/sys/bus/pci/devices/$1/driver") && echo "${d##*/}" ||
		echo none
}

# threads PID: "TID NAME UID CAPINH CAPPRM CAPEFF CAPBND CAPAMB NNP SECCOMP"
# for every thread of PID, from /proc/PID/task/TID/status.
threads() {
	local t
	for t in /proc/"$1"/task/*; do
		awk -v tid="${t##*/}" -v name="$(cat "$t/comm")" '
			$1 == "Uid:" { uid = $2 }
			$1 == "CapInh:" { inh = $2 } $1 == "CapPrm:" { prm = $2 }
			$1 == "CapEff:" { eff = $2 } $1 == "CapBnd:" { bnd = $2 }
			$1 == "CapAmb:" { amb = $2 } $1 == "NoNewPrivs:" { nnp = $2 }
			$1 == "Seccomp:" { sc = $2 }
			END { print tid, name, uid, inh, prm, eff, bnd, amb, nnp, sc }' \
			"$t/status"
	done
}

# privileges FILE UID: every thread in FILE (lines of `threads`) has uid
# UID, no capability and no-new-privs; the lcore threads (rte-worker-N:
# workers and service lcores) run under seccomp (2), the others not (0)
# (Documentation/dpkitd.rst, "Privileges").
privileges() {
	awk -v uid="$2" '
		{ caps = $4 $5 $6 $7 $8 }
		caps !~ /^0+$/ || $3 != uid || $9 != 1 { print "privileged:", $0; bad = 1 }
		$2 ~ /^rte-worker-/ && $10 != 2 { print "no filter:", $0; bad = 1 }
		$2 !~ /^rte-worker-/ && $10 != 0 { print "filtered:", $0; bad = 1 }
		END { exit bad }' "$1"
}

# fallback_logged LOG PORT...: dpkitd's LOG says, for each PORT (rx-mode
# adaptive on a PMD without rx interrupts, such as net_ring), that the
# port has none and how its idle worker parks instead: sleeps or pauses, or
# monitoring, up to 68 us, the time its 1024 rx descriptors take to fill at
# its 10 Gb/s (Documentation/dpkitd.rst, "Idle"). Prints the first line.
fallback_logged() {
	local log=$1 port
	shift
	for port; do
		grep -E "port $port: rx-mode adaptive: no rx interrupts" "$log" |
			grep -E 'park in (sleeps|pauses)|monitoring' |
			grep -q 'up to 68 us (1024 rx descriptors at its link speed' ||
			return 1
	done
	grep -m1 'rx-mode adaptive: no rx interrupts' "$log"
}

# The virtio-serial port named dpkit.host (no udev in the guest).
_host_port() {
	local p
	for p in /sys/class/virtio-ports/*; do
		[ "$(cat "$p/name" 2>/dev/null)" = dpkit.host ] &&
			{ echo "/dev/${p##*/}"; return 0; }
	done
	return 1
}

# host CMD...: ask the harness to run CMD (see vmrun.py HOST_COMMANDS).
host() {
	local port reply
	port=$(_host_port) || { echo "host: no dpkit.host port" >&2; return 1; }
	exec 4<>"$port"
	echo "$*" >&4
	read -r -t 30 reply <&4
	exec 4>&-
	case "$reply" in
	ok*) return 0 ;;
	*) echo "host: $*: ${reply:-no reply}" >&2; return 1 ;;
	esac
}

# vm_param NAME DEFAULT: dpkitvm.NAME=VALUE from the kernel command line
# (vmrun.py --append), else DEFAULT.
vm_param() {
	local arg
	for arg in $(cat /proc/cmdline); do
		case "$arg" in
		"dpkitvm.$1="*) echo "${arg#*=}"; return 0 ;;
		esac
	done
	echo "$2"
}

# task_state PID: its state letter (R, S, D, Z, ...), empty when gone.
task_state() {
	sed -n 's/^.*) \(.\).*/\1/p' "/proc/$1/stat" 2>/dev/null
}

# dump_task PID: every thread's state, wchan and kernel stack, as comments.
dump_task() {
	local t
	for t in /proc/"$1"/task/*; do
		[ -d "$t" ] || continue
		echo "#   task $1/${t##*/} ($(cat "$t/comm" 2>/dev/null)) state" \
			"$(sed -n 's/^.*) \(.\).*/\1/p' "$t/stat" 2>/dev/null)" \
			"wchan $(cat "$t/wchan" 2>/dev/null)"
		sed 's/^/#     /' "$t/stack" 2>/dev/null
	done
}

# dump_blocked: every task in D state (uninterruptible), with its stack.
dump_blocked() {
	local s p n=0
	for s in /proc/[0-9]*/task/[0-9]*/stat; do
		[ "$(sed -n 's/^.*) \(.\).*/\1/p' "$s" 2>/dev/null)" = D ] || continue
		p=${s#/proc/}
		p=${p%%/*}
		dump_task "$p"
		n=$((n + 1))
	done
	[ "$n" -gt 0 ] || echo "#   (no task in D state)"
}

# bounded SECS command args...: run the command; its status, or 124 when it
# is still running after SECS seconds. A hang prints the command's tasks
# and every task in D state with their kernel stacks, and leaves the
# command behind (SIGKILL does not end a task in D state). The command's
# output (stdout and stderr) goes through a file, so that a command left
# behind holds no pipe of the caller's (a $(...) would wait for it).
bounded() {
	local secs=$1 pid i out rc
	shift
	out=$(mktemp)
	"$@" > "$out" 2>&1 < /dev/null &
	pid=$!
	for ((i = 0; i < secs * 5; i++)); do
		case "$(task_state "$pid")" in
		""|Z)
			wait "$pid"
			rc=$?
			cat "$out"
			rm -f "$out"
			return $rc ;;
		esac
		sleep 0.2
	done
	cat "$out"
	echo "# HANG: '$*' still running after $secs s:"
	dump_task "$pid"
	echo "# every task in D state:"
	dump_blocked
	kill -9 "$pid" 2>/dev/null
	return 124
}

# state_snapshot FILE: what dpkit.ko changes and must put back: the driver
# and override of each PCI network device, every IRQ's affinity (number,
# handlers, mask), /proc/irq/default_smp_affinity, the workqueue cpumask.
state_snapshot() {
	local d
	{
		for d in /sys/bus/pci/devices/*; do
			case "$(cat "$d/class")" in
			0x02*) echo "nic ${d##*/} $(driver_of "${d##*/}")" \
				"$(cat "$d/driver_override")" ;;
			esac
		done
		echo "default_smp_affinity $(cat /proc/irq/default_smp_affinity)"
		echo "workqueue_cpumask $(cat /sys/devices/virtual/workqueue/cpumask)"
		find /proc/irq -mindepth 2 -maxdepth 2 -type d | sort -V |
			awk -F/ '{ h[$4] = h[$4] "," $5 } END { for (i in h) print "handlers", i, substr(h[i], 2) }'
		grep -H . /proc/irq/[0-9]*/smp_affinity |
			awk -F'[/:]' '{ print "mask", $4, $6 }'
	} > "$1"
}

# state_same BEFORE: the state now is the one saved in BEFORE. An IRQ
# that exists only now, or has other handlers (a NIC that was rebound gets
# new vectors), must be on the default affinity.
state_same() {
	state_snapshot "$1.now"
	python3 - "$1" "$1.now" <<-'EOF'
	import sys
	def load(path):
	    s = {"nic": {}, "handlers": {}, "mask": {}}
	    for line in open(path):
	        w = line.split()
	        if w[0] in s:
	            s[w[0]][w[1]] = " ".join(w[2:])
	        else:
	            s[w[0]] = " ".join(w[1:])
	    return s
	a, b = load(sys.argv[1]), load(sys.argv[2])
	bad = []
	for k in ("default_smp_affinity", "workqueue_cpumask"):
	    if a[k] != b[k]:
	        bad.append(f"{k}: {a[k]} -> {b[k]}")
	if a["nic"] != b["nic"]:
	    bad.append(f"NIC drivers: {a['nic']} -> {b['nic']}")
	for irq, mask in sorted(b["mask"].items(), key=lambda i: int(i[0])):
	    h = b["handlers"].get(irq)
	    if not h:
	        continue
	    if a["handlers"].get(irq) == h:
	        if a["mask"].get(irq) != mask:
	            bad.append(f"IRQ {irq} ({h}): {a['mask'][irq]} -> {mask}")
	    elif mask != b["default_smp_affinity"]:
	        bad.append(f"new IRQ {irq} ({h}) on {mask}, not on the default")
	print("\n".join(bad))
	sys.exit(1 if bad else 0)
	EOF
}

# A kernel that oopsed, warned or reported (lockdep, KASAN, debug objects,
# a hung task, an RCU stall) is a failed test even if every check passed.
# On a kernel with kmemleak, a scan must find no leak allocated by dpkit
# (leaks elsewhere in the kernel are printed, not counted: they are not ours).
KERNEL_REPORTS='WARNING:|BUG:|Oops|Call Trace|UBSAN|KASAN|ODEBUG|possible circular locking|possible recursive locking|inconsistent lock state|blocked for more than|detected stall'
check_dmesg_clean() {
	local leaks
	if dmesg | grep -E "$KERNEL_REPORTS" >/dev/null; then
		not_ok "kernel log has no warnings, oopses or checker reports"
		dmesg | grep -E -A12 "$KERNEL_REPORTS" | head -n 60 | sed 's/^/# /'
	else
		ok "kernel log has no warnings, oopses or checker reports"
	fi
	[ -w /sys/kernel/debug/kmemleak ] || return 0
	echo scan > /sys/kernel/debug/kmemleak
	echo scan > /sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak > /tmp/kmemleak.txt
	leaks=$(awk '/^unreferenced object/ { if (blk ~ /dpkit/) n++; blk = "" }
		     { blk = blk $0 "\n" } END { if (blk ~ /dpkit/) n++; print n + 0 }' \
		/tmp/kmemleak.txt)
	echo "# kmemleak: $(grep -c '^unreferenced object' /tmp/kmemleak.txt) suspected leaks in all, $leaks from dpkit"
	if [ "$leaks" -eq 0 ]; then
		ok "kmemleak finds no leak allocated by dpkit"
	else
		not_ok "kmemleak finds no leak allocated by dpkit"
		sed 's/^/# /' /tmp/kmemleak.txt | head -n 60
	fi
}

finish() {
	echo "1..$_tap_n"
	[ "$_tap_failed" -eq 0 ]
}
