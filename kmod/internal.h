/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dpkit.ko internals shared between the module's files and its KUnit suites.
 * The userspace contract is <linux/dpkit.h>; nothing here crosses it.
 */
#ifndef _DPKIT_INTERNAL_H
#define _DPKIT_INTERNAL_H

#include <linux/types.h>
#include <linux/dpkit.h>

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

int dpkit_page_init(struct dpkit_page *pg, u32 nr_slots);
void dpkit_page_fini(struct dpkit_page *pg);
int dpkit_page_write_slot(struct dpkit_page *pg, u32 idx,
			  const struct dpkit_slot_state *st);
int dpkit_page_read_slot(const struct dpkit_page *pg, u32 idx,
			 struct dpkit_slot_state *st);
bool dpkit_page_slot_up(const struct dpkit_page *pg, u32 idx);

#endif /* _DPKIT_INTERNAL_H */
