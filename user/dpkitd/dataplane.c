/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The main lcore: start the EAL from the plan, set up the mempool, the
 * ports and the eventdev, launch the workers, then block in epoll on a
 * signalfd, a timerfd (link polling and the workers' watchdog every
 * 100 ms) and an eventfd the LSC interrupt callback writes, until SIGTERM
 * or SIGINT; drain and stop the workers, the eventdev, the ports and the
 * EAL, and give the NICs back. It never polls packets. It tells systemd how
 * it goes (notify.h). Before the workers start it drops its privileges
 * (privs.c).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "dpkitd.h"
#include "flow.h"
#include "libdpkit.h"
#include "notify.h"

int dpk_service_lcore(const struct dpk_config *cfg,
		      const struct dpkit_placement *p)
{
	return cfg->eventdev == DPK_EVDEV_SW && p->service_cpu >= 0 ?
	       (int)p->nr_workers + 1 : -1;
}

int dpk_eal_args(const struct dpk_config *cfg, const struct dpkit_placement *p,
		 char **argv, char *buf, size_t size)
{
	size_t len = 0;
	unsigned int i;
	int argc = 0, any_pci = 0, service = dpk_service_lcore(cfg, p);

#define ARG(...) do {							\
		argv[argc++] = buf + len;				\
		len += snprintf(buf + len, size - len, __VA_ARGS__) + 1; \
	} while (0)

	ARG("dpkitd");
	ARG("--lcores");
	argv[argc++] = buf + len;
	len += snprintf(buf + len, size - len, "0@%d", p->main_cpu);
	for (i = 0; i < p->nr_workers; i++)
		len += snprintf(buf + len, size - len, ",%u@%d", i + 1,
				p->workers[i]);
	if (service >= 0)
		len += snprintf(buf + len, size - len, ",%d@%d", service,
				p->service_cpu);
	len++;
	ARG("--main-lcore");
	ARG("0");
	/* Its own runtime directory: /var/run/dpdk/dpkitd (telemetry). */
	ARG("--file-prefix");
	ARG("dpkitd");
	if (service >= 0) {
		ARG("-S");
		ARG("%d", service);
	}
	if (cfg->hugepages) {
		ARG("--in-memory");
	} else {
		ARG("--no-huge");
		ARG("--no-shconf");
		ARG("-m");
		ARG("%u", cfg->memory_mb);
	}
	for (i = 0; i < cfg->nr_ports; i++) {
		any_pci |= cfg->ports[i].is_pci;
		ARG(cfg->ports[i].is_pci ? "-a" : "--vdev");
		ARG("%s", cfg->ports[i].device);
	}
	switch (cfg->eventdev) {
	case DPK_EVDEV_DLB2:
		any_pci = 1;
		ARG("-a");
		ARG("%s", cfg->eventdev_args);
		break;
	case DPK_EVDEV_DSW:
	case DPK_EVDEV_SW:
		ARG("--vdev");
		ARG("event_%s0%s%s", cfg->eventdev == DPK_EVDEV_SW ? "sw" : "dsw",
		    cfg->eventdev_args[0] ? "," : "", cfg->eventdev_args);
		break;
	default:
		break;
	}
	if (!any_pci)
		ARG("--no-pci");
	ARG("--log-level");
	ARG("%s", cfg->log_level);
#undef ARG
	argv[argc] = NULL;
	return len <= size ? argc : -ENOSPC;
}

#ifdef DPK_DEBUG
bool dpk_fail_at(const char *what, int idx)
{
	const char *f = getenv("DPKITD_FAIL");
	char want[64];

	if (!f)
		return false;
	if (idx >= 0)
		snprintf(want, sizeof(want), "%s:%d", what, idx);
	else
		snprintf(want, sizeof(want), "%s", what);
	if (strcmp(f, want))
		return false;
	fprintf(stderr, "dpkitd: DPKITD_FAIL=%s: failing here\n", f);
	return true;
}
#endif

/*
 * The LSC callback runs on DPDK's interrupt thread: it only wakes the main
 * lcore (an eventfd), which reads and reports the links as on its timer.
 */
static int lsc_event(uint16_t port, enum rte_eth_event_type type, void *arg,
		     void *ret_param)
{
	struct dpk_main *m = arg;
	uint64_t one = 1;

	RTE_SET_USED(port);
	RTE_SET_USED(type);
	RTE_SET_USED(ret_param);
	if (write(m->lsc_fd, &one, sizeof(one)) < 0)
		return -errno;
	return 0;
}

/*
 * Port @idx's queues, from what its device has (Documentation/dpkitd.rst,
 * "Planning"): the rx queues asked for, at most the device's; a tx queue
 * per worker, or, where the device has fewer, one that worker 0 sends on
 * for everyone through the eventdev's single-link queue (poll mode has no
 * such queue: refused).
 */
static int plan_queues(struct dpk_main *m, unsigned int idx,
		       const struct rte_eth_dev_info *info)
{
	const struct dpk_port_config *pc = &m->cfg->ports[idx];
	unsigned int nr = m->nr_workers;

	m->nb_rxq[idx] = RTE_MIN(pc->queues, (unsigned int)info->max_rx_queues);
	if (m->nb_rxq[idx] < pc->queues)
		fprintf(stderr, "dpkitd: port %s: queues = %u, the device has %u "
			"rx queues: using %u\n", pc->name, pc->queues,
			info->max_rx_queues, m->nb_rxq[idx]);
	if (info->max_tx_queues >= nr) {
		m->nb_txq[idx] = nr;
		fprintf(stderr, "dpkitd: port %s: %u rx queue%s, %u tx queue%s: "
			"tx from the stage's worker\n", pc->name, m->nb_rxq[idx],
			m->nb_rxq[idx] == 1 ? "" : "s", nr, nr == 1 ? "" : "s");
		return 0;
	}
	if (m->cfg->eventdev == DPK_EVDEV_NONE) {
		fprintf(stderr, "dpkitd: port %s: poll mode needs a tx queue per "
			"worker (%u), the device has %u: use an eventdev or fewer "
			"workers\n", pc->name, nr, info->max_tx_queues);
		return -ENOTSUP;
	}
	m->nb_txq[idx] = 1;
	m->funnel |= 1U << idx;
	fprintf(stderr, "dpkitd: port %s: %u rx queue%s, 1 tx queue (the device "
		"has %u): tx through the single-link queue\n", pc->name,
		m->nb_rxq[idx], m->nb_rxq[idx] == 1 ? "" : "s",
		info->max_tx_queues);
	return 0;
}

