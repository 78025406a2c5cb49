/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A stage that breaks the worker rules: it sleeps in its process
 * function. It includes nothing of the rules itself; the build
 * (make STAGES=) must refuse it. tests/build/worker-rules.sh checks that.
 */
#include <unistd.h>

#include <rte_mbuf.h>

#include "dpkitd_stage.h"

static void banned_process(const struct dpk_stage_ctx *ctx,
			   struct rte_mbuf **pkts, const uint8_t *in,
			   uint16_t *out, uint16_t n)
{
	RTE_SET_USED(pkts);
	usleep(1);
	dpk_stage_forward(ctx, in, out, n);
}

static const struct dpk_stage banned_stage = {
	.name = "banned",
	.help = "a test stage that sleeps (must not build)",
	.process = banned_process,
};

DPK_STAGE_REGISTER(banned_stage);
