// SPDX-License-Identifier: GPL-2.0
/*
 * docclient: a C client of /dev/dpkit and of the "dpkit" generic netlink
 * family written from Documentation/link-state.rst and
 * Documentation/nic-isolation.rst alone. It includes no dpkit header:
 * every number, structure and layout below is taken from those pages (the
 * comment beside each names the section). Where the pages leave something
 * open the comment says "not in the pages" and what was assumed.
 *
 * Run as root with dpkit.ko freshly loaded (tests/vm/11-abi-client.sh).
 * Prints "ok - ..." / "not ok - ..." lines and "# ..." notes; exits 1 when
 * a check failed, 2 when it could not run at all.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <inttypes.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
/* Standard Linux ABI headers only (no dpkit one): netlink framing and capset. */
#include <linux/capability.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

/* ------------------------------------------------------------------------
 * The ABI, from link-state.rst ("The ioctls" and the structure tables)
 * ------------------------------------------------------------------------ */

#define DEV_PATH	"/dev/dpkit"
#define ABI_VERSION	1u

/* "The ioctls": dir << 30 | size << 16 | type << 8 | nr, type 0xDC. */
#define IOC(dir, nr, size) \
	((unsigned long)(((uint32_t)(dir) << 30) | ((uint32_t)(size) << 16) | \
			 (0xdcu << 8) | (uint32_t)(nr)))
#define IOC_NONE	0u
#define IOC_W		1u
#define IOC_R		2u
#define IOC_RW		3u

/* The table's "value" column, each re-derived from its nr, dir and size. */
#define IOC_VERSION		0xc040dc00ul
#define IOC_LEASE		0x4008dc01ul
#define IOC_NIC_LIST		0xc010dc10ul
#define IOC_NIC_BIND		0xc068dc11ul
#define IOC_NIC_RESTORE		0xc038dc12ul
#define IOC_ISOLATE_SET		0xc018dc20ul
#define IOC_ISOLATE_GET		0xc018dc21ul
#define IOC_ISOLATE_CLEAR	0x0000dc22ul
#define IOC_IRQ_REPORT		0xc010dc23ul
#define IOC_LINK_REPORT		0x4030dc30ul
#define IOC_LINK_WATCH		0x4018dc31ul

_Static_assert(IOC(IOC_RW, 0x00, 64) == IOC_VERSION, "VERSION");
_Static_assert(IOC(IOC_W, 0x01, 8) == IOC_LEASE, "LEASE");
_Static_assert(IOC(IOC_RW, 0x10, 16) == IOC_NIC_LIST, "NIC_LIST");
_Static_assert(IOC(IOC_RW, 0x11, 104) == IOC_NIC_BIND, "NIC_BIND");
_Static_assert(IOC(IOC_RW, 0x12, 56) == IOC_NIC_RESTORE, "NIC_RESTORE");
_Static_assert(IOC(IOC_RW, 0x20, 24) == IOC_ISOLATE_SET, "ISOLATE_SET");
_Static_assert(IOC(IOC_RW, 0x21, 24) == IOC_ISOLATE_GET, "ISOLATE_GET");
_Static_assert(IOC(IOC_NONE, 0x22, 0) == IOC_ISOLATE_CLEAR, "ISOLATE_CLEAR");
_Static_assert(IOC(IOC_RW, 0x23, 16) == IOC_IRQ_REPORT, "IRQ_REPORT");
_Static_assert(IOC(IOC_W, 0x30, 48) == IOC_LINK_REPORT, "LINK_REPORT");
_Static_assert(IOC(IOC_W, 0x31, 24) == IOC_LINK_WATCH, "LINK_WATCH");

/* "DPKIT_IOC_VERSION: check the ABI first" */
struct version {
	uint32_t flags;
	uint32_t abi_version;
	uint32_t features;
	uint32_t map_size;
	uint32_t nr_slots;
	uint32_t reserved[3];
	char release[32];
};

#define FEAT_LINK	0x1u
#define FEAT_NIC	0x2u
#define FEAT_ISOLATE	0x4u
#define FEAT_LEASE	0x8u

/* "Leases" */
struct lease {
	uint32_t flags;
	uint32_t reserved;
};

/* "Reporting DPDK ports" */
struct link_report {
	uint32_t port_id;
	uint32_t flags;
	uint32_t speed;
	uint32_t op;
	char bdf[16];
	char name[16];
};

#define REPORT_SET	0u
#define REPORT_REMOVE	1u
#define PORT_MAX	65535u

/* "Choosing netdevs" */
struct link_watch {
	uint32_t op;
	int32_t ifindex;
	char name[16];
};

#define WATCH_ADD	0u
#define WATCH_DEL	1u
#define WATCH_ALL	2u

/* "Link flags" */
#define LF_UP		0x01u
#define LF_FULL		0x02u
#define LF_ADMIN_UP	0x04u
#define LF_CARRIER	0x08u
#define LF_HALF		0x10u

/* "What is tracked" */
#define OWNER_FREE	0u
#define OWNER_KERNEL	1u
#define OWNER_DPDK	2u

/* "Layout: header, bitmap, slots": offsets in the mapping. */
#define PAGE_MAGIC		0x54504b44u
#define H_MAGIC			0
#define H_ABI_VERSION		4
#define H_MAP_SIZE		8
#define H_NR_SLOTS		12
#define H_SLOT_SIZE		16
#define H_SLOT_OFFSET		20
#define H_BITMAP_OFFSET		24
#define H_BITMAP_WORDS		28
#define H_GENERATION		32
#define H_EVENTS		40
#define H_DROPPED		48
#define H_RESERVED		56
#define HEADER_SIZE		64

#define S_SEQ			0
#define S_INCARNATION		4
#define S_OWNER			8
#define S_KEY			12
#define S_FLAGS			16
#define S_SPEED			20
#define S_CHANGES		24
#define S_LAST_CHANGE_NS	32
#define S_NAME			40
#define S_RESERVED		56
#define SLOT_MIN_SIZE		64

/* nic-isolation.rst, "DPKIT_IOC_NIC_LIST" */
struct nic_list {
	uint32_t count;
	uint32_t total;
	uint32_t entry_size;
	uint32_t flags;
};

#define NIC_LIST_F_TRUNCATED	0x1u
#define NIC_LIST_MAX		4096u

struct nic {
	char bdf[16];
	uint16_t vendor;
	uint16_t device;
	uint16_t subsystem_vendor;
	uint16_t subsystem_device;
	uint32_t class;
	int32_t numa_node;
	int32_t iommu_group;
	uint32_t flags;
	char driver[32];
	char override[32];
	char orig_driver[32];
	char ifname[16];
	int32_t ifindex;
	uint32_t if_flags;
	uint8_t operstate;
	uint8_t pad[7];
};

#define NIC_F_NETDEV		0x001u
#define NIC_F_BIFURCATED	0x002u
#define NIC_F_EVENTDEV		0x004u
#define NIC_F_OVERRIDE		0x008u
#define NIC_F_DPKIT		0x010u
#define NIC_F_LEASED		0x020u
#define NIC_F_ROUTE		0x040u
#define NIC_F_BUSY		0x080u
#define NIC_F_NETNS		0x100u

/* "DPKIT_IOC_NIC_BIND" */
struct nic_bind {
	char bdf[16];
	char driver[32];
	uint32_t flags;
	uint32_t result;
	char prev_driver[32];
	char conflict[16];
};

#define BIND_FORCE	0x1u
#define BIND_PERSIST	0x2u
#define BIND_R_ALREADY	0x1u

/* "DPKIT_IOC_NIC_RESTORE" */
struct nic_restore {
	char bdf[16];
	uint32_t flags;
	uint32_t reserved;
	char driver[32];
};

/* "Core isolation" */
struct cpumask_hdr {
	uint32_t flags;
	uint32_t which;
	uint32_t nr_bits;
	uint32_t nr_moved;
	uint32_t nr_unmovable;
	uint32_t reserved;
};

#define MASK_ISOLATED		0u
#define MASK_NOHZ_FULL		1u
#define MASK_MANAGED_IRQ	2u
#define MASK_MAX_BITS		65536u

/* "DPKIT_IOC_IRQ_REPORT" */
struct irq_report {
	uint32_t count;
	uint32_t total;
	uint32_t entry_size;
	uint32_t flags;
};

struct irq_entry {
	uint32_t irq;
	uint32_t reason;
	int32_t error;
	uint32_t reserved;
};

#define IRQ_REPORT_MAX	4096u

/* Every size and offset the pages give. */
#define OFF(t, f, o) _Static_assert(offsetof(struct t, f) == (o), #t "." #f)
#define SIZE(t, s) _Static_assert(sizeof(struct t) == (s), #t)
SIZE(version, 64);
OFF(version, abi_version, 4); OFF(version, features, 8);
OFF(version, map_size, 12); OFF(version, nr_slots, 16);
OFF(version, reserved, 20); OFF(version, release, 32);
SIZE(lease, 8);
SIZE(link_report, 48);
OFF(link_report, op, 12); OFF(link_report, bdf, 16); OFF(link_report, name, 32);
SIZE(link_watch, 24);
OFF(link_watch, ifindex, 4); OFF(link_watch, name, 8);
SIZE(nic_list, 16);
SIZE(nic, 168);
OFF(nic, vendor, 16); OFF(nic, subsystem_device, 22); OFF(nic, class, 24);
OFF(nic, numa_node, 28); OFF(nic, iommu_group, 32); OFF(nic, flags, 36);
OFF(nic, driver, 40); OFF(nic, override, 72); OFF(nic, orig_driver, 104);
OFF(nic, ifname, 136); OFF(nic, ifindex, 152); OFF(nic, if_flags, 156);
OFF(nic, operstate, 160); OFF(nic, pad, 161);
SIZE(nic_bind, 104);
OFF(nic_bind, driver, 16); OFF(nic_bind, flags, 48); OFF(nic_bind, result, 52);
OFF(nic_bind, prev_driver, 56); OFF(nic_bind, conflict, 88);
SIZE(nic_restore, 56);
OFF(nic_restore, flags, 16); OFF(nic_restore, reserved, 20);
OFF(nic_restore, driver, 24);
SIZE(cpumask_hdr, 24);
OFF(cpumask_hdr, nr_bits, 8); OFF(cpumask_hdr, reserved, 20);
SIZE(irq_report, 16);
SIZE(irq_entry, 16);

/* "Generic netlink": every number the page gives, checked against the
 * kernel's own netlink headers (standard Linux ABI, not dpkit's). */
#define FAMILY_NAME		"dpkit"
#define GROUP_NAME		"link"
#define FAMILY_VERSION		1
#define K_NETLINK_GENERIC	16
#define K_GENL_ID_CTRL		16
#define K_CTRL_CMD_GETFAMILY	3
#define K_CTRL_ATTR_FAMILY_NAME	2
#define K_CTRL_ATTR_FAMILY_ID	1
#define K_CTRL_ATTR_MCAST_GROUPS 7
#define K_CTRL_ATTR_MCAST_GRP_NAME 1
#define K_CTRL_ATTR_MCAST_GRP_ID 2
#define K_SOL_NETLINK		270
#define K_NETLINK_ADD_MEMBERSHIP 1
#define K_NETLINK_EXT_ACK	11
#define K_NLM_F_REQUEST		0x1
#define K_NLM_F_MULTI		0x2
#define K_NLM_F_ACK		0x4
#define K_NLM_F_DUMP		0x300
#define K_NLMSG_ERROR		2
#define K_NLMSG_DONE		3
#define K_NLA_TYPE_MASK		0x3fff

_Static_assert(K_NETLINK_GENERIC == NETLINK_GENERIC, "NETLINK_GENERIC");
_Static_assert(K_GENL_ID_CTRL == GENL_ID_CTRL, "GENL_ID_CTRL");
_Static_assert(K_CTRL_CMD_GETFAMILY == CTRL_CMD_GETFAMILY, "GETFAMILY");
_Static_assert(K_CTRL_ATTR_FAMILY_NAME == CTRL_ATTR_FAMILY_NAME, "FAMILY_NAME");
_Static_assert(K_CTRL_ATTR_FAMILY_ID == CTRL_ATTR_FAMILY_ID, "FAMILY_ID");
_Static_assert(K_CTRL_ATTR_MCAST_GROUPS == CTRL_ATTR_MCAST_GROUPS, "GROUPS");
_Static_assert(K_CTRL_ATTR_MCAST_GRP_NAME == CTRL_ATTR_MCAST_GRP_NAME, "GRP_NAME");
_Static_assert(K_CTRL_ATTR_MCAST_GRP_ID == CTRL_ATTR_MCAST_GRP_ID, "GRP_ID");
_Static_assert(K_SOL_NETLINK == SOL_NETLINK, "SOL_NETLINK");
_Static_assert(K_NETLINK_ADD_MEMBERSHIP == NETLINK_ADD_MEMBERSHIP, "ADD_MEMBERSHIP");
_Static_assert(K_NETLINK_EXT_ACK == NETLINK_EXT_ACK, "EXT_ACK");
_Static_assert(K_NLM_F_REQUEST == NLM_F_REQUEST, "NLM_F_REQUEST");
_Static_assert(K_NLM_F_MULTI == NLM_F_MULTI, "NLM_F_MULTI");
_Static_assert(K_NLM_F_ACK == NLM_F_ACK, "NLM_F_ACK");
_Static_assert(K_NLM_F_DUMP == NLM_F_DUMP, "NLM_F_DUMP");
_Static_assert(K_NLMSG_ERROR == NLMSG_ERROR, "NLMSG_ERROR");
_Static_assert(K_NLMSG_DONE == NLMSG_DONE, "NLMSG_DONE");
_Static_assert(K_NLA_TYPE_MASK == (uint16_t)NLA_TYPE_MASK, "NLA_TYPE_MASK");

/* "Commands" and "Attributes" */
#define CMD_LINK_GET		1
#define CMD_LINK_NEW		2
#define CMD_LINK_DEL		3
#define A_OWNER			1
#define A_KEY			2
#define A_IFNAME		3
#define A_UP			4
#define A_FLAGS			5
#define A_SPEED			6
#define A_DUPLEX		7
#define A_CHANGES		8
#define A_SLOT			9
#define A_PAD			10
#define A_BDF			11
#define A_INCARNATION		12
#define LINK_MSG_MAX		148

/* ------------------------------------------------------------------------
 * TAP
 * ------------------------------------------------------------------------ */

/* Counters in a shared mapping: checks made by forked children count too. */
static struct tally {
	int checks;
	int failed;
} *tally, tally_local;
#define nchecks (tally->checks)
#define nfailed (tally->failed)

static bool __attribute__((format(printf, 2, 3)))
check(bool good, const char *fmt, ...)
{
	va_list ap;

	nchecks++;
	if (!good)
		nfailed++;
	printf("%s - ", good ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	return good;
}

static void __attribute__((format(printf, 1, 2))) note(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static const char *errname(int e)
{
	static char buf[32];

	switch (e) {
	case 0: return "success";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EINTR: return "EINTR";
	case EIO: return "EIO";
	case ENXIO: return "ENXIO";
	case EBADF: return "EBADF";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EXDEV: return "EXDEV";
	case ENODEV: return "ENODEV";
	case EINVAL: return "EINVAL";
	case ENOTTY: return "ENOTTY";
	case ENOSPC: return "ENOSPC";
	case ESPIPE: return "ESPIPE";
	case ERANGE: return "ERANGE";
	case EOVERFLOW: return "EOVERFLOW";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ENOBUFS: return "ENOBUFS";
	case ETIMEDOUT: return "ETIMEDOUT";
	}
	snprintf(buf, sizeof(buf), "errno %d", e);
	return buf;
}

/* expect_err: a call returned rc (with errno) and should fail with want. */
static void __attribute__((format(printf, 3, 4)))
expect_err(long rc, int want, const char *fmt, ...)
{
	char what[256];
	va_list ap;
	int e = rc < 0 ? errno : 0;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (rc < 0 && e == want)
		check(true, "%s: %s", what, errname(want));
	else
		check(false, "%s: %s expected, got %s (rc %ld)", what,
		      errname(want), errname(e), rc);
}

/* expect_ok: a call that should succeed. */
static bool __attribute__((format(printf, 2, 3)))
expect_ok(long rc, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (rc >= 0)
		check(true, "%s", what);
	else
		check(false, "%s: %s", what, errname(errno));
	return rc >= 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* padded: the field holds a NUL and every byte after it is 0 ("Strings":
 * what the kernel writes is terminated and zero-padded). */
static bool padded(const char *s, size_t n)
{
	const char *nul = memchr(s, 0, n);

	if (!nul)
		return false;
	for (size_t i = (size_t)(nul - s); i < n; i++)
		if (s[i])
			return false;
	return true;
}

static bool all_bytes(const void *p, size_t n, unsigned char v)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != v)
			return false;
	return true;
}

static int read_sys(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0)
		return -1;
	r = read(fd, buf, n - 1);
	close(fd);
	if (r < 0)
		return -1;
	buf[r] = 0;
	while (r > 0 && (buf[r - 1] == '\n' || buf[r - 1] == ' '))
		buf[--r] = 0;
	return 0;
}

