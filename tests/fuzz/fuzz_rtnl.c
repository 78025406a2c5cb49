/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtnetlink replies (rtnl.c): the input is what a receive could hold, run
 * through libmnl as rtnl_talk() runs it (dpkit_rtnl_run), each message given
 * to the link, address and route parsers. Each parses or is skipped; what
 * comes out is a terminated name or address.
 */
#include <libmnl/libmnl.h>

#include "fuzz.h"
#include "libdpkit.h"
#include "priv.h"

static int each(const struct nlmsghdr *nlh, void *arg)
{
	char text[DPKIT_RTNL_ADDR_LEN];
	struct dpkit_ifinfo info;
	int scope, ifindex = *(int *)arg;

	if (dpkit_rtnl_parse_link(nlh, &info) == 0)
		FUZZ_ASSERT(memchr(info.name, '\0', sizeof(info.name)),
			    "unterminated name");
	if (dpkit_rtnl_parse_addr(nlh, ifindex, text, &scope) > 0)
		FUZZ_ASSERT(memchr(text, '\0', sizeof(text)), "address");
	if (dpkit_rtnl_parse_route(nlh, ifindex, text, &scope) > 0)
		FUZZ_ASSERT(memchr(text, '\0', sizeof(text)), "route");
	return MNL_CB_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int ifindex;
	void *buf;

	if (size < 1 || size > 65536)
		return 0;
	ifindex = data[0] % 4;	/* the interface asked about */
	buf = malloc(size - 1 ? size - 1 : 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, size - 1);
	dpkit_rtnl_run(buf, size - 1, 0, 0, each, &ifindex);
	free(buf);
	return 0;
}
