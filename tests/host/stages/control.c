/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A stage with a control thread: forwards like "forward", and its control
 * function reports whether it runs registered with the EAL (an lcore id of
 * its own, not a worker's) and returns when dpkitd stops. Built into a
 * dpkitd by tests/host/04-debug-build.sh.
 */
#include <stdio.h>
#include <unistd.h>

#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "dpkitd_stage.h"

static void control_process(const struct dpk_stage_ctx *ctx,
			    struct rte_mbuf **pkts, const uint8_t *in,
			    uint16_t *out, uint16_t n)
{
	RTE_SET_USED(pkts);
	dpk_stage_forward(ctx, in, out, n);
}

static void control_control(const struct dpk_stage_ctx *ctx,
			    const volatile int *stop)
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

static const struct dpk_stage control_stage = {
	.name = "with-control",
	.help = "forward, plus a control thread (a test)",
	.process = control_process,
	.control = control_control,
};

DPK_STAGE_REGISTER(control_stage);