static long read_sys_long(const char *path, long dflt)
{
	char buf[64];

	if (read_sys(path, buf, sizeof(buf)))
		return dflt;
	return strtol(buf, NULL, 0);
}

static int open_dev(int flags)
{
	return open(DEV_PATH, flags | O_CLOEXEC);
}

/* ------------------------------------------------------------------------
 * The mapping ("The mapping", "Layout", "Reading a slot")
 * ------------------------------------------------------------------------ */

struct page {
	unsigned char *base;
	size_t len;
	uint32_t nr_slots;
	uint32_t slot_size;
	uint32_t slot_offset;
	uint32_t bitmap_offset;
	uint32_t bitmap_words;
};

struct slot {
	uint32_t seq;
	uint32_t incarnation;
	uint32_t owner;
	uint32_t key;
	uint32_t flags;
	uint32_t speed;
	uint64_t changes;
	uint64_t last_change_ns;
	uint64_t reserved;
	char name[17];
	bool bit;		/* the bitmap's bit, loaded inside the protocol */
};

static _Atomic uint32_t *u32_at(const struct page *pg, size_t off)
{
	return (_Atomic uint32_t *)(void *)(pg->base + off);
}

static _Atomic uint64_t *u64_at(const struct page *pg, size_t off)
{
	return (_Atomic uint64_t *)(void *)(pg->base + off);
}

static uint64_t hdr64(const struct page *pg, size_t off)
{
	return atomic_load_explicit(u64_at(pg, off), memory_order_acquire);
}

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

static unsigned long retries;

/* read_slot: "Reading a slot: the sequence-lock protocol", with the
 * slot's bitmap word loaded between the two loads of seq. */
static void read_slot(const struct page *pg, uint32_t i, struct slot *c)
{
	size_t s = pg->slot_offset + (size_t)i * pg->slot_size;
	size_t w = pg->bitmap_offset + (size_t)(i / 64) * 8;
	uint64_t n0, n1, word;
	uint32_t s1, s2;

	for (;;) {
		s1 = atomic_load_explicit(u32_at(pg, s + S_SEQ),
					  memory_order_acquire);
		if (s1 & 1) {
			cpu_relax();
			retries++;
			continue;
		}
		c->incarnation = atomic_load_explicit(u32_at(pg, s + S_INCARNATION), memory_order_relaxed);
		c->owner = atomic_load_explicit(u32_at(pg, s + S_OWNER), memory_order_relaxed);
		c->key = atomic_load_explicit(u32_at(pg, s + S_KEY), memory_order_relaxed);
		c->flags = atomic_load_explicit(u32_at(pg, s + S_FLAGS), memory_order_relaxed);
		c->speed = atomic_load_explicit(u32_at(pg, s + S_SPEED), memory_order_relaxed);
		c->changes = atomic_load_explicit(u64_at(pg, s + S_CHANGES), memory_order_relaxed);
		c->last_change_ns = atomic_load_explicit(u64_at(pg, s + S_LAST_CHANGE_NS), memory_order_relaxed);
		n0 = atomic_load_explicit(u64_at(pg, s + S_NAME), memory_order_relaxed);
		n1 = atomic_load_explicit(u64_at(pg, s + S_NAME + 8), memory_order_relaxed);
		c->reserved = atomic_load_explicit(u64_at(pg, s + S_RESERVED), memory_order_relaxed);
		word = atomic_load_explicit(u64_at(pg, w), memory_order_relaxed);
		atomic_thread_fence(memory_order_acquire);
		s2 = atomic_load_explicit(u32_at(pg, s + S_SEQ),
					  memory_order_relaxed);
		if (s1 == s2)
			break;
		retries++;
	}
	c->seq = s1;
	memcpy(c->name, &n0, 8);
	memcpy(c->name + 8, &n1, 8);
	c->name[16] = 0;
	c->name[strnlen(c->name, 16)] = 0;
	c->bit = (word >> (i % 64)) & 1;
}

/* find_slot: the index of (owner, key), or -1; its copy in *c. */
static int find_slot(const struct page *pg, uint32_t owner, uint32_t key,
		     struct slot *c)
{
	for (uint32_t i = 0; i < pg->nr_slots; i++) {
		read_slot(pg, i, c);
		if (c->owner == owner && c->key == key)
			return (int)i;
	}
	return -1;
}

static bool slot_is_free(const struct slot *c)
{
	return c->owner == 0 && c->key == 0 && c->flags == 0 &&
	       c->speed == 0 && c->changes == 0 && c->last_change_ns == 0 &&
	       c->name[0] == 0 && c->reserved == 0 && !c->bit;
}

/* ------------------------------------------------------------------------
 * Generic netlink, by hand ("Generic netlink")
 * ------------------------------------------------------------------------ */

#define NLBUF (64 * 1024)

struct nl {
	int fd;
	uint32_t pid;
	uint32_t seq;
	uint16_t family;
	uint32_t group;
	size_t len;
	size_t off;
	uint32_t buf[NLBUF / 4];
};

static size_t align4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

static struct nl *nl_open(void)
{
	struct sockaddr_nl a = { .nl_family = AF_NETLINK };
	socklen_t alen = sizeof(a);
	struct nl *s = calloc(1, sizeof(*s));
	int one = 1;

	if (!s)
		return NULL;
	s->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, K_NETLINK_GENERIC);
	if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(s->fd, (struct sockaddr *)&a, &alen)) {
		if (s->fd >= 0)
			close(s->fd);
		free(s);
		return NULL;
	}
	s->pid = a.nl_pid;
	s->seq = 1000;
	setsockopt(s->fd, K_SOL_NETLINK, K_NETLINK_EXT_ACK, &one, sizeof(one));
	return s;
}

static void nl_close(struct nl *s)
{
	if (s) {
		close(s->fd);
		free(s);
	}
}

/* A request under construction: netlink header, genetlink header, attrs. */
struct req {
	uint32_t w[64];
	size_t len;
};

static void req_init(struct req *r, uint16_t type, uint16_t flags,
		     uint32_t seq, uint8_t cmd, uint8_t version,
		     uint16_t reserved)
{
	unsigned char *b = (unsigned char *)r->w;

	memset(r, 0, sizeof(*r));
	memcpy(b + 4, &type, 2);
	memcpy(b + 6, &flags, 2);
	memcpy(b + 8, &seq, 4);
	b[16] = cmd;
	b[17] = version;
	memcpy(b + 18, &reserved, 2);
	r->len = 20;
}

static void req_attr(struct req *r, uint16_t type, const void *p, uint16_t n)
{
	unsigned char *b = (unsigned char *)r->w;
	uint16_t len = (uint16_t)(4 + n);

	memcpy(b + r->len, &len, 2);
	memcpy(b + r->len + 2, &type, 2);
	memcpy(b + r->len + 4, p, n);
	r->len = align4(r->len + len);
}

static int nl_send(struct nl *s, struct req *r)
{
	struct sockaddr_nl a = { .nl_family = AF_NETLINK };
	uint32_t len = (uint32_t)r->len;

	memcpy(r->w, &len, 4);
	if (sendto(s->fd, r->w, r->len, 0, (struct sockaddr *)&a, sizeof(a)) !=
	    (ssize_t)r->len)
		return -1;
	return 0;
}

/* nl_next: the next message, from the datagram in hand or a new one read
 * within timeout_ms; NULL with errno (ETIMEDOUT, ENOBUFS, ...). */
static struct nlmsghdr *nl_next(struct nl *s, int timeout_ms)
{
	for (;;) {
		if (s->off < s->len) {
			struct nlmsghdr *h = (void *)((char *)s->buf + s->off);

			if (s->len - s->off < sizeof(*h) ||
			    h->nlmsg_len < sizeof(*h) ||
			    h->nlmsg_len > s->len - s->off) {
				s->len = s->off = 0;
				errno = EBADMSG;
				return NULL;
			}
			s->off += align4(h->nlmsg_len);
			return h;
		}
		struct pollfd p = { .fd = s->fd, .events = POLLIN };
		int n = poll(&p, 1, timeout_ms);
		ssize_t r;

		if (n == 0)
			errno = ETIMEDOUT;
		if (n <= 0)
			return NULL;
		r = recv(s->fd, s->buf, sizeof(s->buf), 0);
		if (r < 0)
			return NULL;
		s->len = (size_t)r;
		s->off = 0;
	}
}

/* Attribute iteration over [p, p + n). */
struct attr {
	uint16_t type;
	uint16_t raw_type;
	uint16_t len;		/* payload */
	const unsigned char *data;
};

static bool attr_next(const unsigned char **p, size_t *n, struct attr *a)
{
	uint16_t len, type;

	if (*n < 4)
		return false;
	memcpy(&len, *p, 2);
	memcpy(&type, *p + 2, 2);
	if (len < 4 || len > *n)
		return false;
	a->raw_type = type;
	a->type = type & K_NLA_TYPE_MASK;
	a->len = (uint16_t)(len - 4);
	a->data = *p + 4;
	len = (uint16_t)align4(len);
	if (len > *n)
		len = (uint16_t)*n;
	*p += len;
	*n -= len;
	return true;
}

/* resolve: CTRL_CMD_GETFAMILY "dpkit"; the family id and the "link" id. */
static int resolve(struct nl *s, uint32_t *version, int *err)
{
	struct req r;
	struct nlmsghdr *h;
	uint32_t seq = ++s->seq;
	bool have_family = false, have_group = false;

	*err = 0;
	/* The pages name neither the genetlink version nor the flags of the
	 * controller request: version 1, NLM_F_REQUEST alone. */
	req_init(&r, K_GENL_ID_CTRL, K_NLM_F_REQUEST, seq,
		 K_CTRL_CMD_GETFAMILY, 1, 0);
	req_attr(&r, K_CTRL_ATTR_FAMILY_NAME, FAMILY_NAME, sizeof(FAMILY_NAME));
	if (nl_send(s, &r))
		return -1;
	while ((h = nl_next(s, 2000))) {
		const unsigned char *p = (const unsigned char *)h + 20;
		size_t n = h->nlmsg_len - 20;
		struct attr a;

		if (h->nlmsg_seq != seq)
			continue;
		if (h->nlmsg_type == K_NLMSG_ERROR) {
			struct nlmsgerr *e = NLMSG_DATA(h);

			*err = -e->error;
			return -1;
		}
		if (h->nlmsg_type != K_GENL_ID_CTRL || h->nlmsg_len < 20)
			continue;
		while (attr_next(&p, &n, &a)) {
			if (a.type == K_CTRL_ATTR_FAMILY_ID && a.len == 2) {
				memcpy(&s->family, a.data, 2);
				have_family = true;
			} else if (a.type == CTRL_ATTR_VERSION && a.len == 4) {
				memcpy(version, a.data, 4);
			} else if (a.type == K_CTRL_ATTR_MCAST_GROUPS) {
				const unsigned char *gp = a.data;
				size_t gn = a.len;
				struct attr g;

				while (attr_next(&gp, &gn, &g)) {
					const unsigned char *ep = g.data;
					size_t en = g.len;
					struct attr e;
					char name[32] = "";
					uint32_t id = 0;

					while (attr_next(&ep, &en, &e)) {
						if (e.type == K_CTRL_ATTR_MCAST_GRP_NAME &&
						    e.len < sizeof(name))
							memcpy(name, e.data, e.len);
						else if (e.type == K_CTRL_ATTR_MCAST_GRP_ID &&
							 e.len == 4)
							memcpy(&id, e.data, 4);
					}
					if (!strcmp(name, GROUP_NAME)) {
						s->group = id;
						have_group = true;
					}
				}
			}
		}
		break;
	}
	if (!h)
		*err = errno;
	return have_family && have_group ? 0 : -1;
}

/* A LINK_NEW/LINK_DEL message, parsed. */
struct linkmsg {
	uint16_t nl_type;
	uint16_t nl_flags;
	uint32_t nl_seq;
	uint32_t nl_pid;
	uint32_t nl_len;
	uint8_t cmd;
	uint8_t version;
	uint16_t reserved;
	uint32_t have;		/* 1 << attribute type */
	uint32_t slot, incarnation, owner, key, flags, speed;
	uint8_t up, duplex;
	uint64_t changes;
	char ifname[32];
	char bdf[32];
	uint8_t order[32];
	int norder;
	char bad[96];		/* a malformed attribute, "" when none */
};

static void parse_link(const struct nlmsghdr *h, struct linkmsg *m)
{
	const unsigned char *g = (const unsigned char *)h + 16;
	const unsigned char *p = g + 4;
	size_t n = h->nlmsg_len >= 20 ? h->nlmsg_len - 20 : 0;
	struct attr a;

	memset(m, 0, sizeof(*m));
	m->nl_type = h->nlmsg_type;
	m->nl_flags = h->nlmsg_flags;
	m->nl_seq = h->nlmsg_seq;
	m->nl_pid = h->nlmsg_pid;
	m->nl_len = h->nlmsg_len;
	if (h->nlmsg_len < 20) {
		snprintf(m->bad, sizeof(m->bad), "short message (%u bytes)",
			 h->nlmsg_len);
		return;
	}
	m->cmd = g[0];
	m->version = g[1];
	memcpy(&m->reserved, g + 2, 2);
	while (attr_next(&p, &n, &a)) {
		size_t want = 0;
		void *dst = NULL;

		if (m->norder < (int)sizeof(m->order))
			m->order[m->norder++] = (uint8_t)a.type;
		if (a.type < 32)
			m->have |= 1u << a.type;
		switch (a.type) {
		case A_OWNER: want = 4; dst = &m->owner; break;
		case A_KEY: want = 4; dst = &m->key; break;
		case A_UP: want = 1; dst = &m->up; break;
		case A_FLAGS: want = 4; dst = &m->flags; break;
		case A_SPEED: want = 4; dst = &m->speed; break;
		case A_DUPLEX: want = 1; dst = &m->duplex; break;
		case A_CHANGES: want = 8; dst = &m->changes; break;
		case A_SLOT: want = 4; dst = &m->slot; break;
		case A_INCARNATION: want = 4; dst = &m->incarnation; break;
		case A_PAD: want = 0; break;
		case A_IFNAME:
		case A_BDF: {
			char *str = a.type == A_IFNAME ? m->ifname : m->bdf;

			/* "a string's payload includes its NUL" */
			if (!a.len || a.len > 16 || a.data[a.len - 1] ||
			    strlen((const char *)a.data) != a.len - 1U)
				snprintf(m->bad, sizeof(m->bad),
					 "attribute %u: %u-byte string without a final NUL",
					 a.type, a.len);
			else
				memcpy(str, a.data, a.len);
			continue;
		}
		default:
			continue;	/* "skip attribute types it does not know" */
		}
		if (a.len != want)
			snprintf(m->bad, sizeof(m->bad),
				 "attribute %u: %u-byte payload, %zu expected",
				 a.type, a.len, want);
		else if (dst)
			memcpy(dst, a.data, want);
	}
	if (n)
		snprintf(m->bad, sizeof(m->bad), "%zu bytes after the attributes", n);
}

/* check_order: "SLOT, INCARNATION, OWNER, KEY, IFNAME, UP, FLAGS, SPEED,
 * [DUPLEX], [PAD], CHANGES, [BDF]". */
static bool check_order(const struct linkmsg *m)
{
	static const uint8_t doc[] = { A_SLOT, A_INCARNATION, A_OWNER, A_KEY,
		A_IFNAME, A_UP, A_FLAGS, A_SPEED, A_DUPLEX, A_PAD, A_CHANGES,
		A_BDF };
	int j = 0;

	for (size_t i = 0; i < sizeof(doc); i++) {
		if (!(m->have & (1u << doc[i])))
			continue;
		if (j >= m->norder || m->order[j] != doc[i])
			return false;
		j++;
	}
	return j == m->norder;
}

