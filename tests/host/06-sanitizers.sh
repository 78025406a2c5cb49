# SPDX-License-Identifier: GPL-2.0
#
# dpkitd and dpkitctl built with ASan and UBSan (leaks included, the first
# report fatal), then the host scenarios 01-03 run again with them: poll
# mode, event_dsw and event_sw, telemetry, link state. Each must pass as
# it does unsanitized, and no sanitizer may report anything
# (Documentation/reliability.rst).
. "$DPKIT_TOP/tests/host/lib.sh"

san=$tmp/san
flags="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
check "dpkitd and dpkitctl build with ASan + UBSan" \
	make -s -C "$DPKIT_TOP" O="$san" CFLAGS="$flags" \
	LDFLAGS="-fsanitize=address,undefined" "$san/user/dpkitd" "$san/user/dpkitctl"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
runs=0
for s in 01-poll-null 02-eventdev 03-link-down; do
	env DPKIT_BUILD="$san" bash "$DPKIT_TOP/tests/host/$s.sh" > "$tmp/$s.out" 2>&1
	rc=$?
	n=$(grep -c 'stopped: rx' "$tmp/$s.out")
	runs=$((runs + n))
	sed 's/^/# /' "$tmp/$s.out" | grep -E 'not ok|Sanitizer|runtime error|SUMMARY' | head -n 20
	check "$s passes with dpkitd under ASan + UBSan ($n dataplane runs)" test "$rc" = 0
	check "... and no sanitizer reported anything" \
		sh -c "! grep -Eq 'ERROR: (Address|Leak)Sanitizer|runtime error:' '$tmp/$s.out'"
done
echo "# sanitizer runs: $runs dataplane runs of dpkitd under ASan + UBSan"
finish
