#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The worker rules (user/dpkitd/worker_rules.h, Documentation/dpkitd.rst,
# "Worker rules") are enforced by the compiler: in a worker translation
# unit, every call below is a compile error. One translation unit names
# each call in a function of its own after the rules header; each must be
# reported as poisoned. Run by scripts/check.sh build; prints TAP.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
CC=${CC:-cc}
dpdk="$(pkg-config --cflags libdpdk) -Iuser/lib -Iinclude/uapi $(pkg-config --cflags libnl-genl-3.0 hwloc libmnl)"

# What a worker task may not call, by the rule that bans it.
banned=(
	# signal handlers
	signal sigaction
	# interrupt callbacks
	rte_eth_dev_callback_register rte_eth_dev_callback_unregister
	rte_intr_callback_register rte_intr_callback_unregister
	rte_intr_callback_unregister_sync rte_intr_callback_unregister_pending
	# alarms and timers
	alarm ualarm setitimer timer_create timer_settime timerfd_create
	timerfd_settime rte_eal_alarm_set rte_eal_alarm_cancel
	rte_timer_reset_sync rte_timer_stop_sync
	# keepalives
	rte_keepalive_create rte_keepalive_dispatch_pings
	rte_keepalive_register_core rte_keepalive_mark_alive
	rte_keepalive_mark_sleep rte_keepalive_register_relay_callback
	# pauses and waits
	rte_pause rte_wait_until_equal_16 rte_wait_until_equal_32
	rte_wait_until_equal_64 RTE_WAIT_UNTIL_MASKED
	# delays
	rte_delay_ms rte_delay_us rte_delay_us_block rte_delay_us_sleep
	rte_delay_us_callback_register
	# RCU grace periods (rte_rcu_qsbr_check only through its non-waiting
	# wrapper)
	rte_rcu_qsbr_synchronize rte_rcu_qsbr_check
	# power monitoring
	rte_power_monitor rte_power_monitor_multi rte_power_pause
	rte_power_ethdev_pmgmt_queue_enable rte_power_ethdev_pmgmt_queue_disable
	# parking: rx interrupts, their epoll, the token (idle.c's alone)
	rte_eth_dev_rx_intr_enable rte_eth_dev_rx_intr_disable
	rte_eth_dev_rx_intr_ctl rte_eth_dev_rx_intr_ctl_q
	rte_eth_dev_rx_intr_ctl_q_get_fd rte_epoll_wait
	rte_epoll_wait_interruptible rte_epoll_ctl dpk_rxq_arm dpk_rxq_disarm
	# threads, processes and lcores: created and managed by the main lcore
	pthread_create pthread_join rte_thread_create rte_ctrl_thread_create
	rte_eal_remote_launch rte_eal_mp_remote_launch rte_eal_wait_lcore
	rte_eal_mp_wait_lcore fork vfork system popen posix_spawn posix_spawnp
	# sleeping and blocking
	sleep usleep nanosleep clock_nanosleep pause sigsuspend sigwait
	sigwaitinfo sigtimedwait select pselect poll ppoll epoll_wait
	epoll_pwait waitpid waitid flock lockf sem_wait sem_timedwait
	pthread_mutex_lock pthread_mutex_trylock pthread_mutex_timedlock
	pthread_cond_wait pthread_cond_timedwait pthread_rwlock_rdlock
	pthread_rwlock_wrlock pthread_spin_lock pthread_barrier_wait
	# DPDK locks other than through the counting wrappers (dpk_*)
	rte_spinlock_lock rte_spinlock_trylock rte_spinlock_unlock
	rte_spinlock_lock_tm rte_spinlock_trylock_tm rte_spinlock_unlock_tm
	rte_spinlock_recursive_lock rte_spinlock_recursive_trylock
	rte_spinlock_recursive_unlock rte_spinlock_recursive_lock_tm
	rte_spinlock_recursive_trylock_tm rte_spinlock_recursive_unlock_tm
	rte_rwlock_read_lock rte_rwlock_read_trylock rte_rwlock_read_unlock
	rte_rwlock_write_lock rte_rwlock_write_trylock rte_rwlock_write_unlock
	rte_rwlock_read_lock_tm rte_rwlock_read_unlock_tm
	rte_rwlock_write_lock_tm rte_rwlock_write_unlock_tm
	rte_ticketlock_lock rte_ticketlock_trylock rte_ticketlock_unlock
	rte_ticketlock_recursive_lock rte_ticketlock_recursive_trylock
	rte_ticketlock_recursive_unlock
	rte_seqlock_write_lock rte_seqlock_write_unlock
	rte_seqcount_write_begin rte_seqcount_write_end
	rte_mcslock_lock rte_mcslock_trylock rte_mcslock_unlock
	rte_pflock_read_lock rte_pflock_read_unlock rte_pflock_write_lock
	rte_pflock_write_unlock
)

