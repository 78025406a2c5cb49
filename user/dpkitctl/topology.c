/* SPDX-License-Identifier: BSD-3-Clause */
/* dpkitctl topology: hwloc's view of the CPUs and the placement dpkit would choose. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "dpkitctl.h"
#include "libdpkit.h"

#define NR_BITS 8192

/* The NUMA node of a PCI device, from sysfs; -1 when unknown. */
static int pci_numa(const char *bdf)
{
	char path[128];
	FILE *f;
	int node = -1;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/numa_node", bdf);
	f = fopen(path, "r");
	if (!f)
		return -2;
	if (fscanf(f, "%d", &node) != 1)
		node = -1;
	fclose(f);
	return node;
}

/* The module's isolated set, when it is loaded; 0 when none. */
static int module_isolated(struct ctl *ctl, uint64_t *words)
{
	unsigned int nr_bits, i, n = 0;
	uint64_t *m;
	struct dpkit *dk;

	if (dpkit_open(ctl->device, &dk) < 0)
		return 0;
	if (dpkit_isolate_get(dk, DPKIT_MASK_ISOLATED, &m, &nr_bits, NULL,
			      NULL) == 0) {
		for (i = 0; i < nr_bits && i < NR_BITS; i++)
			if (m[i / 64] >> (i % 64) & 1) {
				words[i / 64] |= 1ULL << (i % 64);
				n++;
			}
		free(m);
	}
	dpkit_close(dk);
	return n;
}

static void print_topology(const struct ctl *ctl, const struct dpkit_topo *t)
{
	unsigned int i, j;
	int core;

	if (ctl->json) {
		printf("\"packages\": %u, \"numa_nodes\": %u, \"cores\": %u, "
		       "\"cpus\": [", t->nr_packages, t->nr_numa, t->nr_cores);
		for (i = 0; i < t->nr_cpus; i++)
			printf("%s{\"cpu\": %d, \"core\": %d, \"package\": %d, "
			       "\"numa\": %d, \"thread\": %d}", i ? ", " : "",
			       t->cpus[i].cpu, t->cpus[i].core, t->cpus[i].package,
			       t->cpus[i].numa, t->cpus[i].thread);
		printf("], \"caches\": [");
		for (i = 0; i < t->nr_caches; i++)
			printf("%s{\"level\": %u, \"count\": %u, \"size\": %llu, "
			       "\"shared_by\": %u}", i ? ", " : "", t->caches[i].level,
			       t->caches[i].count, t->caches[i].size,
			       t->caches[i].shared_by);
		printf("]");
		return;
	}
	printf("%u package%s, %u NUMA node%s, %u cores, %u CPUs\n",
	       t->nr_packages, t->nr_packages == 1 ? "" : "s", t->nr_numa,
	       t->nr_numa == 1 ? "" : "s", t->nr_cores, t->nr_cpus);
	for (i = 0; i < t->nr_caches; i++)
		printf("  L%u cache  %u x %llu KiB, each shared by %u CPU%s\n",
		       t->caches[i].level, t->caches[i].count,
		       t->caches[i].size / 1024, t->caches[i].shared_by,
		       t->caches[i].shared_by == 1 ? "" : "s");
	for (i = 0; i < t->nr_cpus; i++) {
		core = t->cpus[i].core;
		if (t->cpus[i].thread)
			continue;
		printf("  core %-3d package %d, NUMA %d: CPU", core,
		       t->cpus[i].package, t->cpus[i].numa);
		for (j = 0; j < t->nr_cpus; j++)
			if (t->cpus[j].core == core)
				printf(" %d", t->cpus[j].cpu);
		printf("\n");
	}
}

int cmd_topology(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "workers", required_argument, NULL, 'w' },
		{ "isolated", required_argument, NULL, 'i' },
		{ "nic", required_argument, NULL, 'n' },
		{ "service", no_argument, NULL, 's' },
		{ "source", required_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd *c = cmd_self(NULL, "topology");
	struct dpkit_place_req req = { .nic_numa = -1 };
	static uint64_t words[NR_BITS / 64];
	const char *source = NULL, *isolated = NULL, *nic = NULL;
	struct dpkit_placement p;
	struct dpkit_topo t;
	int opt, nr_isolated = 0, ret = 0;
	char list[256];
	char *end;
	unsigned int i;

	if (cmd_help_requested(c, argc, argv))
		return 0;
	optind = 0;	/* reinitialise getopt: options may follow arguments */
	while ((opt = getopt_long(argc, argv, "w:i:n:sS:", opts, NULL)) != -1) {
		switch (opt) {
		case 'w':
			req.nr_workers = strtoul(optarg, &end, 10);
			if (*end || !req.nr_workers)
				return cmd_usage(c);
			break;
		case 'i':
			isolated = optarg;
			break;
		case 'n':
			nic = optarg;
			break;
		case 's':
			req.service = 1;
			break;
		case 'S':
			source = optarg;
			break;
		default:
			return cmd_usage(c);
		}
	}
	if (optind < argc)
		return cmd_usage(c);

	if (isolated) {
		nr_isolated = dpkit_cpulist_parse(isolated, words, NR_BITS);
		if (nr_isolated < 0) {
			fprintf(stderr, "dpkitctl: %s\n", dpkit_errmsg());
			return EXIT_USAGE;
		}
		for (nr_isolated = 0, i = 0; i < NR_BITS; i++)
			nr_isolated += words[i / 64] >> (i % 64) & 1;
	} else {
		nr_isolated = module_isolated(ctl, words);
	}
	if (nic) {
		req.nic_numa = pci_numa(nic);
		if (req.nic_numa == -2) {
			fprintf(stderr, "dpkitctl: %s: no such PCI device\n", nic);
			return EXIT_FAILURE;
		}
	}
	if (dpkit_topo_load(&t, source) < 0) {
		fprintf(stderr, "dpkitctl: %s\n", dpkit_errmsg());
		return EXIT_FAILURE;
	}

	if (ctl->json)
		printf("{");
	print_topology(ctl, &t);
	dpkit_cpulist_format(words, NR_BITS, list, sizeof(list));
	if (!nr_isolated) {
		if (ctl->json)
			printf(", \"placement\": null}\n");
		else
			printf("\nno isolated CPUs: no placement (dpkitctl isolate "
			       "set CPULIST, or --isolated CPULIST)\n");
		dpkit_topo_free(&t);
		return 0;
	}
	if (!req.nr_workers)
		req.nr_workers = nr_isolated > 1 && req.service ? nr_isolated - 1 :
								  nr_isolated;
	req.isolated = words;
	req.nr_bits = NR_BITS;
	if (dpkit_place(&t, &req, &p) < 0) {
		if (ctl->json)
			printf(", \"placement\": null}\n");
		fprintf(stderr, "dpkitctl: placement: %s\n", dpkit_errmsg());
		ret = EXIT_FAILURE;
	} else if (ctl->json) {
		printf(", \"placement\": {\"isolated\": \"%s\", \"main\": %d, "
		       "\"workers\": [", list, p.main_cpu);
		for (i = 0; i < p.nr_workers; i++)
			printf("%s%d", i ? ", " : "", p.workers[i]);
		printf("], \"service\": %d, \"why\": ", p.service_cpu);
		dpkit_json_string(stdout, p.why);
		printf("}}\n");
	} else {
		printf("\nplacement for %u worker%s on isolated CPUs %s%s:\n%s",
		       req.nr_workers, req.nr_workers == 1 ? "" : "s", list,
		       req.service ? " with a service core" : "", p.why);
	}
	dpkit_topo_free(&t);
	return ret;
}
