// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the link table: add, update, remove and reuse of slots,
 * the bitmap, leases, the checks on ioctl arguments and the contents of
 * the generic netlink messages. Each test has a table and page of its own;
 * the module's table is untouched.
 */
#include <kunit/test.h>
#include <net/genetlink.h>

#include "../compat.h"
#include "../internal.h"

DPKIT_IMPORT_KUNIT_NS();

struct link_ctx {
	struct dpkit_page pg;
	struct dpkit_links links;
	unsigned int nr_new, nr_del;	/* notify calls */
	u8 last_cmd;
	struct dpkit_link last;
};

static struct link_ctx *notify_ctx;

static void count_notify(const struct dpkit_link *l, u32 idx, u8 cmd)
{
	if (cmd == DPKIT_CMD_LINK_NEW)
		notify_ctx->nr_new++;
	else
		notify_ctx->nr_del++;
	notify_ctx->last_cmd = cmd;
	notify_ctx->last = *l;
}

static int link_test_init(struct kunit *test)
{
	struct link_ctx *ctx;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	KUNIT_ASSERT_EQ(test, dpkit_page_init(&ctx->pg, DPKIT_V1_NR_SLOTS), 0);
	dpkit_links_init(&ctx->links, &ctx->pg);
	ctx->links.notify = count_notify;
	notify_ctx = ctx;
	test->priv = ctx;
	return 0;
}

static void link_test_exit(struct kunit *test)
{
	struct link_ctx *ctx = test->priv;

	dpkit_page_fini(&ctx->pg);
	notify_ctx = NULL;
}

/* dpkit_link_set() under the table's lock, as every caller does. */
static int set(struct link_ctx *ctx, u32 owner, u32 key, const char *name,
	       u32 flags, u32 speed, const void *lease)
{
	int ret;

	mutex_lock(&ctx->links.lock);
	ret = dpkit_link_set(&ctx->links, owner, key, name, NULL, flags, speed,
			     lease);
	mutex_unlock(&ctx->links.lock);
	return ret;
}

static int del(struct link_ctx *ctx, u32 owner, u32 key, const void *lease)
{
	int ret;

	mutex_lock(&ctx->links.lock);
	ret = dpkit_link_del(&ctx->links, owner, key, lease);
	mutex_unlock(&ctx->links.lock);
	return ret;
}

static struct dpkit_slot_state slot(struct link_ctx *ctx, int idx)
{
	struct dpkit_slot_state st;

	dpkit_page_read_slot(&ctx->pg, idx, &st);
	return st;
}

#define UP	(DPKIT_LINK_F_UP | DPKIT_LINK_F_ADMIN_UP | DPKIT_LINK_F_CARRIER)

static void link_add_publishes_a_slot(struct kunit *test)
{
	struct link_ctx *ctx = test->priv;
	struct dpkit_slot_state st;
	int idx;

	idx = set(ctx, DPKIT_OWNER_KERNEL, 7, "eth0", UP, 1000, NULL);
	KUNIT_ASSERT_GE(test, idx, 0);
	st = slot(ctx, idx);
	KUNIT_EXPECT_EQ(test, st.owner, (u32)DPKIT_OWNER_KERNEL);
	KUNIT_EXPECT_EQ(test, st.key, 7U);
	KUNIT_EXPECT_STREQ(test, st.name, "eth0");
	KUNIT_EXPECT_EQ(test, st.flags, (u32)UP);
	KUNIT_EXPECT_EQ(test, st.speed, 1000U);
	KUNIT_EXPECT_EQ(test, st.changes, 0ULL);
	KUNIT_EXPECT_NE(test, st.incarnation, 0U);
	KUNIT_EXPECT_GT(test, st.last_change_ns, 0ULL);
	KUNIT_EXPECT_TRUE(test, dpkit_page_slot_up(&ctx->pg, idx));
	KUNIT_EXPECT_EQ(test, dpkit_link_find(&ctx->links, DPKIT_OWNER_KERNEL, 7),
			idx);
	/* The same key of the other owner is another link. */
	KUNIT_EXPECT_EQ(test, dpkit_link_find(&ctx->links, DPKIT_OWNER_DPDK, 7),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, ctx->nr_new, 1U);
	KUNIT_EXPECT_EQ(test, dpkit_links_events(&ctx->links), 1ULL);
	KUNIT_EXPECT_EQ(test, ctx->pg.hdr->generation, 1ULL);
}

