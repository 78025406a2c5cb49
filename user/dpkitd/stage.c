/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The stage registry and dpkitd's built-in stages (dpkitd_stage.h).
 */
#include <stdio.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "dpkitd_stage.h"
#include "worker_rules.h"

#define DPK_MAX_STAGES	32

static const struct dpk_stage *stages[DPK_MAX_STAGES];
static unsigned int nr_stages;

void dpk_stage_register(const struct dpk_stage *stage)
{
	if (nr_stages == DPK_MAX_STAGES || dpk_stage_find(stage->name)) {
		fprintf(stderr, "dpkitd: stage %s: %s\n", stage->name,
			nr_stages == DPK_MAX_STAGES ? "too many stages" :
						      "registered twice");
		return;
	}
	stages[nr_stages++] = stage;
}

const struct dpk_stage *dpk_stage_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < nr_stages; i++)
		if (!strcmp(stages[i]->name, name))
			return stages[i];
	return NULL;
}

void dpk_stage_names(char *buf, size_t size)
{
	size_t len = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < nr_stages && len < size; i++)
		len += snprintf(buf + len, size - len, "%s%s", i ? ", " : "",
				stages[i]->name);
}

void dpk_stage_forward(const struct dpk_stage_ctx *ctx, const uint8_t *in,
		       uint16_t *out, uint16_t n)
{
	uint16_t i;

	for (i = 0; i < n; i++)
		out[i] = ctx->forward[in[i]];
}

/* forward: each port's packets to its "forward =" port. */
static void forward_process(const struct dpk_stage_ctx *ctx,
			    struct rte_mbuf **pkts, const uint8_t *in,
			    uint16_t *out, uint16_t n)
{
	RTE_SET_USED(pkts);
	dpk_stage_forward(ctx, in, out, n);
}

static const struct dpk_stage forward_stage = {
	.name = "forward",
	.help = "each port's packets to its \"forward =\" port",
	.process = forward_process,
	.flags = DPK_STAGE_F_BY_PORT,
};

DPK_STAGE_REGISTER(forward_stage);

/* reflect: back out the port it came in by, Ethernet addresses swapped. */
static void reflect_process(const struct dpk_stage_ctx *ctx,
			    struct rte_mbuf **pkts, const uint8_t *in,
			    uint16_t *out, uint16_t n)
{
	struct rte_ether_hdr *eth;
	struct rte_ether_addr tmp;
	uint16_t i;

	RTE_SET_USED(ctx);
	for (i = 0; i < n; i++) {
		out[i] = in[i];
		if (rte_pktmbuf_data_len(pkts[i]) < sizeof(*eth))
			continue;
		eth = rte_pktmbuf_mtod(pkts[i], struct rte_ether_hdr *);
		rte_ether_addr_copy(&eth->src_addr, &tmp);
		rte_ether_addr_copy(&eth->dst_addr, &eth->src_addr);
		rte_ether_addr_copy(&tmp, &eth->dst_addr);
	}
}

static const struct dpk_stage reflect_stage = {
	.name = "reflect",
	.help = "back out the port it came in by, MAC addresses swapped",
	.process = reflect_process,
};

DPK_STAGE_REGISTER(reflect_stage);

/* drop: every packet, counted (measures rx and the eventdev alone). */
static void drop_process(const struct dpk_stage_ctx *ctx,
			 struct rte_mbuf **pkts, const uint8_t *in,
			 uint16_t *out, uint16_t n)
{
	uint16_t i;

	RTE_SET_USED(ctx);
	RTE_SET_USED(pkts);
	RTE_SET_USED(in);
	for (i = 0; i < n; i++)
		out[i] = DPK_STAGE_DROP;
}

static const struct dpk_stage drop_stage = {
	.name = "drop",
	.help = "drop every packet (counted): rx and the eventdev alone",
	.process = drop_process,
	.flags = DPK_STAGE_F_BY_PORT,
};

DPK_STAGE_REGISTER(drop_stage);
