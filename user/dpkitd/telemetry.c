/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK telemetry commands under /dpkit (dpdk-telemetry.py and `dpkitctl
 * stats` read them): /dpkit/ports, /dpkit/workers, /dpkit/link. They run
 * on DPDK's telemetry thread and only read: counters are aligned 64-bit
 * words that one worker writes.
 */
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_telemetry.h>

#include "dpkitd.h"

static const struct dpk_main *tel_main;

static int tel_ports(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct dpk_main *m = tel_main;
	struct rte_eth_stats st;
	struct rte_tel_data *p;
	unsigned int i;

	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	for (i = 0; i < m->nr_started; i++) {
		p = rte_tel_data_alloc();
		if (!p)
			return -ENOMEM;
		rte_tel_data_start_dict(p);
		memset(&st, 0, sizeof(st));
		rte_eth_stats_get(m->port_ids[i], &st);
		rte_tel_data_add_dict_u64(p, "port_id", m->port_ids[i]);
		rte_tel_data_add_dict_u64(p, "link_up", m->link_up >> i & 1);
		rte_tel_data_add_dict_u64(p, "rx_packets", st.ipackets);
		rte_tel_data_add_dict_u64(p, "tx_packets", st.opackets);
		rte_tel_data_add_dict_u64(p, "rx_missed", st.imissed);
		rte_tel_data_add_dict_u64(p, "rx_nombuf", st.rx_nombuf);
		rte_tel_data_add_dict_u64(p, "tx_errors", st.oerrors);
		rte_tel_data_add_dict_container(d, m->cfg->ports[i].name, p, 0);
	}
	return 0;
}

static int tel_workers(const char *cmd, const char *params,
		       struct rte_tel_data *d)
{
	const struct dpk_main *m = tel_main;
	const struct dpk_stats *s;
	struct rte_tel_data *w;
	char name[16];
	unsigned int i;

	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	for (i = 0; i < m->nr_workers; i++) {
		s = &m->workers[i].stats;
		w = rte_tel_data_alloc();
		if (!w)
			return -ENOMEM;
		rte_tel_data_start_dict(w);
		rte_tel_data_add_dict_u64(w, "lcore", m->workers[i].lcore);
		rte_tel_data_add_dict_u64(w, "rx", s->rx);
		rte_tel_data_add_dict_u64(w, "tx", s->tx);
		rte_tel_data_add_dict_u64(w, "drop_tx_full", s->drop_tx_full);
		rte_tel_data_add_dict_u64(w, "drop_link_down", s->drop_link_down);
		rte_tel_data_add_dict_u64(w, "busy_percent",
					  s->polls ? s->busy_polls * 100 / s->polls : 0);
		snprintf(name, sizeof(name), "worker%u", i);
		rte_tel_data_add_dict_container(d, name, w, 0);
	}
	return 0;
}

static int tel_link(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct dpk_main *m = tel_main;
	unsigned int i;

	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	for (i = 0; i < m->nr_started; i++)
		rte_tel_data_add_dict_u64(d, m->cfg->ports[i].name,
					  m->link_up >> i & 1);
	return 0;
}

void dpk_telemetry_init(const struct dpk_main *m)
{
	tel_main = m;
	rte_telemetry_register_cmd("/dpkit/ports", tel_ports,
				   "dpkitd ports: packets, drops, link. No parameters");
	rte_telemetry_register_cmd("/dpkit/workers", tel_workers,
				   "dpkitd workers: packets, drops by reason, busy %. No parameters");
	rte_telemetry_register_cmd("/dpkit/link", tel_link,
				   "dpkitd link state per port (1 up). No parameters");
}
