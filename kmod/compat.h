/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel API differences, decided by the feature probes in Kbuild (which
 * grep the headers of the kernel being built against), never by version.
 */
#ifndef _DPKIT_COMPAT_H
#define _DPKIT_COMPAT_H

#include <linux/mm.h>

#ifndef DPKIT_HAVE_VM_FLAGS_SET
/* vm_flags_clear() arrived in 6.3, when vm_flags became read-only. */
static inline void vm_flags_clear(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags &= ~flags;
}
#endif

#endif /* _DPKIT_COMPAT_H */
