/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpkitd's plan (plan.c) on made-up devices: event_dsw-, event_sw- and
 * DLB2-like eventdevs, ports on one or two NUMA nodes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "plan.h"

static char err[256];

static const struct dpk_evdev_caps dsw = {
	.max_num_events = 16384, .max_ports = 64, .max_deq_depth = 128,
	.max_enq_depth = 128, .burst = true,
};
static const struct dpk_evdev_caps sw = {
	.max_num_events = 4096, .max_ports = 64, .max_deq_depth = 128,
	.max_enq_depth = 4096, .burst = true,
};

/* A DLB2 as its PMD describes itself with max_cq_depth=128 in its devargs. */
static const struct dpk_evdev_caps dlb2 = {
	.max_num_events = 2048, .max_ports = 64, .max_deq_depth = 128,
	.max_enq_depth = 32, .min_timeout_ns = 1, .burst = true,
};

/*
 * DLB2: no dequeue timeout (its wait path uses power monitoring, which
 * workers may not); the depths its devargs set are used, not capped.
 */
static void dlb2_depths_and_timeout(void **state)
{
	struct dpk_evdev_plan p;

	(void)state;
	assert_int_equal(dpk_plan_evdev(&dlb2, 4, &p, err, sizeof(err)), 0);
	assert_int_equal(p.dequeue_timeout_ns, 0);
	assert_int_equal(p.deq_depth, 128);
	assert_int_equal(p.enq_depth, 32);
	assert_int_equal(p.limit, 2048);
}

/*
 * Every PMD compares a port's threshold with the device-wide count, which
 * includes the credits ports hold back: the threshold is the limit less
 * all of those, at any worker count, never the limit shared out by ports.
 */
static void threshold_against_the_device(void **state)
{
	struct dpk_evdev_plan p;
	unsigned int n;

	(void)state;
	for (n = 1; n <= 64; n *= 2) {
		assert_int_equal(dpk_plan_evdev(&dsw, n, &p, err, sizeof(err)), 0);
		assert_int_equal(p.limit, 16384);
		assert_int_equal(p.reserve, n * DPK_PORT_CREDIT_CACHE);
		assert_int_equal(p.new_threshold, 16384 - n * DPK_PORT_CREDIT_CACHE);
		/* with nothing in flight the ports' credits never block NEW */
		assert_true(p.new_threshold >= p.reserve);
	}
	assert_int_equal(dpk_plan_evdev(&sw, 16, &p, err, sizeof(err)), 0);
	assert_int_equal(p.limit, 4096);
	assert_int_equal(p.new_threshold, 4096 - 16 * 128);
}

static void too_small_is_refused(void **state)
{
	struct dpk_evdev_plan p;

	(void)state;
	assert_int_equal(dpk_plan_evdev(&sw, 17, &p, err, sizeof(err)), -ENOSPC);
	assert_non_null(strstr(err, "17 event ports may hold back 128 credits "
			       "each (2176): the device's 4096 events"));
	assert_int_equal(dpk_plan_evdev(&dsw, 65, &p, err, sizeof(err)), -ENOSPC);
	assert_non_null(strstr(err, "65 event ports wanted, the device has 64"));
}

/* A devarg that raises a PMD's credit quanta raises what ports hold. */
static void credit_quanta_devargs(void **state)
{
	struct dpk_evdev_caps c = sw;
	struct dpk_evdev_plan p;

	(void)state;
	assert_int_equal(dpk_devargs_credit_quanta("credit_quanta=100"), 100);
	assert_int_equal(dpk_devargs_credit_quanta("0000:6d:00.0,sw_credit_quanta=96,x=1"), 96);
	assert_int_equal(dpk_devargs_credit_quanta("xcredit_quanta=5"), 0);
	assert_int_equal(dpk_devargs_credit_quanta(""), 0);
	c.credit_quanta = 100;
	assert_int_equal(dpk_plan_evdev(&c, 4, &p, err, sizeof(err)), 0);
	assert_int_equal(p.port_cache, 200);
	assert_int_equal(p.new_threshold, 4096 - 800);
}

