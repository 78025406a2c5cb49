// SPDX-License-Identifier: GPL-2.0
/*
 * The link-state mapping: a header, an up/down bitmap and an array of
 * slots, each slot guarded by its own sequence count. The layout and the
 * reader's side of the protocol are specified in <linux/dpkit.h>; the writer
 * follows include/vdso/helpers.h.
 */
#include <linux/bitops.h>
#include <linux/errno.h>
#include <linux/mm.h>
#include <linux/preempt.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <kunit/visibility.h>

#include "internal.h"

int dpkit_page_init(struct dpkit_page *pg, u32 nr_slots)
{
	struct dpkit_page_hdr *hdr;
	size_t size;

	if (!nr_slots || nr_slots > DPKIT_V1_NR_SLOTS)
		return -EINVAL;

	size = PAGE_ALIGN(DPKIT_V1_SLOT_OFFSET +
			  (size_t)nr_slots * sizeof(struct dpkit_link_slot));
	/* Zeroed, and flagged VM_USERMAP for remap_vmalloc_range(). */
	pg->base = vmalloc_user(size);
	if (!pg->base)
		return -ENOMEM;

	pg->map_size = size;
	pg->nr_slots = nr_slots;
	pg->hdr = pg->base;
	pg->bitmap = pg->base + DPKIT_V1_BITMAP_OFFSET;
	pg->slots = pg->base + DPKIT_V1_SLOT_OFFSET;

	hdr = pg->hdr;
	hdr->magic = DPKIT_PAGE_MAGIC;
	hdr->abi_version = DPKIT_ABI_VERSION;
	hdr->map_size = size;
	hdr->nr_slots = nr_slots;
	hdr->slot_size = sizeof(struct dpkit_link_slot);
	hdr->slot_offset = DPKIT_V1_SLOT_OFFSET;
	hdr->bitmap_offset = DPKIT_V1_BITMAP_OFFSET;
	hdr->bitmap_words = DIV_ROUND_UP(nr_slots, 64);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(dpkit_page_init);

void dpkit_page_fini(struct dpkit_page *pg)
{
	vfree(pg->base);
	memset(pg, 0, sizeof(*pg));
}
EXPORT_SYMBOL_IF_KUNIT(dpkit_page_fini);

static void dpkit_slot_write_begin(struct dpkit_link_slot *slot)
{
	WRITE_ONCE(slot->seq, slot->seq + 1);
	smp_wmb();	/* seq odd before any field changes */
}

static void dpkit_slot_write_end(struct dpkit_link_slot *slot)
{
	smp_wmb();	/* every field visible before seq is even again */
	WRITE_ONCE(slot->seq, slot->seq + 1);
}

/*
 * Publish @st in slot @idx. The bitmap bit of the slot changes inside the
 * write section, so a reader that checks the slot's sequence count around
 * its bitmap load sees the two agree. Callers serialise writers.
 *
 * The write section runs with preemption disabled, as the vDSO's writer
 * does (it holds a raw spinlock): a reader spins while the count is odd,
 * and a SCHED_FIFO reader that preempted the writer on its CPU would spin
 * for ever (PREEMPT, PREEMPT_RT). Nothing in the section sleeps.
 */
int dpkit_page_write_slot(struct dpkit_page *pg, u32 idx,
			  const struct dpkit_slot_state *st)
{
	struct dpkit_link_slot *slot;
	u64 *word, bit, val;
	bool rebound;

	if (idx >= pg->nr_slots)
		return -EINVAL;

	slot = &pg->slots[idx];
	word = &pg->bitmap[idx / 64];
	bit = BIT_ULL(idx % 64);
	rebound = slot->owner != st->owner || slot->key != st->key ||
		  slot->incarnation != st->incarnation;

	preempt_disable();
	dpkit_slot_write_begin(slot);
	WRITE_ONCE(slot->incarnation, st->incarnation);
	WRITE_ONCE(slot->owner, st->owner);
	WRITE_ONCE(slot->key, st->key);
	WRITE_ONCE(slot->flags, st->flags);
	WRITE_ONCE(slot->speed, st->speed);
	WRITE_ONCE(slot->changes, st->changes);
	WRITE_ONCE(slot->last_change_ns, st->last_change_ns);
	memcpy(slot->name, st->name, sizeof(slot->name));
	slot->name[sizeof(slot->name) - 1] = '\0';
	dpkit_test_slot_write();
	val = READ_ONCE(*word);
	val = (st->flags & DPKIT_LINK_F_UP) ? val | bit : val & ~bit;
	WRITE_ONCE(*word, val);
	dpkit_slot_write_end(slot);
	preempt_enable();

	if (rebound)
		WRITE_ONCE(pg->hdr->generation, pg->hdr->generation + 1);
	smp_wmb();	/* the slot before the event that announces it */
	WRITE_ONCE(pg->hdr->events, pg->hdr->events + 1);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(dpkit_page_write_slot);

/* Copy slot @idx into @st, retrying while a writer is inside the slot. */
int dpkit_page_read_slot(const struct dpkit_page *pg, u32 idx,
			 struct dpkit_slot_state *st)
{
	const struct dpkit_link_slot *slot;
	u32 seq;

	if (idx >= pg->nr_slots)
		return -EINVAL;

	slot = &pg->slots[idx];
	for (;;) {
		seq = READ_ONCE(slot->seq);
		if (seq & 1) {
			cpu_relax();
			continue;
		}
		smp_rmb();	/* fields after the even seq */
		st->incarnation = READ_ONCE(slot->incarnation);
		st->owner = READ_ONCE(slot->owner);
		st->key = READ_ONCE(slot->key);
		st->flags = READ_ONCE(slot->flags);
		st->speed = READ_ONCE(slot->speed);
		st->changes = READ_ONCE(slot->changes);
		st->last_change_ns = READ_ONCE(slot->last_change_ns);
		memcpy(st->name, slot->name, sizeof(st->name));
		smp_rmb();	/* fields before the seq re-check */
		if (READ_ONCE(slot->seq) == seq)
			break;
	}
	st->name[sizeof(st->name) - 1] = '\0';
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(dpkit_page_read_slot);

/* The hot-path view: one load of the slot's bitmap word. */
bool dpkit_page_slot_up(const struct dpkit_page *pg, u32 idx)
{
	if (idx >= pg->nr_slots)
		return false;
	return READ_ONCE(pg->bitmap[idx / 64]) & BIT_ULL(idx % 64);
}
EXPORT_SYMBOL_IF_KUNIT(dpkit_page_slot_up);
