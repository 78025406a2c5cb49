// SPDX-License-Identifier: BSD-3-Clause
/*
 * ioctl_fuzz: hammer /dev/dpkit from several processes, deterministically
 * from a seed, and leave the host as it found it.
 *
 *   ioctl_fuzz [--seed N] [--calls N] [--procs N] [--nic BDF]...
 *              [--success N] [--worker W] [--trace] [--timeout S]
 *
 * Each worker process draws its calls from its own stream of the seed:
 * ioctls with valid, mangled and random numbers, sizes and directions, on
 * arguments that are valid, NULL, unmapped, kernel addresses, misaligned,
 * straddling into an inaccessible or a read-only page, with counts 0 and
 * huge, strings without NUL and CPU masks naming offline or impossible
 * CPUs; leases opened, shared over fork and closed; mmap, mprotect, mremap,
 * madvise, read, poll and friends with odd arguments. About once in
 * --success calls (per worker) it takes a success path: a NIC given with
 * --nic bound to vfio-pci (or another allowed driver) and restored, CPUs
 * isolated and cleared.
 *
 * Checks beyond "the kernel survived": the page is never writable or
 * executable; the kernel writes nothing past what a call may write (a
 * canary after the buffer) and nothing into a write-only (_IOW) argument;
 * no internal errno (>= 512) leaks; ioctls return 0 or -1. At the end:
 * every lease gone, isolation cleared, every --nic NIC back on its driver,
 * no DPDK port left in the table, the watch set back to "all".
 *
 * A call that takes longer than --timeout seconds is a hang: the stuck
 * worker and every task in D state are dumped (kt.h) and the run fails.
 * Replay: the same --seed (and --procs) gives the same calls; --worker W
 * runs worker W's stream alone and --trace prints each call before it is
 * made. The last line says the seed and the number of calls.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include <linux/dpkit.h>

#include "kt.h"

#define MAX_NICS	8
#define MAX_FDS		6
#define MAX_MAPS	4
#define PAGE		4096UL
#define ARENA_PAGES	4		/* read-write, then an inaccessible page */
#define SCRATCH_PAGES	16		/* room for MAP_FIXED */
#define BUF_MAX		(ARENA_PAGES * PAGE - 256)
#define CANARY		0xa5
#define CANARY_LEN	64

/* ---- configuration ------------------------------------------------------ */

static struct {
	uint64_t seed;
	uint64_t calls;
	int procs;
	int only;			/* --worker, or -1 */
	unsigned int success;		/* one success path in N calls; 0 none */
	unsigned int timeout_s;
	int trace;
	int nr_nics;
	char nic[MAX_NICS][DPKIT_BDF_LEN];
	char nic_driver[MAX_NICS][DPKIT_DRIVER_LEN];	/* at start */
	int nr_other;			/* existing PCI devices, not NICs */
	char other[8][DPKIT_BDF_LEN];
	int nr_cpus;			/* online */
	int nr_possible;
	uint32_t map_size;
} cfg = { .calls = 100000, .procs = 4, .only = -1, .success = 2000,
	  .timeout_s = 60 };

/* ---- per-worker state --------------------------------------------------- */

struct fdent {
	int fd;
	int leased;
};

struct mapent {
	void *addr;
	size_t len;
};

enum kind {
	K_IOCTL_VALID, K_IOCTL_MANGLED, K_IOCTL_RANDOM, K_OPEN, K_CLOSE,
	K_LEASE, K_DUP, K_FORK, K_MMAP, K_MPROTECT, K_MUNMAP, K_MREMAP,
	K_MADVISE, K_READ, K_POLL, K_OTHER, K_SUCCESS, K_NR
};

static const char *const kind_name[K_NR] = {
	"ioctl-valid", "ioctl-mangled", "ioctl-random", "open", "close",
	"lease", "dup", "fork", "mmap", "mprotect", "munmap", "mremap",
	"madvise", "read", "poll", "other", "success-path",
};

struct fuzzer {
	struct kt_rng rng;
	struct kt_worker *w;
	int id;
	uint64_t n;			/* calls made */
	uint64_t by_kind[K_NR];
	int failed;
	struct fdent fds[MAX_FDS];
	int nr_fds;
	struct mapent maps[MAX_MAPS];
	int nr_maps;
	unsigned char *arena;		/* ARENA_PAGES rw + 1 none */
	unsigned char *ropage;		/* rw page, ro page, none, unmapped */
	unsigned char *scratch;		/* reserved for MAP_FIXED */
};

static struct kt_board *board;
/* Calls of each kind, summed over the workers (shared memory). */
static uint64_t *kind_totals;

