/* SPDX-License-Identifier: BSD-3-Clause */
/* libdpkit internals. */
#ifndef LIBDPKIT_PRIV_H
#define LIBDPKIT_PRIV_H

#include <stddef.h>

#include <libmnl/libmnl.h>

/* Record a message for dpkit_errmsg() and return -|err|. */
int dpkit_fail(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * rtnetlink dump replies (rtnl.c; the unit tests and fuzzers call them):
 * a RTM_NEWADDR's address on @ifindex ("192.0.2.1/24"), a RTM_NEWROUTE's
 * main-table route out of @ifindex ("192.0.2.0/24", "default"), in @text
 * (DPKIT_RTNL_ADDR_LEN bytes) with its scope. 1 when the message has one,
 * else 0.
 */
#define DPKIT_RTNL_ADDR_LEN	56	/* INET6_ADDRSTRLEN + "/128" */
int dpkit_rtnl_parse_addr(const struct nlmsghdr *nlh, int ifindex, char *text,
			  int *scope);
int dpkit_rtnl_parse_route(const struct nlmsghdr *nlh, int ifindex,
			   char *text, int *scope);
/* mnl_cb_run() on a received buffer, once its framing is checked. */
int dpkit_rtnl_run(const void *buf, size_t len, unsigned int seq,
		   unsigned int portid, mnl_cb_t cb, void *data);

#endif /* LIBDPKIT_PRIV_H */
