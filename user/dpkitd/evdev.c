/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The eventdev (DESIGN.md, "Eventdev pipeline"): one device, queue 0
 * (atomic) and, for ports with fewer tx queues than workers, queue 1
 * (single-link); one event port per worker, plus the tx port when queue 1
 * is there. Everything device-specific
 * is read from rte_event_dev_info, never from the driver's name (the port
 * layout is in dpkitd.h, struct dpk_evdev):
 *
 *  - nb_events_limit from max_num_events (a closed system such as DLB2
 *    refuses enqueues beyond it), capped by the mbuf count;
 *  - new_event_threshold per port (plan.c): every PMD compares it with
 *    the device-wide count of events in flight plus the credits its ports
 *    hold back, so it is the limit less what all ports may hold back;
 *  - the tx queue and port, where needed, are single-link (DLB2:
 *    directed);
 *  - burst depths only with RTE_EVENT_DEV_CAP_BURST_MODE;
 *  - priorities only with RTE_EVENT_DEV_CAP_EVENT_QOS: four levels, spaced
 *    so the upper three bits differ (DLB2 looks at those);
 *  - rte_event_maintain() unless RTE_EVENT_DEV_CAP_MAINTENANCE_FREE;
 *  - a scheduler service when rte_event_dev_service_id_get() names one
 *    (event_sw): on its service lcore when the placement found a CPU for
 *    it, else inline on worker 0 — never two spinning lcores on one CPU.
 *
 * The device is configured, and reconfigured, only as a whole.
 */
/* rte_service_lcore_may_be_active() is experimental in DPDK 22.11. */
#define ALLOW_EXPERIMENTAL_API

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_eventdev.h>
#include <rte_mbuf.h>
#include <rte_service.h>

#include "dpkitd.h"
#include "plan.h"

static void stop_flush(uint8_t dev, struct rte_event ev, void *arg)
{
	struct dpk_main *m = arg;

	RTE_SET_USED(dev);
	if (ev.op != RTE_EVENT_OP_RELEASE && ev.mbuf) {
		rte_pktmbuf_free(ev.mbuf);
		m->drop_flush++;
	}
}

static int evdev_fail(const char *what, int ret)
{
	fprintf(stderr, "dpkitd: eventdev: %s: %s\n", what, rte_strerror(-ret));
	return ret;
}

static int service_setup(struct dpk_main *m, int lcore)
{
	struct dpk_service *s = &m->service;
	int ret;

	if (rte_event_dev_service_id_get(m->ev.dev, &s->id))
		return 0;	/* distributed scheduling: no service */
	m->use_service = true;
	s->lcore = lcore;
	if (lcore < 0) {
		/* Inline on worker 0: nobody maps it to a service lcore. */
		ret = rte_service_set_runstate_mapped_check(s->id, 0);
		if (!ret)
			ret = rte_service_runstate_set(s->id, 1);
		if (ret)
			return evdev_fail("inline scheduler service", ret);
		m->workers[0].service = s;
		fprintf(stderr, "dpkitd: eventdev: scheduler service inline on "
			"worker 0 (no spare CPU for a service lcore)\n");
		return 0;
	}
	ret = rte_service_map_lcore_set(s->id, lcore, 1);
	if (!ret)
		ret = rte_service_runstate_set(s->id, 1);
	if (!ret)
		ret = rte_service_lcore_start(lcore);
	if (ret && ret != -EALREADY)
		return evdev_fail("scheduler service lcore", ret);
	fprintf(stderr, "dpkitd: eventdev: scheduler service on lcore %d\n",
		lcore);
	return 0;
}

/* The priority of level @lvl (0 highest .. 3 lowest). */
static uint8_t prio_of(unsigned int lvl)
{
	return RTE_EVENT_DEV_PRIORITY_HIGHEST +
	       lvl * ((RTE_EVENT_DEV_PRIORITY_LOWEST + 1) / 4);
}

