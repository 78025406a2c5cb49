/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A stage with a bug: it takes a lock and returns holding it. Built into a
 * debug dpkitd (make DEBUG=1 STAGES=tests/host/stages/leak_lock.c) by
 * tests/host/04-debug-build.sh, which expects the task-boundary check to
 * catch it. (A trylock, so that a release build would run on, unaware.)
 * The build compiles a stage under worker_rules.h: its dpk_ lock wrappers
 * are there without an #include.
 */
#include "dpkitd_stage.h"

static rte_spinlock_t leaked = RTE_SPINLOCK_INITIALIZER;

static void leak_process(const struct dpk_stage_ctx *ctx,
			 struct rte_mbuf **pkts, const uint8_t *in,
			 uint16_t *out, uint16_t n)
{
	RTE_SET_USED(pkts);
	dpk_stage_forward(ctx, in, out, n);
	dpk_spinlock_trylock(&leaked);
}

static const struct dpk_stage leak_stage = {
	.name = "leak-lock",
	.help = "a test stage that returns holding a lock",
	.process = leak_process,
};

DPK_STAGE_REGISTER(leak_stage);
