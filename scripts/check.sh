#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/check.sh [TIER...]: run dpkit's test tiers and count their results.
# With no argument (`make check`) it installs the dependencies and runs them
# all, in this order:
#
#   build    dpkit.ko with W=1 and no warnings for every kernel of the
#            matrix (6.1, 6.12, 6.12-rt), userspace with -Werror, make
#            install, make deb and lintian, the systemd unit (verify,
#            security score), bash completion, the worker rules
#            (tests/build/worker-rules.sh), the UAPI layout for 32-bit
#            callers
#   lint     checkpatch --strict on every kernel source and the UAPI header;
#            one thread-spawn site in user/
#   unit     cmocka suites under ASan + UBSan (tests/unit)
#   fuzz     libFuzzer targets, a few seconds each (tests/fuzz; make soak:
#            longer), their regression inputs first
#   host     dpkitd on the host with DPDK vdevs, no module (tests/host)
#   kunit    KUnit suites in a VM on the cached test kernel (tests/kunit)
#   harness  the VM harness turns a panic and a hang into failures
#   vm       every tests/vm/[0-9]*.sh scenario on the Debian kernel (6.1)
#   matrix   the named subsets of scenarios on 6.12 and 6.12-rt
#   debug    the kernel scenarios on the debug kernel (lockdep, KASAN,
#            kmemleak, debug objects, hung tasks, panic_on_warn), with the
#            ioctl fuzzer and the stress scenario, which run only there
#
# and, only when named (`make soak`), ksoak: the ioctl fuzzer's 1,000,000
# calls and a 10-minute stress run on the debug kernel; vmsoak: the VM
# scenarios too long for CI's budget (soak_only) on the Debian kernel.
#
# The last line is "N passed, N failed, N skipped" over every tier; the exit
# status is non-zero when anything failed. A tier that cannot run here says
# "SKIPPED: reason" and counts as skipped, never as passed.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
O=${O:-build}
results=$O/results
kver=$(scripts/kver.sh 2>/dev/null || true)
all_tiers="build lint unit fuzz host kunit harness vm matrix debug"
extra_tiers="ksoak vmsoak"

# The kernel matrix (Documentation/testing.rst): every scenario runs on 6.1;
# these run on the other kernels too.
matrix_series="6.12 6.12-rt"
declare -A matrix_scenarios=(
	[6.12]="01-module-load 04-nic 05-isolate 08-kernel-regressions"
	[6.12-rt]="03-link-state 08-kernel-regressions"
)
# The fuzzer and the stress run on the debug kernel only (the vm tier skips
# them): what they look for, its checkers report.
debug_only="21-fuzz 22-stress"
debug_in_check="21-fuzz 22-stress"
# Scenarios too long for CI's budget: `make soak` runs them (tier vmsoak).
# 10-packages: 8-10 minutes under TCG (the DKMS build in the guest); the
# build tier checks the packages, lintian and the DKMS tree on the host.
soak_only="24-idle 10-packages"
debug_scenarios="08-kernel-regressions $debug_in_check"
tiers=${*:-$all_tiers}

mkdir -p "$results"

say() { printf '\n=== %s\n' "$*"; }

# record TIER PASSED FAILED SKIPPED: the tier's counts, and its time since
# the tier started (tier_start, set by the loop below).
record() {
	local secs=$(( $(date +%s) - ${tier_start:-$(date +%s)} ))
	echo "$2 $3 $4 $secs" > "$results/$1"
	echo "--- $1: $2 passed, $3 failed, $4 skipped ($secs s)"
}

skipped() {
	echo "SKIPPED: $1: $2"
	record "$1" 0 0 1
}

