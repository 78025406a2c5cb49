/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * dpkit: the contract between dpkit.ko and userspace.
 *
 * Everything that crosses /dev/dpkit (ioctl numbers and structures, the
 * layout of the read-only link-state mapping) and the generic netlink family
 * "dpkit" is defined here and nowhere else.
 *
 * Rules of this header:
 *  - fixed-width types only, explicit padding, no pointers: a 32-bit caller
 *    on a 64-bit kernel sees the same layout;
 *  - reserved fields and unknown flag bits must be zero on input, the kernel
 *    rejects anything else with -EINVAL so that they can be given meaning
 *    later;
 *  - variable-length ioctl buffers are a fixed header followed by an array in
 *    the same user buffer; the header says how many entries the caller made
 *    room for and the kernel reports how many exist (truncation is reported,
 *    never silent);
 *  - DPKIT_ABI_VERSION changes when a structure, a page layout or the meaning
 *    of a field changes. Adding an ioctl or a flag bit does not change it;
 *    the DPKIT_FEAT_* bits returned by DPKIT_IOC_VERSION say what a loaded
 *    module implements.
 *
 * tests/unit/test_uapi.c pins every size and offset below.
 */
#ifndef _UAPI_LINUX_DPKIT_H
#define _UAPI_LINUX_DPKIT_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

#define DPKIT_ABI_VERSION	1
#define DPKIT_DEVICE_NAME	"dpkit"		/* /dev/dpkit */

/* Common string sizes (including the terminating NUL). */
#define DPKIT_BDF_LEN		16	/* "dddd:bb:dd.f" */
#define DPKIT_DRIVER_LEN	32
#define DPKIT_IFNAME_LEN	16	/* IFNAMSIZ */
#define DPKIT_RELEASE_LEN	32

/* ------------------------------------------------------------------------ */
/* Version and features                                                      */
/* ------------------------------------------------------------------------ */

/* Features a loaded module implements (struct dpkit_version.features). */
#define DPKIT_FEAT_LINK		_BITUL(0)	/* link table, page, genl, report */
#define DPKIT_FEAT_NIC		_BITUL(1)	/* NIC list / bind / restore */
#define DPKIT_FEAT_ISOLATE	_BITUL(2)	/* IRQ isolation */
#define DPKIT_FEAT_LEASE	_BITUL(3)	/* undo-on-close leases */

struct dpkit_version {
	__u32 flags;			/* in: must be 0 */
	__u32 abi_version;		/* out: DPKIT_ABI_VERSION of the module */
	__u32 features;			/* out: DPKIT_FEAT_* */
	__u32 map_size;			/* out: bytes to mmap at offset 0 */
	__u32 nr_slots;			/* out: link slots in the mapping */
	__u32 reserved[3];		/* in: must be 0 */
	char release[DPKIT_RELEASE_LEN];	/* out: module version string */
};

/* ------------------------------------------------------------------------ */
/* Lease                                                                     */
/* ------------------------------------------------------------------------ */

/*
 * DPKIT_IOC_LEASE turns the calling file descriptor into a lease: NIC binds,
 * isolation and DPDK link reports made through it are undone when the last
 * reference to the open file goes away (close, exit, SIGKILL; a mapping of
 * the page made through it is such a reference). The isolation and the
 * link reports are undone at once; the NICs are restored in the
 * background, one at a time, each as soon as its driver lets go of it
 * (DPKIT_NIC_F_BUSY meanwhile). A file has at most one lease; a second call
 * fails with -EBUSY. Privileges are the opener's (see link-state.rst).
 */
struct dpkit_lease {
	__u32 flags;			/* in: must be 0 */
	__u32 reserved;			/* in: must be 0 */
};

/* ------------------------------------------------------------------------ */
/* NIC ownership                                                             */
/* ------------------------------------------------------------------------ */

