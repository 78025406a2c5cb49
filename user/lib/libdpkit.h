/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libdpkit: the userspace side of /dev/dpkit.
 *
 * Every function returns 0 (or a count) on success and a negative errno on
 * failure, and on failure leaves a message for the calling thread in
 * dpkit_errmsg() that names the object and says what to do.
 */
#ifndef LIBDPKIT_H
#define LIBDPKIT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/dpkit.h>

#define DPKIT_DEV_PATH "/dev/" DPKIT_DEVICE_NAME

struct dpkit;

/*
 * Open the dpkit device (@path NULL means DPKIT_DEV_PATH) and check that the
 * loaded module speaks this library's ABI version.
 */
int dpkit_open(const char *path, struct dpkit **out);
void dpkit_close(struct dpkit *dk);

/* Adopt an open /dev/dpkit file descriptor (a lease inherited over exec). */
int dpkit_open_fd(int fd, struct dpkit **out);
int dpkit_fd(const struct dpkit *dk);

/* The module's version, features and link-page geometry. */
int dpkit_version(struct dpkit *dk, struct dpkit_version *ver);

/* Names of DPKIT_FEAT_* bits, for tools: "link", "nic", ... */
const char *dpkit_feature_name(unsigned int bit);

/* Take a lease on this handle: see DPKIT_IOC_LEASE. */
int dpkit_lease(struct dpkit *dk);

/* Report (op SET) or remove (op REMOVE) a DPDK port's link. */
int dpkit_link_report(struct dpkit *dk, const struct dpkit_link_report *rep);

/* Track a kernel netdev (by @ifindex, or @name when it is 0): WATCH_ADD,
 * WATCH_DEL; WATCH_ALL goes back to every Ethernet netdev. */
int dpkit_link_watch(struct dpkit *dk, unsigned int op, int ifindex,
		     const char *name);

/*
 * NICs (and DLB eventdevs) on the PCI bus. dpkit_nic_list() allocates
 * *out (free() it) and retries until the list is not truncated.
 */
int dpkit_nic_list(struct dpkit *dk, struct dpkit_nic **out, unsigned int *count);

/* Bind @bdf to @driver (NULL or "": vfio-pci); @res says what happened. */
int dpkit_nic_bind(struct dpkit *dk, const char *bdf, const char *driver,
		   unsigned int flags, struct dpkit_nic_bind *res);

/* Back to the driver it had before dpkit; @driver gets the one bound now. */
int dpkit_nic_restore(struct dpkit *dk, const char *bdf,
		      char driver[DPKIT_DRIVER_LEN]);

/*
 * CPU lists in the kernel's syntax ("0-3,8"): parse into @nr_bits bits of
 * 64-bit words (returns the highest CPU + 1), format back (returns the
 * length).
 */
int dpkit_cpulist_parse(const char *list, uint64_t *words, unsigned int nr_bits);
int dpkit_cpulist_format(const uint64_t *words, unsigned int nr_bits,
			 char *buf, size_t size);

/* Isolate the CPUs of @words (IRQs steered off them); see <linux/dpkit.h>. */
int dpkit_isolate_set(struct dpkit *dk, const uint64_t *words,
		      unsigned int nr_bits, unsigned int *moved,
		      unsigned int *unmovable);

/* A mask (DPKIT_MASK_*): *words is allocated (free() it), nr_cpu_ids bits. */
int dpkit_isolate_get(struct dpkit *dk, unsigned int which, uint64_t **words,
		      unsigned int *nr_bits, unsigned int *moved,
		      unsigned int *unmovable);
int dpkit_isolate_clear(struct dpkit *dk);

/* The IRQs left on isolated CPUs and why; *out is allocated. */
int dpkit_irq_report(struct dpkit *dk, struct dpkit_irq_entry **out,
		     unsigned int *count);

/* CPU topology (hwloc). */
struct dpkit_cpu_info {
	int cpu;			/* OS index */
	int core;			/* physical core, machine-wide */
	int package;
	int numa;			/* NUMA node, -1 when unknown */
	int thread;			/* 0 for the first PU of its core */
};

struct dpkit_cache_info {
	unsigned int level;		/* 1, 2, 3 (data or unified) */
	unsigned int count;		/* caches of that level */
	unsigned long long size;	/* bytes, of the first one */
	unsigned int shared_by;		/* CPUs sharing the first one */
};

struct dpkit_topo {
	unsigned int nr_cpus, nr_cores, nr_packages, nr_numa;
	struct dpkit_cpu_info *cpus;	/* by CPU number */
	unsigned int nr_caches;
	struct dpkit_cache_info caches[3];	/* by level, those present */
};

/* @source: NULL for this machine, an hwloc XML file, or "synthetic:DESC". */
int dpkit_topo_load(struct dpkit_topo *t, const char *source);
void dpkit_topo_free(struct dpkit_topo *t);
const struct dpkit_cpu_info *dpkit_topo_cpu(const struct dpkit_topo *t, int cpu);

/* Where the lcores go (place.c has the rules). */
#define DPKIT_MAX_WORKERS	128

