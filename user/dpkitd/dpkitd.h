/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpkitd's roles (DESIGN.md, thread model): a function that needs a role
 * takes that role's context. The main lcore owns struct dpk_main and is the
 * only one that launches, stops and waits for workers; a worker owns its
 * struct dpk_worker and touches only its queues and counters.
 */
#ifndef DPKITD_H
#define DPKITD_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <rte_eventdev.h>

#include "config.h"
#include "dpkitd_stage.h"
#include "idle.h"
#include "libdpkit.h"
#include "plan.h"

#define DPK_BURST	32
#define DPK_MAX_RXQ	64	/* (port, queue) pairs per worker */

struct rte_mempool;

/* Per-worker counters; only the worker writes them, the main lcore reads. */
struct dpk_stats {
	uint64_t rx;
	uint64_t rx_held;		/* refused by the eventdev, offered again */
	uint64_t stage;			/* packets the stage saw */
	uint64_t tx;
	uint64_t drop_tx_full;		/* the tx queue did not take them */
	uint64_t drop_link_down;	/* the destination port was down */
	uint64_t drop_evdev;		/* the eventdev refused a forward (full) */
	uint64_t drop_stage;		/* the stage said drop */
	uint64_t drop_flush;		/* in flight at shutdown, freed */
	uint64_t evdev_errors;		/* -EINVAL from the eventdev: a bug */
	uint64_t polls, busy_polls;	/* passes, and passes with packets */
	uint64_t link_seen;		/* the link word of the last pass */
	/* Idle (idle.c): parks, parks called off (work came), what ended
	 * each park, the time parked. */
	uint64_t parks, park_aborts;
	uint64_t wake_rx, wake_kick, wake_timeout;
	uint64_t parked_tsc;
	/* The same drops by port: link down by the port it was for, eventdev
	 * full by the port it came in by (rx) or was for (forward). */
	uint64_t port_drop_link_down[DPK_MAX_PORTS];
	uint64_t port_drop_evdev[DPK_MAX_PORTS];
} __attribute__((aligned(64)));

/* What a worker sent or dropped: with rx, what is in flight. */
static inline uint64_t dpk_stats_out(const volatile struct dpk_stats *st)
{
	return st->tx + st->drop_tx_full + st->drop_link_down + st->drop_evdev +
	       st->drop_stage + st->drop_flush + st->evdev_errors;
}

struct dpk_rxq {
	uint16_t port_id, queue;	/* DPDK's ids */
	uint16_t dst_port_id;
	uint8_t port, dst_port;		/* config indexes: bits of link_up */
	bool sw_hash;			/* no RSS hash in the mbuf: flow.c's */
};

/*
 * The eventdev as the workers use it, set before launch (evdev.c): queue 0
 * is atomic by flow; worker i owns event port i, on which it enqueues its
 * rx as NEW events and dequeues queue 0 for the stage, then sends on its
 * own tx queue of each port. A port with fewer tx queues than workers is
 * sent to through queue 1, single-link, whose port (tx_port) worker 0 owns
 * (Documentation/dpkitd.rst, "The pipeline"). What the device needs is
 * read from its capabilities.
 */
struct dpk_evdev {
	uint8_t dev;
	uint8_t nb_ports, nb_queues;
	bool has_tx_port;		/* queue 1 and its port exist */
	uint8_t tx_port;
	bool maintain;			/* no RTE_EVENT_DEV_CAP_MAINTENANCE_FREE */
	bool qos;			/* RTE_EVENT_DEV_CAP_EVENT_QOS */
	unsigned int max_num_events;	/* nb_events_limit */
	unsigned int flows;		/* max_event_queue_flows */
	unsigned int new_threshold;	/* every port's */
	unsigned int reserve;		/* credits the ports may hold back */
	uint16_t deq_depth, enq_depth;
	char name[32];
};

/* A scheduler that needs a service (event_sw): on its own lcore or inline. */
struct dpk_service {
	uint32_t id;
	int lcore;			/* a service lcore, or -1: inline */
};

/* Enqueue attempts for a forward before its events are released (seed 004). */
#define DPK_ENQ_RETRIES		64

