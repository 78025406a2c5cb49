/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Idle (idle.h; Documentation/dpkitd.rst, "Idle"): how a worker parks
 * when its passes find nothing, and how it is woken.
 *
 * The main lcore, before launch, gives each worker whose rx-mode parks an
 * eventfd and an epoll set holding it and its queues' rx interrupts
 * (rte_eth_dev_rx_intr_ctl_q), where their PMD has them. The worker parks
 * in dpk_idle_park(), between passes, holding nothing:
 *
 *  - every queue has rx interrupts: arm them (the token, idle.h), check
 *    that nothing came before they were on (the PMD's descriptor count or
 *    its monitor condition), wait in rte_epoll_wait; disarm;
 *  - else, where the CPU has WAITPKG: rte_power_monitor on the queues'
 *    rings, up to the cap; or rte_power_pause; else nanosleep; the last
 *    two a ladder, 1 us doubling up to the cap: the time the rx ring takes
 *    to fill at the port's link speed, so that a burst cannot overflow it.
 *
 * With an eventdev, what one worker receives may be scheduled to another:
 * a worker parks only when no packet is in flight anywhere, and a worker
 * that received wakes the peers parked in epoll (dpk_idle_after_rx). The
 * main lcore wakes every worker when a link changes, and to stop.
 *
 * This is the one place the worker waits: worker_rules.h poisons epoll,
 * the rx interrupt calls, power monitoring and sleeping in worker.c,
 * stage.c and every user stage.
 */
/* rte_eth_get_monitor_addr(), rte_power_monitor(), rte_power_pause() are
 * experimental in DPDK 22.11. */
#define ALLOW_EXPERIMENTAL_API

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <rte_cpuflags.h>
#include <rte_cycles.h>
#include <rte_debug.h>
#include <rte_epoll.h>
#include <rte_ethdev.h>
#include <rte_interrupts.h>
#include <rte_power_intrinsics.h>

#include "dpkitd.h"

#define PARK_EVENTS	8	/* events one wait takes */
#define PARK_SAFETY_MS	100	/* an epoll park's longest: a lost interrupt
				 * costs no more */
#define PARK_BLIND_MS	10	/* ... when an armed queue cannot say whether
				 * packets came before its interrupt was on */
#define SLEEP_SLACK_NS	1000	/* the sleeping worker's timer slack */

#ifdef DPK_DEBUG
RTE_DECLARE_PER_LCORE(unsigned int, dpk_locks_held);	/* worker.c */
/* The rx queues this lcore has armed: 0 whenever a pass runs. */
RTE_DEFINE_PER_LCORE(unsigned int, dpk_rxq_armed);
#define ARMED_ADD(n)	(RTE_PER_LCORE(dpk_rxq_armed) += (n))
#else
#define ARMED_ADD(n)	((void)0)
#endif

_Static_assert(DPK_MAX_RXQ <= DPK_IDLE_MAX_RXQ, "a bit per rx queue");

static inline bool rxq_up(const struct dpk_worker *w, uint64_t up,
			  unsigned int k)
{
	return up >> w->link_bit[w->rxq[k].port] & 1;
}

/* ---- the token ---- */

struct dpk_armed dpk_rxq_arm(struct dpk_worker *w, uint64_t up)
{
	struct dpk_armed a = { .w = w, .live = DPK_ARMED_LIVE };
	const struct dpk_rxq *rq;
	unsigned int k;
	uint64_t left;
	int ret;

	for (left = w->idle.intr; left; left &= left - 1) {
		k = __builtin_ctzll(left);
		if (!rxq_up(w, up, k))
			continue;	/* not polled: not waited for */
		a.watched |= 1ULL << k;
		if (!(w->idle.arm >> k & 1))
			continue;	/* its fd needs no arming */
		rq = &w->rxq[k];
		ret = rte_eth_dev_rx_intr_enable(rq->port_id, rq->queue);
		if (ret) {
			a.failed = ret;
			break;
		}
		a.queues |= 1ULL << k;
		ARMED_ADD(1);
	}
	return a;
}

