/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtnetlink: the messages libdpkit builds and parses, and the real thing in
 * a network namespace of the test's own (root only, else skipped).
 */
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "libdpkit.h"

static char buf[8192];

static void getlink_message(void **state)
{
	struct nlmsghdr *nlh = dpkit_rtnl_build_getlink(buf, "eth7", 42);
	struct nlattr *a;
	int found = 0;

	(void)state;
	assert_int_equal(nlh->nlmsg_type, RTM_GETLINK);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	assert_int_equal(nlh->nlmsg_seq, 42);
	mnl_attr_for_each(a, nlh, sizeof(struct ifinfomsg)) {
		if (mnl_attr_get_type(a) == IFLA_IFNAME) {
			assert_string_equal(mnl_attr_get_str(a), "eth7");
			found = 1;
		}
	}
	assert_true(found);
}

static void setlink_message(void **state)
{
	struct nlmsghdr *nlh = dpkit_rtnl_build_setlink(buf, 5, 1, 7);
	struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);

	(void)state;
	assert_int_equal(nlh->nlmsg_type, RTM_NEWLINK);
	assert_true(nlh->nlmsg_flags & NLM_F_ACK);
	assert_int_equal(ifm->ifi_index, 5);
	assert_int_equal(ifm->ifi_change, IFF_UP);
	assert_int_equal(ifm->ifi_flags, IFF_UP);
	nlh = dpkit_rtnl_build_setlink(buf, 5, 0, 8);
	ifm = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(ifm->ifi_change, IFF_UP);
	assert_int_equal(ifm->ifi_flags, 0);
	nlh = dpkit_rtnl_build_getaddr(buf, 9);
	assert_int_equal(nlh->nlmsg_type, RTM_GETADDR);
	assert_true(nlh->nlmsg_flags & NLM_F_DUMP);
}

static void parse_newlink(void **state)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm;
	struct dpkit_ifinfo info;

	(void)state;
	nlh->nlmsg_type = RTM_NEWLINK;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_index = 3;
	ifm->ifi_flags = IFF_UP | IFF_BROADCAST;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "wan0");
	mnl_attr_put_u32(nlh, IFLA_MTU, 9000);
	mnl_attr_put_u8(nlh, IFLA_OPERSTATE, 6);
	assert_int_equal(dpkit_rtnl_parse_link(nlh, &info), 0);
	assert_int_equal(info.ifindex, 3);
	assert_string_equal(info.name, "wan0");
	assert_int_equal(info.mtu, 9000);
	assert_int_equal(info.operstate, 6);
	assert_true(info.flags & IFF_UP);
	nlh->nlmsg_type = RTM_NEWADDR;
	assert_int_equal(dpkit_rtnl_parse_link(nlh, &info), -EPROTO);
}

static int lo_has_127, lo_has_route;

static void note_route(const char *route, unsigned int scope, void *arg)
{
	(void)scope;
	(void)arg;
	if (!strcmp(route, "192.0.2.0/24"))
		lo_has_route = 1;
}

static void note_addr(const char *addr, unsigned int scope, void *arg)
{
	(void)scope;
	(void)arg;
	if (!strcmp(addr, "127.0.0.1/8"))
		lo_has_127 = 1;
}

/* In a child, in a network namespace of its own: loopback down, up, down. */
static int netns_child(void)
{
	struct dpkit_ifinfo lo;

	if (unshare(CLONE_NEWNET))
		return 77;
	if (dpkit_rtnl_link("lo", &lo) || lo.ifindex != 1 ||
	    !(lo.flags & IFF_LOOPBACK) || (lo.flags & IFF_UP))
		return 1;
	if (dpkit_rtnl_set_up("lo", 1) || dpkit_rtnl_link("lo", &lo) ||
	    !(lo.flags & IFF_UP))
		return 2;
	if (dpkit_rtnl_addrs(lo.ifindex, note_addr, NULL) < 1 || !lo_has_127)
		return 3;
	if (system("ip route add 192.0.2.0/24 dev lo 2>/dev/null") ||
	    dpkit_rtnl_routes(lo.ifindex, note_route, NULL) < 1 || !lo_has_route)
		return 6;
	if (dpkit_rtnl_set_up("lo", 0) || dpkit_rtnl_link("lo", &lo) ||
	    (lo.flags & IFF_UP))
		return 4;
	if (dpkit_rtnl_link("nosuch0", &lo) != -ENODEV)
		return 5;
	return 0;
}

static void real_rtnetlink_in_a_netns(void **state)
{
	int status;
	pid_t pid;

	(void)state;
	if (geteuid())
		skip();
	pid = fork();
	assert_true(pid >= 0);
	if (!pid)
		_exit(netns_child());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77)
		skip();		/* no CAP_SYS_ADMIN for unshare */
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(getlink_message),
		cmocka_unit_test(setlink_message),
		cmocka_unit_test(parse_newlink),
		cmocka_unit_test(real_rtnetlink_in_a_netns),
	};

	return cmocka_run_group_tests_name("rtnl", tests, NULL, NULL);
}