#define ALWAYS ((1u << A_SLOT) | (1u << A_INCARNATION) | (1u << A_OWNER) | \
		(1u << A_KEY) | (1u << A_IFNAME) | (1u << A_UP) | \
		(1u << A_FLAGS) | (1u << A_SPEED) | (1u << A_CHANGES))

/* link_msg_problem: what is wrong with a link message as such (its form,
 * not its values), or NULL. */
static const char *link_msg_problem(const struct linkmsg *m, char *buf,
				    size_t n)
{
	if (m->bad[0])
		return m->bad;
	if ((m->have & ALWAYS) != ALWAYS) {
		snprintf(buf, n, "attributes 0x%x present, 0x%x always expected",
			 m->have, ALWAYS);
		return buf;
	}
	if (m->nl_len > LINK_MSG_MAX) {
		snprintf(buf, n, "%u bytes, at most %d expected", m->nl_len,
			 LINK_MSG_MAX);
		return buf;
	}
	if (m->version != FAMILY_VERSION || m->reserved) {
		snprintf(buf, n, "genl version %u reserved %u", m->version,
			 m->reserved);
		return buf;
	}
	if (m->up != (m->flags & LF_UP)) {
		snprintf(buf, n, "UP %u but flags 0x%x", m->up, m->flags);
		return buf;
	}
	/* DUPLEX: 1 full, 0 half, absent when unknown. */
	bool known = m->flags & (LF_FULL | LF_HALF);
	bool has = m->have & (1u << A_DUPLEX);

	if (known != has || (has && m->duplex != !!(m->flags & LF_FULL))) {
		snprintf(buf, n, "DUPLEX %s%u with flags 0x%x",
			 m->have & (1u << A_DUPLEX) ? "" : "absent ",
			 m->duplex, m->flags);
		return buf;
	}
	if (!check_order(m)) {
		snprintf(buf, n, "attributes not in the documented order");
		return buf;
	}
	return NULL;
}

static void describe(const struct linkmsg *m, char *buf, size_t n)
{
	snprintf(buf, n,
		 "%s slot %u inc %u owner %u key %u name \"%s\" up %u flags 0x%x speed %u duplex %s changes %" PRIu64 " bdf %s",
		 m->cmd == CMD_LINK_NEW ? "LINK_NEW" :
		 m->cmd == CMD_LINK_DEL ? "LINK_DEL" : "cmd?",
		 m->slot, m->incarnation, m->owner, m->key, m->ifname, m->up,
		 m->flags, m->speed,
		 m->have & (1u << A_DUPLEX) ? (m->duplex ? "full" : "half") : "-",
		 m->changes, m->have & (1u << A_BDF) ? m->bdf : "-");
}

/* ------------------------------------------------------------------------
 * Small ioctl helpers
 * ------------------------------------------------------------------------ */

static int do_version(int fd, struct version *v)
{
	memset(v, 0, sizeof(*v));
	return ioctl(fd, IOC_VERSION, v);
}

static int report(int fd, uint32_t op, uint32_t port, uint32_t flags,
		  uint32_t speed, const char *bdf, const char *name)
{
	struct link_report r = { .port_id = port, .flags = flags,
				 .speed = speed, .op = op };

	snprintf(r.bdf, sizeof(r.bdf), "%s", bdf);
	snprintf(r.name, sizeof(r.name), "%s", name);
	return ioctl(fd, IOC_LINK_REPORT, &r);
}

static int take_lease(int fd)
{
	struct lease l = { 0 };

	return ioctl(fd, IOC_LEASE, &l);
}

/* ------------------------------------------------------------------------
 * 1. DPKIT_IOC_VERSION
 * ------------------------------------------------------------------------ */

static struct version ver;

static bool test_version(int fd)
{
	struct version v;
	unsigned char raw[65];
	long pagesz = sysconf(_SC_PAGESIZE);
	uint32_t want_map;
	int wfd;

	if (!expect_ok(do_version(fd, &ver), "VERSION (0x%lx) with a zeroed 64-byte buffer",
		       IOC_VERSION))
		return false;
	check(ver.abi_version == ABI_VERSION, "VERSION: abi_version %u is %u",
	      ver.abi_version, ABI_VERSION);
	if (ver.abi_version != ABI_VERSION)
		return false;	/* "a client must refuse any other value" */
	check((ver.features & 0xf) == 0xf,
	      "VERSION: features 0x%x has LINK, NIC, ISOLATE and LEASE (0xf)",
	      ver.features);
	check(ver.nr_slots == 256, "VERSION: nr_slots %u is 256", ver.nr_slots);
	want_map = (uint32_t)((4096 + 64 * (uint64_t)ver.nr_slots + (uint64_t)pagesz - 1) /
			      (uint64_t)pagesz * (uint64_t)pagesz);
	check(ver.map_size == want_map,
	      "VERSION: map_size %u is 4096 + 64 * nr_slots rounded up to the page (%u)",
	      ver.map_size, want_map);
	check(ver.flags == 0 && !ver.reserved[0] && !ver.reserved[1] &&
	      !ver.reserved[2], "VERSION: flags and reserved read 0");
	check(padded(ver.release, sizeof(ver.release)) && ver.release[0],
	      "VERSION: release \"%.32s\" is non-empty, terminated and zero-padded",
	      ver.release);

	/* "Fields marked out are ignored on input" and all rewritten. */
	memset(&v, 0xa5, sizeof(v));
	v.flags = 0;
	memset(v.reserved, 0, sizeof(v.reserved));
	expect_ok(ioctl(fd, IOC_VERSION, &v), "VERSION ignores garbage in its out fields");
	check(!memcmp(&v, &ver, sizeof(v)), "VERSION rewrites the whole structure");

	/* "The kernel copies ioctl arguments byte-wise: need not be aligned" */
	memset(raw, 0, sizeof(raw));
	if (expect_ok(ioctl(fd, IOC_VERSION, raw + 1), "VERSION into an unaligned buffer")) {
		memcpy(&v, raw + 1, sizeof(v));
		check(!memcmp(&v, &ver, sizeof(v)), "VERSION: the unaligned copy is the same");
	}

	memset(&v, 0, sizeof(v));
	v.flags = 1;
	expect_err(ioctl(fd, IOC_VERSION, &v), EINVAL, "VERSION with flags 1");
	memset(&v, 0, sizeof(v));
	v.reserved[2] = 1;
	expect_err(ioctl(fd, IOC_VERSION, &v), EINVAL, "VERSION with reserved[2] 1");
	expect_err(ioctl(fd, IOC_VERSION, (void *)8), EFAULT, "VERSION with an unreadable argument");
	/* "ENOTTY for a number it does not know, which includes a known
	 * command encoded with another size"; "only the whole 32-bit value
	 * matters", so another direction is another number too. */
	memset(&v, 0, sizeof(v));
	expect_err(ioctl(fd, IOC(IOC_RW, 0x00, 60), &v), ENOTTY, "VERSION encoded with size 60");
	expect_err(ioctl(fd, IOC(IOC_RW, 0x01, 8), &v), ENOTTY, "LEASE encoded _IOWR (0x%lx)",
		   IOC(IOC_RW, 0x01, 8));
	expect_err(ioctl(fd, IOC(IOC_RW, 0x7f, 16), &v), ENOTTY, "an unknown nr (0x7f)");
	expect_err(ioctl(fd, 0x5401 /* TCGETS */, &v), ENOTTY, "another type's ioctl (TCGETS)");

	/* "The open mode plays no other part: no ioctl looks at it." */
	wfd = open_dev(O_WRONLY);
	if (expect_ok(wfd, "open(O_WRONLY) succeeds")) {
		expect_ok(do_version(wfd, &v), "VERSION on an O_WRONLY descriptor");
		close(wfd);
	}
	note("module release %s, features 0x%x, map_size %u, %u slots",
	     ver.release, ver.features, ver.map_size, ver.nr_slots);
	return true;
}

/* ------------------------------------------------------------------------
 * 2. The mapping: header, refusals
 * ------------------------------------------------------------------------ */

static bool map_page(int fd, struct page *pg)
{
	const unsigned char *b;
	uint32_t magic, abi, map_size;
	bool good;

	memset(pg, 0, sizeof(*pg));
	pg->base = mmap(NULL, ver.map_size, PROT_READ, MAP_SHARED, fd, 0);
	if (!expect_ok(pg->base == MAP_FAILED ? -1 : 0,
		       "mmap(map_size %u, PROT_READ, MAP_SHARED, offset 0)", ver.map_size))
		return false;
	pg->len = ver.map_size;
	b = pg->base;
	memcpy(&magic, b + H_MAGIC, 4);
	memcpy(&abi, b + H_ABI_VERSION, 4);
	memcpy(&map_size, b + H_MAP_SIZE, 4);
	memcpy(&pg->nr_slots, b + H_NR_SLOTS, 4);
	memcpy(&pg->slot_size, b + H_SLOT_SIZE, 4);
	memcpy(&pg->slot_offset, b + H_SLOT_OFFSET, 4);
	memcpy(&pg->bitmap_offset, b + H_BITMAP_OFFSET, 4);
	memcpy(&pg->bitmap_words, b + H_BITMAP_WORDS, 4);

	check(magic == PAGE_MAGIC, "header: magic 0x%08x is 0x%08x", magic, PAGE_MAGIC);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	check(!memcmp(b, "DKPT", 4), "header: magic bytes are \"DKPT\" (44 4b 50 54)");
#endif
	check(abi == ABI_VERSION, "header: abi_version %u is 1", abi);
	check(map_size == pg->len, "header: map_size %u is the length mapped", map_size);
	check(pg->nr_slots == ver.nr_slots, "header: nr_slots %u is VERSION's", pg->nr_slots);
	good = pg->slot_size >= SLOT_MIN_SIZE && pg->slot_size % 8 == 0 &&
	       pg->slot_offset % 8 == 0 && pg->bitmap_offset % 8 == 0 &&
	       pg->slot_offset + (uint64_t)pg->nr_slots * pg->slot_size <= map_size &&
	       pg->bitmap_offset + 8 * (uint64_t)pg->bitmap_words <= map_size &&
	       64 * (uint64_t)pg->bitmap_words >= pg->nr_slots &&
	       pg->bitmap_offset >= HEADER_SIZE;
	check(good, "header: slot_size %u, slot_offset %u, bitmap_offset %u, bitmap_words %u fit the mapping",
	      pg->slot_size, pg->slot_offset, pg->bitmap_offset, pg->bitmap_words);
	check(pg->slot_size == 64 && pg->slot_offset == 4096 &&
	      pg->bitmap_offset == 64 && pg->bitmap_words == 4,
	      "header: the v1 values (64, 4096, 64, 4)");
	check(hdr64(pg, H_RESERVED) == 0, "header: reserved is 0");
	check(hdr64(pg, H_DROPPED) == 0, "header: dropped is 0 (the table never filled)");
	if (!good || magic != PAGE_MAGIC || abi != ABI_VERSION)
		return false;
	return true;
}

static void test_page_layout(const struct page *pg)
{
	size_t end = pg->slot_offset + (size_t)pg->nr_slots * pg->slot_size;
	size_t bend = pg->bitmap_offset + 8 * (size_t)pg->bitmap_words;
	bool zero = true;
	size_t nonzero = 0;
	char line[512], want[32];
	FILE *f;
	bool dd = false, found = false;

	/* "Bits for i >= nr_slots are 0" */
	for (uint32_t i = pg->nr_slots; i < 64 * pg->bitmap_words; i++)
		if ((hdr64(pg, pg->bitmap_offset + 8 * (i / 64)) >> (i % 64)) & 1)
			zero = false;
	check(zero, "bitmap: bits at or past nr_slots are 0");
	check(all_bytes(pg->base + end, pg->len - end, 0),
	      "the %zu bytes after the last slot up to map_size are 0", pg->len - end);
	/* Not in the pages: what lies between the bitmap and slot_offset. */
	for (size_t i = bend; i < pg->slot_offset; i++)
		nonzero += pg->base[i] != 0;
	note("bytes %zu..%u (between bitmap and slots, unspecified): %zu non-zero",
	     bend, pg->slot_offset, nonzero);

	/* "is left out of core dumps": VmFlags dd in /proc/self/smaps. */
	snprintf(want, sizeof(want), "%lx-", (unsigned long)pg->base);
	f = fopen("/proc/self/smaps", "re");
	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, want, strlen(want)))
			found = true;
		else if (found && !strncmp(line, "VmFlags:", 8)) {
			dd = strstr(line, " dd") != NULL;
			break;
		}
	}
	if (f)
		fclose(f);
	check(found && dd, "the mapping is left out of core dumps (VmFlags dd)");
}

static void test_mmap_refusals(int rfd, const struct page *pg)
{
	long pagesz = sysconf(_SC_PAGESIZE);
	int rw = open_dev(O_RDWR), wo = open_dev(O_WRONLY);
	void *p, *q;
	pid_t pid;
	int st;

#define MMAP_RC(x) ((x) == MAP_FAILED ? -1L : (munmap((x), pg->len), 0L))
	p = mmap(NULL, pg->len, PROT_READ, MAP_PRIVATE, rfd, 0);
	expect_err(MMAP_RC(p), EINVAL, "mmap MAP_PRIVATE (read-only)");
	p = mmap(NULL, pg->len, PROT_READ, MAP_SHARED, rfd, pagesz);
	expect_err(MMAP_RC(p), EINVAL, "mmap at offset %ld", pagesz);
	p = mmap(NULL, (size_t)pagesz, PROT_READ, MAP_SHARED, rfd, 0);
	if (p != MAP_FAILED)
		munmap(p, (size_t)pagesz);
	expect_err(p == MAP_FAILED ? -1 : 0, EINVAL, "mmap of one page (shorter than map_size)");
	p = mmap(NULL, pg->len + (size_t)pagesz, PROT_READ, MAP_SHARED, rfd, 0);
	if (p != MAP_FAILED)
		munmap(p, pg->len + (size_t)pagesz);
	expect_err(p == MAP_FAILED ? -1 : 0, EINVAL, "mmap one page longer than map_size");
	p = mmap(NULL, pg->len - 1, PROT_READ, MAP_SHARED, rfd, 0);
	expect_ok(MMAP_RC(p), "mmap of map_size - 1 (the same once rounded up to whole pages)");
	p = mmap(NULL, pg->len, PROT_READ, MAP_SHARED_VALIDATE, rfd, 0);
	expect_ok(MMAP_RC(p), "mmap MAP_SHARED_VALIDATE behaves as MAP_SHARED");
	p = mmap(NULL, pg->len, PROT_READ | PROT_WRITE, MAP_SHARED, rfd, 0);
	expect_err(MMAP_RC(p), EACCES, "mmap PROT_WRITE on a read-only descriptor");
	if (rw >= 0) {
		p = mmap(NULL, pg->len, PROT_READ | PROT_WRITE, MAP_SHARED, rw, 0);
		expect_err(MMAP_RC(p), EPERM, "mmap PROT_WRITE on a read-write descriptor");
	}
	p = mmap(NULL, pg->len, PROT_READ | PROT_EXEC, MAP_SHARED, rfd, 0);
	expect_err(MMAP_RC(p), EPERM, "mmap PROT_EXEC");
	if (wo >= 0) {
		p = mmap(NULL, pg->len, PROT_READ, MAP_SHARED, wo, 0);
		expect_err(MMAP_RC(p), EACCES, "mmap of an O_WRONLY descriptor");
	}
	p = mmap(NULL, pg->len, PROT_READ, MAP_SHARED, rfd, 0);
	if (expect_ok(p == MAP_FAILED ? -1 : 0, "a second mapping")) {
		expect_err(mprotect(p, pg->len, PROT_READ | PROT_WRITE), EACCES,
			   "mprotect adding PROT_WRITE");
		expect_err(mprotect(p, pg->len, PROT_READ | PROT_EXEC), EACCES,
			   "mprotect adding PROT_EXEC");
		/* Not in the pages: with or without MREMAP_MAYMOVE. */
		q = mremap(p, pg->len, pg->len + (size_t)pagesz, MREMAP_MAYMOVE);
		if (q != MAP_FAILED)
			p = q;
		expect_err(q == MAP_FAILED ? -1 : 0, EFAULT, "mremap growing it (MREMAP_MAYMOVE)");
		q = mremap(p, pg->len, pg->len + (size_t)pagesz, 0);
		if (q != MAP_FAILED)
			p = q;
		expect_err(q == MAP_FAILED ? -1 : 0, EFAULT, "mremap growing it in place");
		munmap(p, pg->len);
	}
	/* "PROT_READ under the READ_IMPLIES_EXEC personality": EPERM. */
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		personality(READ_IMPLIES_EXEC);
		p = mmap(NULL, pg->len, PROT_READ, MAP_SHARED, rfd, 0);
		_exit(p == MAP_FAILED ? (errno == EPERM ? 0 : 3) : 4);
	}
	st = -1;
	if (pid > 0)
		waitpid(pid, &st, 0);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "mmap PROT_READ under READ_IMPLIES_EXEC: EPERM (child status %d)", st);
	if (rw >= 0)
		close(rw);
	if (wo >= 0)
		close(wo);