void dpk_rxq_disarm(struct dpk_armed *a)
{
	const struct dpk_rxq *rq;
	uint64_t q;

#ifdef DPK_DEBUG
	if (a->live != DPK_ARMED_LIVE)
		rte_panic("dpkitd: an rx interrupt token disarmed twice, or "
			  "never armed\n");
#endif
	for (q = a->queues; q; q &= q - 1) {
		rq = &a->w->rxq[__builtin_ctzll(q)];
		rte_eth_dev_rx_intr_disable(rq->port_id, rq->queue);
		ARMED_ADD(-1);
	}
	a->queues = 0;
	a->live = 0;
}

/* Debug builds: a park starts holding no DPDK lock and nothing armed, and
 * returns with nothing armed. */
static inline void park_check(const char *where)
{
#ifdef DPK_DEBUG
	if (RTE_PER_LCORE(dpk_locks_held))
		rte_panic("dpkitd: worker parks (%s) holding %u lock(s)\n",
			  where, RTE_PER_LCORE(dpk_locks_held));
	if (RTE_PER_LCORE(dpk_rxq_armed))
		rte_panic("dpkitd: worker park (%s) with %u rx queue(s) still "
			  "armed: a token was not disarmed\n", where,
			  RTE_PER_LCORE(dpk_rxq_armed));
#else
	RTE_SET_USED(where);
#endif
}

/* ---- what the worker checks before it waits ---- */

/* Whether a monitor condition says packets wait (the PMD's callback). */
static int cond_met(const struct rte_power_monitor_cond *c)
{
	uint64_t v;

	switch (c->size) {
	case 1:
		v = *(const volatile uint8_t *)c->addr;
		break;
	case 2:
		v = *(const volatile uint16_t *)c->addr;
		break;
	case 4:
		v = *(const volatile uint32_t *)c->addr;
		break;
	case 8:
		v = *(const volatile uint64_t *)c->addr;
		break;
	default:
		return -1;
	}
	return c->fn(v, c->opaque) != 0;
}

/*
 * Whether packets wait on rx queue @k. An armed one may have filled before
 * its interrupt was on (no interrupt comes for those): its descriptor
 * count says, else its monitor condition; -1 when its PMD has neither. An
 * unarmed one's fd is its queue (net_tap), readable while packets wait,
 * though its PMD may not read it yet (net_tap waits for a signal) and its
 * edge-triggered event has been taken: the fd says.
 */
static int rxq_pending(const struct dpk_worker *w, unsigned int k)
{
	const struct dpk_rxq *rq = &w->rxq[k];
	struct rte_power_monitor_cond pmc;
	struct pollfd pfd;
	int n;

	if (!(w->idle.arm >> k & 1)) {
		pfd = (struct pollfd){ .fd = w->idle.fd[k], .events = POLLIN };
		return poll(&pfd, 1, 0) > 0 && (pfd.revents & POLLIN);
	}
	n = rte_eth_rx_queue_count(rq->port_id, rq->queue);
	if (n >= 0)
		return n > 0;
	if (rte_eth_get_monitor_addr(rq->port_id, rq->queue, &pmc) == 0 && pmc.fn)
		return cond_met(&pmc);
	return -1;
}

/*
 * Packets received and not yet sent or dropped, by every worker (the
 * eventdev may hold them for any). The outs are read first, so that counts
 * read while they move are never too low.
 */
static uint64_t in_flight(const struct dpk_worker *w)
{
	const struct dpk_idle_peers *p = w->idle.peers;
	const struct dpk_worker *ws = p ? p->workers : w;
	unsigned int i, nr = p ? p->nr : 1;
	uint64_t in = 0, out = 0;

	for (i = 0; i < nr; i++)
		out += dpk_stats_out(&ws[i].stats);
	rte_atomic_thread_fence(__ATOMIC_ACQUIRE);
	for (i = 0; i < nr; i++)
		in += ((const volatile struct dpk_stats *)&ws[i].stats)->rx;
	return in > out ? in - out : 0;
}

/* Whether the worker must not park now: stopping, or packets in flight
 * through the eventdev. */
static bool busy(const struct dpk_worker *w)
{
	return *w->stop || (w->ev && in_flight(w));
}

