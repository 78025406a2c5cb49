/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Idle (Documentation/dpkitd.rst, "Idle"): a worker whose passes find
 * nothing parks, between passes, holding nothing, in dpk_idle_park() —
 * the one function that arms rx interrupts, waits in epoll, monitors,
 * pauses or sleeps. It lives in idle.c, which is not a worker translation
 * unit: worker_rules.h poisons every one of those calls, and the token
 * functions below, in worker.c, stage.c and the user stages.
 *
 * Arming returns a token that only disarming consumes, the C form of "ack
 * the interrupt in the drop of a wrapper type":
 *
 *	DPK_ARMED a = dpk_rxq_arm(w, up);	the queues' interrupts are on
 *	...wait...
 *						end of scope: dpk_rxq_disarm(&a)
 *
 * dpk_rxq_arm() must have its result used (warn_unused_result: dropping
 * the token does not build); DPK_ARMED disarms when the token goes out of
 * scope (the cleanup attribute); a debug build (make DEBUG=1) counts what
 * is armed and panics when the park returns with a queue still armed, when
 * a token is disarmed twice, and when a worker parks holding a DPDK lock.
 * An armed queue is therefore never polled: every pass runs with none.
 */
#ifndef DPKITD_IDLE_H
#define DPKITD_IDLE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_atomic.h>
#include <rte_epoll.h>

#include "config.h"
#include "libdpkit.h"
#include "plan.h"

struct dpk_worker;
struct dpk_main;
struct rte_eth_link;

/* A bit per rx queue of a worker: DPK_MAX_RXQ at most (idle.c checks). */
#define DPK_IDLE_MAX_RXQ	64

/* Workers that may wake each other: with an eventdev, what one receives
 * may be scheduled to another, parked one. */
struct dpk_idle_peers {
	uint64_t parked[(DPKIT_MAX_WORKERS + 63) / 64];	/* bit per worker in epoll */
	struct dpk_worker *workers;
	unsigned int nr;
};

/* A worker's idle state: set by the main lcore before launch (idle.c),
 * then the worker's own. */
struct dpk_idle {
	unsigned int passes;		/* empty passes before a park; 0: never */
	unsigned int empty;		/* empty passes in a row */
	struct dpk_idle_peers *peers;	/* eventdev, several workers; or NULL */
	enum dpk_rx_mode mode;
	enum dpk_park park;
	unsigned int cap_us;		/* the longest park without interrupts */
	unsigned int step_us;		/* the ladder's last step */
	uint64_t busy_seen;		/* busy_polls at the last park */
	bool woke_rx;			/* the last park ended on an rx event */
	unsigned int lag_ms;		/* an rx event found nothing: the PMD's
					 * ring lags it; wait this, doubling */
	uint64_t intr;			/* bit per rxq: in the epoll set */
	uint64_t arm;			/* ... and armed by rx_intr_enable */
	int fd[DPK_IDLE_MAX_RXQ];	/* the unarmed ones' fd: their queue */
	uint64_t monitor;		/* bit per rxq: a monitor address */
	uint64_t tsc_us;		/* TSC cycles per microsecond */
	int epfd, evfd;
	bool slack_set;			/* its timer slack is 1 us */
	bool warned;			/* an arming failure was logged */
	struct rte_epoll_event wake_ev;	/* evfd's entry: the EAL keeps a pointer */
};

/* The token (above): queues whose rx interrupts this park turned on. */
struct dpk_armed {
	struct dpk_worker *w;
	uint64_t queues;		/* bit per rxq: armed */
	uint64_t watched;		/* bit per rxq: would wake the park */
	int failed;			/* an enable failed (-errno): do not wait */
	uint32_t live;			/* DPK_ARMED_LIVE until disarmed */
};

#define DPK_ARMED_LIVE	0x41524d44u

struct dpk_armed dpk_rxq_arm(struct dpk_worker *w, uint64_t up)
	__attribute__((warn_unused_result));
void dpk_rxq_disarm(struct dpk_armed *a);
#define DPK_ARMED __attribute__((cleanup(dpk_rxq_disarm))) struct dpk_armed

/* ---- the worker (worker.c, between passes) ---- */

/* Park until traffic, a wake-up or the cap; counted in w->stats. */
void dpk_idle_park(struct dpk_worker *w);
/* Wake the peers that are parked in epoll (out of line: a write). */
void dpk_idle_kick(struct dpk_worker *w);

/*
 * After a pass that received packets, with peers: wake those parked. The
 * fence pairs with the parker's (idle.c, park_interrupt): either this
 * worker sees its bit, or it sees this worker's rx count and stays up.
 */
static inline void dpk_idle_after_rx(struct dpk_worker *w,
				     const struct dpk_idle_peers *p)
{
	unsigned int i;

	rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (i = 0; i < sizeof(p->parked) / sizeof(p->parked[0]); i++)
		if (__atomic_load_n(&p->parked[i], __ATOMIC_RELAXED)) {
			dpk_idle_kick(w);
			return;
		}
}

/* ---- the main lcore (dataplane.c) ---- */

/*
 * After the ports, queues and eventdev are set up, before launch: each
 * worker's rx-mode, its eventfd and epoll set (its queues' rx interrupts,
 * where their PMD has them), how it parks; logged per port and worker.
 */
int dpk_idle_setup(struct dpk_main *m);
/* Links changed (@links, per port): new caps, and every worker woken so
 * that its next pass honours them. */
void dpk_idle_links(struct dpk_main *m, const struct rte_eth_link *links);
/* Wake every parked worker (stop). */
void dpk_idle_wake_all(struct dpk_main *m);
/* Close the eventfds and epoll sets, after the ports are closed. */
void dpk_idle_close(struct dpk_main *m);

/* --check-config: what each port's rx-mode means on this machine. */
void dpk_idle_explain(const struct dpk_config *cfg, FILE *f);

#endif /* DPKITD_IDLE_H */