struct dpk_worker {
	unsigned int id;		/* 0 .. nr_workers - 1: its tx queue */
	unsigned int lcore;
	unsigned int nr_rxq;
	struct dpk_rxq rxq[DPK_MAX_RXQ];
	const volatile int *stop;	/* set by the main lcore */
	const volatile int *stop_rx;	/* first step of a shutdown */
	/* The pipeline: the stage, and the eventdev (NULL in poll mode). */
	const struct dpk_stage *stage;
	struct dpk_stage_ctx stage_ctx;
	const struct dpk_evdev *ev;
	uint8_t ev_port;		/* rx's NEW, the stage's dequeue */
	unsigned int rx_first;		/* the rx queue served first */
	bool shared_cpu;		/* test mode: yield after each pass */
	/* rx admission: NEW events the eventdev refused, offered first next
	 * pass (no rx meanwhile). */
	uint16_t nb_held;
	struct rte_event held[DPK_BURST];
	bool tx;			/* owns the eventdev's tx port */
	uint32_t funnel;		/* ports sent to through tx_port */
	struct dpk_service *service;	/* inline: this worker runs it */
	uint8_t prio[DPK_MAX_PORTS];	/* event priority per rx port */
	uint16_t port_ids[DPK_MAX_PORTS];	/* config index -> DPDK port */
	/* Link state: one 64-bit word (dpkit.ko's page, or dpkitd's own),
	 * loaded once per pass; port i is up when bit link_bit[i] is set. */
	const volatile uint64_t *link_word;
	uint8_t link_bit[DPK_MAX_PORTS];
	int tid;			/* its thread (telemetry, tests) */
	struct dpk_idle idle;		/* rx-mode: how it parks (idle.h) */
	struct dpk_stats stats;
};

#define DPK_RETA_SIZE	512	/* the largest RETA dpkitd configures */

/* A port's RSS as its device reports it (telemetry). */
struct dpk_rss {
	uint64_t hf;
	uint8_t key[DPK_RSS_KEY_MAX];
	uint8_t key_len;
	uint16_t reta_size;
	uint16_t reta[DPK_RETA_SIZE];
};

struct dpk_main {
	const struct dpk_config *cfg;
	/* The plan (plan.h): queues and NUMA node per port, the eventdev's
	 * size, one mbuf pool per NUMA node with ports. */
	struct dpk_port_plan plan[DPK_MAX_PORTS];
	struct dpk_evdev_plan ev_plan;
	struct dpk_mbuf_plan mbuf_plan;
	struct rte_mempool *pools[DPK_MAX_POOLS];
	unsigned int nr_pools;
	unsigned int nr_ports, nr_started;
	uint16_t port_ids[DPK_MAX_PORTS];
	uint16_t nb_rxq[DPK_MAX_PORTS], nb_txq[DPK_MAX_PORTS];
	uint32_t funnel;		/* ports with one tx queue for all */
	uint32_t configured, started;	/* ports to close, to stop */
	struct dpk_rss rss[DPK_MAX_PORTS];
	uint32_t hw_hash;		/* ports whose mbufs carry the RSS hash */
	unsigned int nr_workers;
	struct dpk_worker workers[DPKIT_MAX_WORKERS];
	volatile int stop, stop_rx;
	const struct dpk_stage *stage;
	uint8_t forward[DPK_MAX_PORTS];
	bool use_evdev;			/* started */
	bool ev_configured;		/* to be closed */
	struct dpk_evdev ev;
	bool use_service;
	struct dpk_service service;
	uint64_t drop_flush;		/* freed by the eventdev's stop flush */
	bool control_running;
	struct dpk_stage_ctx control_ctx;
	pthread_t control;		/* the stage's control thread */
	volatile uint64_t link_up;	/* bit per port, written by the main lcore */
	int lsc_fd;			/* eventfd: an LSC interrupt came */
	uint64_t lsc;			/* ports with an LSC callback */
	struct dpkit *dk;		/* the lease, when dpkit.ko is there */
	struct dpkit_link_page pg;
	const volatile uint64_t *link_word;
	uint8_t link_bit[DPK_MAX_PORTS];
	/* Idle (idle.c): ports configured with rx interrupts, what stopped
	 * the others, how each port's workers park, and the peers. */
	uint32_t rxq_intr;
	int rxq_intr_err[DPK_MAX_PORTS];
	enum dpk_park port_park[DPK_MAX_PORTS];
	unsigned int port_cap_us[DPK_MAX_PORTS];
	struct dpk_idle_peers peers;
	bool idle_ready;		/* eventfds and epoll sets to close */
};

/* worker.c: the run-to-completion loop (an lcore_function_t). */
int dpk_worker_main(void *arg);

