/* SPDX-License-Identifier: BSD-3-Clause */
/* Topology loading and lcore placement on synthetic hwloc topologies. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <hwloc.h>

#include "libdpkit.h"

/* 2 packages (one NUMA node each) x 2 cores x 2 threads: CPUs 0-7, siblings 0/1, 2/3, ... */
#define TWO_NODES "synthetic:pack:2 numa:1 core:2 pu:2"

static void load(struct dpkit_topo *t, const char *desc)
{
	assert_int_equal(dpkit_topo_load(t, desc), 0);
}

static int place(const char *desc, const char *isolated, unsigned int workers,
		 int nic_numa, int service, struct dpkit_placement *p)
{
	struct dpkit_place_req req = { .nr_workers = workers,
				       .nic_numa = nic_numa,
				       .service = service };
	uint64_t words[1];
	struct dpkit_topo t;
	int ret;

	assert_true(dpkit_cpulist_parse(isolated, words, 64) > 0);
	req.isolated = words;
	req.nr_bits = 64;
	load(&t, desc);
	ret = dpkit_place(&t, &req, p);
	dpkit_topo_free(&t);
	return ret;
}

static void topology_counts(void **state)
{
	const struct dpkit_cpu_info *c;
	struct dpkit_topo t;

	(void)state;
	load(&t, TWO_NODES);
	assert_int_equal(t.nr_cpus, 8);
	assert_int_equal(t.nr_cores, 4);
	assert_int_equal(t.nr_packages, 2);
	assert_int_equal(t.nr_numa, 2);
	c = dpkit_topo_cpu(&t, 5);
	assert_non_null(c);
	assert_int_equal(c->core, 2);
	assert_int_equal(c->package, 1);
	assert_int_equal(c->numa, 1);
	assert_int_equal(c->thread, 1);
	assert_null(dpkit_topo_cpu(&t, 8));
	dpkit_topo_free(&t);
	assert_int_equal(dpkit_topo_load(&t, "synthetic:nonsense"), -EINVAL);
}

/* A topology from an hwloc XML file, as `lstopo file.xml` writes them. */
static void xml_topology(void **state)
{
	char path[] = "/tmp/dpkit-topo-XXXXXX.xml";
	struct dpkit_placement p;
	struct dpkit_place_req req = { .nr_workers = 2, .nic_numa = 1 };
	hwloc_topology_t h;
	struct dpkit_topo t;
	uint64_t iso[1] = { 0xfc };	/* CPUs 2-7 */
	int fd;

	(void)state;
	fd = mkstemps(path, 4);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(hwloc_topology_init(&h), 0);
	assert_int_equal(hwloc_topology_set_synthetic(h, "pack:2 numa:1 core:2 pu:2"), 0);
	assert_int_equal(hwloc_topology_load(h), 0);
	assert_int_equal(hwloc_topology_export_xml(h, path, 0), 0);
	hwloc_topology_destroy(h);

	assert_int_equal(dpkit_topo_load(&t, path), 0);
	assert_int_equal(t.nr_cpus, 8);
	assert_int_equal(t.nr_numa, 2);
	req.isolated = iso;
	req.nr_bits = 64;
	assert_int_equal(dpkit_place(&t, &req, &p), 0);
	assert_int_equal(p.workers[0], 4);	/* NUMA 1 first */
	assert_int_equal(p.workers[1], 6);
	dpkit_topo_free(&t);
	unlink(path);
	assert_int_equal(dpkit_topo_load(&t, "/nonexistent.xml"), -EINVAL);
}

static void caches(void **state)
{
	struct dpkit_topo t;

	(void)state;
	load(&t, "synthetic:pack:2 l3:1(size=8mb) core:2 l2:1(size=1mb) "
		 "l1d:1(size=32kb) pu:2");
	assert_int_equal(t.nr_caches, 3);
	assert_int_equal(t.caches[0].level, 1);
	assert_int_equal(t.caches[0].count, 4);
	assert_int_equal(t.caches[0].size, 32000);	/* hwloc: kb is 1000 */
	assert_int_equal(t.caches[0].shared_by, 2);	/* SMT siblings */
	assert_int_equal(t.caches[2].level, 3);
	assert_int_equal(t.caches[2].count, 2);
	assert_int_equal(t.caches[2].size, 8000000);
	assert_int_equal(t.caches[2].shared_by, 4);
	dpkit_topo_free(&t);
}

static void this_machine_loads(void **state)
{
	struct dpkit_topo t;

	(void)state;
	load(&t, NULL);
	assert_true(t.nr_cpus >= 1);
	assert_true(t.nr_cores >= 1 && t.nr_cores <= t.nr_cpus);
	dpkit_topo_free(&t);
}