int dpk_evdev_plan(struct dpk_main *m)
{
	struct dpk_evdev *e = &m->ev;
	struct rte_event_dev_info info;
	struct dpk_evdev_caps caps;
	char err[256];
	int ret;

	if (rte_event_dev_count() != 1) {
		fprintf(stderr, "dpkitd: eventdev: %u devices probed, want one\n",
			rte_event_dev_count());
		return -ENODEV;
	}
	e->dev = 0;
	ret = rte_event_dev_info_get(e->dev, &info);
	if (ret)
		return evdev_fail("rte_event_dev_info_get", ret);
	snprintf(e->name, sizeof(e->name), "%s", info.driver_name);
	e->maintain = !(info.event_dev_cap & RTE_EVENT_DEV_CAP_MAINTENANCE_FREE);
	e->qos = info.event_dev_cap & RTE_EVENT_DEV_CAP_EVENT_QOS;
	/* A port per worker; queue 1 and its port only for ports with fewer
	 * tx queues than workers. */
	e->has_tx_port = m->funnel != 0;
	e->nb_ports = m->nr_workers + e->has_tx_port;
	e->nb_queues = 1 + e->has_tx_port;
	e->tx_port = m->nr_workers;
	e->flows = info.max_event_queue_flows;
	caps = (struct dpk_evdev_caps){
		.max_num_events = info.max_num_events,
		.max_ports = info.max_event_ports,
		.max_deq_depth = info.max_event_port_dequeue_depth,
		.max_enq_depth = info.max_event_port_enqueue_depth,
		.min_timeout_ns = info.min_dequeue_timeout_ns,
		.burst = info.event_dev_cap & RTE_EVENT_DEV_CAP_BURST_MODE,
		.credit_quanta = dpk_devargs_credit_quanta(m->cfg->eventdev_args),
	};
	ret = dpk_plan_evdev(&caps, e->nb_ports, &m->ev_plan, err, sizeof(err));
	if (ret)
		fprintf(stderr, "dpkitd: eventdev: %s: %s\n", e->name, err);
	return ret;
}

int dpk_evdev_setup(struct dpk_main *m, int service_lcore)
{
	const struct dpk_evdev_plan *plan = &m->ev_plan;
	struct rte_event_dev_config dc = { 0 };
	struct dpk_evdev *e = &m->ev;
	struct rte_event_queue_conf qc;
	struct rte_event_port_conf pc;
	uint8_t q0 = 0, q1 = 1;
	unsigned int i, j, nr = m->nr_workers;
	int ret;

	/* The plan, after the mbuf pools had their say on the threshold. */
	e->max_num_events = plan->limit;
	e->new_threshold = plan->new_threshold;
	e->reserve = plan->reserve;
	e->deq_depth = plan->deq_depth;
	e->enq_depth = plan->enq_depth;

	dc.nb_event_queues = e->nb_queues;
	dc.nb_event_ports = e->nb_ports;
	dc.nb_single_link_event_port_queues = e->has_tx_port;
	dc.nb_events_limit = e->max_num_events;
	dc.nb_event_queue_flows = e->flows;
	dc.nb_event_port_dequeue_depth = e->deq_depth;
	dc.nb_event_port_enqueue_depth = e->enq_depth;
	dc.dequeue_timeout_ns = plan->dequeue_timeout_ns;
	ret = rte_event_dev_configure(e->dev, &dc);
	if (ret)
		return evdev_fail("rte_event_dev_configure", ret);
	m->ev_configured = true;

	rte_event_queue_default_conf_get(e->dev, 0, &qc);
	qc.event_queue_cfg = 0;
	qc.schedule_type = RTE_SCHED_TYPE_ATOMIC;
	qc.nb_atomic_flows = e->flows;
	qc.nb_atomic_order_sequences = 0;
	qc.priority = RTE_EVENT_DEV_PRIORITY_NORMAL;
	ret = rte_event_queue_setup(e->dev, 0, &qc);
	if (ret)
		return evdev_fail("queue 0 (atomic)", ret);
	if (e->has_tx_port) {
		qc.event_queue_cfg = RTE_EVENT_QUEUE_CFG_SINGLE_LINK;
		ret = rte_event_queue_setup(e->dev, 1, &qc);
		if (ret)
			return evdev_fail("queue 1 (single-link)", ret);
	}

	/* Ports 0 .. nr - 1: the workers'; nr: tx (single-link), if any. */
	for (i = 0; i < e->nb_ports; i++) {
		rte_event_port_default_conf_get(e->dev, i, &pc);
		pc.new_event_threshold = e->new_threshold;
		pc.dequeue_depth = e->deq_depth;
		pc.enqueue_depth = e->enq_depth;
		pc.event_port_cfg = i == nr ? RTE_EVENT_PORT_CFG_SINGLE_LINK : 0;
		ret = rte_event_port_setup(e->dev, i, &pc);
		if (ret)
			return evdev_fail(i == nr ? "tx port" : "worker port", ret);
		ret = rte_event_port_link(e->dev, i, i == nr ? &q1 : &q0, NULL, 1);
		if (dpk_fail_at("evdev-link", -1))
			ret = 0;
		if (ret != 1)
			return evdev_fail("port link", -rte_errno);
	}
	for (i = 0; i < nr; i++) {
		struct dpk_worker *w = &m->workers[i];

		w->ev = e;
		w->ev_port = i;
		w->tx = e->has_tx_port && i == 0;
		w->funnel = m->funnel;
		w->stop_rx = &m->stop_rx;
		for (j = 0; j < m->nr_ports; j++)
			w->prio[j] = e->qos ? prio_of(m->cfg->ports[j].priority) :
					      RTE_EVENT_DEV_PRIORITY_NORMAL;
	}
	ret = rte_event_dev_stop_flush_callback_register(e->dev, stop_flush, m);
	if (ret)
		return evdev_fail("stop flush callback", ret);
	ret = service_setup(m, service_lcore);
	if (ret)
		return ret;
	ret = rte_event_dev_start(e->dev);
	if (ret)
		return evdev_fail("start", ret);
	m->use_evdev = true;
	fprintf(stderr, "dpkitd: eventdev: %s, %u events, %u ports, %u queue%s, "
		"depth %u/%u, new-event threshold %u (%u held back by ports)%s%s\n",
		e->name, e->max_num_events, e->nb_ports, e->nb_queues,
		e->nb_queues == 1 ? "" : "s", e->deq_depth, e->enq_depth,
		e->new_threshold, e->reserve, e->qos ? ", priorities" : "",
		e->maintain ? ", maintained" : "");
	return 0;
}

