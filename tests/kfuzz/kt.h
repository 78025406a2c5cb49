/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * kt: what the kernel fuzz and stress programs share (tests/kfuzz): a
 * seeded random generator, a board of forked workers watched for hangs,
 * the dump of a stuck task, VFIO and sysfs helpers, the host channel.
 * Plain libc and raw syscalls: no libdpkit, so malformed calls reach the
 * module, and the fuzzer also builds for 32-bit callers.
 *
 * Documentation/testing.rst describes the programs.
 */
#ifndef KT_H
#define KT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define KT_DEV	"/dev/dpkit"

/* ---- random ---------------------------------------------------------- */

/* splitmix64: one word of state, every seed a good one, replayable. */
struct kt_rng {
	uint64_t s;
};

void kt_rng_seed(struct kt_rng *r, uint64_t seed, uint64_t stream);
uint64_t kt_rand(struct kt_rng *r);
/* Uniform in [0, n), n > 0. */
uint64_t kt_below(struct kt_rng *r, uint64_t n);
/* True once in @n draws. */
int kt_one_in(struct kt_rng *r, uint64_t n);
/* A seed from the clock, for a run that was given none. */
uint64_t kt_seed_now(void);

/* ---- time and output ------------------------------------------------- */

uint64_t kt_now_ns(void);
void kt_sleep_ms(unsigned int ms);
/* "# ..." diagnostics on stdout, line-buffered across processes. */
void kt_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The errno's name ("EPERM"), "ok" for 0, or "E<n>" for an unnamed one. */
const char *kt_errname(int err);

/* ---- the board: workers, what each is doing, hangs ------------------- */

#define KT_OP_LEN	64
#define KT_NR_ERRNO	134	/* counted errnos: 0..133; others in [133] */

struct kt_worker {
	pid_t pid;
	char role[24];
	char op[KT_OP_LEN];		/* the call in progress, "" between */
	uint64_t op_start_ns;		/* 0 between calls */
	uint64_t op_limit_ns;		/* a hang when op runs longer */
	uint64_t ops;			/* calls finished */
	uint64_t errs[KT_NR_ERRNO];	/* results by errno (0: success) */
	int failed;			/* checks that failed in this worker */
	int exited;
};

struct kt_board {
	volatile int stop;		/* workers finish their cycle and exit */
	int nr;
	struct kt_worker w[];
};

/* A board for @nr workers in memory shared with the children forked later. */
struct kt_board *kt_board_new(int nr);
/*
 * Fork worker @i running @fn(board, i, arg); its result is its exit status.
 * The child dies with the parent (PR_SET_PDEATHSIG), leads its own process
 * group and is named after @role (kt_name()).
 */
pid_t kt_spawn(struct kt_board *b, int i, const char *role,
	       int (*fn)(struct kt_board *, int, void *), void *arg);
/* Mark the start and the end (with its errno, 0 on success) of a call. */
void kt_op_begin(struct kt_worker *w, uint64_t limit_ms, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void kt_op_end(struct kt_worker *w, int err);
/*
 * Watch the workers until they have all exited or @deadline_ns passes
 * (0: no deadline; then the board's stop flag is set and they get @grace_ms
 * to finish). A call that outlives its limit is a hang: the stuck worker
 * and every task in D state are dumped and its index returned; else -1.
 */
int kt_board_watch(struct kt_board *b, uint64_t deadline_ns,
		   unsigned int grace_ms);
/* Reap exited workers; the number of workers that failed. */
int kt_board_reap(struct kt_board *b);
/* SIGKILL every worker still there and its helpers (D state stays). */
void kt_board_kill(struct kt_board *b);
/* Name the calling process "kt-WHAT" (truncated): stack dumps show it. */
void kt_name(const char *what);
/* Per worker: calls and results by errno. */
void kt_board_print(const struct kt_board *b);

/* ---- stuck tasks ------------------------------------------------------ */

/* Every thread of @pid: state, wchan and kernel stack, as "# " lines. */
void kt_dump_task(pid_t pid);
/* Every task of the system in D state, dumped the same way. */
int kt_dump_blocked(void);

/* ---- files, sysfs, drivers --------------------------------------------- */

int kt_write_file(const char *path, const char *text);
int kt_read_file(const char *path, char *buf, size_t size);
/* The driver bound to PCI device @bdf into @buf ("" when none). */
void kt_driver_of(const char *bdf, char *buf, size_t size);
/* The IOMMU group number of @bdf, or -1. */
int kt_iommu_group(const char *bdf);

/* ---- VFIO ------------------------------------------------------------- */

struct kt_vfio {
	int container, group, device;
};

/*
 * Open @bdf (bound to vfio-pci) the way DPDK does: a container with the
 * type1 IOMMU, its group, and the device fd (VFIO_GROUP_GET_DEVICE_FD).
 * 0, or -errno with a message on stderr naming the failed call.
 */
int kt_vfio_open(const char *bdf, struct kt_vfio *v);
void kt_vfio_close(struct kt_vfio *v);

/* ---- the host (tests/vm/lib.sh `host`) -------------------------------- */

/* The virtio-serial port named dpkit.host into @buf; -1 when absent. */
int kt_host_port(char *buf, size_t size);
/* Send one command on an open port, read the reply: 0 when "ok". */
int kt_host(int fd, const char *cmd);

#endif /* KT_H */
