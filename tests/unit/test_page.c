/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libdpkit's page reader against pages built in memory: header checks,
 * slot copies, the bitmap, and a writer thread that follows the kernel's
 * protocol (kmod/page.c) racing reader threads.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "libdpkit.h"

#define MAP_SIZE DPKIT_V1_MAP_SIZE

static void *page_new(void)
{
	struct dpkit_page_hdr *hdr;

	hdr = aligned_alloc(4096, MAP_SIZE);
	assert_non_null(hdr);
	memset(hdr, 0, MAP_SIZE);
	hdr->magic = DPKIT_PAGE_MAGIC;
	hdr->abi_version = DPKIT_ABI_VERSION;
	hdr->map_size = MAP_SIZE;
	hdr->nr_slots = DPKIT_V1_NR_SLOTS;
	hdr->slot_size = sizeof(struct dpkit_link_slot);
	hdr->slot_offset = DPKIT_V1_SLOT_OFFSET;
	hdr->bitmap_offset = DPKIT_V1_BITMAP_OFFSET;
	hdr->bitmap_words = DPKIT_V1_NR_SLOTS / 64;
	return hdr;
}

static struct dpkit_link_slot *raw_slot(void *base, uint32_t i)
{
	return (struct dpkit_link_slot *)((char *)base + DPKIT_V1_SLOT_OFFSET) + i;
}

static uint64_t *raw_bitmap(void *base)
{
	return (uint64_t *)((char *)base + DPKIT_V1_BITMAP_OFFSET);
}

/* The kernel's writer (kmod/page.c), in C11 terms. */
static void write_slot(void *base, uint32_t i, uint32_t v)
{
	struct dpkit_link_slot *s = raw_slot(base, i);
	uint64_t *word = &raw_bitmap(base)[i / 64], bit = 1ULL << (i % 64);
	char name[16] = { 0 };
	uint32_t seq = __atomic_load_n(&s->seq, __ATOMIC_RELAXED);

	__atomic_store_n(&s->seq, seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	snprintf(name, sizeof(name), "v%u", v);
	__atomic_store_n(&s->owner, DPKIT_OWNER_DPDK, __ATOMIC_RELAXED);
	__atomic_store_n(&s->key, v, __ATOMIC_RELAXED);
	__atomic_store_n(&s->flags, (v & 1) ? DPKIT_LINK_F_UP : 0, __ATOMIC_RELAXED);
	__atomic_store_n(&s->speed, v * 3, __ATOMIC_RELAXED);
	__atomic_store_n(&s->changes, (uint64_t)v << 32 | v, __ATOMIC_RELAXED);
	for (int k = 0; k < 16; k++)
		__atomic_store_n(&s->name[k], name[k], __ATOMIC_RELAXED);
	__atomic_store_n(word, (v & 1) ? (*word | bit) : (*word & ~bit),
			 __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&s->seq, seq + 2, __ATOMIC_RELAXED);
}

static void attach_accepts_a_v1_page(void **state)
{
	struct dpkit_link_page pg;
	void *base = page_new();

	(void)state;
	assert_int_equal(dpkit_page_attach(&pg, base, MAP_SIZE), 0);
	assert_int_equal(pg.nr_slots, DPKIT_V1_NR_SLOTS);
	assert_ptr_equal(pg.bitmap, raw_bitmap(base));
	assert_ptr_equal(pg.slots, (unsigned char *)raw_slot(base, 0));
	free(base);
}

static void attach_rejects_bad_headers(void **state)
{
	struct dpkit_link_page pg;
	struct dpkit_page_hdr *hdr = page_new();

	(void)state;
	assert_int_equal(dpkit_page_attach(&pg, hdr, 32), -EINVAL);

#define REJECT(field, value, what) do {					\
		struct dpkit_page_hdr saved = *hdr;			\
		hdr->field = (value);					\
		assert_int_equal(dpkit_page_attach(&pg, hdr, MAP_SIZE), -EPROTO); \
		assert_non_null(strstr(dpkit_errmsg(), what));		\
		*hdr = saved;						\
	} while (0)

	REJECT(magic, 0x12345678, "bad magic");
	REJECT(abi_version, 2, "ABI 2");
	REJECT(map_size, MAP_SIZE * 2, "sizes");
	REJECT(slot_size, 32, "sizes");
	REJECT(nr_slots, 1000, "layout");
	REJECT(bitmap_words, 1, "layout");
	REJECT(slot_offset, MAP_SIZE - 64, "layout");
	REJECT(bitmap_offset, 65, "layout");
#undef REJECT
	free(hdr);
}

