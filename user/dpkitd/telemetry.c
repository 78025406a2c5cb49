/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK telemetry commands under /dpkit (dpdk-telemetry.py and `dpkitctl
 * stats` read them): /dpkit/ports, /dpkit/workers, /dpkit/link. They run
 * on DPDK's telemetry thread and only read: counters are aligned 64-bit
 * words that one worker writes.
 */
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_eventdev.h>
#include <rte_telemetry.h>

#include "dpkitd.h"

#define DPK_TEL_XSTATS	64	/* device xstats shown */

static const struct dpk_main *tel_main;

/* RSS: hash types, key (hex) and the RETA's first entries, as the device
 * reported them (the reply has room for 16 ports' worth). */
#define DPK_TEL_RETA	64
static void tel_rss(struct rte_tel_data *p, const struct dpk_rss *r)
{
	char hex[2 * DPK_RSS_KEY_MAX + 1];
	struct rte_tel_data *reta;
	unsigned int i;

	rte_tel_data_add_dict_u64(p, "rss_hf", r->hf);
	for (i = 0; i < r->key_len; i++)
		snprintf(hex + 2 * i, 3, "%02x", r->key[i]);
	hex[2 * r->key_len] = '\0';
	rte_tel_data_add_dict_string(p, "rss_key", hex);
	reta = rte_tel_data_alloc();
	if (!reta)
		return;
	rte_tel_data_add_dict_u64(p, "reta_size", r->reta_size);
	rte_tel_data_start_array(reta, RTE_TEL_U64_VAL);
	for (i = 0; i < r->reta_size && i < DPK_TEL_RETA; i++)
		rte_tel_data_add_array_u64(reta, r->reta[i]);
	rte_tel_data_add_dict_container(p, "reta", reta, 0);
}

