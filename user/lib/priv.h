/* SPDX-License-Identifier: BSD-3-Clause */
/* libdpkit internals. */
#ifndef LIBDPKIT_PRIV_H
#define LIBDPKIT_PRIV_H

/* Record a message for dpkit_errmsg() and return -|err|. */
int dpkit_fail(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* LIBDPKIT_PRIV_H */