# Every header that declares one of them, before the rules (as in a
# worker translation unit).
headers() {
	local h
	for h in signal.h unistd.h stdlib.h stdio.h pthread.h semaphore.h \
		 spawn.h time.h poll.h sys/time.h sys/timerfd.h sys/select.h \
		 sys/epoll.h sys/wait.h sys/file.h; do
		echo "#include <$h>"
	done
	for h in rte_ethdev.h rte_eventdev.h rte_mbuf.h rte_interrupts.h \
		 rte_alarm.h rte_timer.h rte_keepalive.h rte_pause.h \
		 rte_cycles.h rte_rcu_qsbr.h rte_power_intrinsics.h \
		 rte_power_pmd_mgmt.h rte_epoll.h \
		 rte_thread.h rte_lcore.h rte_launch.h rte_spinlock.h \
		 rte_rwlock.h rte_ticketlock.h rte_seqlock.h rte_seqcount.h \
		 rte_mcslock.h rte_pflock.h; do
		echo "#include <$h>"
	done
	echo '#include "idle.h"'
}

compile() {
	$CC -std=gnu11 -D_GNU_SOURCE -DALLOW_EXPERIMENTAL_API -fsyntax-only \
		-Wall -Wextra -Werror $dpdk -Iuser/dpkitd -x c "$@"
}

# The rules header compiles after the headers, and not one name of the list
# is used: the errors below come from the rules alone.
{ headers; echo '#include "worker_rules.h"'; } > "$tmp/clean.c"
if out=$(compile "$tmp/clean.c" 2>&1); then
	echo "ok - worker_rules.h compiles after every header that declares a banned call"
else
	echo "$out" | head -n 20 | sed 's/^/# /'
	echo "not ok - worker_rules.h compiles after every header that declares a banned call"
fi

# Each name in a function of its own: a use of a poisoned name is an error
# wherever it appears, so taking it is enough.
{
	headers
	echo '#include "worker_rules.h"'
	i=0
	for name in "${banned[@]}"; do
		printf 'void f%d(void); void f%d(void) { (void)%s; }\n' $i $i "$name"
		i=$((i + 1))
	done
} > "$tmp/banned.c"
compile "$tmp/banned.c" > "$tmp/banned.log" 2>&1
n=0
for name in "${banned[@]}"; do
	if grep -q "attempt to use poisoned \"$name\"" "$tmp/banned.log"; then
		echo "ok - $name in a worker translation unit does not compile"
	else
		echo "not ok - $name in a worker translation unit does not compile"
		n=$((n + 1))
	fi
done
echo "# ${#banned[@]} banned calls checked, $n still compile"

# The parking token (idle.h): arming returns it and only disarming
# consumes it; dropping it does not build. Outside the rules, as in idle.c.
{
	echo '#include "dpkitd.h"'
	echo 'void f(struct dpk_worker *w); void f(struct dpk_worker *w) { dpk_rxq_arm(w, 1); }'
} > "$tmp/token.c"
# (warn_unused_result is checked past the syntax: compile it for real.)
out=$($CC -std=gnu11 -D_GNU_SOURCE -DALLOW_EXPERIMENTAL_API -c -o /dev/null \
	-Wall -Wextra -Werror $dpdk -Iuser/dpkitd -x c "$tmp/token.c" 2>&1)
