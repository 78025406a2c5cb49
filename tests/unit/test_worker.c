/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker's datapath (user/dpkitd/worker.c, included here so that its
 * static tasks can be called) on fakes: DPDK's fast-path tables
 * (rte_eth_fp_ops, rte_event_fp_ops) point at functions of this file, and
 * the mbufs come from a mempool whose ops count what is freed. No EAL.
 * The fake eventdev can refuse like a DLB2 (-ENOSPC in rte_errno,
 * transient) or report a bug (-EINVAL).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../../user/dpkitd/worker.c"

#include <cmocka.h>

#define NB_MBUFS	256

/* ---- mbufs: a fake pool whose "enqueue" counts frees ---- */
static unsigned int nr_freed;

static int fake_enqueue(struct rte_mempool *mp, void *const *obj, unsigned int n)
{
	(void)mp;
	(void)obj;
	nr_freed += n;
	return 0;
}

static int fake_dequeue(struct rte_mempool *mp, void **obj, unsigned int n)
{
	(void)mp;
	(void)obj;
	(void)n;
	return -ENOBUFS;
}

static unsigned int fake_count(const struct rte_mempool *mp)
{
	(void)mp;
	return 0;
}

static int fake_alloc(struct rte_mempool *mp)
{
	(void)mp;
	return 0;
}

static const struct rte_mempool_ops fake_ops = {
	.name = "dpk_test_fake", .alloc = fake_alloc, .enqueue = fake_enqueue,
	.dequeue = fake_dequeue, .get_count = fake_count,
};
RTE_MEMPOOL_REGISTER_OPS(fake_ops);

static struct rte_mempool pool;
static struct rte_mbuf mbufs[NB_MBUFS] __rte_cache_aligned;
static uint8_t data[NB_MBUFS][64];
static unsigned int next_mbuf;

static struct rte_mbuf *mbuf_get(uint32_t flow)
{
	struct rte_mbuf *m = &mbufs[next_mbuf++ % NB_MBUFS];

	memset(m, 0, sizeof(*m));
	m->buf_addr = data[m - mbufs];
	m->pool = &pool;
	m->nb_segs = 1;
	m->data_len = m->pkt_len = 60;
	rte_mbuf_refcnt_set(m, 1);
	m->ol_flags = RTE_MBUF_F_RX_RSS_HASH;
	m->hash.rss = flow;
	return m;
}

/* ---- the worker loop's stop, and idle.c's entry points ---- */
static volatile int stop, stop_rx;
static uint64_t stop_at_pass;		/* stop in this pass (0: never) */
static uint64_t park_at[8];		/* the passes that parked */
static unsigned int nr_parks, nr_kicks;

/* idle.c is not linked: the loop's calls into it are recorded. */
void dpk_idle_park(struct dpk_worker *pw)
{
	if (nr_parks < 8)
		park_at[nr_parks] = pw->stats.polls;
	nr_parks++;
	pw->idle.empty = 0;	/* as idle.c's when work came */
}

void dpk_idle_kick(struct dpk_worker *pw)
{
	(void)pw;
	nr_kicks++;
}

/* ---- ethdev: port 0 and 1, one queue each ---- */
static unsigned int rx_supply, nr_tx;
static bool rx_no_rss;		/* mbufs without the RSS hash */
static uint32_t rx_rss;		/* their RSS hash (0: the burst index) */
static void *qdata[2] = { (void *)1, (void *)2 }, *no_clbk[2];
static struct dpk_worker w;

static uint16_t fake_rx(void *q, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t i;

	if (stop_at_pass && w.stats.polls >= stop_at_pass)
		stop = 1;	/* the loop ends after this pass */
	(void)q;
	for (i = 0; i < n && rx_supply; i++, rx_supply--) {
		pkts[i] = mbuf_get(rx_rss ? rx_rss : i);
		if (rx_no_rss) {
			pkts[i]->ol_flags = 0;
			memset(rte_pktmbuf_mtod(pkts[i], uint8_t *), 0x11 * i, 60);
		}
	}
	return i;
}

static unsigned int nr_tx_port[2];	/* what each port sent */