static void link_update_counts_transitions(struct kunit *test)
{
	struct link_ctx *ctx = test->priv;
	struct dpkit_slot_state st;
	u64 t0;
	int idx;

	idx = set(ctx, DPKIT_OWNER_KERNEL, 3, "eth1", UP, 100, NULL);
	t0 = slot(ctx, idx).last_change_ns;

	/* Down, up, down: three transitions. */
	KUNIT_EXPECT_EQ(test, set(ctx, DPKIT_OWNER_KERNEL, 3, "eth1",
				  DPKIT_LINK_F_ADMIN_UP, 0, NULL), idx);
	KUNIT_EXPECT_FALSE(test, dpkit_page_slot_up(&ctx->pg, idx));
	KUNIT_EXPECT_EQ(test, set(ctx, DPKIT_OWNER_KERNEL, 3, "eth1", UP, 100,
				  NULL), idx);
	KUNIT_EXPECT_EQ(test, set(ctx, DPKIT_OWNER_KERNEL, 3, "eth1", 0, 0, NULL),
			idx);
	st = slot(ctx, idx);
	KUNIT_EXPECT_EQ(test, st.changes, 3ULL);
	KUNIT_EXPECT_GE(test, st.last_change_ns, t0);

	/* A speed change is published but is not a transition. */
	set(ctx, DPKIT_OWNER_KERNEL, 3, "eth1", 0, 10, NULL);
	KUNIT_EXPECT_EQ(test, slot(ctx, idx).changes, 3ULL);
	KUNIT_EXPECT_EQ(test, slot(ctx, idx).speed, 10U);
	/* A rename is published. */
	set(ctx, DPKIT_OWNER_KERNEL, 3, "wan0", 0, 10, NULL);
	KUNIT_EXPECT_STREQ(test, slot(ctx, idx).name, "wan0");
	/* The incarnation and the generation stay: the same link. */
	KUNIT_EXPECT_EQ(test, ctx->pg.hdr->generation, 1ULL);
	KUNIT_EXPECT_EQ(test, ctx->nr_new, 6U);
}

static void link_noop_update_publishes_nothing(struct kunit *test)
{
	struct link_ctx *ctx = test->priv;
	u32 seq;
	int idx;

	idx = set(ctx, DPKIT_OWNER_KERNEL, 9, "eth2", UP, 1000, NULL);
	seq = ctx->pg.slots[idx].seq;
	KUNIT_EXPECT_EQ(test, set(ctx, DPKIT_OWNER_KERNEL, 9, "eth2", UP, 1000,
				  NULL), idx);
	KUNIT_EXPECT_EQ(test, ctx->pg.slots[idx].seq, seq);
	KUNIT_EXPECT_EQ(test, dpkit_links_events(&ctx->links), 1ULL);
	KUNIT_EXPECT_EQ(test, ctx->nr_new, 1U);
}