/* An open system (no max_num_events) is limited by the mbufs. */
static void open_system(void **state)
{
	struct dpk_evdev_caps c = dsw;
	struct dpk_port_plan ports[1] = { { 1, 1, 512, 512, 0 } };
	struct dpk_evdev_plan p;
	struct dpk_mbuf_plan mp;

	(void)state;
	c.max_num_events = -1;
	assert_int_equal(dpk_plan_evdev(&c, 1, &p, err, sizeof(err)), 0);
	assert_int_equal(p.limit, DPK_EVENTS_OPEN);
	assert_int_equal(dpk_plan_mbufs(ports, 1, 1, 4, 0, 0, &p, &mp, err,
					sizeof(err)), 0);
	assert_int_equal(p.new_threshold, DPK_EVENTS_DEFAULT);
}

/*
 * mbufs from the plan: every ring, the events in flight, the workers'
 * bursts and the lcores' caches; 2 ports x (1024 + 1024) descriptors and
 * one worker on event_dsw.
 */
static void mbufs_from_the_plan(void **state)
{
	struct dpk_port_plan ports[2] = {
		{ 1, 1, 1024, 1024, 0 }, { 1, 1, 1024, 1024, 0 },
	};
	struct dpk_evdev_plan ev;
	struct dpk_mbuf_plan mp;

	(void)state;
	assert_int_equal(dpk_plan_evdev(&dsw, 1, &ev, err, sizeof(err)), 0);
	assert_int_equal(dpk_plan_mbufs(ports, 2, 1, 4, 256, 0, &ev, &mp, err,
					sizeof(err)), 0);
	assert_int_equal(mp.nr_pools, 1);
	assert_int_equal(mp.rx_desc[0], 2048);
	assert_int_equal(mp.tx_desc, 2048);
	assert_int_equal(ev.new_threshold, DPK_EVENTS_DEFAULT);
	assert_int_equal(mp.events, DPK_EVENTS_DEFAULT + 32);
	assert_int_equal(mp.in_hand, 3 * 32);
	assert_int_equal(mp.caches, 4 * 256 * 3 / 2);
	/* 2048 + 2048 + 4128 + 96 + 1536 = 9856, as 2^n - 1 */
	assert_int_equal(mp.count[0], 16383);
	/* poll mode: no events, one burst per worker */
	assert_int_equal(dpk_plan_mbufs(ports, 2, 1, 4, 256, 0, NULL, &mp, err,
					sizeof(err)), 0);
	assert_int_equal(mp.events, 0);
	assert_int_equal(mp.count[0], 8191);
}

/* mbufs = N: the threshold gets what the rest leaves, or it is refused. */
static void mbufs_configured(void **state)
{
	struct dpk_port_plan ports[2] = {
		{ 1, 1, 1024, 1024, 0 }, { 1, 1, 1024, 1024, 0 },
	};
	struct dpk_evdev_plan ev;
	struct dpk_mbuf_plan mp;

	(void)state;
	assert_int_equal(dpk_plan_evdev(&dsw, 1, &ev, err, sizeof(err)), 0);
	assert_int_equal(dpk_plan_mbufs(ports, 2, 1, 4, 256, 8191, &ev, &mp, err,
					sizeof(err)), 0);
	assert_int_equal(mp.count[0], 8191);
	assert_int_equal(ev.new_threshold, 8191 - 2048 - 2048 - 96 - 1536 - 32);
	assert_int_equal(dpk_plan_evdev(&dsw, 1, &ev, err, sizeof(err)), 0);
	assert_int_equal(dpk_plan_mbufs(ports, 2, 1, 4, 256, 2047, &ev, &mp, err,
					sizeof(err)), -ENOSPC);
	assert_string_equal(err, "mbufs = 2047 is too few: rx descriptors 2048 + "
			    "tx descriptors 2048 + events 160 + in the workers' "
			    "hands 96 + lcore caches 1536 = 5888");
}

