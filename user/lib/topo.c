/* SPDX-License-Identifier: BSD-3-Clause */
/* The machine's CPU topology through hwloc: packages, NUMA nodes, cores, PUs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <hwloc.h>

#include "libdpkit.h"
#include "priv.h"

static int cmp_cpu(const void *a, const void *b)
{
	const struct dpkit_cpu_info *x = a, *y = b;

	return x->cpu - y->cpu;
}

/* The NUMA node of @obj: the first memory child of its nearest ancestor with one. */
static int numa_of(hwloc_obj_t obj)
{
	while (obj && !obj->memory_arity)
		obj = obj->parent;
	return obj && obj->memory_first_child ?
	       (int)obj->memory_first_child->os_index : -1;
}

int dpkit_topo_load(struct dpkit_topo *t, const char *source)
{
	hwloc_obj_t pu, core, pkg;
	hwloc_topology_t topo;
	unsigned int i;
	int ret;

	memset(t, 0, sizeof(*t));
	if (hwloc_topology_init(&topo))
		return dpkit_fail(ENOMEM, "hwloc: cannot initialise a topology");
	if (source && !strncmp(source, "synthetic:", 10))
		ret = hwloc_topology_set_synthetic(topo, source + 10);
	else if (source)
		ret = hwloc_topology_set_xml(topo, source);
	else
		ret = 0;
	if (ret || hwloc_topology_load(topo)) {
		hwloc_topology_destroy(topo);
		return dpkit_fail(EINVAL, "hwloc: cannot load the topology%s%s",
				  source ? " from " : "", source ? source : "");
	}
	t->nr_cpus = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
	t->nr_cores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
	t->nr_packages = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PACKAGE);
	t->nr_numa = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE);
	t->cpus = calloc(t->nr_cpus ? t->nr_cpus : 1, sizeof(*t->cpus));
	if (!t->cpus) {
		hwloc_topology_destroy(topo);
		return dpkit_fail(ENOMEM, "out of memory");
	}
	for (i = 0, pu = hwloc_get_next_obj_by_type(topo, HWLOC_OBJ_PU, NULL);
	     pu && i < t->nr_cpus; pu = pu->next_cousin, i++) {
		core = hwloc_get_ancestor_obj_by_type(topo, HWLOC_OBJ_CORE, pu);
		pkg = hwloc_get_ancestor_obj_by_type(topo, HWLOC_OBJ_PACKAGE, pu);
		t->cpus[i].cpu = pu->os_index;
		/* A PU without a core (some VMs) is a core of its own. */
		t->cpus[i].core = core ? (int)core->logical_index :
					 (int)(t->nr_cores + pu->logical_index);
		t->cpus[i].package = pkg ? (int)pkg->logical_index : 0;
		t->cpus[i].numa = numa_of(pu);
		t->cpus[i].thread = core ? (int)pu->sibling_rank : 0;
	}
	for (i = 0; i < 3; i++) {
		static const hwloc_obj_type_t types[] = {
			HWLOC_OBJ_L1CACHE, HWLOC_OBJ_L2CACHE, HWLOC_OBJ_L3CACHE,
		};
		hwloc_obj_t c = hwloc_get_next_obj_by_type(topo, types[i], NULL);

		if (!c)
			continue;
		t->caches[t->nr_caches++] = (struct dpkit_cache_info){
			.level = i + 1,
			.count = hwloc_get_nbobjs_by_type(topo, types[i]),
			.size = c->attr ? c->attr->cache.size : 0,
			.shared_by = hwloc_bitmap_weight(c->cpuset),
		};
	}
	hwloc_topology_destroy(topo);
	qsort(t->cpus, t->nr_cpus, sizeof(*t->cpus), cmp_cpu);
	if (!t->nr_cores)
		t->nr_cores = t->nr_cpus;
	if (!t->nr_packages)
		t->nr_packages = 1;
	return 0;
}

void dpkit_topo_free(struct dpkit_topo *t)
{
	free(t->cpus);
	memset(t, 0, sizeof(*t));
}

const struct dpkit_cpu_info *dpkit_topo_cpu(const struct dpkit_topo *t, int cpu)
{
	unsigned int i;

	for (i = 0; i < t->nr_cpus; i++)
		if (t->cpus[i].cpu == cpu)
			return &t->cpus[i];
	return NULL;
}