struct dpkit_place_req {
	unsigned int nr_workers;
	const uint64_t *isolated;	/* the CPUs workers may use */
	unsigned int nr_bits;
	int nic_numa;			/* the NICs' NUMA node, -1: any */
	int service;			/* wants a service core */
};

struct dpkit_placement {
	int main_cpu;
	unsigned int nr_workers;
	int workers[DPKIT_MAX_WORKERS];
	int service_cpu;		/* -1: inline on workers[0] (or none) */
	char why[2048];			/* one line per choice */
};

int dpkit_place(const struct dpkit_topo *t, const struct dpkit_place_req *req,
		struct dpkit_placement *p);

/*
 * Userspace isolation knobs (knobs.c). dpkit_knobs_apply() points the
 * default IRQ affinity and the workqueue cpumask at the CPUs not in
 * @isolated; dpkit_knobs_undo() puts back what @owner changed. Every
 * change is first recorded, with the value it replaces, in one journal
 * (@journal: DPKIT_KNOBS_JOURNAL; on disk before the change) that every
 * owner ("dpkitctl", "dpkitd": one word of [a-z0-9_-]) shares: undos in
 * any order, after a crash too, leave the host as it was, and one owner's
 * undo leaves a knob another owner changed since as that one set it.
 * Refuses (EBUSY) while irqbalance runs. Both describe what they did in
 * @report.
 */
#define DPKIT_KNOBS_JOURNAL	"/run/dpkit/knobs.journal"
#define DPKIT_KNOBS_MAX_CPUS	8192

/* The machine's CPUs (configured, not only online): @nr_cpus for apply. */
unsigned int dpkit_knobs_nr_cpus(void);
int dpkit_knobs_apply(const uint64_t *isolated, unsigned int nr_cpus,
		      const char *journal, const char *owner, char *report,
		      size_t size);
int dpkit_knobs_undo(const char *journal, const char *owner, char *report,
		     size_t size);
int dpkit_knobs_irqbalance_running(void);	/* its pid, or 0 */
int dpkit_knobs_cmdline(char *nohz_full, char *isolcpus, size_t size);

/*
 * A cgroup v2 cpuset partition "isolated" over @cpus, at
 * /sys/fs/cgroup/@name (written to @path); a directory it makes is
 * journaled for @owner, so that dpkit_knobs_undo() removes it (once no
 * task is left in it). A process that pins threads to those CPUs must
 * join it first.
 */
int dpkit_cpuset_partition(const char *name, const char *cpus,
			   const char *journal, const char *owner, char *path,
			   size_t size);

/* /proc/interrupts samples, for `isolate verify`. */
struct dpkit_irq_row {
	char id[16];			/* "24", "LOC", "NMI", ... */
	char name[96];			/* the rest of the line */
	unsigned long long *counts;	/* one per column of the header */
};

struct dpkit_irq_sample {
	unsigned int nr_cpus, nr_rows;
	int *cpus;			/* the CPU of each column */
	struct dpkit_irq_row *rows;
};

int dpkit_irq_sample(struct dpkit_irq_sample *s);
int dpkit_irq_sample_parse(const char *text, struct dpkit_irq_sample *s);
void dpkit_irq_sample_free(struct dpkit_irq_sample *s);

/* Call @fn for every row that counted on one of @cpus between two samples. */
typedef void (*dpkit_irq_delta_fn)(const struct dpkit_irq_row *row, int cpu,
				   unsigned long long delta, void *arg);
int dpkit_irq_delta(const struct dpkit_irq_sample *before,
		    const struct dpkit_irq_sample *after, const uint64_t *cpus,
		    unsigned int nr_bits, dpkit_irq_delta_fn fn, void *arg);

/*
 * Persistent NIC overrides (overrides.c): "BDF DRIVER" lines that
 * `dpkitctl nic apply` (or dpkitd) binds again after a reboot.
 */
#define DPKIT_OVERRIDES_FILE	"/etc/dpkit/overrides.conf"

struct dpkit_override {
	char bdf[DPKIT_BDF_LEN];
	char driver[DPKIT_DRIVER_LEN];
};

/* A missing file is an empty list; *out is allocated (free() it). */
int dpkit_overrides_load(const char *path, struct dpkit_override **out,
			 unsigned int *count);
int dpkit_overrides_set(const char *path, const char *bdf, const char *driver);
/* Returns how many entries went (0 or 1). */
int dpkit_overrides_remove(const char *path, const char *bdf);

/* rtnetlink (libmnl): a kernel interface's state and addresses. */
struct nlmsghdr;

struct dpkit_ifinfo {
	int ifindex;
	char name[16];
	unsigned int flags;		/* IFF_* */
	unsigned char operstate;	/* IF_OPER_* */
	unsigned int mtu;
};

typedef void (*dpkit_addr_fn)(const char *addr, unsigned int scope, void *arg);

int dpkit_rtnl_link(const char *name, struct dpkit_ifinfo *out);
int dpkit_rtnl_set_up(const char *name, int up);
/* Call @fn for each address of @ifindex ("192.0.2.1/24"); returns the count. */
int dpkit_rtnl_addrs(int ifindex, dpkit_addr_fn fn, void *arg);
/* Likewise for the main table's routes through it ("192.0.2.0/24", "default"). */
int dpkit_rtnl_routes(int ifindex, dpkit_addr_fn fn, void *arg);

