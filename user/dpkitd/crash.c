/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Crash points (Documentation/reliability.rst, "Crash points"): with
 * DPKITD_CRASH=NAME in its environment, dpkitd kills itself with SIGKILL
 * when it reaches the point NAME, as a crash or `kill -9` would there;
 * tests/vm/23-crash.sh goes through every point and checks that the host
 * is as it was. Always compiled in, so that the test runs the dpkitd that
 * ships: without the variable a point costs one comparison with NULL, and
 * only the start-up and shutdown have points, never a worker. Setting it
 * needs control of dpkitd's environment, which can kill dpkitd anyway.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dpkitd.h"

static const char *crash_at;
static bool crash_read;

void dpk_crash_point(const char *name, int idx)
{
	char want[64];

	if (!crash_read) {
		crash_at = getenv("DPKITD_CRASH");
		crash_read = true;
		if (crash_at)
			fprintf(stderr, "dpkitd: DPKITD_CRASH=%s: fault injection: "
				"SIGKILL at that point\n", crash_at);
	}
	if (!crash_at)
		return;
	if (idx >= 0)
		snprintf(want, sizeof(want), "%s:%d", name, idx);
	else
		snprintf(want, sizeof(want), "%s", name);
	if (strcmp(crash_at, want))
		return;
	fprintf(stderr, "dpkitd: DPKITD_CRASH=%s: SIGKILL\n", want);
	kill(getpid(), SIGKILL);
}
