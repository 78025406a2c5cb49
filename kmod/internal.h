/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dpkit.ko internals shared between the module's files and its KUnit suites.
 * The userspace contract is <linux/dpkit.h>; nothing here crosses it.
 */
#ifndef _DPKIT_INTERNAL_H
#define _DPKIT_INTERNAL_H

#include <linux/delay.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/dpkit.h>

struct cpumask;
struct sk_buff;

#define DPKIT_RELEASE	"0.1.0"

/*
 * The link-state mapping (page.c). One writer at a time per page: callers
 * serialise writes; readers never block and never take a lock.
 */
struct dpkit_page {
	void *base;			/* vmalloc_user() area */
	size_t map_size;		/* PAGE_ALIGN()ed size of @base */
	struct dpkit_page_hdr *hdr;
	u64 *bitmap;
	struct dpkit_link_slot *slots;
	u32 nr_slots;
};

/* What one slot holds, as the writer sets it and a reader copies it out. */
struct dpkit_slot_state {
	u32 incarnation;
	u32 owner;
	u32 key;
	u32 flags;
	u32 speed;
	u64 changes;
	u64 last_change_ns;
	char name[DPKIT_IFNAME_LEN];
};

/* Test builds: a busy-wait inside the slot write section (main.c). */
#ifdef DPKIT_TEST_HOOKS
extern unsigned int dpkit_test_slot_write_us;

static inline void dpkit_test_slot_write(void)
{
	unsigned int us = READ_ONCE(dpkit_test_slot_write_us);

	if (us)
		udelay(us);
}
#else
static inline void dpkit_test_slot_write(void)
{
}
#endif

int dpkit_page_init(struct dpkit_page *pg, u32 nr_slots);
void dpkit_page_fini(struct dpkit_page *pg);
int dpkit_page_write_slot(struct dpkit_page *pg, u32 idx,
			  const struct dpkit_slot_state *st);
int dpkit_page_read_slot(const struct dpkit_page *pg, u32 idx,
			 struct dpkit_slot_state *st);
bool dpkit_page_slot_up(const struct dpkit_page *pg, u32 idx);

/*
 * The link table (link.c): which link each slot of the page describes, and
 * who may change it. @lock serialises every writer of @page; the order is
 * rtnl_lock, then @lock.
 */
struct dpkit_link {
	struct dpkit_slot_state st;
	const void *lease;		/* the lease that reported a DPDK port */
	char bdf[DPKIT_BDF_LEN];	/* a DPDK port's PCI device */
};

struct dpkit_links {
	struct mutex lock;		/* serialises writers of @page */
	struct dpkit_page *page;
	struct dpkit_link link[DPKIT_V1_NR_SLOTS];
	u32 next_incarnation;
	/* Kernel netdevs tracked: every Ethernet one, or the @watched set. */
	bool watch_all;
	u32 nr_watched;
	int watched[DPKIT_V1_NR_SLOTS];
	wait_queue_head_t wait;		/* poll()/read() on the page's events */
	/* Called after every published change, with @lock held. */
	void (*notify)(const struct dpkit_link *l, u32 idx, u8 cmd);
};

void dpkit_links_init(struct dpkit_links *links, struct dpkit_page *page);
int dpkit_link_set(struct dpkit_links *links, u32 owner, u32 key,
		   const char *name, const char *bdf, u32 flags, u32 speed,
		   const void *lease);
int dpkit_link_report(struct dpkit_links *links,
		      const struct dpkit_link_report *rep, const void *lease);
int dpkit_link_del(struct dpkit_links *links, u32 owner, u32 key,
		   const void *lease);
int dpkit_link_find(struct dpkit_links *links, u32 owner, u32 key);
void dpkit_link_release_lease(struct dpkit_links *links, const void *lease);
int dpkit_link_report_check(const struct dpkit_link_report *rep);
int dpkit_link_watch_check(const struct dpkit_link_watch *w);
u64 dpkit_links_events(struct dpkit_links *links);

/* The module's own table, its notifier and the watch ioctl (link.c). */
extern struct dpkit_links dpkit_links;
int dpkit_link_start(struct dpkit_page *page);
void dpkit_link_stop(void);
int dpkit_link_watch(const struct dpkit_link_watch *w);

/* NIC ownership (pci.c); its locking rules are at the top of pci.c. */
long dpkit_nic_list(struct dpkit_nic_list __user *uarg);
long dpkit_nic_bind(struct dpkit_nic_bind *b, const void *lease);
long dpkit_nic_restore(struct dpkit_nic_restore *r, const void *lease);
void dpkit_nic_release(const void *lease);
void dpkit_nic_exit(void);
bool dpkit_driver_allowed(const char *target, const char *orig);
int dpkit_override_normalize(const char *in, size_t size, char *out,
			     size_t outsize);
int dpkit_parse_bdf(const char *s, size_t size, int *domain, unsigned int *bus,
		    unsigned int *devfn);
bool dpkit_pci_is_dlb(u16 vendor, u16 device);

/* Core isolation (isolate.c). Who an IRQ is, beyond its number. */
struct dpkit_irq_id {
	const void *desc;
	const void *chip_data;
	const void *msi_desc;
	unsigned long hwirq;
};

bool dpkit_irq_restorable(const struct dpkit_irq_id *saved,
			  const struct dpkit_irq_id *now, u32 reason,
			  bool untouched);
int dpkit_isolate_init(void);
void dpkit_isolate_exit(void);
long dpkit_isolate_set(struct dpkit_cpumask __user *uarg, const void *lease);
long dpkit_isolate_get(struct dpkit_cpumask __user *uarg);
long dpkit_isolate_clear(const void *lease);
long dpkit_irq_report(struct dpkit_irq_report __user *uarg);
void dpkit_isolate_release(const void *lease);
u32 dpkit_irq_unmovable_reason(bool per_cpu, bool managed, bool can_balance);
int dpkit_cpumask_from_words(const u64 *words, u32 nr_bits, u32 nr_cpus,
			     struct cpumask *out);
int dpkit_isolate_check(const struct cpumask *want, const struct cpumask *online);

/* Generic netlink (genl.c). */
int dpkit_genl_init(void);
void dpkit_genl_exit(void);
void dpkit_genl_notify(const struct dpkit_link *l, u32 idx, u8 cmd);
int dpkit_genl_fill_link(struct sk_buff *skb, u32 portid, u32 seq, int flags,
			 u8 cmd, const struct dpkit_link *l, u32 idx);

#endif /* _DPKIT_INTERNAL_H */
