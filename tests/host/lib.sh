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

# run_dpkitd CONF SECONDS [ACTION]: run dpkitd, run ACTION after a second,
# SIGTERM it after SECONDS; sets rc, rx, tx, dropped, link_down, in_use,
# drop_evdev, drop_stage, flushed.
run_dpkitd() {
	"$DPKITD" -c "$1" > "$tmp/run.log" 2>&1 &
	local pid=$!
	sleep 1
	[ -n "${3:-}" ] && eval "$3"
	sleep "$(( $2 - 1 ))"
	kill -TERM "$pid"
	wait "$pid"
	rc=$?
	sed 's/^/# /' "$tmp/run.log"
	set -- $(sed -n 's/.*stopped: rx \([0-9]*\), tx \([0-9]*\), dropped \([0-9]*\) (tx full [0-9]*, link down \([0-9]*\), eventdev full \([0-9]*\), stage \([0-9]*\), flushed \([0-9]*\)); mbufs in use \([0-9]*\).*/\1 \2 \3 \4 \8 \5 \6 \7/p' "$tmp/run.log")
	rx=${1:--1} tx=${2:--1} dropped=${3:--1} link_down=${4:--1} in_use=${5:--1}
	drop_evdev=${6:--1} drop_stage=${7:--1} flushed=${8:--1}
}
