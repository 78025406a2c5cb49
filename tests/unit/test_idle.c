/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Parking (user/dpkitd/idle.c, included here as a debug build, DPK_DEBUG)
 * on fakes: the rx interrupt calls, the monitor address, rte_epoll_wait and
 * rte_panic are wrapped at link time (-Wl,--wrap, the Makefile), the
 * descriptor count is DPDK's fast-path table. No EAL, no device.
 *
 * The token: what is armed is disarmed when the token goes out of scope, a
 * second disarm and a park that returns with a queue armed panic, so does
 * a park holding a lock. The park: what ends it is counted; it is called
 * off when packets came before the interrupts were on, when the worker
 * stops, when packets are in flight; its wait is shorter when a queue
 * cannot say whether packets wait, and when an rx event found nothing; the
 * sleep ladder doubles up to the cap and starts again after traffic; a
 * worker parked in epoll is marked for its peers, and woken by them.
 */
#define DPK_DEBUG 1

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../../user/dpkitd/idle.c"

#include <cmocka.h>

RTE_DEFINE_PER_LCORE(unsigned int, dpk_locks_held);

/* ---- rte_panic: back to the test that expects it ---- */
static jmp_buf panic_jmp;
static bool panic_expected;
static char panic_msg[256];

void __wrap___rte_panic(const char *funcname, const char *format, ...);
void __wrap___rte_panic(const char *funcname, const char *format, ...)
{
	va_list ap;

	(void)funcname;
	va_start(ap, format);
	vsnprintf(panic_msg, sizeof(panic_msg), format, ap);
	va_end(ap);
	if (!panic_expected)
		fail_msg("unexpected panic: %s", panic_msg);
	longjmp(panic_jmp, 1);
}

#define expect_panic(stmt, text) do {					\
		panic_expected = true;					\
		panic_msg[0] = '\0';					\
		if (!setjmp(panic_jmp)) {				\
			stmt;						\
			fail_msg("no panic: " #stmt);			\
		}							\
		panic_expected = false;					\
		assert_non_null(strstr(panic_msg, text));		\
	} while (0)

/* ---- rx interrupts: queue q of port q, enable/disable recorded ---- */
static uint64_t enabled;		/* bit per queue: its interrupt on */
static unsigned int nr_enable, nr_disable;
static int enable_ret[4];

int __wrap_rte_eth_dev_rx_intr_enable(uint16_t port, uint16_t queue);
int __wrap_rte_eth_dev_rx_intr_enable(uint16_t port, uint16_t queue)
{
	(void)queue;
	nr_enable++;
	if (enable_ret[port])
		return enable_ret[port];
	enabled |= 1ULL << port;
	return 0;
}

int __wrap_rte_eth_dev_rx_intr_disable(uint16_t port, uint16_t queue);
int __wrap_rte_eth_dev_rx_intr_disable(uint16_t port, uint16_t queue)
{
	(void)queue;
	nr_disable++;
	assert_true(enabled >> port & 1);	/* only what was armed */
	enabled &= ~(1ULL << port);
	return 0;
}

/* A monitor address for port 1: a word that says "packets" when not 0. */
static volatile uint64_t ring_word;

static int ring_says(const uint64_t val,
		     const uint64_t opaque[RTE_POWER_MONITOR_OPAQUE_SZ])
{
	(void)opaque;
	return val ? -1 : 0;
}

int __wrap_rte_eth_get_monitor_addr(uint16_t port, uint16_t queue,
				    struct rte_power_monitor_cond *pmc);
int __wrap_rte_eth_get_monitor_addr(uint16_t port, uint16_t queue,
				    struct rte_power_monitor_cond *pmc)
{
	(void)queue;
	if (port != 1)
		return -ENOTSUP;
	memset(pmc, 0, sizeof(*pmc));
	pmc->addr = (volatile void *)&ring_word;
	pmc->size = sizeof(ring_word);
	pmc->fn = ring_says;
	return 0;
}