static void link_remove_goes_down_then_frees(struct kunit *test)
{
	struct link_ctx *ctx = test->priv;
	struct dpkit_slot_state st;
	u32 incarnation;
	int idx;

	idx = set(ctx, DPKIT_OWNER_KERNEL, 4, "eth3", UP, 1000, NULL);
	incarnation = slot(ctx, idx).incarnation;
	KUNIT_EXPECT_EQ(test, del(ctx, DPKIT_OWNER_KERNEL, 4, NULL), 0);

	st = slot(ctx, idx);
	KUNIT_EXPECT_EQ(test, st.owner, (u32)DPKIT_OWNER_NONE);
	KUNIT_EXPECT_EQ(test, st.flags, 0U);
	KUNIT_EXPECT_NE(test, st.incarnation, incarnation);
	KUNIT_EXPECT_FALSE(test, dpkit_page_slot_up(&ctx->pg, idx));
	/* add, the down transition, the free: three events. */
	KUNIT_EXPECT_EQ(test, dpkit_links_events(&ctx->links), 3ULL);
	KUNIT_EXPECT_EQ(test, ctx->pg.hdr->generation, 2ULL);
	/*
	 * Listeners heard the link go down (LINK_NEW), as readers of the page
	 * did, then of the removal (LINK_DEL), with the link's last state.
	 */
	KUNIT_EXPECT_EQ(test, ctx->nr_new, 2U);
	KUNIT_EXPECT_EQ(test, ctx->nr_del, 1U);
	KUNIT_EXPECT_EQ(test, ctx->last_cmd, (u8)DPKIT_CMD_LINK_DEL);
	KUNIT_EXPECT_EQ(test, ctx->last.st.key, 4U);
	KUNIT_EXPECT_EQ(test, ctx->last.st.changes, 1ULL);
	KUNIT_EXPECT_EQ(test, del(ctx, DPKIT_OWNER_KERNEL, 4, NULL), -ENOENT);
}

static void link_slot_reuse_changes_incarnation(struct kunit *test)
{
	struct link_ctx *ctx = test->priv;
	u32 first;
	int idx, again;

	idx = set(ctx, DPKIT_OWNER_KERNEL, 11, "a", UP, 0, NULL);
	first = slot(ctx, idx).incarnation;
	del(ctx, DPKIT_OWNER_KERNEL, 11, NULL);
	again = set(ctx, DPKIT_OWNER_DPDK, 0, "p0", UP, 0, NULL);
	KUNIT_EXPECT_EQ(test, again, idx);	/* the lowest free slot */
	KUNIT_EXPECT_NE(test, slot(ctx, again).incarnation, first);
	KUNIT_EXPECT_EQ(test, slot(ctx, again).changes, 0ULL);
	KUNIT_EXPECT_STREQ(test, slot(ctx, again).name, "p0");
}

static void link_full_table_is_an_error(struct kunit *test)
{
	struct link_ctx *ctx = test->priv;
	u32 i;

	for (i = 0; i < DPKIT_V1_NR_SLOTS; i++)
		KUNIT_ASSERT_EQ(test, set(ctx, DPKIT_OWNER_DPDK, i, "", UP, 0, NULL),
				(int)i);
	KUNIT_EXPECT_EQ(test, set(ctx, DPKIT_OWNER_DPDK, 1000, "", UP, 0, NULL),
			-ENOSPC);
	/* Every bit of every bitmap word is set. */
	for (i = 0; i < DPKIT_V1_NR_SLOTS / 64; i++)
		KUNIT_EXPECT_EQ(test, ctx->pg.bitmap[i], ~0ULL);
	/* Existing links still update. */
	KUNIT_EXPECT_EQ(test, set(ctx, DPKIT_OWNER_DPDK, 5, "", 0, 0, NULL), 5);
	KUNIT_EXPECT_EQ(test, ctx->pg.bitmap[0], ~BIT_ULL(5));
}

static void link_bitmap_matches_slots(struct kunit *test)
{
	struct link_ctx *ctx = test->priv;
	u32 i, flags;

	for (i = 0; i < 200; i++) {
		flags = (i % 3) ? UP : 0;
		KUNIT_ASSERT_GE(test, set(ctx, DPKIT_OWNER_DPDK, i, "", flags, 0,
					  NULL), 0);
	}
	for (i = 0; i < 200; i += 7)
		del(ctx, DPKIT_OWNER_DPDK, i, NULL);
	for (i = 0; i < DPKIT_V1_NR_SLOTS; i++)
		KUNIT_EXPECT_EQ(test, dpkit_page_slot_up(&ctx->pg, i),
				!!(slot(ctx, i).flags & DPKIT_LINK_F_UP));
}