static void peers_mark(struct dpk_worker *w, bool parked)
{
	uint64_t *word = &w->idle.peers->parked[w->id / 64];
	uint64_t bit = 1ULL << (w->id % 64);

	if (parked)
		__atomic_fetch_or(word, bit, __ATOMIC_SEQ_CST);
	else
		__atomic_fetch_and(word, ~bit, __ATOMIC_RELEASE);
}

void dpk_idle_kick(struct dpk_worker *w)
{
	const struct dpk_idle_peers *p = w->idle.peers;
	uint64_t one = 1, bits;
	unsigned int i, j;

	for (i = 0; i < RTE_DIM(p->parked); i++) {
		bits = __atomic_load_n(&p->parked[i], __ATOMIC_RELAXED);
		for (; bits; bits &= bits - 1) {
			j = i * 64 + __builtin_ctzll(bits);
			if (j == w->id)
				continue;
			/* Fails only when its count is near 2^64: awake. */
			if (write(p->workers[j].idle.evfd, &one, sizeof(one)) < 0)
				continue;
		}
	}
}

/* ---- the ways to park ---- */

/*
 * Wait on the rx interrupts of the queues of ports that are up and on the
 * wake-up eventfd. Returns whether it waited.
 */
static bool park_interrupt(struct dpk_worker *w)
{
	struct rte_epoll_event evs[PARK_EVENTS];
	struct dpk_idle *id = &w->idle;
	bool blind = false, rx = false, kick = false;
	uint64_t q, v;
	int n, i, pending, timeout;
	DPK_ARMED a = dpk_rxq_arm(w, *w->link_word);

	if (a.failed) {
		/* Polled on; said once (park_aborts counts them all). */
		if (!id->warned)
			fprintf(stderr, "dpkitd: worker %u: rte_eth_dev_rx_intr_enable: "
				"%s: it polls on\n", w->id, rte_strerror(-a.failed));
		id->warned = true;
		return false;
	}
	if (id->peers)
		peers_mark(w, true);	/* then look: pairs with after_rx */
	for (q = a.watched; q; q &= q - 1) {
		pending = rxq_pending(w, __builtin_ctzll(q));
		if (pending > 0)
			goto called_off;
		blind |= pending < 0;
	}
	if (busy(w))
		goto called_off;
	timeout = id->lag_ms ? id->lag_ms : PARK_SAFETY_MS;
	if (blind)
		timeout = RTE_MIN(timeout, PARK_BLIND_MS);
	n = rte_epoll_wait(id->epfd, evs, PARK_EVENTS, timeout);
	if (id->peers)
		peers_mark(w, false);
	for (i = 0; i < n; i++) {
		if (evs[i].fd != id->evfd) {
			rx = true;
			continue;
		}
		kick = true;
		if (read(id->evfd, &v, sizeof(v)) < 0)
			v = 0;	/* another wake-up drained it */
	}
	id->woke_rx = rx;
	if (rx)
		w->stats.wake_rx++;
	else if (kick)
		w->stats.wake_kick++;
	else
		w->stats.wake_timeout++;
	return true;
called_off:
	if (id->peers)
		peers_mark(w, false);
	return false;
}

/* Power monitoring on the rings of the queues that are up, up to the cap;
 * a write to one ends it. */
static bool park_monitor(struct dpk_worker *w, unsigned int cap_us)
{
	struct rte_power_monitor_cond pmc[DPK_MAX_RXQ];
	uint64_t q, up = *w->link_word, until;
	const struct dpk_rxq *rq;
	unsigned int n = 0, k;
	int ret;

	for (q = w->idle.monitor; q; q &= q - 1) {
		k = __builtin_ctzll(q);
		rq = &w->rxq[k];
		if (rxq_up(w, up, k) &&
		    rte_eth_get_monitor_addr(rq->port_id, rq->queue, &pmc[n]) == 0)
			n++;
	}
	until = rte_rdtsc() + cap_us * w->idle.tsc_us;
	if (!n)
		ret = rte_power_pause(until);
	else if (n == 1)
		ret = rte_power_monitor(&pmc[0], until);
	else
		ret = rte_power_monitor_multi(pmc, n, until);
	if (ret)
		return false;
	if (rte_rdtsc() < until)
		w->stats.wake_rx++;
	else
		w->stats.wake_timeout++;
	return true;
}

