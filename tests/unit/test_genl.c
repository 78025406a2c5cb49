/* SPDX-License-Identifier: BSD-3-Clause */
/* libdpkit's decoding of "dpkit" generic netlink messages built with libnl. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "libdpkit.h"

static struct nl_msg *msg_new(uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	assert_non_null(msg);
	assert_non_null(genlmsg_put(msg, 0, 0, 0x20, 0, 0, cmd,
				    DPKIT_GENL_VERSION));
	return msg;
}

static void put_link(struct nl_msg *msg)
{
	assert_int_equal(nla_put_u32(msg, DPKIT_A_SLOT, 12), 0);
	assert_int_equal(nla_put_u32(msg, DPKIT_A_INCARNATION, 77), 0);
	assert_int_equal(nla_put_u32(msg, DPKIT_A_OWNER, DPKIT_OWNER_DPDK), 0);
	assert_int_equal(nla_put_u32(msg, DPKIT_A_KEY, 4), 0);
	assert_int_equal(nla_put_string(msg, DPKIT_A_IFNAME, "port4"), 0);
	assert_int_equal(nla_put_u8(msg, DPKIT_A_UP, 1), 0);
	assert_int_equal(nla_put_u32(msg, DPKIT_A_FLAGS,
				     DPKIT_LINK_F_UP | DPKIT_LINK_F_FULL_DUPLEX), 0);
	assert_int_equal(nla_put_u32(msg, DPKIT_A_SPEED, 10000), 0);
	assert_int_equal(nla_put_u64(msg, DPKIT_A_CHANGES, 1ULL << 40), 0);
}

static void parse_link_new(void **state)
{
	struct nl_msg *msg = msg_new(DPKIT_CMD_LINK_NEW);
	struct dpkit_link_event ev;

	(void)state;
	put_link(msg);
	assert_int_equal(nla_put_u8(msg, DPKIT_A_DUPLEX, 1), 0);
	assert_int_equal(nla_put_string(msg, DPKIT_A_BDF, "0000:00:06.0"), 0);
	assert_int_equal(dpkit_genl_parse(nlmsg_hdr(msg), &ev), 0);
	assert_int_equal(ev.cmd, DPKIT_CMD_LINK_NEW);
	assert_int_equal(ev.slot, 12);
	assert_int_equal(ev.incarnation, 77);
	assert_int_equal(ev.owner, DPKIT_OWNER_DPDK);
	assert_int_equal(ev.key, 4);
	assert_string_equal(ev.name, "port4");
	assert_int_equal(ev.up, 1);
	assert_int_equal(ev.speed, 10000);
	assert_int_equal(ev.duplex, 1);
	assert_int_equal(ev.changes, 1ULL << 40);
	assert_string_equal(ev.bdf, "0000:00:06.0");
	nlmsg_free(msg);
}

static void parse_link_del_without_optional_attrs(void **state)
{
	struct nl_msg *msg = msg_new(DPKIT_CMD_LINK_DEL);
	struct dpkit_link_event ev;

	(void)state;
	put_link(msg);
	assert_int_equal(dpkit_genl_parse(nlmsg_hdr(msg), &ev), 0);
	assert_int_equal(ev.cmd, DPKIT_CMD_LINK_DEL);
	assert_int_equal(ev.duplex, -1);	/* unknown */
	assert_string_equal(ev.bdf, "");
	nlmsg_free(msg);
}

static void parse_rejects_other_commands(void **state)
{
	struct nl_msg *msg = msg_new(DPKIT_CMD_LINK_GET);
	struct dpkit_link_event ev;

	(void)state;
	put_link(msg);
	assert_int_equal(dpkit_genl_parse(nlmsg_hdr(msg), &ev), -EPROTO);
	assert_non_null(strstr(dpkit_errmsg(), "unexpected"));
	nlmsg_free(msg);
}

static void parse_rejects_missing_keys(void **state)
{
	struct nl_msg *msg = msg_new(DPKIT_CMD_LINK_NEW);
	struct dpkit_link_event ev;

	(void)state;
	assert_int_equal(nla_put_u32(msg, DPKIT_A_OWNER, DPKIT_OWNER_KERNEL), 0);
	assert_int_equal(dpkit_genl_parse(nlmsg_hdr(msg), &ev), -EPROTO);
	nlmsg_free(msg);
}

static void parse_rejects_malformed_attrs(void **state)
{
	struct nl_msg *msg = msg_new(DPKIT_CMD_LINK_NEW);
	struct dpkit_link_event ev;

	(void)state;
	put_link(msg);
	/* A u16 where the policy wants a u32. */
	assert_int_equal(nla_put_u16(msg, DPKIT_A_SPEED, 1), 0);
	assert_int_equal(dpkit_genl_parse(nlmsg_hdr(msg), &ev), -EPROTO);
	nlmsg_free(msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_link_new),
		cmocka_unit_test(parse_link_del_without_optional_attrs),
		cmocka_unit_test(parse_rejects_other_commands),
		cmocka_unit_test(parse_rejects_missing_keys),
		cmocka_unit_test(parse_rejects_malformed_attrs),
	};

	return cmocka_run_group_tests_name("genl", tests, NULL, NULL);
}
