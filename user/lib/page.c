/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The reader side of the link-state page (<linux/dpkit.h>): a sequence-lock
 * read with C11 acquire semantics, spelled with GCC's __atomic builtins on
 * the plain fields of the UAPI structures.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "libdpkit.h"
#include "priv.h"

typedef uint64_t __attribute__((may_alias)) u64_alias;

int dpkit_page_attach(struct dpkit_link_page *pg, const void *base,
		      size_t size)
{
	const struct dpkit_page_hdr *hdr = base;
	uint64_t slots_end, bitmap_end;

	if (size < sizeof(*hdr))
		return dpkit_fail(EINVAL, "link page: %zu bytes is too small", size);
	if (hdr->magic != DPKIT_PAGE_MAGIC)
		return dpkit_fail(EPROTO, "link page: bad magic 0x%08x", hdr->magic);
	if (hdr->abi_version != DPKIT_ABI_VERSION)
		return dpkit_fail(EPROTO, "link page: ABI %u, this program "
				  "reads ABI %u", hdr->abi_version,
				  DPKIT_ABI_VERSION);
	if (hdr->map_size != size || hdr->slot_size < sizeof(struct dpkit_link_slot))
		return dpkit_fail(EPROTO, "link page: sizes do not match "
				  "(map %u/%zu, slot %u)", hdr->map_size, size,
				  hdr->slot_size);
	slots_end = hdr->slot_offset + (uint64_t)hdr->nr_slots * hdr->slot_size;
	bitmap_end = hdr->bitmap_offset + (uint64_t)hdr->bitmap_words * 8;
	if (slots_end > size || bitmap_end > size ||
	    (uint64_t)hdr->bitmap_words * 64 < hdr->nr_slots ||
	    hdr->bitmap_offset % 8 || hdr->slot_offset % 8 || hdr->slot_size % 8)
		return dpkit_fail(EPROTO, "link page: inconsistent layout");

	pg->base = base;
	pg->size = size;
	pg->hdr = hdr;
	pg->bitmap = (const uint64_t *)((const char *)base + hdr->bitmap_offset);
	pg->slots = (const unsigned char *)base + hdr->slot_offset;
	pg->slot_size = hdr->slot_size;
	pg->nr_slots = hdr->nr_slots;
	return 0;
}

int dpkit_page_map(struct dpkit *dk, struct dpkit_link_page *pg)
{
	struct dpkit_version ver;
	void *base;
	int ret;

	dpkit_version(dk, &ver);
	if (!(ver.features & DPKIT_FEAT_LINK))
		return dpkit_fail(EOPNOTSUPP, "this dpkit.ko has no link page");
	base = mmap(NULL, ver.map_size, PROT_READ, MAP_SHARED, dpkit_fd(dk), 0);
	if (base == MAP_FAILED)
		return dpkit_fail(errno, "cannot map the link page: %s",
				  strerror(errno));
	ret = dpkit_page_attach(pg, base, ver.map_size);
	if (ret < 0)
		munmap(base, ver.map_size);
	return ret;
}

void dpkit_page_unmap(struct dpkit_link_page *pg)
{
	if (pg->base)
		munmap((void *)pg->base, pg->size);
	memset(pg, 0, sizeof(*pg));
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

#define LOAD(p) __atomic_load_n(&(p), __ATOMIC_RELAXED)

int dpkit_page_read(const struct dpkit_link_page *pg, uint32_t idx,
		    struct dpkit_link_slot *out)
{
	const struct dpkit_link_slot *s;
	const u64_alias *name;
	u64_alias *oname = (u64_alias *)out->name;
	uint32_t seq;

	if (idx >= pg->nr_slots)
		return dpkit_fail(EINVAL, "link slot %u: the page has %u slots",
				  idx, pg->nr_slots);
	s = (const struct dpkit_link_slot *)(pg->slots + (size_t)idx * pg->slot_size);
	name = (const u64_alias *)s->name;
	for (;;) {
		seq = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);
		if (seq & 1) {
			cpu_relax();
			continue;
		}
		out->incarnation = LOAD(s->incarnation);
		out->owner = LOAD(s->owner);
		out->key = LOAD(s->key);
		out->flags = LOAD(s->flags);
		out->speed = LOAD(s->speed);
		out->changes = LOAD(s->changes);
		out->last_change_ns = LOAD(s->last_change_ns);
		oname[0] = LOAD(name[0]);
		oname[1] = LOAD(name[1]);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (LOAD(s->seq) == seq)
			break;
	}
	out->seq = seq;
	out->name[sizeof(out->name) - 1] = '\0';
	out->reserved = 0;
	return 0;
}

int dpkit_page_find(const struct dpkit_link_page *pg, uint32_t owner,
		    uint32_t key, struct dpkit_link_slot *out)
{
	uint32_t i;

	for (i = 0; i < pg->nr_slots; i++) {
		dpkit_page_read(pg, i, out);
		if (out->owner == owner && out->key == key &&
		    owner != DPKIT_OWNER_NONE)
			return i;
	}
	return dpkit_fail(ENOENT, "no link slot for %s %u",
			  owner == DPKIT_OWNER_DPDK ? "DPDK port" : "ifindex",
			  key);
}

int dpkit_wait(struct dpkit *dk, int timeout_ms, uint64_t *events)
{
	struct pollfd pfd = { .fd = dpkit_fd(dk), .events = POLLIN };
	ssize_t n;
	int ret;

	do
		ret = poll(&pfd, 1, timeout_ms);
	while (ret < 0 && errno == EINTR);
	if (ret < 0)
		return dpkit_fail(errno, "poll on the dpkit device: %s",
				  strerror(errno));
	if (!ret)
		return dpkit_fail(ETIMEDOUT, "no link change in %d ms", timeout_ms);
	n = read(pfd.fd, events, sizeof(*events));
	if (n != sizeof(*events))
		return dpkit_fail(n < 0 ? errno : EIO, "read on the dpkit device "
				  "failed: %s", n < 0 ? strerror(errno) : "short");
	return 0;
}