/*
 * Stop the scheduler service: its runstate only tells the service lcore
 * (rte_service_lcore_stop only flips the lcore's), which may be in the
 * middle of a scheduling run; wait until it is out before the device
 * stops, and until the lcore left its loop.
 */
static void service_stop(struct dpk_main *m)
{
	struct dpk_service *s = &m->service;
	unsigned int ms;

	rte_service_runstate_set(s->id, 0);
	for (ms = 0; rte_service_may_be_active(s->id) == 1 && ms < 1000; ms++)
		usleep(1000);
	if (rte_service_may_be_active(s->id) == 1)
		fprintf(stderr, "dpkitd: eventdev: the scheduler service still "
			"runs after 1 s\n");
	if (s->lcore < 0)
		return;		/* inline: worker 0 has returned */
	rte_service_lcore_stop(s->lcore);
	for (ms = 0; rte_service_lcore_may_be_active(s->lcore) == 1 && ms < 1000;
	     ms++)
		usleep(1000);
	rte_service_map_lcore_set(s->id, s->lcore, 0);
}

/*
 * Stop the device after the workers have returned (they quiesced their
 * ports), or after a set-up that failed half-way: the service first, then
 * the device, whose stop flush frees what is still queued, then close it.
 */
void dpk_evdev_stop(struct dpk_main *m)
{
	if (m->use_service) {
		service_stop(m);
#ifdef DPK_DEBUG
		/* The scheduler must not run while the device stops. */
		if (rte_service_may_be_active(m->service.id) == 1)
			rte_panic("dpkitd: eventdev: stopping it while its "
				  "scheduler service may still be running\n");
#endif
		m->use_service = false;
	}
	if (m->use_evdev) {
		rte_event_dev_stop(m->ev.dev);
		m->use_evdev = false;
	}
	if (m->ev_configured) {
		rte_event_dev_close(m->ev.dev);
		m->ev_configured = false;
		fprintf(stderr, "dpkitd: eventdev: closed\n");
	}
}
