/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control function of the "with-control" test stage (control.c): not
 * a worker's code, so it may sleep; it reports whether it runs registered
 * with the EAL (an lcore id of its own, not a worker's) and returns when
 * dpkitd stops.
 */
#include <stdio.h>
#include <unistd.h>

#include <rte_lcore.h>

#include "dpkitd_stage.h"

void control_control(const struct dpk_stage_ctx *ctx, const volatile int *stop);

void control_control(const struct dpk_stage_ctx *ctx, const volatile int *stop)
{
	unsigned int lcore = rte_lcore_id(), ticks = 0;

	fprintf(stderr, "control: lcore %u, %s, role %s, %u ports\n", lcore,
		lcore == LCORE_ID_ANY ? "unregistered" : "registered",
		rte_lcore_has_role(lcore, ROLE_NON_EAL) > 0 ? "non-EAL" : "?",
		ctx->nr_ports);
	while (!*stop) {
		usleep(10000);	/* a control thread may sleep */
		ticks++;
	}
	fprintf(stderr, "control: stopped after %u ticks\n", ticks);
}
