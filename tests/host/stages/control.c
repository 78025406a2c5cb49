/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A stage with a control thread: forwards like "forward"; its control
 * function (control_thread.c, built outside the worker rules: make
 * STAGES_CONTROL=) reports whether it runs registered with the EAL and
 * returns when dpkitd stops. Built into a dpkitd by
 * tests/host/04-debug-build.sh.
 */
#include "dpkitd_stage.h"

void control_control(const struct dpk_stage_ctx *ctx, const volatile int *stop);

static void control_process(const struct dpk_stage_ctx *ctx,
			    struct rte_mbuf **pkts, const uint8_t *in,
			    uint16_t *out, uint16_t n)
{
	RTE_SET_USED(pkts);
	dpk_stage_forward(ctx, in, out, n);
}

static const struct dpk_stage control_stage = {
	.name = "with-control",
	.help = "forward, plus a control thread (a test)",
	.process = control_process,
	.control = control_control,
};

DPK_STAGE_REGISTER(control_stage);
