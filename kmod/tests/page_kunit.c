// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the link-state mapping: layout of a fresh page, the
 * per-slot sequence count, the up/down bitmap and a concurrent writer
 * against a reader that must never see a torn slot.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/sched.h>

#include "../compat.h"
#include "../internal.h"

DPKIT_IMPORT_KUNIT_NS();

#define STORM_WRITES	200000

struct page_ctx {
	struct dpkit_page pg;
};

static int page_test_init(struct kunit *test)
{
	struct page_ctx *ctx;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	KUNIT_ASSERT_EQ(test, dpkit_page_init(&ctx->pg, DPKIT_V1_NR_SLOTS), 0);
	test->priv = ctx;
	return 0;
}

static void page_test_exit(struct kunit *test)
{
	struct page_ctx *ctx = test->priv;

	dpkit_page_fini(&ctx->pg);
}

/* Every field of the state is a function of @v, so a torn copy shows. */
static void state_from(struct dpkit_slot_state *st, u32 v)
{
	memset(st, 0, sizeof(*st));
	st->incarnation = 1;
	st->owner = DPKIT_OWNER_DPDK;
	st->key = v;
	st->flags = (v & 1) ? DPKIT_LINK_F_UP | DPKIT_LINK_F_FULL_DUPLEX : 0;
	st->speed = v * 3;
	st->changes = (u64)v << 20 | v;
	st->last_change_ns = (u64)v * 7;
	snprintf(st->name, sizeof(st->name), "p%u", v);
}

static bool state_consistent(const struct dpkit_slot_state *st)
{
	struct dpkit_slot_state want;

	state_from(&want, st->key);
	return !memcmp(&want, st, sizeof(want));
}

static void page_layout(struct kunit *test)
{
	struct page_ctx *ctx = test->priv;
	struct dpkit_page_hdr *hdr = ctx->pg.hdr;

	KUNIT_EXPECT_EQ(test, hdr->magic, DPKIT_PAGE_MAGIC);
	KUNIT_EXPECT_EQ(test, hdr->abi_version, DPKIT_ABI_VERSION);
	KUNIT_EXPECT_EQ(test, hdr->nr_slots, DPKIT_V1_NR_SLOTS);
	KUNIT_EXPECT_EQ(test, hdr->slot_size, sizeof(struct dpkit_link_slot));
	KUNIT_EXPECT_EQ(test, hdr->slot_offset, DPKIT_V1_SLOT_OFFSET);
	KUNIT_EXPECT_EQ(test, hdr->bitmap_offset, DPKIT_V1_BITMAP_OFFSET);
	KUNIT_EXPECT_EQ(test, hdr->bitmap_words, DPKIT_V1_NR_SLOTS / 64);
	KUNIT_EXPECT_EQ(test, (size_t)hdr->map_size, ctx->pg.map_size);
	KUNIT_EXPECT_EQ(test, ctx->pg.map_size % PAGE_SIZE, 0UL);
	KUNIT_EXPECT_GE(test, ctx->pg.map_size, (size_t)DPKIT_V1_MAP_SIZE);
	/* The bitmap must end before the slots start. */
	KUNIT_EXPECT_LE(test, DPKIT_V1_BITMAP_OFFSET +
			hdr->bitmap_words * sizeof(u64),
			(unsigned long)DPKIT_V1_SLOT_OFFSET);
	KUNIT_EXPECT_EQ(test, hdr->generation, 0ULL);
	KUNIT_EXPECT_EQ(test, hdr->events, 0ULL);
}

