/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ABI of <linux/dpkit.h>, pinned. Checked at compile time by
 * test_uapi.c for the native ABI and, with -m32, for 32-bit callers
 * (`make check` compiles this with -m32 -fsyntax-only where it can).
 * Changing any line here is an ABI change: bump DPKIT_ABI_VERSION.
 */
#include <stddef.h>
#include <linux/dpkit.h>

#define PIN_SIZE(type, size) \
	_Static_assert(sizeof(struct type) == (size), #type " size")
#define PIN_OFF(type, field, off) \
	_Static_assert(offsetof(struct type, field) == (off), \
		       #type "." #field " offset")

_Static_assert(DPKIT_ABI_VERSION == 1, "ABI version");
_Static_assert(DPKIT_IOC_MAGIC == 0xDC, "ioctl magic");

PIN_SIZE(dpkit_version, 64);
PIN_OFF(dpkit_version, abi_version, 4);
PIN_OFF(dpkit_version, map_size, 12);
PIN_OFF(dpkit_version, reserved, 20);
PIN_OFF(dpkit_version, release, 32);

PIN_SIZE(dpkit_lease, 8);

PIN_SIZE(dpkit_nic, 168);
PIN_OFF(dpkit_nic, vendor, 16);
PIN_OFF(dpkit_nic, class, 24);
PIN_OFF(dpkit_nic, numa_node, 28);
PIN_OFF(dpkit_nic, iommu_group, 32);
PIN_OFF(dpkit_nic, flags, 36);
PIN_OFF(dpkit_nic, driver, 40);
PIN_OFF(dpkit_nic, override, 72);
PIN_OFF(dpkit_nic, orig_driver, 104);
PIN_OFF(dpkit_nic, ifname, 136);
PIN_OFF(dpkit_nic, ifindex, 152);
PIN_OFF(dpkit_nic, if_flags, 156);
PIN_OFF(dpkit_nic, operstate, 160);
PIN_SIZE(dpkit_nic_list, 16);
PIN_OFF(dpkit_nic_list, nics, 16);
PIN_SIZE(dpkit_nic_bind, 104);
PIN_OFF(dpkit_nic_bind, flags, 48);
PIN_OFF(dpkit_nic_bind, prev_driver, 56);
PIN_OFF(dpkit_nic_bind, conflict, 88);
PIN_SIZE(dpkit_nic_restore, 56);
PIN_OFF(dpkit_nic_restore, driver, 24);

PIN_SIZE(dpkit_cpumask, 24);
PIN_OFF(dpkit_cpumask, nr_bits, 8);
PIN_OFF(dpkit_cpumask, mask, 24);
PIN_SIZE(dpkit_irq_entry, 16);
PIN_SIZE(dpkit_irq_report, 16);
PIN_OFF(dpkit_irq_report, irqs, 16);

PIN_SIZE(dpkit_link_report, 48);
PIN_OFF(dpkit_link_report, bdf, 16);
PIN_OFF(dpkit_link_report, name, 32);
PIN_SIZE(dpkit_link_watch, 24);

PIN_SIZE(dpkit_page_hdr, 64);
PIN_OFF(dpkit_page_hdr, slot_offset, 20);
PIN_OFF(dpkit_page_hdr, bitmap_offset, 24);
PIN_OFF(dpkit_page_hdr, generation, 32);
PIN_OFF(dpkit_page_hdr, events, 40);
PIN_OFF(dpkit_page_hdr, dropped, 48);
PIN_SIZE(dpkit_link_slot, 64);
PIN_OFF(dpkit_link_slot, seq, 0);
PIN_OFF(dpkit_link_slot, flags, 16);
PIN_OFF(dpkit_link_slot, changes, 24);
PIN_OFF(dpkit_link_slot, last_change_ns, 32);
PIN_OFF(dpkit_link_slot, name, 40);

/* The v1 mapping: header and bitmap in the first 4 KiB, then the slots. */
_Static_assert(DPKIT_V1_BITMAP_OFFSET + DPKIT_V1_NR_SLOTS / 8 <=
	       DPKIT_V1_SLOT_OFFSET, "bitmap fits before the slots");
_Static_assert(DPKIT_V1_MAP_SIZE == 4096 + 256 * 64, "v1 map size");
