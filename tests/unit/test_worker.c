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

/* ---- ethdev: port 0 and 1, one queue each ---- */
static unsigned int rx_supply, nr_tx;
static void *qdata[2] = { (void *)1, (void *)2 }, *no_clbk[2];

static uint16_t fake_rx(void *q, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t i;

	(void)q;
	for (i = 0; i < n && rx_supply; i++, rx_supply--)
		pkts[i] = mbuf_get(i);
	return i;
}

static uint16_t fake_tx(void *q, struct rte_mbuf **pkts, uint16_t n)
{
	(void)q;
	(void)pkts;
	nr_tx += n;
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
static const uint8_t forward[2] = { 1, 0 };
static struct dpk_evdev ev = { .dev = 0, .nb_ports = 1, .nb_queues = 1 };
static struct dpk_worker w;
static volatile int stop, stop_rx;

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
	head = tail = nr_enq_calls = refusals = 0;
	rx_supply = nr_tx = nr_freed = 0;
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(rx_refused_is_held, setup),
		cmocka_unit_test_setup(forward_enospc_is_retried, setup),
		cmocka_unit_test_setup(forward_einval_is_a_bug, setup),
		cmocka_unit_test_setup(rx_einval_is_a_bug, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