static void read_copies_a_slot(void **state)
{
	struct dpkit_link_page pg;
	struct dpkit_link_slot s;
	void *base = page_new();

	(void)state;
	assert_int_equal(dpkit_page_attach(&pg, base, MAP_SIZE), 0);
	write_slot(base, 70, 41);
	assert_int_equal(dpkit_page_read(&pg, 70, &s), 0);
	assert_int_equal(s.key, 41);
	assert_int_equal(s.speed, 123);
	assert_string_equal(s.name, "v41");
	assert_int_equal(s.seq, 2);
	assert_true(dpkit_page_up(&pg, 70));
	assert_false(dpkit_page_up(&pg, 71));
	assert_int_equal(dpkit_page_up_word(&pg, 1), 1ULL << 6);
	assert_int_equal(dpkit_page_find(&pg, DPKIT_OWNER_DPDK, 41, &s), 70);
	assert_int_equal(dpkit_page_find(&pg, DPKIT_OWNER_DPDK, 42, &s), -ENOENT);
	assert_int_equal(dpkit_page_read(&pg, DPKIT_V1_NR_SLOTS, &s), -EINVAL);
	free(base);
}

static void read_terminates_names(void **state)
{
	struct dpkit_link_page pg;
	struct dpkit_link_slot s;
	void *base = page_new();

	(void)state;
	assert_int_equal(dpkit_page_attach(&pg, base, MAP_SIZE), 0);
	memset(raw_slot(base, 3)->name, 'x', 16);
	assert_int_equal(dpkit_page_read(&pg, 3, &s), 0);
	assert_int_equal(strlen(s.name), 15);
	free(base);
}

struct race {
	void *base;
	struct dpkit_link_page pg;
	int done;
	unsigned long torn, reads;
};

static void *race_reader(void *arg)
{
	struct race *r = arg;
	struct dpkit_link_slot s;
	char want[16];
	unsigned long torn = 0, reads = 0;

	while (!__atomic_load_n(&r->done, __ATOMIC_ACQUIRE)) {
		dpkit_page_read(&r->pg, 9, &s);
		snprintf(want, sizeof(want), "v%u", s.key);
		if (s.key && (s.speed != s.key * 3 || strcmp(s.name, want) ||
			      s.changes != ((uint64_t)s.key << 32 | s.key) ||
			      !!(s.flags & DPKIT_LINK_F_UP) != (s.key & 1)))
			torn++;
		if (!(++reads % 1024))
			__atomic_fetch_add(&r->reads, 1024, __ATOMIC_RELAXED);
	}
	__atomic_fetch_add(&r->torn, torn, __ATOMIC_RELAXED);
	return NULL;
}

static void read_races_a_writer(void **state)
{
	struct race r = { .base = page_new() };
	pthread_t t[2];
	time_t deadline;
	uint32_t v;

	(void)state;
	assert_int_equal(dpkit_page_attach(&r.pg, r.base, MAP_SIZE), 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, race_reader, &r), 0);
	/* Until both sides did real work, or 20 s under the sanitizers. */
	deadline = time(NULL) + 20;
	for (v = 1; (v <= 200000 ||
		     __atomic_load_n(&r.reads, __ATOMIC_RELAXED) < 200000) &&
		    time(NULL) < deadline; v++)
		write_slot(r.base, 9, v);
	__atomic_store_n(&r.done, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	print_message("%lu reads raced %u writes\n", r.reads, v - 1);
	assert_int_equal(r.torn, 0);
	assert_true(r.reads >= 200000);
	free(r.base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(attach_accepts_a_v1_page),
		cmocka_unit_test(attach_rejects_bad_headers),
		cmocka_unit_test(read_copies_a_slot),
		cmocka_unit_test(read_terminates_names),
		cmocka_unit_test(read_races_a_writer),
	};

	return cmocka_run_group_tests_name("page", tests, NULL, NULL);
}
