/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A stage that steps out of the dataplane: on its first packet it opens a
 * socket, a call no worker makes. The workers' seccomp filter must kill
 * dpkitd, naming the call (Documentation/dpkitd.rst, "Privileges"). Built
 * into a dpkitd by tests/host/12-privileges.sh.
 */
#include <stdbool.h>
#include <sys/socket.h>

#include "dpkitd_stage.h"

static void forbidden_process(const struct dpk_stage_ctx *ctx,
			      struct rte_mbuf **pkts, const uint8_t *in,
			      uint16_t *out, uint16_t n)
{
	static bool tried;

	RTE_SET_USED(pkts);
	if (!tried) {
		tried = true;
		if (socket(AF_INET, SOCK_DGRAM, 0) >= 0)
			tried = true;	/* the filter let it through */
	}
	dpk_stage_forward(ctx, in, out, n);
}

static const struct dpk_stage forbidden_stage = {
	.name = "forbidden",
	.help = "forward, after opening a socket (a test of the seccomp filter)",
	.process = forbidden_process,
};

DPK_STAGE_REGISTER(forbidden_stage);