static uint16_t fake_tx(void *q, struct rte_mbuf **pkts, uint16_t n)
{
	(void)pkts;
	nr_tx += n;
	nr_tx_port[(uintptr_t)q - 1] += n;	/* qdata: port + 1 */
	return n;
}

/* ---- eventdev: a FIFO of what was enqueued, refusals on demand ---- */
static struct rte_event fifo[1024];
static unsigned int head, tail, nr_enq_calls;
/* the next calls: refuse all (errno) this many times, then take */
static int refuse_errno;
static unsigned int refusals;
static void *evport[2] = { (void *)1, (void *)2 };

static uint16_t fake_enq(void *port, const struct rte_event ev[], uint16_t n)
{
	uint16_t i, took = 0;

	(void)port;
	nr_enq_calls++;
	if (refusals) {
		refusals--;
		rte_errno = refuse_errno;
		return 0;
	}
	for (i = 0; i < n; i++)
		if (ev[i].op != RTE_EVENT_OP_RELEASE) {
			fifo[tail++ % 1024] = ev[i];
			took++;
		}
	(void)took;
	return n;
}

static uint16_t fake_enq1(void *port, const struct rte_event *ev)
{
	return fake_enq(port, ev, 1);
}

static uint16_t fake_deq(void *port, struct rte_event ev[], uint16_t n,
			 uint64_t wait)
{
	uint16_t i;

	(void)port;
	(void)wait;
	for (i = 0; i < n && head != tail; i++)
		ev[i] = fifo[head++ % 1024];
	return i;
}

static uint16_t fake_deq1(void *port, struct rte_event *ev, uint64_t wait)
{
	return fake_deq(port, ev, 1, wait);
}

static void fake_maintain(void *port, int op)
{
	(void)port;
	(void)op;
}

/* ---- the worker: two ports forwarding to each other ---- */
static void to_other(const struct dpk_stage_ctx *ctx, struct rte_mbuf **pkts,
		     const uint8_t *in, uint16_t *out, uint16_t n)
{
	(void)pkts;
	dpk_stage_forward(ctx, in, out, n);
}

static const struct dpk_stage stage = { .name = "t", .process = to_other };

/* The same as a by-port stage, and one that drops: their calls counted. */
static unsigned int nr_process, process_n;

static void to_other_counted(const struct dpk_stage_ctx *ctx,
			     struct rte_mbuf **pkts, const uint8_t *in,
			     uint16_t *out, uint16_t n)
{
	nr_process++;
	process_n = n;
	to_other(ctx, pkts, in, out, n);
}

static void drop_all(const struct dpk_stage_ctx *ctx, struct rte_mbuf **pkts,
		     const uint8_t *in, uint16_t *out, uint16_t n)
{
	(void)ctx;
	(void)pkts;
	(void)in;
	nr_process++;
	process_n = n;
	while (n--)
		out[n] = DPK_STAGE_DROP;
}

static const struct dpk_stage by_port_stage = {
	.name = "bp", .process = to_other_counted, .flags = DPK_STAGE_F_BY_PORT,
};
static const struct dpk_stage per_packet_stage = {
	.name = "pp", .process = to_other_counted,
};
static const struct dpk_stage drop_stage = {
	.name = "drop", .process = drop_all, .flags = DPK_STAGE_F_BY_PORT,
};
static const uint8_t forward[2] = { 1, 0 };
static struct dpk_evdev ev = { .dev = 0, .nb_ports = 1, .nb_queues = 1 };
static const volatile uint64_t both_up = 3;

/* Called by worker.c's stage task; stage.c is not linked here. */
void dpk_stage_forward(const struct dpk_stage_ctx *ctx, const uint8_t *in,
		       uint16_t *out, uint16_t n)
{
	uint16_t i;

	for (i = 0; i < n; i++)
		out[i] = ctx->forward[in[i]];
}

