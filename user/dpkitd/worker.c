/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker lcore: a run-to-completion loop of tasks until the main lcore
 * sets stop. Each pass loads the link word once (one load per batch), then:
 *
 *   poll mode:	rx -> stage -> tx, on the worker's own rx queues;
 *   eventdev:	rx -> enqueue NEW to queue 0 (atomic, flow id from RSS or
 *		the 5-tuple) | dequeue -> stage -> tx on the worker's own tx
 *		queue (the atomic context is held until the next dequeue
 *		releases it: per-flow order), or FORWARD to the single-link
 *		queue 1 for a port with one tx queue | (worker 0, if queue 1
 *		exists) dequeue queue 1 -> tx; plus, where the device needs
 *		it, rte_event_maintain() when idle and the inline scheduler
 *		service.
 *
 * Between passes, a worker whose rx-mode parks (adaptive, interrupt) parks
 * when idle, in dpk_idle_park() (idle.c: not under the worker rules, the
 * one place a worker waits).
 *
 * Packets to a port whose link is down are dropped and counted. Nothing is
 * set aside: an enqueue the eventdev refuses is retried a bounded number of
 * times, then its events are released and its packets dropped and counted
 * (seed 004: the history list is small). Every task returns to the loop
 * holding no DPDK lock.
 */
/* rte_event_maintain() and rte_event_port_quiesce() are experimental in
 * DPDK 22.11. */
#define ALLOW_EXPERIMENTAL_API

#include <sched.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_eventdev.h>
#include <rte_mbuf.h>
#include <rte_service.h>

#include "dpkitd.h"
#include "flow.h"
#include "worker_rules.h"

#ifdef DPK_DEBUG
RTE_DEFINE_PER_LCORE(unsigned int, dpk_locks_held);
#endif

static inline int port_up(const struct dpk_worker *w, uint64_t up,
			  unsigned int port)
{
#ifdef DPK_BENCH_NO_LINK_CHECK	/* bench/run.sh: what the check costs */
	RTE_SET_USED(w);
	RTE_SET_USED(up);
	RTE_SET_USED(port);
	return 1;
#else
	return up >> w->link_bit[port] & 1;
#endif
}

/*
 * Whether packet @m can leave by port @o: if the stage dropped it or the
 * port is down, free it, count why, and say no.
 */
static inline bool can_send(struct dpk_worker *w, uint64_t up,
			    struct rte_mbuf *m, uint16_t o)
{
	if (o >= w->stage_ctx.nr_ports) {
		rte_pktmbuf_free(m);
		w->stats.drop_stage++;
		return false;
	}
	if (!port_up(w, up, o)) {
		rte_pktmbuf_free(m);
		w->stats.drop_link_down++;
		w->stats.port_drop_link_down[o]++;
		return false;
	}
	return true;
}

/* Send @n packets to port @o, on this worker's tx queue; free and count
 * what the queue does not take. */
static inline void tx_port(struct dpk_worker *w, uint16_t o,
			   struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t sent = rte_eth_tx_burst(w->port_ids[o], w->id, pkts, n);

	w->stats.tx += sent;
	if (unlikely(sent < n)) {
		rte_pktmbuf_free_bulk(&pkts[sent], n - sent);
		w->stats.drop_tx_full += n - sent;
	}
}

/* Whether out[0 .. n) all name the port out[0] (n >= 1): four at a time. */
static inline bool one_port(const uint16_t *out, unsigned int n)
{
	uint64_t all = out[0] * 0x0001000100010001ULL, v;
	unsigned int i = 0;

	for (; i + 4 <= n; i += 4) {
		memcpy(&v, out + i, sizeof(v));
		if (v != all)
			return false;
	}
	for (; i < n; i++)
		if (out[i] != out[0])
			return false;
	return true;
}

