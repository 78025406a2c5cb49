/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker lcore: a run-to-completion loop over its rx queues. Each pass
 * loads the link word once, receives a burst, sends it to the destination
 * port on the worker's own tx queue, and frees (and counts) what could not
 * go. It returns when the main lcore sets stop.
 */
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "dpkitd.h"
#include "worker_rules.h"

int dpk_worker_main(void *arg)
{
	struct dpk_worker *w = arg;
	struct rte_mbuf *pkts[DPK_BURST];
	struct dpk_stats *st = &w->stats;
	uint16_t n, sent, i;
	uint64_t up, rx_before;
	unsigned int q;

	while (!*w->stop) {
		up = *w->link_word;	/* one load per pass */
		st->polls++;
		rx_before = st->rx;
		for (q = 0; q < w->nr_rxq; q++) {
			const struct dpk_rxq *rq = &w->rxq[q];

			if (!(up >> w->link_bit[rq->port] & 1))
				continue;	/* no rx from a down port */
			n = rte_eth_rx_burst(rq->port_id, rq->queue, pkts, DPK_BURST);
			if (!n)
				continue;
			st->rx += n;
			if (!(up >> w->link_bit[rq->dst_port] & 1)) {
				rte_pktmbuf_free_bulk(pkts, n);
				st->drop_link_down += n;
				continue;
			}
			sent = rte_eth_tx_burst(rq->dst_port_id, w->id, pkts, n);
			st->tx += sent;
			for (i = sent; i < n; i++)
				rte_pktmbuf_free(pkts[i]);
			st->drop_tx_full += n - sent;
		}
		st->busy_polls += st->rx != rx_before;	/* a pass that moved packets */
	}
	return 0;
}