#undef MMAP_RC
}

/* ------------------------------------------------------------------------
 * 3. The slots, the bitmap and the kernel's netdevs
 * ------------------------------------------------------------------------ */

static void test_slots(const struct page *pg)
{
	unsigned used = 0, bad_bit = 0, bad_free = 0, bad_used = 0, odd = 0;
	unsigned kernel = 0, missing = 0;
	struct slot c;
	DIR *d;
	struct dirent *de;

	for (uint32_t i = 0; i < pg->nr_slots; i++) {
		read_slot(pg, i, &c);
		if (c.seq & 1)
			odd++;
		if (c.bit != !!(c.flags & LF_UP))
			bad_bit++;
		if (c.owner == OWNER_FREE) {
			if (!slot_is_free(&c))
				bad_free++;
			continue;
		}
		used++;
		if (c.owner == OWNER_KERNEL)
			kernel++;
		if ((c.owner != OWNER_KERNEL && c.owner != OWNER_DPDK) ||
		    !c.incarnation || c.reserved ||
		    (c.flags & ~0x1fu) ||
		    (c.flags & (LF_FULL | LF_HALF)) == (LF_FULL | LF_HALF) ||
		    (c.owner == OWNER_DPDK && c.key > PORT_MAX))
			bad_used++;
		note("slot %u: seq %u inc %u owner %u key %u name \"%s\" flags 0x%x speed %u changes %" PRIu64,
		     i, c.seq, c.incarnation, c.owner, c.key, c.name, c.flags,
		     c.speed, c.changes);
	}
	check(!odd, "every slot copy was made at an even seq");
	check(!bad_bit, "bitmap bit i is set exactly when slot i has UP (%u slots, %u differ)",
	      pg->nr_slots, bad_bit);
	check(!bad_free, "every free slot has every field 0 but seq and incarnation (%u not)",
	      bad_free);
	check(!bad_used, "every used slot has owner 1 or 2, an incarnation, known flags, reserved 0 (%u not)",
	      bad_used);

	/* "by default every Ethernet-type netdev (ARPHRD_ETHER, not loopback)
	 * of the initial network namespace". */
	d = opendir("/sys/class/net");
	while (d && (de = readdir(d))) {
		char path[300], buf[64];
		long type, ifl, carrier, speed;
		uint32_t want, mask;
		int idx;

		if (de->d_name[0] == '.' || !strcmp(de->d_name, "lo"))
			continue;
		snprintf(path, sizeof(path), "/sys/class/net/%s/type", de->d_name);
		type = read_sys_long(path, -1);
		if (type != 1)
			continue;
		idx = (int)if_nametoindex(de->d_name);
		if (find_slot(pg, OWNER_KERNEL, (uint32_t)idx, &c) < 0) {
			missing++;
			check(false, "kernel netdev %s (ifindex %d) has a slot", de->d_name, idx);
			continue;
		}
		snprintf(path, sizeof(path), "/sys/class/net/%s/flags", de->d_name);
		ifl = read_sys_long(path, 0);
		snprintf(path, sizeof(path), "/sys/class/net/%s/carrier", de->d_name);
		carrier = read_sys_long(path, 0);
		/* Not in the pages: what CARRIER says while the netdev is
		 * down, when sysfs (and ip) show no carrier at all. Only an
		 * up netdev's carrier is compared. */
		want = (ifl & 1 ? LF_ADMIN_UP : 0) | (carrier == 1 ? LF_CARRIER : 0);
		if ((ifl & 1) && carrier == 1)
			want |= LF_UP;
		mask = ifl & 1 ? LF_UP | LF_ADMIN_UP | LF_CARRIER : LF_UP | LF_ADMIN_UP;
		check(!strcmp(c.name, de->d_name) && (c.flags & mask) == (want & mask),
		      "kernel netdev %s: slot named \"%s\", flags 0x%x match IFF_UP %ld%s",
		      de->d_name, c.name, c.flags, ifl & 1,
		      ifl & 1 ? (carrier == 1 ? ", carrier 1" : ", carrier 0") : "");
		if (!(ifl & 1))
			note("kernel netdev %s is down; its slot says CARRIER %u (sysfs shows none)",
			     de->d_name, !!(c.flags & LF_CARRIER));
		snprintf(path, sizeof(path), "/sys/class/net/%s/speed", de->d_name);
		speed = read_sys_long(path, 0);
		snprintf(path, sizeof(path), "/sys/class/net/%s/duplex", de->d_name);
		if (read_sys(path, buf, sizeof(buf)))
			buf[0] = 0;
		if (c.flags & LF_UP)
			check(c.speed == (uint32_t)(speed > 0 ? speed : 0) &&
			      !!(c.flags & LF_FULL) == !strcmp(buf, "full") &&
			      !!(c.flags & LF_HALF) == !strcmp(buf, "half"),
			      "kernel netdev %s (up): speed %u and duplex flags match ethtool (%ld, %s)",
			      de->d_name, c.speed, speed, buf);
		else
			check(c.speed == 0 && !(c.flags & (LF_FULL | LF_HALF)),
			      "kernel netdev %s (not up): speed 0 and no duplex bit", de->d_name);
	}
	if (d)
		closedir(d);
	check(kernel > 0 && !missing, "every Ethernet netdev is tracked (%u kernel links)", kernel);
}

/* The seqlock under fire: a writer process flips one port while this one
 * reads its slot with the protocol; every copy must be one write's. */
static void test_seqlock_storm(const struct page *pg, int fd)
{
	const uint32_t port = 4240, writes = 2000;
	unsigned long copies = 0, torn = 0, bitbad = 0, backwards = 0;
	unsigned long r0 = retries;
	uint64_t last_changes = 0;
	struct slot c;
	pid_t pid;
	int st = -1, idx = -1;
	char name[17];

	if (report(fd, REPORT_SET, port, LF_ADMIN_UP, 0, "", "s0")) {
		check(false, "storm: create port %u: %s", port, errname(errno));
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		for (uint32_t i = 1; i <= writes; i++) {
			char nm[16];

			snprintf(nm, sizeof(nm), "s%u", i);
			if (report(fd, REPORT_SET, port,
				   LF_ADMIN_UP | (i & 1 ? LF_UP | LF_CARRIER : 0),
				   i, "", nm))
				_exit(3);
		}
		_exit(0);
	}
	for (;;) {
		bool done = waitpid(pid, &st, WNOHANG) == pid;

		if (idx < 0)
			idx = find_slot(pg, OWNER_DPDK, port, &c);
		else
			read_slot(pg, (uint32_t)idx, &c);
		if (idx >= 0) {
			copies++;
			snprintf(name, sizeof(name), "s%u", c.speed);
			if (strcmp(name, c.name) ||
			    !!(c.flags & LF_UP) != (c.speed & 1) ||
			    !!(c.flags & LF_CARRIER) != (c.speed & 1))
				torn++;
			if (c.bit != !!(c.flags & LF_UP))
				bitbad++;
			if (c.changes < last_changes)
				backwards++;
			last_changes = c.changes;
		}
		if (done)
			break;
	}
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0, "storm: %u reports of port %u", writes, port);
	check(copies > 0 && !torn,
	      "storm: %lu slot copies, each one write's (name, speed and flags agree; %lu torn)",
	      copies, torn);
	check(!bitbad, "storm: the bitmap bit read inside the protocol agrees with UP (%lu differ)",
	      bitbad);
	check(!backwards, "storm: changes never goes backwards");
	read_slot(pg, (uint32_t)(idx < 0 ? 0 : idx), &c);
	check(idx >= 0 && c.changes == writes && c.speed == writes,
	      "storm: the last copy is the last write (changes %" PRIu64 ", speed %u)",
	      c.changes, c.speed);
	note("storm: %lu retries of the protocol", retries - r0);
	expect_ok(report(fd, REPORT_REMOVE, port, 0, 0, "", ""), "storm: remove port %u", port);
}

/* ------------------------------------------------------------------------
 * 4. read() and poll()
 * ------------------------------------------------------------------------ */

static void on_alarm(int sig)
{
	(void)sig;
}

static void arm_alarm(long ms)
{
	struct itimerval it = { .it_value = { ms / 1000, (ms % 1000) * 1000 } };

	setitimer(ITIMER_REAL, &it, NULL);
}

static short poll_one(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLRDNORM | POLLOUT | POLLPRI };

	if (poll(&p, 1, timeout_ms) <= 0)
		return 0;
	return p.revents;
}

static void set_nonblock(int fd, bool on)
{
	int fl = fcntl(fd, F_GETFL);

	fcntl(fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK);
}

static void test_read_poll(const struct page *pg, int ofd)
{
	const uint32_t port = 4245;
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	unsigned char buf[16];
	uint64_t val, before;
	void *ro;
	ssize_t r;
	short rev;
	int fd, d, wfd, st = -1;
	pid_t pid;
	off_t o;

	sigaction(SIGALRM, &sa, NULL);
	fd = open_dev(O_RDONLY);
	if (!expect_ok(fd, "open a reader"))
		return;
	check(poll_one(fd, 0) == 0, "poll: nothing on a file opened since the last change");
	set_nonblock(fd, true);
	expect_err(read(fd, buf, 8), EAGAIN, "read 8 with O_NONBLOCK and no new event");
	expect_err(read(fd, buf, 7), EINVAL, "read 7 bytes (O_NONBLOCK)");
	set_nonblock(fd, false);
	arm_alarm(2000);
	expect_err(read(fd, buf, 4), EINVAL, "read 4 bytes on a blocking file, no event (checked first)");
	arm_alarm(0);
	arm_alarm(100);
	expect_err(read(fd, buf, 8), EINTR, "blocking read, no event, a signal (no SA_RESTART)");
	arm_alarm(0);

	before = hdr64(pg, H_EVENTS);
	report(ofd, REPORT_SET, port, LF_UP | LF_ADMIN_UP | LF_CARRIER, 0, "", "rp");
	rev = poll_one(fd, 2000);
	check(rev == (POLLIN | POLLRDNORM),
	      "poll after a change: POLLIN | POLLRDNORM and nothing else (0x%x)", rev);
	check(poll_one(fd, 0) == (POLLIN | POLLRDNORM), "poll: the condition stays until read()");
	ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	expect_err(read(fd, ro, 8), EFAULT, "read into a read-only buffer");
	munmap(ro, 4096);
	check(poll_one(fd, 0) == (POLLIN | POLLRDNORM), "... leaves the file's count unchanged (POLLIN)");
	expect_err(read(fd, buf, 7), EINVAL, "read 7 bytes with an event pending");
	memset(buf, 0xa5, sizeof(buf));
	r = read(fd, buf, sizeof(buf));
	memcpy(&val, buf, 8);
	check(r == 8 && val == hdr64(pg, H_EVENTS) && val == before + 1,
	      "read 16: returns 8, the current events (%" PRIu64 ", was %" PRIu64 ")", val, before);
	check(all_bytes(buf + 8, 8, 0xa5), "read 16: bytes 8..15 untouched");
	check(poll_one(fd, 0) == 0, "poll after read(): nothing");
	set_nonblock(fd, true);
	expect_err(read(fd, buf, 8), EAGAIN, "read after read(): EAGAIN (O_NONBLOCK set by fcntl)");
	set_nonblock(fd, false);

	/* "Descriptors sharing one open file share its count." */
	d = dup(fd);
	report(ofd, REPORT_SET, port, LF_ADMIN_UP, 0, "", "rp");
	check(poll_one(d, 2000) == (POLLIN | POLLRDNORM), "poll on a dup()ed descriptor after a change");
	r = read(d, buf, 8);
	check(r == 8, "read 8 on the dup: 8");
	check(poll_one(fd, 0) == 0, "the original descriptor's wake-up was consumed with it");
	close(d);

	/* A blocking read sleeps until a change. */
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		usleep(200 * 1000);
		_exit(report(ofd, REPORT_SET, port, LF_UP | LF_ADMIN_UP | LF_CARRIER, 0, "", "rp") ? 3 : 0);
	}
	arm_alarm(5000);
	r = read(fd, buf, 8);
	arm_alarm(0);
	if (pid > 0)
		waitpid(pid, &st, 0);
	check(r == 8 && WIFEXITED(st) && !WEXITSTATUS(st),
	      "a blocking read returns 8 once another process makes a change (%zd, %s)",
	      r, r < 0 ? errname(errno) : "-");

	/* Two events (a removal while up) give one wake-up and a jump. */
	before = hdr64(pg, H_EVENTS);
	report(ofd, REPORT_REMOVE, port, 0, 0, "", "");
	r = read(fd, buf, 8);
	memcpy(&val, buf, 8);
	check(r == 8 && val == before + 2,
	      "removing an up port: one read() returns events + 2 (%" PRIu64 " from %" PRIu64 ")",
	      val, before);
	check(poll_one(fd, 0) == 0, "... and nothing is queued after it");

	/* Other file operations. */
	expect_err(write(fd, buf, 8), EBADF, "write on a read-only descriptor");
	expect_err(write(ofd, buf, 8), EINVAL, "write on a read-write descriptor");
	o = lseek(fd, 0, SEEK_SET);
	expect_err(o, ESPIPE, "lseek");
	expect_err(pread(fd, buf, 8, 0), ESPIPE, "pread");
	wfd = open_dev(O_WRONLY);
	if (wfd >= 0) {
		r = read(wfd, buf, 8);
		/* Not in the pages: which errno; the VFS's is EBADF. */
		check(r < 0, "read on an O_WRONLY descriptor fails (%s)", errname(errno));
		expect_err(write(wfd, buf, 8), EINVAL, "write on an O_WRONLY descriptor");
		close(wfd);
	}
	close(fd);
}

/* ------------------------------------------------------------------------
 * 5. Generic netlink: resolve, dump, validation
 * ------------------------------------------------------------------------ */

/* dump: LINK_GET with the given flags, owner attribute (0: none); the
 * entries in out[] (up to max); returns the count, or -errno from an
 * NLMSG_ERROR. */
static int dump(struct nl *s, uint16_t flags, uint32_t owner,
		struct linkmsg *out, int max, uint32_t *seqp)
{
	struct req r;
	struct nlmsghdr *h;
	uint32_t seq = ++s->seq;
	int n = 0;

	req_init(&r, s->family, flags, seq, CMD_LINK_GET, FAMILY_VERSION, 0);
	if (owner)
		req_attr(&r, A_OWNER, &owner, 4);
	if (seqp)
		*seqp = seq;
	if (nl_send(s, &r))
		return -errno;
	while ((h = nl_next(s, 3000))) {
		if (h->nlmsg_seq != seq)
			continue;
		if (h->nlmsg_type == K_NLMSG_DONE)
			return n;
		if (h->nlmsg_type == K_NLMSG_ERROR)
			return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
		if (n < max)
			parse_link(h, &out[n]);
		n++;
	}
	return -ETIMEDOUT;
}