/* send_out()'s other cases, out of line: packets grouped by port. */
static __rte_noinline void send_by_port(struct dpk_worker *w, uint64_t up,
					struct rte_mbuf **pkts,
					const uint16_t *out, uint16_t n)
{
	struct rte_mbuf *by_port[DPK_MAX_PORTS][DPK_BURST];
	uint16_t cnt[DPK_MAX_PORTS], i, o;
	uint32_t used = 0;

	for (i = 0; i < n; i++) {
		o = out[i];
		if (!can_send(w, up, pkts[i], o))
			continue;
		if (!(used >> o & 1)) {
			used |= 1U << o;
			cnt[o] = 0;
		}
		by_port[o][cnt[o]++] = pkts[i];
	}
	for (; used; used &= used - 1) {
		o = __builtin_ctz(used);
		tx_port(w, o, by_port[o], cnt[o]);
	}
}

/* Send the whole burst to port @o; if it cannot go, free and count each
 * packet as can_send() does. */
static inline void send_all(struct dpk_worker *w, uint64_t up,
			    struct rte_mbuf **pkts, uint16_t o, uint16_t n)
{
	uint16_t i;

	if (likely(o < w->stage_ctx.nr_ports && port_up(w, up, o))) {
		tx_port(w, o, pkts, n);
		return;
	}
	for (i = 0; i < n; i++)
		can_send(w, up, pkts[i], o);	/* false: freed, counted */
}

/* Send packet i to port out[i]; free and count what cannot go. */
static inline void send_out(struct dpk_worker *w, uint64_t up,
			    struct rte_mbuf **pkts, const uint16_t *out,
			    uint16_t n)
{
	/* The common case: the whole burst to one port. */
	if (likely(one_port(out, n)))
		send_all(w, up, pkts, out[0], n);
	else
		send_by_port(w, up, pkts, out, n);
}

/* Poll mode: rx -> stage -> tx on each of the worker's rx queues. */
static uint16_t poll_task(struct dpk_worker *w, uint64_t up)
{
	struct rte_mbuf *pkts[DPK_BURST];
	uint16_t out[DPK_BURST], n, total = 0;
	uint8_t in[DPK_BURST];
	bool by_port = w->stage->flags & DPK_STAGE_F_BY_PORT;
	unsigned int q;

	for (q = 0; q < w->nr_rxq; q++) {
		const struct dpk_rxq *rq = &w->rxq[q];

		if (!port_up(w, up, rq->port))
			continue;	/* no rx from a down port */
		n = rte_eth_rx_burst(rq->port_id, rq->queue, pkts, DPK_BURST);
		if (!n)
			continue;
		w->stats.rx += n;
		w->stats.stage += n;
		total += n;
		if (by_port) {
			/* one decision for the burst (DPK_STAGE_F_BY_PORT) */
			in[0] = rq->port;
			w->stage->process(&w->stage_ctx, pkts, in, out, 1);
			dpk_task_boundary("stage");
			send_all(w, up, pkts, out[0], n);
			continue;
		}
		memset(in, rq->port, n);
		w->stage->process(&w->stage_ctx, pkts, in, out, n);
		dpk_task_boundary("stage");
		send_out(w, up, pkts, out, n);
	}
	return total;
}

static inline uint32_t flow_id(const struct rte_mbuf *m)
{
	if (m->ol_flags & RTE_MBUF_F_RX_RSS_HASH)
		return m->hash.rss & DPK_FLOW_ID_MASK;
	return dpk_flow_hash(rte_pktmbuf_mtod(m, const uint8_t *),
			     rte_pktmbuf_data_len(m));
}

/* Whether the eventdev's last refusal was a bug rather than a full
 * device: -EINVAL (PMDs set rte_errno to either sign); 0 and -ENOSPC
 * are backpressure. */
static inline bool evdev_bug(void)
{
	return rte_errno == EINVAL || rte_errno == -EINVAL;
}

/*
 * Enqueue the held NEW events (rx admission): what the device takes goes,
 * the rest stays held for the next pass. True when none is left.
 */