/*
 * Fault injection for the error-path tests, in debug builds (make
 * DEBUG=1) only: true when DPKITD_FAIL names @what, with ":@idx" when
 * @idx >= 0 (DPKITD_FAIL=port-start:1, DPKITD_FAIL=evdev-link).
 */
#ifdef DPK_DEBUG
bool dpk_fail_at(const char *what, int idx);
#else
static inline bool dpk_fail_at(const char *what, int idx)
{
	(void)what;
	(void)idx;
	return false;
}
#endif

/* thread.c: the only way to start a non-EAL thread (registered with the EAL
 * while it runs @fn). */
int dpk_spawn(pthread_t *thread, const char *name, void (*fn)(void *arg),
	      void *arg);

/* evdev.c: plan the eventdev from what it says it has (before the mbuf
 * pools: they hold its events); configure and start it and its service;
 * stop it all. */
int dpk_evdev_plan(struct dpk_main *m);
int dpk_evdev_setup(struct dpk_main *m, int service_lcore);
void dpk_evdev_stop(struct dpk_main *m);

struct dpkit_placement;
struct dpk_ids;

/* dataplane.c: the EAL arguments of a plan, and the dataplane itself. */
#define DPK_MAX_EAL_ARGS	(16 + 2 * DPK_MAX_PORTS)
/* The service lcore's id for the EAL, or -1 (none, or inline). */
int dpk_service_lcore(const struct dpk_config *cfg,
		      const struct dpkit_placement *p);
int dpk_eal_args(const struct dpk_config *cfg, const struct dpkit_placement *p,
		 char **argv, char *buf, size_t size);
int dpk_run(const struct dpk_config *cfg, const struct dpkit_placement *p,
	    const struct dpk_ids *ids);

/*
 * crash.c: with DPKITD_CRASH naming this point ("@name", or "@name:@idx"
 * when @idx >= 0), SIGKILL dpkitd here (Documentation/reliability.rst,
 * "Crash points"). Always compiled in; nothing happens without it.
 */
void dpk_crash_point(const char *name, int idx);

/*
 * privs.c: least privilege (Documentation/dpkitd.rst, "Privileges").
 * dpk_privs_resolve(): user = and group = as ids (switch_user false when
 * no user is configured: dpkitd stays uid 0, without capabilities).
 * dpk_privs_check(): whether this process may switch to them (stage one
 * refuses to start when not). dpk_privs_drop(), on the main lcore once
 * everything is up: every thread loses every capability and gains
 * no-new-privs and the ids; worker and service lcores get the seccomp
 * filter. 0, or -errno after saying why (dpkitd must not go on then).
 * dpk_privs_drop_self(): the calling thread only, no filter (the undo
 * helper, a process of one thread).
 */
struct dpk_ids {
	bool switch_user;
	uid_t uid;
	gid_t gid;
};
int dpk_privs_resolve(const struct dpk_config *cfg, struct dpk_ids *ids,
		      char *err, size_t size);
int dpk_privs_check(const struct dpk_ids *ids, char *err, size_t size);
int dpk_privs_drop(const struct dpk_ids *ids);
int dpk_privs_drop_self(void);

/* telemetry.c: /dpkit/ports, /dpkit/workers, /dpkit/link. */
void dpk_telemetry_init(const struct dpk_main *m);

/* dpkitd's entries in the knobs' journal (DPKIT_KNOBS_JOURNAL), and the
 * lock that keeps it one per host (its pid inside). */
#define DPK_KNOBS_OWNER	"dpkitd"
#define DPK_RUN_DIR	"/run/dpkit"
#define DPK_LOCK	DPK_RUN_DIR "/dpkitd.lock"

/* stage1.c: binds through a lease, the sealed config memfd, exec self. */
int dpk_stage1(struct dpk_config *cfg, const struct dpkit_placement *p,
	       char **argv);
void dpk_knobs_undo(void);
/*
 * Stage two, at exit: ask the undo helper stage one left (its socket,
 * DPKITD_UNDO_FD) to put the knobs back, and wait until it did. Nothing
 * when there is none (no knobs were changed).
 */
void dpk_knobs_put_back(void);
/*
 * Stage two's configuration: the text of stage one's memfd
 * (DPKITD_CONFIG_FD), which must be sealed against change, once the
 * instance lock is held (stage one's, DPKITD_LOCK_FD, or taken now: a
 * stage two from the environment is still one per host). NULL and @err
 * when not.
 */
#define DPK_CONFIG_MAX	(1 << 20)
char *dpk_stage2_config(char *err, size_t size);

#endif /* DPKITD_H */