static void test_dump_vs_page(struct nl *s, const struct page *pg)
{
	static struct linkmsg m[300];
	unsigned used = 0, mism = 0, form = 0, hdr = 0, order = 0;
	uint32_t seq, last = 0;
	char why[320];
	struct slot c;
	int n;

	n = dump(s, K_NLM_F_REQUEST | K_NLM_F_DUMP, 0, m, 300, &seq);
	if (!expect_ok(n, "LINK_GET dump (flags 0x301, reserved 0)")) {
		note("dump: %s", errname(-n));
		return;
	}
	for (uint32_t i = 0; i < pg->nr_slots; i++) {
		read_slot(pg, i, &c);
		used += c.owner != OWNER_FREE;
	}
	check((unsigned)n == used, "dump: %d entries, one per used slot (%u)", n, used);
	for (int i = 0; i < n && i < 300; i++) {
		const char *p = link_msg_problem(&m[i], why, sizeof(why));

		if (p) {
			form++;
			note("dump entry %d: %s", i, p);
		}
		if (m[i].nl_type != s->family || m[i].cmd != CMD_LINK_NEW ||
		    !(m[i].nl_flags & K_NLM_F_MULTI) || m[i].nl_seq != seq ||
		    m[i].nl_pid != s->pid)
			hdr++;
		if (i && m[i].slot <= last)
			order++;
		last = m[i].slot;
		if (m[i].slot >= pg->nr_slots) {
			mism++;
			continue;
		}
		read_slot(pg, m[i].slot, &c);
		if (c.incarnation != m[i].incarnation || c.owner != m[i].owner ||
		    c.key != m[i].key || c.flags != m[i].flags ||
		    c.speed != m[i].speed || c.changes != m[i].changes ||
		    strcmp(c.name, m[i].ifname)) {
			mism++;
			describe(&m[i], why, sizeof(why));
			note("dump entry differs from its slot: %s", why);
		}
	}
	check(!form, "dump: every entry has the documented attributes, sizes, order and at most %d bytes",
	      LINK_MSG_MAX);
	check(!hdr, "dump: every entry is LINK_NEW with NLM_F_MULTI, the request's seq and our port id");
	check(!order, "dump: entries in slot order");
	check(!mism, "dump: every entry matches its slot in the mapping (slot, incarnation, owner, key, name, flags, speed, changes)");
}

/* genl_err: send one LINK_GET-like request; the errno of the NLMSG_ERROR
 * answering it (0 for a dump that ended in NLMSG_DONE); its extack text. */
static int genl_err(struct nl *s, struct req *r, char *msg, size_t msgn)
{
	struct nlmsghdr *h;
	uint32_t seq;

	memcpy(&seq, (unsigned char *)r->w + 8, 4);
	if (msg)
		msg[0] = 0;
	if (nl_send(s, r))
		return -1000;
	while ((h = nl_next(s, 3000))) {
		if (h->nlmsg_seq != seq)
			continue;
		if (h->nlmsg_type == K_NLMSG_DONE)
			return 0;
		if (h->nlmsg_type == K_NLMSG_ERROR) {
			struct nlmsgerr *e = NLMSG_DATA(h);
			size_t off = 16 + sizeof(*e);
			const unsigned char *p;
			struct attr a;
			size_t n;

			if (!(h->nlmsg_flags & NLM_F_CAPPED))
				off += align4(e->msg.nlmsg_len - 16);
			if (msg && (h->nlmsg_flags & NLM_F_ACK_TLVS) &&
			    off < h->nlmsg_len) {
				p = (const unsigned char *)h + off;
				n = h->nlmsg_len - off;
				while (attr_next(&p, &n, &a))
					if (a.type == NLMSGERR_ATTR_MSG)
						snprintf(msg, msgn, "%.*s", a.len,
							 (const char *)a.data);
			}
			return -e->error;
		}
	}
	return -1001;
}

static void expect_genl(struct nl *s, struct req *r, int want, const char *what,
			unsigned *explained)
{
	char msg[160];
	int e = genl_err(s, r, msg, sizeof(msg));

	check(e == want, "genl %s: %s (got %s)", what, errname(want),
	      e == -1001 ? "no answer" : errname(e));
	if (msg[0]) {
		note("  extack: %s", msg);
		(*explained)++;
	}
}

static void test_genl_validation(struct nl *s)
{
	static struct linkmsg m[300];
	unsigned explained = 0;
	uint32_t owner = 1, bad_owner = 3, zero = 0;
	uint16_t two = 1;
	struct req r;
	struct nlmsghdr *h;
	uint32_t seq_ign, seq;
	int n;

	req_init(&r, s->family, 0x301, ++s->seq, CMD_LINK_GET, 1, 1);
	expect_genl(s, &r, EINVAL, "LINK_GET with the genetlink reserved field 1", &explained);
	req_init(&r, s->family, K_NLM_F_REQUEST | 0x100, ++s->seq, CMD_LINK_GET, 1, 0);
	expect_genl(s, &r, EINVAL, "LINK_GET with half of NLM_F_DUMP (0x101)", &explained);
	req_init(&r, s->family, 0x301 | 0x400, ++s->seq, CMD_LINK_GET, 1, 0);
	expect_genl(s, &r, EINVAL, "LINK_GET with flags 0x701", &explained);
	req_init(&r, s->family, 0x301, ++s->seq, CMD_LINK_GET, 1, 0);
	req_attr(&r, 0, &owner, 4);
	expect_genl(s, &r, EINVAL, "LINK_GET with an attribute of type 0", &explained);
	req_init(&r, s->family, 0x301, ++s->seq, CMD_LINK_GET, 1, 0);
	req_attr(&r, A_KEY, &owner, 4);
	expect_genl(s, &r, EINVAL, "LINK_GET with an attribute of type 2", &explained);
	req_init(&r, s->family, 0x301, ++s->seq, CMD_LINK_GET, 1, 0);
	req_attr(&r, A_OWNER, &two, 2);
	expect_genl(s, &r, EINVAL, "LINK_GET with a 2-byte OWNER", &explained);
	req_init(&r, s->family, 0x301, ++s->seq, CMD_LINK_GET, 1, 0);
	req_attr(&r, A_OWNER | NLA_F_NESTED, &owner, 4);
	expect_genl(s, &r, EINVAL, "LINK_GET with OWNER flagged nested", &explained);
	req_init(&r, s->family, 0x301, ++s->seq, CMD_LINK_GET, 1, 0);
	req_attr(&r, A_OWNER, &bad_owner, 4);
	expect_genl(s, &r, ERANGE, "LINK_GET with OWNER 3", &explained);
	req_init(&r, s->family, 0x301, ++s->seq, CMD_LINK_GET, 1, 0);
	req_attr(&r, A_OWNER, &zero, 4);
	expect_genl(s, &r, ERANGE, "LINK_GET with OWNER 0", &explained);
	req_init(&r, s->family, 0x301, ++s->seq, CMD_LINK_GET, 1, 0);
	req_attr(&r, A_OWNER, &owner, 4);
	r.len += 2;	/* two zero bytes after the last attribute */
	expect_genl(s, &r, EINVAL, "LINK_GET with 2 bytes after the last attribute", &explained);
	req_init(&r, s->family, K_NLM_F_REQUEST | K_NLM_F_ACK, ++s->seq, CMD_LINK_GET, 1, 0);
	expect_genl(s, &r, EOPNOTSUPP, "LINK_GET without NLM_F_DUMP", &explained);
	req_init(&r, s->family, 0x301, ++s->seq, CMD_LINK_NEW, 1, 0);
	expect_genl(s, &r, EOPNOTSUPP, "LINK_NEW (command 2) as a request", &explained);
	req_init(&r, s->family, 0x301, ++s->seq, 0, 1, 0);
	expect_genl(s, &r, EOPNOTSUPP, "command 0 (UNSPEC)", &explained);
	req_init(&r, s->family, 0x301, ++s->seq, 9, 1, 0);
	expect_genl(s, &r, EOPNOTSUPP, "command 9", &explained);
	/* Not in the pages: which errors carry an explanation. */
	check(explained > 0, "NETLINK_EXT_ACK: %u of the refusals came with the kernel's explanation",
	      explained);

	/* Allowed flags: ACK (no separate ack), ECHO. */
	n = dump(s, 0x301 | K_NLM_F_ACK, 0, m, 300, NULL);
	check(n >= 0, "LINK_GET dump with NLM_F_ACK (0x305): answered (%d entries)", n);
	/* "A message without NLM_F_REQUEST is ignored": its seq never answers,
	 * the next request's does first. A leftover ack of the 0x305 dump would
	 * also show up here. */
	seq_ign = ++s->seq;
	req_init(&r, s->family, K_NLM_F_DUMP, seq_ign, CMD_LINK_GET, 1, 0);
	nl_send(s, &r);
	seq = ++s->seq;
	req_init(&r, s->family, K_NLM_F_REQUEST | K_NLM_F_ACK, seq, CMD_LINK_GET, 1, 0);
	nl_send(s, &r);
	h = nl_next(s, 3000);
	check(h && h->nlmsg_seq == seq,
	      "genl: a message without NLM_F_REQUEST gets no answer; nothing else was pending (first answer seq %u, want %u)",
	      h ? h->nlmsg_seq : 0, seq);
	while (h && (h = nl_next(s, 0)))
		;
	n = dump(s, 0x301 | NLM_F_ECHO, 0, m, 300, NULL);
	check(n >= 0, "LINK_GET dump with NLM_F_ECHO: answered (%d entries)", n);

	/* "OWNER 1 or 2: only that owner's links". */
	n = dump(s, 0x301, OWNER_KERNEL, m, 300, NULL);
	{
		bool only = n > 0;

		for (int i = 0; i < n && i < 300; i++)
			only &= m[i].owner == OWNER_KERNEL;
		check(only, "LINK_GET with OWNER 1: only kernel links (%d)", n);
	}
	n = dump(s, 0x301, OWNER_DPDK, m, 300, NULL);
	check(n == 0, "LINK_GET with OWNER 2 and no DPDK port: just NLMSG_DONE (%d)", n);
}

/* "from another namespace the family cannot be resolved ... ENOENT" */
static void test_genl_netns(void)
{
	pid_t pid;
	int st = -1;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct nl *s;
		uint32_t v = 0;
		int err = 0;

		if (unshare(CLONE_NEWNET))
			_exit(3);
		s = nl_open();
		if (!s)
			_exit(4);
		if (!resolve(s, &v, &err))
			_exit(5);
		_exit(err == ENOENT ? 0 : 6);
	}
	if (pid > 0)
		waitpid(pid, &st, 0);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "genl: \"dpkit\" cannot be resolved from another network namespace: ENOENT (child status %d)",
	      st);
}

/* ------------------------------------------------------------------------
 * 6. A lease reports DPDK ports: page, wake-ups and notifications agree
 * ------------------------------------------------------------------------ */

struct want {
	uint8_t cmd;
	uint32_t slot, incarnation, owner, key, flags, speed;
	uint64_t changes;
	const char *name;
	const char *bdf;	/* NULL: absent */
};

/* expect_msg: the next notification is w. */
static void expect_msg(struct nl *s, const char *what, const struct want *w)
{
	struct nlmsghdr *h = nl_next(s, 3000);
	struct linkmsg m;
	char why[96], desc[320];
	const char *p;
	bool same;

	if (!h) {
		check(false, "genl: %s: no notification (%s)", what, errname(errno));
		return;
	}
	parse_link(h, &m);
	describe(&m, desc, sizeof(desc));
	p = link_msg_problem(&m, why, sizeof(why));
	same = m.nl_type == s->family && m.cmd == w->cmd &&
	       m.slot == w->slot && m.incarnation == w->incarnation &&
	       m.owner == w->owner && m.key == w->key && m.flags == w->flags &&
	       m.speed == w->speed && m.changes == w->changes &&
	       !strcmp(m.ifname, w->name) &&
	       (w->bdf ? (m.have & (1u << A_BDF)) && !strcmp(m.bdf, w->bdf) :
			 !(m.have & (1u << A_BDF)));
	check(same && !p && !m.nl_flags && !m.nl_seq && !m.nl_pid,
	      "genl: %s: %s", what, desc);
	if (p)
		note("  %s", p);
	if (m.nl_flags || m.nl_seq || m.nl_pid)
		note("  netlink flags 0x%x seq %u port id %u (0 0 0 expected)",
		     m.nl_flags, m.nl_seq, m.nl_pid);
}

struct counts {
	uint64_t generation, events;
};

static struct counts counts(const struct page *pg)
{
	struct counts c;

	c.generation = hdr64(pg, H_GENERATION);
	c.events = hdr64(pg, H_EVENTS);
	return c;
}

/* expect_published: a change moved events and generation by de and dg,
 * woke the reader rfd (consumed here), and the reader saw the count. */
static void expect_published(const struct page *pg, int rfd,
			     const struct counts *before, uint64_t de,
			     uint64_t dg, const char *what)
{
	struct counts after;
	uint64_t val = 0;
	short rev;
	ssize_t r;

	rev = poll_one(rfd, de ? 3000 : 0);
	after = counts(pg);
	if (de) {
		r = read(rfd, &val, 8);
		check(rev == (POLLIN | POLLRDNORM) && r == 8 && val == after.events,
		      "%s: a wake-up; read() returns events %" PRIu64, what, val);
	} else {
		check(rev == 0, "%s: no wake-up", what);
	}
	check(after.events - before->events == de &&
	      after.generation - before->generation == dg,
	      "%s: events +%" PRIu64 ", generation +%" PRIu64 " (want +%" PRIu64 ", +%" PRIu64 ")",
	      what, after.events - before->events,
	      after.generation - before->generation, de, dg);
}

