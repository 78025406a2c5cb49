/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpkitd's roles (DESIGN.md, thread model): a function that needs a role
 * takes that role's context. The main lcore owns struct dpk_main and is the
 * only one that launches, stops and waits for workers; a worker owns its
 * struct dpk_worker and touches only its queues and counters.
 */
#ifndef DPKITD_H
#define DPKITD_H

#include <stdint.h>

#include "config.h"
#include "libdpkit.h"

#define DPK_BURST	32
#define DPK_MAX_RXQ	64	/* (port, queue) pairs per worker */

struct rte_mempool;

/* Per-worker counters; only the worker writes them, the main lcore reads. */
struct dpk_stats {
	uint64_t rx;
	uint64_t tx;
	uint64_t drop_tx_full;		/* the tx queue did not take them */
	uint64_t drop_link_down;	/* the destination port was down */
	uint64_t polls, busy_polls;	/* passes, and passes with packets */
} __attribute__((aligned(64)));

struct dpk_rxq {
	uint16_t port_id, queue;	/* DPDK's ids */
	uint16_t dst_port_id;
	uint8_t port, dst_port;		/* config indexes: bits of link_up */
};

struct dpk_worker {
	unsigned int id;		/* 0 .. nr_workers - 1: its tx queue */
	unsigned int lcore;
	unsigned int nr_rxq;
	struct dpk_rxq rxq[DPK_MAX_RXQ];
	const volatile int *stop;	/* set by the main lcore */
	/* Link state: one 64-bit word (dpkit.ko's page, or dpkitd's own),
	 * loaded once per pass; port i is up when bit link_bit[i] is set. */
	const volatile uint64_t *link_word;
	uint8_t link_bit[DPK_MAX_PORTS];
	struct dpk_stats stats;
};

struct dpk_main {
	const struct dpk_config *cfg;
	struct rte_mempool *pool;
	unsigned int nr_ports, nr_started;
	uint16_t port_ids[DPK_MAX_PORTS];
	unsigned int nr_workers;
	struct dpk_worker workers[DPKIT_MAX_WORKERS];
	volatile int stop;
	volatile uint64_t link_up;	/* bit per port, written by the main lcore */
	struct dpkit *dk;		/* the lease, when dpkit.ko is there */
	struct dpkit_link_page pg;
	const volatile uint64_t *link_word;
	uint8_t link_bit[DPK_MAX_PORTS];
};

/* worker.c: the run-to-completion loop (an lcore_function_t). */
int dpk_worker_main(void *arg);

struct dpkit_placement;

/* dataplane.c: the EAL arguments of a plan, and the dataplane itself. */
#define DPK_MAX_EAL_ARGS	(16 + 2 * DPK_MAX_PORTS)
int dpk_eal_args(const struct dpk_config *cfg, const struct dpkit_placement *p,
		 char **argv, char *buf, size_t size);
int dpk_run(const struct dpk_config *cfg, const struct dpkit_placement *p);

/* telemetry.c: /dpkit/ports, /dpkit/workers, /dpkit/link. */
void dpk_telemetry_init(const struct dpk_main *m);

/* stage1.c: binds through a lease, the sealed config memfd, exec self. */
int dpk_stage1(struct dpk_config *cfg, const struct dpkit_placement *p,
	       char **argv);

#endif /* DPKITD_H */
