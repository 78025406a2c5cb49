/* SPDX-License-Identifier: BSD-3-Clause */
/* Core isolation through the module (DPKIT_IOC_ISOLATE_*, IRQ_REPORT). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "libdpkit.h"
#include "priv.h"

static struct dpkit_cpumask *mask_alloc(unsigned int nr_bits)
{
	return calloc(1, sizeof(struct dpkit_cpumask) +
		      ((nr_bits + 63) / 64) * sizeof(uint64_t));
}

int dpkit_isolate_set(struct dpkit *dk, const uint64_t *words,
		      unsigned int nr_bits, unsigned int *moved,
		      unsigned int *unmovable)
{
	struct dpkit_cpumask *m = mask_alloc(nr_bits);
	int ret = 0;

	if (!m)
		return dpkit_fail(ENOMEM, "out of memory");
	m->nr_bits = nr_bits;
	memcpy(m->mask, words, ((nr_bits + 63) / 64) * sizeof(uint64_t));
	if (ioctl(dpkit_fd(dk), DPKIT_IOC_ISOLATE_SET, m) < 0) {
		switch (errno) {
		case EINVAL:
			ret = dpkit_fail(EINVAL, "cannot isolate that set: every "
					 "CPU must exist and be online, and one "
					 "online CPU must stay for housekeeping");
			break;
		case EBUSY:
			ret = dpkit_fail(EBUSY, "the isolation is someone "
					 "else's: another process's lease (dpkitd?), "
					 "or, for a lease, the admin's (dpkitctl "
					 "isolate show)");
			break;
		case EPERM:
			ret = dpkit_fail(EPERM, "isolating CPUs needs "
					 "CAP_SYS_ADMIN");
			break;
		default:
			ret = dpkit_fail(errno, "isolate: %s", strerror(errno));
		}
	} else {
		if (moved)
			*moved = m->nr_moved;
		if (unmovable)
			*unmovable = m->nr_unmovable;
	}
	free(m);
	return ret;
}

int dpkit_isolate_get(struct dpkit *dk, unsigned int which, uint64_t **words,
		      unsigned int *nr_bits, unsigned int *moved,
		      unsigned int *unmovable)
{
	unsigned int room = 1024;
	struct dpkit_cpumask *m;

	for (;;) {
		m = mask_alloc(room);
		if (!m)
			return dpkit_fail(ENOMEM, "out of memory");
		m->which = which;
		m->nr_bits = room;
		if (ioctl(dpkit_fd(dk), DPKIT_IOC_ISOLATE_GET, m) == 0)
			break;
		if (errno != EOVERFLOW || m->nr_bits <= room) {
			free(m);
			return dpkit_fail(errno, "reading the isolation: %s",
					  strerror(errno));
		}
		room = m->nr_bits;
		free(m);
	}
	*nr_bits = m->nr_bits;
	*words = calloc((m->nr_bits + 63) / 64 + 1, sizeof(uint64_t));
	if (!*words) {
		free(m);
		return dpkit_fail(ENOMEM, "out of memory");
	}
	memcpy(*words, m->mask, ((m->nr_bits + 63) / 64) * sizeof(uint64_t));
	if (moved)
		*moved = m->nr_moved;
	if (unmovable)
		*unmovable = m->nr_unmovable;
	free(m);
	return 0;
}

int dpkit_isolate_clear(struct dpkit *dk)
{
	if (ioctl(dpkit_fd(dk), DPKIT_IOC_ISOLATE_CLEAR) == 0)
		return 0;
	if (errno == EBUSY)
		return dpkit_fail(EBUSY, "the isolation is someone else's: "
				  "another process's lease (dpkitd?), or, for a "
				  "lease, the admin's (dpkitctl isolate show)");
	if (errno == EPERM)
		return dpkit_fail(EPERM, "clearing the isolation needs "
				  "CAP_SYS_ADMIN");
	return dpkit_fail(errno, "clearing the isolation: %s", strerror(errno));
}

int dpkit_irq_report(struct dpkit *dk, struct dpkit_irq_entry **out,
		     unsigned int *count)
{
	struct dpkit_irq_report *r;
	unsigned int room = 64;

	for (;;) {
		r = calloc(1, sizeof(*r) + room * sizeof(struct dpkit_irq_entry));
		if (!r)
			return dpkit_fail(ENOMEM, "out of memory");
		r->count = room;
		r->entry_size = sizeof(struct dpkit_irq_entry);
		if (ioctl(dpkit_fd(dk), DPKIT_IOC_IRQ_REPORT, r) < 0) {
			free(r);
			return dpkit_fail(errno, "reading the IRQ report: %s",
					  strerror(errno));
		}
		if (r->total <= r->count)
			break;
		room = r->total + 16;
		free(r);
	}
	*count = r->count;
	*out = malloc((r->count + 1) * sizeof(struct dpkit_irq_entry));
	if (!*out) {
		free(r);
		return dpkit_fail(ENOMEM, "out of memory");
	}
	memcpy(*out, r->irqs, r->count * sizeof(struct dpkit_irq_entry));
	free(r);
	return 0;
}