static void test_lease_flow(const struct page *pg, struct nl *ns, int ofd)
{
	const uint32_t P = 4242, Q = 4243, R = 4244;
	struct slot c, c2;
	struct counts b;
	struct want w;
	struct lease l;
	uint64_t t0, t1, last;
	uint32_t inc;
	int rfd, lfd, idx, qidx;
	void *map2;

	rfd = open_dev(O_RDONLY);
	lfd = open_dev(O_RDWR);
	if (!expect_ok(rfd >= 0 && lfd >= 0 ? 0 : -1, "open a reader and a file for the lease"))
		return;
	check(find_slot(pg, OWNER_DPDK, P, &c) < 0 && find_slot(pg, OWNER_DPDK, Q, &c) < 0 &&
	      find_slot(pg, OWNER_DPDK, R, &c) < 0, "ports %u, %u, %u are not in the table", P, Q, R);

	/* The lease's own refusals. */
	l = (struct lease){ .flags = 1 };
	expect_err(ioctl(lfd, IOC_LEASE, &l), EINVAL, "LEASE with flags 1");
	l = (struct lease){ .reserved = 1 };
	expect_err(ioctl(lfd, IOC_LEASE, &l), EINVAL, "LEASE with reserved 1");
	expect_err(ioctl(lfd, IOC_LEASE, (void *)8), EFAULT, "LEASE with an unreadable argument");
	if (!expect_ok(take_lease(lfd), "LEASE"))
		return;
	expect_err(take_lease(lfd), EBUSY, "a second LEASE on the same file");

	/* P: a new port, up, full duplex. */
	b = counts(pg);
	t0 = now_ns();
	expect_ok(report(lfd, REPORT_SET, P, LF_UP | LF_ADMIN_UP | LF_CARRIER | LF_FULL,
			 10000, "0000:00:04.0", "docport0"),
		  "LINK_REPORT SET port %u up (through the lease)", P);
	t1 = now_ns();
	expect_published(pg, rfd, &b, 1, 1, "a new port");
	idx = find_slot(pg, OWNER_DPDK, P, &c);
	check(idx >= 0 && c.flags == 0xf && c.speed == 10000 && c.changes == 0 &&
	      !strcmp(c.name, "docport0") && c.incarnation && c.bit && !c.reserved,
	      "page: port %u in slot %d: flags 0x%x speed %u changes %" PRIu64 " name \"%s\", bit set",
	      P, idx, c.flags, c.speed, c.changes, c.name);
	check(c.last_change_ns >= t0 && c.last_change_ns <= t1,
	      "page: last_change_ns is the creation time (CLOCK_MONOTONIC)");
	if (idx < 0)
		return;
	inc = c.incarnation;
	/* Not in the pages but their example: a port created up has changes 0. */
	w = (struct want){ CMD_LINK_NEW, (uint32_t)idx, inc, OWNER_DPDK, P, 0xf, 10000, 0,
			   "docport0", "0000:00:04.0" };
	expect_msg(ns, "the new port: one LINK_NEW, up, full duplex, with its BDF", &w);

	/* The same report again publishes nothing. */
	b = counts(pg);
	expect_ok(report(lfd, REPORT_SET, P, 0xf, 10000, "0000:00:04.0", "docport0"),
		  "LINK_REPORT SET port %u again, unchanged", P);
	expect_published(pg, rfd, &b, 0, 0, "an unchanged report");

	/* Another file may not touch the lease's port. */
	expect_err(report(ofd, REPORT_SET, P, 0, 0, "", ""), EBUSY,
		   "LINK_REPORT SET of the lease's port from another file");
	expect_err(report(ofd, REPORT_REMOVE, P, 0, 0, "", ""), EBUSY,
		   "LINK_REPORT REMOVE of the lease's port from another file");

	/* Down, half duplex. */
	b = counts(pg);
	last = c.last_change_ns;
	t0 = now_ns();
	expect_ok(report(lfd, REPORT_SET, P, LF_ADMIN_UP | LF_HALF, 100, "0000:00:04.0", "docport0"),
		  "LINK_REPORT SET port %u down, half duplex, 100 Mb/s", P);
	t1 = now_ns();
	expect_published(pg, rfd, &b, 1, 0, "a port going down");
	read_slot(pg, (uint32_t)idx, &c);
	check(c.incarnation == inc && c.flags == (LF_ADMIN_UP | LF_HALF) && c.speed == 100 &&
	      c.changes == 1 && !c.bit && c.last_change_ns >= t0 && c.last_change_ns <= t1 &&
	      c.last_change_ns > last,
	      "page: same incarnation, flags 0x%x, changes %" PRIu64 ", bit clear, last_change_ns moved",
	      c.flags, c.changes);
	w = (struct want){ CMD_LINK_NEW, (uint32_t)idx, inc, OWNER_DPDK, P, 0x14, 100, 1,
			   "docport0", "0000:00:04.0" };
	expect_msg(ns, "down: one LINK_NEW, up 0, DUPLEX 0 (half)", &w);

	/* A BDF-only change, duplex unknown: not an up/down transition. */
	b = counts(pg);
	last = c.last_change_ns;
	expect_ok(report(lfd, REPORT_SET, P, LF_ADMIN_UP, 0, "0000:00:04.1", "docport0"),
		  "LINK_REPORT SET port %u: a new BDF, duplex and speed unknown", P);
	expect_published(pg, rfd, &b, 1, 0, "a BDF and duplex change");
	read_slot(pg, (uint32_t)idx, &c);
	check(c.changes == 1 && c.last_change_ns == last && c.flags == LF_ADMIN_UP && c.speed == 0,
	      "page: changes and last_change_ns unchanged (no up/down transition)");
	w = (struct want){ CMD_LINK_NEW, (uint32_t)idx, inc, OWNER_DPDK, P, LF_ADMIN_UP, 0, 1,
			   "docport0", "0000:00:04.1" };
	expect_msg(ns, "a new BDF: one LINK_NEW, DUPLEX absent, the new BDF", &w);

	/* Refusals of LINK_REPORT that change nothing. */
	{
		struct link_report r = { .port_id = P, .op = 2 };

		expect_err(ioctl(lfd, IOC_LINK_REPORT, &r), EINVAL, "LINK_REPORT op 2");
		r = (struct link_report){ .port_id = PORT_MAX + 1 };
		expect_err(ioctl(lfd, IOC_LINK_REPORT, &r), EINVAL, "LINK_REPORT port_id 65536");
		r = (struct link_report){ .port_id = P, .flags = 0x20 };
		expect_err(ioctl(lfd, IOC_LINK_REPORT, &r), EINVAL, "LINK_REPORT flag 0x20");
		r = (struct link_report){ .port_id = P, .flags = LF_FULL | LF_HALF };
		expect_err(ioctl(lfd, IOC_LINK_REPORT, &r), EINVAL, "LINK_REPORT both duplex bits");
		r = (struct link_report){ .port_id = P, .op = REPORT_REMOVE, .flags = LF_FULL | LF_HALF };
		expect_err(ioctl(lfd, IOC_LINK_REPORT, &r), EINVAL, "LINK_REPORT REMOVE with both duplex bits");
		r = (struct link_report){ .port_id = P };
		memset(r.bdf, 'a', sizeof(r.bdf));
		expect_err(ioctl(lfd, IOC_LINK_REPORT, &r), EINVAL, "LINK_REPORT bdf without a NUL");
		r = (struct link_report){ .port_id = P };
		memset(r.name, 'a', sizeof(r.name));
		expect_err(ioctl(lfd, IOC_LINK_REPORT, &r), EINVAL, "LINK_REPORT name without a NUL");
		expect_err(ioctl(lfd, IOC_LINK_REPORT, (void *)8), EFAULT,
			   "LINK_REPORT with an unreadable argument");
		expect_err(report(lfd, REPORT_REMOVE, 4299, 0, 0, "", ""), ENOENT,
			   "LINK_REPORT REMOVE of a port not in the table");
	}

	/* Removed while down: exactly one LINK_DEL. */
	b = counts(pg);
	expect_ok(report(lfd, REPORT_REMOVE, P, 0, 0, "", ""), "LINK_REPORT REMOVE port %u (down)", P);
	expect_published(pg, rfd, &b, 1, 1, "removing a down port");
	w = (struct want){ CMD_LINK_DEL, (uint32_t)idx, inc, OWNER_DPDK, P, LF_ADMIN_UP, 0, 1,
			   "docport0", "0000:00:04.1" };
	expect_msg(ns, "removed while down: one LINK_DEL with its last state", &w);
	read_slot(pg, (uint32_t)idx, &c);
	check(slot_is_free(&c) && c.incarnation != inc && c.incarnation,
	      "page: slot %d is free with a new incarnation (%u, was %u)", idx, c.incarnation, inc);
	expect_err(report(lfd, REPORT_REMOVE, P, 0, 0, "", ""), ENOENT, "REMOVE it again");

	/* Q: reported without a lease, named after its BDF, then taken over. */
	b = counts(pg);
	expect_ok(report(ofd, REPORT_SET, Q, 0xf, 1000, "0000:00:05.0", ""),
		  "LINK_REPORT SET port %u without a lease, no name", Q);
	expect_published(pg, rfd, &b, 1, 1, "a port without a lease");
	qidx = find_slot(pg, OWNER_DPDK, Q, &c);
	check(qidx >= 0 && !strcmp(c.name, "0000:00:05.0"),
	      "page: a port reported without a name is named after its BDF (\"%s\")", c.name);
	if (qidx < 0)
		return;
	inc = c.incarnation;
	w = (struct want){ CMD_LINK_NEW, (uint32_t)qidx, inc, OWNER_DPDK, Q, 0xf, 1000, 0,
			   "0000:00:05.0", "0000:00:05.0" };
	expect_msg(ns, "the unleased port: one LINK_NEW named after its BDF", &w);
	b = counts(pg);
	expect_ok(report(lfd, REPORT_SET, Q, 0xf, 1000, "0000:00:05.0", ""),
		  "the lease reports port %u, unchanged", Q);
	expect_published(pg, rfd, &b, 1, 0, "a lease taking a port over");
	expect_msg(ns, "the takeover: one LINK_NEW", &w);
	expect_err(report(ofd, REPORT_SET, Q, 0xf, 1000, "0000:00:05.0", ""), EBUSY,
		   "the other file may no longer change port %u", Q);

	/* A mapping made through the lease holds it; unmapping ends it. */
	map2 = mmap(NULL, pg->len, PROT_READ, MAP_SHARED, lfd, 0);
	expect_ok(map2 == MAP_FAILED ? -1 : 0, "mmap through the lease's descriptor");
	b = counts(pg);
	close(lfd);
	expect_published(pg, rfd, &b, 0, 0, "close() of the lease while its mapping lives");
	check(find_slot(pg, OWNER_DPDK, Q, &c2) == qidx, "port %u is still there", Q);
	b = counts(pg);
	if (map2 != MAP_FAILED)
		munmap(map2, pg->len);
	expect_published(pg, rfd, &b, 2, 1, "the lease's end (munmap), its port up");
	/* "the slot is first written down (UP and CARRIER cleared, changes + 1)" */
	w = (struct want){ CMD_LINK_NEW, (uint32_t)qidx, inc, OWNER_DPDK, Q,
			   0xf & ~(LF_UP | LF_CARRIER), 1000, 1, "0000:00:05.0", "0000:00:05.0" };
	expect_msg(ns, "the lease's end: LINK_NEW with the down state", &w);
	w.cmd = CMD_LINK_DEL;
	expect_msg(ns, "... then LINK_DEL with that down state", &w);
	read_slot(pg, (uint32_t)qidx, &c);
	check(slot_is_free(&c) && c.incarnation != inc,
	      "page: the lease's port is gone, its slot free with a new incarnation");

	/* R: removed by LINK_REPORT while up, no BDF. */
	b = counts(pg);
	expect_ok(report(ofd, REPORT_SET, R, LF_UP | LF_CARRIER, 0, "", "docport2"),
		  "LINK_REPORT SET port %u up, no BDF, no duplex", R);
	expect_published(pg, rfd, &b, 1, 1, "another new port");
	idx = find_slot(pg, OWNER_DPDK, R, &c);
	if (idx < 0) {
		check(false, "port %u has a slot", R);
		return;
	}
	inc = c.incarnation;
	w = (struct want){ CMD_LINK_NEW, (uint32_t)idx, inc, OWNER_DPDK, R, LF_UP | LF_CARRIER, 0, 0,
			   "docport2", NULL };
	expect_msg(ns, "a port without BDF: LINK_NEW, BDF and DUPLEX absent", &w);
	b = counts(pg);
	expect_ok(report(ofd, REPORT_REMOVE, R, 0, 0, "", ""), "LINK_REPORT REMOVE port %u while up", R);
	expect_published(pg, rfd, &b, 2, 1, "removing an up port");
	w = (struct want){ CMD_LINK_NEW, (uint32_t)idx, inc, OWNER_DPDK, R, 0, 0, 1, "docport2", NULL };
	expect_msg(ns, "removed while up: LINK_NEW down first", &w);
	w.cmd = CMD_LINK_DEL;
	expect_msg(ns, "... then one LINK_DEL, down", &w);
	{
		struct nlmsghdr *h = nl_next(ns, 300);
		struct linkmsg m;
		char d[320] = "";

		if (h) {
			parse_link(h, &m);
			describe(&m, d, sizeof(d));
		}
		check(!h, "genl: no further notification (%s)", h ? d : "none in 300 ms");
	}
	close(rfd);
}

/* ------------------------------------------------------------------------
 * 7. NIC_LIST
 * ------------------------------------------------------------------------ */

struct pcidev {
	char bdf[16];
	unsigned vendor, device, subven, subdev, class;
	int numa, group;
	char driver[32], override[32], ifname[16];
};

static int sysfs_nics(struct pcidev *out, int max)
{
	DIR *d = opendir("/sys/bus/pci/devices");
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d))) {
		char path[512], buf[256];
		struct pcidev p = { 0 };
		DIR *nd;
		struct dirent *ne;
		ssize_t l;

		if (de->d_name[0] == '.' || strlen(de->d_name) > 15)
			continue;
		snprintf(p.bdf, sizeof(p.bdf), "%.15s", de->d_name);
#define SYS(f) (snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/" f, p.bdf), path)
		p.class = (unsigned)read_sys_long(SYS("class"), 0);
		p.vendor = (unsigned)read_sys_long(SYS("vendor"), 0);
		p.device = (unsigned)read_sys_long(SYS("device"), 0);
		if ((p.class >> 16) != 0x02 &&
		    !(p.vendor == 0x8086 && (p.device == 0x2710 || p.device == 0x2714)))
			continue;
		p.subven = (unsigned)read_sys_long(SYS("subsystem_vendor"), 0);
		p.subdev = (unsigned)read_sys_long(SYS("subsystem_device"), 0);
		p.numa = (int)read_sys_long(SYS("numa_node"), -1);
		l = readlink(SYS("iommu_group"), buf, sizeof(buf) - 1);
		p.group = l > 0 ? (buf[l] = 0, atoi(strrchr(buf, '/') + 1)) : -1;
		l = readlink(SYS("driver"), buf, sizeof(buf) - 1);
		if (l > 0) {
			buf[l] = 0;
			snprintf(p.driver, sizeof(p.driver), "%s", strrchr(buf, '/') + 1);
		}
		if (!read_sys(SYS("driver_override"), buf, sizeof(buf)) && strcmp(buf, "(null)"))
			snprintf(p.override, sizeof(p.override), "%.31s", buf);
		/* The netdev: a child of the device, or of its virtio device. */
		nd = opendir(SYS("net"));
		if (!nd) {
			DIR *vd = opendir(SYS(""));
			struct dirent *ve;

			while (vd && (ve = readdir(vd))) {
				if (!strncmp(ve->d_name, "virtio", 6)) {
					snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s/net",
						 p.bdf, ve->d_name);
					nd = opendir(path);
					break;
				}
			}
			if (vd)
				closedir(vd);
		}
		while (nd && (ne = readdir(nd)))
			if (ne->d_name[0] != '.')
				snprintf(p.ifname, sizeof(p.ifname), "%.15s", ne->d_name);
		if (nd)
			closedir(nd);
#undef SYS
		if (n < max)
			out[n] = p;
		n++;
	}
	if (d)
		closedir(d);
	return n;
}