/* Port @idx as planned: its DPDK id, queues, descriptors and NUMA node. */
static int port_plan(struct dpk_main *m, unsigned int idx,
		     struct rte_eth_dev_info *info)
{
	const struct dpk_port_config *pc = &m->cfg->ports[idx];
	struct dpk_port_plan *pp = &m->plan[idx];
	char name[RTE_ETH_NAME_MAX_LEN];
	uint16_t port, rxd = pc->rx_desc, txd = pc->tx_desc;
	int ret;

	/* The device's name: what comes before its devargs. */
	snprintf(name, sizeof(name), "%.*s", (int)strcspn(pc->device, ","),
		 pc->device);
	ret = rte_eth_dev_get_port_by_name(name, &port);
	if (ret) {
		fprintf(stderr, "dpkitd: port %s: DPDK has no device %s\n",
			pc->name, name);
		return ret;
	}
	m->port_ids[idx] = port;
	ret = rte_eth_dev_info_get(port, info);
	if (ret) {
		fprintf(stderr, "dpkitd: port %s: rte_eth_dev_info_get: %s\n",
			pc->name, rte_strerror(-ret));
		return ret;
	}
	ret = plan_queues(m, idx, info);
	if (ret)
		return ret;
	ret = rte_eth_dev_adjust_nb_rx_tx_desc(port, &rxd, &txd);
	if (ret) {
		fprintf(stderr, "dpkitd: port %s: rte_eth_dev_adjust_nb_rx_tx_desc: "
			"%s\n", pc->name, rte_strerror(-ret));
		return ret;
	}
	*pp = (struct dpk_port_plan){
		.rxq = m->nb_rxq[idx], .txq = m->nb_txq[idx],
		.rx_desc = rxd, .tx_desc = txd,
		/* a vdev has no node: the main lcore's */
		.socket = rte_eth_dev_socket_id(port) >= 0 ?
			  rte_eth_dev_socket_id(port) : (int)rte_socket_id(),
	};
	return 0;
}

/*
 * RSS whenever the device has it, one queue or more: its hash is the
 * eventdev's flow id, delivered in the mbuf where the NIC can (no software
 * hash then). The key is symmetric unless configured otherwise, so both
 * directions of a connection are one atomic flow.
 */
static int rss_conf(struct dpk_main *m, unsigned int idx,
		    const struct rte_eth_dev_info *info, struct rte_eth_conf *conf,
		    uint8_t *key)
{
	const struct dpk_port_config *pc = &m->cfg->ports[idx];
	unsigned int len = info->hash_key_size ? info->hash_key_size : 40;

	if (!info->flow_type_rss_offloads) {
		if (pc->nr_reta || pc->rss_key_kind == DPK_RSS_KEY_GIVEN)
			fprintf(stderr, "dpkitd: port %s: the device has no RSS: "
				"rss-key and reta do nothing\n", pc->name);
		return 0;
	}
	conf->rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
	conf->rx_adv_conf.rss_conf.rss_hf = info->flow_type_rss_offloads &
		(RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP);
	if (info->rx_offload_capa & RTE_ETH_RX_OFFLOAD_RSS_HASH) {
		conf->rxmode.offloads |= RTE_ETH_RX_OFFLOAD_RSS_HASH;
		m->hw_hash |= 1U << idx;
	}
	switch (pc->rss_key_kind) {
	case DPK_RSS_KEY_SYMMETRIC:
		if (len > DPK_RSS_KEY_MAX)
			return -EINVAL;
		dpk_flow_symmetric_key(key, len);
		break;
	case DPK_RSS_KEY_GIVEN:
		if (pc->rss_key_len != len) {
			fprintf(stderr, "dpkitd: port %s: rss-key: %u bytes, the "
				"device's key has %u\n", pc->name, pc->rss_key_len,
				len);
			return -EINVAL;
		}
		memcpy(key, pc->rss_key, len);
		break;
	case DPK_RSS_KEY_DEVICE:
		return 0;
	}
	conf->rx_adv_conf.rss_conf.rss_key = key;
	conf->rx_adv_conf.rss_conf.rss_key_len = len;
	return 0;
}