static bool admit_held(struct dpk_worker *w)
{
	uint16_t enq, i;

	rte_errno = 0;
	enq = rte_event_enqueue_new_burst(w->ev->dev, w->ev_port, w->held,
					  w->nb_held);
	if (enq < w->nb_held && evdev_bug()) {
		/* not for lack of room: offering them again will not help */
		for (i = enq; i < w->nb_held; i++)
			rte_pktmbuf_free(w->held[i].mbuf);
		w->stats.evdev_errors += w->nb_held - enq;
		w->nb_held = 0;
		return true;
	}
	if (enq < w->nb_held) {
		memmove(w->held, w->held + enq,
			(w->nb_held - enq) * sizeof(w->held[0]));
		w->nb_held -= enq;
		return false;
	}
	w->nb_held = 0;
	return true;
}

/*
 * Eventdev rx, admission first: one burst a pass, across the worker's
 * queues (the stage drains at most a burst a pass: receiving more only
 * fills the eventdev to its threshold and gets refused); a burst the
 * eventdev refused is held and offered first next pass, and nothing more
 * is received until it went in, so what the pipeline cannot take stays in
 * the NIC's rings (counted there as missed), never received, hashed and
 * freed. The queue after the last one served (or refused) goes first next
 * time: no queue or port gets all of the room.
 */
static uint16_t rx_task(struct dpk_worker *w, uint64_t up)
{
	const struct dpk_evdev *ev = w->ev;
	struct rte_mbuf *pkts[DPK_BURST];
	struct rte_event *evs = w->held, tmpl;
	unsigned int k, q;
	uint16_t n, i, enq, total = 0, budget = DPK_BURST;

	if (w->nb_held && !admit_held(w))
		return 0;
	for (k = 0; k < w->nr_rxq && !*w->stop_rx && budget; k++) {
		const struct dpk_rxq *rq;

		q = (w->rx_first + k) % w->nr_rxq;
		rq = &w->rxq[q];

		if (!port_up(w, up, rq->port))
			continue;
		n = rte_eth_rx_burst(rq->port_id, rq->queue, pkts, budget);
		if (!n)
			continue;
		budget -= n;
		if (!budget)	/* the next queue goes first next pass */
			w->rx_first = (q + 1) % w->nr_rxq;
		w->stats.rx += n;
		total += n;
		if (rq->sw_hash)	/* flow.c reads the headers */
			for (i = 0; i < n; i++)
				rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
		/* One event built per queue; per packet, its word with the
		 * flow id or'ed in (the word's low 20 bits on a little-endian
		 * CPU) and the mbuf: two stores, where copying the template
		 * and setting the bit-field took 13 instructions. */
		RTE_BUILD_BUG_ON(RTE_BYTE_ORDER != RTE_LITTLE_ENDIAN);
		tmpl = (struct rte_event){
			.op = RTE_EVENT_OP_NEW,
			.sched_type = RTE_SCHED_TYPE_ATOMIC,
			.queue_id = 0,
			.event_type = RTE_EVENT_TYPE_ETHDEV,
			.sub_event_type = rq->port,
			.priority = w->prio[rq->port],
		};
		for (i = 0; i < n; i++) {
			evs[i].event = tmpl.event | flow_id(pkts[i]);
			evs[i].mbuf = pkts[i];
		}
		rte_errno = 0;
		enq = rte_event_enqueue_new_burst(ev->dev, w->ev_port, evs, n);
		if (enq < n && evdev_bug()) {
			for (i = enq; i < n; i++)
				rte_pktmbuf_free(pkts[i]);
			w->stats.evdev_errors += n - enq;
		} else if (enq < n) {
			/* Held: the device is full; the next queue goes
			 * first once these went in. */
			memmove(evs, evs + enq, (n - enq) * sizeof(evs[0]));
			w->nb_held = n - enq;
			w->stats.rx_held += n - enq;
			w->rx_first = (q + 1) % w->nr_rxq;
			break;
		}
	}
	return total;
}