static void link_lease_owns_its_ports(struct kunit *test)
{
	struct link_ctx *ctx = test->priv;
	int a = 1, b = 2;	/* two leases: any distinct pointers */
	int p0, p1, k;

	p0 = set(ctx, DPKIT_OWNER_DPDK, 0, "p0", UP, 0, &a);
	p1 = set(ctx, DPKIT_OWNER_DPDK, 1, "p1", UP, 0, NULL);
	k = set(ctx, DPKIT_OWNER_KERNEL, 2, "eth0", UP, 0, NULL);
	KUNIT_ASSERT_GE(test, p0, 0);

	/* Another lease, or none, may not touch a leased port. */
	KUNIT_EXPECT_EQ(test, set(ctx, DPKIT_OWNER_DPDK, 0, "p0", 0, 0, &b),
			-EBUSY);
	KUNIT_EXPECT_EQ(test, set(ctx, DPKIT_OWNER_DPDK, 0, "p0", 0, 0, NULL),
			-EBUSY);
	KUNIT_EXPECT_EQ(test, del(ctx, DPKIT_OWNER_DPDK, 0, NULL), -EBUSY);
	/* A lease takes over a port nobody leased. */
	KUNIT_EXPECT_EQ(test, set(ctx, DPKIT_OWNER_DPDK, 1, "p1", UP, 0, &b), p1);

	dpkit_link_release_lease(&ctx->links, &a);
	KUNIT_EXPECT_EQ(test, slot(ctx, p0).owner, (u32)DPKIT_OWNER_NONE);
	KUNIT_EXPECT_FALSE(test, dpkit_page_slot_up(&ctx->pg, p0));
	KUNIT_EXPECT_EQ(test, ctx->last.st.key, 0U);
	KUNIT_EXPECT_EQ(test, ctx->last.st.flags & DPKIT_LINK_F_UP, 0U);
	/* Nothing else moved. */
	KUNIT_EXPECT_TRUE(test, dpkit_page_slot_up(&ctx->pg, p1));
	KUNIT_EXPECT_TRUE(test, dpkit_page_slot_up(&ctx->pg, k));

	dpkit_link_release_lease(&ctx->links, &b);
	KUNIT_EXPECT_EQ(test, slot(ctx, p1).owner, (u32)DPKIT_OWNER_NONE);
	KUNIT_EXPECT_TRUE(test, dpkit_page_slot_up(&ctx->pg, k));
}

static void link_report_checks_arguments(struct kunit *test)
{
	struct dpkit_link_report rep;

#define REP_RESET() do {					\
		memset(&rep, 0, sizeof(rep));			\
		rep.port_id = 3;				\
		rep.flags = DPKIT_LINK_F_UP;			\
		strscpy(rep.bdf, "0000:00:04.0", sizeof(rep.bdf)); \
	} while (0)

	REP_RESET();
	KUNIT_EXPECT_EQ(test, dpkit_link_report_check(&rep), 0);
	rep.op = DPKIT_REPORT_REMOVE + 1;
	KUNIT_EXPECT_EQ(test, dpkit_link_report_check(&rep), -EINVAL);
	REP_RESET();
	rep.flags = BIT(17);
	KUNIT_EXPECT_EQ(test, dpkit_link_report_check(&rep), -EINVAL);
	REP_RESET();
	rep.flags |= DPKIT_LINK_F_FULL_DUPLEX | DPKIT_LINK_F_HALF_DUPLEX;
	KUNIT_EXPECT_EQ(test, dpkit_link_report_check(&rep), -EINVAL);
	REP_RESET();
	rep.port_id = DPKIT_PORT_MAX + 1;
	KUNIT_EXPECT_EQ(test, dpkit_link_report_check(&rep), -EINVAL);
	REP_RESET();
	memset(rep.bdf, 'b', sizeof(rep.bdf));
	KUNIT_EXPECT_EQ(test, dpkit_link_report_check(&rep), -EINVAL);
	REP_RESET();
	memset(rep.name, 'n', sizeof(rep.name));
	KUNIT_EXPECT_EQ(test, dpkit_link_report_check(&rep), -EINVAL);
	REP_RESET();
	rep.port_id = DPKIT_PORT_MAX;
	KUNIT_EXPECT_EQ(test, dpkit_link_report_check(&rep), 0);
