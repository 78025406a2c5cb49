/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Lcore placement (DESIGN.md, thread model): which CPU runs the main lcore,
 * each worker and the service core, and why.
 *
 *  - workers: isolated CPUs only, NIC-local NUMA node first, one per
 *    physical core before any SMT sibling, never two on one CPU;
 *  - service core (when wanted): a spare isolated CPU, preferably on a core
 *    no worker uses; with none, the service runs inline on a worker;
 *  - main lcore: a housekeeping CPU (not isolated) that is not an SMT
 *    sibling of a worker or the service core when there is such a CPU,
 *    on the NIC's NUMA node first.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "libdpkit.h"
#include "priv.h"

#define IS_SET(w, n, c) ((unsigned int)(c) < (n) && \
			 ((w)[(c) / 64] >> ((c) % 64) & 1))

static void say(struct dpkit_placement *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void say(struct dpkit_placement *p, const char *fmt, ...)
{
	size_t len = strlen(p->why);
	va_list ap;

	if (len >= sizeof(p->why) - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(p->why + len, sizeof(p->why) - len, fmt, ap);
	va_end(ap);
}

/* Whether a chosen CPU (a worker or the service) runs on core @core. */
static int core_busy(const struct dpkit_topo *t, const struct dpkit_placement *p,
		     int core)
{
	unsigned int i;

	for (i = 0; i < p->nr_workers; i++)
		if (dpkit_topo_cpu(t, p->workers[i])->core == core)
			return 1;
	return p->service_cpu >= 0 &&
	       dpkit_topo_cpu(t, p->service_cpu)->core == core;
}

static int chosen(const struct dpkit_placement *p, int cpu)
{
	unsigned int i;

	for (i = 0; i < p->nr_workers; i++)
		if (p->workers[i] == cpu)
			return 1;
	return p->service_cpu == cpu;
}

/*
 * The best remaining isolated CPU: local before remote, a free core before a
 * sibling, the lowest number last. -1 when none is left.
 */
static int pick_isolated(const struct dpkit_topo *t,
			 const struct dpkit_place_req *req,
			 const struct dpkit_placement *p)
{
	int pass, best = -1;
	unsigned int i;

	/* 0: local + free core, 1: local, 2: any + free core, 3: any. */
	for (pass = 0; pass < 4 && best < 0; pass++) {
		for (i = 0; i < t->nr_cpus && best < 0; i++) {
			const struct dpkit_cpu_info *c = &t->cpus[i];

			if (!IS_SET(req->isolated, req->nr_bits, c->cpu) ||
			    chosen(p, c->cpu))
				continue;
			if (pass < 2 && req->nic_numa >= 0 &&
			    c->numa != req->nic_numa)
				continue;
			if (!(pass & 1) && core_busy(t, p, c->core))
				continue;
			best = c->cpu;
		}
	}
	return best;
}

int dpkit_place(const struct dpkit_topo *t, const struct dpkit_place_req *req,
		struct dpkit_placement *p)
{
	const struct dpkit_cpu_info *c;
	unsigned int i, nr_isolated = 0;
	int cpu, pass;

	memset(p, 0, sizeof(*p));
	p->main_cpu = -1;
	p->service_cpu = -1;
	if (!req->nr_workers || req->nr_workers > DPKIT_MAX_WORKERS)
		return dpkit_fail(EINVAL, "%u workers: between 1 and %u",
				  req->nr_workers, DPKIT_MAX_WORKERS);
	for (i = 0; i < t->nr_cpus; i++)
		nr_isolated += IS_SET(req->isolated, req->nr_bits, t->cpus[i].cpu);
	if (nr_isolated < req->nr_workers)
		return dpkit_fail(ENOSPC, "%u workers need %u isolated CPUs, "
				  "there are %u: isolate more CPUs or run fewer "
				  "workers", req->nr_workers, req->nr_workers,
				  nr_isolated);
	if (nr_isolated == t->nr_cpus)
		return dpkit_fail(EINVAL, "every CPU is isolated: the main lcore "
				  "needs a housekeeping CPU");

	for (i = 0; i < req->nr_workers; i++) {
		cpu = pick_isolated(t, req, p);
		c = dpkit_topo_cpu(t, cpu);
		p->workers[p->nr_workers++] = cpu;
		say(p, "worker %u: CPU %d (core %d, NUMA %d%s%s)\n", i, cpu,
		    c->core, c->numa,
		    req->nic_numa >= 0 && c->numa == req->nic_numa ?
		    ", NIC-local" : "",
		    c->thread ? ", SMT sibling of another worker" : "");
	}

	if (req->service) {
		cpu = pick_isolated(t, req, p);
		if (cpu >= 0) {
			c = dpkit_topo_cpu(t, cpu);
			say(p, "service: CPU %d, dedicated (core %d%s)\n", cpu,
			    c->core, core_busy(t, p, c->core) ?
			    ", shared with a worker as its SMT sibling" : "");
			p->service_cpu = cpu;
		} else {
			say(p, "service: inline on worker 0 (CPU %d): no spare "
			    "isolated CPU\n", p->workers[0]);
		}
	}

	/* The main lcore: housekeeping, away from the spinning cores, on the
	 * NIC's node (it sets up the NIC's queues and pools) if possible. */
	for (pass = 0; pass < 3 && p->main_cpu < 0; pass++) {
		for (i = 0; i < t->nr_cpus && p->main_cpu < 0; i++) {
			c = &t->cpus[i];
			if (IS_SET(req->isolated, req->nr_bits, c->cpu))
				continue;
			if (pass == 0 && (req->nic_numa < 0 ||
					  c->numa != req->nic_numa))
				continue;
			if (pass < 2 && core_busy(t, p, c->core))
				continue;
			p->main_cpu = c->cpu;
		}
	}
	c = dpkit_topo_cpu(t, p->main_cpu);
	say(p, "main lcore: CPU %d (housekeeping, core %d%s%s)\n", p->main_cpu,
	    c->core, req->nic_numa >= 0 && c->numa == req->nic_numa ?
	    ", NIC-local" : "", core_busy(t, p, c->core) ?
	    "; no housekeeping CPU outside the workers' cores: it shares one as "
	    "an SMT sibling" : "");
	return 0;
}
