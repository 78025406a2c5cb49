// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for core isolation's pure parts: which IRQs may move, the
 * user's CPU bitmap, and which sets may be isolated. Steering itself needs
 * real IRQs and is tested in the VM (tests/vm/05-isolate.sh).
 */
#include <kunit/test.h>
#include <linux/cpumask.h>

#include "../compat.h"
#include "../internal.h"

DPKIT_IMPORT_KUNIT_NS();

static void irq_filter(struct kunit *test)
{
	/* per_cpu, managed, can_balance */
	KUNIT_EXPECT_EQ(test, dpkit_irq_unmovable_reason(false, false, true), 0U);
	KUNIT_EXPECT_EQ(test, dpkit_irq_unmovable_reason(false, true, true),
			(u32)DPKIT_IRQ_MANAGED);
	KUNIT_EXPECT_EQ(test, dpkit_irq_unmovable_reason(true, false, false),
			(u32)DPKIT_IRQ_PER_CPU);
	/* Per-CPU wins: it is also not balanceable. */
	KUNIT_EXPECT_EQ(test, dpkit_irq_unmovable_reason(true, true, false),
			(u32)DPKIT_IRQ_PER_CPU);
	KUNIT_EXPECT_EQ(test, dpkit_irq_unmovable_reason(false, false, false),
			(u32)DPKIT_IRQ_NO_BALANCE);
	/* Managed and not balanceable: the managed flag explains it. */
	KUNIT_EXPECT_EQ(test, dpkit_irq_unmovable_reason(false, true, false),
			(u32)DPKIT_IRQ_MANAGED);
}

/* A saved affinity goes back only to the same, movable, untouched IRQ. */
static void irq_restore_identity(struct kunit *test)
{
	static int desc_a, desc_b, chip, msi;
	struct dpkit_irq_id saved = {
		.desc = &desc_a, .chip_data = &chip, .msi_desc = &msi, .hwirq = 7,
	};
	struct dpkit_irq_id now = saved;

	KUNIT_EXPECT_TRUE(test, dpkit_irq_restorable(&saved, &now, 0, true));
	/* Changed since dpkit moved it: the admin's (or a driver's) choice. */
	KUNIT_EXPECT_FALSE(test, dpkit_irq_restorable(&saved, &now, 0, false));
	/* The same IRQ, now managed or not balanceable. */
	KUNIT_EXPECT_FALSE(test, dpkit_irq_restorable(&saved, &now,
						      DPKIT_IRQ_MANAGED, true));
	/* The number reused: another descriptor, MSI entry or vector. */
	now.desc = &desc_b;
	KUNIT_EXPECT_FALSE(test, dpkit_irq_restorable(&saved, &now, 0, true));
	now = saved;
	now.msi_desc = NULL;
	KUNIT_EXPECT_FALSE(test, dpkit_irq_restorable(&saved, &now, 0, true));
	now = saved;
	now.hwirq = 8;
	KUNIT_EXPECT_FALSE(test, dpkit_irq_restorable(&saved, &now, 0, true));
}

static void cpumask_words(struct kunit *test)
{
	struct cpumask *m = kunit_kzalloc(test, cpumask_size(), GFP_KERNEL);
	u64 w[2] = { 0x6, 0 };	/* CPUs 1 and 2 */

	KUNIT_ASSERT_NOT_NULL(test, m);
	if (nr_cpu_ids < 4)
		kunit_skip(test, "needs a kernel with 4 possible CPUs");
	KUNIT_EXPECT_EQ(test, dpkit_cpumask_from_words(w, 64, 8, m), 0);
	KUNIT_EXPECT_EQ(test, cpumask_weight(m), 2U);
	KUNIT_EXPECT_TRUE(test, cpumask_test_cpu(1, m));
	KUNIT_EXPECT_TRUE(test, cpumask_test_cpu(2, m));
	/* A shorter bitmap: only its bits count... */
	KUNIT_EXPECT_EQ(test, dpkit_cpumask_from_words(w, 3, 8, m), 0);
	/* ...and a bit past nr_bits is refused. */
	w[0] = 0x10;
	KUNIT_EXPECT_EQ(test, dpkit_cpumask_from_words(w, 3, 8, m), -EINVAL);
	/* A CPU id the kernel does not have. */
	w[0] = 0x100;
	KUNIT_EXPECT_EQ(test, dpkit_cpumask_from_words(w, 64, 8, m), -EINVAL);
	w[0] = 0;
	w[1] = 1;	/* CPU 64 */
	KUNIT_EXPECT_EQ(test, dpkit_cpumask_from_words(w, 128, 8, m), -EINVAL);
	w[1] = 0;
	KUNIT_EXPECT_EQ(test, dpkit_cpumask_from_words(w, 128, 8, m), 0);
	KUNIT_EXPECT_TRUE(test, cpumask_empty(m));
}

static void isolate_sets(struct kunit *test)
{
	struct cpumask *online = kunit_kzalloc(test, cpumask_size(), GFP_KERNEL);
	struct cpumask *want = kunit_kzalloc(test, cpumask_size(), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, online);
	KUNIT_ASSERT_NOT_NULL(test, want);
	if (nr_cpu_ids < 4)
		kunit_skip(test, "needs a kernel with 4 possible CPUs");
	cpumask_set_cpu(0, online);
	cpumask_set_cpu(1, online);
	cpumask_set_cpu(2, online);

	cpumask_set_cpu(2, want);
	KUNIT_EXPECT_EQ(test, dpkit_isolate_check(want, online), 0);
	/* CPU 0 may be isolated while another CPU keeps house. */
	cpumask_set_cpu(0, want);
	KUNIT_EXPECT_EQ(test, dpkit_isolate_check(want, online), 0);
	/* Not every CPU: someone must keep house. */
	cpumask_set_cpu(1, want);
	KUNIT_EXPECT_EQ(test, dpkit_isolate_check(want, online), -EINVAL);
	/* Not an offline CPU. */
	cpumask_clear(want);
	cpumask_set_cpu(3, want);
	KUNIT_EXPECT_EQ(test, dpkit_isolate_check(want, online), -EINVAL);
	/* Not nothing (that is DPKIT_IOC_ISOLATE_CLEAR). */
	cpumask_clear(want);
	KUNIT_EXPECT_EQ(test, dpkit_isolate_check(want, online), -EINVAL);
}

static struct kunit_case dpkit_isolate_cases[] = {
	KUNIT_CASE(irq_filter),
	KUNIT_CASE(irq_restore_identity),
	KUNIT_CASE(cpumask_words),
	KUNIT_CASE(isolate_sets),
	{}
};

static struct kunit_suite dpkit_isolate_suite = {
	.name = "dpkit_isolate",
	.test_cases = dpkit_isolate_cases,
};

kunit_test_suites(&dpkit_isolate_suite);