#undef REP_RESET
}

static void link_report_set_and_remove(struct kunit *test)
{
	struct link_ctx *ctx = test->priv;
	struct dpkit_link_report rep = { .port_id = 2, .speed = 25000,
		.flags = DPKIT_LINK_F_UP | DPKIT_LINK_F_FULL_DUPLEX };
	int idx;

	strscpy(rep.bdf, "0000:00:05.0", sizeof(rep.bdf));
	KUNIT_EXPECT_EQ(test, dpkit_link_report(&ctx->links, &rep, NULL), 0);
	idx = dpkit_link_find(&ctx->links, DPKIT_OWNER_DPDK, 2);
	KUNIT_ASSERT_GE(test, idx, 0);
	/* No name given: the BDF names the port. */
	KUNIT_EXPECT_STREQ(test, slot(ctx, idx).name, "0000:00:05.0");
	KUNIT_EXPECT_STREQ(test, ctx->links.link[idx].bdf, "0000:00:05.0");
	KUNIT_EXPECT_EQ(test, slot(ctx, idx).speed, 25000U);

	rep.op = DPKIT_REPORT_REMOVE;
	KUNIT_EXPECT_EQ(test, dpkit_link_report(&ctx->links, &rep, NULL), 0);
	KUNIT_EXPECT_EQ(test, dpkit_link_find(&ctx->links, DPKIT_OWNER_DPDK, 2),
			-ENOENT);
	/* Removing an unknown port. */
	KUNIT_EXPECT_EQ(test, dpkit_link_report(&ctx->links, &rep, NULL),
			-ENOENT);
}

/* Listeners learn a DPDK port's PCI device with its first message, and of
 * every change of it, even when nothing else changed.
 */
static void link_report_publishes_the_bdf(struct kunit *test)
{
	struct link_ctx *ctx = test->priv;
	struct dpkit_link_report rep = { .port_id = 3, .flags = DPKIT_LINK_F_UP };

	strscpy(rep.name, "p3", sizeof(rep.name));
	strscpy(rep.bdf, "0000:00:05.0", sizeof(rep.bdf));
	KUNIT_EXPECT_EQ(test, dpkit_link_report(&ctx->links, &rep, NULL), 0);
	KUNIT_EXPECT_EQ(test, ctx->nr_new, 1U);
	KUNIT_EXPECT_STREQ(test, ctx->last.bdf, "0000:00:05.0");

	strscpy(rep.bdf, "0000:00:06.0", sizeof(rep.bdf));
	KUNIT_EXPECT_EQ(test, dpkit_link_report(&ctx->links, &rep, NULL), 0);
	KUNIT_EXPECT_EQ(test, ctx->nr_new, 2U);
	KUNIT_EXPECT_STREQ(test, ctx->last.bdf, "0000:00:06.0");

	/* The same report again changes nothing and says nothing. */
	KUNIT_EXPECT_EQ(test, dpkit_link_report(&ctx->links, &rep, NULL), 0);
	KUNIT_EXPECT_EQ(test, ctx->nr_new, 2U);
}