static bool has_route(const char *ifname)
{
	struct ifaddrs *ifa, *i;
	bool r = false;

	if (getifaddrs(&ifa))
		return false;
	for (i = ifa; i; i = i->ifa_next) {
		if (!i->ifa_addr || strcmp(i->ifa_name, ifname))
			continue;
		if (i->ifa_addr->sa_family == AF_INET)
			r = true;
		if (i->ifa_addr->sa_family == AF_INET6 &&
		    !IN6_IS_ADDR_LINKLOCAL(&((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr))
			r = true;
	}
	freeifaddrs(ifa);
	return r;
}

static int operstate_of(const char *ifname)
{
	static const char *names[] = { "unknown", "notpresent", "down",
		"lowerlayerdown", "testing", "dormant", "up" };
	char path[300], buf[32];

	snprintf(path, sizeof(path), "/sys/class/net/%s/operstate", ifname);
	if (read_sys(path, buf, sizeof(buf)))
		return -1;
	for (int i = 0; i < 7; i++)
		if (!strcmp(buf, names[i]))
			return i;
	return -1;
}

static struct pcidev sys_nics[64];
static int n_sys_nics;

static void check_nic_entry(const struct nic *e)
{
	const struct pcidev *p = NULL;
	char path[300];
	bool strs, netdev;

	for (int i = 0; i < n_sys_nics && i < 64; i++)
		if (!strcmp(sys_nics[i].bdf, e->bdf))
			p = &sys_nics[i];
	note("nic %s %04x:%04x class 0x%06x node %d group %d flags 0x%x driver \"%s\" override \"%s\" orig \"%s\" if \"%s\" (%d) if_flags 0x%x oper %u",
	     e->bdf, e->vendor, e->device, e->class, e->numa_node, e->iommu_group,
	     e->flags, e->driver, e->override, e->orig_driver, e->ifname, e->ifindex,
	     e->if_flags, e->operstate);
	if (!check(p != NULL, "NIC_LIST: %s is a network device in sysfs", e->bdf))
		return;
	strs = padded(e->bdf, 16) && padded(e->driver, 32) && padded(e->override, 32) &&
	       padded(e->orig_driver, 32) && padded(e->ifname, 16) && all_bytes(e->pad, 7, 0);
	check(strs, "NIC_LIST %s: strings terminated and zero-padded, pad 0", e->bdf);
	check(e->vendor == p->vendor && e->device == p->device &&
	      e->subsystem_vendor == p->subven && e->subsystem_device == p->subdev &&
	      e->class == p->class && e->numa_node == p->numa && e->iommu_group == p->group,
	      "NIC_LIST %s: ids, class, NUMA node and IOMMU group match sysfs (group %d)",
	      e->bdf, p->group);
	check(!(e->flags & NIC_F_BUSY) && !strcmp(e->driver, p->driver) &&
	      !strcmp(e->override, p->override) &&
	      !!(e->flags & NIC_F_OVERRIDE) == !!p->override[0],
	      "NIC_LIST %s: driver \"%s\" and override match sysfs", e->bdf, e->driver);
	check(!(e->flags & (NIC_F_DPKIT | NIC_F_LEASED)) && !e->orig_driver[0] &&
	      !!(e->flags & NIC_F_BIFURCATED) == (e->vendor == 0x15b3) &&
	      !(e->flags & NIC_F_EVENTDEV),
	      "NIC_LIST %s: not dpkit's, no orig_driver; BIFURCATED and EVENTDEV as its vendor says",
	      e->bdf);
	netdev = p->ifname[0];
	if (netdev && !(e->flags & NIC_F_NETNS)) {
		snprintf(path, sizeof(path), "/sys/class/net/%s/flags", p->ifname);
		check((e->flags & NIC_F_NETDEV) && !strcmp(e->ifname, p->ifname) &&
		      e->ifindex == (int32_t)if_nametoindex(p->ifname) &&
		      (e->if_flags & 1) == ((unsigned long)read_sys_long(path, 0) & 1),
		      "NIC_LIST %s: NETDEV, ifname %s, its ifindex and IFF_UP", e->bdf, p->ifname);
		/* RFC 2863: an interface that is administratively down is
		 * operationally down; sysfs and rtnetlink say so. */
		check(e->operstate == operstate_of(p->ifname),
		      "NIC_LIST %s: operstate %u is the RFC 2863 state sysfs shows (%d)%s",
		      e->bdf, e->operstate, operstate_of(p->ifname),
		      e->if_flags & 1 ? "" : " for an administratively down netdev");
		check(!!(e->flags & NIC_F_ROUTE) == has_route(p->ifname),
		      "NIC_LIST %s: ROUTE says whether %s has an IPv4 or global IPv6 address",
		      e->bdf, p->ifname);
	} else if (!netdev) {
		check(!(e->flags & (NIC_F_NETDEV | NIC_F_ROUTE | NIC_F_NETNS)) && !e->ifname[0] &&
		      !e->ifindex && !e->if_flags && !e->operstate,
		      "NIC_LIST %s: no netdev, its fields 0", e->bdf);
	}
}

static void test_nic_list(int fd)
{
	size_t room = 16 + 168 * 64;
	unsigned char *buf = calloc(1, room + 1);
	struct nic_list h;
	struct nic e;
	long pagesz = sysconf(_SC_PAGESIZE);
	unsigned char *two;
	uint32_t total;
	int rc;

	if (!buf)
		return;
	n_sys_nics = sysfs_nics(sys_nics, 64);
	note("sysfs: %d network devices", n_sys_nics);

	/* count 0: only total. */
	h = (struct nic_list){ .count = 0, .entry_size = 168 };
	memcpy(buf, &h, 16);
	memset(buf + 16, 0x5a, 168);
	rc = ioctl(fd, IOC_NIC_LIST, buf);
	memcpy(&h, buf, 16);
	expect_ok(rc, "NIC_LIST with count 0");
	total = h.total;
	check(h.count == 0 && h.total == (uint32_t)n_sys_nics && n_sys_nics > 0 &&
	      h.flags == NIC_LIST_F_TRUNCATED && all_bytes(buf + 16, 168, 0x5a),
	      "NIC_LIST count 0: total %u (sysfs %d), count 0, TRUNCATED, nothing written after the header",
	      h.total, n_sys_nics);

	/* Too small a count: the first count entries, TRUNCATED. */
	if (total >= 2) {
		h = (struct nic_list){ .count = total - 1, .entry_size = 168 };
		memcpy(buf, &h, 16);
		rc = ioctl(fd, IOC_NIC_LIST, buf);
		memcpy(&h, buf, 16);
		check(rc == 0 && h.count == total - 1 && h.total == total &&
		      h.flags == NIC_LIST_F_TRUNCATED,
		      "NIC_LIST count %u < total: count %u, TRUNCATED", total - 1, h.count);
	}
	/* Room for all (plus a few), via an unaligned buffer. */
	h = (struct nic_list){ .count = total + 2, .entry_size = 168 };
	memcpy(buf + 1, &h, 16);
	memset(buf + 1 + 16, 0x5a, 168 * (total + 2));
	rc = ioctl(fd, IOC_NIC_LIST, buf + 1);
	memcpy(&h, buf + 1, 16);
	check(rc == 0 && h.count == total && h.total == total && h.flags == 0,
	      "NIC_LIST with room for total + 2 (unaligned buffer): count %u = total, flags 0",
	      h.count);
	check(all_bytes(buf + 1 + 16 + 168 * total, 168 * 2, 0x5a),
	      "NIC_LIST: nothing written past the entries");
	for (uint32_t i = 0; i < h.count && i < 64; i++) {
		memcpy(&e, buf + 1 + 16 + 168 * i, sizeof(e));
		check_nic_entry(&e);
	}

	/* Refusals. */
	h = (struct nic_list){ .count = 1, .entry_size = 167 };
	expect_err(ioctl(fd, IOC_NIC_LIST, &h), EINVAL, "NIC_LIST entry_size 167");
	h = (struct nic_list){ .count = 0, .entry_size = 168, .flags = 1 };
	expect_err(ioctl(fd, IOC_NIC_LIST, &h), EINVAL, "NIC_LIST flags 1");
	h = (struct nic_list){ .count = NIC_LIST_MAX + 1, .entry_size = 168 };
	expect_err(ioctl(fd, IOC_NIC_LIST, &h), EINVAL, "NIC_LIST count 4097");
	expect_err(ioctl(fd, IOC_NIC_LIST, (void *)8), EFAULT, "NIC_LIST with an unreadable header");
	/* "EFAULT (a byte the call writes, the header or one of the
	 * min(count, total) entries, is not writable ...)": room for
	 * total - 1 entries, count total, an unmapped page after it; with
	 * room for total and count total + 1 nothing unwritable is written. */
	two = mmap(NULL, 2 * (size_t)pagesz, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (two != MAP_FAILED && total > 0 && 16 + 168 * (size_t)total <= (size_t)pagesz) {
		unsigned char *at = two + pagesz - (16 + 168 * (total - 1));

		mprotect(two + pagesz, (size_t)pagesz, PROT_NONE);
		h = (struct nic_list){ .count = total, .entry_size = 168 };
		memcpy(at, &h, 16);
		rc = ioctl(fd, IOC_NIC_LIST, at);
		expect_err(rc, EFAULT, "NIC_LIST with count %u and room for %u entries", total, total - 1);
		at = two + pagesz - (16 + 168 * total);
		h = (struct nic_list){ .count = total + 1, .entry_size = 168 };
		memcpy(at, &h, 16);
		expect_ok(ioctl(fd, IOC_NIC_LIST, at),
			  "NIC_LIST with count %u and room for the %u entries it writes", total + 1, total);
		h = (struct nic_list){ .count = 0, .entry_size = 168 };
		memcpy(two, &h, 16);
		mprotect(two, (size_t)pagesz, PROT_READ);
		expect_err(ioctl(fd, IOC_NIC_LIST, two), EFAULT, "NIC_LIST into a read-only buffer");
		munmap(two, 2 * (size_t)pagesz);
	}
	free(buf);
}

/* ------------------------------------------------------------------------
 * 8. Isolation: ISOLATE_GET, IRQ_REPORT, ISOLATE_SET refusals, CLEAR
 * ------------------------------------------------------------------------ */

static int cpu_list_max(const char *path, uint64_t *mask)
{
	char buf[256], *p;
	int max = -1;

	*mask = 0;
	if (read_sys(path, buf, sizeof(buf)))
		return -1;
	for (p = strtok(buf, ","); p; p = strtok(NULL, ",")) {
		int a = atoi(p), b = a;
		char *dash = strchr(p, '-');

		if (dash)
			b = atoi(dash + 1);
		for (int i = a; i <= b; i++) {
			if (i < 64)
				*mask |= 1ull << i;
			if (i > max)
				max = i;
		}
	}
	return max;
}

struct maskbuf {
	struct cpumask_hdr h;
	uint64_t w[3];
};

static void test_isolation(int fd)
{
	struct maskbuf m;
	struct irq_report ir;
	unsigned char irbuf[16 + 16 * 4];
	uint64_t online, possible;
	uint32_t nr_cpu_ids;
	char cmdline[4096] = "";
	int onlinemax;

	nr_cpu_ids = (uint32_t)(cpu_list_max("/sys/devices/system/cpu/possible", &possible) + 1);
	onlinemax = cpu_list_max("/sys/devices/system/cpu/online", &online);
	read_sys("/proc/cmdline", cmdline, sizeof(cmdline));

	/* nr_bits 0 asks the size. */
	memset(&m, 0x5a, sizeof(m));
	m.h = (struct cpumask_hdr){ .which = MASK_ISOLATED, .nr_bits = 0 };
	expect_err(ioctl(fd, IOC_ISOLATE_GET, &m), EOVERFLOW, "ISOLATE_GET with nr_bits 0");
	check(m.h.nr_bits == nr_cpu_ids && m.w[0] == 0x5a5a5a5a5a5a5a5aull,
	      "ISOLATE_GET EOVERFLOW: header nr_bits %u is nr_cpu_ids (%u), no word written",
	      m.h.nr_bits, nr_cpu_ids);
	/* Not in the pages: the other header fields on EOVERFLOW. */
	note("ISOLATE_GET EOVERFLOW wrote flags %u which %u nr_moved %u nr_unmovable %u reserved %u",
	     m.h.flags, m.h.which, m.h.nr_moved, m.h.nr_unmovable, m.h.reserved);

	for (uint32_t which = 0; which <= 2; which++) {
		static const char *const name[] = { "ISOLATED", "NOHZ_FULL", "MANAGED_IRQ" };
		bool none_on_cmdline = which == 0 ||
			(which == 1 && !strstr(cmdline, "nohz_full=")) ||
			(which == 2 && !strstr(cmdline, "managed_irq"));

		memset(&m, 0x5a, sizeof(m));
		m.h = (struct cpumask_hdr){ .which = which, .nr_bits = 128 };
		if (!expect_ok(ioctl(fd, IOC_ISOLATE_GET, &m), "ISOLATE_GET %s, nr_bits 128", name[which]))
			continue;
		check(m.h.nr_bits == nr_cpu_ids && m.h.flags == 0 && m.h.reserved == 0 &&
		      m.h.which == which && m.w[2] == 0x5a5a5a5a5a5a5a5aull,
		      "ISOLATE_GET %s: nr_bits %u = nr_cpu_ids, 2 words written, not a third",
		      name[which], m.h.nr_bits);
		if (none_on_cmdline)
			check(m.w[0] == 0 && m.w[1] == 0 && m.h.nr_moved == 0 && m.h.nr_unmovable == 0,
			      "ISOLATE_GET %s: empty (nothing isolated / not on the command line), moved 0, left 0",
			      name[which]);
	}
	m.h = (struct cpumask_hdr){ .flags = 1, .nr_bits = 64 };
	expect_err(ioctl(fd, IOC_ISOLATE_GET, &m), EINVAL, "ISOLATE_GET flags 1");
	m.h = (struct cpumask_hdr){ .reserved = 1, .nr_bits = 64 };
	expect_err(ioctl(fd, IOC_ISOLATE_GET, &m), EINVAL, "ISOLATE_GET reserved 1");
	m.h = (struct cpumask_hdr){ .which = 3, .nr_bits = 64 };
	expect_err(ioctl(fd, IOC_ISOLATE_GET, &m), EINVAL, "ISOLATE_GET which 3");
	m.h = (struct cpumask_hdr){ .nr_bits = MASK_MAX_BITS + 1 };
	expect_err(ioctl(fd, IOC_ISOLATE_GET, &m), EINVAL, "ISOLATE_GET nr_bits 65537");

	/* IRQ_REPORT with nothing isolated: empty. */
	memset(irbuf, 0x5a, sizeof(irbuf));
	ir = (struct irq_report){ .count = 4, .entry_size = 16 };
	memcpy(irbuf, &ir, 16);
	expect_ok(ioctl(fd, IOC_IRQ_REPORT, irbuf), "IRQ_REPORT with room for 4");
	memcpy(&ir, irbuf, 16);
	check(ir.count == 0 && ir.total == 0 && ir.flags == 0,
	      "IRQ_REPORT with nothing isolated: count 0, total 0, flags 0");
	ir = (struct irq_report){ .count = 0, .entry_size = 15 };
	expect_err(ioctl(fd, IOC_IRQ_REPORT, &ir), EINVAL, "IRQ_REPORT entry_size 15");
	ir = (struct irq_report){ .count = 0, .entry_size = 16, .flags = 1 };
	expect_err(ioctl(fd, IOC_IRQ_REPORT, &ir), EINVAL, "IRQ_REPORT flags 1");
	ir = (struct irq_report){ .count = IRQ_REPORT_MAX + 1, .entry_size = 16 };
	expect_err(ioctl(fd, IOC_IRQ_REPORT, &ir), EINVAL, "IRQ_REPORT count 4097");

	/* ISOLATE_SET refusals (each would change nothing; an unexpected
	 * success is undone at once). */
#define SET_REFUSED(what, ...) do { \
		m = (struct maskbuf){ __VA_ARGS__ }; \
		int rc_ = ioctl(fd, IOC_ISOLATE_SET, &m); \
		expect_err(rc_, EINVAL, "ISOLATE_SET %s", what); \
		if (rc_ == 0) \
			ioctl(fd, IOC_ISOLATE_CLEAR, NULL); \
	} while (0)
	SET_REFUSED("of an empty set", .h = { .nr_bits = 64 });
	SET_REFUSED("of every online CPU", .h = { .nr_bits = 64 }, .w = { online });
	SET_REFUSED("of a CPU at nr_cpu_ids", .h = { .nr_bits = 128 },
		    .w = { nr_cpu_ids < 64 ? 1ull << nr_cpu_ids : 0,
			   nr_cpu_ids >= 64 && nr_cpu_ids < 128 ? 1ull << (nr_cpu_ids - 64) : 0 });
	if (onlinemax >= 1) {
		uint64_t one = 1ull << onlinemax;	/* a valid set */

		SET_REFUSED("with nr_bits 0", .h = { .nr_bits = 0 }, .w = { one });
		SET_REFUSED("with nr_bits 65537", .h = { .nr_bits = MASK_MAX_BITS + 1 }, .w = { one });
		SET_REFUSED("with flags 1", .h = { .flags = 1, .nr_bits = 64 }, .w = { one });
		SET_REFUSED("with which 1", .h = { .which = 1, .nr_bits = 64 }, .w = { one });
		SET_REFUSED("with reserved 1", .h = { .reserved = 1, .nr_bits = 64 }, .w = { one });
		/* CPU 0 alone would be a valid set: bit 1 is the only fault. */
		SET_REFUSED("of CPUs 0-1 with nr_bits 1 (a bit set past nr_bits)",
			    .h = { .nr_bits = 1 }, .w = { 0x3 });
	}
#undef SET_REFUSED
	/* CLEAR with nothing isolated succeeds; its argument is ignored. */
	expect_ok(ioctl(fd, IOC_ISOLATE_CLEAR, (void *)8), "ISOLATE_CLEAR with nothing isolated (argument ignored)");
}

/* ------------------------------------------------------------------------
 * 9. NIC_BIND and NIC_RESTORE refusals; the BDF grammar
 * ------------------------------------------------------------------------ */

static void bind_fill(struct nic_bind *b, const char *bdf, const char *driver,
		      uint32_t flags)
{
	memset(b, 0, sizeof(*b));
	snprintf(b->bdf, sizeof(b->bdf), "%s", bdf);
	snprintf(b->driver, sizeof(b->driver), "%s", driver);
	b->flags = flags;
	memset(b->prev_driver, 0x5a, sizeof(b->prev_driver));
	memset(b->conflict, 0x5a, sizeof(b->conflict));
	b->result = 0x5a5a5a5a;
}

static int bind_call(int fd, const char *bdf, const char *driver, uint32_t flags,
		     struct nic_bind *b)
{
	bind_fill(b, bdf, driver, flags);
	return ioctl(fd, IOC_NIC_BIND, b);
}

static bool bind_untouched(const struct nic_bind *b)
{
	return b->result == 0x5a5a5a5a && all_bytes(b->prev_driver, 32, 0x5a) &&
	       all_bytes(b->conflict, 16, 0x5a);
}

static void test_nic_refusals(int fd)
{
	/* "0000:42:1f.7" and its spellings: well-formed, absent (ENODEV). */
	static const char *const good[] = { "0000:42:1f.7", "42:1f.7", "0000:42:1F.7",
		"10000:42:1f.7", "1234567:42:1f.7" };
	static const char *const bad[] = { "00000:42:1f.7", "000:42:1f.7", "0000:42:20.0",
		"0000:42:1f.8", "0000:42:1f.7\n", " 0000:42:1f.7", "0000:042:1f.7",
		"0000:42:1f", "", "zz:00.0" };
	const char *nic = NULL, *nicdrv = NULL;
	struct nic_bind b;
	struct nic_restore r;
	char path[128], buf[64];
	int rc;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		rc = bind_call(fd, good[i], "", 0, &b);
		expect_err(rc, ENODEV, "NIC_BIND \"%s\" (well-formed, absent)", good[i]);
		check(bind_untouched(&b), "NIC_BIND ENODEV writes nothing back");
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rc = bind_call(fd, bad[i], "", 0, &b);
		expect_err(rc, EINVAL, "NIC_BIND \"%.*s%s\" (malformed)", (int)strcspn(bad[i], "\n"),
			   bad[i], strchr(bad[i], '\n') ? "\\n" : "");
	}
	bind_fill(&b, "0000:42:1f.7", "", 0);
	memset(b.bdf, '0', sizeof(b.bdf));
	expect_err(ioctl(fd, IOC_NIC_BIND, &b), EINVAL, "NIC_BIND bdf without a NUL");
	rc = bind_call(fd, "0000:42:1f.7", "", 0x4, &b);
	expect_err(rc, EINVAL, "NIC_BIND flag 0x4");
	check(bind_untouched(&b), "NIC_BIND EINVAL writes nothing back");
	rc = bind_call(fd, "0000:42:1f.7", "vfio pci", 0, &b);
	expect_err(rc, EINVAL, "NIC_BIND driver \"vfio pci\"");
	/* "ends at the first newline if there is one": what follows is not
	 * read, so the name is vfio-pci and the device is what is missing. */
	rc = bind_call(fd, "0000:42:1f.7", "vfio-pci\nx", 0, &b);
	expect_err(rc, ENODEV, "NIC_BIND driver with text after a newline is vfio-pci (then no device)");
	bind_fill(&b, "0000:42:1f.7", "", 0);
	memset(b.driver, 'a', sizeof(b.driver));
	expect_err(ioctl(fd, IOC_NIC_BIND, &b), EINVAL, "NIC_BIND driver without a NUL");
	rc = bind_call(fd, "0000:42:1f.7", "vfio-pci\n", 0, &b);
	expect_err(rc, ENODEV, "NIC_BIND driver \"vfio-pci\\n\" is accepted (then no device)");
	rc = bind_call(fd, "0000:42:1f.7", "dummy", 0, &b);
	expect_err(rc, ENODEV, "NIC_BIND to \"dummy\" of an absent device: the lookup comes first");
	expect_err(ioctl(fd, IOC_NIC_BIND, (void *)8), EFAULT, "NIC_BIND with an unreadable argument");

	/* A device that is not a NIC: the host bridge. */
	if (!read_sys("/sys/bus/pci/devices/0000:00:00.0/class", buf, sizeof(buf)) &&
	    (strtoul(buf, NULL, 0) >> 16) != 0x02) {
		rc = bind_call(fd, "0000:00:00.0", "", 0, &b);
		expect_err(rc, EINVAL, "NIC_BIND of 0000:00:00.0 (class %s, not a NIC)", buf);
		r = (struct nic_restore){ .bdf = "0000:00:00.0" };
		expect_err(ioctl(fd, IOC_NIC_RESTORE, &r), EINVAL, "NIC_RESTORE of 0000:00:00.0");
	}

	/* The test NIC: a disallowed target, then its own driver. */
	for (int i = 0; i < n_sys_nics && i < 64; i++) {
		if (sys_nics[i].driver[0] && sys_nics[i].ifname[0]) {
			nic = sys_nics[i].bdf;
			nicdrv = sys_nics[i].driver;
			break;
		}
	}
	if (nic) {
		rc = bind_call(fd, nic, "dummy", 0, &b);
		expect_err(rc, EINVAL, "NIC_BIND %s to \"dummy\" (not allowed)", nic);
		snprintf(path, sizeof(path), "/sys/module/dummy");
		check(access(path, F_OK) != 0, "... and no module \"dummy\" was loaded");
		rc = bind_call(fd, nic, nicdrv, 0, &b);
		check(rc == 0 && b.result == BIND_R_ALREADY && !strcmp(b.prev_driver, nicdrv) &&
		      padded(b.prev_driver, 32) && padded(b.conflict, 16) && !b.conflict[0] &&
		      !strcmp(b.bdf, nic) && !strcmp(b.driver, nicdrv) && b.flags == 0,
		      "NIC_BIND %s to its own driver %s: success, R_ALREADY, prev_driver %s, input as given (rc %d, result 0x%x)",
		      nic, nicdrv, b.prev_driver, rc, b.result);
		r = (struct nic_restore){ .flags = 0 };
		snprintf(r.bdf, sizeof(r.bdf), "%s", nic);
		memset(r.driver, 0x5a, sizeof(r.driver));
		rc = ioctl(fd, IOC_NIC_RESTORE, &r);
		check(rc == 0 && !strcmp(r.driver, nicdrv) && padded(r.driver, 32),
		      "NIC_RESTORE of %s, which dpkit did not move: success, driver \"%s\"",
		      nic, rc == 0 ? r.driver : errname(errno));
	}

	r = (struct nic_restore){ .bdf = "0000:42:1f.7", .flags = 1 };
	memset(r.driver, 0x5a, sizeof(r.driver));
	expect_err(ioctl(fd, IOC_NIC_RESTORE, &r), EINVAL, "NIC_RESTORE flags 1");
	check(all_bytes(r.driver, 32, 0x5a), "NIC_RESTORE: nothing written back on an error");
	r = (struct nic_restore){ .bdf = "0000:42:1f.7", .reserved = 1 };
	expect_err(ioctl(fd, IOC_NIC_RESTORE, &r), EINVAL, "NIC_RESTORE reserved 1");
	r = (struct nic_restore){ .bdf = "0000:42:1f.8" };
	expect_err(ioctl(fd, IOC_NIC_RESTORE, &r), EINVAL, "NIC_RESTORE of a malformed address");
	r = (struct nic_restore){ .bdf = "0000:42:1f.7" };
	expect_err(ioctl(fd, IOC_NIC_RESTORE, &r), ENODEV, "NIC_RESTORE of an absent device");
}

/* ------------------------------------------------------------------------
 * 10. LINK_WATCH refusals
 * ------------------------------------------------------------------------ */

static void test_watch_refusals(int fd)
{
	struct link_watch w;

	w = (struct link_watch){ .op = 3, .name = "lo" };
	expect_err(ioctl(fd, IOC_LINK_WATCH, &w), EINVAL, "LINK_WATCH op 3");
	w = (struct link_watch){ .op = WATCH_ADD, .ifindex = -1 };
	expect_err(ioctl(fd, IOC_LINK_WATCH, &w), EINVAL, "LINK_WATCH ADD ifindex -1");
	w = (struct link_watch){ .op = WATCH_ADD, .ifindex = 1, .name = "lo" };
	expect_err(ioctl(fd, IOC_LINK_WATCH, &w), EINVAL, "LINK_WATCH ADD with both ifindex and name");
	w = (struct link_watch){ .op = WATCH_DEL };
	expect_err(ioctl(fd, IOC_LINK_WATCH, &w), EINVAL, "LINK_WATCH DEL with neither");
	w = (struct link_watch){ .op = WATCH_ALL, .ifindex = 1 };
	expect_err(ioctl(fd, IOC_LINK_WATCH, &w), EINVAL, "LINK_WATCH ALL with an ifindex");
	w = (struct link_watch){ .op = WATCH_ALL, .name = "lo" };
	expect_err(ioctl(fd, IOC_LINK_WATCH, &w), EINVAL, "LINK_WATCH ALL with a name");
	w = (struct link_watch){ .op = WATCH_ADD };
	memset(w.name, 'a', sizeof(w.name));
	expect_err(ioctl(fd, IOC_LINK_WATCH, &w), EINVAL, "LINK_WATCH name without a NUL");
	w = (struct link_watch){ .op = WATCH_ADD, .name = "dkdoc-none" };
	expect_err(ioctl(fd, IOC_LINK_WATCH, &w), ENODEV, "LINK_WATCH ADD of a netdev that does not exist");
	w = (struct link_watch){ .op = WATCH_DEL, .ifindex = 999999 };
	expect_err(ioctl(fd, IOC_LINK_WATCH, &w), ENODEV, "LINK_WATCH DEL of an ifindex that does not exist");
	expect_err(ioctl(fd, IOC_LINK_WATCH, (void *)8), EFAULT, "LINK_WATCH with an unreadable argument");
	w = (struct link_watch){ .op = WATCH_ALL };
	expect_ok(ioctl(fd, IOC_LINK_WATCH, &w), "LINK_WATCH ALL (already the state at load)");
}

/* ------------------------------------------------------------------------
 * 11. Permissions: an opener without capabilities
 * ------------------------------------------------------------------------ */

static int drop_all_caps(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	return (int)syscall(SYS_capset, &h, d);
}

static void child_capless(void)
{
	struct link_report rep = { .port_id = 4250, .flags = LF_UP };
	struct link_watch w = { .op = WATCH_ALL };
	struct lease l = { 0 };
	struct nic_bind b = { .bdf = "zz" };
	struct nic_restore r = { .bdf = "zz" };
	struct nic_list lst = { .entry_size = 168 };
	struct maskbuf m = { .h = { .nr_bits = 0 } };
	struct irq_report ir = { .entry_size = 16 };
	struct version v;
	struct nl *s;
	void *p;
	int priv, fd, n;
	static struct linkmsg msgs[300];
	uint32_t gv = 0;
	int gerr = 0;

	priv = open_dev(O_RDWR);	/* opened with root's capabilities */
	if (drop_all_caps()) {
		check(false, "capset: drop every capability: %s", errname(errno));
		_exit(1);
	}
	fd = open_dev(O_RDWR);
	if (!expect_ok(fd, "without capabilities: uid 0 opens the 0600 root device"))
		_exit(1);
	expect_ok(do_version(fd, &v), "without capabilities: VERSION");
	expect_ok(ioctl(fd, IOC_NIC_LIST, &lst), "without capabilities: NIC_LIST");
	expect_err(ioctl(fd, IOC_ISOLATE_GET, &m), EOVERFLOW,
		   "without capabilities: ISOLATE_GET (nr_bits 0 asks the size)");
	expect_ok(ioctl(fd, IOC_IRQ_REPORT, &ir), "without capabilities: IRQ_REPORT");
	p = mmap(NULL, ver.map_size, PROT_READ, MAP_SHARED, fd, 0);
	expect_ok(p == MAP_FAILED ? -1 : 0, "without capabilities: mmap");
	if (p != MAP_FAILED)
		munmap(p, ver.map_size);
	check(poll_one(fd, 0) == 0, "without capabilities: poll");

	expect_err(ioctl(fd, IOC_LEASE, &l), EPERM, "without CAP_NET_ADMIN: LEASE");
	l.flags = 1;
	expect_err(ioctl(fd, IOC_LEASE, &l), EINVAL, "without CAP_NET_ADMIN: a malformed LEASE is EINVAL first");
	expect_err(ioctl(fd, IOC_LINK_REPORT, &rep), EPERM, "without CAP_NET_ADMIN: LINK_REPORT");
	rep.op = 2;
	expect_err(ioctl(fd, IOC_LINK_REPORT, &rep), EINVAL,
		   "without CAP_NET_ADMIN: a malformed LINK_REPORT is EINVAL first");
	expect_err(ioctl(fd, IOC_LINK_WATCH, &w), EPERM, "without CAP_NET_ADMIN: LINK_WATCH");
	w.op = 3;
	expect_err(ioctl(fd, IOC_LINK_WATCH, &w), EINVAL,
		   "without CAP_NET_ADMIN: a malformed LINK_WATCH is EINVAL first");
	expect_err(ioctl(fd, IOC_NIC_BIND, &b), EPERM,
		   "without CAP_SYS_ADMIN: NIC_BIND of a malformed address is EPERM (before validation)");
	expect_err(ioctl(fd, IOC_NIC_RESTORE, &r), EPERM,
		   "without CAP_SYS_ADMIN: NIC_RESTORE of a malformed address is EPERM");
	expect_err(ioctl(fd, IOC_ISOLATE_SET, (void *)8), EPERM,
		   "without CAP_SYS_ADMIN: ISOLATE_SET with an unreadable argument is EPERM (not read)");
	expect_err(ioctl(fd, IOC_ISOLATE_CLEAR, NULL), EPERM, "without CAP_SYS_ADMIN: ISOLATE_CLEAR");

	/* The opener's credentials count, not the caller's. */
	if (priv >= 0) {
		expect_ok(take_lease(priv), "a file opened with capabilities still takes a LEASE after they are dropped");
		expect_ok(ioctl(priv, IOC_ISOLATE_CLEAR, NULL),
			  "... and ISOLATE_CLEAR (nothing isolated) through it");
	}

	/* genl needs nothing. */
	s = nl_open();
	if (s && !resolve(s, &gv, &gerr)) {
		n = dump(s, 0x301, 0, msgs, 300, NULL);
		check(n > 0, "without capabilities: genl resolve and LINK_GET dump (%d)", n);
		check(!setsockopt(s->fd, K_SOL_NETLINK, K_NETLINK_ADD_MEMBERSHIP, &s->group, 4),
		      "without capabilities: join the \"link\" group");
	} else {
		check(false, "without capabilities: genl resolve (%s)", errname(gerr));
	}
	nl_close(s);
	fflush(stdout);
	_exit(0);
}

static void test_capless(void)
{
	pid_t pid;
	int st = -1;

	fflush(stdout);
	pid = fork();
	if (pid == 0)
		child_capless();
	if (pid > 0)
		waitpid(pid, &st, 0);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "the unprivileged child ran to its end (status %d)", st);
}

