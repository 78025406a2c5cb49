/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpkit generic netlink messages (dpkit_genl_parse, genl.c): the input is
 * what a receive could hold, a stream of netlink messages; each one libnl
 * would hand over (nlmsg_ok) is parsed or refused with a message.
 */
#include <netlink/msg.h>

#include "fuzz.h"
#include "libdpkit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dpkit_link_event ev;
	struct nlmsghdr *nlh;
	int len = size;
	void *buf;

	if (size > 65536)
		return 0;
	buf = malloc(size ? size : 1);	/* aligned, exactly as long */
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	for (nlh = buf; nlmsg_ok(nlh, len); nlh = nlmsg_next(nlh, &len)) {
		if (dpkit_genl_parse(nlh, &ev) == 0)
			FUZZ_ASSERT(memchr(ev.name, '\0', sizeof(ev.name)) &&
				    memchr(ev.bdf, '\0', sizeof(ev.bdf)),
				    "unterminated name or BDF");
	}
	free(buf);
	return 0;
}
