/* SPDX-License-Identifier: BSD-3-Clause */
/* dpkitd's plan: queues, eventdev and mbufs from the devices' limits (plan.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"

#define MIN(a, b)	((a) < (b) ? (a) : (b))
#define MAX(a, b)	((a) > (b) ? (a) : (b))

unsigned int dpk_devargs_credit_quanta(const char *devargs)
{
	static const char *const keys[] = { "sw_credit_quanta=", "credit_quanta=" };
	const char *s;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		for (s = strstr(devargs, keys[i]); s; s = strstr(s + 1, keys[i]))
			if (s == devargs || s[-1] == ',')
				return strtoul(s + strlen(keys[i]), NULL, 10);
	}
	return 0;
}

int dpk_plan_evdev(const struct dpk_evdev_caps *c, unsigned int nb_ports,
		   struct dpk_evdev_plan *p, char *err, size_t size)
{
	memset(p, 0, sizeof(*p));
	p->nb_ports = nb_ports;
	if (c->max_ports && nb_ports > c->max_ports) {
		snprintf(err, size, "%u event ports wanted, the device has %u: "
			 "run fewer workers", nb_ports, c->max_ports);
		return -ENOSPC;
	}
	/* A closed system's own limit; an open one has none. */
	p->limit = c->max_num_events > 0 ? (unsigned int)c->max_num_events :
					   DPK_EVENTS_OPEN;
	p->port_cache = MAX(DPK_PORT_CREDIT_CACHE, 2 * c->credit_quanta);
	p->reserve = nb_ports * p->port_cache;
	if (p->limit < 2 * p->reserve) {
		snprintf(err, size, "%u event ports may hold back %u credits each "
			 "(%u): the device's %u events leave too few for NEW "
			 "events; run fewer workers", nb_ports, p->port_cache,
			 p->reserve, p->limit);
		return -ENOSPC;
	}
	p->new_threshold = p->limit - p->reserve;
	/* The device's depths (a DLB2's come from its devargs: max_cq_depth,
	 * max_enqueue_depth); the workers' bursts stay DPK_BURST. */
	p->deq_depth = c->burst ? c->max_deq_depth : 1;
	p->enq_depth = c->burst ? c->max_enq_depth : 1;
	/* No dequeue timeout: a DLB2 waits with power monitoring
	 * (rte_power_monitor) when it has one, and workers never wait. */
	p->dequeue_timeout_ns = 0;
	return 0;
}

unsigned int dpk_plan_pool(const struct dpk_mbuf_plan *p, int socket)
{
	unsigned int i;

	for (i = 0; i < p->nr_pools; i++)
		if (p->socket[i] == socket)
			return i;
	return 0;
}

static unsigned int round_pow2_minus1(unsigned int n)
{
	unsigned int v = 1023;

	while (v < n)
		v = v * 2 + 1;
	return v;
}

int dpk_plan_mbufs(const struct dpk_port_plan *ports, unsigned int nr_ports,
		   unsigned int nr_workers, unsigned int nr_lcores,
		   unsigned int cache, unsigned int mbufs,
		   struct dpk_evdev_plan *ev, struct dpk_mbuf_plan *p,
		   char *err, size_t size)
{
	unsigned int i, k, fixed, most = 0, extra = 0, events;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < nr_ports; i++) {
		k = dpk_plan_pool(p, ports[i].socket);
		if (!p->nr_pools || p->socket[k] != ports[i].socket) {
			if (p->nr_pools == DPK_MAX_POOLS) {
				snprintf(err, size, "ports on more than %d NUMA "
					 "nodes", DPK_MAX_POOLS);
				return -ENOSPC;
			}
			k = p->nr_pools++;
			p->socket[k] = ports[i].socket;
		}
		p->rx_desc[k] += ports[i].rxq * ports[i].rx_desc;
		p->tx_desc += ports[i].txq * ports[i].tx_desc;
	}
	/* rx, held and stage bursts (eventdev); one burst (poll mode) */
	p->in_hand = nr_workers * DPK_PLAN_BURST * (ev ? 3 : 1);
	p->caches = nr_lcores * cache * 3 / 2;
	for (k = 0; k < p->nr_pools; k++)
		most = MAX(most, p->rx_desc[k]);
	fixed = most + p->tx_desc + p->in_hand + p->caches;
	if (ev) {
		/* past the threshold by at most a burst per port */
		extra = ev->nb_ports * DPK_PLAN_BURST;
		events = mbufs ? (mbufs > fixed + extra ? mbufs - fixed - extra : 0) :
				 MAX(ev->reserve, DPK_EVENTS_DEFAULT);
		ev->new_threshold = MIN(ev->new_threshold, events);
		p->events = ev->new_threshold + extra;
	}
	if (mbufs && (mbufs < fixed + p->events ||
		      (ev && ev->new_threshold < ev->reserve))) {
		snprintf(err, size, "mbufs = %u is too few: rx descriptors %u + "
			 "tx descriptors %u + events %u + in the workers' hands "
			 "%u + lcore caches %u = %u", mbufs, most, p->tx_desc,
			 ev ? ev->reserve + extra : 0, p->in_hand, p->caches,
			 fixed + (ev ? ev->reserve + extra : 0));
		return -ENOSPC;
	}
	for (k = 0; k < p->nr_pools; k++)
		p->count[k] = mbufs ? mbufs :
			round_pow2_minus1(p->rx_desc[k] + p->tx_desc + p->events +
					  p->in_hand + p->caches);
	return 0;
}

static const char *const park_names[] = {
	[DPK_PARK_NONE] = "poll", [DPK_PARK_INTERRUPT] = "rx interrupts",
	[DPK_PARK_MONITOR] = "monitor", [DPK_PARK_PAUSE] = "pause",
	[DPK_PARK_SLEEP] = "sleep",
};

const char *dpk_park_name(enum dpk_park p)
{
	return p < sizeof(park_names) / sizeof(park_names[0]) ? park_names[p] : "?";
}

enum dpk_park dpk_plan_park(unsigned int nr, uint64_t intr, uint64_t monitor,
			    const struct dpk_park_cpu *cpu)
{
	uint64_t all = nr >= 64 ? ~0ULL : (1ULL << nr) - 1;
	uint64_t without = all & ~intr;

	if (!without)
		return DPK_PARK_INTERRUPT;
	if (cpu->monitor && !(without & ~monitor) &&
	    (__builtin_popcountll(all & monitor) == 1 || cpu->monitor_multi))
		return DPK_PARK_MONITOR;
	return cpu->pause ? DPK_PARK_PAUSE : DPK_PARK_SLEEP;
}

unsigned int dpk_plan_idle_cap_us(unsigned int rx_desc, uint32_t mbps)
{
	uint64_t us;

	if (!mbps)
		return DPK_IDLE_CAP_MAX_US;
	us = (uint64_t)rx_desc * DPK_WIRE_BITS / mbps;
	return MAX(1, MIN(us, DPK_IDLE_CAP_MAX_US));
}

unsigned int dpk_plan_idle_step(unsigned int prev_us, unsigned int cap_us)
{
	return prev_us ? MIN(2 * prev_us, cap_us) : MIN(1U, cap_us);
}