# Count top-level TAP lines on stdin; prints "PASSED FAILED SKIPPED".
tap_count() {
	awk '/^ok /   { if ($0 ~ /# [Ss][Kk][Ii][Pp]/) s++; else p++ }
	     /^not ok / { if ($0 ~ /# [Ss][Kk][Ii][Pp]/) s++; else f++ }
	     END { printf "%d %d %d\n", p, f, s }'
}

vm_tools_missing() {
	[ "$(uname -m)" = x86_64 ] || { echo "not an x86_64 host"; return 0; }
	command -v qemu-system-x86_64 >/dev/null ||
		{ echo "qemu-system-x86_64 is not installed"; return 0; }
	[ -x /bin/busybox ] || { echo "busybox-static is not installed"; return 0; }
	return 1
}

# make install into a scratch DESTDIR, then use what it installed. A
# subshell: nothing leaks into the caller.
check_install() (
	d=$(mktemp -d)
	trap 'rm -rf "$d"' EXIT
	make --no-print-directory install DESTDIR="$d" PREFIX=/usr/local || exit 1
	ver=$(ls "$d/usr/src" | sed -n 's/^dpkit-//p')
	for file in usr/local/sbin/dpkitctl usr/local/sbin/dpkitd \
		    etc/systemd/system/dpkitd.service etc/systemd/system/dpkit-metrics.service \
		    usr/local/lib/libdpkit.so.0 \
		    usr/local/share/man/man8/dpkitd.8 usr/local/share/man/man5/dpkitd.conf.5 \
		    usr/local/share/bash-completion/completions/dpkitctl \
		    usr/local/include/linux/dpkit.h usr/local/share/man/man8/dpkitctl.8 \
		    etc/udev/rules.d/60-dpkit.rules "usr/src/dpkit-$ver/dkms.conf"; do
		[ -e "$d/$file" ] || { echo "missing: $file"; exit 1; }
	done
	printf '#include <errno.h>\n#include <libdpkit.h>\nint main(void) { struct dpkit *dk;\n%s\n}\n' \
		'return dpkit_open("/nonexistent", &dk) == -ENOENT ? 0 : 1;' > "$d/t.c"
	PKG_CONFIG_PATH="$d/usr/local/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$d" \
		sh -c 'cc -Wall -Werror "$1/t.c" -o "$1/t" $(pkg-config --cflags --libs libdpkit)' _ "$d" ||
		exit 1
	LD_LIBRARY_PATH="$d/usr/local/lib" "$d/t" || { echo "the installed library failed"; exit 1; }
	make -C "$kver_kdir" M="$d/usr/src/dpkit-$ver/kmod" CONFIG_DPKIT=m modules &&
		[ -f "$d/usr/src/dpkit-$ver/kmod/dpkit.ko" ]
)

# The systemd unit as `make install` renders it, pointing at this build's
# dpkitd: systemd-analyze verifies it and scores its sandboxing (the score
# must stay at or below the threshold; Documentation/admin-guide.rst).
unit_security_threshold=3.0
check_unit() {
	local unit=$O/unit/dpkitd.service out score
	mkdir -p "$O/unit"
	sed "s|@SBINDIR@|$top/$O/user|g" packaging/dpkitd.service.in > "$unit"
	if out=$(systemd-analyze verify --man=no "$unit" 2>&1) && [ -z "$out" ]; then
		echo "ok - systemd-analyze verify dpkitd.service"; p=$((p + 1))
	else
		echo "$out" | sed 's/^/# /'
		echo "not ok - systemd-analyze verify dpkitd.service"; f=$((f + 1))
	fi
	out=$(systemd-analyze security --offline=true "$unit" 2>&1)
	score=$(echo "$out" | sed -n 's/.*Overall exposure level for dpkitd.service: \([0-9.]*\).*/\1/p')
	if [ -n "$score" ] && awk "BEGIN { exit !($score <= $unit_security_threshold) }"; then
		echo "ok - systemd-analyze security dpkitd.service: exposure $score (at most $unit_security_threshold)"
		p=$((p + 1))
	else
		echo "$out" | grep -v '✓' | sed 's/^/# /'
		echo "not ok - systemd-analyze security dpkitd.service: exposure ${score:-?} (at most $unit_security_threshold)"
		f=$((f + 1))
	fi
}

# make deb, then lintian on what it built: errors fail, the rest is listed.
check_deb() {
	local log=$results/build-deb.log lint=$results/build-lintian.log n e w i
	if ! make --no-print-directory deb O="$O" > "$log" 2>&1; then
		tail -n 20 "$log"
		echo "not ok - make deb builds the packages ($log)"; f=$((f + 1))
		return
	fi
	n=$(ls "$O"/deb/*.deb | grep -vc -- '-dbgsym_')
	echo "ok - make deb builds $n packages: $(cd "$O/deb" && ls *.deb | grep -v -- '-dbgsym_' | tr '\n' ' ')"
	p=$((p + 1))
	lintian --info --display-info --pedantic "$O"/deb/*.changes > "$lint" 2>&1
	grep -E '^[EWIP]: ' "$lint" | sed 's/^/# lintian: /'
	e=$(grep -c '^E: ' "$lint"); w=$(grep -c '^W: ' "$lint")
	i=$(grep -c '^[IP]: ' "$lint")
	if [ "$e" -eq 0 ]; then
		echo "ok - lintian: no errors ($w warnings, $i info/pedantic)"; p=$((p + 1))
	else
		echo "not ok - lintian: $e errors ($lint)"; f=$((f + 1))
	fi
}

# The bash completion offers what `dpkitctl --help` lists.
check_completion() {
	local out want='nic|list bind restore apply|--listen --format --help|kernel dpdk'
	if [ ! -f /usr/share/bash-completion/bash_completion ]; then
		echo "ok - bash completion # SKIP bash-completion is not installed"
		s=$((s + 1))
		return
	fi
	out=$(PATH=$top/$O/user:$PATH bash -c '
		. /usr/share/bash-completion/bash_completion
		. packaging/dpkitctl.bash-completion
		for line in "dpkitctl ni" "dpkitctl nic " "dpkitctl metrics --" \
			    "dpkitctl --json link dump "; do
			COMP_LINE=$line COMP_POINT=${#line}
			read -ra COMP_WORDS <<< "$line"
			[[ $line == *" " ]] && COMP_WORDS+=("")
			COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
			COMPREPLY=()
			_dpkitctl
			printf "%s|" "${COMPREPLY[*]}"
		done' 2>&1)
	if [ "$out" = "$want|" ]; then
		echo "ok - bash completion: commands, an object's commands, options"
		p=$((p + 1))
	else
		echo "# got:  $out"
		echo "# want: $want|"
		echo "not ok - bash completion: commands, an object's commands, options"
		f=$((f + 1))
	fi
}

tier_build() {
	local p=0 f=0 s=0 log=$results/build-kmod.log

	say "build: dpkit.ko for $kver with W=1"
	if make --no-print-directory kmod > "$log" 2>&1 &&
	   ! grep -q 'warning:' "$log"; then
		echo "ok - dpkit.ko builds with W=1 and no warnings ($kver)"; p=$((p + 1))
	else
		grep -E 'warning:|error:' "$log" | head -n 20
		echo "not ok - dpkit.ko builds with W=1 and no warnings ($kver, $log)"
		f=$((f + 1))
	fi
	local series rel
	for series in $matrix_series; do
		say "build: dpkit.ko for the $series kernel with W=1"
		if ! rel=$(scripts/kver.sh "$series"); then
			echo "not ok - no $series kernel with headers and image (scripts/deps.sh)"
			f=$((f + 1))
			continue
		fi
		log=$results/build-kmod-$rel.log
		if kmod_for "$rel" > "$log" 2>&1 && ! grep -q 'warning:' "$log"; then
			echo "ok - dpkit.ko builds with W=1 and no warnings ($rel)"
			p=$((p + 1))
		else
			grep -E 'warning:|error:' "$log" | head -n 20
			echo "not ok - dpkit.ko builds with W=1 and no warnings ($rel, $log)"
			f=$((f + 1))
		fi
		echo "# $rel: $(grep -o 'DPKIT_HAVE_[A-Z_]*' "$O/kmod/$rel/.main.o.cmd" 2>/dev/null | sort -u | tr '\n' ' ')"
	done

	say "build: userspace with -Werror"
	if make --no-print-directory user unit-build > "$results/build-user.log" 2>&1; then
		echo "ok - userspace builds with -Werror"; p=$((p + 1))
	else
		grep -E 'warning:|error:' "$results/build-user.log" | head -n 20
		echo "not ok - userspace builds with -Werror"; f=$((f + 1))
	fi

	say "build: make install, a program against it, the DKMS tree"
	if check_install > "$results/build-install.log" 2>&1; then
		echo "ok - make install; libdpkit.pc builds a program; the DKMS tree builds dpkit.ko"
		p=$((p + 1))
	else
		tail -n 20 "$results/build-install.log"
		echo "not ok - make install; libdpkit.pc builds a program; the DKMS tree builds dpkit.ko"
		f=$((f + 1))
	fi

	say "build: the packages (make deb, lintian) and the systemd unit"
	check_deb
	check_unit
	check_completion

	# The worker rules: each banned call fails to compile in a worker
	# translation unit and in a user stage; every lock wrapper counts.
	say "build: the worker rules (tests/build/worker-rules.sh)"
	local tap_p=0 tap_f=0 tap_s=0
	tap_run worker-rules.sh bash tests/build/worker-rules.sh
	p=$((p + tap_p)); f=$((f + tap_f)); s=$((s + tap_s))

	if echo 'int main(void){return 0;}' | cc -m32 -x c - -o /dev/null 2>/dev/null; then
		if echo '#include "uapi_layout.h"' | cc -m32 -fsyntax-only \
			-Iinclude/uapi -Itests/unit -x c -; then
			echo "ok - UAPI layout is identical for 32-bit callers"; p=$((p + 1))
		else
			echo "not ok - UAPI layout is identical for 32-bit callers"; f=$((f + 1))
		fi
	else
		echo "SKIPPED: 32-bit UAPI layout check: no -m32 toolchain (gcc-multilib)"
		s=$((s + 1))
	fi
	record build $p $f $s
}

tier_lint() {
	local p=0 f=0 cp file out n

	say "lint: checkpatch --strict"
	cp=$(ls "${DPKIT_CACHE:-$HOME/.cache/dpkit}"/linux-source-6.1-*/scripts/checkpatch.pl \
		/usr/src/linux-source-*/scripts/checkpatch.pl 2>/dev/null | head -n 1)
	if [ -z "$cp" ]; then
		scripts/testkernel.sh >/dev/null || true	# unpacks the source
		cp=$(ls "${DPKIT_CACHE:-$HOME/.cache/dpkit}"/linux-source-6.1-*/scripts/checkpatch.pl \
			2>/dev/null | head -n 1)
	fi
	if [ -z "$cp" ]; then
		skipped lint "no checkpatch.pl (linux-source-6.1 is not unpacked)"
		return
	fi
	for file in $(git ls-files 'kmod/*.c' 'kmod/*.h' 'include/uapi/*.h' 2>/dev/null ||
		      find kmod include -name '*.[ch]'); do
		# checkpatch exits non-zero on findings: look at what it says.
		out=$(perl "$cp" --strict --no-tree --terse --show-types -f "$file" 2>&1)
		out=$(echo "$out" | grep -E 'ERROR|WARNING|CHECK')
		if [ -n "$out" ]; then
			echo "$out" | head -n 10
			echo "not ok - checkpatch --strict $file"; f=$((f + 1))
		else
			echo "ok - checkpatch --strict $file"; p=$((p + 1))
		fi
	done

	# Documentation: every page parses as reStructuredText, without warnings.
	for file in Documentation/*.rst; do
		if out=$(python3 - "$file" 2>&1 <<-'EOF'
			import io, sys, docutils.core
			err = io.StringIO()
			docutils.core.publish_doctree(open(sys.argv[1]).read(),
				settings_overrides={"warning_stream": err, "report_level": 2})
			sys.exit(err.getvalue() or 0)
			EOF
		); then
			echo "ok - $file is valid reStructuredText"; p=$((p + 1))
		else
			echo "$out" | head -n 10
			echo "not ok - $file is valid reStructuredText"; f=$((f + 1))
		fi
	done

	# DESIGN.md: threads are created through one spawn function only.
	n=$(grep -rn 'pthread_create(' user/ 2>/dev/null | grep -vc 'pragma GCC poison')
	if [ "$n" -le 1 ]; then
		echo "ok - at most one pthread_create site under user/ ($n)"; p=$((p + 1))
	else
		grep -rn 'pthread_create' user/
		echo "not ok - at most one pthread_create site under user/ ($n)"; f=$((f + 1))
	fi
	record lint $p $f 0
}

# tap_run NAME COMMAND...: run a test that prints TAP (300 s at most), show
# its output and add its counts to tap_p, tap_f, tap_s; a non-zero exit
# without a "not ok" line is one failure.
tap_run() {
	local name=$1 out rc tp tf ts
	shift
	out=$(timeout 300 "$@" 2>&1)
	rc=$?
	echo "$out"
	read -r tp tf ts <<< "$(echo "$out" | tap_count)"
	if [ "$rc" -ne 0 ] && [ "$tf" -eq 0 ]; then
		echo "not ok - $name exited with status $rc"
		tf=1
	fi
	tap_p=$((tap_p + tp)); tap_f=$((tap_f + tf)); tap_s=$((tap_s + ts))
}

tier_unit() {
	local t tap_p=0 tap_f=0 tap_s=0

	say "unit: cmocka under ASan + UBSan"
	if ! make --no-print-directory unit-build > "$results/unit-build.log" 2>&1; then
		tail -n 20 "$results/unit-build.log"
		echo "not ok - unit tests build"
		record unit 0 1 0
		return
	fi
	for t in "$O"/tests/unit/test_*; do
		[ -x "$t" ] || continue
		tap_run "$(basename "$t")" env CMOCKA_MESSAGE_OUTPUT=TAP \
			ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
			UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 "$t"
	done
	record unit $tap_p $tap_f $tap_s
}

tier_host() {
	local t tap_p=0 tap_f=0 tap_s=0

	say "host: dpkitd with DPDK vdevs (no module, no hugepages)"
	if [ "$(id -u)" != 0 ]; then
		skipped host "needs root (DPDK's EAL)"
		return
	fi
	# One dpkitd per host: another run of these tests on the machine (a
	# second checkout, bench/run.sh) waits for this lock rather than
	# colliding with ours.
	exec 8> /tmp/dpkit-host.lock
	flock 8
	for t in tests/host/[0-9]*.sh; do
		tap_run "$(basename "$t")" env DPKIT_TOP="$top" \
			DPKIT_BUILD="$top/$O" bash "$t"
	done
	flock -u 8
	exec 8>&-
	record host $tap_p $tap_f $tap_s
}

# libFuzzer targets (tests/fuzz): each replays its regression inputs (every
# crash found and fixed), then fuzzes FUZZ_SECONDS (default 8; make soak:
# 600) from the seed corpus and what earlier runs kept in $O/fuzz/corpus.
# Prints the executions per target (Documentation/reliability.rst).
tier_fuzz() {
	local t name p=0 f=0 secs=${FUZZ_SECONDS:-8} log execs reg n rc

	say "fuzz: libFuzzer targets under ASan + UBSan, $secs s each"
	if ! command -v "${FUZZ_CC:-clang-14}" >/dev/null; then
		skipped fuzz "no clang (scripts/deps.sh installs clang-14 and libfuzzer-14-dev)"
		return
	fi
	if ! make --no-print-directory fuzz-build > "$results/fuzz-build.log" 2>&1; then
		grep -E 'error' "$results/fuzz-build.log" | head -n 20
		echo "not ok - the fuzz targets build"
		record fuzz 0 1 0
		return
	fi
	mkdir -p "$O/fuzz/crashes"
	: > "$results/fuzz-figures"
	for t in "$O"/fuzz/fuzz_*; do
		name=${t##*/fuzz_}
		log=$O/fuzz/$name.log
		reg=tests/fuzz/regressions/$name
		n=$(find "$reg" -type f 2>/dev/null | wc -l)
		if [ "$n" -gt 0 ]; then
			if "$t" "$reg"/* > "$log" 2>&1; then
				echo "ok - fuzz_$name: its $n regression inputs pass"
				p=$((p + 1))
			else
				grep -E 'ERROR|fuzz:|SUMMARY' "$log" | head -n 10
				echo "not ok - fuzz_$name: its $n regression inputs pass ($log)"
				f=$((f + 1))
			fi
		fi
		mkdir -p "$O/fuzz/corpus/$name"
		"$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
			-print_final_stats=1 -artifact_prefix="$O/fuzz/crashes/$name-" \
			"$O/fuzz/corpus/$name" "tests/fuzz/corpus/$name" > "$log" 2>&1
		rc=$?
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		echo "$name ${execs:-0} $secs $rc" >> "$results/fuzz-figures"
		if [ "$rc" -eq 0 ]; then
			echo "ok - fuzz_$name: ${execs:-0} executions in $secs s, nothing found"
			p=$((p + 1))
		else
			grep -E 'ERROR|fuzz:|SUMMARY|Test unit written' "$log" | head -n 10
			echo "not ok - fuzz_$name: a finding after ${execs:-?} executions" \
				"(the input is in $O/fuzz/crashes; keep it in $reg once fixed)"
			f=$((f + 1))
		fi
	done
	record fuzz $p $f 0
}

# vm_run NAME SCENARIO KERNEL INITRD [vmrun.py options]: one VM run; leaves
# its counts in $results/vm-NAME.
vm_run() {
	local name=$1 scenario=$2 kernel=$3 initrd=$4
	shift 4
	python3 scripts/vm/vmrun.py "$scenario" --name "$name" --top "$top" \
		--kernel "$kernel" --initrd "$initrd" \
		--logdir "$O/vm/logs/$name" "$@"
	cp "$O/vm/logs/$name/result" "$results/vm-$name" 2>/dev/null ||
		echo "0 1 0" > "$results/vm-$name"
}

# stock_initrd [REL]: the initramfs for a Debian kernel (default: $kver).
stock_initrd() {
	local rel=${1:-$kver} initrd
	initrd=$O/vm/initrd-$rel.gz
	if [ ! -f "$initrd" ] || [ scripts/vm/init.sh -nt "$initrd" ] ||
	   [ scripts/vm/mkinitrd.sh -nt "$initrd" ]; then
		mkdir -p "$O/vm"
		scripts/vm/mkinitrd.sh "$rel" "$initrd" || return 1
	fi
	echo "$initrd"
}

# kmod_for REL: dpkit.ko for Debian kernel REL, in $O/kmod/REL: a test
# build (DPKIT_TEST_HOOKS: parameters that widen race windows, all closed
# unless set), so that the matrix runs every check of the scenarios.
kmod_for() {
	make --no-print-directory kmod-for KVER="$1" DPKIT_TEST_HOOKS=1 \
		KDIR="/usr/src/linux-headers-$1" KMOD_OUT="$O/kmod/$1"
}

tier_kunit() {
	local why kdir initrd=$O/vm/initrd-builtin.gz p f s

	say "kunit: dpkit_kunit.ko on the KUnit test kernel"
	if why=$(vm_tools_missing); then
		skipped kunit "$why"
		return
	fi
	if ! kdir=$(scripts/testkernel.sh); then
		echo "not ok - the KUnit test kernel builds"
		record kunit 0 1 0
		return
	fi
	if ! make --no-print-directory kmod-kunit KUNIT_KDIR="$kdir" \
		> "$results/kunit-build.log" 2>&1; then
		tail -n 20 "$results/kunit-build.log"
		echo "not ok - dpkit.ko and dpkit_kunit.ko build for the test kernel"
		record kunit 0 1 0
		return
	fi
	mkdir -p "$O/vm"
	scripts/vm/mkinitrd.sh builtin "$initrd"
	vm_run kunit tests/kunit/run.sh "$kdir/arch/x86/boot/bzImage" "$initrd" \
		--ktap --append kunit.enable=1
	read -r p f s < "$results/vm-kunit"
	record kunit "$p" "$f" "$s"
}

# The harness must fail these two scenarios, quickly: each one is a passed
# test when the harness reports it failed within its timeout.
tier_harness() {
	local why initrd p=0 f=0 name start elapsed limit
	local -A limits=([panic]=120 [hang]=90)

	say "harness: a panicking module and a hung guest are failures"
	if why=$(vm_tools_missing); then
		skipped harness "$why"
		return
	fi
	if ! make --no-print-directory -C "$kver_kdir" \
		M="$top/$O/harness/panic_mod" modules > "$results/harness-build.log" 2>&1; then
		tail -n 20 "$results/harness-build.log"
		echo "not ok - the panic module builds"
		record harness 0 1 0
		return
	fi
	initrd=$(stock_initrd) || { record harness 0 1 0; return; }
	for name in panic hang; do
		start=$(date +%s)
		vm_run "harness-$name" "tests/harness/$name.sh" \
			"/boot/vmlinuz-$kver" "$initrd" --tail 5 > "$results/harness-$name.log" 2>&1
		elapsed=$(( $(date +%s) - start ))
		limit=${limits[$name]}
		if [ "$(cut -d' ' -f2 "$results/vm-harness-$name")" -ge 1 ] &&
		   [ "$elapsed" -le "$limit" ] &&
		   { [ "$name" != panic ] ||
		     grep -q 'Kernel panic' "$O/vm/logs/harness-$name/console.log"; }; then
			echo "ok - harness reports the $name scenario failed (${elapsed} s)"
			p=$((p + 1))
		else
			cat "$results/harness-$name.log"
			echo "not ok - harness reports the $name scenario failed within ${limit} s (${elapsed} s)"
			f=$((f + 1))
		fi
	done
	record harness $p $f 0
}

tier_vm() {
	local why initrd scenario name p=0 f=0 s=0 tp tf ts

	say "vm: scenarios on the Debian kernel $kver"
	if why=$(vm_tools_missing); then
		skipped vm "$why"
		return
	fi
	initrd=$(stock_initrd) || { record vm 0 1 0; return; }
	for scenario in tests/vm/[0-9]*.sh; do
		name=$(basename "$scenario" .sh)
		case " $debug_only $soak_only " in *" $name "*) continue ;; esac
		vm_run "$name" "$scenario" "/boot/vmlinuz-$kver" "$initrd"
		read -r tp tf ts < "$results/vm-$name"
		p=$((p + tp)); f=$((f + tf)); s=$((s + ts))
	done
	record vm $p $f $s
}

# vm_scenarios NAME-PREFIX KERNEL INITRD KMOD SCENARIO...: run named
# scenarios with the module in KMOD; adds to p, f, s of the caller.
vm_scenarios() {
	local prefix=$1 kernel=$2 initrd=$3 kmod=$4 name tp tf ts
	shift 4
	for name in "$@"; do
		vm_run "$prefix-$name" "tests/vm/$name.sh" "$kernel" "$initrd" \
			--append "dpkitvm.kmod=$top/$kmod"
		read -r tp tf ts < "$results/vm-$prefix-$name"
		p=$((p + tp)); f=$((f + tf)); s=$((s + ts))
	done
}

tier_matrix() {
	local why series rel initrd p=0 f=0 s=0

	if why=$(vm_tools_missing); then
		skipped matrix "$why"
		return
	fi
	for series in $matrix_series; do
		say "matrix: ${matrix_scenarios[$series]} on the $series kernel"
		if ! rel=$(scripts/kver.sh "$series"); then
			echo "not ok - no $series kernel with headers and image (scripts/deps.sh)"
			f=$((f + 1))
			continue
		fi
		if ! kmod_for "$rel" > "$results/matrix-kmod-$rel.log" 2>&1; then
			tail -n 20 "$results/matrix-kmod-$rel.log"
			echo "not ok - dpkit.ko builds for $rel"
			f=$((f + 1))
			continue
		fi
		initrd=$(stock_initrd "$rel") || { f=$((f + 1)); continue; }
		# shellcheck disable=SC2086
		vm_scenarios "$series" "/boot/vmlinuz-$rel" "$initrd" "$O/kmod/$rel" \
			${matrix_scenarios[$series]}
	done
	record matrix $p $f $s
}

# debug_kernel TIER: the debug kernel's directory, once dpkit.ko is built for
# it (in $O/kunit/kmod) and the initramfs made; else a failure of TIER.
debug_kernel() {
	local kdir
	if ! kdir=$(scripts/testkernel.sh) ||
	   ! make --no-print-directory kmod-kunit KUNIT_KDIR="$kdir" \
		> "$results/$1-build.log" 2>&1; then
		tail -n 20 "$results/$1-build.log" >&2
		echo "not ok - dpkit.ko builds for the debug kernel" >&2
		return 1
	fi
	mkdir -p "$O/vm"
	scripts/vm/mkinitrd.sh builtin "$O/vm/initrd-builtin.gz" >&2
	echo "$kdir"
}

tier_debug() {
	local why kdir p=0 f=0 s=0

	say "debug: $debug_scenarios on the debug kernel"
	if why=$(vm_tools_missing); then
		skipped debug "$why"
		return
	fi
	kdir=$(debug_kernel debug) || { record debug 0 1 0; return; }
	# shellcheck disable=SC2086
	vm_scenarios debug "$kdir/arch/x86/boot/bzImage" "$O/vm/initrd-builtin.gz" \
		"$O/kunit/kmod" $debug_scenarios
	record debug $p $f $s
}

# make soak: the fuzzer's 1,000,000 calls (debug: 100,000) and the stress
# for 600 s (debug: 60 s), on the debug kernel.
tier_vmsoak() {
	local why initrd rel p=0 f=0 s=0 tp tf ts

	say "vmsoak: $soak_only and 23-crash at every point on the Debian kernel $kver, 10-packages on 6.12 too"
	if why=$(vm_tools_missing); then
		skipped vmsoak "$why"
		return
	fi
	initrd=$(stock_initrd) || { record vmsoak 0 1 0; return; }
	# 10-packages needs the packages (the build tier makes them too).
	ls "$O"/deb/*.deb > /dev/null 2>&1 ||
		make --no-print-directory deb O="$O" > "$results/vmsoak-deb.log" 2>&1
	# shellcheck disable=SC2086
	vm_scenarios vmsoak "/boot/vmlinuz-$kver" "$initrd" kmod $soak_only
	# 23-crash at every crash point (make check: five of them)
	vm_run vmsoak-23-crash-all tests/vm/23-crash.sh "/boot/vmlinuz-$kver" \
		"$initrd" --append dpkitvm.crash=all
	read -r tp tf ts < "$results/vm-vmsoak-23-crash-all"
	p=$((p + tp)); f=$((f + tf)); s=$((s + ts))
	# the packages on the 6.12 kernel too: DKMS builds dpkit.ko there
	# (11 minutes under TCG)
	if rel=$(scripts/kver.sh 6.12) && initrd=$(stock_initrd "$rel"); then
		vm_run vmsoak-6.12-10-packages tests/vm/10-packages.sh \
			"/boot/vmlinuz-$rel" "$initrd"
		read -r tp tf ts < "$results/vm-vmsoak-6.12-10-packages"
		p=$((p + tp)); f=$((f + tf)); s=$((s + ts))
	else
		echo "not ok - no 6.12 kernel with headers and image (scripts/deps.sh)"
		f=$((f + 1))
	fi
	record vmsoak $p $f $s
}

tier_ksoak() {
	local why kdir name limit params p=0 f=0 s=0 tp tf ts

	say "ksoak: the ioctl fuzzer (1,000,000 calls) and 600 s of stress on the debug kernel"
	if why=$(vm_tools_missing); then
		skipped ksoak "$why"
		return
	fi
	kdir=$(debug_kernel ksoak) || { record ksoak 0 1 0; return; }
	# (fd 3: vmrun.py may read its stdin)
	while read -r name limit params <&3; do
		vm_run "ksoak-$name" "tests/vm/$name.sh" "$kdir/arch/x86/boot/bzImage" \
			"$O/vm/initrd-builtin.gz" --timeout "$limit" \
			--append "dpkitvm.kmod=$top/$O/kunit/kmod $params"
		read -r tp tf ts < "$results/vm-ksoak-$name"
		p=$((p + tp)); f=$((f + tf)); s=$((s + ts))
	done 3<<-EOF
	21-fuzz 14400 dpkitvm.fuzz_calls=1000000
	22-stress 1800 dpkitvm.stress_secs=600
	EOF
	record ksoak $p $f $s
}

start=$(date +%s)
if [ $# -eq 0 ]; then
	say "deps"
	scripts/deps.sh || { echo "deps: installation failed"; echo "0 passed, 1 failed"; exit 1; }
	kver=$(scripts/kver.sh 2>/dev/null || true)
fi
if [ -z "$kver" ]; then
	echo "check: no Debian kernel with headers and image (run scripts/deps.sh)"
	echo "0 passed, 1 failed"
	exit 1
fi
kver_kdir=/usr/src/linux-headers-$kver
mkdir -p "$O/harness/panic_mod"
cp tests/harness/panic_mod/* "$O/harness/panic_mod/"

for tier in $tiers; do
	case " $all_tiers $extra_tiers " in
	*" $tier "*) rm -f "$results/$tier"; tier_start=$(date +%s); "tier_$tier" ;;
	*) echo "check: unknown tier '$tier' (tiers: $all_tiers $extra_tiers)"; exit 2 ;;
	esac
done

say "summary ($(( ($(date +%s) - start) / 60 )) min $(( ($(date +%s) - start) % 60 )) s)"
P=0 F=0 S=0
for tier in $tiers; do
	read -r tp tf ts tt < "$results/$tier" || { tp=0 tf=1 ts=0 tt=0; }
	printf '  %-8s %4d passed, %d failed, %d skipped  %4d s\n' "$tier" "$tp" "$tf" "$ts" "${tt:-0}"
	P=$((P + tp)); F=$((F + tf)); S=$((S + ts))
done
echo "$P passed, $F failed, $S skipped"
[ "$F" -eq 0 ]