/* The ladder: a pause (TPAUSE) or a sleep, 1 us doubling up to the cap. */
static bool park_step(struct dpk_worker *w, unsigned int cap_us)
{
	struct dpk_idle *id = &w->idle;
	struct timespec ts;

	id->step_us = dpk_plan_idle_step(id->step_us, cap_us);
	if (id->park == DPK_PARK_PAUSE) {
		if (rte_power_pause(rte_rdtsc() + id->step_us * id->tsc_us))
			return false;
	} else {
		if (!id->slack_set) {
			/* The default (50 us) would stretch every step. */
			prctl(PR_SET_TIMERSLACK, SLEEP_SLACK_NS, 0, 0, 0);
			id->slack_set = true;
		}
		ts = (struct timespec){ .tv_nsec = id->step_us * 1000L };
		clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL);
	}
	w->stats.wake_timeout++;
	return true;
}

void dpk_idle_park(struct dpk_worker *w)
{
	struct dpk_idle *id = &w->idle;
	uint64_t t0 = rte_rdtsc();
	unsigned int cap = __atomic_load_n(&id->cap_us, __ATOMIC_RELAXED);
	bool parked = false;

	park_check("before");
	if (w->stats.busy_polls != id->busy_seen) {
		/* Traffic since the last park: the ladder starts again. */
		id->busy_seen = w->stats.busy_polls;
		id->step_us = 0;
		id->lag_ms = 0;
	} else if (id->woke_rx || id->lag_ms) {
		/* An rx event, and the passes since found nothing: the PMD's
		 * ring may lag its interrupt (net_tap reads its queue only
		 * after a signal), so that no second event comes. Wait 1 ms,
		 * then doubling, until traffic. */
		id->lag_ms = RTE_MIN(id->lag_ms ? 2 * id->lag_ms : 1,
				     (unsigned int)PARK_SAFETY_MS);
	}
	id->woke_rx = false;
	if (!busy(w)) {
		switch (id->park) {
		case DPK_PARK_INTERRUPT:
			parked = park_interrupt(w);
			break;
		case DPK_PARK_MONITOR:
			parked = park_monitor(w, cap);
			break;
		case DPK_PARK_PAUSE:
		case DPK_PARK_SLEEP:
			parked = park_step(w, cap);
			break;
		case DPK_PARK_NONE:
			break;
		}
	}
	park_check("after");
	if (!parked) {
		/* Work came: poll a while before trying again. */
		id->empty = 0;
		w->stats.park_aborts++;
		return;
	}
	/* Woken by an rx event: poll the window again; else, still idle on
	 * the next pass, park again at once. */
	id->empty = id->woke_rx ? 0 : id->passes - 1;
	w->stats.parks++;
	w->stats.parked_tsc += rte_rdtsc() - t0;
}

/* ---- the main lcore ---- */

static void cpu_caps(struct dpk_park_cpu *cpu)
{
	struct rte_cpu_intrinsics ci;

	rte_cpu_get_intrinsics_support(&ci);
	*cpu = (struct dpk_park_cpu){
		.monitor = ci.power_monitor,
		.monitor_multi = ci.power_monitor_multi,
		.pause = ci.power_pause,
	};
}

/* The most eager rx-mode of the ports a worker serves (poll, then
 * adaptive); the global one when it serves none. */
static enum dpk_rx_mode worker_mode(const struct dpk_main *m,
				    const struct dpk_worker *w)
{
	enum dpk_rx_mode mode = DPK_RX_INTERRUPT;
	unsigned int k;

	if (!w->nr_rxq)
		return m->cfg->rx_mode;
	for (k = 0; k < w->nr_rxq; k++)
		if (m->cfg->ports[w->rxq[k].port].rx_mode < mode)
			mode = m->cfg->ports[w->rxq[k].port].rx_mode;
	return mode;
}

/* The caps from link speeds: each port's, each worker's the shortest of
 * its queues' ports'. */