static void link_watch_checks_arguments(struct kunit *test)
{
	struct dpkit_link_watch w = { .op = DPKIT_WATCH_ALL };

	KUNIT_EXPECT_EQ(test, dpkit_link_watch_check(&w), 0);
	w.ifindex = 2;
	KUNIT_EXPECT_EQ(test, dpkit_link_watch_check(&w), -EINVAL);
	w.op = DPKIT_WATCH_ADD;
	KUNIT_EXPECT_EQ(test, dpkit_link_watch_check(&w), 0);
	strscpy(w.name, "eth0", sizeof(w.name));	/* both */
	KUNIT_EXPECT_EQ(test, dpkit_link_watch_check(&w), -EINVAL);
	w.ifindex = 0;
	KUNIT_EXPECT_EQ(test, dpkit_link_watch_check(&w), 0);
	w.name[0] = '\0';				/* neither */
	KUNIT_EXPECT_EQ(test, dpkit_link_watch_check(&w), -EINVAL);
	memset(w.name, 'x', sizeof(w.name));		/* unterminated */
	KUNIT_EXPECT_EQ(test, dpkit_link_watch_check(&w), -EINVAL);
	memset(w.name, 0, sizeof(w.name));
	w.ifindex = -1;
	KUNIT_EXPECT_EQ(test, dpkit_link_watch_check(&w), -EINVAL);
	w.ifindex = 1;
	w.op = DPKIT_WATCH_ALL + 1;
	KUNIT_EXPECT_EQ(test, dpkit_link_watch_check(&w), -EINVAL);
}

static void link_genl_message_contents(struct kunit *test)
{
	struct nlattr *tb[DPKIT_A_MAX + 1];
	struct dpkit_link l = {};
	struct genlmsghdr *gnlh;
	struct nlmsghdr *nlh;
	struct sk_buff *skb;

	l.st.owner = DPKIT_OWNER_DPDK;
	l.st.key = 4;
	l.st.incarnation = 77;
	l.st.flags = DPKIT_LINK_F_UP | DPKIT_LINK_F_FULL_DUPLEX;
	l.st.speed = 10000;
	l.st.changes = 1ULL << 40;
	strscpy(l.st.name, "port4", sizeof(l.st.name));
	strscpy(l.bdf, "0000:00:06.0", sizeof(l.bdf));

	skb = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_ASSERT_EQ(test, dpkit_genl_fill_link(skb, 0, 5, 0,
						   DPKIT_CMD_LINK_NEW, &l, 12), 0);
	nlh = (struct nlmsghdr *)skb->data;
	KUNIT_EXPECT_EQ(test, nlh->nlmsg_seq, 5U);
	gnlh = nlmsg_data(nlh);
	KUNIT_EXPECT_EQ(test, gnlh->cmd, (u8)DPKIT_CMD_LINK_NEW);
	KUNIT_EXPECT_EQ(test, gnlh->version, (u8)DPKIT_GENL_VERSION);
	KUNIT_ASSERT_EQ(test, nlmsg_parse_deprecated(nlh, GENL_HDRLEN, tb,
						     DPKIT_A_MAX, NULL, NULL), 0);
	KUNIT_ASSERT_NOT_NULL(test, tb[DPKIT_A_SLOT]);
	KUNIT_EXPECT_EQ(test, nla_get_u32(tb[DPKIT_A_SLOT]), 12U);
	KUNIT_EXPECT_EQ(test, nla_get_u32(tb[DPKIT_A_INCARNATION]), 77U);
	KUNIT_EXPECT_EQ(test, nla_get_u32(tb[DPKIT_A_OWNER]),
			(u32)DPKIT_OWNER_DPDK);
	KUNIT_EXPECT_EQ(test, nla_get_u32(tb[DPKIT_A_KEY]), 4U);
	KUNIT_EXPECT_STREQ(test, (char *)nla_data(tb[DPKIT_A_IFNAME]), "port4");
	KUNIT_EXPECT_EQ(test, nla_get_u8(tb[DPKIT_A_UP]), 1);
	KUNIT_EXPECT_EQ(test, nla_get_u32(tb[DPKIT_A_FLAGS]), l.st.flags);
	KUNIT_EXPECT_EQ(test, nla_get_u32(tb[DPKIT_A_SPEED]), 10000U);
	KUNIT_EXPECT_EQ(test, nla_get_u8(tb[DPKIT_A_DUPLEX]), 1);
	KUNIT_EXPECT_EQ(test, nla_get_u64(tb[DPKIT_A_CHANGES]), 1ULL << 40);
	KUNIT_EXPECT_STREQ(test, (char *)nla_data(tb[DPKIT_A_BDF]),
			   "0000:00:06.0");
	kfree_skb(skb);

	/* A kernel netdev has no BDF attribute; a down link says so. */
	l.bdf[0] = '\0';
	l.st.flags = 0;
	skb = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_ASSERT_EQ(test, dpkit_genl_fill_link(skb, 0, 0, 0,
						   DPKIT_CMD_LINK_DEL, &l, 1), 0);
	nlh = (struct nlmsghdr *)skb->data;
	KUNIT_EXPECT_EQ(test, ((struct genlmsghdr *)nlmsg_data(nlh))->cmd,
			(u8)DPKIT_CMD_LINK_DEL);
	KUNIT_ASSERT_EQ(test, nlmsg_parse_deprecated(nlh, GENL_HDRLEN, tb,
						     DPKIT_A_MAX, NULL, NULL), 0);
	KUNIT_EXPECT_NULL(test, tb[DPKIT_A_BDF]);
	KUNIT_EXPECT_NULL(test, tb[DPKIT_A_DUPLEX]);	/* unknown */
	KUNIT_EXPECT_EQ(test, nla_get_u8(tb[DPKIT_A_UP]), 0);
	kfree_skb(skb);
}

