/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Every counting lock wrapper of worker_rules.h, built as in make DEBUG=1:
 * each take and successful try counts one, each release gives it back, a
 * failed try counts nothing, so the task-boundary check sees every DPDK
 * lock kind. Run by tests/build/worker-rules.sh; prints TAP. No EAL: the
 * per-lcore counter is a thread-local.
 */
#include "worker_rules.h"

RTE_DEFINE_PER_LCORE(unsigned int, dpk_locks_held);

static unsigned int nr_tests, nr_failed;

static void expect(const char *what, unsigned int held)
{
	unsigned int now = RTE_PER_LCORE(dpk_locks_held);

	nr_tests++;
	if (now == held) {
		printf("ok - %s: %u held\n", what, now);
		return;
	}
	printf("not ok - %s: %u held, expected %u\n", what, now, held);
	nr_failed++;
}

/* Take, check 1; release, check 0. */
#define PAIR(take, release, lock)					\
	do {								\
		take(lock);						\
		expect(#take, 1);					\
		release(lock);						\
		expect(#release, 0);					\
	} while (0)

/* A try that succeeds counts; one on a held lock does not. The rwlock's
 * tries return 0 when they took it (TRY0), the others 1. */
#define TRY_(try, took, release, lock, busy)				\
	do {								\
		if (try(lock) != (took))				\
			expect(#try " succeeds", 99);			\
		expect(#try, 1);					\
		release(lock);						\
		expect(#release " after " #try, 0);			\
		busy;							\
	} while (0)
#define TRY(try, release, lock, busy)	TRY_(try, 1, release, lock, busy)
#define TRY0(try, release, lock, busy)	TRY_(try, 0, release, lock, busy)

int main(void)
{
	rte_spinlock_t sl = RTE_SPINLOCK_INITIALIZER;
	rte_spinlock_recursive_t slr = RTE_SPINLOCK_RECURSIVE_INITIALIZER;
	rte_rwlock_t rw = RTE_RWLOCK_INITIALIZER;
	rte_ticketlock_t tl = RTE_TICKETLOCK_INITIALIZER;
	rte_ticketlock_recursive_t tlr = RTE_TICKETLOCK_RECURSIVE_INITIALIZER;
	rte_seqlock_t seql = RTE_SEQLOCK_INITIALIZER;
	rte_seqcount_t seqc = RTE_SEQCOUNT_INITIALIZER;
	rte_mcslock_t *mcs = NULL, me, other;
	rte_pflock_t pf;

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
	rte_pflock_init(&pf);
#pragma GCC diagnostic pop

	PAIR(dpk_spinlock_lock, dpk_spinlock_unlock, &sl);
	TRY(dpk_spinlock_trylock, dpk_spinlock_unlock, &sl, ({
		dpk_spinlock_lock(&sl);
		if (dpk_spinlock_trylock(&sl))
			expect("dpk_spinlock_trylock on a held lock fails", 99);
		expect("a failed dpk_spinlock_trylock", 1);
		dpk_spinlock_unlock(&sl);
	}));
	PAIR(dpk_spinlock_lock_tm, dpk_spinlock_unlock_tm, &sl);
	TRY(dpk_spinlock_trylock_tm, dpk_spinlock_unlock_tm, &sl, (void)0);

	PAIR(dpk_spinlock_recursive_lock, dpk_spinlock_recursive_unlock, &slr);
	dpk_spinlock_recursive_lock(&slr);
	dpk_spinlock_recursive_lock(&slr);
	expect("dpk_spinlock_recursive_lock twice", 2);
	dpk_spinlock_recursive_unlock(&slr);
	dpk_spinlock_recursive_unlock(&slr);
	expect("dpk_spinlock_recursive_unlock twice", 0);
	TRY(dpk_spinlock_recursive_trylock, dpk_spinlock_recursive_unlock,
	    &slr, (void)0);
	PAIR(dpk_spinlock_recursive_lock_tm, dpk_spinlock_recursive_unlock_tm,
	     &slr);
	TRY(dpk_spinlock_recursive_trylock_tm, dpk_spinlock_recursive_unlock_tm,
	    &slr, (void)0);

	PAIR(dpk_rwlock_read_lock, dpk_rwlock_read_unlock, &rw);
	PAIR(dpk_rwlock_write_lock, dpk_rwlock_write_unlock, &rw);
	TRY0(dpk_rwlock_read_trylock, dpk_rwlock_read_unlock, &rw, (void)0);
	TRY0(dpk_rwlock_write_trylock, dpk_rwlock_write_unlock, &rw, ({
		dpk_rwlock_read_lock(&rw);
		if (dpk_rwlock_write_trylock(&rw) != -EBUSY)
			expect("dpk_rwlock_write_trylock under a reader fails", 99);
		expect("a failed dpk_rwlock_write_trylock", 1);
		dpk_rwlock_read_unlock(&rw);
	}));
	PAIR(dpk_rwlock_read_lock_tm, dpk_rwlock_read_unlock_tm, &rw);
	PAIR(dpk_rwlock_write_lock_tm, dpk_rwlock_write_unlock_tm, &rw);

	PAIR(dpk_ticketlock_lock, dpk_ticketlock_unlock, &tl);
	TRY(dpk_ticketlock_trylock, dpk_ticketlock_unlock, &tl, (void)0);
	PAIR(dpk_ticketlock_recursive_lock, dpk_ticketlock_recursive_unlock,
	     &tlr);
	TRY(dpk_ticketlock_recursive_trylock, dpk_ticketlock_recursive_unlock,
	    &tlr, (void)0);

	PAIR(dpk_seqlock_write_lock, dpk_seqlock_write_unlock, &seql);
	PAIR(dpk_seqcount_write_begin, dpk_seqcount_write_end, &seqc);

	dpk_mcslock_lock(&mcs, &me);
	expect("dpk_mcslock_lock", 1);
	if (dpk_mcslock_trylock(&mcs, &other))
		expect("dpk_mcslock_trylock on a held lock fails", 99);
	expect("a failed dpk_mcslock_trylock", 1);
	dpk_mcslock_unlock(&mcs, &me);
	expect("dpk_mcslock_unlock", 0);
	if (!dpk_mcslock_trylock(&mcs, &me))
		expect("dpk_mcslock_trylock succeeds", 99);
	expect("dpk_mcslock_trylock", 1);
	dpk_mcslock_unlock(&mcs, &me);
	expect("dpk_mcslock_unlock after dpk_mcslock_trylock", 0);

	PAIR(dpk_pflock_read_lock, dpk_pflock_read_unlock, &pf);
	PAIR(dpk_pflock_write_lock, dpk_pflock_write_unlock, &pf);

	/* Two kinds at once: the count is what the lcore holds. */
	dpk_spinlock_lock(&sl);
	dpk_seqcount_write_begin(&seqc);
	expect("a spinlock and a seqcount write section", 2);
	dpk_seqcount_write_end(&seqc);
	dpk_spinlock_unlock(&sl);
	expect("both released", 0);

	printf("# %u checks, %u failed\n", nr_tests, nr_failed);
	return nr_failed ? 1 : 0;
}
