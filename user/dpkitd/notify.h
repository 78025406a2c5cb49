/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * systemd's notification protocol without libsystemd (sd_notify(3)): each
 * message is one datagram to the AF_UNIX socket in $NOTIFY_SOCKET
 * ("READY=1", "STATUS=...", "STOPPING=1", "WATCHDOG=1"). Without
 * $NOTIFY_SOCKET nothing is sent. Main lcore (and stage one) only.
 * Documentation/dpkitd.rst, "Running under systemd".
 */
#ifndef DPK_NOTIFY_H
#define DPK_NOTIFY_H

#include <stdint.h>

#include "libdpkit.h"

/* Send one message (newline-separated assignments); 0, or -errno. */
int dpk_notify(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* $WATCHDOG_USEC when the watchdog is meant for this process, else 0. */
uint64_t dpk_notify_watchdog_usec(void);

/*
 * The watchdog's rule: ping only while every worker makes progress. Every
 * half interval dpk_watchdog_check() compares each worker's pass counter
 * with the one it saw last time: when all advanced it says ping, else it
 * names the first worker that did not, and there is no ping, so that
 * systemd ends the service within the other half.
 */
#define DPK_WD_WAIT	(-2)	/* not yet time to check */
#define DPK_WD_PING	(-1)	/* every worker advanced: send WATCHDOG=1 */

struct dpk_watchdog {
	uint64_t period_ns;		/* half the watchdog interval; 0: off */
	uint64_t last_ns;		/* the last check */
	unsigned int nr;
	uint64_t seen[DPKIT_MAX_WORKERS];	/* pass counters at the last check */
};

/* Start watching (@usec: $WATCHDOG_USEC, 0 for off) from these counters. */
void dpk_watchdog_init(struct dpk_watchdog *wd, uint64_t usec, uint64_t now_ns,
		       const uint64_t *passes, unsigned int nr);
/* DPK_WD_WAIT, DPK_WD_PING, or the index of a worker that made no pass. */
int dpk_watchdog_check(struct dpk_watchdog *wd, uint64_t now_ns,
		       const uint64_t *passes, unsigned int nr);

#endif /* DPK_NOTIFY_H */