/* reta = LIST, repeated over the device's RETA. */
static int reta_set(struct dpk_main *m, unsigned int idx,
		    const struct rte_eth_dev_info *info)
{
	const struct dpk_port_config *pc = &m->cfg->ports[idx];
	struct rte_eth_rss_reta_entry64 reta[DPK_RETA_SIZE / RTE_ETH_RETA_GROUP_SIZE];
	unsigned int i;
	int ret;

	for (i = 0; i < pc->nr_reta; i++)
		if (pc->reta[i] >= m->nb_rxq[idx]) {
			fprintf(stderr, "dpkitd: port %s: reta: queue %u, the port "
				"has %u rx queues\n", pc->name, pc->reta[i],
				m->nb_rxq[idx]);
			return -EINVAL;
		}
	if (!info->reta_size || info->reta_size > DPK_RETA_SIZE) {
		fprintf(stderr, "dpkitd: port %s: reta: the device's RETA has %u "
			"entries\n", pc->name, info->reta_size);
		return -ENOTSUP;
	}
	memset(reta, 0, sizeof(reta));
	for (i = 0; i < info->reta_size; i++) {
		reta[i / RTE_ETH_RETA_GROUP_SIZE].mask |=
			1ULL << (i % RTE_ETH_RETA_GROUP_SIZE);
		reta[i / RTE_ETH_RETA_GROUP_SIZE].reta[i % RTE_ETH_RETA_GROUP_SIZE] =
			pc->reta[i % pc->nr_reta];
	}
	ret = rte_eth_dev_rss_reta_update(m->port_ids[idx], reta, info->reta_size);
	if (ret)
		fprintf(stderr, "dpkitd: port %s: rte_eth_dev_rss_reta_update: %s\n",
			pc->name, rte_strerror(-ret));
	return ret;
}

/* What the device says its RSS is, for telemetry. */
static void rss_read(struct dpk_main *m, unsigned int idx,
		     const struct rte_eth_dev_info *info)
{
	struct rte_eth_rss_reta_entry64 reta[DPK_RETA_SIZE / RTE_ETH_RETA_GROUP_SIZE];
	struct dpk_rss *r = &m->rss[idx];
	struct rte_eth_rss_conf rc = {
		.rss_key = r->key,
		.rss_key_len = RTE_MIN(info->hash_key_size ? info->hash_key_size : 40U,
				       (unsigned int)sizeof(r->key)),
	};
	unsigned int i;

	memset(r, 0, sizeof(*r));
	if (!info->flow_type_rss_offloads ||
	    rte_eth_dev_rss_hash_conf_get(m->port_ids[idx], &rc))
		return;
	r->hf = rc.rss_hf;
	r->key_len = RTE_MIN(rc.rss_key_len, (uint8_t)sizeof(r->key));
	if (!info->reta_size || info->reta_size > DPK_RETA_SIZE)
		return;
	memset(reta, 0, sizeof(reta));
	for (i = 0; i < info->reta_size; i++)
		reta[i / RTE_ETH_RETA_GROUP_SIZE].mask |=
			1ULL << (i % RTE_ETH_RETA_GROUP_SIZE);
	if (rte_eth_dev_rss_reta_query(m->port_ids[idx], reta, info->reta_size))
		return;
	for (i = 0; i < info->reta_size; i++)
		r->reta[i] = reta[i / RTE_ETH_RETA_GROUP_SIZE].reta[i % RTE_ETH_RETA_GROUP_SIZE];
	r->reta_size = info->reta_size;
}

static int port_setup(struct dpk_main *m, unsigned int idx,
		      const struct rte_eth_dev_info *info)
{
	const struct dpk_port_config *pc = &m->cfg->ports[idx];
	const struct dpk_port_plan *pp = &m->plan[idx];
	struct rte_mempool *pool;
	struct rte_eth_conf conf = { 0 };
	uint8_t key[DPK_RSS_KEY_MAX];
	struct rte_eth_link link;
	uint16_t port = m->port_ids[idx], q;
	int ret;

	pool = m->pools[dpk_plan_pool(&m->mbuf_plan, pp->socket)];
	ret = rss_conf(m, idx, info, &conf, key);
	if (ret)
		return ret;
	/* Link changes by interrupt where the PMD has them (else polled). */
	if (m->lsc_fd >= 0 && (*info->dev_flags & RTE_ETH_DEV_INTR_LSC))
		conf.intr_conf.lsc = 1;
	/* rx interrupts for a worker to park on (idle.c), where the PMD
	 * takes them; else it parks without. */
	conf.intr_conf.rxq = pc->rx_mode != DPK_RX_POLL;
	ret = rte_eth_dev_configure(port, m->nb_rxq[idx], m->nb_txq[idx], &conf);
	if (ret && conf.intr_conf.rxq) {
		m->rxq_intr_err[idx] = ret;
		conf.intr_conf.rxq = 0;
		ret = rte_eth_dev_configure(port, m->nb_rxq[idx], m->nb_txq[idx],
					    &conf);
	}
	if (!ret && conf.intr_conf.rxq)
		m->rxq_intr |= 1U << idx;
	if (!ret)
		m->configured |= 1U << idx;	/* closed whatever comes next */
	if (!ret && conf.intr_conf.lsc) {
		ret = rte_eth_dev_callback_register(port, RTE_ETH_EVENT_INTR_LSC,
						    lsc_event, m);
		if (!ret) {
			m->lsc |= 1ULL << idx;
			fprintf(stderr, "dpkitd: port %s: link-state interrupts "
				"(LSC)\n", pc->name);
		}
	}
	for (q = 0; !ret && q < m->nb_rxq[idx]; q++)
		ret = rte_eth_rx_queue_setup(port, q, pp->rx_desc, pp->socket,
					     NULL, pool);
	for (q = 0; !ret && q < m->nb_txq[idx]; q++)
		ret = rte_eth_tx_queue_setup(port, q, pp->tx_desc, pp->socket,
					     NULL);
	/* Some PMDs take the key only this way (net_null), others also at
	 * configure: both. */
	if (!ret && conf.rx_adv_conf.rss_conf.rss_key &&
	    rte_eth_dev_rss_hash_update(port, &conf.rx_adv_conf.rss_conf) == 0)
		fprintf(stderr, "dpkitd: port %s: RSS key set (%s)\n", pc->name,
			pc->rss_key_kind == DPK_RSS_KEY_SYMMETRIC ? "symmetric" :
								    "rss-key");
	if (!ret && pc->nr_reta)
		ret = reta_set(m, idx, info);
	if (!ret && dpk_fail_at("port-start", idx))
		ret = -EIO;
	if (!ret)
		ret = rte_eth_dev_start(port);
	if (ret) {
		fprintf(stderr, "dpkitd: port %s (%s): setup failed: %s\n",
			pc->name, pc->device, rte_strerror(-ret));
		return ret;
	}
	m->started |= 1U << idx;
	dpk_crash_point("s2-port", idx);
	rss_read(m, idx, info);
	rte_eth_promiscuous_enable(port);
	m->nr_started++;
	if (rte_eth_link_get_nowait(port, &link) == 0 && link.link_status)
		m->link_up |= 1ULL << idx;
	return 0;
}

