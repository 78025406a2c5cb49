# SPDX-License-Identifier: GPL-2.0
#
# Stage two trusts only what stage one made: a DPKITD_CONFIG_FD must be a
# memfd sealed against every change (F_GET_SEALS), else dpkitd refuses it
# before it starts anything; and a stage two started from the environment
# is still one dpkitd per host (the lock).
. "$DPKIT_TOP/tests/host/lib.sh"

cat > "$tmp/null.conf" <<-CONF
	worker-cpus = $(worker_cpu)
	eventdev = none
	hugepages = no
	memory = 256
	mbufs = 4095
	[port a]
	device = net_null0
CONF

# stage_two SEALS FILE [ARGS]: exec dpkitd as a stage two whose
# DPKITD_CONFIG_FD is a memfd holding FILE, sealed with SEALS ("all",
# "none", or "shrink,grow,seal": everything but the write seal), named
# $MEMFD_NAME (default dpkitd.conf, as stage one names it).
cat > "$tmp/stage_two.py" <<-'PY'
	import fcntl, os, sys
	dpkitd, seals, conf = sys.argv[1:4]
	fd = os.memfd_create(os.environ.get("MEMFD_NAME", "dpkitd.conf"),
	                     os.MFD_ALLOW_SEALING)
	os.write(fd, open(conf, "rb").read())
	bits = {"write": fcntl.F_SEAL_WRITE, "shrink": fcntl.F_SEAL_SHRINK,
	        "grow": fcntl.F_SEAL_GROW, "seal": fcntl.F_SEAL_SEAL}
	names = list(bits) if seals == "all" else [] if seals == "none" else seals.split(",")
	mask = 0
	for n in names:
	    mask |= bits[n]
	if mask:
	    fcntl.fcntl(fd, fcntl.F_ADD_SEALS, mask)
	os.set_inheritable(fd, True)
	env = dict(os.environ, DPKITD_CONFIG_FD=str(fd))
	os.execve(dpkitd, [dpkitd] + sys.argv[4:], env)
PY
stage_two="python3 $tmp/stage_two.py $DPKITD"

# refused WHAT PATTERN COMMAND...: the command exits 1 within 20 s, saying
# PATTERN, and never starts the EAL.
refused() {
	local what=$1 pattern=$2 rc
	shift 2
	timeout 20 "$@" > "$tmp/refused.log" 2>&1
	rc=$?
	sed 's/^/# /' "$tmp/refused.log" | grep -v '^# EAL' | head -n 5
	check "$what" sh -c "[ $rc = 1 ] && grep -q '$pattern' '$tmp/refused.log' &&
			     ! grep -q 'stage two: the configuration' '$tmp/refused.log'"
}

refused "DPKITD_CONFIG_FD on a plain file: refused" "not a sealed memfd" \
	env DPKITD_CONFIG_FD=3 "$DPKITD" 3< "$tmp/null.conf"
refused "DPKITD_CONFIG_FD not a number: refused" "DPKITD_CONFIG_FD" \
	env DPKITD_CONFIG_FD=../environ "$DPKITD"
refused "DPKITD_CONFIG_FD on a closed fd: refused" "DPKITD_CONFIG_FD" \
	env DPKITD_CONFIG_FD=9 "$DPKITD"
refused "an unsealed memfd: refused" "not sealed" \
	$stage_two none "$tmp/null.conf"
refused "a memfd that can still be written: refused" "not sealed" \
	$stage_two shrink,grow,seal "$tmp/null.conf"
refused "a sealed memfd that is not stage one's: refused" "not a sealed memfd" \
	env MEMFD_NAME=other $stage_two all "$tmp/null.conf"

# A stage two from the environment while a dpkitd runs: the lock says no.
"$DPKITD" -c "$tmp/null.conf" > "$tmp/first.log" 2>&1 &
first=$!
wait_for 20 grep -q "running:" "$tmp/first.log"
refused "a sealed memfd from the environment while a dpkitd runs: refused, naming it" \
	"another dpkitd is running (pid $first" $stage_two all "$tmp/null.conf"
check "... and the first one runs on" kill -0 "$first"
kill -TERM "$first"
wait "$first"
check "... and stops cleanly" test $? = 0
finish
