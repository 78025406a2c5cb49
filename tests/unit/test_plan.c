/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpkitd's plan (plan.c) on made-up devices: event_dsw-, event_sw- and
 * DLB2-like eventdevs, NICs with few queues.
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
	for (n = 1; n <= 16; n *= 2) {
		assert_int_equal(dpk_plan_evdev(&dsw, n, 8191, &p, err,
						sizeof(err)), 0);
		assert_int_equal(p.limit, 8191);
		assert_int_equal(p.reserve, n * DPK_PORT_CREDIT_CACHE);
		assert_int_equal(p.new_threshold, 8191 - n * DPK_PORT_CREDIT_CACHE);
		/* with nothing in flight the ports' credits never block NEW */
		assert_true(p.new_threshold >= p.reserve);
	}
	assert_int_equal(dpk_plan_evdev(&sw, 16, 65535, &p, err, sizeof(err)), 0);
	assert_int_equal(p.limit, 4096);
	assert_int_equal(p.new_threshold, 4096 - 16 * 128);
}

static void too_small_is_refused(void **state)
{
	struct dpk_evdev_plan p;

	(void)state;
	assert_int_equal(dpk_plan_evdev(&sw, 17, 65535, &p, err, sizeof(err)),
			 -ENOSPC);
	assert_non_null(strstr(err, "17 event ports may hold back 128 credits "
			       "each (2176): the device's 4096 events"));
	assert_int_equal(dpk_plan_evdev(&dsw, 65, 65535, &p, err, sizeof(err)),
			 -ENOSPC);
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
	assert_int_equal(dpk_plan_evdev(&c, 4, 65535, &p, err, sizeof(err)), 0);
	assert_int_equal(p.port_cache, 200);
	assert_int_equal(p.new_threshold, 4096 - 800);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(threshold_against_the_device),
		cmocka_unit_test(too_small_is_refused),
		cmocka_unit_test(credit_quanta_devargs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