/* The messages (into 8 KiB buffers) and the link parser. */
struct nlmsghdr *dpkit_rtnl_build_getlink(void *buf, const char *name,
					  unsigned int seq);
struct nlmsghdr *dpkit_rtnl_build_setlink(void *buf, int ifindex, int up,
					  unsigned int seq);
struct nlmsghdr *dpkit_rtnl_build_getaddr(void *buf, unsigned int seq);
struct nlmsghdr *dpkit_rtnl_build_getroute(void *buf, unsigned int seq);
int dpkit_rtnl_parse_link(const struct nlmsghdr *nlh, struct dpkit_ifinfo *out);

/*
 * The link-state page, mapped read-only. Readers never block and never
 * write; see <linux/dpkit.h> for the protocol.
 */
struct dpkit_link_page {
	const void *base;
	size_t size;
	const struct dpkit_page_hdr *hdr;
	const uint64_t *bitmap;
	const unsigned char *slots;	/* slot i at slots + i * slot_size */
	uint32_t slot_size;
	uint32_t nr_slots;
};

int dpkit_page_map(struct dpkit *dk, struct dpkit_link_page *pg);
void dpkit_page_unmap(struct dpkit_link_page *pg);

/* Check a mapping's header and fill @pg from it (no system call). */
int dpkit_page_attach(struct dpkit_link_page *pg, const void *base,
		      size_t size);

/* A consistent copy of slot @idx (out->seq is the even sequence read). */
int dpkit_page_read(const struct dpkit_link_page *pg, uint32_t idx,
		    struct dpkit_link_slot *out);

/* The slot of (@owner, @key): its index, or -ENOENT. */
int dpkit_page_find(const struct dpkit_link_page *pg, uint32_t owner,
		    uint32_t key, struct dpkit_link_slot *out);

/* The page's event counter (what read() on the device returns). */
static inline uint64_t dpkit_page_events(const struct dpkit_link_page *pg)
{
	return __atomic_load_n(&pg->hdr->events, __ATOMIC_ACQUIRE);
}

/*
 * The hot path: the up/down bits of slots 64 * w .. 64 * w + 63 in one
 * load. A worker loads the word of its ports once per batch.
 */
static inline uint64_t dpkit_page_up_word(const struct dpkit_link_page *pg,
					  uint32_t w)
{
	return __atomic_load_n(&pg->bitmap[w], __ATOMIC_RELAXED);
}

static inline int dpkit_page_up(const struct dpkit_link_page *pg, uint32_t idx)
{
	return (dpkit_page_up_word(pg, idx / 64) >> (idx % 64)) & 1;
}

/*
 * Wait up to @timeout_ms (-1: forever) for the page to change; on success
 * *events is the new event count. -ETIMEDOUT when nothing changed.
 */
int dpkit_wait(struct dpkit *dk, int timeout_ms, uint64_t *events);

/*
 * The generic netlink family "dpkit": link events from the multicast group
 * "link" and dumps of the link table (libnl-genl-3).
 */
struct dpkit_genl;
struct nlmsghdr;

struct dpkit_link_event {
	uint8_t cmd;			/* DPKIT_CMD_LINK_NEW or _LINK_DEL */
	uint32_t slot;
	uint32_t incarnation;
	uint32_t owner;			/* DPKIT_OWNER_* */
	uint32_t key;			/* ifindex or DPDK port id */
	uint32_t flags;			/* DPKIT_LINK_F_* */
	uint32_t speed;			/* Mb/s */
	uint8_t up;
	int8_t duplex;			/* 1 full, 0 half, -1 unknown */
	uint64_t changes;
	char name[DPKIT_IFNAME_LEN];
	char bdf[DPKIT_BDF_LEN];
};

typedef int (*dpkit_link_event_fn)(const struct dpkit_link_event *ev,
				   void *arg);

/* Open a socket on the family; @subscribe joins the "link" group. */
int dpkit_genl_open(struct dpkit_genl **out, int subscribe);
void dpkit_genl_close(struct dpkit_genl *g);
int dpkit_genl_fd(const struct dpkit_genl *g);

/* Receive what is pending (blocks if nothing is), calling @fn per event. */
int dpkit_genl_recv(struct dpkit_genl *g, dpkit_link_event_fn fn, void *arg);

/* Dump the link table (@owner 0: every owner), calling @fn per link. */
int dpkit_genl_dump(struct dpkit_genl *g, uint32_t owner,
		    dpkit_link_event_fn fn, void *arg);

/* Decode one message of the family (no system call). */
int dpkit_genl_parse(struct nlmsghdr *nlh, struct dpkit_link_event *ev);

/* @s as a JSON string literal (quotes, backslashes, control characters escaped). */
void dpkit_json_string(FILE *f, const char *s);

/* The message of the calling thread's last failed call. */
const char *dpkit_errmsg(void);

#endif /* LIBDPKIT_H */