static int setup(void **state)
{
	unsigned int p;

	(void)state;
	memset(&pool, 0, sizeof(pool));
	assert_int_equal(rte_mempool_set_ops_byname(&pool, "dpk_test_fake", NULL), 0);
	for (p = 0; p < 2; p++) {
		rte_eth_fp_ops[p].rx_pkt_burst = fake_rx;
		rte_eth_fp_ops[p].rxq.data = &qdata[p];
		rte_eth_fp_ops[p].rxq.clbk = &no_clbk[p];
		rte_eth_fp_ops[p].tx_pkt_burst = fake_tx;
		rte_eth_fp_ops[p].txq.data = &qdata[p];
		rte_eth_fp_ops[p].txq.clbk = &no_clbk[p];
	}
	rte_event_fp_ops[0] = (struct rte_event_fp_ops){
		.data = evport, .enqueue = fake_enq1, .enqueue_burst = fake_enq,
		.enqueue_new_burst = fake_enq, .enqueue_forward_burst = fake_enq,
		.dequeue = fake_deq1, .dequeue_burst = fake_deq,
		.maintain = fake_maintain,
	};
	memset(&w, 0, sizeof(w));
	w.nr_rxq = 2;
	w.rxq[0] = (struct dpk_rxq){ .port_id = 0, .port = 0, .dst_port = 1 };
	w.rxq[1] = (struct dpk_rxq){ .port_id = 1, .port = 1, .dst_port = 0 };
	w.stop = &stop;
	w.stop_rx = &stop_rx;
	w.stage = &stage;
	w.stage_ctx = (struct dpk_stage_ctx){ .nr_ports = 2, .forward = forward };
	w.ev = &ev;
	w.port_ids[0] = 0;
	w.port_ids[1] = 1;
	w.link_bit[0] = 0;
	w.link_bit[1] = 1;
	w.link_word = &both_up;
	stop = stop_rx = 0;
	stop_at_pass = 0;
	nr_parks = nr_kicks = 0;
	head = tail = nr_enq_calls = refusals = 0;
	rx_supply = nr_tx = nr_freed = 0;
	nr_tx_port[0] = nr_tx_port[1] = 0;
	nr_process = process_n = 0;
	rx_no_rss = false;
	rx_rss = 0;
	refuse_errno = 0;
	return 0;
}

/*
 * rx admission: what the eventdev refuses (-ENOSPC, as a DLB2 says it) is
 * held and offered first next pass; nothing is received meanwhile and
 * nothing is freed.
 */
static void rx_refused_is_held(void **state)
{
	(void)state;
	rx_supply = 40;
	refusals = 1;
	refuse_errno = -ENOSPC;
	assert_int_equal(rx_task(&w, 3), 32);	/* port 0's burst, refused */
	assert_int_equal(rx_supply, 8);		/* port 1 not polled */
	assert_int_equal(w.stats.drop_evdev, 0);
	assert_int_equal(nr_freed, 0);
	assert_int_equal(tail - head, 0);
	assert_int_equal(rx_task(&w, 3), 8);	/* held ones in, then port 1 */
	assert_int_equal(tail - head, 40);
	assert_int_equal(w.stats.rx, 40);
	assert_int_equal(nr_freed, 0);
	/* and the stage sends them all on */
	while (stage_task(&w, 3))
		;
	assert_int_equal(nr_tx, 40);
}

/*
 * A forward the device refuses with -ENOSPC (a DLB2's credits, a
 * transient state) is retried; it goes once the device takes it.
 */
static void forward_enospc_is_retried(void **state)
{
	struct rte_event evs[4];
	unsigned int i;

	(void)state;
	for (i = 0; i < 4; i++)
		evs[i] = (struct rte_event){ .op = RTE_EVENT_OP_FORWARD,
					     .mbuf = mbuf_get(i) };
	refusals = 5;
	refuse_errno = -ENOSPC;
	assert_int_equal(enqueue_or_release(&w, evs, 4), 4);
	assert_int_equal(nr_enq_calls, 6);
	assert_int_equal(w.stats.drop_evdev, 0);
	assert_int_equal(nr_freed, 0);
}

/*
 * -EINVAL is a bug (a bad queue or port), not a full device: no retries,
 * the packets freed, and counted as an eventdev error, not as a drop for
 * lack of room.
 */
