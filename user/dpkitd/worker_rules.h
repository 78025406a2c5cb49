/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a worker task may not do (seed 000, DESIGN.md): include this after
 * every DPDK header in a worker translation unit (workers, stages). A
 * worker spins on rings that must not be preempted; blocking, sleeping,
 * signal handling, alarms, pthread mutexes and RCU/pause waits have no
 * place in it. Using one of these names after this header is a compile
 * error.
 *
 * Locks: a worker task returns to its loop holding none. Worker code takes
 * DPDK spinlocks and rwlocks only through the dpk_ wrappers below (the raw
 * calls are poisoned too); in a debug build (make DEBUG=1) they count what
 * the lcore holds and dpk_task_boundary() panics, naming the task, when a
 * task returns with the count not back to zero.
 */
#ifndef DPKITD_WORKER_RULES_H
#define DPKITD_WORKER_RULES_H

#include <rte_branch_prediction.h>
#include <rte_debug.h>
#include <rte_per_lcore.h>
#include <rte_rwlock.h>
#include <rte_spinlock.h>

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

static inline void dpk_spin_lock(rte_spinlock_t *l)
{
	rte_spinlock_lock(l);
	DPK_LOCKS_HELD_ADD(1);
}

static inline int dpk_spin_trylock(rte_spinlock_t *l)
{
	if (!rte_spinlock_trylock(l))
		return 0;
	DPK_LOCKS_HELD_ADD(1);
	return 1;
}

static inline void dpk_spin_unlock(rte_spinlock_t *l)
{
	DPK_LOCKS_HELD_ADD(-1);
	rte_spinlock_unlock(l);
}

static inline void dpk_read_lock(rte_rwlock_t *l)
{
	rte_rwlock_read_lock(l);
	DPK_LOCKS_HELD_ADD(1);
}

static inline void dpk_read_unlock(rte_rwlock_t *l)
{
	DPK_LOCKS_HELD_ADD(-1);
	rte_rwlock_read_unlock(l);
}

static inline void dpk_write_lock(rte_rwlock_t *l)
{
	rte_rwlock_write_lock(l);
	DPK_LOCKS_HELD_ADD(1);
}

static inline void dpk_write_unlock(rte_rwlock_t *l)
{
	DPK_LOCKS_HELD_ADD(-1);
	rte_rwlock_write_unlock(l);
}

#pragma GCC poison sleep usleep nanosleep clock_nanosleep
#pragma GCC poison signal sigaction alarm setitimer
#pragma GCC poison pthread_mutex_lock pthread_mutex_trylock pthread_cond_wait
#pragma GCC poison rte_eal_alarm_set rte_delay_ms rte_delay_us_sleep
#pragma GCC poison rte_pause rte_wait_until_equal_16 rte_wait_until_equal_32
#pragma GCC poison rte_wait_until_equal_64 rte_rcu_qsbr_synchronize
#pragma GCC poison pthread_create fork system popen
#pragma GCC poison rte_spinlock_lock rte_spinlock_trylock
#pragma GCC poison rte_rwlock_read_lock rte_rwlock_write_lock

#endif /* DPKITD_WORKER_RULES_H */