/* The descriptor count of port 0's queue (port 1's PMD has none). */
static int desc_count;
static void *qdata[2] = { (void *)1, (void *)2 };

static uint32_t fake_count(void *q)
{
	(void)q;
	return desc_count;
}

/* ---- rte_epoll_wait: one scripted outcome per call ---- */
enum outcome { TIMEOUT, RX, KICK };
static enum outcome next_wake;
static int last_timeout, nr_waits;
static uint64_t parked_while_waiting;
static struct dpk_worker ws[2];		/* ws[0] parks; ws[1] is a peer */
static struct dpk_idle_peers peers = { .workers = ws, .nr = 2 };

int __wrap_rte_epoll_wait(int epfd, struct rte_epoll_event *events,
			  int maxevents, int timeout);
int __wrap_rte_epoll_wait(int epfd, struct rte_epoll_event *events,
			  int maxevents, int timeout)
{
	uint64_t one = 1;

	(void)epfd;
	(void)maxevents;
	nr_waits++;
	last_timeout = timeout;
	parked_while_waiting = peers.parked[0];
	/* what is armed while the worker waits: every watched queue's */
	switch (next_wake) {
	case TIMEOUT:
		return 0;
	case RX:
		events[0] = (struct rte_epoll_event){ .fd = 1000 };
		return 1;
	case KICK:
		assert_int_equal(write(ws[0].idle.evfd, &one, sizeof(one)), 8);
		events[0] = (struct rte_epoll_event){ .fd = ws[0].idle.evfd };
		return 1;
	}
	return -1;
}

static volatile int stop;
static const volatile uint64_t all_up = 3, port0_up = 1;

/* ws[0]: queue 0 of port 0 (armed, a descriptor count) and queue 0 of
 * port 1 (armed, a monitor address). */
static int setup(void **state)
{
	(void)state;
	memset(ws, 0, sizeof(ws));
	memset(&peers.parked, 0, sizeof(peers.parked));
	ws[0].id = 0;
	ws[1].id = 1;
	ws[0].nr_rxq = 2;
	ws[0].rxq[0] = (struct dpk_rxq){ .port_id = 0, .port = 0 };
	ws[0].rxq[1] = (struct dpk_rxq){ .port_id = 1, .port = 1 };
	ws[0].link_bit[1] = 1;
	ws[0].link_word = &all_up;
	ws[0].stop = &stop;
	ws[0].idle = (struct dpk_idle){
		.passes = 16, .park = DPK_PARK_INTERRUPT, .cap_us = 8,
		.intr = 3, .arm = 3, .tsc_us = 1, .epfd = -1,
	};
	ws[0].idle.evfd = eventfd(0, EFD_NONBLOCK);
	ws[1].idle.evfd = eventfd(0, EFD_NONBLOCK);
	rte_eth_fp_ops[0].rx_queue_count = fake_count;
	rte_eth_fp_ops[0].rxq.data = &qdata[0];
	rte_eth_fp_ops[1].rx_queue_count = NULL;
	rte_eth_fp_ops[1].rxq.data = &qdata[1];
	stop = 0;
	enabled = 0;
	nr_enable = nr_disable = nr_waits = 0;
	memset(enable_ret, 0, sizeof(enable_ret));
	desc_count = 0;
	ring_word = 0;
	next_wake = TIMEOUT;
	RTE_PER_LCORE(dpk_locks_held) = 0;
	RTE_PER_LCORE(dpk_rxq_armed) = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	close(ws[0].idle.evfd);
	close(ws[1].idle.evfd);
	return 0;
}

/* Armed in the scope of the token, disarmed when it ends; only the queues
 * of ports that are up. */