static void workers_one_per_core_first(void **state)
{
	struct dpkit_placement p;

	(void)state;
	/* Isolated 2-7: cores 1, 2, 3 first, siblings only after. */
	assert_int_equal(place(TWO_NODES, "2-7", 4, -1, 0, &p), 0);
	assert_int_equal(p.workers[0], 2);
	assert_int_equal(p.workers[1], 4);
	assert_int_equal(p.workers[2], 6);
	assert_int_equal(p.workers[3], 3);
	assert_int_equal(p.main_cpu, 0);
	assert_int_equal(p.service_cpu, -1);
	assert_non_null(strstr(p.why, "SMT sibling of another worker"));
}

static void workers_prefer_the_nic_node(void **state)
{
	struct dpkit_placement p;

	(void)state;
	/* NIC on node 1 (CPUs 4-7): its cores first, then its siblings. */
	assert_int_equal(place(TWO_NODES, "2-7", 3, 1, 0, &p), 0);
	assert_int_equal(p.workers[0], 4);
	assert_int_equal(p.workers[1], 6);
	assert_int_equal(p.workers[2], 5);
	assert_non_null(strstr(p.why, "NIC-local"));
}

/* The main lcore too prefers the NIC's node (it sets up the NIC's queues
 * and pools), on a core no worker uses. */
static void main_prefers_the_nic_node(void **state)
{
	struct dpkit_placement p;

	(void)state;
	assert_int_equal(place(TWO_NODES, "6-7", 1, 1, 0, &p), 0);
	assert_int_equal(p.workers[0], 6);
	assert_int_equal(p.main_cpu, 4);
	assert_non_null(strstr(p.why, "main lcore: CPU 4 (housekeeping, core 2, NIC-local)"));
	/* Without a housekeeping CPU there: the first one, away from workers. */
	assert_int_equal(place(TWO_NODES, "4-7", 1, 1, 0, &p), 0);
	assert_int_equal(p.main_cpu, 0);
}

static void service_dedicated_or_inline(void **state)
{
	struct dpkit_placement p;

	(void)state;
	/* A spare isolated core: the service gets it. */
	assert_int_equal(place(TWO_NODES, "2-7", 2, -1, 1, &p), 0);
	assert_int_equal(p.service_cpu, 6);
	assert_non_null(strstr(p.why, "dedicated"));
	/* No spare: inline on worker 0. */
	assert_int_equal(place(TWO_NODES, "2,4", 2, -1, 1, &p), 0);
	assert_int_equal(p.service_cpu, -1);
	assert_non_null(strstr(p.why, "inline on worker 0"));
}

static void main_avoids_worker_siblings(void **state)
{
	struct dpkit_placement p;

	(void)state;
	/* Worker on CPU 1 (core 0): main avoids CPU 0, its sibling. */
	assert_int_equal(place(TWO_NODES, "1", 1, -1, 0, &p), 0);
	assert_int_equal(p.workers[0], 1);
	assert_int_equal(p.main_cpu, 2);
	/* Only siblings left for housekeeping: said so. */
	assert_int_equal(place("synthetic:core:1 pu:2", "1", 1, -1, 0, &p), 0);
	assert_int_equal(p.main_cpu, 0);
	assert_non_null(strstr(p.why, "shares one as an SMT sibling"));
}

static void two_cpu_machine(void **state)
{
	struct dpkit_placement p;

	(void)state;
	/* The build machines: 2 CPUs, no SMT. */
	assert_int_equal(place("synthetic:core:2 pu:1", "1", 1, -1, 1, &p), 0);
	assert_int_equal(p.main_cpu, 0);
	assert_int_equal(p.workers[0], 1);
	assert_int_equal(p.service_cpu, -1);
}

static void refusals(void **state)
{
	struct dpkit_placement p;

	(void)state;
	assert_int_equal(place(TWO_NODES, "6-7", 3, -1, 0, &p), -ENOSPC);
	assert_non_null(strstr(dpkit_errmsg(), "3 workers need 3 isolated CPUs, there are 2"));
	assert_int_equal(place(TWO_NODES, "0-7", 2, -1, 0, &p), -EINVAL);
	assert_non_null(strstr(dpkit_errmsg(), "housekeeping"));
	assert_int_equal(place(TWO_NODES, "2", 0, -1, 0, &p), -EINVAL);
	/* Isolated CPUs the machine does not have do not count. */
	assert_int_equal(place(TWO_NODES, "9-12", 1, -1, 0, &p), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(topology_counts),
		cmocka_unit_test(this_machine_loads),
		cmocka_unit_test(xml_topology),
		cmocka_unit_test(main_prefers_the_nic_node),
		cmocka_unit_test(caches),
		cmocka_unit_test(workers_one_per_core_first),
		cmocka_unit_test(workers_prefer_the_nic_node),
		cmocka_unit_test(service_dedicated_or_inline),
		cmocka_unit_test(main_avoids_worker_siblings),
		cmocka_unit_test(two_cpu_machine),
		cmocka_unit_test(refusals),
	};

	return cmocka_run_group_tests_name("place", tests, NULL, NULL);
}