static void set_caps(struct dpk_main *m, const struct rte_eth_link *links)
{
	unsigned int i, k, cap;
	uint32_t mbps;

	for (i = 0; i < m->nr_ports; i++) {
		mbps = links[i].link_status &&
		       links[i].link_speed != RTE_ETH_SPEED_NUM_UNKNOWN ?
		       links[i].link_speed : 0;
		m->port_cap_us[i] = dpk_plan_idle_cap_us(m->plan[i].rx_desc, mbps);
	}
	for (i = 0; i < m->nr_workers; i++) {
		struct dpk_worker *w = &m->workers[i];

		for (cap = DPK_IDLE_CAP_MAX_US, k = 0; k < w->nr_rxq; k++)
			cap = RTE_MIN(cap, m->port_cap_us[w->rxq[k].port]);
		__atomic_store_n(&w->idle.cap_us, cap, __ATOMIC_RELAXED);
	}
}

/* Rx queue @k of worker @w in its epoll set, if its PMD has rx interrupts:
 * whether its interrupt needs arming, whether it has a monitor address. */
static void queue_setup(struct dpk_main *m, struct dpk_worker *w,
			unsigned int k)
{
	const struct dpk_rxq *rq = &w->rxq[k];
	struct rte_power_monitor_cond pmc;
	int ret;

	if (rte_eth_get_monitor_addr(rq->port_id, rq->queue, &pmc) == 0)
		w->idle.monitor |= 1ULL << k;
	if (!(m->rxq_intr >> rq->port & 1))
		return;
	ret = rte_eth_dev_rx_intr_ctl_q(rq->port_id, rq->queue, w->idle.epfd,
					RTE_INTR_EVENT_ADD,
					(void *)(uintptr_t)(k + 1));
	if (ret) {
		m->rxq_intr_err[rq->port] = ret;
		return;
	}
	/* Arming: most PMDs turn a queue's interrupt on and off; one
	 * without (net_tap) has an fd that is its queue, readable while
	 * packets wait: nothing to arm. */
	ret = rte_eth_dev_rx_intr_enable(rq->port_id, rq->queue);
	if (!ret) {
		rte_eth_dev_rx_intr_disable(rq->port_id, rq->queue);
		w->idle.arm |= 1ULL << k;
	} else if (ret == -ENOTSUP) {
		w->idle.fd[k] = rte_eth_dev_rx_intr_ctl_q_get_fd(rq->port_id,
								 rq->queue);
	} else {
		fprintf(stderr, "dpkitd: port %s: rx queue %u: "
			"rte_eth_dev_rx_intr_enable: %s\n",
			m->cfg->ports[rq->port].name, rq->queue, rte_strerror(-ret));
		m->rxq_intr_err[rq->port] = ret;
		rte_eth_dev_rx_intr_ctl_q(rq->port_id, rq->queue, w->idle.epfd,
					  RTE_INTR_EVENT_DEL, NULL);
		return;
	}
	w->idle.intr |= 1ULL << k;
}

static int worker_setup(struct dpk_main *m, struct dpk_worker *w,
			const struct dpk_park_cpu *cpu)
{
	struct dpk_idle *id = &w->idle;
	unsigned int k;

	id->mode = worker_mode(m, w);
	id->passes = id->mode == DPK_RX_POLL ? 0 :
		     id->mode == DPK_RX_ADAPTIVE ? m->cfg->idle_passes : 1;
	if (!id->passes) {
		id->park = DPK_PARK_NONE;
		return 0;
	}
	id->tsc_us = RTE_MAX(rte_get_tsc_hz() / 1000000, (uint64_t)1);
	id->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (id->evfd < 0) {
		fprintf(stderr, "dpkitd: worker %u: eventfd: %s\n", w->id,
			strerror(errno));
		return -errno;
	}
	id->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (id->epfd < 0) {
		fprintf(stderr, "dpkitd: worker %u: epoll_create1: %s\n", w->id,
			strerror(errno));
		return -errno;
	}
	id->wake_ev.epdata.event = EPOLLIN;
	if (rte_epoll_ctl(id->epfd, EPOLL_CTL_ADD, id->evfd, &id->wake_ev)) {
		fprintf(stderr, "dpkitd: worker %u: rte_epoll_ctl (its eventfd) "
			"failed\n", w->id);
		return -EIO;
	}
	for (k = 0; k < w->nr_rxq; k++)
		queue_setup(m, w, k);
	id->park = dpk_plan_park(w->nr_rxq, id->intr, id->monitor, cpu);
	return 0;
}