static void forward_einval_is_a_bug(void **state)
{
	struct rte_event evs[4];
	unsigned int i;

	(void)state;
	for (i = 0; i < 4; i++)
		evs[i] = (struct rte_event){ .op = RTE_EVENT_OP_FORWARD,
					     .mbuf = mbuf_get(i) };
	refusals = 1000;
	refuse_errno = -EINVAL;
	assert_int_equal(enqueue_or_release(&w, evs, 4), 0);
	assert_int_equal(nr_freed, 4);
	assert_int_equal(w.stats.drop_evdev, 0);
	assert_int_equal(w.stats.evdev_errors, 4);
	assert_true(nr_enq_calls <= 2);	/* the forward, and the releases */
}

/* -EINVAL at rx: not held (offering them again would not help). */
static void rx_einval_is_a_bug(void **state)
{
	(void)state;
	rx_supply = 10;
	refusals = 1;
	refuse_errno = -EINVAL;
	assert_int_equal(rx_task(&w, 3), 10);
	assert_int_equal(w.nb_held, 0);
	assert_int_equal(w.stats.evdev_errors, 10);
	assert_int_equal(nr_freed, 10);
}

/*
 * rx-mode adaptive: the loop calls the park after idle-passes empty passes
 * in a row, never after a pass that moved packets; rx-mode poll (passes 0)
 * never parks.
 */
static void parks_after_empty_passes(void **state)
{
	(void)state;
	w.ev = NULL;			/* poll mode: rx, stage, tx */
	w.idle.passes = 4;
	rx_supply = 40;			/* pass 1: 32 + 8 */
	stop_at_pass = 9;
	dpk_worker_main(&w);
	assert_int_equal(w.stats.polls, 9);
	assert_int_equal(nr_tx, 40);
	/* passes 2-5 empty: park in pass 5; the stub starts the count
	 * again (as idle.c does when work came), so passes 6-9 park in 9 */
	assert_int_equal(nr_parks, 2);
	assert_int_equal(park_at[0], 5);
	assert_int_equal(park_at[1], 9);
	assert_int_equal(w.stats.link_seen, 3);

	setup(NULL);
	w.ev = NULL;
	w.idle.passes = 0;		/* rx-mode poll */
	stop_at_pass = 1000;
	dpk_worker_main(&w);
	assert_int_equal(nr_parks, 0);
}

/*
 * With an eventdev and peers: a pass that received wakes the peers parked
 * in epoll; one that received nothing, or with none parked, does not.
 */
static void rx_wakes_parked_peers(void **state)
{
	struct dpk_idle_peers peers = { .workers = &w, .nr = 1 };

	(void)state;
	w.idle.peers = &peers;
	rx_supply = 10;
	stop_at_pass = 3;
	dpk_worker_main(&w);
	assert_int_equal(w.stats.rx, 10);
	assert_int_equal(nr_kicks, 0);	/* nobody parked */

	setup(NULL);
	w.idle.peers = &peers;
	peers.parked[0] = 1ULL << 1;	/* worker 1 in epoll */
	rx_supply = 10;
	stop_at_pass = 3;
	dpk_worker_main(&w);
	assert_int_equal(nr_kicks, 1);	/* the pass with rx, not the others */
	w.idle.peers = NULL;
}

/*
 * rx builds NEW atomic events on queue 0 carrying the rx port (sub event
 * type), its priority and the flow id: the RSS hash when the mbuf has
 * one, else the software hash of its headers.
 */
/* An RSS hash wider than the flow id's 20 bits: its low 20 bits, and
 * nothing of it in the event's other fields. */
static void rx_flow_id_is_20_bits(void **state)
{
	const struct rte_event *e;

	(void)state;
	rx_supply = 1;
	rx_rss = 0xfffffff7;
	w.prio[0] = 64;
	assert_int_equal(rx_task(&w, 3), 1);
	e = &fifo[head % 1024];
	assert_int_equal(e->flow_id, 0xffff7);
	assert_int_equal(e->sub_event_type, 0);
	assert_int_equal(e->event_type, RTE_EVENT_TYPE_ETHDEV);
	assert_int_equal(e->op, RTE_EVENT_OP_NEW);
	assert_int_equal(e->sched_type, RTE_SCHED_TYPE_ATOMIC);
	assert_int_equal(e->queue_id, 0);
	assert_int_equal(e->priority, 64);
	assert_int_equal(e->impl_opaque, 0);
}