/*
 * Enqueue @n events with bounded retries (-ENOSPC is transient on a closed
 * system like DLB2); what still does not go is turned into RELEASE events,
 * its packets dropped and counted. -EINVAL is a bug, not a full device:
 * no retries, the packets freed and counted as eventdev errors. Returns
 * how many went as they were.
 */
static uint16_t enqueue_or_release(struct dpk_worker *w, struct rte_event *evs,
				   uint16_t n)
{
	const struct dpk_evdev *ev = w->ev;
	uint16_t done = 0, i, rel;
	unsigned int tries;
	bool bug = false;

	for (tries = 0; done < n && tries < DPK_ENQ_RETRIES && !bug; tries++) {
		rte_errno = 0;
		done += rte_event_enqueue_burst(ev->dev, w->ev_port, evs + done,
						n - done);
		bug = done < n && evdev_bug();
	}
	if (done == n)
		return n;
	for (i = done; i < n; i++) {
		if (evs[i].op != RTE_EVENT_OP_RELEASE) {
			rte_pktmbuf_free(evs[i].mbuf);
			if (bug) {
				w->stats.evdev_errors++;
			} else {
				w->stats.drop_evdev++;
				w->stats.port_drop_evdev[evs[i].sub_event_type]++;
			}
		}
		evs[i].op = RTE_EVENT_OP_RELEASE;
	}
	/* A release needs no credit; should one still fail, the next
	 * dequeue releases it implicitly. */
	for (rel = done, tries = 0; rel < n && tries < DPK_ENQ_RETRIES && !bug;
	     tries++)
		rel += rte_event_enqueue_burst(ev->dev, w->ev_port, evs + rel,
					       n - rel);
	return done;
}

/*
 * Stage: dequeue queue 0, run the stage, send what goes to ports with a tx
 * queue per worker on this worker's, FORWARD what goes to the others to
 * queue 1. Dropped packets are freed; their events, and those of the
 * packets sent, are released by the next dequeue (implicit release), so
 * the flow's atomic context is held until its packets are on their tx
 * queue.
 */
static uint16_t stage_task(struct dpk_worker *w, uint64_t up)
{
	struct rte_mbuf *pkts[DPK_BURST], *direct[DPK_BURST];
	struct rte_event evs[DPK_BURST];
	uint16_t out[DPK_BURST], dout[DPK_BURST], n, i, nd = 0, nf = 0;
	uint8_t in[DPK_BURST];

	n = rte_event_dequeue_burst(w->ev->dev, w->ev_port, evs, DPK_BURST, 0);
	if (!n)
		return 0;
	for (i = 0; i < n; i++) {
		pkts[i] = evs[i].mbuf;
		in[i] = evs[i].sub_event_type;
	}
	w->stats.stage += n;
	w->stage->process(&w->stage_ctx, pkts, in, out, n);
	dpk_task_boundary("stage");
	/* The common case, in one scan: the whole burst to one port that is
	 * up and has a tx queue of this worker's. */
	if (one_port(out, n) && out[0] < w->stage_ctx.nr_ports &&
	    !(w->funnel >> out[0] & 1) && port_up(w, up, out[0])) {
		tx_port(w, out[0], pkts, n);
		return n;
	}
	if (!w->funnel) {	/* every port has a tx queue of this worker's */
		send_by_port(w, up, pkts, out, n);
		return n;
	}
	for (i = 0; i < n; i++) {
		if (!can_send(w, up, pkts[i], out[i]))
			continue;
		if (!(w->funnel >> out[i] & 1)) {
			direct[nd] = pkts[i];
			dout[nd++] = out[i];
			continue;
		}
		evs[nf] = evs[i];
		evs[nf].op = RTE_EVENT_OP_FORWARD;
		evs[nf].queue_id = 1;
		evs[nf].sched_type = RTE_SCHED_TYPE_ATOMIC;
		evs[nf].sub_event_type = out[i];
		evs[nf++].mbuf = pkts[i];
	}
	if (nd)
		send_out(w, up, direct, dout, nd);
	if (nf)
		enqueue_or_release(w, evs, nf);
	return n;
}