/* Filling a full skb fails cleanly: the partial message is cancelled. */
static void link_genl_fill_reports_a_full_skb(struct kunit *test)
{
	struct dpkit_link l = {};
	struct sk_buff *skb;
	unsigned int len, n = 0;
	int ret;

	strscpy(l.st.name, "eth0", sizeof(l.st.name));
	skb = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	do {
		len = skb->len;
		ret = dpkit_genl_fill_link(skb, 0, 0, NLM_F_MULTI,
					   DPKIT_CMD_LINK_NEW, &l, n);
	} while (!ret && ++n < 10000);
	KUNIT_EXPECT_EQ(test, ret, -EMSGSIZE);
	KUNIT_EXPECT_GT(test, n, 1U);
	KUNIT_EXPECT_EQ(test, skb->len, len);
	kfree_skb(skb);
}

static struct kunit_case dpkit_link_cases[] = {
	KUNIT_CASE(link_add_publishes_a_slot),
	KUNIT_CASE(link_update_counts_transitions),
	KUNIT_CASE(link_noop_update_publishes_nothing),
	KUNIT_CASE(link_remove_goes_down_then_frees),
	KUNIT_CASE(link_slot_reuse_changes_incarnation),
	KUNIT_CASE(link_full_table_is_an_error),
	KUNIT_CASE(link_bitmap_matches_slots),
	KUNIT_CASE(link_lease_owns_its_ports),
	KUNIT_CASE(link_report_checks_arguments),
	KUNIT_CASE(link_report_set_and_remove),
	KUNIT_CASE(link_report_publishes_the_bdf),
	KUNIT_CASE(link_watch_checks_arguments),
	KUNIT_CASE(link_genl_message_contents),
	KUNIT_CASE(link_genl_fill_reports_a_full_skb),
	{}
};

static struct kunit_suite dpkit_link_suite = {
	.name = "dpkit_link",
	.init = link_test_init,
	.exit = link_test_exit,
	.test_cases = dpkit_link_cases,
};

kunit_test_suites(&dpkit_link_suite);