/* struct dpkit_nic.flags */
#define DPKIT_NIC_F_NETDEV	_BITUL(0)	/* has a kernel netdev */
#define DPKIT_NIC_F_BIFURCATED	_BITUL(1)	/* kernel driver shares with DPDK */
#define DPKIT_NIC_F_EVENTDEV	_BITUL(2)	/* a DLB eventdev, not a NIC */
#define DPKIT_NIC_F_OVERRIDE	_BITUL(3)	/* driver_override is set */
#define DPKIT_NIC_F_DPKIT	_BITUL(4)	/* bound by dpkit */
#define DPKIT_NIC_F_LEASED	_BITUL(5)	/* ... through a lease */
#define DPKIT_NIC_F_ROUTE	_BITUL(6)	/* netdev carries an address/route */
#define DPKIT_NIC_F_BUSY	_BITUL(7)	/* its driver is changing */
#define DPKIT_NIC_F_NETNS	_BITUL(8)	/* netdev in another netns */

#define DPKIT_NO_NODE		(-1)		/* numa_node, iommu_group */

struct dpkit_nic {
	char bdf[DPKIT_BDF_LEN];
	__u16 vendor;
	__u16 device;
	__u16 subsystem_vendor;
	__u16 subsystem_device;
	__u32 class;			/* 24-bit PCI class code */
	__s32 numa_node;		/* DPKIT_NO_NODE when unknown */
	__s32 iommu_group;		/* DPKIT_NO_NODE when none */
	__u32 flags;			/* DPKIT_NIC_F_* */
	char driver[DPKIT_DRIVER_LEN];	/* bound driver, "" when none */
	char override[DPKIT_DRIVER_LEN];	/* driver_override, "" when none */
	char orig_driver[DPKIT_DRIVER_LEN];	/* before dpkit, "" when untouched */
	char ifname[DPKIT_IFNAME_LEN];	/* netdev name when F_NETDEV */
	__s32 ifindex;
	__u32 if_flags;			/* IFF_* of the netdev */
	__u8 operstate;			/* IF_OPER_* of the netdev */
	__u8 pad[7];
};

/* Header of DPKIT_IOC_NIC_LIST; @count entries follow it in the buffer. */
#define DPKIT_NIC_LIST_F_TRUNCATED	_BITUL(0)	/* out: total > count */

struct dpkit_nic_list {
	__u32 count;			/* in: room; out: entries written */
	__u32 total;			/* out: devices present */
	__u32 entry_size;		/* in: sizeof(struct dpkit_nic) */
	__u32 flags;			/* in: 0; out: DPKIT_NIC_LIST_F_* */
	struct dpkit_nic nics[];
};

/* struct dpkit_nic_bind.flags (in) */
#define DPKIT_BIND_FORCE	_BITUL(0)	/* even if the netdev is up/routed */
#define DPKIT_BIND_PERSIST	_BITUL(1)	/* survives the end of the lease */

/* struct dpkit_nic_bind.result (out) */
#define DPKIT_BIND_R_ALREADY	_BITUL(0)	/* was already bound to @driver */
#define DPKIT_BIND_R_LOADED	_BITUL(1)	/* @driver's module was loaded */
#define DPKIT_BIND_R_FORCED	_BITUL(2)	/* FORCE overrode a refusal */

struct dpkit_nic_bind {
	char bdf[DPKIT_BDF_LEN];	/* in */
	char driver[DPKIT_DRIVER_LEN];	/* in: target, "" means vfio-pci */
	__u32 flags;			/* in: DPKIT_BIND_* */
	__u32 result;			/* out: DPKIT_BIND_R_* */
	char prev_driver[DPKIT_DRIVER_LEN];	/* out */
	char conflict[DPKIT_BDF_LEN];	/* out: a device blocking the bind */
};

struct dpkit_nic_restore {
	char bdf[DPKIT_BDF_LEN];	/* in */
	__u32 flags;			/* in: must be 0 */
	__u32 reserved;			/* in: must be 0 */
	char driver[DPKIT_DRIVER_LEN];	/* out: driver bound afterwards */
};

