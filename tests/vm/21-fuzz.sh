# SPDX-License-Identifier: GPL-2.0
# vm: nics=e1000e:k0:1,virtio:d0:1 smp=2 mem=1024 timeout=1200
#
# The ioctl fuzzer (tests/kfuzz/ioctl_fuzz.c): 100,000 calls from four
# processes, with success paths on k0 and d0 (binds, restores, isolation);
# a fifth of them from a 32-bit build (the compat path) where the kernel
# runs 32-bit programs. Then the host is as it was and the module unloads.
# On the kernel command line (vmrun.py --append), dpkitvm.fuzz_calls=N
# changes the count (make soak: 1,000,000) and dpkitvm.fuzz_seed=N replays
# a run.
. "$DPKIT_TOP/tests/vm/lib.sh"

ko=$DPKIT_KO
tmp=$(mktemp -d)
calls=$(vm_param fuzz_calls 100000)
seed=$(vm_param fuzz_seed "$(( $(date +%s%N) % 1000000000 ))")
K0=$(bdf_of_netdev "$(netdev_by_mac 52:54:00:dc:01:00)")
D0=$(bdf_of_netdev "$(netdev_by_mac 52:54:00:dc:01:01)")
# A call that takes longer is a hang; the whole run is bounded too.
call_limit=$(vm_param fuzz_call_limit 60)
run_limit=$(( 600 + calls / 100 ))

# fuzz NAME BINARY CALLS SEED: one run, its output as comments.
fuzz() {
	local name=$1 bin=$2 n=$3 s=$4 rc
	bounded "$run_limit" "$bin" --seed "$s" --calls "$n" --procs 4 \
		--nic "$K0" --nic "$D0" --timeout "$call_limit" > "$tmp/$name" 2>&1
	rc=$?
	sed 's/^\([^#]\)/# \1/' "$tmp/$name"
	if [ "$rc" -eq 0 ]; then
		ok "$name: $(sed -n 's/^# ioctl_fuzz: \(seed .* calls in [0-9.]* s\).*/\1/p' "$tmp/$name")"
	else
		not_ok "$name (status $rc): replay with dpkitvm.fuzz_seed=$s"
	fi
}

echo "# k0 $K0, d0 $D0, $calls calls, seed $seed, module $ko"
state_snapshot "$tmp/before"
check "insmod dpkit.ko" insmod "$ko"

# A kernel without IA32_EMULATION (the debug kernel) runs no 32-bit
# program: exec fails with status 126, where a usage error is 2.
runs_32bit() {
	"$IOCTL_FUZZ32" --procs 0 > /dev/null 2>&1
	[ $? -eq 2 ]
}

if [ ! -x "$IOCTL_FUZZ32" ]; then
	fuzz "64-bit callers" "$IOCTL_FUZZ" "$calls" "$seed"
	skip "32-bit callers (no -m32 toolchain when this tree was built)"
elif ! runs_32bit; then
	fuzz "64-bit callers" "$IOCTL_FUZZ" "$calls" "$seed"
	skip "32-bit callers (this kernel runs no 32-bit program: no IA32_EMULATION)"
else
	fuzz "64-bit callers" "$IOCTL_FUZZ" $((calls * 4 / 5)) "$seed"
	fuzz "32-bit callers" "$IOCTL_FUZZ32" $((calls / 5)) $((seed + 1))
fi

check "the NICs, IRQ affinities and knobs are as before, module loaded" \
	state_same "$tmp/before"
check "rmmod dpkit after the fuzzing" bounded 60 rmmod dpkit
check "... and still as before" state_same "$tmp/before"
check_dmesg_clean
echo "# $SECONDS s"
finish