static int tel_ports(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct dpk_main *m = tel_main;
	uint64_t link_down, evdev;
	struct rte_eth_stats st;
	struct rte_tel_data *p;
	unsigned int i, j;

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
		rte_tel_data_add_dict_u64(p, "rx_queues", m->nb_rxq[i]);
		rte_tel_data_add_dict_u64(p, "tx_queues", m->nb_txq[i]);
		rte_tel_data_add_dict_string(p, "tx_path", m->funnel >> i & 1 ?
					     "single-link queue" : "worker");
		tel_rss(p, &m->rss[i]);
		rte_tel_data_add_dict_u64(p, "rx_packets", st.ipackets);
		rte_tel_data_add_dict_u64(p, "tx_packets", st.opackets);
		rte_tel_data_add_dict_u64(p, "rx_missed", st.imissed);
		rte_tel_data_add_dict_u64(p, "rx_nombuf", st.rx_nombuf);
		rte_tel_data_add_dict_u64(p, "tx_errors", st.oerrors);
		for (link_down = evdev = 0, j = 0; j < m->nr_workers; j++) {
			link_down += m->workers[j].stats.port_drop_link_down[i];
			evdev += m->workers[j].stats.port_drop_evdev[i];
		}
		rte_tel_data_add_dict_u64(p, "drop_link_down", link_down);
		rte_tel_data_add_dict_u64(p, "drop_eventdev_full", evdev);
		rte_tel_data_add_dict_string(p, "rx_mode",
					     dpk_rx_mode_name(m->cfg->ports[i].rx_mode));
		rte_tel_data_add_dict_string(p, "rx_interrupts",
					     m->rxq_intr >> i & 1 &&
					     !m->rxq_intr_err[i] ? "yes" : "no");
		rte_tel_data_add_dict_string(p, "park",
					     dpk_park_name(m->port_park[i]));
		rte_tel_data_add_dict_u64(p, "park_cap_us", m->port_cap_us[i]);
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
	char name[24];		/* "worker" and any unsigned int */
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
		rte_tel_data_add_dict_u64(w, "rx_held", s->rx_held);
		rte_tel_data_add_dict_u64(w, "stage", s->stage);
		rte_tel_data_add_dict_u64(w, "tx", s->tx);
		rte_tel_data_add_dict_u64(w, "drop_tx_full", s->drop_tx_full);
		rte_tel_data_add_dict_u64(w, "drop_link_down", s->drop_link_down);
		rte_tel_data_add_dict_u64(w, "drop_eventdev_full", s->drop_evdev);
		rte_tel_data_add_dict_u64(w, "drop_stage", s->drop_stage);
		rte_tel_data_add_dict_u64(w, "drop_flushed", s->drop_flush);
		rte_tel_data_add_dict_u64(w, "eventdev_errors", s->evdev_errors);
		rte_tel_data_add_dict_u64(w, "busy_percent",
					  s->polls ? s->busy_polls * 100 / s->polls : 0);
		rte_tel_data_add_dict_u64(w, "tid", m->workers[i].tid);
		rte_tel_data_add_dict_u64(w, "passes", s->polls);
		rte_tel_data_add_dict_u64(w, "link_seen", s->link_seen);
		/* Idle (idle.c): how it parks, how often, what woke it. */
		rte_tel_data_add_dict_string(w, "rx_mode",
					     dpk_rx_mode_name(m->workers[i].idle.mode));
		rte_tel_data_add_dict_string(w, "park",
					     dpk_park_name(m->workers[i].idle.park));
		rte_tel_data_add_dict_u64(w, "parks", s->parks);
		rte_tel_data_add_dict_u64(w, "park_aborts", s->park_aborts);
		rte_tel_data_add_dict_u64(w, "wakeups", s->wake_rx + s->wake_kick +
					  s->wake_timeout);
		rte_tel_data_add_dict_u64(w, "wake_rx", s->wake_rx);
		rte_tel_data_add_dict_u64(w, "wake_kick", s->wake_kick);
		rte_tel_data_add_dict_u64(w, "wake_timeout", s->wake_timeout);
		rte_tel_data_add_dict_u64(w, "parked_us",
					  s->parked_tsc /
					  RTE_MAX(rte_get_tsc_hz() / 1000000, 1UL));
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

/* The device's xstats of @mode (@id: the queue or port), as a dict. */
static struct rte_tel_data *xstats(uint8_t dev, enum rte_event_dev_xstats_mode mode,
				   uint8_t id)
{
	struct rte_event_dev_xstats_name names[DPK_TEL_XSTATS];
	uint64_t ids[DPK_TEL_XSTATS], values[DPK_TEL_XSTATS];
	struct rte_tel_data *x = rte_tel_data_alloc();
	int n, i;

	if (!x)
		return NULL;
	rte_tel_data_start_dict(x);
	n = rte_event_dev_xstats_names_get(dev, mode, id, names, ids,
					   DPK_TEL_XSTATS);
	if (n > DPK_TEL_XSTATS)
		n = DPK_TEL_XSTATS;
	if (n > 0 && rte_event_dev_xstats_get(dev, mode, id, ids, values, n) == n)
		for (i = 0; i < n; i++)
			rte_tel_data_add_dict_u64(x, names[i].name, values[i]);
	return x;
}

/* The eventdev: what was chosen, and the device's own xstats. */
static int tel_eventdev(const char *cmd, const char *params,
			struct rte_tel_data *d)
{
	const struct dpk_main *m = tel_main;
	struct rte_tel_data *x;
	unsigned int q;
	char svc[32];

	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	if (!m->use_evdev) {
		rte_tel_data_add_dict_string(d, "driver", "none (poll mode)");
		return 0;
	}
	rte_tel_data_add_dict_string(d, "driver", m->ev.name);
	rte_tel_data_add_dict_u64(d, "ports", m->ev.nb_ports);
	rte_tel_data_add_dict_u64(d, "queues", m->ev.nb_queues);
	if (m->ev.has_tx_port)
		snprintf(svc, sizeof(svc), "port %u (single-link)", m->ev.tx_port);
	else
		snprintf(svc, sizeof(svc), "none");
	rte_tel_data_add_dict_string(d, "tx_port", svc);
	rte_tel_data_add_dict_u64(d, "events_limit", m->ev.max_num_events);
	rte_tel_data_add_dict_u64(d, "new_event_threshold", m->ev.new_threshold);
	rte_tel_data_add_dict_u64(d, "credits_held_back", m->ev.reserve);
	if (!m->use_service)
		snprintf(svc, sizeof(svc), "none");
	else if (m->service.lcore < 0)
		snprintf(svc, sizeof(svc), "inline on worker 0");
	else
		snprintf(svc, sizeof(svc), "lcore %d", m->service.lcore);
	rte_tel_data_add_dict_string(d, "scheduler_service", svc);
	x = xstats(m->ev.dev, RTE_EVENT_DEV_XSTATS_DEVICE, 0);
	if (!x)
		return -ENOMEM;
	rte_tel_data_add_dict_container(d, "xstats", x, 0);
	/* Per queue: a DLB2's "QID depth threshold" buckets are here
	 * (qid_N_depth_le50_threshold ... qid_N_depth_gt100_threshold). */
	for (q = 0; q < m->ev.nb_queues; q++) {
		x = xstats(m->ev.dev, RTE_EVENT_DEV_XSTATS_QUEUE, q);
		if (!x)
			return -ENOMEM;
		snprintf(svc, sizeof(svc), "queue%u_xstats", q);
		rte_tel_data_add_dict_container(d, svc, x, 0);
	}
	return 0;
}

void dpk_telemetry_init(const struct dpk_main *m)
{
	tel_main = m;
	rte_telemetry_register_cmd("/dpkit/ports", tel_ports,
				   "dpkitd ports: packets, drops, link. No parameters");
	rte_telemetry_register_cmd("/dpkit/workers", tel_workers,
				   "dpkitd workers: packets, drops by reason, busy %, parks. No parameters");
	rte_telemetry_register_cmd("/dpkit/link", tel_link,
				   "dpkitd link state per port (1 up). No parameters");
	rte_telemetry_register_cmd("/dpkit/eventdev", tel_eventdev,
				   "dpkitd's eventdev: driver, service, xstats. No parameters");
}
