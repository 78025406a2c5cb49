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
		   unsigned int mbufs, struct dpk_evdev_plan *p, char *err,
		   size_t size)
{
	memset(p, 0, sizeof(*p));
	p->nb_ports = nb_ports;
	if (c->max_ports && nb_ports > c->max_ports) {
		snprintf(err, size, "%u event ports wanted, the device has %u: "
			 "run fewer workers", nb_ports, c->max_ports);
		return -ENOSPC;
	}
	/* No more events than packets: a closed system's own limit, or the
	 * mbufs. */
	p->limit = c->max_num_events > 0 ?
		   MIN((unsigned int)c->max_num_events, mbufs) : mbufs;
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
	p->deq_depth = c->burst ? MIN(c->max_deq_depth, 32U) : 1;
	p->enq_depth = c->burst ? MIN(c->max_enq_depth, 32U) : 1;
	p->dequeue_timeout_ns = c->min_timeout_ns;
	return 0;
}