static void rx_events_carry_the_flow(void **state)
{
	const struct rte_event *e;
	unsigned int i;

	(void)state;
	rx_supply = 3;
	w.prio[0] = 64;
	assert_int_equal(rx_task(&w, 3), 3);
	assert_int_equal(tail - head, 3);
	for (i = 0; i < 3; i++) {
		e = &fifo[(head + i) % 1024];
		assert_int_equal(e->op, RTE_EVENT_OP_NEW);
		assert_int_equal(e->sched_type, RTE_SCHED_TYPE_ATOMIC);
		assert_int_equal(e->queue_id, 0);
		assert_int_equal(e->event_type, RTE_EVENT_TYPE_ETHDEV);
		assert_int_equal(e->sub_event_type, 0);
		assert_int_equal(e->priority, 64);
		assert_int_equal(e->flow_id, i);	/* mbuf_get(i): rss = i */
		assert_non_null(e->mbuf);
	}
	rx_no_rss = true;
	rx_supply = 3;
	w.rx_first = 1;
	assert_int_equal(rx_task(&w, 3), 3);	/* port 1's */
	for (i = 0; i < 3; i++) {
		e = &fifo[(head + 3 + i) % 1024];
		assert_int_equal(e->sub_event_type, 1);
		assert_int_equal(e->priority, 0);
		assert_int_equal(e->flow_id,
				 dpk_flow_hash(rte_pktmbuf_mtod(e->mbuf, uint8_t *),
					       60));
	}
}

/* The stage: a burst all to one port that is up goes out as it is. */
static void stage_burst_to_one_port(void **state)
{
	(void)state;
	rx_supply = 32;
	assert_int_equal(rx_task(&w, 3), 32);	/* port 0's, to port 1 */
	assert_int_equal(stage_task(&w, 3), 32);
	assert_int_equal(nr_tx, 32);
	assert_int_equal(w.stats.tx, 32);
	assert_int_equal(nr_freed, 0);
}

/* ... to a port that is down: freed, counted for that port. */
static void stage_burst_to_a_down_port(void **state)
{
	(void)state;
	rx_supply = 32;
	assert_int_equal(rx_task(&w, 3), 32);	/* port 0's, to port 1 */
	assert_int_equal(stage_task(&w, 1), 32);	/* port 1 down */
	assert_int_equal(nr_tx, 0);
	assert_int_equal(nr_freed, 32);
	assert_int_equal(w.stats.drop_link_down, 32);
	assert_int_equal(w.stats.port_drop_link_down[1], 32);
}

/* A burst for both ports, one of them down: each packet by its port. */
static void stage_mixed_burst(void **state)
{
	struct rte_event evs[8];
	unsigned int i;

	(void)state;
	for (i = 0; i < 8; i++)
		evs[i] = (struct rte_event){ .op = RTE_EVENT_OP_NEW,
					     .sub_event_type = i & 1,
					     .mbuf = mbuf_get(i) };
	assert_int_equal(fake_enq(NULL, evs, 8), 8);
	assert_int_equal(stage_task(&w, 1), 8);	/* port 0 up, 1 down */
	assert_int_equal(nr_tx, 4);		/* port 1's, to port 0 */
	assert_int_equal(nr_freed, 4);
	assert_int_equal(w.stats.port_drop_link_down[1], 4);
}

/* A port with one tx queue for all workers: FORWARD to queue 1. */
static void stage_funnel_forwards(void **state)
{
	const struct rte_event *e;
	unsigned int i;

	(void)state;
	w.funnel = 1U << 1;
	rx_supply = 8;
	assert_int_equal(rx_task(&w, 3), 8);	/* port 0's, to port 1 */
	assert_int_equal(stage_task(&w, 3), 8);
	assert_int_equal(nr_tx, 0);
	assert_int_equal(tail - head, 8);	/* the forwards */
	for (i = 0; i < 8; i++) {
		e = &fifo[(head + i) % 1024];
		assert_int_equal(e->op, RTE_EVENT_OP_FORWARD);
		assert_int_equal(e->queue_id, 1);
		assert_int_equal(e->sub_event_type, 1);
	}
}