/*
 * Undo port_setup() as far as it went: the LSC callback (which DPDK's
 * interrupt thread may be running: -EAGAIN, try again), the port's start
 * and its configuration (closing it frees what its queues hold).
 */
static void port_close(struct dpk_main *m, unsigned int idx)
{
	const char *name = m->cfg->ports[idx].name;
	uint16_t port = m->port_ids[idx];
	unsigned int ms;
	int ret;

	if (m->lsc >> idx & 1) {
		for (ms = 0; ms < 1000; ms++) {
			ret = rte_eth_dev_callback_unregister(port,
					RTE_ETH_EVENT_INTR_LSC, lsc_event, m);
			if (ret != -EAGAIN)
				break;
			usleep(1000);
		}
		if (ret)
			fprintf(stderr, "dpkitd: port %s: "
				"rte_eth_dev_callback_unregister: %s\n", name,
				rte_strerror(-ret));
		m->lsc &= ~(1ULL << idx);
	}
	if (m->started >> idx & 1) {
		ret = rte_eth_dev_stop(port);
		if (ret)
			fprintf(stderr, "dpkitd: port %s: rte_eth_dev_stop: %s\n",
				name, rte_strerror(-ret));
		m->started &= ~(1U << idx);
	}
	if (m->configured >> idx & 1) {
		ret = rte_eth_dev_close(port);
		if (ret)
			fprintf(stderr, "dpkitd: port %s: rte_eth_dev_close: %s\n",
				name, rte_strerror(-ret));
		m->configured &= ~(1U << idx);
		fprintf(stderr, "dpkitd: port %s: closed\n", name);
	}
}

/*
 * One mbuf pool per NUMA node with ports, each sized from the plan
 * (plan.c), or "mbufs =" refused, naming the numbers, when it cannot
 * cover the plan.
 */
static int pools_setup(struct dpk_main *m)
{
	const struct dpk_config *cfg = m->cfg;
	struct dpk_mbuf_plan *mp = &m->mbuf_plan;
	char name[RTE_MEMPOOL_NAMESIZE], err[256];
	/* workers, main lcore, a service lcore, a stage's control thread */
	unsigned int k, lcores = m->nr_workers + 3;
	int ret;

	ret = dpk_plan_mbufs(m->plan, m->nr_ports, m->nr_workers, lcores,
			     cfg->mbuf_cache, cfg->mbufs,
			     cfg->eventdev != DPK_EVDEV_NONE ? &m->ev_plan : NULL,
			     mp, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "dpkitd: %s\n", err);
		return ret;
	}
	for (k = 0; k < mp->nr_pools; k++) {
		fprintf(stderr, "dpkitd: mbufs: %u on socket %d (rx descriptors %u, "
			"tx descriptors %u, events %u, in the workers' hands %u, "
			"lcore caches %u)%s\n", mp->count[k], mp->socket[k],
			mp->rx_desc[k], mp->tx_desc, mp->events, mp->in_hand,
			mp->caches, cfg->mbufs ? ", as configured" : "");
		snprintf(name, sizeof(name), "dpk_mbufs_%d", mp->socket[k]);
		m->pools[k] = rte_pktmbuf_pool_create(name, mp->count[k],
						      cfg->mbuf_cache, 0,
						      RTE_MBUF_DEFAULT_BUF_SIZE,
						      mp->socket[k]);
		if (!m->pools[k] && rte_errno == ENOMEM) {
			fprintf(stderr, "dpkitd: mbufs: no memory on socket %d: "
				"from any\n", mp->socket[k]);
			m->pools[k] = rte_pktmbuf_pool_create(name, mp->count[k],
							      cfg->mbuf_cache, 0,
							      RTE_MBUF_DEFAULT_BUF_SIZE,
							      SOCKET_ID_ANY);
		}
		if (!m->pools[k]) {
			fprintf(stderr, "dpkitd: rte_pktmbuf_pool_create %s (%u "
				"mbufs): %s\n", name, mp->count[k],
				rte_strerror(rte_errno));
			return -rte_errno;
		}
		m->nr_pools++;
	}
	return 0;
}

/*
 * Every (port, queue) to a worker, round robin over the workers on the
 * port's NUMA node (all of them when none is); each worker its tx queue.
 */
