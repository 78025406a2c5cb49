/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The UAPI's layout (uapi_layout.h, checked when this file compiles) and the
 * ioctl numbers, whose encoding carries the structure sizes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "uapi_layout.h"

static void ioctl_numbers_encode_sizes(void **state)
{
	(void)state;
	assert_int_equal(_IOC_TYPE(DPKIT_IOC_VERSION), DPKIT_IOC_MAGIC);
	assert_int_equal(_IOC_SIZE(DPKIT_IOC_VERSION), 64);
	assert_int_equal(_IOC_DIR(DPKIT_IOC_VERSION), _IOC_READ | _IOC_WRITE);
	assert_int_equal(_IOC_SIZE(DPKIT_IOC_NIC_LIST), 16);
	assert_int_equal(_IOC_SIZE(DPKIT_IOC_NIC_BIND), 104);
	assert_int_equal(_IOC_SIZE(DPKIT_IOC_ISOLATE_SET), 24);
	assert_int_equal(_IOC_SIZE(DPKIT_IOC_ISOLATE_CLEAR), 0);
	assert_int_equal(_IOC_DIR(DPKIT_IOC_LINK_REPORT), _IOC_WRITE);
	assert_int_equal(_IOC_SIZE(DPKIT_IOC_LINK_REPORT), 48);
}

/* Pinned numbers: a binary built against v1 keeps working. */
static void ioctl_numbers_are_stable(void **state)
{
	(void)state;
	assert_int_equal(DPKIT_IOC_VERSION, 0xc040dc00);
	assert_int_equal(DPKIT_IOC_LEASE, 0x4008dc01);
	assert_int_equal(DPKIT_IOC_NIC_LIST, 0xc010dc10);
	assert_int_equal(DPKIT_IOC_NIC_BIND, 0xc068dc11);
	assert_int_equal(DPKIT_IOC_NIC_RESTORE, 0xc038dc12);
	assert_int_equal(DPKIT_IOC_ISOLATE_SET, 0xc018dc20);
	assert_int_equal(DPKIT_IOC_ISOLATE_GET, 0xc018dc21);
	assert_int_equal(DPKIT_IOC_ISOLATE_CLEAR, 0x0000dc22);
	assert_int_equal(DPKIT_IOC_IRQ_REPORT, 0xc010dc23);
	assert_int_equal(DPKIT_IOC_LINK_REPORT, 0x4030dc30);
	assert_int_equal(DPKIT_IOC_LINK_WATCH, 0x4018dc31);
}

static void ioctl_numbers_are_unique(void **state)
{
	const unsigned long nrs[] = {
		DPKIT_IOC_VERSION, DPKIT_IOC_LEASE, DPKIT_IOC_NIC_LIST,
		DPKIT_IOC_NIC_BIND, DPKIT_IOC_NIC_RESTORE,
		DPKIT_IOC_ISOLATE_SET, DPKIT_IOC_ISOLATE_GET,
		DPKIT_IOC_ISOLATE_CLEAR, DPKIT_IOC_IRQ_REPORT,
		DPKIT_IOC_LINK_REPORT, DPKIT_IOC_LINK_WATCH,
	};
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(nrs) / sizeof(nrs[0]); i++)
		for (j = i + 1; j < sizeof(nrs) / sizeof(nrs[0]); j++)
			assert_int_not_equal(_IOC_NR(nrs[i]), _IOC_NR(nrs[j]));
}

static void flag_bits_are_distinct(void **state)
{
	(void)state;
	assert_int_equal(DPKIT_FEAT_LINK | DPKIT_FEAT_NIC | DPKIT_FEAT_ISOLATE |
			 DPKIT_FEAT_LEASE, 0xf);
	assert_int_equal(DPKIT_LINK_F_UP | DPKIT_LINK_F_FULL_DUPLEX |
			 DPKIT_LINK_F_ADMIN_UP | DPKIT_LINK_F_CARRIER |
			 DPKIT_LINK_F_HALF_DUPLEX, 0x1f);
	assert_int_equal(DPKIT_BIND_FORCE | DPKIT_BIND_PERSIST, 0x3);
}

/* Generic netlink numbers are ABI too: tools in other languages use them. */
static void genl_numbers_are_stable(void **state)
{
	(void)state;
	assert_string_equal(DPKIT_GENL_NAME, "dpkit");
	assert_string_equal(DPKIT_GENL_MCGRP_LINK, "link");
	assert_int_equal(DPKIT_CMD_LINK_GET, 1);
	assert_int_equal(DPKIT_CMD_LINK_NEW, 2);
	assert_int_equal(DPKIT_CMD_LINK_DEL, 3);
	assert_int_equal(DPKIT_A_OWNER, 1);
	assert_int_equal(DPKIT_A_DUPLEX, 7);
	assert_int_equal(DPKIT_A_CHANGES, 8);
	assert_int_equal(DPKIT_A_PAD, 10);
	assert_int_equal(DPKIT_A_BDF, 11);
	assert_int_equal(DPKIT_A_INCARNATION, 12);
	assert_int_equal(DPKIT_A_MAX, 12);
	assert_int_equal(DPKIT_PAGE_MAGIC, 0x54504b44);
	assert_memory_equal(&(uint32_t){ DPKIT_PAGE_MAGIC }, "DKPT", 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ioctl_numbers_encode_sizes),
		cmocka_unit_test(ioctl_numbers_are_stable),
		cmocka_unit_test(ioctl_numbers_are_unique),
		cmocka_unit_test(flag_bits_are_distinct),
		cmocka_unit_test(genl_numbers_are_stable),
	};

	return cmocka_run_group_tests_name("uapi", tests, NULL, NULL);
}