static void token_disarms_at_scope_end(void **state)
{
	(void)state;
	{
		DPK_ARMED a = dpk_rxq_arm(&ws[0], all_up);

		assert_int_equal(enabled, 3);
		assert_int_equal(a.queues, 3);
		assert_int_equal(RTE_PER_LCORE(dpk_rxq_armed), 2);
	}
	assert_int_equal(enabled, 0);
	assert_int_equal(nr_disable, 2);
	assert_int_equal(RTE_PER_LCORE(dpk_rxq_armed), 0);
	{
		DPK_ARMED a = dpk_rxq_arm(&ws[0], port0_up);

		assert_int_equal(a.watched, 1);		/* port 1 is down */
		assert_int_equal(enabled, 1);
	}
	assert_int_equal(enabled, 0);
}

/* An enable that fails: the token says so; what it armed is disarmed. */
static void token_arm_failure(void **state)
{
	(void)state;
	enable_ret[1] = -EIO;
	{
		DPK_ARMED a = dpk_rxq_arm(&ws[0], all_up);

		assert_true(a.failed);
		assert_int_equal(a.queues, 1);
	}
	assert_int_equal(enabled, 0);
}

/* Misuse panics in a debug build: a token disarmed twice; a park that
 * ends with a queue armed (a token without DPK_ARMED, never disarmed); a
 * park holding a lock. */
static void token_misuse_panics(void **state)
{
	struct dpk_armed a;

	(void)state;
	a = dpk_rxq_arm(&ws[0], all_up);
	dpk_rxq_disarm(&a);
	expect_panic(dpk_rxq_disarm(&a), "disarmed twice");

	a = dpk_rxq_arm(&ws[0], all_up);
	expect_panic(park_check("after"), "2 rx queue(s) still armed");
	dpk_rxq_disarm(&a);

	RTE_PER_LCORE(dpk_locks_held) = 1;
	expect_panic(dpk_idle_park(&ws[0]), "holding 1 lock");
	RTE_PER_LCORE(dpk_locks_held) = 0;
}

/* What ends a park is counted; after an rx event the worker polls its
 * window again, after a timeout it parks again at the next empty pass. */
static void park_counts_what_woke_it(void **state)
{
	struct dpk_stats *st = &ws[0].stats;

	(void)state;
	next_wake = TIMEOUT;
	dpk_idle_park(&ws[0]);
	assert_int_equal(last_timeout, PARK_SAFETY_MS);
	assert_int_equal(st->parks, 1);
	assert_int_equal(st->wake_timeout, 1);
	assert_int_equal(ws[0].idle.empty, 15);
	assert_int_equal(enabled, 0);		/* disarmed */
	assert_int_equal(nr_enable, 2);

	next_wake = RX;
	dpk_idle_park(&ws[0]);
	assert_int_equal(st->wake_rx, 1);
	assert_int_equal(ws[0].idle.empty, 0);

	st->busy_polls++;			/* traffic */
	next_wake = KICK;
	dpk_idle_park(&ws[0]);
	assert_int_equal(st->wake_kick, 1);
	assert_int_equal(st->parks, 3);
	assert_int_equal(enabled, 0);
}

/* Called off, without waiting: packets came before the interrupts were on
 * (the descriptor count, the monitor condition); stopping; packets in
 * flight through the eventdev. Nothing stays armed. */
static void park_called_off(void **state)
{
	struct dpk_evdev ev = { 0 };

	(void)state;
	desc_count = 1;
	dpk_idle_park(&ws[0]);
	desc_count = 0;
	ring_word = 1;
	dpk_idle_park(&ws[0]);
	ring_word = 0;
	stop = 1;
	dpk_idle_park(&ws[0]);
	stop = 0;
	ws[0].ev = &ev;
	ws[0].stats.rx = 5;
	ws[0].stats.tx = 4;
	dpk_idle_park(&ws[0]);
	assert_int_equal(nr_waits, 0);
	assert_int_equal(ws[0].stats.park_aborts, 4);
	assert_int_equal(ws[0].stats.parks, 0);
	assert_int_equal(ws[0].idle.empty, 0);	/* poll the window again */
	assert_int_equal(enabled, 0);
	ws[0].stats.tx = 5;			/* all out: it parks */
	dpk_idle_park(&ws[0]);
	assert_int_equal(nr_waits, 1);
}