static int assign_queues(struct dpk_main *m)
{
	unsigned int i, q, k, n = 0, lcore, idx, local;
	struct dpk_worker *w;
	int s;

	i = 0;
	RTE_LCORE_FOREACH_WORKER(lcore) {
		w = &m->workers[i];
		w->id = i;
		w->lcore = lcore;
		w->stop = &m->stop;
		w->link_word = m->link_word;
		memcpy(w->link_bit, m->link_bit, sizeof(w->link_bit));
		memcpy(w->port_ids, m->port_ids, sizeof(w->port_ids));
		w->stage = m->stage;
		w->shared_cpu = m->cfg->lcores_per_cpu > 1;
		w->stage_ctx = (struct dpk_stage_ctx){
			.worker = i, .nr_ports = m->nr_ports,
			.forward = m->forward,
		};
		if (++i == m->nr_workers)
			break;
	}
	for (i = 0; i < m->nr_ports; i++) {
		s = m->plan[i].socket;
		for (local = 0, k = 0; k < m->nr_workers; k++)
			local += (int)rte_lcore_to_socket_id(m->workers[k].lcore) == s;
		for (q = 0; q < m->nb_rxq[i]; q++) {
			for (w = NULL, k = 0; !w && k < m->nr_workers; k++) {
				idx = (n + k) % m->nr_workers;
				w = &m->workers[idx];
				if ((local && (int)rte_lcore_to_socket_id(w->lcore) != s) ||
				    w->nr_rxq == DPK_MAX_RXQ)
					w = NULL;
			}
			if (!w) {
				fprintf(stderr, "dpkitd: port %s: rx queue %u: every "
					"worker has %d rx queues already\n",
					m->cfg->ports[i].name, q, DPK_MAX_RXQ);
				return -ENOSPC;
			}
			n = idx + 1;
			w->rxq[w->nr_rxq++] = (struct dpk_rxq){
				.port_id = m->port_ids[i], .queue = q,
				.dst_port_id = m->port_ids[m->cfg->ports[i].forward_idx],
				.port = i, .dst_port = m->cfg->ports[i].forward_idx,
				.sw_hash = !(m->hw_hash >> i & 1),
			};
		}
	}
	return 0;
}

/* Report port @i's link into dpkit.ko's table (and so its page and genl). */
static void report_link(struct dpk_main *m, unsigned int i,
			const struct rte_eth_link *link)
{
	const struct dpk_port_config *pc = &m->cfg->ports[i];
	struct dpkit_link_report rep = { .port_id = m->port_ids[i] };

	if (!m->dk)
		return;
	if (link->link_status)
		rep.flags = DPKIT_LINK_F_UP | DPKIT_LINK_F_ADMIN_UP |
			    DPKIT_LINK_F_CARRIER |
			    (link->link_duplex ? DPKIT_LINK_F_FULL_DUPLEX :
						 DPKIT_LINK_F_HALF_DUPLEX);
	else
		rep.flags = DPKIT_LINK_F_ADMIN_UP;
	rep.speed = link->link_status && link->link_speed != RTE_ETH_SPEED_NUM_UNKNOWN ?
		    link->link_speed : 0;
	snprintf(rep.name, sizeof(rep.name), "%s", pc->name);
	if (pc->is_pci)
		snprintf(rep.bdf, sizeof(rep.bdf), "%s", pc->device);
	if (dpkit_link_report(m->dk, &rep) < 0)
		fprintf(stderr, "dpkitd: port %s: %s\n", pc->name, dpkit_errmsg());
}

/* systemd's STATUS= line: what runs, and each port's link. */
static void notify_status(const struct dpk_main *m)
{
	char ports[256] = "";
	unsigned int i;
	size_t len = 0;

	for (i = 0; i < m->nr_ports && len < sizeof(ports); i++)
		len += snprintf(ports + len, sizeof(ports) - len, "%s%s %s",
				i ? ", " : "", m->cfg->ports[i].name,
				m->link_up >> i & 1 ? "up" : "down");
	dpk_notify("STATUS=forwarding: %u worker%s; %s", m->nr_workers,
		   m->nr_workers == 1 ? "" : "s", ports);
}

/* Link state every 100 ms: polled, so it works for every PMD. */
static void poll_links(struct dpk_main *m, int report_all, const char *why)
{
	struct rte_eth_link links[DPK_MAX_PORTS];
	uint64_t up = 0;
	unsigned int i;
	bool changed;

	for (i = 0; i < m->nr_ports; i++) {
		memset(&links[i], 0, sizeof(links[i]));
		if (rte_eth_link_get_nowait(m->port_ids[i], &links[i]) == 0 &&
		    links[i].link_status)
			up |= 1ULL << i;
	}
	for (i = 0; i < m->nr_ports; i++) {
		if (!report_all && !((up ^ m->link_up) >> i & 1))
			continue;
		if (!report_all)
			fprintf(stderr, "dpkitd: port %s: link %s (%s)\n",
				m->cfg->ports[i].name, up >> i & 1 ? "up" : "down",
				why);
		report_link(m, i, &links[i]);
	}
	changed = up != m->link_up;
	m->link_up = up;
	if (changed)
		dpk_idle_links(m, links);	/* parked workers honour it now */
	if (changed && !report_all)
		notify_status(m);
}

/*
 * Where workers read link state: dpkit.ko's page when the ports' slots share
 * one bitmap word (one load per pass), else dpkitd's own word.
 */
static void link_setup(struct dpk_main *m)
{
	const char *fd = getenv("DPKITD_LEASE_FD");
	struct dpkit_link_slot s;
	unsigned int i, word = 0;
	int idx;

	m->link_word = &m->link_up;
	for (i = 0; i < m->nr_ports; i++)
		m->link_bit[i] = i;
	if (!fd)
		return;
	i = dpkit_open_fd(atoi(fd), &m->dk);
	unsetenv("DPKITD_LEASE_FD");
	if (i) {
		fprintf(stderr, "dpkitd: the lease fd: %s\n", dpkit_errmsg());
		m->dk = NULL;
		return;
	}
	/* Stage one kept it open over the exec; no program goes further. */
	fcntl(dpkit_fd(m->dk), F_SETFD, FD_CLOEXEC);
	poll_links(m, 1, "start");
	if (dpkit_page_map(m->dk, &m->pg) < 0) {
		fprintf(stderr, "dpkitd: %s: workers use dpkitd's own link "
			"word\n", dpkit_errmsg());
		return;
	}
	for (i = 0; i < m->nr_ports; i++) {
		idx = dpkit_page_find(&m->pg, DPKIT_OWNER_DPDK, m->port_ids[i], &s);
		if (idx < 0 || (i && (unsigned int)idx / 64 != word))
			return;	/* not in one word: keep dpkitd's own */
		word = idx / 64;
		m->link_bit[i] = idx % 64;
	}
	m->link_word = &m->pg.bitmap[word];
	fprintf(stderr, "dpkitd: workers read link state from dpkit.ko's page "
		"(word %u)\n", word);
}