/*
 * Poll mode with a by-port stage: one call per burst, for its first packet,
 * and the whole burst where it said (port 0's 32 to port 1, then port 1's
 * 8 to port 0).
 */
static void poll_by_port_one_call_a_burst(void **state)
{
	(void)state;
	w.stage = &by_port_stage;
	rx_supply = 40;
	assert_int_equal(poll_task(&w, 3), 40);
	assert_int_equal(nr_process, 2);
	assert_int_equal(process_n, 1);
	assert_int_equal(nr_tx_port[1], 32);
	assert_int_equal(nr_tx_port[0], 8);
	assert_int_equal(w.stats.rx, 40);
	assert_int_equal(w.stats.stage, 40);
	assert_int_equal(w.stats.tx, 40);
	assert_int_equal(nr_freed, 0);
}

/* ... its burst for a port that is down: each packet freed and counted. */
static void poll_by_port_to_a_down_port(void **state)
{
	(void)state;
	w.stage = &by_port_stage;
	rx_supply = 40;
	/* port 1 down: no rx from it; port 0's 32 were for it */
	assert_int_equal(poll_task(&w, 1), 32);
	assert_int_equal(nr_tx, 0);
	assert_int_equal(nr_freed, 32);
	assert_int_equal(w.stats.drop_link_down, 32);
	assert_int_equal(w.stats.port_drop_link_down[1], 32);
}

/* ... one that drops: the whole burst, counted as the stage's. */
static void poll_by_port_drop(void **state)
{
	(void)state;
	w.stage = &drop_stage;
	rx_supply = 20;
	assert_int_equal(poll_task(&w, 3), 20);
	assert_int_equal(nr_process, 1);
	assert_int_equal(nr_tx, 0);
	assert_int_equal(nr_freed, 20);
	assert_int_equal(w.stats.drop_stage, 20);
}

/* Any other stage sees every packet of the burst. */
static void poll_per_packet_stage(void **state)
{
	(void)state;
	w.stage = &per_packet_stage;
	rx_supply = 40;
	assert_int_equal(poll_task(&w, 3), 40);
	assert_int_equal(nr_process, 2);
	assert_int_equal(process_n, 8);		/* port 1's whole burst */
	assert_int_equal(nr_tx_port[1], 32);
	assert_int_equal(nr_tx_port[0], 8);
	assert_int_equal(nr_freed, 0);
}

/* one_port(): every length, with one other port at every position. */
static void one_port_every_position(void **state)
{
	uint16_t out[DPK_BURST];
	unsigned int n, i, j;

	(void)state;
	for (n = 1; n <= DPK_BURST; n++) {
		for (j = 0; j < n; j++)
			out[j] = 7;
		assert_true(one_port(out, n));
		for (i = 0; i < n; i++) {
			out[i] = 3;
			assert_int_equal(one_port(out, n), n == 1);
			out[i] = 7;
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(rx_refused_is_held, setup),
		cmocka_unit_test_setup(forward_enospc_is_retried, setup),
		cmocka_unit_test_setup(forward_einval_is_a_bug, setup),
		cmocka_unit_test_setup(rx_einval_is_a_bug, setup),
		cmocka_unit_test_setup(parks_after_empty_passes, setup),
		cmocka_unit_test_setup(rx_wakes_parked_peers, setup),
		cmocka_unit_test_setup(rx_flow_id_is_20_bits, setup),
		cmocka_unit_test_setup(rx_events_carry_the_flow, setup),
		cmocka_unit_test_setup(stage_burst_to_one_port, setup),
		cmocka_unit_test_setup(stage_burst_to_a_down_port, setup),
		cmocka_unit_test_setup(stage_mixed_burst, setup),
		cmocka_unit_test_setup(stage_funnel_forwards, setup),
		cmocka_unit_test_setup(poll_by_port_one_call_a_burst, setup),
		cmocka_unit_test_setup(poll_by_port_to_a_down_port, setup),
		cmocka_unit_test_setup(poll_by_port_drop, setup),
		cmocka_unit_test_setup(poll_per_packet_stage, setup),
		cmocka_unit_test(one_port_every_position),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
