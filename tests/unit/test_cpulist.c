/* SPDX-License-Identifier: BSD-3-Clause */
/* CPU list parsing and formatting (libdpkit cpulist.c). */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "libdpkit.h"

#define BITS 256

static void parse_forms(void **state)
{
	uint64_t w[BITS / 64];

	(void)state;
	assert_int_equal(dpkit_cpulist_parse("3", w, BITS), 4);
	assert_int_equal(w[0], 0x8);
	assert_int_equal(dpkit_cpulist_parse("0-3,8,10-11", w, BITS), 12);
	assert_int_equal(w[0], 0xd0f);
	assert_int_equal(dpkit_cpulist_parse("63-65", w, BITS), 66);
	assert_int_equal(w[0], 1ULL << 63);
	assert_int_equal(w[1], 0x3);
	assert_int_equal(dpkit_cpulist_parse("255", w, BITS), 256);
	/* Overlaps and any order are fine. */
	assert_int_equal(dpkit_cpulist_parse("5,1-6,2", w, BITS), 7);
	assert_int_equal(w[0], 0x7e);
}

static void parse_rejects(void **state)
{
	static const char *const bad[] = {
		"", ",", "1,", ",1", "a", "1-", "-1", "3-1", "1 2", "1;2",
		"1--2", "0x3", " 1",
	};
	uint64_t w[BITS / 64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (dpkit_cpulist_parse(bad[i], w, BITS) != -EINVAL)
			fail_msg("'%s' was accepted", bad[i]);
		assert_non_null(strstr(dpkit_errmsg(), "CPU list"));
	}
	assert_int_equal(dpkit_cpulist_parse("256", w, BITS), -ERANGE);
	assert_non_null(strstr(dpkit_errmsg(), "past the last CPU (255)"));
	assert_int_equal(dpkit_cpulist_parse("99999999999", w, BITS), -EINVAL);
}

static void format_round_trip(void **state)
{
	static const char *const lists[] = {
		"0", "0-3", "0-3,8,10-11", "63-65", "1,3,5,7", "0-255",
	};
	uint64_t w[BITS / 64];
	char buf[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		assert_true(dpkit_cpulist_parse(lists[i], w, BITS) > 0);
		assert_int_equal(dpkit_cpulist_format(w, BITS, buf, sizeof(buf)),
				 strlen(lists[i]));
		assert_string_equal(buf, lists[i]);
	}
	memset(w, 0, sizeof(w));
	assert_int_equal(dpkit_cpulist_format(w, BITS, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	/* Too small a buffer is an error, not a truncation. */
	assert_true(dpkit_cpulist_parse("1,3,5,7,9,11", w, BITS) > 0);
	assert_int_equal(dpkit_cpulist_format(w, BITS, buf, 6), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_forms),
		cmocka_unit_test(parse_rejects),
		cmocka_unit_test(format_round_trip),
	};

	return cmocka_run_group_tests_name("cpulist", tests, NULL, NULL);
}