/*
 * Readiness and the watchdog, on the main lcore's timer: READY=1 once
 * every worker made a pass; then, with WatchdogSec=, WATCHDOG=1 only while
 * every worker's pass counter advances (notify.h), so that a stuck worker
 * gets the service restarted (and the lease puts the host back first).
 */
struct supervisor {
	bool ready;
	int stalled;			/* the worker that stopped the pings, or -1 */
	struct dpk_watchdog wd;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void supervise(const struct dpk_main *m, struct supervisor *sv)
{
	uint64_t passes[DPKIT_MAX_WORKERS], now = now_ns();
	unsigned int i;
	int w;

	for (i = 0; i < m->nr_workers; i++)
		passes[i] = ((const volatile struct dpk_stats *)&m->workers[i].stats)->polls;
	if (!sv->ready) {
		for (i = 0; i < m->nr_workers; i++)
			if (!passes[i])
				return;
		sv->ready = true;
		sv->stalled = -1;
		dpk_watchdog_init(&sv->wd, dpk_notify_watchdog_usec(), now, passes,
				  m->nr_workers);
		dpk_notify("READY=1");
		notify_status(m);
		if (sv->wd.period_ns)
			fprintf(stderr, "dpkitd: watchdog: a ping every %llu ms while "
				"every worker makes passes\n",
				(unsigned long long)sv->wd.period_ns / 1000000);
		return;
	}
	w = dpk_watchdog_check(&sv->wd, now, passes, m->nr_workers);
	if (w == DPK_WD_PING) {
		dpk_notify("WATCHDOG=1");
		if (sv->stalled >= 0) {
			fprintf(stderr, "dpkitd: worker %d makes passes again: "
				"watchdog pings resume\n", sv->stalled);
			notify_status(m);
		}
		sv->stalled = -1;
	} else if (w >= 0 && w != sv->stalled) {
		sv->stalled = w;
		fprintf(stderr, "dpkitd: worker %d (lcore %u) made no pass in %llu "
			"ms: no watchdog ping\n", w, m->workers[w].lcore,
			(unsigned long long)sv->wd.period_ns / 1000000);
		dpk_notify("STATUS=worker %d (lcore %u) is stuck: no watchdog ping",
			   w, m->workers[w].lcore);
	}
}

/*
 * After the first SIGTERM/SIGINT: the next one kills dpkitd at once (the
 * default action, on the main thread, the only one not blocking them); the
 * lease gives the NICs and CPUs back all the same.
 */
static void force_exit_on_signal(const sigset_t *mask)
{
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	pthread_sigmask(SIG_UNBLOCK, mask, NULL);
}

/* Block until SIGTERM/SIGINT, polling the links on a timer. */
static int main_loop(struct dpk_main *m)
{
	struct itimerspec its = { .it_interval = { 0, 100000000 },
				  .it_value = { 0, 100000000 } };
	struct supervisor sv = { .stalled = -1 };
	struct epoll_event ev, evs[3];
	int ep, sfd, tfd, n, i, ret = 0;
	struct signalfd_siginfo si;
	uint64_t ticks;
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (sfd < 0 || tfd < 0 || ep < 0 || timerfd_settime(tfd, 0, &its, NULL)) {
		perror("dpkitd: main loop");
		ret = -1;
		goto out;
	}
	ev.events = EPOLLIN;
	ev.data.fd = sfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev);
	ev.data.fd = tfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev);
	if (m->lsc_fd >= 0) {
		ev.data.fd = m->lsc_fd;
		epoll_ctl(ep, EPOLL_CTL_ADD, m->lsc_fd, &ev);
	}
	fprintf(stderr, "dpkitd: running: %u worker%s, %u port%s\n",
		m->nr_workers, m->nr_workers == 1 ? "" : "s", m->nr_ports,
		m->nr_ports == 1 ? "" : "s");
	for (;;) {
		n = epoll_wait(ep, evs, 3, -1);
		for (i = 0; i < n; i++) {
			if (evs[i].data.fd == tfd) {
				if (read(tfd, &ticks, sizeof(ticks)) > 0) {
					poll_links(m, 0, "polled");
					supervise(m, &sv);
				}
				dpk_crash_point("s2-running", -1);
				continue;
			}
			if (evs[i].data.fd == m->lsc_fd) {
				if (read(m->lsc_fd, &ticks, sizeof(ticks)) > 0)
					poll_links(m, 0, "LSC interrupt");
				continue;
			}
			if (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				fprintf(stderr, "dpkitd: %s: stopping (a second "
					"signal forces exit)\n",
					strsignal(si.ssi_signo));
				dpk_notify("STOPPING=1\nSTATUS=stopping (%s): "
					   "draining", strsignal(si.ssi_signo));
				force_exit_on_signal(&mask);
				goto out;
			}
		}
		if (n < 0 && errno != EINTR) {
			perror("dpkitd: epoll_wait");
			ret = -1;
			goto out;
		}
	}
out:
	if (ep >= 0)
		close(ep);
	if (tfd >= 0)
		close(tfd);
	if (sfd >= 0)
		close(sfd);
	return ret;
}

/*
 * The counters of all workers, and the eventdev's flush, summed. Read
 * while the workers run too (volatile: each call loads them anew).
 */