if echo "$out" | grep -q "ignoring return value of .dpk_rxq_arm."; then
	echo "ok - an rx interrupt token dropped at arming does not compile"
else
	echo "$out" | head -n 20 | sed 's/^/# /'
	echo "not ok - an rx interrupt token dropped at arming does not compile"
fi
# ... and kept in DPK_ARMED, it builds (the cleanup disarms it).
{
	echo '#include "dpkitd.h"'
	echo 'void f(struct dpk_worker *w); void f(struct dpk_worker *w) { DPK_ARMED a = dpk_rxq_arm(w, 1); (void)a; }'
} > "$tmp/token_ok.c"
if out=$(compile "$tmp/token_ok.c" 2>&1); then
	echo "ok - an rx interrupt token held in DPK_ARMED builds"
else
	echo "$out" | head -n 20 | sed 's/^/# /'
	echo "not ok - an rx interrupt token held in DPK_ARMED builds"
fi

# Parking happens in one file: outside idle.c, no dpkitd source names the
# calls that arm, wait or sleep for a worker.
n=$(grep -lE '(rte_epoll_wait|rte_eth_dev_rx_intr_(enable|disable|ctl[a-z_]*)|rte_power_(monitor[a-z_]*|pause)|clock_nanosleep|dpk_rxq_(arm|disarm))\(' \
	user/dpkitd/*.c | grep -v 'user/dpkitd/idle.c' | tr '\n' ' ')
if [ -z "$n" ]; then
	echo "ok - only user/dpkitd/idle.c arms rx interrupts, waits on them, monitors or sleeps for a worker"
else
	echo "not ok - only user/dpkitd/idle.c arms rx interrupts, waits on them, monitors or sleeps for a worker (also: $n)"
fi

# The counting wrappers, built as in make DEBUG=1: every DPDK lock kind
# counts, so the task-boundary check sees it.
if out=$($CC -std=gnu11 -D_GNU_SOURCE -DDPK_DEBUG -Wall -Wextra -Werror $dpdk \
	-Iuser/dpkitd tests/build/lock_count.c -o "$tmp/lock_count" \
	$(pkg-config --libs libdpdk) 2>&1); then
	"$tmp/lock_count"
else
	echo "$out" | head -n 20 | sed 's/^/# /'
	echo "not ok - tests/build/lock_count.c builds"
fi

# User stages: the build compiles them under the rules, whether or not
# they include the header. A stage that sleeps does not build; the example
# stages do (the control thread's file is outside the rules).
obj=$tmp/o/obj
out=$(make --no-print-directory O="$tmp/o" STAGES=tests/build/stage_banned.c \
	"$obj/tests/build/stage_banned.o" 2>&1)
rc=$?
if [ $rc -ne 0 ] && echo "$out" | grep -q 'attempt to use poisoned "usleep"'; then
	echo "ok - make STAGES=: a stage that calls usleep() does not build"
else
	echo "$out" | tail -n 20 | sed 's/^/# /'
	echo "not ok - make STAGES=: a stage that calls usleep() does not build"
fi
if out=$(make --no-print-directory O="$tmp/o" \
	STAGES="tests/host/stages/control.c tests/host/stages/leak_lock.c" \
	STAGES_CONTROL=tests/host/stages/control_thread.c \
	"$obj/tests/host/stages/control.o" "$obj/tests/host/stages/leak_lock.o" \
	"$obj/tests/host/stages/control_thread.o" 2>&1); then
	echo "ok - make STAGES= STAGES_CONTROL=: the example stages build"
else
	echo "$out" | tail -n 20 | sed 's/^/# /'
	echo "not ok - make STAGES= STAGES_CONTROL=: the example stages build"
fi