static void fail(struct fuzzer *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void fail(struct fuzzer *f, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kt_say("FAIL: worker %d call %llu: %s", f->id,
	       (unsigned long long)f->n, msg);
	f->failed++;
}

static uint64_t rnd(struct fuzzer *f, uint64_t n)
{
	return kt_below(&f->rng, n);
}

static int one_in(struct fuzzer *f, uint64_t n)
{
	return kt_one_in(&f->rng, n);
}

/* ---- faults while touching the mapping ---------------------------------- */

static sigjmp_buf probe_env;
static volatile sig_atomic_t probing;

/* Hexadecimal, with write(): what a signal handler may use. */
static void put_hex(const char *label, uint64_t v)
{
	char buf[40];
	int n = 0, i;

	while (*label)
		buf[n++] = *label++;
	for (i = 60; i >= 0; i -= 4)
		buf[n++] = "0123456789abcdef"[(v >> i) & 0xf];
	if (write(STDOUT_FILENO, buf, (size_t)n) < 0)
		return;
}

/* The process's mappings, from a signal handler (read and write only). */
static void dump_maps(void)
{
	char buf[4096];
	ssize_t n;
	int fd = open("/proc/self/maps", O_RDONLY);

	while (fd >= 0 && (n = read(fd, buf, sizeof(buf))) > 0)
		if (write(STDOUT_FILENO, buf, (size_t)n) < 0)
			break;
	if (fd >= 0)
		close(fd);
}

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	if (probing)
		siglongjmp(probe_env, sig);
	/* Not a probe: a bug here, or the kernel wrote where it must not. */
	put_hex("# ioctl_fuzz: fault at 0x", (uintptr_t)si->si_addr);
#if defined(__x86_64__)
	put_hex(" ip 0x", (uint64_t)((ucontext_t *)uc)->uc_mcontext.gregs[REG_RIP]);
#else
	(void)uc;
#endif
	if (write(STDOUT_FILENO, "\n", 1) < 0)
		_exit(1);
	dump_maps();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void on_alarm(int sig)
{
	(void)sig;	/* only interrupts a blocking read or poll */
}

/* 0 when *p could be read (into *out), else the signal. */
static int try_read(const volatile unsigned char *p, unsigned char *out)
{
	int sig;

	probing = 1;
	sig = sigsetjmp(probe_env, 1);
	if (!sig)
		*out = *p;
	probing = 0;
	return sig;
}

/* 0 when *p could be written: a bug for the page. */
static int try_write(volatile unsigned char *p)
{
	int sig;

	probing = 1;
	sig = sigsetjmp(probe_env, 1);
	if (!sig)
		*p = *p;
	probing = 0;
	return sig;
}

/* A blocking call returns within a few milliseconds, with EINTR at worst. */
/*
 * Every 3 ms until disarmed, not once: a single signal that comes before
 * the call blocks (a slow KASAN kernel under TCG takes longer than that to
 * get there) would leave a blocking read() waiting for a link event.
 */
static void arm_alarm(void)
{
	struct itimerval it = { .it_value = { 0, 3000 }, .it_interval = { 0, 3000 } };

	setitimer(ITIMER_REAL, &it, NULL);
}

static void disarm_alarm(void)
{
	struct itimerval it = { 0 };

	setitimer(ITIMER_REAL, &it, NULL);
}

/* ---- tracing and the board --------------------------------------------- */

static void begin(struct fuzzer *f, enum kind k, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Every call gets the same limit (--timeout): a quick ioctl may wait for
 * the NIC lock behind another worker's bind, which probes a driver.
 */
static void begin(struct fuzzer *f, enum kind k, const char *fmt, ...)
{
	char what[KT_OP_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	f->by_kind[k]++;
	kt_op_begin(f->w, cfg.timeout_s * 1000ULL, "#%llu %s", (unsigned long long)f->n, what);
	if (cfg.trace)
		kt_say("w%d #%llu %s %s", f->id, (unsigned long long)f->n,
		       kind_name[k], what);
}

/* The end of a call: count it, check the errno is one userspace may see. */
static void end(struct fuzzer *f, long ret, int err)
{
	if (ret >= 0)
		err = 0;
	if (err >= 512)
		fail(f, "%s returned an internal errno %d", f->w->op, err);
	kt_op_end(f->w, err);
	f->n++;
}

/* ---- the descriptors and mappings of a worker -------------------------- */

static int pick_fd(struct fuzzer *f)
{
	if (!f->nr_fds || one_in(f, 50))
		return one_in(f, 2) ? -1 : 1000;	/* bad, or not open */
	return f->fds[rnd(f, f->nr_fds)].fd;
}

static struct fdent *pick_fdent(struct fuzzer *f)
{
	return f->nr_fds ? &f->fds[rnd(f, f->nr_fds)] : NULL;
}

static int open_dev(struct fuzzer *f)
{
	static const int modes[] = { O_RDWR, O_RDWR, O_RDONLY, O_WRONLY };
	int flags = modes[rnd(f, 4)] | O_CLOEXEC;
	int fd;

	if (one_in(f, 2))
		flags |= O_NONBLOCK;
	begin(f, K_OPEN, "open flags 0x%x", flags);
	fd = open(KT_DEV, flags);
	end(f, fd, errno);
	if (fd < 0)
		return -1;
	if (f->nr_fds == MAX_FDS) {
		close(fd);
		return -1;
	}
	f->fds[f->nr_fds].fd = fd;
	f->fds[f->nr_fds].leased = 0;
	f->nr_fds++;
	return fd;
}

static void close_fd(struct fuzzer *f)
{
	int i, ret;

	if (!f->nr_fds)
		return;
	i = (int)rnd(f, f->nr_fds);
	/* The last reference ends a lease: binds are undone here. */
	begin(f, K_CLOSE, "close fd %d%s", f->fds[i].fd,
	      f->fds[i].leased ? " (leased)" : "");
	ret = close(f->fds[i].fd);
	end(f, ret, errno);
	f->fds[i] = f->fds[--f->nr_fds];
}

static void lease_fd(struct fuzzer *f)
{
	struct dpkit_lease l = { 0 };
	struct fdent *e = pick_fdent(f);
	long ret;

	if (!e)
		return;
	if (one_in(f, 8))
		l.flags = (uint32_t)kt_rand(&f->rng);
	if (one_in(f, 8))
		l.reserved = (uint32_t)kt_rand(&f->rng);
	begin(f, K_LEASE, "lease fd %d", e->fd);
	ret = ioctl(e->fd, DPKIT_IOC_LEASE, &l);
	end(f, ret, errno);
	if (!ret)
		e->leased = 1;
	else if (!l.flags && !l.reserved && errno != EBUSY && errno != EPERM &&
		 errno != EBADF)
		fail(f, "a valid lease failed: %s", kt_errname(errno));
}

static void dup_fd(struct fuzzer *f)
{
	struct fdent *e = pick_fdent(f);
	int fd;

	if (!e || f->nr_fds == MAX_FDS)
		return;
	begin(f, K_DUP, "dup fd %d", e->fd);
	fd = fcntl(e->fd, F_DUPFD_CLOEXEC, 3 + (int)rnd(f, 200));
	end(f, fd, errno);
	if (fd >= 0) {
		f->fds[f->nr_fds].fd = fd;
		f->fds[f->nr_fds].leased = e->leased;	/* the same file */
		f->nr_fds++;
	}
}

/* ---- where an argument lives -------------------------------------------- */

enum where {
	W_VALID, W_MISALIGNED, W_STRADDLE_NONE, W_STRADDLE_RO, W_RO, W_NULL,
	W_SMALL, W_UNMAPPED, W_KERNEL, W_NONCANON, W_RANDOM, W_NR
};

static const char *const where_name[W_NR] = {
	"valid", "misaligned", "straddle-none", "straddle-ro", "read-only",
	"null", "small", "unmapped", "kernel", "non-canonical", "random",
};

static enum where pick_where(struct fuzzer *f)
{
	uint64_t r = rnd(f, 100);

	if (r < 70)
		return W_VALID;
	if (r < 76)
		return W_MISALIGNED;
	if (r < 81)
		return W_STRADDLE_NONE;
	if (r < 85)
		return W_STRADDLE_RO;
	if (r < 88)
		return W_RO;
	return (enum where)(W_NULL + rnd(f, W_NR - W_NULL));
}

/*
 * Put @len bytes of @content where @wh says; the address to pass, and in
 * *canary the start of a canary the call must not touch (NULL: no check).
 */
static uintptr_t place(struct fuzzer *f, enum where wh, const void *content,
		       size_t len, unsigned char **canary)
{
	static const uint64_t kernel[] = {
		0xffff888000000000ULL, 0xffffffff81000000ULL,
		0xffffffffffffff00ULL, 0xfffffffffffff000ULL,
	};
	unsigned char *p;
	size_t k;

	*canary = NULL;
	if (len > BUF_MAX)
		len = BUF_MAX;
	switch (wh) {
	case W_VALID:
	case W_MISALIGNED:
		p = f->arena + 64 + (wh == W_MISALIGNED ? 1 + rnd(f, 7) : 0);
		memcpy(p, content, len);
		memset(p + len, CANARY, CANARY_LEN);
		*canary = p + len;
		return (uintptr_t)p;
	case W_STRADDLE_NONE:
		/* The head readable and writable, the tail inaccessible. */
		k = len > 1 ? 1 + rnd(f, len - 1) : 0;
		p = f->arena + ARENA_PAGES * PAGE - k;
		memcpy(p, content, k);
		return (uintptr_t)p;
	case W_STRADDLE_RO:
		/* The head writable (one page at most), the tail read-only. */
		k = len > 1 ? 1 + rnd(f, len - 1 < PAGE ? len - 1 : PAGE) : 0;
		p = f->ropage + PAGE - k;
		memcpy(p, content, k);
		return (uintptr_t)p;
	case W_RO:
		return (uintptr_t)(f->ropage + PAGE + rnd(f, 64));
	case W_NULL:
		return 0;
	case W_SMALL:
		return 1 + rnd(f, 65535);
	case W_UNMAPPED:
		return (uintptr_t)(f->ropage + 3 * PAGE + rnd(f, 64));
	case W_KERNEL:
		return (uintptr_t)kernel[rnd(f, 4)];
	case W_NONCANON:
		return (uintptr_t)0x0000800000000000ULL + rnd(f, 4096);
	default:
		return (uintptr_t)kt_rand(&f->rng);
	}
}

static void check_canary(struct fuzzer *f, const unsigned char *c, const char *what)
{
	int i;

	for (i = 0; c && i < CANARY_LEN; i++)
		if (c[i] != CANARY) {
			fail(f, "%s wrote past its buffer (canary byte %d)", what, i);
			return;
		}
}

/* ---- argument contents ---------------------------------------------------- */

static void fill_random(struct fuzzer *f, void *buf, size_t len)
{
	unsigned char *p = buf;
	uint64_t v;
	size_t i;

	for (i = 0; i < len; i += 8) {
		v = kt_rand(&f->rng);
		memcpy(p + i, &v, len - i < 8 ? len - i : 8);
	}
}

static uint32_t pick_count(struct fuzzer *f)
{
	static const uint32_t counts[] = {
		0, 1, 2, 3, 4, 5, 8, 64, 4095, 4096, 4097, 65536, 0x7fffffff,
		0x80000000u, 0xffffffffu,
	};

	return one_in(f, 8) ? (uint32_t)kt_rand(&f->rng) : counts[rnd(f, 15)];
}

static uint32_t pick_entry_size(struct fuzzer *f, uint32_t good)
{
	switch (rnd(f, 8)) {
	case 0:
		return 0;
	case 1:
		return good - 1;
	case 2:
		return good + 1;
	case 3:
		return (uint32_t)kt_rand(&f->rng);
	default:
		return good;
	}
}

/* A fixed-size string field: valid, empty, unterminated, garbage. */
static void pick_string(struct fuzzer *f, char *dst, size_t size,
			const char *const *good, size_t nr_good)
{
	size_t i;

	memset(dst, 0, size);
	switch (rnd(f, 6)) {
	case 0:
		return;
	case 1:		/* no NUL anywhere */
		for (i = 0; i < size; i++)
			dst[i] = (char)('a' + rnd(f, 26));
		return;
	case 2:
		fill_random(f, dst, size);
		return;
	case 3:		/* a newline, then junk after the NUL */
		snprintf(dst, size, "%s\n", nr_good ? good[rnd(f, nr_good)] : "x");
		if (size > 2)
			dst[size - 1] = 'z';
		return;
	default:
		if (nr_good)
			snprintf(dst, size, "%s", good[rnd(f, nr_good)]);
		return;
	}
}

/* A BDF that never names a test NIC: those only take success paths. */
static void pick_bdf(struct fuzzer *f, char *dst, int allow_nic)
{
	static const char *const bad[] = {
		"0000:ff:1f.7", "00:1f.7", "0000:00:20.0", "0000:00:00.8",
		"10000:00:00.0", "0000-00:00.0", "ffff:ff:ff.f", "0:0:0.0",
		" 0000:00:00.0", "0000:00:02.0\n", "",
	};
	const char *pool[MAX_NICS + 8 + 11];
	size_t n = 0, i;

	for (i = 0; i < 11; i++)
		pool[n++] = bad[i];
	for (i = 0; i < (size_t)cfg.nr_other; i++)
		pool[n++] = cfg.other[i];
	for (i = 0; allow_nic && i < (size_t)cfg.nr_nics; i++)
		pool[n++] = cfg.nic[i];
	pick_string(f, dst, DPKIT_BDF_LEN, pool, n);
	/* Unterminated or random content is no NIC either. */
}

static int names_nic(const char *bdf)
{
	int i;

	for (i = 0; i < cfg.nr_nics; i++)
		if (!strncmp(bdf, cfg.nic[i], DPKIT_BDF_LEN))
			return 1;
	return 0;
}

/* A CPU mask: sometimes valid, often with offline or impossible CPUs. */
static size_t fill_mask(struct fuzzer *f, struct dpkit_cpumask *m, size_t room)
{
	static const uint32_t bits[] = { 0, 1, 2, 3, 63, 64, 65, 128, 4096,
					 8192, 65536, 65537, 0xffffffffu };
	size_t words, i;

	m->nr_bits = one_in(f, 3) ? (uint32_t)cfg.nr_cpus : bits[rnd(f, 13)];
	words = ((size_t)m->nr_bits + 63) / 64;
	if (words * 8 > room - sizeof(*m))
		words = (room - sizeof(*m)) / 8;
	for (i = 0; i < words; i++)
		m->mask[i] = 0;
	switch (rnd(f, 5)) {
	case 0:		/* random words */
		for (i = 0; i < words; i++)
			m->mask[i] = kt_rand(&f->rng);
		break;
	case 1:		/* one possibly offline or impossible CPU */
		i = rnd(f, cfg.nr_possible + 70);
		if (i / 64 < words)
			m->mask[i / 64] |= 1ULL << (i % 64);
		break;
	case 2:		/* every online CPU: no housekeeping CPU left */
		for (i = 0; i < (size_t)cfg.nr_cpus && i / 64 < words; i++)
			m->mask[i / 64] |= 1ULL << (i % 64);
		break;
	case 3:		/* a bit at or above nr_bits in the last word */
		if (words)
			m->mask[words - 1] |= 1ULL << 63;
		break;
	default:	/* a valid set: one online CPU, not all */
		if (words && cfg.nr_cpus > 1)
			m->mask[0] |= 1ULL << (1 + rnd(f, cfg.nr_cpus - 1));
		break;
	}
	return sizeof(*m) + words * 8;
}

/* ---- ioctls ----------------------------------------------------------------- */

struct cmd_info {
	unsigned int cmd;
	const char *name;
	size_t size;
	int out;		/* the kernel may write the argument */
};

static const struct cmd_info cmds[] = {
	{ DPKIT_IOC_VERSION, "VERSION", sizeof(struct dpkit_version), 1 },
	{ DPKIT_IOC_LEASE, "LEASE", sizeof(struct dpkit_lease), 0 },
	{ DPKIT_IOC_NIC_LIST, "NIC_LIST", sizeof(struct dpkit_nic_list), 1 },
	{ DPKIT_IOC_NIC_BIND, "NIC_BIND", sizeof(struct dpkit_nic_bind), 1 },
	{ DPKIT_IOC_NIC_RESTORE, "NIC_RESTORE", sizeof(struct dpkit_nic_restore), 1 },
	{ DPKIT_IOC_ISOLATE_SET, "ISOLATE_SET", sizeof(struct dpkit_cpumask), 1 },
	{ DPKIT_IOC_ISOLATE_GET, "ISOLATE_GET", sizeof(struct dpkit_cpumask), 1 },
	{ DPKIT_IOC_ISOLATE_CLEAR, "ISOLATE_CLEAR", 0, 0 },
	{ DPKIT_IOC_IRQ_REPORT, "IRQ_REPORT", sizeof(struct dpkit_irq_report), 1 },
	{ DPKIT_IOC_LINK_REPORT, "LINK_REPORT", sizeof(struct dpkit_link_report), 0 },
	{ DPKIT_IOC_LINK_WATCH, "LINK_WATCH", sizeof(struct dpkit_link_watch), 0 },
};

#define NR_CMDS (sizeof(cmds) / sizeof(cmds[0]))

/*
 * Contents for @ci's argument in @buf (room @room); the bytes to place.
 * Variable-length calls get a count that fits the buffer or not; *fits
 * says whether the kernel's writes must stay inside what is placed.
 */
static size_t fill_arg(struct fuzzer *f, const struct cmd_info *ci,
		       unsigned char *buf, size_t room, int *fits)
{
	static const char *const drivers[] = {
		"vfio-pci", "", "\n", "pci-stub", "uio_pci_generic", "e1000e",
		"virtio-pci", "bad/char", "a.b", "VFIO-PCI",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	};
	static const char *const ifnames[] = { "lo", "eth0", "enp0s2", "x", "" };
	size_t len = ci->size;
	int mangle = one_in(f, 4);

	*fits = 1;
	memset(buf, 0, room);
	switch (ci->cmd) {
	case DPKIT_IOC_VERSION: {
		struct dpkit_version *v = (void *)buf;

		if (mangle)
			v->flags = (uint32_t)kt_rand(&f->rng);
		if (one_in(f, 6))
			v->reserved[rnd(f, 3)] = (uint32_t)kt_rand(&f->rng);
		break;
	}
	case DPKIT_IOC_LEASE: {
		struct dpkit_lease *l = (void *)buf;

		/* Leases are taken by lease_fd(); here mostly malformed. */
		l->flags = (uint32_t)kt_rand(&f->rng) | (one_in(f, 2) ? 1 : 0);
		l->reserved = (uint32_t)kt_rand(&f->rng);
		break;
	}
	case DPKIT_IOC_NIC_LIST: {
		struct dpkit_nic_list *l = (void *)buf;
		size_t fit = (room - sizeof(*l)) / sizeof(struct dpkit_nic);

		l->count = pick_count(f);
		l->entry_size = pick_entry_size(f, sizeof(struct dpkit_nic));
		if (mangle)
			l->flags = (uint32_t)kt_rand(&f->rng);
		*fits = l->count <= fit;
		len = sizeof(*l) + (*fits ? l->count : fit) * sizeof(struct dpkit_nic);
		break;
	}
	case DPKIT_IOC_NIC_BIND: {
		struct dpkit_nic_bind *b = (void *)buf;

		pick_bdf(f, b->bdf, 1);
		pick_string(f, b->driver, sizeof(b->driver), drivers, 11);
		b->flags = one_in(f, 3) ? (uint32_t)kt_rand(&f->rng) :
					  (uint32_t)rnd(f, 4);
		fill_random(f, b->prev_driver, sizeof(b->prev_driver));
		/* A test NIC goes only where no real bind can follow. */
		if (names_nic(b->bdf)) {
			memcpy(b->driver, "bad/char", 9);
			b->flags |= 1u << (2 + rnd(f, 30));
		}
		break;
	}
	case DPKIT_IOC_NIC_RESTORE: {
		struct dpkit_nic_restore *r = (void *)buf;

		pick_bdf(f, r->bdf, 1);
		if (mangle || names_nic(r->bdf))
			r->flags = 1 | (uint32_t)kt_rand(&f->rng);
		if (one_in(f, 4))
			r->reserved = (uint32_t)kt_rand(&f->rng);
		break;
	}
	case DPKIT_IOC_ISOLATE_SET:
	case DPKIT_IOC_ISOLATE_GET: {
		struct dpkit_cpumask *m = (void *)buf;

		len = fill_mask(f, m, room);
		m->which = ci->cmd == DPKIT_IOC_ISOLATE_GET ? (uint32_t)rnd(f, 4) :
			   one_in(f, 8) ? 1 : 0;
		if (mangle)
			m->flags = (uint32_t)kt_rand(&f->rng);
		if (one_in(f, 8))
			m->reserved = (uint32_t)kt_rand(&f->rng);
		*fits = len >= sizeof(*m) + ((size_t)m->nr_bits + 63) / 64 * 8;
		if (ci->cmd == DPKIT_IOC_ISOLATE_SET && !m->flags && !m->which &&
		    !m->reserved && !one_in(f, 4))
			m->reserved = 1;	/* real isolation: a success path */
		break;
	}
	case DPKIT_IOC_IRQ_REPORT: {
		struct dpkit_irq_report *r = (void *)buf;
		size_t fit = (room - sizeof(*r)) / sizeof(struct dpkit_irq_entry);

		r->count = pick_count(f);
		r->entry_size = pick_entry_size(f, sizeof(struct dpkit_irq_entry));
		if (mangle)
			r->flags = (uint32_t)kt_rand(&f->rng);
		*fits = r->count <= fit;
		len = sizeof(*r) + (*fits ? r->count : fit) *
		      sizeof(struct dpkit_irq_entry);
		break;
	}
	case DPKIT_IOC_LINK_REPORT: {
		struct dpkit_link_report *r = (void *)buf;
		static const uint32_t ports[] = { 0, 1, 2, 65535, 65536,
						  0xffffffffu };

		r->port_id = one_in(f, 2) ? (uint32_t)rnd(f, 300) : ports[rnd(f, 6)];
		r->flags = one_in(f, 3) ? (uint32_t)kt_rand(&f->rng) :
					  (uint32_t)rnd(f, 32);
		r->speed = (uint32_t)kt_rand(&f->rng);
		r->op = one_in(f, 6) ? (uint32_t)kt_rand(&f->rng) : (uint32_t)rnd(f, 2);
		pick_string(f, r->bdf, sizeof(r->bdf), NULL, 0);
		pick_string(f, r->name, sizeof(r->name), ifnames, 5);
		break;
	}
	case DPKIT_IOC_LINK_WATCH: {
		struct dpkit_link_watch *w = (void *)buf;
		static const int32_t idx[] = { 0, 1, 2, 3, -1, 0x7fffffff };

		w->op = one_in(f, 6) ? (uint32_t)kt_rand(&f->rng) : (uint32_t)rnd(f, 3);
		w->ifindex = idx[rnd(f, 6)];
		pick_string(f, w->name, sizeof(w->name), ifnames, 5);
		break;
	}
	default:
		break;
	}
	if (one_in(f, 10))
		fill_random(f, buf, len < 64 ? len : 64);	/* header noise */
	return len;
}

static int vfs_ioctl_type(unsigned int cmd)
{
	unsigned int type = _IOC_TYPE(cmd);

	/* Handled by the VFS for any file (freeze, clone, file flags, ...). */
	return type == 'X' || type == 'f' || type == 0x94 || type == 'T' ||
	       (type == 0 && _IOC_NR(cmd) < 3);
}

static void do_ioctl(struct fuzzer *f)
{
	static unsigned char content[BUF_MAX];
	const struct cmd_info *ci = NULL;
	unsigned char before[256], *canary;
	unsigned int cmd;
	enum kind k;
	enum where wh;
	size_t len;
	uintptr_t arg;
	uint64_t r = rnd(f, 100);
	int fd, fits = 0, err;
	long ret;

	if (r < 70) {
		ci = &cmds[rnd(f, NR_CMDS)];
		cmd = ci->cmd;
		k = K_IOCTL_VALID;
	} else if (r < 85) {
		ci = &cmds[rnd(f, NR_CMDS)];
		cmd = _IOC(rnd(f, 4), DPKIT_IOC_MAGIC, _IOC_NR(ci->cmd),
			   one_in(f, 2) ? ci->size + rnd(f, 17) - 8 : rnd(f, 1 << 14));
		k = K_IOCTL_MANGLED;
	} else {
		do {
			cmd = r < 95 ? _IOC(rnd(f, 4), DPKIT_IOC_MAGIC, rnd(f, 256),
					    rnd(f, 1 << 14)) :
				       (unsigned int)kt_rand(&f->rng);
		} while (vfs_ioctl_type(cmd));
		k = K_IOCTL_RANDOM;
	}
	if (ci && ci->cmd != cmd) {
		size_t i;

		ci = NULL;
		for (i = 0; i < NR_CMDS; i++)
			if (cmds[i].cmd == cmd)
				ci = &cmds[i];
	}

	if (ci)
		len = fill_arg(f, ci, content, sizeof(content), &fits);
	else {
		len = _IOC_SIZE(cmd) ? _IOC_SIZE(cmd) : 64;
		if (len > BUF_MAX)
			len = BUF_MAX;
		fill_random(f, content, len);
	}
	wh = pick_where(f);
	arg = place(f, wh, content, len, &canary);
	if (wh == W_VALID && len <= sizeof(before))
		memcpy(before, (void *)arg, len);

	fd = pick_fd(f);
	begin(f, k, "ioctl %s 0x%08x %s len %zu",
	      ci ? ci->name : "?", cmd, where_name[wh], len);
	ret = ioctl(fd, cmd, arg);
	err = errno;
	end(f, ret, err);

	if (ret > 0)
		fail(f, "ioctl 0x%08x returned %ld", cmd, ret);
	if (ci && fits)
		check_canary(f, canary, ci->name);
	if (ci && !ci->out && wh == W_VALID && len <= sizeof(before) &&
	    memcmp(before, (void *)arg, len))
		fail(f, "%s (_IOW) changed its argument", ci->name);
	if (ci && ci->cmd == DPKIT_IOC_VERSION && !ret) {
		const struct dpkit_version *v = (const void *)arg;

		if (v->abi_version != DPKIT_ABI_VERSION || v->map_size != cfg.map_size)
			fail(f, "VERSION answered abi %u map_size %u", v->abi_version,
			     v->map_size);
	}
	if (ci && ci->cmd == DPKIT_IOC_LEASE && !ret)
		fail(f, "a malformed LEASE succeeded");
}

/* ---- the mapping, read(), poll() -------------------------------------------- */

static size_t pick_len(struct fuzzer *f)
{
	const size_t m = cfg.map_size;
	const size_t lens[] = { m, m, m, 0, 1, PAGE, m - PAGE, m + PAGE, m - 1,
				m + 1, (size_t)1 << 30, SIZE_MAX & ~(PAGE - 1) };

	return lens[rnd(f, 12)];
}

/* The page must never be writable or executable, however it was mapped. */
static void check_map(struct fuzzer *f, unsigned char *p, size_t len)
{
	unsigned char c;
	size_t off = rnd(f, len) & ~(size_t)7;

	if (!try_write(p + off))
		fail(f, "the mapping at +%zu is writable", off);
	if (!try_read(p, &c) && c != (DPKIT_PAGE_MAGIC & 0xff))
		fail(f, "the mapping does not start with the magic");
}

/* MAP_FIXED only ever lands on this range: keep it reserved. */
static void reserve_scratch(struct fuzzer *f)
{
	if (mmap(f->scratch, SCRATCH_PAGES * PAGE, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1,
		 0) == MAP_FAILED) {
		perror("ioctl_fuzz: reserve the scratch range");
		exit(1);
	}
}

static void do_mmap(struct fuzzer *f)
{
	static const int protos[] = { PROT_READ, PROT_READ, PROT_NONE,
				      PROT_READ | PROT_WRITE, PROT_READ | PROT_EXEC,
				      PROT_WRITE, PROT_READ | PROT_WRITE | PROT_EXEC };
	static const int flagset[] = { MAP_SHARED, MAP_SHARED, MAP_PRIVATE,
				       MAP_SHARED_VALIDATE, MAP_SHARED | MAP_POPULATE,
				       MAP_SHARED | MAP_FIXED, MAP_SHARED | MAP_LOCKED,
				       MAP_SHARED | MAP_NORESERVE, MAP_SHARED | MAP_32BIT,
				       MAP_SHARED_VALIDATE | 0x400000 };
	const off_t offs[] = { 0, 0, 0, 0, PAGE, cfg.map_size, 1, -(off_t)PAGE };
	int prot = protos[rnd(f, 7)], flags = flagset[rnd(f, 10)];
	size_t len = pick_len(f);
	off_t off = offs[rnd(f, 8)];
	void *hint = NULL, *p;
	int fd = pick_fd(f);

	if (flags & MAP_FIXED) {
		/* Only ever over this worker's reserved scratch range. */
		if (len > SCRATCH_PAGES * PAGE)
			len = cfg.map_size;
		hint = f->scratch;
	}
	begin(f, K_MMAP, "mmap len %zu prot %d flags 0x%x off %lld", len,
	      prot, flags, (long long)off);
	p = mmap(hint, len, prot, flags, fd, off);
	end(f, p == MAP_FAILED ? -1 : 0, errno);
	if (p == MAP_FAILED) {
		/* A failed MAP_FIXED may have unmapped the range already. */
		if (flags & MAP_FIXED)
			reserve_scratch(f);
		return;
	}
	if (prot & (PROT_WRITE | PROT_EXEC))
		fail(f, "mmap with prot %d succeeded", prot);
	/* The length is rounded up to pages; the offset must be 0. */
	if (((len + PAGE - 1) & ~(PAGE - 1)) != cfg.map_size || off)
		fail(f, "mmap of %zu bytes at offset %lld succeeded", len,
		     (long long)off);
	if (prot & PROT_READ)
		check_map(f, p, len);
	if (flags & MAP_FIXED) {
		reserve_scratch(f);
		return;
	}
	if (f->nr_maps == MAX_MAPS) {
		munmap(p, len);
		return;
	}
	f->maps[f->nr_maps].addr = p;
	f->maps[f->nr_maps].len = len;
	f->nr_maps++;
}

static struct mapent *pick_map(struct fuzzer *f)
{
	return f->nr_maps ? &f->maps[rnd(f, f->nr_maps)] : NULL;
}

static void drop_map(struct fuzzer *f, struct mapent *m)
{
	*m = f->maps[--f->nr_maps];
}

static void do_mprotect(struct fuzzer *f)
{
	static const int protos[] = { PROT_READ | PROT_WRITE, PROT_WRITE,
				      PROT_READ | PROT_EXEC, PROT_EXEC, PROT_NONE,
				      PROT_READ, PROT_READ | PROT_WRITE | PROT_EXEC };
	struct mapent *m = pick_map(f);
	int prot = protos[rnd(f, 7)];
	size_t off, len;
	int ret;

	if (!m)
		return;
	off = rnd(f, m->len / PAGE) * PAGE;
	len = one_in(f, 2) ? m->len - off : PAGE;
	begin(f, K_MPROTECT, "mprotect +%zu len %zu prot %d", off, len, prot);
	ret = mprotect((char *)m->addr + off, len, prot);
	end(f, ret, errno);
	if (!ret && (prot & (PROT_WRITE | PROT_EXEC)))
		fail(f, "mprotect to prot %d succeeded", prot);
	/* Readable again for the next checks (a no-op when refused above). */
	mprotect(m->addr, m->len, PROT_READ);
	check_map(f, m->addr, m->len);
}

static void do_munmap(struct fuzzer *f)
{
	struct mapent *m = pick_map(f);
	size_t off;
	int ret;

	if (!m)
		return;
	/* Sometimes one page from the middle first: the VMA splits. */
	if (m->len > 2 * PAGE && one_in(f, 2)) {
		off = (1 + rnd(f, m->len / PAGE - 2)) * PAGE;
		begin(f, K_MUNMAP, "munmap a page at +%zu", off);
		ret = munmap((char *)m->addr + off, PAGE);
		end(f, ret, errno);
		check_map(f, m->addr, off);
	}
	begin(f, K_MUNMAP, "munmap %zu", m->len);
	ret = munmap(m->addr, m->len);
	end(f, ret, errno);
	drop_map(f, m);
}

static void do_mremap(struct fuzzer *f)
{
	struct mapent *m = pick_map(f);
	size_t nlen;
	void *p;

	if (!m)
		return;
	nlen = one_in(f, 2) ? m->len + PAGE : one_in(f, 2) ? m->len : PAGE;
	begin(f, K_MREMAP, "mremap %zu -> %zu", m->len, nlen);
	p = mremap(m->addr, m->len, nlen, one_in(f, 2) ? MREMAP_MAYMOVE : 0);
	end(f, p == MAP_FAILED ? -1 : 0, errno);
	if (p == MAP_FAILED)
		return;
	if (nlen > cfg.map_size)
		fail(f, "mremap grew the mapping to %zu", nlen);
	m->addr = p;
	m->len = nlen;
	check_map(f, p, nlen);
}

static void do_madvise(struct fuzzer *f)
{
	static const int advice[] = { MADV_DONTNEED, MADV_WILLNEED, MADV_DONTFORK,
				      MADV_DOFORK, MADV_REMOVE, MADV_COLD,
				      MADV_PAGEOUT, MADV_POPULATE_READ,
				      MADV_POPULATE_WRITE, MADV_WIPEONFORK,
				      MADV_HUGEPAGE, MADV_MERGEABLE };
	struct mapent *m = pick_map(f);
	int adv = advice[rnd(f, 12)], ret;

	if (!m)
		return;
	begin(f, K_MADVISE, "madvise %d", adv);
	ret = madvise(m->addr, m->len, adv);
	end(f, ret, errno);
	if (!ret && adv == MADV_POPULATE_WRITE)
		fail(f, "MADV_POPULATE_WRITE succeeded on the page");
	/* After DONTNEED a read may fault (SIGBUS): check_map copes. */
	check_map(f, m->addr, m->len);
}

static void do_read(struct fuzzer *f)
{
	static const size_t counts[] = { 0, 1, 7, 8, 8, 9, 16, 4096 };
	static unsigned char buf[8192];
	unsigned char *canary;
	struct iovec iov[2];
	enum where wh = pick_where(f);
	size_t count = counts[rnd(f, 8)];
	uintptr_t p = place(f, wh, buf, count < 64 ? 64 : count, &canary);
	int fd = pick_fd(f), how = (int)rnd(f, 4);
	ssize_t ret;

	if (wh == W_VALID)
		memset((void *)p, CANARY, count + CANARY_LEN);
	begin(f, K_READ, "read %d count %zu %s", how, count, where_name[wh]);
	arm_alarm();
	switch (how) {
	case 0:
	case 1:
		ret = read(fd, (void *)p, count);
		break;
	case 2:
		ret = pread(fd, (void *)p, count, (off_t)rnd(f, 64));
		break;
	default:
		iov[0].iov_base = (void *)p;
		iov[0].iov_len = count / 2;
		iov[1].iov_base = (char *)p + count / 2;
		iov[1].iov_len = count - count / 2;
		ret = readv(fd, iov, 2);
		break;
	}
	disarm_alarm();
	end(f, ret, errno);
	/*
	 * One event count per read; readv() reads each segment in turn (the
	 * device has no read_iter), so it may return one count per segment.
	 */
	if (ret > 0 && (how == 3 ? ret % 8 || (size_t)ret > count : ret != 8))
		fail(f, "read of %zu returned %zd (not 8)", count, ret);
	if (wh == W_VALID && ret == 8 && count >= 8 && how != 3) {
		const unsigned char *c = (const unsigned char *)p + 8;
		size_t i;

		for (i = 0; i < count - 8 && i < CANARY_LEN; i++)
			if (c[i] != CANARY) {
				fail(f, "read wrote past its 8 bytes");
				break;
			}
	}
}

static void do_poll(struct fuzzer *f)
{
	struct epoll_event ev = { .events = EPOLLIN }, out[2];
	struct pollfd pfd[2];
	fd_set rfds;
	struct timeval tv = { 0, (long)rnd(f, 2000) };
	int how = (int)rnd(f, 3), ret, ep;

	pfd[0].fd = pick_fd(f);
	pfd[1].fd = pick_fd(f);
	pfd[0].events = (short)kt_rand(&f->rng);
	pfd[1].events = POLLIN | POLLPRI | POLLOUT;
	begin(f, K_POLL, "poll %d", how);
	switch (how) {
	case 0:
		ret = poll(pfd, 1 + rnd(f, 2), (int)rnd(f, 3));
		break;
	case 1:
		FD_ZERO(&rfds);
		if (pfd[0].fd >= 0 && pfd[0].fd < FD_SETSIZE)
			FD_SET(pfd[0].fd, &rfds);
		ret = select(pfd[0].fd >= 0 && pfd[0].fd < FD_SETSIZE ?
			     pfd[0].fd + 1 : 0, &rfds, NULL, NULL, &tv);
		break;
	default:
		ep = epoll_create1(EPOLL_CLOEXEC);
		ev.events = (uint32_t)kt_rand(&f->rng) | EPOLLIN;
		ev.events &= ~(uint32_t)EPOLLEXCLUSIVE;
		ret = epoll_ctl(ep, EPOLL_CTL_ADD, pfd[0].fd, &ev);
		if (!ret)
			ret = epoll_wait(ep, out, 2, (int)rnd(f, 3));
		close(ep);
		break;
	}
	end(f, ret, errno);
	if (how == 0 && ret > 0 && pfd[0].fd >= 0 && pfd[0].fd < 1000 &&
	    (pfd[0].revents & (POLLERR | POLLNVAL)))
		fail(f, "poll on the device said 0x%x", pfd[0].revents);
}

/* The rest of what a file descriptor accepts. */
static void do_other(struct fuzzer *f)
{
	static unsigned char buf[64];
	int fd = pick_fd(f), how = (int)rnd(f, 6), ret;
	off_t off = 0;
	struct stat st;

	begin(f, K_OTHER, "other %d", how);
	switch (how) {
	case 0:
		ret = (int)write(fd, buf, rnd(f, 64));
		break;
	case 1:
		ret = (int)lseek(fd, (off_t)rnd(f, 8192), (int)rnd(f, 5));
		break;
	case 2:
		ret = fsync(fd);
		break;
	case 3:
		ret = fstat(fd, &st);
		break;
	case 4:
		ret = fcntl(fd, F_SETFL, one_in(f, 2) ? O_NONBLOCK : 0);
		break;
	default:
		ret = (int)sendfile(STDOUT_FILENO, fd, &off, 8);
		break;
	}
	end(f, ret, errno);
	if (how == 5 && ret > 0)
		fail(f, "sendfile from the device gave %d bytes", ret);
}

/* ---- success paths -------------------------------------------------------- */

/* Bind or restore a test NIC, set or clear the isolation, for real. */
static void do_success(struct fuzzer *f)
{
	static const char *const drivers[] = { "vfio-pci", "", "pci-stub",
					       "uio_pci_generic" };
	struct dpkit_nic_restore r = { 0 };
	struct dpkit_nic_bind b = { 0 };
	struct {
		struct dpkit_cpumask m;
		uint64_t w[1];
	} iso = { 0 };
	struct fdent *e = pick_fdent(f);
	int nic = cfg.nr_nics ? (int)rnd(f, cfg.nr_nics) : -1;
	int how = (int)rnd(f, 4);
	long ret;

	if (!e)
		return;
	if (how < 2 && nic < 0)
		how += 2;
	switch (how) {
	case 0:
		snprintf(b.bdf, sizeof(b.bdf), "%s", cfg.nic[nic]);
		snprintf(b.driver, sizeof(b.driver), "%s",
			 one_in(f, 4) ? cfg.nic_driver[nic] : drivers[rnd(f, 4)]);
		b.flags = one_in(f, 4) ? DPKIT_BIND_PERSIST : 0;
		begin(f, K_SUCCESS, "bind %s to '%s'%s%s", b.bdf, b.driver,
		      e->leased ? " (lease)" : "", b.flags ? " persist" : "");
		ret = ioctl(e->fd, DPKIT_IOC_NIC_BIND, &b);
		end(f, ret, errno);
		break;
	case 1:
		snprintf(r.bdf, sizeof(r.bdf), "%s", cfg.nic[nic]);
		begin(f, K_SUCCESS, "restore %s%s", r.bdf,
		      e->leased ? " (lease)" : "");
		ret = ioctl(e->fd, DPKIT_IOC_NIC_RESTORE, &r);
		end(f, ret, errno);
		break;
	case 2:
		iso.m.nr_bits = 64;
		iso.w[0] = 1ULL << (cfg.nr_cpus > 1 ? 1 + rnd(f, cfg.nr_cpus - 1) : 0);
		begin(f, K_SUCCESS, "isolate 0x%llx%s",
		      (unsigned long long)iso.w[0], e->leased ? " (lease)" : "");
		ret = ioctl(e->fd, DPKIT_IOC_ISOLATE_SET, &iso);
		end(f, ret, errno);
		break;
	default:
		begin(f, K_SUCCESS, "isolate clear%s",
		      e->leased ? " (lease)" : "");
		ret = ioctl(e->fd, DPKIT_IOC_ISOLATE_CLEAR, 0);
		end(f, ret, errno);
		break;
	}
}

/* ---- a worker --------------------------------------------------------------- */

static void one_call(struct fuzzer *f);

/* A child shares the fds (and leases) and mappings, makes a few calls, dies. */
static void do_fork(struct fuzzer *f)
{
	int status, i, n = 1 + (int)rnd(f, 20), killed = one_in(f, 2);
	uint64_t child_seed = kt_rand(&f->rng);
	pid_t pid;

	begin(f, K_FORK, "fork (%d calls%s)", n, killed ? ", killed" : "");
	fflush(stdout);
	pid = fork();
	if (!pid) {
		struct kt_worker scratch = { 0 };

		/* The child's own stream; its board entry is a private copy. */
		kt_rng_seed(&f->rng, child_seed, 1);
		f->w = &scratch;
		f->failed = 0;
		cfg.trace = 0;
		for (i = 0; i < n; i++)
			one_call(f);
		_exit(f->failed ? 1 : 0);
	}
	end(f, pid, errno);
	if (pid < 0)
		return;
	if (killed) {
		kt_sleep_ms((unsigned int)rnd(f, 5));
		kill(pid, SIGKILL);
	}
	/* The child's exit may end leases it was the last to hold. */
	kt_op_begin(f->w, cfg.timeout_s * 1000ULL, "#%llu wait for the forked child %d",
		    (unsigned long long)f->n, pid);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	kt_op_end(f->w, 0);
	if (WIFEXITED(status) && WEXITSTATUS(status))
		fail(f, "the forked child %d failed a check", pid);
}

static void one_call(struct fuzzer *f)
{
	uint64_t r;

	if (cfg.success && one_in(f, cfg.success)) {
		do_success(f);
		return;
	}
	r = rnd(f, 1000);
	if (r < 700)
		do_ioctl(f);
	else if (r < 720)
		open_dev(f);
	else if (r < 735)
		close_fd(f);
	else if (r < 745)
		lease_fd(f);
	else if (r < 755)
		dup_fd(f);
	else if (r < 757)
		do_fork(f);
	else if (r < 800)
		do_mmap(f);
	else if (r < 815)
		do_mprotect(f);
	else if (r < 830)
		do_munmap(f);
	else if (r < 840)
		do_mremap(f);
	else if (r < 850)
		do_madvise(f);
	else if (r < 910)
		do_read(f);
	else if (r < 970)
		do_poll(f);
	else
		do_other(f);
}

static void setup_arenas(struct fuzzer *f)
{
	f->arena = mmap(NULL, (ARENA_PAGES + 1) * PAGE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	f->ropage = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	f->scratch = mmap(NULL, SCRATCH_PAGES * PAGE, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (f->arena == MAP_FAILED || f->ropage == MAP_FAILED ||
	    f->scratch == MAP_FAILED) {
		perror("ioctl_fuzz: mmap the arenas");
		exit(1);
	}
	mprotect(f->arena + ARENA_PAGES * PAGE, PAGE, PROT_NONE);
	fill_random(f, f->ropage + PAGE, PAGE);
	mprotect(f->ropage + PAGE, PAGE, PROT_READ);
	mprotect(f->ropage + 2 * PAGE, PAGE, PROT_NONE);
	munmap(f->ropage + 3 * PAGE, PAGE);
}

static int worker_main(struct kt_board *b, int id, void *arg)
{
	uint64_t calls = *(uint64_t *)arg;
	struct fuzzer f = { .w = &b->w[id], .id = id };
	struct sigaction sa = { 0 };
	uint64_t k;

	kt_rng_seed(&f.rng, cfg.seed, (uint64_t)id + 1);
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_NODEFER | SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sa.sa_handler = on_alarm;
	sa.sa_flags = 0;	/* no SA_RESTART: a blocking read returns */
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	setup_arenas(&f);
	open_dev(&f);
	while (f.n < calls && !b->stop)
		one_call(&f);
	for (k = 0; k < K_NR; k++)
		__atomic_add_fetch(&kind_totals[k], f.by_kind[k], __ATOMIC_RELAXED);
	/* Leases end here, with the process. */
	return f.failed ? 1 : 0;
}

/* ---- before and after --------------------------------------------------- */

static void discover(void)
{
	char path[300], cls[32];
	struct dpkit_version v = { 0 };
	struct dirent *de;
	DIR *d;
	int i, fd;

	cfg.nr_cpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
	cfg.nr_possible = (int)sysconf(_SC_NPROCESSORS_CONF);
	for (i = 0; i < cfg.nr_nics; i++)
		kt_driver_of(cfg.nic[i], cfg.nic_driver[i], DPKIT_DRIVER_LEN);
	/* Existing PCI devices that are no network device: EINVAL paths. */
	d = opendir("/sys/bus/pci/devices");
	while (d && (de = readdir(d)) && cfg.nr_other < 8) {
		if (de->d_name[0] == '.' || strlen(de->d_name) >= DPKIT_BDF_LEN)
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/class",
			 de->d_name);
		if (kt_read_file(path, cls, sizeof(cls)) < 0 ||
		    !strncmp(cls, "0x02", 4))
			continue;
		snprintf(cfg.other[cfg.nr_other++], DPKIT_BDF_LEN, "%s", de->d_name);
	}
	if (d)
		closedir(d);
	fd = open(KT_DEV, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || ioctl(fd, DPKIT_IOC_VERSION, &v)) {
		perror("ioctl_fuzz: " KT_DEV " VERSION");
		exit(1);
	}
	close(fd);
	cfg.map_size = v.map_size;
}

/*
 * The host as it was: no isolation, every test NIC on its driver with no
 * record, no DPDK port in the table, the watch set back to "all".
 */
static int restore_and_check(void)
{
	struct dpkit_link_watch w = { .op = DPKIT_WATCH_ALL };
	struct {
		struct dpkit_cpumask m;
		uint64_t w[1024];
	} iso;
	struct {
		struct dpkit_nic_list l;
		struct dpkit_nic n[64];
	} list;
	const struct dpkit_page_hdr *hdr;
	const struct dpkit_link_slot *s;
	struct dpkit_nic_restore r;
	struct dpkit_link_report rep;
	char drv[DPKIT_DRIVER_LEN];
	int fd, bad = 0, i, ports = 0;
	unsigned int j;
	void *page;

	fd = open(KT_DEV, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		perror("ioctl_fuzz: open " KT_DEV);
		return 1;
	}
	if (ioctl(fd, DPKIT_IOC_ISOLATE_CLEAR, 0))
		kt_say("FAIL: ISOLATE_CLEAR at the end: %s", kt_errname(errno)), bad++;
	for (i = 0; i < cfg.nr_nics; i++) {
		memset(&r, 0, sizeof(r));
		snprintf(r.bdf, sizeof(r.bdf), "%s", cfg.nic[i]);
		if (ioctl(fd, DPKIT_IOC_NIC_RESTORE, &r))
			kt_say("FAIL: restore %s at the end: %s", cfg.nic[i],
			       kt_errname(errno)), bad++;
		kt_driver_of(cfg.nic[i], drv, sizeof(drv));
		if (strcmp(drv, cfg.nic_driver[i]))
			kt_say("FAIL: %s is on '%s', was on '%s'", cfg.nic[i], drv,
			       cfg.nic_driver[i]), bad++;
	}
	if (ioctl(fd, DPKIT_IOC_LINK_WATCH, &w))
		kt_say("FAIL: LINK_WATCH ALL: %s", kt_errname(errno)), bad++;
	/* DPDK ports reported without a lease stay: remove them. */
	page = mmap(NULL, cfg.map_size, PROT_READ, MAP_SHARED, fd, 0);
	if (page == MAP_FAILED) {
		kt_say("FAIL: mmap the page: %s", kt_errname(errno));
		close(fd);
		return 1;
	}
	hdr = page;
	for (j = 0; j < hdr->nr_slots; j++) {
		s = (const void *)((const char *)page + hdr->slot_offset +
				   (size_t)j * hdr->slot_size);
		if (s->owner != DPKIT_OWNER_DPDK)
			continue;
		memset(&rep, 0, sizeof(rep));
		rep.port_id = s->key;
		rep.op = DPKIT_REPORT_REMOVE;
		if (ioctl(fd, DPKIT_IOC_LINK_REPORT, &rep))
			kt_say("FAIL: remove DPDK port %u: %s", s->key,
			       kt_errname(errno)), bad++;
		ports++;
	}
	kt_say("removed %d DPDK port(s) reported without a lease", ports);
	for (j = 0; j < hdr->nr_slots; j++) {
		s = (const void *)((const char *)page + hdr->slot_offset +
				   (size_t)j * hdr->slot_size);
		if (s->owner == DPKIT_OWNER_DPDK)
			kt_say("FAIL: DPDK port %u still in slot %u", s->key, j), bad++;
	}
	munmap(page, cfg.map_size);

	memset(&iso, 0, sizeof(iso));
	iso.m.nr_bits = 1024 * 64;
	if (ioctl(fd, DPKIT_IOC_ISOLATE_GET, &iso))
		kt_say("FAIL: ISOLATE_GET: %s", kt_errname(errno)), bad++;
	for (j = 0; j < 1024; j++)
		if (iso.w[j]) {
			kt_say("FAIL: CPUs still isolated"), bad++;
			break;
		}
	memset(&list, 0, sizeof(list));
	list.l.count = 64;
	list.l.entry_size = sizeof(struct dpkit_nic);
	if (ioctl(fd, DPKIT_IOC_NIC_LIST, &list))
		kt_say("FAIL: NIC_LIST: %s", kt_errname(errno)), bad++;
	for (j = 0; j < list.l.count; j++)
		if (list.n[j].flags & (DPKIT_NIC_F_DPKIT | DPKIT_NIC_F_LEASED))
			kt_say("FAIL: %s still has a dpkit record (flags 0x%x)",
			       list.n[j].bdf, list.n[j].flags), bad++;
	close(fd);
	return bad;
}

/* One line: the calls of each kind, all workers together. */
static void print_kinds(void)
{
	char line[1024];
	int k, n;

	n = snprintf(line, sizeof(line), "calls by kind:");
	for (k = 0; k < K_NR && n < (int)sizeof(line) - 40; k++)
		n += snprintf(line + n, sizeof(line) - (size_t)n, "%s %s %llu",
			      k ? "," : "", kind_name[k],
			      (unsigned long long)kind_totals[k]);
	kt_say("%s", line);
}

static void usage(void)
{
	fprintf(stderr, "usage: ioctl_fuzz [--seed N] [--calls N] [--procs N] "
		"[--nic BDF]... [--success N] [--worker W] [--trace] "
		"[--timeout S]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "calls", required_argument, NULL, 'c' },
		{ "procs", required_argument, NULL, 'p' },
		{ "nic", required_argument, NULL, 'n' },
		{ "success", required_argument, NULL, 'S' },
		{ "worker", required_argument, NULL, 'w' },
		{ "trace", no_argument, NULL, 't' },
		{ "timeout", required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t per, total = 0, t0;
	int c, i, hung, failed, bad, seeded = 0;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			cfg.seed = strtoull(optarg, NULL, 0);
			seeded = 1;
			break;
		case 'c':
			cfg.calls = strtoull(optarg, NULL, 0);
			break;
		case 'p':
			cfg.procs = atoi(optarg);
			break;
		case 'n':
			if (cfg.nr_nics == MAX_NICS)
				usage();
			snprintf(cfg.nic[cfg.nr_nics++], DPKIT_BDF_LEN, "%s", optarg);
			break;
		case 'S':
			cfg.success = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'w':
			cfg.only = atoi(optarg);
			break;
		case 't':
			cfg.trace = 1;
			break;
		case 'T':
			cfg.timeout_s = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		default:
			usage();
		}
	}
	if (optind != argc || cfg.procs < 1 || cfg.procs > 64 ||
	    cfg.only >= cfg.procs)
		usage();
	if (!seeded)
		cfg.seed = kt_seed_now();
	setvbuf(stdout, NULL, _IOLBF, 0);
	discover();
	per = (cfg.calls + (uint64_t)cfg.procs - 1) / (uint64_t)cfg.procs;
	kt_say("ioctl_fuzz: seed %llu, %d processes, %llu calls each, "
	       "%d CPUs online, %d NIC(s)%s, a success path in %u calls, "
	       "%zu-bit caller", (unsigned long long)cfg.seed, cfg.procs,
	       (unsigned long long)per, cfg.nr_cpus, cfg.nr_nics,
	       cfg.only >= 0 ? " (one worker replayed)" : "", cfg.success,
	       sizeof(void *) * 8);
	for (i = 0; i < cfg.nr_nics; i++)
		kt_say("NIC %s on %s", cfg.nic[i], cfg.nic_driver[i]);

	board = kt_board_new(cfg.procs);
	kind_totals = mmap(NULL, K_NR * sizeof(*kind_totals),
			   PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (kind_totals == MAP_FAILED) {
		perror("ioctl_fuzz: mmap the totals");
		return 1;
	}
	t0 = kt_now_ns();
	for (i = 0; i < cfg.procs; i++) {
		if (cfg.only >= 0 && i != cfg.only)
			continue;
		kt_spawn(board, i, "fuzz", worker_main, &per);
		board->w[i].op_limit_ns = (uint64_t)cfg.timeout_s * 1000000000ULL;
	}
	/* Calls carry their own limit; --timeout caps every one of them. */
	hung = kt_board_watch(board, 0, 0);
	if (hung >= 0) {
		kt_board_kill(board);
		kt_board_print(board);
		kt_say("ioctl_fuzz: seed %llu: HANG in worker %d; replay with "
		       "--seed %llu --procs %d --worker %d --trace",
		       (unsigned long long)cfg.seed, hung,
		       (unsigned long long)cfg.seed, cfg.procs, hung);
		return 3;
	}
	failed = kt_board_reap(board);
	kt_board_print(board);
	print_kinds();
	for (i = 0; i < cfg.procs; i++)
		total += board->w[i].ops;
	bad = restore_and_check();
	kt_say("ioctl_fuzz: seed %llu: %llu calls in %.1f s, %d worker(s) "
	       "failed, %d end-state problem(s)", (unsigned long long)cfg.seed,
	       (unsigned long long)total, (double)(kt_now_ns() - t0) / 1e9,
	       failed, bad);
	return failed || bad ? 1 : 0;
}