static void totals(const struct dpk_main *m, struct dpk_stats *t)
{
	unsigned int i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < m->nr_workers; i++) {
		const volatile struct dpk_stats *st = &m->workers[i].stats;

		t->rx += st->rx;
		t->tx += st->tx;
		t->drop_tx_full += st->drop_tx_full;
		t->drop_link_down += st->drop_link_down;
		t->drop_evdev += st->drop_evdev;
		t->drop_stage += st->drop_stage;
		t->drop_flush += st->drop_flush;
		t->evdev_errors += st->evdev_errors;
	}
	t->drop_flush += m->drop_flush;
}

static uint64_t dropped(const struct dpk_stats *t)
{
	return dpk_stats_out(t) - t->tx;
}

/* Packets received and not yet sent or counted as dropped. */
static uint64_t in_flight(const struct dpk_main *m)
{
	struct dpk_stats t;

	totals(m, &t);
	return t.rx > t.tx + dropped(&t) ? t.rx - t.tx - dropped(&t) : 0;
}

/*
 * Stop the workers. With an eventdev, rx stops first and the pipeline
 * drains (up to a second) so that what was received is sent; then the
 * workers stop, quiescing their event ports, and the device's stop flush
 * frees whatever is still queued. The main lcore may sleep; workers never.
 */
static void stop_workers(struct dpk_main *m)
{
	unsigned int ms;
	uint64_t left;

	if (m->use_evdev) {
		m->stop_rx = 1;
		dpk_crash_point("s2-drain", -1);
		for (ms = 0; ms < 1000 && in_flight(m); ms++)
			usleep(1000);
		left = in_flight(m);
		if (left)
			fprintf(stderr, "dpkitd: %llu events still in flight "
				"after 1 s: flushing them\n",
				(unsigned long long)left);
	}
	m->stop = 1;
	dpk_idle_wake_all(m);
	rte_eal_mp_wait_lcore();
	if (m->control_running) {
		pthread_join(m->control, NULL);
		m->control_running = false;
	}
	dpk_evdev_stop(m);
}

/* Whether a VFIO device is still open here (its unbind would wait for it). */
static bool vfio_device_open(void)
{
	struct dirent *e;
	DIR *d = opendir("/proc/self/fd");
	bool open = false;
	char link[64];
	ssize_t n;

	while (d && !open && (e = readdir(d))) {
		n = readlinkat(dirfd(d), e->d_name, link, sizeof(link) - 1);
		link[n > 0 ? n : 0] = '\0';
		open = !strcmp(link, "anon_inode:[vfio-device]");
	}
	if (d)
		closedir(d);
	return open;
}

/*
 * A clean exit gives back what stage one took before dpkitd exits, so that
 * whoever stopped it finds the host as it was once it has gone (after a
 * crash, the undo helper and the end of the lease do it, in the
 * background), in this order: the userspace knobs (the undo helper), the
 * isolation, the NICs, whose new IRQs then start on the host's default
 * affinity, never the isolated one. Through the lease, which needs no
 * capability (dpkit.ko checks its opener's): ISOLATE_CLEAR (refused when
 * the isolation is not the lease's), and NIC_RESTORE for each PCI port
 * and the DLB2 that dpkit.ko lists as leased (by this lease: one dpkitd
 * per host, one lease per NIC), once no VFIO device is open (dpk_run()
 * detached them).
 */
static void give_back(const struct dpk_main *m)
{
	const struct dpk_config *cfg = m->cfg;
	char bdf[DPK_MAX_PORTS + 1][DPKIT_BDF_LEN], driver[DPKIT_DRIVER_LEN];
	unsigned int nr = 0, count, i, j, nr_bits;
	struct dpkit_nic *nics;
	uint64_t *words;
	char list[256];

	dpk_knobs_put_back();
	dpk_crash_point("s2-knobs", -1);
	if (!m->dk)
		return;
	if (dpkit_isolate_get(m->dk, DPKIT_MASK_ISOLATED, &words, &nr_bits, NULL,
			      NULL) == 0) {
		dpkit_cpulist_format(words, nr_bits, list, sizeof(list));
		free(words);
		/* EBUSY: the admin's, not the lease's; it stays */
		if (list[0] && dpkit_isolate_clear(m->dk) == 0)
			fprintf(stderr, "dpkitd: isolation of CPUs %s ended\n",
				list);
	}
	for (i = 0; i < cfg->nr_ports; i++)
		if (cfg->ports[i].is_pci)
			snprintf(bdf[nr++], sizeof(bdf[0]), "%s", cfg->ports[i].device);
	if (cfg->eventdev == DPK_EVDEV_DLB2)
		snprintf(bdf[nr++], sizeof(bdf[0]), "%.12s", cfg->eventdev_args);
	if (!nr)
		return;
	if (vfio_device_open()) {
		fprintf(stderr, "dpkitd: a VFIO device is still open: the end of "
			"the lease gives the NICs back, after dpkitd exits\n");
		return;
	}
	if (dpkit_nic_list(m->dk, &nics, &count) < 0) {
		fprintf(stderr, "dpkitd: giving the NICs back: %s; the end of the "
			"lease does\n", dpkit_errmsg());
		return;
	}
	for (i = 0; i < count; i++)
		for (j = 0; j < nr; j++) {
			if (strcasecmp(nics[i].bdf, bdf[j]) ||
			    !(nics[i].flags & DPKIT_NIC_F_LEASED))
				continue;
			if (dpkit_nic_restore(m->dk, nics[i].bdf, driver) < 0)
				fprintf(stderr, "dpkitd: %s: %s; the end of the lease "
					"tries again\n", nics[i].bdf, dpkit_errmsg());
			else
				fprintf(stderr, "dpkitd: %s: given back to %s\n",
					nics[i].bdf, driver[0] ? driver : "(none)");
		}
	free(nics);
}