/* How a park of @p waits, for the log. */
static const char *park_what(enum dpk_park p)
{
	switch (p) {
	case DPK_PARK_NONE:
		return "never (it polls)";
	case DPK_PARK_INTERRUPT:
		return "in epoll on rx interrupts and the wake-up eventfd";
	case DPK_PARK_MONITOR:
		return "monitoring the rx rings (WAITPKG)";
	case DPK_PARK_PAUSE:
		return "in pauses (TPAUSE), 1 us doubling";
	case DPK_PARK_SLEEP:
		return "in sleeps, 1 us doubling";
	}
	return "?";
}

static void log_port(const struct dpk_main *m, unsigned int i,
		     const struct dpk_park_cpu *cpu)
{
	const struct dpk_port_config *pc = &m->cfg->ports[i];
	char why[160] = "";

	if (pc->rx_mode == DPK_RX_POLL) {
		fprintf(stderr, "dpkitd: port %s: rx-mode poll: its workers poll "
			"it, never park\n", pc->name);
		return;
	}
	if (m->rxq_intr_err[i] || !(m->rxq_intr >> i & 1))
		snprintf(why, sizeof(why), "no rx interrupts (%s%s); this CPU has "
			 "%s: ", m->rxq_intr >> i & 1 ? "rte_eth_dev_rx_intr_ctl_q: " :
			 "rte_eth_dev_configure with them: ",
			 rte_strerror(-m->rxq_intr_err[i]),
			 cpu->monitor ? "WAITPKG" : "no WAITPKG (power monitor, pause)");
	else
		snprintf(why, sizeof(why), "rx interrupts; ");
	fprintf(stderr, "dpkitd: port %s: rx-mode %s: %sits workers park %s",
		pc->name, dpk_rx_mode_name(pc->rx_mode), why,
		park_what(m->port_park[i]));
	if (m->port_park[i] > DPK_PARK_INTERRUPT)
		fprintf(stderr, " up to %u us (%u rx descriptors at its link "
			"speed, %u us at most)", m->port_cap_us[i],
			m->plan[i].rx_desc, DPK_IDLE_CAP_MAX_US);
	fprintf(stderr, "\n");
}

int dpk_idle_setup(struct dpk_main *m)
{
	struct rte_eth_link links[DPK_MAX_PORTS];
	struct dpk_park_cpu cpu;
	unsigned int i, k, parkers = 0;
	struct dpk_worker *w;
	enum dpk_park p;
	int ret;

	for (i = 0; i < m->nr_workers; i++)
		m->workers[i].idle.epfd = m->workers[i].idle.evfd = -1;
	m->idle_ready = true;
	cpu_caps(&cpu);
	for (i = 0; i < m->nr_ports; i++) {
		memset(&links[i], 0, sizeof(links[i]));
		rte_eth_link_get_nowait(m->port_ids[i], &links[i]);
		m->port_park[i] = DPK_PARK_INTERRUPT;
	}
	set_caps(m, links);
	for (i = 0; i < m->nr_workers; i++) {
		w = &m->workers[i];
		ret = worker_setup(m, w, &cpu);
		if (ret)
			return ret;
		parkers += w->idle.passes != 0;
		/* A port parks as the most eager of its workers; then the
		 * slowest way to wake among them. */
		for (k = 0; k < w->nr_rxq; k++) {
			p = m->port_park[w->rxq[k].port];
			if (p != DPK_PARK_NONE &&
			    (w->idle.park == DPK_PARK_NONE || w->idle.park > p))
				m->port_park[w->rxq[k].port] = w->idle.park;
		}
	}
	if (m->use_evdev && m->nr_workers > 1 && parkers) {
		m->peers.workers = m->workers;
		m->peers.nr = m->nr_workers;
		for (i = 0; i < m->nr_workers; i++)
			m->workers[i].idle.peers = &m->peers;
	}
	for (i = 0; i < m->nr_ports; i++)	/* every port polls: nothing new */
		if (parkers || m->cfg->ports[i].rx_mode != DPK_RX_POLL)
			log_port(m, i, &cpu);
	for (i = 0; i < m->nr_workers && parkers; i++) {
		w = &m->workers[i];
		fprintf(stderr, "dpkitd: worker %u (lcore %u): rx-mode %s: parks %s",
			i, w->lcore, dpk_rx_mode_name(w->idle.mode),
			park_what(w->idle.park));
		if (w->idle.park > DPK_PARK_INTERRUPT)
			fprintf(stderr, " up to %u us", w->idle.cap_us);
		if (w->idle.passes)
			fprintf(stderr, ", after %u empty pass%s%s", w->idle.passes,
				w->idle.passes == 1 ? "" : "es",
				w->ev ? ", when nothing is in flight" : "");
		fprintf(stderr, "\n");
	}
	return 0;
}

