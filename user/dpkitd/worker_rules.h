/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a worker task may not do (Documentation/dpkitd.rst, "Worker
 * rules"). A worker spins on an isolated CPU, on rings that must not wait
 * for anything: signal handlers, interrupt callbacks, alarms and timers,
 * keepalives, pauses and waits, delays, RCU grace periods, power
 * monitoring, creating or managing threads and lcores, sleeping and
 * blocking calls have no place in it. After this header, naming one of
 * them is a compile error (tests/build/worker-rules.sh checks each). A
 * worker that is idle parks between passes, in dpk_idle_park() (idle.c,
 * not under these rules): arming rx interrupts and waiting are banned here.
 *
 * It includes first every header that declares a banned name (a later
 * #include of one would be an error too), so it may come anywhere before a
 * worker translation unit's own code: worker.c and stage.c include it, and
 * the build force-includes it into every user stage (make STAGES=, the
 * Makefile). A DPDK header a worker needs that uses a banned name inline
 * goes in the list below.
 *
 * Locks: a worker task returns to its loop holding none. Every DPDK lock
 * kind is reachable only through the dpk_ wrappers below (dpk_X wraps
 * rte_X; the raw calls are poisoned). In a debug build (make DEBUG=1) they
 * count what the lcore holds, a seqlock's or seqcount's write section
 * included, and dpk_task_boundary() panics, naming the task, when a task
 * returns with the count not back to zero. Sequence readers
 * (rte_seq*_read_begin/retry) hold nothing and are used as they are.
 */
#ifndef DPKITD_WORKER_RULES_H
#define DPKITD_WORKER_RULES_H

#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/select.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <rte_alarm.h>
#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_debug.h>
#include <rte_epoll.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_eventdev.h>
#include <rte_hash.h>
#include <rte_interrupts.h>
#include <rte_keepalive.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mcslock.h>
#include <rte_mempool.h>
#include <rte_pause.h>
#include <rte_per_lcore.h>
#include <rte_power_intrinsics.h>
#include <rte_power_pmd_mgmt.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_rwlock.h>
#include <rte_service.h>
#include <rte_spinlock.h>
#include <rte_thread.h>
#include <rte_ticketlock.h>
#include <rte_timer.h>
/* DPDK 22.11 marks these experimental, and rte_seqlock.h and rte_stack.h do
 * not build without ALLOW_EXPERIMENTAL_API. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#include <rte_pflock.h>
#include <rte_seqcount.h>
#include <rte_seqlock.h>
#include <rte_stack.h>
#pragma GCC diagnostic pop

#ifdef DPK_DEBUG
RTE_DECLARE_PER_LCORE(unsigned int, dpk_locks_held);
#define DPK_LOCKS_HELD_ADD(n)	(RTE_PER_LCORE(dpk_locks_held) += (n))
#define dpk_task_boundary(task)						\
	do {								\
		if (unlikely(RTE_PER_LCORE(dpk_locks_held)))		\
			rte_panic("dpkitd: worker task %s returned holding " \
				  "%u lock(s)\n", (task),		\
				  RTE_PER_LCORE(dpk_locks_held));	\
	} while (0)
#else
#define DPK_LOCKS_HELD_ADD(n)	((void)0)
#define dpk_task_boundary(task)	((void)(task))
#endif

/*
 * dpk_NAME(lock) is rte_NAME(lock), counted, returning what it returns: a
 * take, a try (1 when it took the lock), a release.
 */
#define DPK_LOCK_TAKE(name, type)					\
	static inline void dpk_##name(type *l)				\
	{								\
		rte_##name(l);						\
		DPK_LOCKS_HELD_ADD(1);					\
	}
#define DPK_LOCK_TRY(name, type)					\
	static inline int dpk_##name(type *l)				\
	{								\
		if (!rte_##name(l))					\
			return 0;					\
		DPK_LOCKS_HELD_ADD(1);					\
		return 1;						\
	}
/* The rwlock's tries return 0 when they took it, -EBUSY when not. */
#define DPK_LOCK_TRY0(name, type)					\
	static inline int dpk_##name(type *l)				\
	{								\
		int ret = rte_##name(l);				\
									\
		if (!ret)						\
			DPK_LOCKS_HELD_ADD(1);				\
		return ret;						\
	}
#define DPK_LOCK_RELEASE(name, type)					\
	static inline void dpk_##name(type *l)				\
	{								\
		DPK_LOCKS_HELD_ADD(-1);					\
		rte_##name(l);						\
	}

DPK_LOCK_TAKE(spinlock_lock, rte_spinlock_t)
DPK_LOCK_TRY(spinlock_trylock, rte_spinlock_t)
DPK_LOCK_RELEASE(spinlock_unlock, rte_spinlock_t)
DPK_LOCK_TAKE(spinlock_lock_tm, rte_spinlock_t)
DPK_LOCK_TRY(spinlock_trylock_tm, rte_spinlock_t)
DPK_LOCK_RELEASE(spinlock_unlock_tm, rte_spinlock_t)

DPK_LOCK_TAKE(spinlock_recursive_lock, rte_spinlock_recursive_t)
DPK_LOCK_TRY(spinlock_recursive_trylock, rte_spinlock_recursive_t)
DPK_LOCK_RELEASE(spinlock_recursive_unlock, rte_spinlock_recursive_t)
DPK_LOCK_TAKE(spinlock_recursive_lock_tm, rte_spinlock_recursive_t)
DPK_LOCK_TRY(spinlock_recursive_trylock_tm, rte_spinlock_recursive_t)
DPK_LOCK_RELEASE(spinlock_recursive_unlock_tm, rte_spinlock_recursive_t)

DPK_LOCK_TAKE(rwlock_read_lock, rte_rwlock_t)
DPK_LOCK_TRY0(rwlock_read_trylock, rte_rwlock_t)
DPK_LOCK_RELEASE(rwlock_read_unlock, rte_rwlock_t)
DPK_LOCK_TAKE(rwlock_write_lock, rte_rwlock_t)
DPK_LOCK_TRY0(rwlock_write_trylock, rte_rwlock_t)
DPK_LOCK_RELEASE(rwlock_write_unlock, rte_rwlock_t)
DPK_LOCK_TAKE(rwlock_read_lock_tm, rte_rwlock_t)
DPK_LOCK_RELEASE(rwlock_read_unlock_tm, rte_rwlock_t)
DPK_LOCK_TAKE(rwlock_write_lock_tm, rte_rwlock_t)
DPK_LOCK_RELEASE(rwlock_write_unlock_tm, rte_rwlock_t)

DPK_LOCK_TAKE(ticketlock_lock, rte_ticketlock_t)
DPK_LOCK_TRY(ticketlock_trylock, rte_ticketlock_t)
DPK_LOCK_RELEASE(ticketlock_unlock, rte_ticketlock_t)
DPK_LOCK_TAKE(ticketlock_recursive_lock, rte_ticketlock_recursive_t)
DPK_LOCK_TRY(ticketlock_recursive_trylock, rte_ticketlock_recursive_t)
DPK_LOCK_RELEASE(ticketlock_recursive_unlock, rte_ticketlock_recursive_t)

/* Experimental in DPDK 22.11 (above). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
DPK_LOCK_TAKE(seqlock_write_lock, rte_seqlock_t)
DPK_LOCK_RELEASE(seqlock_write_unlock, rte_seqlock_t)
DPK_LOCK_TAKE(seqcount_write_begin, rte_seqcount_t)
DPK_LOCK_RELEASE(seqcount_write_end, rte_seqcount_t)
DPK_LOCK_TAKE(pflock_read_lock, rte_pflock_t)
DPK_LOCK_RELEASE(pflock_read_unlock, rte_pflock_t)
DPK_LOCK_TAKE(pflock_write_lock, rte_pflock_t)
DPK_LOCK_RELEASE(pflock_write_unlock, rte_pflock_t)
#pragma GCC diagnostic pop

/* An MCS lock takes the caller's queue node too. */
static inline void dpk_mcslock_lock(rte_mcslock_t **msl, rte_mcslock_t *me)
{
	rte_mcslock_lock(msl, me);
	DPK_LOCKS_HELD_ADD(1);
}

static inline int dpk_mcslock_trylock(rte_mcslock_t **msl, rte_mcslock_t *me)
{
	if (!rte_mcslock_trylock(msl, me))
		return 0;
	DPK_LOCKS_HELD_ADD(1);
	return 1;
}

static inline void dpk_mcslock_unlock(rte_mcslock_t **msl, rte_mcslock_t *me)
{
	DPK_LOCKS_HELD_ADD(-1);
	rte_mcslock_unlock(msl, me);
}

#undef DPK_LOCK_TAKE
#undef DPK_LOCK_TRY
#undef DPK_LOCK_TRY0
#undef DPK_LOCK_RELEASE

/* Whether grace period @t is over, without waiting for it (1 or 0). */
static inline int dpk_rcu_qsbr_poll(struct rte_rcu_qsbr *v, uint64_t t)
{
	return rte_rcu_qsbr_check(v, t, false);
}

/* A macro cannot be poisoned while defined. */
#undef RTE_WAIT_UNTIL_MASKED

/* Signal handlers. */
#pragma GCC poison signal sigaction
/* Interrupt callbacks. */
#pragma GCC poison rte_eth_dev_callback_register rte_eth_dev_callback_unregister
#pragma GCC poison rte_intr_callback_register rte_intr_callback_unregister
#pragma GCC poison rte_intr_callback_unregister_sync
#pragma GCC poison rte_intr_callback_unregister_pending
/* Alarms and timers. */
#pragma GCC poison alarm ualarm setitimer timer_create timer_settime
#pragma GCC poison timerfd_create timerfd_settime
#pragma GCC poison rte_eal_alarm_set rte_eal_alarm_cancel
#pragma GCC poison rte_timer_reset_sync rte_timer_stop_sync
/* Keepalives. */
#pragma GCC poison rte_keepalive_create rte_keepalive_dispatch_pings
#pragma GCC poison rte_keepalive_register_core rte_keepalive_mark_alive
#pragma GCC poison rte_keepalive_mark_sleep
#pragma GCC poison rte_keepalive_register_relay_callback
/* Pauses, waits and delays. */
#pragma GCC poison rte_pause rte_wait_until_equal_16 rte_wait_until_equal_32
#pragma GCC poison rte_wait_until_equal_64 RTE_WAIT_UNTIL_MASKED
#pragma GCC poison rte_delay_ms rte_delay_us rte_delay_us_block
#pragma GCC poison rte_delay_us_sleep rte_delay_us_callback_register
/* RCU grace periods: dpk_rcu_qsbr_poll() checks without waiting. */
#pragma GCC poison rte_rcu_qsbr_synchronize rte_rcu_qsbr_check
/* Power monitoring. */
#pragma GCC poison rte_power_monitor rte_power_monitor_multi rte_power_pause
#pragma GCC poison rte_power_ethdev_pmgmt_queue_enable
#pragma GCC poison rte_power_ethdev_pmgmt_queue_disable
/* Parking: rx interrupts, their epoll and the token are idle.c's alone
 * (dpk_idle_park(), between passes). */
#pragma GCC poison rte_eth_dev_rx_intr_enable rte_eth_dev_rx_intr_disable
#pragma GCC poison rte_eth_dev_rx_intr_ctl rte_eth_dev_rx_intr_ctl_q
#pragma GCC poison rte_eth_dev_rx_intr_ctl_q_get_fd
#pragma GCC poison rte_epoll_wait rte_epoll_wait_interruptible rte_epoll_ctl
#pragma GCC poison dpk_rxq_arm dpk_rxq_disarm
/* Threads, processes, lcores: the main lcore's. */
#pragma GCC poison pthread_create pthread_join rte_thread_create
#pragma GCC poison rte_ctrl_thread_create rte_eal_remote_launch
#pragma GCC poison rte_eal_mp_remote_launch rte_eal_wait_lcore
#pragma GCC poison rte_eal_mp_wait_lcore
#pragma GCC poison fork vfork system popen posix_spawn posix_spawnp
/* Sleeping and blocking. */
#pragma GCC poison sleep usleep nanosleep clock_nanosleep pause sigsuspend
#pragma GCC poison sigwait sigwaitinfo sigtimedwait select pselect poll ppoll
#pragma GCC poison epoll_wait epoll_pwait waitpid waitid flock lockf
#pragma GCC poison sem_wait sem_timedwait
#pragma GCC poison pthread_mutex_lock pthread_mutex_trylock
#pragma GCC poison pthread_mutex_timedlock pthread_cond_wait
#pragma GCC poison pthread_cond_timedwait pthread_rwlock_rdlock
#pragma GCC poison pthread_rwlock_wrlock pthread_spin_lock pthread_barrier_wait
/* DPDK locks: through the counting wrappers above. */
#pragma GCC poison rte_spinlock_lock rte_spinlock_trylock rte_spinlock_unlock
#pragma GCC poison rte_spinlock_lock_tm rte_spinlock_trylock_tm
#pragma GCC poison rte_spinlock_unlock_tm rte_spinlock_recursive_lock
#pragma GCC poison rte_spinlock_recursive_trylock rte_spinlock_recursive_unlock
#pragma GCC poison rte_spinlock_recursive_lock_tm
#pragma GCC poison rte_spinlock_recursive_trylock_tm
#pragma GCC poison rte_spinlock_recursive_unlock_tm
#pragma GCC poison rte_rwlock_read_lock rte_rwlock_read_trylock
#pragma GCC poison rte_rwlock_read_unlock rte_rwlock_write_lock
#pragma GCC poison rte_rwlock_write_trylock rte_rwlock_write_unlock
#pragma GCC poison rte_rwlock_read_lock_tm rte_rwlock_read_unlock_tm
#pragma GCC poison rte_rwlock_write_lock_tm rte_rwlock_write_unlock_tm
#pragma GCC poison rte_ticketlock_lock rte_ticketlock_trylock
#pragma GCC poison rte_ticketlock_unlock rte_ticketlock_recursive_lock
#pragma GCC poison rte_ticketlock_recursive_trylock
#pragma GCC poison rte_ticketlock_recursive_unlock
#pragma GCC poison rte_seqlock_write_lock rte_seqlock_write_unlock
#pragma GCC poison rte_seqcount_write_begin rte_seqcount_write_end
#pragma GCC poison rte_mcslock_lock rte_mcslock_trylock rte_mcslock_unlock
#pragma GCC poison rte_pflock_read_lock rte_pflock_read_unlock
#pragma GCC poison rte_pflock_write_lock rte_pflock_write_unlock

#endif /* DPKITD_WORKER_RULES_H */