/* Tx: dequeue the single-link queue 1, send each packet to its port. */
static uint16_t tx_task(struct dpk_worker *w, uint64_t up)
{
	struct rte_mbuf *pkts[DPK_BURST];
	struct rte_event evs[DPK_BURST];
	uint16_t out[DPK_BURST], n, i;

	n = rte_event_dequeue_burst(w->ev->dev, w->ev->tx_port, evs, DPK_BURST, 0);
	for (i = 0; i < n; i++) {
		pkts[i] = evs[i].mbuf;
		out[i] = evs[i].sub_event_type;
	}
	if (n)
		send_out(w, up, pkts, out, n);
	return n;
}

static void quiesce_flush(uint8_t dev, struct rte_event ev, void *arg)
{
	struct dpk_worker *w = arg;

	RTE_SET_USED(dev);
	if (ev.op != RTE_EVENT_OP_RELEASE && ev.mbuf) {
		rte_pktmbuf_free(ev.mbuf);
		w->stats.drop_flush++;
	}
}

/* One pass through the eventdev; @rx: what it received. */
static uint16_t event_pass(struct dpk_worker *w, uint64_t up, uint16_t *rx)
{
	const struct dpk_evdev *ev = w->ev;
	uint16_t moved, got;

	moved = *rx = rx_task(w, up);
	dpk_task_boundary("rx");
	got = stage_task(w, up);
	dpk_task_boundary("stage");
	if (w->tx) {
		got += tx_task(w, up);
		dpk_task_boundary("tx");
	}
	if (w->service) {
		rte_service_run_iter_on_app_lcore(w->service->id, 0);
		dpk_task_boundary("service");
	}
	if (!got && ev->maintain) {
		rte_event_maintain(ev->dev, w->ev_port, 0);
		if (w->tx)
			rte_event_maintain(ev->dev, ev->tx_port, 0);
	}
	return moved + got;
}

int dpk_worker_main(void *arg)
{
	struct dpk_worker *w = arg;
	struct dpk_stats *st = &w->stats;
	uint64_t up;
	uint16_t moved, rx = 0, i;

	w->tid = rte_gettid();
	while (!*w->stop) {
		up = *w->link_word;	/* one load per pass */
		st->polls++;
		st->link_seen = up;
		moved = w->ev ? event_pass(w, up, &rx) : poll_task(w, up);
		dpk_task_boundary(w->ev ? "event pass" : "poll pass");
		st->busy_polls += moved != 0;
		/* Between passes, holding nothing. What this one received may
		 * be scheduled to a parked peer: wake it (idle.h). */
		if (rx && w->idle.peers)
			dpk_idle_after_rx(w, w->idle.peers);
		/* rx-mode adaptive or interrupt: park when idle (idle.c). */
		if (w->idle.passes) {
			if (moved)
				w->idle.empty = 0;
			else if (++w->idle.empty >= w->idle.passes)
				dpk_idle_park(w);
		}
		/* Test mode only (lcores-per-cpu): lcores sharing a CPU take
		 * turns every pass, not every scheduler tick. */
		if (unlikely(w->shared_cpu))
			sched_yield();
	}
	if (w->ev) {
		for (i = 0; i < w->nb_held; i++)	/* never admitted */
			quiesce_flush(w->ev->dev, w->held[i], w);
		w->nb_held = 0;
		rte_event_port_quiesce(w->ev->dev, w->ev_port, quiesce_flush, w);
		if (w->tx)
			rte_event_port_quiesce(w->ev->dev, w->ev->tx_port,
					       quiesce_flush, w);
	}
	return 0;
}