void dpk_idle_links(struct dpk_main *m, const struct rte_eth_link *links)
{
	if (!m->idle_ready)
		return;
	set_caps(m, links);
	dpk_idle_wake_all(m);
}

void dpk_idle_wake_all(struct dpk_main *m)
{
	uint64_t one = 1;
	unsigned int i;

	for (i = 0; m->idle_ready && i < m->nr_workers; i++)
		if (m->workers[i].idle.evfd >= 0 &&
		    write(m->workers[i].idle.evfd, &one, sizeof(one)) < 0 &&
		    errno != EAGAIN)
			fprintf(stderr, "dpkitd: worker %u: waking it: %s\n", i,
				strerror(errno));
}

void dpk_idle_close(struct dpk_main *m)
{
	struct dpk_worker *w;
	uint64_t q;
	unsigned int i;

	for (i = 0; m->idle_ready && i < m->nr_workers; i++) {
		w = &m->workers[i];
		/* Out of the ports' interrupt handles before the ports close. */
		for (q = w->idle.intr; q; q &= q - 1) {
			const struct dpk_rxq *rq = &w->rxq[__builtin_ctzll(q)];

			rte_eth_dev_rx_intr_ctl_q(rq->port_id, rq->queue,
						  w->idle.epfd, RTE_INTR_EVENT_DEL,
						  NULL);
		}
		w->idle.intr = 0;
		if (w->idle.epfd >= 0)
			close(w->idle.epfd);
		if (w->idle.evfd >= 0)
			close(w->idle.evfd);
		w->idle.epfd = w->idle.evfd = -1;
	}
	m->idle_ready = false;
}

void dpk_idle_explain(const struct dpk_config *cfg, FILE *f)
{
	const struct dpk_port_config *pc;
	struct dpk_park_cpu cpu;
	const char *fallback;
	unsigned int i;

	cpu_caps(&cpu);
	fallback = cpu.monitor ? "monitors its rx ring where the PMD gives its "
		   "address (this CPU has WAITPKG), else pauses (TPAUSE) from 1 us "
		   "doubling" : cpu.pause ? "pauses (TPAUSE) from 1 us doubling" :
		   "sleeps from 1 us doubling (this CPU has no WAITPKG for power "
		   "monitor or pause)";
	fprintf(f, "idle:\n");
	for (i = 0; i < cfg->nr_ports; i++) {
		pc = &cfg->ports[i];
		fprintf(f, "port %s: rx-mode %s (%s): ", pc->name,
			dpk_rx_mode_name(pc->rx_mode),
			pc->rx_mode_set ? "its own" : "rx-mode");
		if (pc->rx_mode == DPK_RX_POLL) {
			fprintf(f, "its workers poll it, never park\n");
			continue;
		}
		if (pc->rx_mode == DPK_RX_ADAPTIVE)
			fprintf(f, "after %u empty passes", cfg->idle_passes);
		else
			fprintf(f, "after every empty pass");
		fprintf(f, " its worker arms the port's rx interrupts and parks in "
			"epoll with its wake-up eventfd; if the PMD has no rx "
			"interrupts (known at start: the log says), it %s up to the "
			"time its %u rx descriptors take to fill at the link speed "
			"(%u us at 10 Gb/s, %u us at most)\n", fallback, pc->rx_desc,
			dpk_plan_idle_cap_us(pc->rx_desc, 10000), DPK_IDLE_CAP_MAX_US);
	}
	fprintf(f, "a worker serving ports of different rx-modes takes the most "
		"eager (poll, then adaptive)%s\n", cfg->eventdev == DPK_EVDEV_NONE ?
		"" : "; with the eventdev it parks only when nothing is in flight, "
		"and the worker that receives wakes the others");
}
