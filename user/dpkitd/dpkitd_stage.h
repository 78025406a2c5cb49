/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The stage callback API: what dpkitd does to packets between rx and tx.
 *
 * A stage sees a burst of packets and says, for each, which configured port
 * it leaves by (out[i], an index into the [port] sections in file order) or
 * DPK_STAGE_DROP. It may rewrite the packets; it must not free them or keep
 * them: dpkitd sends, drops and counts. in[i] is the port packet i came in
 * by (same indexes).
 *
 * A stage runs on worker lcores, so the worker rules apply: the build
 * compiles each file of STAGES under worker_rules.h (no sleeping, blocking,
 * signals, raw DPDK locks: a stage that uses one does not build). With an
 * eventdev, the packets of one flow reach the stage on one worker at a time
 * and in order (queue 0 is atomic); in poll mode a port's queue is always
 * served by one worker.
 *
 * dpkitd's built-in stages are "forward" (the forwarding map, the default),
 * "reflect" (back out the port it came in by, MAC addresses swapped) and
 * "drop". To add one, write a file that registers it:
 *
 *	static void my_process(const struct dpk_stage_ctx *ctx,
 *			       struct rte_mbuf **pkts, const uint8_t *in,
 *			       uint16_t *out, uint16_t n) { ... }
 *	static const struct dpk_stage my_stage = {
 *		.name = "mine", .help = "what it does", .process = my_process,
 *	};
 *	DPK_STAGE_REGISTER(my_stage);
 *
 * build dpkitd with it (make STAGES=path/to/mine.c) and say "stage = mine"
 * in dpkitd.conf (Documentation/dpkitd.rst). A control function (below)
 * may block, so it goes in a file of its own, outside the worker rules:
 * make STAGES=mine.c STAGES_CONTROL=mine_control.c. tests/host/stages/ has
 * two small examples.
 */
#ifndef DPKITD_STAGE_H
#define DPKITD_STAGE_H

#include <stdint.h>

#include <rte_common.h>

struct rte_mbuf;

#define DPK_STAGE_DROP	0xffff

struct dpk_stage_ctx {
	unsigned int worker;		/* the calling worker, 0 .. workers - 1 */
	unsigned int nr_ports;
	const uint8_t *forward;		/* port i's "forward =" target */
};

typedef void dpk_stage_fn(const struct dpk_stage_ctx *ctx,
			  struct rte_mbuf **pkts, const uint8_t *in,
			  uint16_t *out, uint16_t n);

struct dpk_stage {
	const char *name;
	const char *help;		/* one line, for --check-config */
	dpk_stage_fn *process;
	/*
	 * Optional: the stage's control work (loading tables, talking to
	 * the outside), on a thread of its own that is not a worker: it may
	 * block and sleep (in a file of STAGES_CONTROL), and, registered
	 * with the EAL, use DPDK's
	 * lock-free rings and mempools to hand work to the workers. It runs
	 * from before the workers start until *stop is set, and must then
	 * return promptly. ctx->worker is 0 and means nothing here.
	 */
	void (*control)(const struct dpk_stage_ctx *ctx,
			const volatile int *stop);
	unsigned int flags;		/* DPK_STAGE_F_* */
};

/*
 * The stage only picks ports, by the input port alone: it neither reads nor
 * writes the packets, and out[i] depends on in[i] (and ctx) only. In poll
 * mode, where a burst comes from one port, dpkitd then calls process() for
 * the burst's first packet only (n = 1) and sends the whole burst where it
 * said: a call per burst instead of work per packet. "forward" and "drop"
 * are such stages.
 */
#define DPK_STAGE_F_BY_PORT	(1U << 0)

/* The forwarding map ("forward ="): out[i] = ctx->forward[in[i]]. What the
 * "forward" stage does; a stage that forwards and does more calls it. */
void dpk_stage_forward(const struct dpk_stage_ctx *ctx, const uint8_t *in,
		       uint16_t *out, uint16_t n);

/* Called from constructors (DPK_STAGE_REGISTER), before main(). */
void dpk_stage_register(const struct dpk_stage *stage);
const struct dpk_stage *dpk_stage_find(const char *name);
/* The registered names, comma-separated, for messages. */
void dpk_stage_names(char *buf, size_t size);

#define DPK_STAGE_REGISTER(s)						\
	RTE_INIT(dpk_stage_register_##s) { dpk_stage_register(&(s)); }

#endif /* DPKITD_STAGE_H */