/* A queue that cannot say whether packets wait: a short wait. An rx event
 * whose passes found nothing: 1 ms, then doubling, until traffic. */
static void park_waits_less_when_unsure(void **state)
{
	(void)state;
	rte_eth_fp_ops[0].rx_queue_count = NULL;	/* port 0: no count... */
	ws[0].link_word = &port0_up;		/* ...and port 1 down */
	dpk_idle_park(&ws[0]);
	assert_int_equal(last_timeout, PARK_BLIND_MS);
	rte_eth_fp_ops[0].rx_queue_count = fake_count;

	next_wake = RX;
	dpk_idle_park(&ws[0]);
	assert_int_equal(last_timeout, PARK_SAFETY_MS);
	next_wake = TIMEOUT;
	dpk_idle_park(&ws[0]);
	assert_int_equal(last_timeout, 1);
	dpk_idle_park(&ws[0]);
	assert_int_equal(last_timeout, 2);
	dpk_idle_park(&ws[0]);
	assert_int_equal(last_timeout, 4);
	ws[0].stats.busy_polls++;
	dpk_idle_park(&ws[0]);
	assert_int_equal(last_timeout, PARK_SAFETY_MS);
}

/* The sleep ladder: 1 us, doubling, up to the cap; again after traffic. */
static void sleep_ladder(void **state)
{
	static const unsigned int steps[] = { 1, 2, 4, 8, 8 };
	unsigned int i;

	(void)state;
	ws[0].idle.park = DPK_PARK_SLEEP;
	for (i = 0; i < RTE_DIM(steps); i++) {
		dpk_idle_park(&ws[0]);
		assert_int_equal(ws[0].idle.step_us, steps[i]);
	}
	assert_int_equal(ws[0].stats.parks, 5);
	assert_int_equal(ws[0].stats.wake_timeout, 5);
	assert_int_equal(nr_enable, 0);		/* nothing armed */
	ws[0].stats.busy_polls++;
	dpk_idle_park(&ws[0]);
	assert_int_equal(ws[0].idle.step_us, 1);
}

/* Peers: a worker in epoll is marked while it waits, not after; a kick
 * reaches the marked peers, not the kicker. */
static void peers_mark_and_kick(void **state)
{
	uint64_t v = 0;

	(void)state;
	ws[0].idle.peers = &peers;
	ws[1].idle.peers = &peers;
	dpk_idle_park(&ws[0]);
	assert_int_equal(parked_while_waiting, 1);
	assert_int_equal(peers.parked[0], 0);

	peers.parked[0] = 3;			/* both, as the kicker sees it */
	dpk_idle_kick(&ws[1]);
	assert_int_equal(read(ws[0].idle.evfd, &v, sizeof(v)), 8);
	assert_int_equal(v, 1);
	assert_int_equal(read(ws[1].idle.evfd, &v, sizeof(v)), -1);
	peers.parked[0] = 0;
	ws[0].idle.peers = ws[1].idle.peers = NULL;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(token_disarms_at_scope_end, setup,
						teardown),
		cmocka_unit_test_setup_teardown(token_arm_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(token_misuse_panics, setup,
						teardown),
		cmocka_unit_test_setup_teardown(park_counts_what_woke_it, setup,
						teardown),
		cmocka_unit_test_setup_teardown(park_called_off, setup, teardown),
		cmocka_unit_test_setup_teardown(park_waits_less_when_unsure, setup,
						teardown),
		cmocka_unit_test_setup_teardown(sleep_ladder, setup, teardown),
		cmocka_unit_test_setup_teardown(peers_mark_and_kick, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