/* ------------------------------------------------------------------------ */

static long module_refcnt(void)
{
	return read_sys_long("/sys/module/dpkit/refcnt", -1);
}

int main(void)
{
	struct page pg;
	struct nl *ns, *ds;
	uint32_t gv = 0;
	int fd, ofd, err;
	long ref0, ref1;
	uint64_t t0 = now_ns();

	setvbuf(stdout, NULL, _IOLBF, 0);
	tally = mmap(NULL, sizeof(*tally), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (tally == MAP_FAILED)
		tally = &tally_local;
	ref0 = module_refcnt();
	fd = open_dev(O_RDONLY);
	if (fd < 0) {
		printf("not ok - open(\"%s\", O_RDONLY | O_CLOEXEC): %s\n", DEV_PATH,
		       errname(errno));
		return 2;
	}
	check(true, "open(\"%s\", O_RDONLY | O_CLOEXEC)", DEV_PATH);
	if (!test_version(fd))
		return 2;
	if (!map_page(fd, &pg))
		return 2;
	test_page_layout(&pg);
	test_mmap_refusals(fd, &pg);
	test_slots(&pg);

	ofd = open_dev(O_RDWR);
	if (!expect_ok(ofd, "open(O_RDWR) a file for reports without a lease"))
		return 2;
	test_seqlock_storm(&pg, ofd);
	test_read_poll(&pg, ofd);

	/* genl: the notification socket joins before it dumps. */
	ns = nl_open();
	ds = nl_open();
	if (!ns || !ds) {
		check(false, "netlink sockets: %s", errname(errno));
		return 2;
	}
	if (resolve(ns, &gv, &err) && !err)
		err = -1;
	check(!err, "genl: resolve \"dpkit\" and its \"link\" group (family %u, group %u)",
	      ns->family, ns->group);
	check(gv == FAMILY_VERSION, "genl: the family's version is %u (%u)", FAMILY_VERSION, gv);
	ds->family = ns->family;
	ds->group = ns->group;
	check(!setsockopt(ns->fd, K_SOL_NETLINK, K_NETLINK_ADD_MEMBERSHIP, &ns->group, 4),
	      "genl: join \"link\"");
	test_dump_vs_page(ns, &pg);
	test_genl_validation(ds);
	test_genl_netns();

	test_lease_flow(&pg, ns, ofd);
	test_dump_vs_page(ds, &pg);

	test_nic_list(fd);
	test_isolation(ofd);
	test_nic_refusals(ofd);
	test_watch_refusals(ofd);
	test_capless();

	/* "Every open file and every mapping holds a reference on the module" */
	close(ofd);
	close(fd);
	ref1 = module_refcnt();
	check(ref0 >= 0 && ref1 > ref0,
	      "with every descriptor closed, the mapping still holds the module (refcnt %ld, was %ld)",
	      ref1, ref0);
	munmap(pg.base, pg.len);
	check(module_refcnt() == ref0, "unmapped: refcnt back to %ld", ref0);
	nl_close(ns);
	nl_close(ds);

	printf("# docclient: %d checks, %d failed, %.1f s\n", nchecks, nfailed,
	       (double)(now_ns() - t0) / 1e9);
	return nfailed ? 1 : 0;
}