static void page_init_rejects_bad_sizes(struct kunit *test)
{
	struct dpkit_page pg = {};

	KUNIT_EXPECT_EQ(test, dpkit_page_init(&pg, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, dpkit_page_init(&pg, DPKIT_V1_NR_SLOTS + 1),
			-EINVAL);
	KUNIT_EXPECT_NULL(test, pg.base);
}

static void slot_write_then_read(struct kunit *test)
{
	struct page_ctx *ctx = test->priv;
	struct dpkit_slot_state in, out;

	state_from(&in, 41);
	KUNIT_ASSERT_EQ(test, dpkit_page_write_slot(&ctx->pg, 5, &in), 0);
	KUNIT_ASSERT_EQ(test, dpkit_page_read_slot(&ctx->pg, 5, &out), 0);
	KUNIT_EXPECT_EQ(test, memcmp(&in, &out, sizeof(in)), 0);
	/* One write section: seq went 0 -> 1 -> 2. */
	KUNIT_EXPECT_EQ(test, ctx->pg.slots[5].seq, 2U);
	KUNIT_EXPECT_EQ(test, ctx->pg.hdr->events, 1ULL);
	KUNIT_EXPECT_EQ(test, ctx->pg.hdr->generation, 1ULL);

	/* Same owner/key/incarnation: an update, not a rebind. */
	in.flags = 0;
	KUNIT_ASSERT_EQ(test, dpkit_page_write_slot(&ctx->pg, 5, &in), 0);
	KUNIT_EXPECT_EQ(test, ctx->pg.slots[5].seq, 4U);
	KUNIT_EXPECT_EQ(test, ctx->pg.hdr->events, 2ULL);
	KUNIT_EXPECT_EQ(test, ctx->pg.hdr->generation, 1ULL);
}

static void slot_name_is_terminated(struct kunit *test)
{
	struct page_ctx *ctx = test->priv;
	struct dpkit_slot_state in, out;

	state_from(&in, 2);
	memset(in.name, 'x', sizeof(in.name));
	KUNIT_ASSERT_EQ(test, dpkit_page_write_slot(&ctx->pg, 0, &in), 0);
	KUNIT_EXPECT_EQ(test, ctx->pg.slots[0].name[DPKIT_IFNAME_LEN - 1], '\0');
	KUNIT_ASSERT_EQ(test, dpkit_page_read_slot(&ctx->pg, 0, &out), 0);
	KUNIT_EXPECT_EQ(test, strlen(out.name), (size_t)DPKIT_IFNAME_LEN - 1);
}

static void slot_index_is_checked(struct kunit *test)
{
	struct page_ctx *ctx = test->priv;
	struct dpkit_slot_state st;

	state_from(&st, 1);
	KUNIT_EXPECT_EQ(test, dpkit_page_write_slot(&ctx->pg, DPKIT_V1_NR_SLOTS,
						    &st), -EINVAL);
	KUNIT_EXPECT_EQ(test, dpkit_page_read_slot(&ctx->pg, U32_MAX, &st),
			-EINVAL);
	KUNIT_EXPECT_FALSE(test, dpkit_page_slot_up(&ctx->pg, DPKIT_V1_NR_SLOTS));
	KUNIT_EXPECT_EQ(test, ctx->pg.hdr->events, 0ULL);
}

static void bitmap_follows_flags(struct kunit *test)
{
	struct page_ctx *ctx = test->priv;
	struct dpkit_slot_state st;
	u32 idx;

	/* Slots 0, 63, 64 and 255: both ends of two words. */
	static const u32 slots[] = { 0, 63, 64, DPKIT_V1_NR_SLOTS - 1 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(slots); i++) {
		idx = slots[i];
		state_from(&st, 1);	/* odd: up */
		KUNIT_ASSERT_EQ(test, dpkit_page_write_slot(&ctx->pg, idx, &st), 0);
		KUNIT_EXPECT_TRUE(test, dpkit_page_slot_up(&ctx->pg, idx));
	}
	KUNIT_EXPECT_EQ(test, ctx->pg.bitmap[0], BIT_ULL(0) | BIT_ULL(63));
	KUNIT_EXPECT_EQ(test, ctx->pg.bitmap[1], BIT_ULL(0));
	KUNIT_EXPECT_EQ(test, ctx->pg.bitmap[3], BIT_ULL(63));

	state_from(&st, 2);	/* even: down */
	KUNIT_ASSERT_EQ(test, dpkit_page_write_slot(&ctx->pg, 63, &st), 0);
	KUNIT_EXPECT_FALSE(test, dpkit_page_slot_up(&ctx->pg, 63));
	KUNIT_EXPECT_TRUE(test, dpkit_page_slot_up(&ctx->pg, 0));
	KUNIT_EXPECT_EQ(test, ctx->pg.bitmap[0], BIT_ULL(0));
}

struct storm {
	struct dpkit_page *pg;
	u32 idx;
	struct completion started;
	bool stop;
};

static int storm_writer(void *arg)
{
	struct storm *s = arg;
	struct dpkit_slot_state st;
	u32 v;

	complete(&s->started);
	for (v = 1; v <= STORM_WRITES && !READ_ONCE(s->stop); v++) {
		state_from(&st, v);
		dpkit_page_write_slot(s->pg, s->idx, &st);
		if (!(v % 1024))
			cond_resched();
	}
	/* Park until kthread_stop() so the caller owns our lifetime. */
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

/*
 * A writer kthread rewrites one slot STORM_WRITES times while this thread
 * reads it: every copy must be one of the values written, and the bitmap bit
 * read inside the same sequence window must agree with the copy's flags.
 */
static void seqlock_concurrent_reader(struct kunit *test)
{
	struct page_ctx *ctx = test->priv;
	struct dpkit_slot_state st;
	struct task_struct *task;
	struct storm s = { .pg = &ctx->pg, .idx = 70 };
	const struct dpkit_link_slot *slot = &ctx->pg.slots[s.idx];
	unsigned long reads = 0, torn = 0, bit_mismatch = 0, moved = 0;
	unsigned long deadline = jiffies + 120 * HZ;
	u32 last_key = 0, seq;
	bool up;

	init_completion(&s.started);
	state_from(&st, 0);
	KUNIT_ASSERT_EQ(test, dpkit_page_write_slot(&ctx->pg, s.idx, &st), 0);

	task = kthread_run(storm_writer, &s, "dpkit-storm");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	wait_for_completion(&s.started);

	while (READ_ONCE(ctx->pg.hdr->events) < STORM_WRITES + 1 &&
	       time_before(jiffies, deadline)) {
		dpkit_page_read_slot(&ctx->pg, s.idx, &st);
		reads++;
		if (!state_consistent(&st))
			torn++;
		if (st.key != last_key)
			moved++;
		last_key = st.key;

		/* The one-load hot-path check, validated by the slot seq. */
		seq = READ_ONCE(slot->seq);
		if (!(seq & 1)) {
			smp_rmb();	/* bitmap and flags after the seq */
			up = dpkit_page_slot_up(&ctx->pg, s.idx);
			st.flags = READ_ONCE(slot->flags);
			smp_rmb();	/* ... and before the re-check */
			if (READ_ONCE(slot->seq) == seq &&
			    up != !!(st.flags & DPKIT_LINK_F_UP))
				bit_mismatch++;
		}
		if (!(reads % 256))
			cond_resched();
	}
	WRITE_ONCE(s.stop, true);
	kthread_stop(task);

	kunit_info(test, "%lu reads, %lu distinct values seen\n", reads, moved);
	KUNIT_EXPECT_EQ(test, torn, 0UL);
	KUNIT_EXPECT_EQ(test, bit_mismatch, 0UL);
	KUNIT_EXPECT_GT(test, reads, 0UL);
	/* The last value written is the one left in the slot. */
	dpkit_page_read_slot(&ctx->pg, s.idx, &st);
	KUNIT_EXPECT_EQ(test, st.key, (u32)STORM_WRITES);
	KUNIT_EXPECT_EQ(test, slot->seq % 2, 0U);
}

static struct kunit_case dpkit_page_cases[] = {
	KUNIT_CASE(page_layout),
	KUNIT_CASE(page_init_rejects_bad_sizes),
	KUNIT_CASE(slot_write_then_read),
	KUNIT_CASE(slot_name_is_terminated),
	KUNIT_CASE(slot_index_is_checked),
	KUNIT_CASE(bitmap_follows_flags),
	KUNIT_CASE(seqlock_concurrent_reader),
	{}
};

static struct kunit_suite dpkit_page_suite = {
	.name = "dpkit_page",
	.init = page_test_init,
	.exit = page_test_exit,
	.test_cases = dpkit_page_cases,
};

kunit_test_suites(&dpkit_page_suite);

MODULE_DESCRIPTION("KUnit suites for dpkit");
MODULE_LICENSE("GPL");