/* ------------------------------------------------------------------------ */
/* Core isolation                                                            */
/* ------------------------------------------------------------------------ */

/* struct dpkit_cpumask.which (DPKIT_IOC_ISOLATE_GET) */
#define DPKIT_MASK_ISOLATED	0	/* the set dpkit isolates */
#define DPKIT_MASK_NOHZ_FULL	1	/* the kernel's nohz_full set */
#define DPKIT_MASK_MANAGED_IRQ	2	/* isolcpus=managed_irq set */
#define DPKIT_MASK_MAX		2

/*
 * Header of the isolation ioctls; (nr_bits + 63) / 64 __u64 words follow it.
 * Bit n of word n / 64 is CPU n.
 */
struct dpkit_cpumask {
	__u32 flags;			/* in: must be 0 */
	__u32 which;			/* in (GET): DPKIT_MASK_*; SET: 0 */
	__u32 nr_bits;			/* in: bits the words hold; out (GET): nr_cpu_ids */
	__u32 nr_moved;			/* out: IRQs steered off the set */
	__u32 nr_unmovable;		/* out: IRQs left on it, see IRQ_REPORT */
	__u32 reserved;			/* in: must be 0 */
	__u64 mask[];
};

/* struct dpkit_irq_entry.reason */
#define DPKIT_IRQ_MANAGED	1	/* kernel-managed affinity */
#define DPKIT_IRQ_PER_CPU	2	/* per-CPU interrupt */
#define DPKIT_IRQ_NO_BALANCE	3	/* IRQF_NOBALANCING / not settable */
#define DPKIT_IRQ_ERROR		4	/* irq_set_affinity() failed, see error */

struct dpkit_irq_entry {
	__u32 irq;
	__u32 reason;			/* DPKIT_IRQ_* */
	__s32 error;			/* -errno for DPKIT_IRQ_ERROR, else 0 */
	__u32 reserved;
};

/* Header of DPKIT_IOC_IRQ_REPORT; @count entries follow it. */
struct dpkit_irq_report {
	__u32 count;			/* in: room; out: entries written */
	__u32 total;			/* out: IRQs that could not be moved */
	__u32 entry_size;		/* in: sizeof(struct dpkit_irq_entry) */
	__u32 flags;			/* in: must be 0 */
	struct dpkit_irq_entry irqs[];
};

/* ------------------------------------------------------------------------ */
/* Link state                                                                */
/* ------------------------------------------------------------------------ */

/* Slot owners. */
#define DPKIT_OWNER_NONE	0	/* free slot */
#define DPKIT_OWNER_KERNEL	1	/* key is an ifindex */
#define DPKIT_OWNER_DPDK	2	/* key is a DPDK port id */

/*
 * Link flags: struct dpkit_link_slot.flags, dpkit_link_report.flags. At most
 * one of the duplex bits is set; neither means the duplex is unknown.
 */
#define DPKIT_LINK_F_UP		_BITUL(0)	/* IFF_UP && carrier */
#define DPKIT_LINK_F_FULL_DUPLEX _BITUL(1)
#define DPKIT_LINK_F_ADMIN_UP	_BITUL(2)	/* IFF_UP alone */
#define DPKIT_LINK_F_CARRIER	_BITUL(3)	/* carrier alone */
#define DPKIT_LINK_F_HALF_DUPLEX _BITUL(4)

#define DPKIT_SPEED_UNKNOWN	0	/* Mb/s */

/*
 * DPKIT_IOC_LINK_REPORT: dpkitd reports a DPDK-owned port (op SET creates
 * its slot or updates it; REMOVE frees it, -ENOENT for an unknown port).
 * A port reported through a lease belongs to that lease: another file gets
 * -EBUSY, and the port goes down and is removed when the lease ends.
 */
#define DPKIT_REPORT_SET	0
#define DPKIT_REPORT_REMOVE	1
#define DPKIT_PORT_MAX		65535	/* DPDK port ids are 16-bit */

