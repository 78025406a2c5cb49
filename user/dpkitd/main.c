/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpkitd: the dpkit dataplane daemon.
 *
 * --check-config resolves and checks the configuration and placement and
 * prints the plan without touching the system. Without it, dpkitd runs
 * stage one (stage1.c: binds, isolation, the memfd, exec), which execs
 * stage two (dataplane.c: the EAL, the pipeline; privileges dropped once
 * it is up, privs.c).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "config.h"
#include "dpkitd.h"
#include "libdpkit.h"

#define DEFAULT_CONFIG	"/etc/dpkit/dpkitd.conf"
#define MAX_SETS	64

static void usage(FILE *f)
{
	fprintf(f, "Usage: dpkitd [-c FILE] [--set KEY=VALUE]... [--check-config]\n"
		"\n"
		"  -c, --config FILE    the configuration (default %s)\n"
		"  -s, --set K=V        override a key: workers=2, "
		"port.p0.device=net_ring0, ...\n"
		"      --check-config   validate, resolve the placement, print the plan;\n"
		"                       change nothing\n"
		"  -h, --help           this help\n"
		"\nThe configuration is described in Documentation/dpkitd.rst.\n",
		DEFAULT_CONFIG);
}

static char *read_file(const char *path, char *err, size_t size)
{
	char *buf;
	long n;
	FILE *f;

	f = fopen(path, "r");
	if (!f) {
		snprintf(err, size, "%s: %s", path, strerror(errno));
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = n >= 0 && n < DPK_CONFIG_MAX ? calloc(1, n + 1) : NULL;
	if (!buf || fread(buf, 1, n, f) != (size_t)n) {
		snprintf(err, size, "%s: cannot read it (or over 1 MiB)", path);
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* The NUMA node of the first PCI port, -1 when none or unknown. */
static int ports_numa(const struct dpk_config *cfg)
{
	char path[192];
	unsigned int i;
	int node = -1;
	FILE *f;

	for (i = 0; i < cfg->nr_ports; i++) {
		if (!cfg->ports[i].is_pci)
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/numa_node",
			 cfg->ports[i].device);
		f = fopen(path, "r");
		if (f) {
			if (fscanf(f, "%d", &node) != 1)
				node = -1;
			fclose(f);
		}
		break;
	}
	return node;
}

/*
 * Where the lcores go: the listed worker CPUs, or a count placed on the
 * CPUs dpkit.ko isolates. Either way dpkit_place() chooses the main lcore.
 */
static int resolve_placement(const struct dpk_config *cfg,
			     struct dpkit_placement *p, char *err, size_t size)
{
	static uint64_t isolated[DPK_CPU_BITS / 64];
	struct dpkit_place_req req = {
		.nr_workers = cfg->nr_workers / cfg->lcores_per_cpu,
	};
	unsigned int nr_bits, i;
	struct dpkit_topo topo;
	size_t len;
	struct dpkit *dk;
	uint64_t *words;
	int ret;

	if (cfg->workers_listed) {
		memcpy(isolated, cfg->worker_cpus, sizeof(isolated));
	} else if (cfg->isolate) {
		/* Stage one isolates them; the plan needs no module. */
		memcpy(isolated, cfg->isolate_cpus, sizeof(isolated));
	} else {
		if (dpkit_open(NULL, &dk) < 0) {
			snprintf(err, size, "workers = %u needs CPUs isolated by "
				 "dpkit.ko (%s); or say which to isolate: isolate = "
				 "LIST; or list them: worker-cpus = LIST",
				 cfg->nr_workers, dpkit_errmsg());
			return -ENOENT;
		}
		ret = dpkit_isolate_get(dk, DPKIT_MASK_ISOLATED, &words, &nr_bits,
					NULL, NULL);
		dpkit_close(dk);
		if (ret < 0) {
			snprintf(err, size, "%s", dpkit_errmsg());
			return ret;
		}
		memset(isolated, 0, sizeof(isolated));
		for (i = 0; i < nr_bits && i < DPK_CPU_BITS; i++)
			isolated[i / 64] |= words[i / 64] & (1ULL << (i % 64));
		free(words);
	}
	req.isolated = isolated;
	req.nr_bits = DPK_CPU_BITS;
	req.nic_numa = ports_numa(cfg);
	req.service = cfg->eventdev == DPK_EVDEV_SW &&
		      cfg->service_cpu == DPK_SERVICE_PLACED;
	if (dpkit_topo_load(&topo, getenv("DPKITD_TOPOLOGY")) < 0) {
		snprintf(err, size, "%s", dpkit_errmsg());
		return -EIO;
	}
	ret = dpkit_place(&topo, &req, p);
	if (ret < 0) {
		snprintf(err, size, "placement: %s", dpkit_errmsg());
		goto out;
	}
	if (cfg->lcores_per_cpu > 1) {
		/* Test mode: the placed CPUs again, each for that many lcores. */
		for (i = p->nr_workers; i < cfg->nr_workers; i++)
			p->workers[i] = p->workers[i % p->nr_workers];
		p->nr_workers = cfg->nr_workers;
		len = strlen(p->why);
		snprintf(p->why + len, sizeof(p->why) - len, "TEST MODE: %u worker "
			 "lcores share each worker CPU (lcores-per-cpu = %u): never "
			 "in production\n", cfg->lcores_per_cpu, cfg->lcores_per_cpu);
	}
	if (cfg->main_lcore >= 0) {
		if (!dpkit_topo_cpu(&topo, cfg->main_lcore)) {
			snprintf(err, size, "main-lcore: CPU %d does not exist",
				 cfg->main_lcore);
			ret = -EINVAL;
			goto out;
		}
		p->main_cpu = cfg->main_lcore;
	}
	/* service-cpu: the user's choice, or stage one's plan. */
	if (cfg->eventdev == DPK_EVDEV_SW &&
	    cfg->service_cpu != DPK_SERVICE_PLACED) {
		if (cfg->service_cpu >= 0 &&
		    (!dpkit_topo_cpu(&topo, cfg->service_cpu) ||
		     (cfg->service_cpu == p->main_cpu &&
		      cfg->lcores_per_cpu == 1))) {
			snprintf(err, size, "service-cpu: CPU %d %s",
				 cfg->service_cpu, cfg->service_cpu == p->main_cpu ?
				 "is the main lcore's" : "does not exist");
			ret = -EINVAL;
			goto out;
		}
		p->service_cpu = cfg->service_cpu;
		len = strlen(p->why);
		if (cfg->service_cpu == DPK_SERVICE_INLINE)
			snprintf(p->why + len, sizeof(p->why) - len,
				 "service: inline on worker 0 (service-cpu)\n");
		else
			snprintf(p->why + len, sizeof(p->why) - len,
				 "service: CPU %d, dedicated (service-cpu)\n",
				 cfg->service_cpu);
	}
out:
	dpkit_topo_free(&topo);
	return ret;
}

/*
 * eventdev = auto becomes dlb2 (with the DLB2's address) when the machine
 * has one, else dsw; and the stage must be one this binary has.
 */
static int resolve_pipeline(struct dpk_config *cfg, char *err, size_t size)
{
	const char *sysfs = getenv("DPKITD_SYSFS");
	char bdf[16], names[256], args[DPK_DEVICE_LEN];

	if (!dpk_stage_find(cfg->stage)) {
		dpk_stage_names(names, sizeof(names));
		snprintf(err, size, "stage: no stage '%s' in this dpkitd (it has "
			 "%s)", cfg->stage, names);
		return -ENOENT;
	}
	if (cfg->eventdev != DPK_EVDEV_AUTO)
		return 0;
	if (dpk_find_dlb2(sysfs ? sysfs : "/sys", bdf, sizeof(bdf)) == 0) {
		if (snprintf(args, sizeof(args), "%s%s%s", bdf,
			     cfg->eventdev_args[0] ? "," : "",
			     cfg->eventdev_args) >= (int)sizeof(args)) {
			snprintf(err, size, "eventdev-args: too long with the "
				 "DLB2's address %s before it", bdf);
			return -EINVAL;
		}
		strcpy(cfg->eventdev_args, args);
		cfg->eventdev = DPK_EVDEV_DLB2;
	} else {
		cfg->eventdev = DPK_EVDEV_DSW;
	}
	return 0;
}

/* The EAL arguments the plan means (dataplane.c builds them). */
static void print_eal(const struct dpk_config *cfg,
		      const struct dpkit_placement *p)
{
	char *argv[DPK_MAX_EAL_ARGS], buf[2048];
	int argc, i;

	argc = dpk_eal_args(cfg, p, argv, buf, sizeof(buf));
	printf("eal arguments:\n ");
	for (i = 1; i < argc; i++)
		printf(" %s", argv[i]);
	printf("\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "set", required_argument, NULL, 's' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL, *sets[MAX_SETS];
	unsigned int nr_sets = 0, i;
	struct dpkit_placement p;
	struct dpk_config cfg;
	struct dpk_ids ids;
	int opt, check = 0, ret;
	char err[512], *text;
	bool stage2;

	while ((opt = getopt_long(argc, argv, "c:s:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			path = optarg;
			break;
		case 's':
			if (nr_sets == MAX_SETS) {
				fprintf(stderr, "dpkitd: more than %d --set\n", MAX_SETS);
				return 2;
			}
			sets[nr_sets++] = optarg;
			break;
		case 'C':
			check = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}

	dpk_config_defaults(&cfg);
	/* Stage two: the resolved configuration comes from stage one's memfd. */
	stage2 = getenv("DPKITD_CONFIG_FD") != NULL;
	if (stage2) {
		dpk_crash_point("s2-start", -1);	/* just over the exec */
		path = "stage one's memfd";
		nr_sets = 0;
	} else if (!path && access(DEFAULT_CONFIG, F_OK) == 0) {
		/* -c FILE must exist; the default file is read if there is one. */
		path = DEFAULT_CONFIG;
	}
	if (path) {
		text = stage2 ? dpk_stage2_config(err, sizeof(err)) :
				read_file(path, err, sizeof(err));
		if (!text) {
			fprintf(stderr, "dpkitd: %s\n", err);
			return 1;
		}
		if (dpk_config_parse(&cfg, path, text, err, sizeof(err)) < 0) {
			fprintf(stderr, "dpkitd: %s\n", err);
			free(text);
			return 1;
		}
		free(text);
	}
	for (i = 0; i < nr_sets; i++) {
		if (dpk_config_set(&cfg, sets[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "dpkitd: %s\n", err);
			return 1;
		}
	}
	if (resolve_pipeline(&cfg, err, sizeof(err)) < 0 ||
	    dpk_config_check(&cfg, err, sizeof(err)) < 0 ||
	    resolve_placement(&cfg, &p, err, sizeof(err)) < 0 ||
	    dpk_privs_resolve(&cfg, &ids, err, sizeof(err)) < 0) {
		fprintf(stderr, "dpkitd: %s\n", err);
		return 1;
	}
	if (check) {
		printf("configuration (%s, then %u override%s):\n\n", path ? path :
		       "defaults", nr_sets, nr_sets == 1 ? "" : "s");
		dpk_config_print(&cfg, stdout);
		printf("\nplacement:\n%s\n", p.why);
		dpk_idle_explain(&cfg, stdout);
		printf("\n");
		print_eal(&cfg, &p);
		printf("\nonce started: no capabilities, no-new-privs, ");
		if (ids.switch_user)
			printf("uid %u gid %u (user = %s)\n", ids.uid, ids.gid,
			       cfg.user);
		else
			printf("uid 0 (no user =)\n");
		return 0;
	}
	/* Refused now rather than once the NICs are bound. */
	if (dpk_privs_check(&ids, err, sizeof(err)) < 0) {
		fprintf(stderr, "dpkitd: %s\n", err);
		return 1;
	}
	if (!stage2)
		return dpk_stage1(&cfg, &p, argv);
	/* exec of /proc/self/exe named us "exe": be dpkitd in ps and pgrep. */
	prctl(PR_SET_NAME, "dpkitd");
	fprintf(stderr, "dpkitd: stage two: the configuration from stage one's "
		"sealed memfd%s\n", getenv("DPKITD_LEASE_FD") ? ", the lease" : "");
	dpk_crash_point("s2-config", -1);
	ret = dpk_run(&cfg, &p, &ids);
	dpk_knobs_put_back();	/* if dpk_run() did not get that far */
	return ret;
}