/* The stage's control function, on its thread (dpk_spawn). */
static void stage_control(void *arg)
{
	struct dpk_main *m = arg;

	m->stage->control(&m->control_ctx, &m->stop);
}

int dpk_run(const struct dpk_config *cfg, const struct dpkit_placement *p,
	    const struct dpk_ids *ids)
{
	static struct rte_eth_dev_info infos[DPK_MAX_PORTS];
	static struct dpk_main m;
	char *argv[DPK_MAX_EAL_ARGS], buf[2048];
	struct dpk_stats total = { 0 };
	unsigned int i, in_use;
	int argc, ret = 1;
	sigset_t mask;

	/* Before the EAL makes threads: they all inherit the blocked mask. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);

	dpk_notify("STATUS=starting DPDK: the EAL, %u port%s, the eventdev",
		   cfg->nr_ports, cfg->nr_ports == 1 ? "" : "s");
	/* systemd's RuntimeDirectory= list would move the EAL's runtime
	 * directory (and the telemetry socket): keep /var/run/dpdk/dpkitd. */
	unsetenv("RUNTIME_DIRECTORY");
	argc = dpk_eal_args(cfg, p, argv, buf, sizeof(buf));
	dpk_crash_point("s2-eal-init", -1);
	if (argc < 0 || rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "dpkitd: the EAL did not start: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	/* DPDK's log to stderr only, not also to syslog: no thread, a
	 * worker least of all, reconnects a socket to log a line. */
	rte_openlog_stream(stderr);
	dpk_crash_point("s2-eal", -1);
	m.cfg = cfg;
	m.nr_ports = cfg->nr_ports;
	m.nr_workers = p->nr_workers;
	m.stage = dpk_stage_find(cfg->stage);
	for (i = 0; i < m.nr_ports; i++)
		m.forward[i] = cfg->ports[i].forward_idx;
	m.lsc_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	/* The plan: queues from what the devices have, the eventdev's size,
	 * then the pools that hold it all; then the ports, the eventdev. */
	for (i = 0; i < m.nr_ports; i++)
		if (port_plan(&m, i, &infos[i]))
			goto out_pools;
	if (cfg->eventdev != DPK_EVDEV_NONE && dpk_evdev_plan(&m) < 0)
		goto out_pools;
	if (pools_setup(&m))
		goto out_pools;
	for (i = 0; i < m.nr_ports; i++)
		if (port_setup(&m, i, &infos[i]))
			goto out_ports;
	link_setup(&m);
	dpk_crash_point("s2-ports", -1);
	if (assign_queues(&m))
		goto out_ports;
	if (cfg->eventdev != DPK_EVDEV_NONE &&
	    dpk_evdev_setup(&m, dpk_service_lcore(cfg, p)) < 0)
		goto out_evdev;
	if (dpk_idle_setup(&m))
		goto out_evdev;
	dpk_crash_point("s2-evdev", -1);
	fprintf(stderr, "dpkitd: stage %s, %s\n", m.stage->name, m.use_evdev ?
		"rx -> eventdev queue 0 (atomic) -> stage -> tx" :
		"poll mode: rx -> stage -> tx");
	dpk_telemetry_init(&m);
	if (m.stage->control) {
		m.control_ctx = (struct dpk_stage_ctx){
			.nr_ports = m.nr_ports, .forward = m.forward,
		};
		if (dpk_spawn(&m.control, "dpk-control", stage_control, &m) < 0)
			goto out_evdev;
		m.control_running = true;
	}
	/* Everything privileged is done: for good (privs.c). */
	if (dpk_privs_drop(ids) == 0) {
		dpk_crash_point("s2-dropped", -1);
		for (i = 0; i < m.nr_workers; i++)
			rte_eal_remote_launch(dpk_worker_main, &m.workers[i],
					      m.workers[i].lcore);
		if (main_loop(&m) == 0)
			ret = 0;
	}
	stop_workers(&m);
	totals(&m, &total);
	dpk_crash_point("s2-stopped", -1);
out_evdev:
	dpk_evdev_stop(&m);
out_ports:
	dpk_idle_close(&m);
	for (i = 0; i < m.nr_ports; i++) {
		port_close(&m, i);
		/* Detached, so that the EAL closes its VFIO device: the EAL's
		 * cleanup leaves it open, which a NIC's unbind waits for. */
		if (cfg->ports[i].is_pci && infos[i].device &&
		    rte_dev_remove(infos[i].device))
			fprintf(stderr, "dpkitd: port %s: rte_dev_remove failed\n",
				cfg->ports[i].name);
	}
	dpk_crash_point("s2-ports-closed", -1);
out_pools:
	if (m.lsc_fd >= 0)
		close(m.lsc_fd);
	for (in_use = 0, i = 0; i < m.nr_pools; i++)
		in_use += rte_mempool_in_use_count(m.pools[i]);
	fprintf(stderr, "dpkitd: stopped: rx %llu, tx %llu, dropped %llu (tx full "
		"%llu, link down %llu, eventdev full %llu, stage %llu, flushed "
		"%llu, eventdev errors %llu); mbufs in use %u\n",
		(unsigned long long)total.rx, (unsigned long long)total.tx,
		(unsigned long long)dropped(&total),
		(unsigned long long)total.drop_tx_full,
		(unsigned long long)total.drop_link_down,
		(unsigned long long)total.drop_evdev,
		(unsigned long long)total.drop_stage,
		(unsigned long long)total.drop_flush,
		(unsigned long long)total.evdev_errors, in_use);
	if (in_use)
		ret = 1;
	for (i = 0; i < m.nr_pools; i++)
		rte_mempool_free(m.pools[i]);
	rte_eal_cleanup();
	dpk_crash_point("s2-eal-cleanup", -1);
	give_back(&m);
	dpk_crash_point("s2-restored", -1);
	return ret;
}