struct dpkit_link_report {
	__u32 port_id;			/* DPDK port id, <= DPKIT_PORT_MAX */
	__u32 flags;			/* DPKIT_LINK_F_* */
	__u32 speed;			/* Mb/s, DPKIT_SPEED_UNKNOWN */
	__u32 op;			/* DPKIT_REPORT_* */
	char bdf[DPKIT_BDF_LEN];	/* the port's PCI device, may be "" */
	char name[DPKIT_IFNAME_LEN];	/* a name for tools, may be "" */
};

/* DPKIT_IOC_LINK_WATCH: choose which kernel netdevs are tracked. */
#define DPKIT_WATCH_ADD		0	/* track @ifindex or @name */
#define DPKIT_WATCH_DEL		1	/* stop tracking it */
#define DPKIT_WATCH_ALL		2	/* back to every Ethernet netdev */

struct dpkit_link_watch {
	__u32 op;			/* DPKIT_WATCH_* */
	__s32 ifindex;			/* 0: use @name */
	char name[DPKIT_IFNAME_LEN];
};

/* ------------------------------------------------------------------------ */
/* The link-state mapping                                                    */
/* ------------------------------------------------------------------------ */

/*
 * mmap(NULL, map_size, PROT_READ, MAP_SHARED, fd, 0) maps, read-only:
 *
 *   offset 0                 struct dpkit_page_hdr
 *   hdr.bitmap_offset        __u64 up[hdr.bitmap_words]: bit i = slot i up
 *   hdr.slot_offset          struct dpkit_link_slot slot[hdr.nr_slots]
 *
 * Readers use the offsets and counts in the header, never the constants
 * below (which describe ABI version 1 as built).
 *
 * Slot protocol (a sequence lock per slot): the writer makes @seq odd,
 * writes the fields, then makes @seq even again, with write barriers between.
 * A reader loads @seq with acquire ordering, retries while it is odd, copies
 * the fields, issues an acquire fence, reloads @seq and retries if it changed.
 * The slot's up bit in the bitmap is updated inside the same write section,
 * so one relaxed 64-bit load of a bitmap word gives a consistent up/down
 * view of 64 slots.
 *
 * A slot is bound to one (owner, key) pair for one incarnation: when it is
 * freed and reused, @incarnation changes (and hdr.generation moves), so a
 * reader that cached a slot index can tell that it now describes another
 * link.
 */
#define DPKIT_PAGE_MAGIC	0x54504b44U	/* "DKPT" little-endian */
#define DPKIT_V1_NR_SLOTS	256
#define DPKIT_V1_BITMAP_OFFSET	64
#define DPKIT_V1_SLOT_OFFSET	4096
#define DPKIT_V1_MAP_SIZE	(DPKIT_V1_SLOT_OFFSET + \
				 DPKIT_V1_NR_SLOTS * 64)

struct dpkit_page_hdr {
	__u32 magic;			/* DPKIT_PAGE_MAGIC */
	__u32 abi_version;		/* DPKIT_ABI_VERSION */
	__u32 map_size;			/* bytes of the whole mapping */
	__u32 nr_slots;
	__u32 slot_size;		/* sizeof(struct dpkit_link_slot) */
	__u32 slot_offset;
	__u32 bitmap_offset;
	__u32 bitmap_words;
	__u64 generation;		/* moves when any slot changes owner/key */
	__u64 events;			/* moves on every change; = read() */
	__u64 dropped;			/* events lost to a full table */
	__u64 reserved;
};

struct dpkit_link_slot {
	__u32 seq;			/* odd while being written */
	__u32 incarnation;		/* new value each time the slot is reused */
	__u32 owner;			/* DPKIT_OWNER_* */
	__u32 key;			/* ifindex or DPDK port id */
	__u32 flags;			/* DPKIT_LINK_F_* */
	__u32 speed;			/* Mb/s */
	__u64 changes;			/* up/down transitions seen */
	__u64 last_change_ns;		/* CLOCK_MONOTONIC of the last change */
	char name[DPKIT_IFNAME_LEN];
	__u64 reserved;
};