/* Ports on two NUMA nodes: a pool on each, sized for its ports' rings. */
static void a_pool_per_node(void **state)
{
	struct dpk_port_plan ports[3] = {
		{ 2, 1, 1024, 512, 1 }, { 1, 1, 1024, 512, 0 },
		{ 1, 1, 1024, 512, 1 },
	};
	struct dpk_mbuf_plan mp;

	(void)state;
	assert_int_equal(dpk_plan_mbufs(ports, 3, 1, 4, 0, 0, NULL, &mp, err,
					sizeof(err)), 0);
	assert_int_equal(mp.nr_pools, 2);
	assert_int_equal(mp.socket[0], 1);
	assert_int_equal(mp.rx_desc[0], 3072);
	assert_int_equal(mp.socket[1], 0);
	assert_int_equal(mp.rx_desc[1], 1024);
	assert_int_equal(dpk_plan_pool(&mp, 0), 1);
	assert_int_equal(dpk_plan_pool(&mp, 1), 0);
	/* tx rings may hold either node's mbufs */
	assert_int_equal(mp.tx_desc, 1536);
	assert_true(mp.count[0] >= 3072 + 1536 + 32);
	assert_true(mp.count[1] >= 1024 + 1536 + 32);
}

/*
 * How a worker parks, from its queues and the CPU: epoll when every queue
 * has rx interrupts (or it has none); else power monitoring when the
 * queues without interrupts give a monitor address (several only with
 * monitor_multi); else a pause, else sleep.
 */
static void park_from_what_there_is(void **state)
{
	const struct dpk_park_cpu none = { 0 }, pause = { .pause = true };
	const struct dpk_park_cpu waitpkg = { .monitor = true, .pause = true };
	const struct dpk_park_cpu rtm = { .monitor = true, .monitor_multi = true,
					  .pause = true };

	(void)state;
	assert_int_equal(dpk_plan_park(2, 3, 0, &none), DPK_PARK_INTERRUPT);
	assert_int_equal(dpk_plan_park(0, 0, 0, &none), DPK_PARK_INTERRUPT);
	assert_int_equal(dpk_plan_park(2, 1, 0, &none), DPK_PARK_SLEEP);
	assert_int_equal(dpk_plan_park(2, 1, 0, &pause), DPK_PARK_PAUSE);
	assert_int_equal(dpk_plan_park(2, 1, 2, &waitpkg), DPK_PARK_MONITOR);
	assert_int_equal(dpk_plan_park(2, 0, 3, &waitpkg), DPK_PARK_PAUSE);
	assert_int_equal(dpk_plan_park(2, 0, 3, &rtm), DPK_PARK_MONITOR);
	assert_int_equal(dpk_plan_park(2, 0, 1, &rtm), DPK_PARK_PAUSE);
	assert_int_equal(dpk_plan_park(64, ~0ULL, 0, &none), DPK_PARK_INTERRUPT);
	assert_string_equal(dpk_park_name(DPK_PARK_SLEEP), "sleep");
}

/* The cap: the time the ring takes to fill with minimum-size frames at
 * the link speed, 1 us to 1 ms; the ladder doubles from 1 us up to it. */
static void idle_cap_and_ladder(void **state)
{
	unsigned int s, i;

	(void)state;
	assert_int_equal(dpk_plan_idle_cap_us(1024, 10000), 68);	/* 10G */
	assert_int_equal(dpk_plan_idle_cap_us(512, 100000), 3);	/* 100G */
	assert_int_equal(dpk_plan_idle_cap_us(64, 400000), 1);
	assert_int_equal(dpk_plan_idle_cap_us(4096, 1000), DPK_IDLE_CAP_MAX_US);
	assert_int_equal(dpk_plan_idle_cap_us(1024, 0), DPK_IDLE_CAP_MAX_US);
	for (s = 0, i = 0; i < 6; i++)
		s = dpk_plan_idle_step(s, 20);
	assert_int_equal(s, 20);		/* 1 2 4 8 16 20 */
	assert_int_equal(dpk_plan_idle_step(0, 20), 1);
	assert_int_equal(dpk_plan_idle_step(4, 20), 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(threshold_against_the_device),
		cmocka_unit_test(dlb2_depths_and_timeout),
		cmocka_unit_test(too_small_is_refused),
		cmocka_unit_test(credit_quanta_devargs),
		cmocka_unit_test(open_system),
		cmocka_unit_test(mbufs_from_the_plan),
		cmocka_unit_test(mbufs_configured),
		cmocka_unit_test(a_pool_per_node),
		cmocka_unit_test(park_from_what_there_is),
		cmocka_unit_test(idle_cap_and_ladder),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