/* ------------------------------------------------------------------------ */
/* ioctl numbers                                                             */
/* ------------------------------------------------------------------------ */

#define DPKIT_IOC_MAGIC		0xDC

#define DPKIT_IOC_VERSION	_IOWR(DPKIT_IOC_MAGIC, 0x00, struct dpkit_version)
#define DPKIT_IOC_LEASE		_IOW(DPKIT_IOC_MAGIC, 0x01, struct dpkit_lease)

#define DPKIT_IOC_NIC_LIST	_IOWR(DPKIT_IOC_MAGIC, 0x10, struct dpkit_nic_list)
#define DPKIT_IOC_NIC_BIND	_IOWR(DPKIT_IOC_MAGIC, 0x11, struct dpkit_nic_bind)
#define DPKIT_IOC_NIC_RESTORE	_IOWR(DPKIT_IOC_MAGIC, 0x12, struct dpkit_nic_restore)

#define DPKIT_IOC_ISOLATE_SET	_IOWR(DPKIT_IOC_MAGIC, 0x20, struct dpkit_cpumask)
#define DPKIT_IOC_ISOLATE_GET	_IOWR(DPKIT_IOC_MAGIC, 0x21, struct dpkit_cpumask)
#define DPKIT_IOC_ISOLATE_CLEAR	_IO(DPKIT_IOC_MAGIC, 0x22)
#define DPKIT_IOC_IRQ_REPORT	_IOWR(DPKIT_IOC_MAGIC, 0x23, struct dpkit_irq_report)

#define DPKIT_IOC_LINK_REPORT	_IOW(DPKIT_IOC_MAGIC, 0x30, struct dpkit_link_report)
#define DPKIT_IOC_LINK_WATCH	_IOW(DPKIT_IOC_MAGIC, 0x31, struct dpkit_link_watch)

/* ------------------------------------------------------------------------ */
/* Generic netlink family "dpkit"                                            */
/* ------------------------------------------------------------------------ */

#define DPKIT_GENL_NAME		"dpkit"
#define DPKIT_GENL_VERSION	1
#define DPKIT_GENL_MCGRP_LINK	"link"

enum dpkit_genl_cmd {
	DPKIT_CMD_UNSPEC,
	DPKIT_CMD_LINK_GET,		/* dump: one LINK_NEW per slot */
	DPKIT_CMD_LINK_NEW,		/* notification / dump reply */
	DPKIT_CMD_LINK_DEL,		/* notification: the link is untracked */
	__DPKIT_CMD_MAX,
};

#define DPKIT_CMD_MAX (__DPKIT_CMD_MAX - 1)

enum dpkit_genl_attr {
	DPKIT_A_UNSPEC,
	DPKIT_A_OWNER,			/* u32: DPKIT_OWNER_* */
	DPKIT_A_KEY,			/* u32: ifindex or port id */
	DPKIT_A_IFNAME,			/* string */
	DPKIT_A_UP,			/* u8: 0 / 1 */
	DPKIT_A_FLAGS,			/* u32: DPKIT_LINK_F_* */
	DPKIT_A_SPEED,			/* u32: Mb/s */
	DPKIT_A_DUPLEX,			/* u8: 0 half, 1 full; absent: unknown */
	DPKIT_A_CHANGES,		/* u64 */
	DPKIT_A_SLOT,			/* u32: slot index in the mapping */
	DPKIT_A_PAD,
	DPKIT_A_BDF,			/* string: PCI device of a DPDK port */
	DPKIT_A_INCARNATION,		/* u32: the slot's incarnation */
	__DPKIT_A_MAX,
};

#define DPKIT_A_MAX (__DPKIT_A_MAX - 1)

#endif /* _UAPI_LINUX_DPKIT_H */
