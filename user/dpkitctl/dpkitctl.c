/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpkitctl: the dpkit admin tool.
 *
 *   dpkitctl [--json] [--device PATH] COMMAND [ARGS]
 *   dpkitctl [--json] [--device PATH] OBJECT COMMAND [ARGS]
 *
 * Exit status: 0 success, 1 the operation failed, 2 bad usage.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "dpkitctl.h"
#include "libdpkit.h"

static int cmd_status(struct ctl *ctl, int argc, char **argv);

static const struct cmd cmds[] = {
	{ NULL, "status", cmd_status, "status",
	  "whether dpkit.ko is loaded, its ABI and features" },
	{ NULL, "topology", cmd_topology,
	  "topology [--workers N] [--isolated CPULIST] [--nic BDF] [--service] [--source XML|synthetic:DESC]",
	  "CPUs by core and NUMA node, and where dpkitd's lcores would go" },
	{ NULL, "stats", cmd_stats, "stats [-i SECONDS] [--watch]",
	  "dpkitd's ports, workers and eventdev as tables; -i: rates over an "
	  "interval; --watch: again every interval" },
	{ NULL, "metrics", cmd_metrics,
	  "metrics [--listen [ADDR:]PORT] [--format openmetrics|prometheus]",
	  "dpkitd's counters, link states and isolation health as OpenMetrics "
	  "text; --listen: serve them over HTTP (loopback unless ADDR says)" },
	{ "nic", "list", cmd_nic_list, "nic list",
	  "PCI NICs and DLB eventdevs: driver, IOMMU group, netdev" },
	{ "nic", "bind", cmd_nic_bind,
	  "nic bind BDF [DRIVER] [--force] [--persist]",
	  "move a NIC to DRIVER (default vfio-pci); --persist records it" },
	{ "nic", "restore", cmd_nic_restore, "nic restore BDF",
	  "give a NIC back to the driver it had before dpkit (and forget --persist)" },
	{ "nic", "apply", cmd_nic_apply, "nic apply",
	  "bind every NIC of " DPKIT_OVERRIDES_FILE " again (after a reboot)" },
	{ "isolate", "set", cmd_isolate_set, "isolate set CPULIST [--partition]",
	  "steer IRQs off these CPUs and keep them off; default IRQ "
	  "affinity and workqueues to the others; --partition: also a cgroup "
	  "v2 isolated cpuset partition /sys/fs/cgroup/dpkit" },
	{ "isolate", "show", cmd_isolate_show, "isolate show",
	  "the isolated CPUs and the IRQs left on them, and why" },
	{ "isolate", "clear", cmd_isolate_clear, "isolate clear",
	  "end the isolation, restoring every IRQ's affinity and knob" },
	{ "isolate", "verify", cmd_isolate_verify, "isolate verify [SECONDS]",
	  "sample interrupts on the isolated CPUs (default 5 s), name each" },
	{ "link", "show", cmd_link_show, "link show",
	  "the link table, read from the shared page" },
	{ "link", "dump", cmd_link_dump, "link dump [kernel|dpdk]",
	  "the link table, through generic netlink" },
	{ "link", "watch", cmd_link_watch,
	  "link watch [--count N] [--timeout SECONDS]",
	  "print link changes as they happen, until interrupted" },
};

#define NR_CMDS (sizeof(cmds) / sizeof(cmds[0]))

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: dpkitctl [--json] [--device PATH] COMMAND [ARGS]\n\n"
		"Commands:\n");
	for (i = 0; i < NR_CMDS; i++)
		fprintf(f, "  %-42s %s\n", cmds[i].usage, cmds[i].help);
	fprintf(f, "\nOptions:\n"
		"  -j, --json           machine-readable output\n"
		"  -d, --device PATH    the dpkit device (default %s)\n"
		"  -h, --help           this help; COMMAND --help for one command\n"
		"\nExit status: 0 success, 1 failure, 2 bad usage.\n",
		DPKIT_DEV_PATH);
}

const struct cmd *cmd_self(const char *object, const char *name)
{
	const struct cmd *c;
	size_t i;

	for (i = 0; i < NR_CMDS; i++) {
		c = &cmds[i];
		if (!strcmp(c->name, name) &&
		    (object ? c->object && !strcmp(c->object, object) : !c->object))
			return c;
	}
	return NULL;
}

bool cmd_help_requested(const struct cmd *c, int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("Usage: dpkitctl %s\n  %s\n", c->usage, c->help);
			return true;
		}
	}
	return false;
}

int cmd_usage(const struct cmd *c)
{
	fprintf(stderr, "Usage: dpkitctl %s\n", c->usage);
	return EXIT_USAGE;
}

int cmd_start(const struct cmd *c, int argc, char **argv, int min, int max)
{
	if (cmd_help_requested(c, argc, argv))
		return 0;
	if (argc - 1 < min || argc - 1 > max)
		return cmd_usage(c);
	return -1;
}

struct dpkit *ctl_open(const struct ctl *ctl)
{
	struct dpkit *dk;

	if (dpkit_open(ctl->device, &dk) < 0) {
		fprintf(stderr, "dpkitctl: %s\n", dpkit_errmsg());
		return NULL;
	}
	return dk;
}

static void print_features(const struct ctl *ctl, unsigned int features)
{
	const char *name, *sep = "";
	unsigned int bit;

	for (bit = 0; (name = dpkit_feature_name(bit)); bit++) {
		if (!(features & (1U << bit)))
			continue;
		printf(ctl->json ? "%s\"%s\"" : "%s%s", sep, name);
		sep = ctl->json ? ", " : " ";
	}
	if (!*sep && !ctl->json)
		printf("none");
}

static int cmd_status(struct ctl *ctl, int argc, char **argv)
{
	const char *path = ctl->device ? ctl->device : DPKIT_DEV_PATH;
	struct dpkit_version ver;
	struct dpkit *dk;

	int ret = cmd_start(cmd_self(NULL, "status"), argc, argv, 0, 0);

	if (ret >= 0)
		return ret;

	if (dpkit_open(ctl->device, &dk) < 0) {
		if (ctl->json) {
			printf("{\"loaded\": false, \"device\": ");
			dpkit_json_string(stdout, path);
			printf(", \"error\": ");
			dpkit_json_string(stdout, dpkit_errmsg());
			printf("}\n");
		}
		fprintf(stderr, "dpkitctl: %s\n", dpkit_errmsg());
		return EXIT_FAILURE;
	}
	dpkit_version(dk, &ver);
	dpkit_close(dk);

	if (ctl->json) {
		printf("{\"loaded\": true, \"device\": ");
		dpkit_json_string(stdout, path);
		printf(", \"release\": ");
		dpkit_json_string(stdout, ver.release);
		printf(", \"abi\": %u, \"features\": [", ver.abi_version);
		print_features(ctl, ver.features);
		printf("], \"map_size\": %u, \"slots\": %u}\n", ver.map_size,
		       ver.nr_slots);
		return 0;
	}
	printf("module     dpkit %s, abi %u\n", ver.release, ver.abi_version);
	printf("device     %s\n", path);
	printf("features   ");
	print_features(ctl, ver.features);
	printf("\nlink page  %u bytes, %u slots\n", ver.map_size, ver.nr_slots);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "device", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl ctl = { 0 };
	const struct cmd *c;
	int opt;

	/* Options stop at the command: "dpkitctl link show --help" is its own. */
	while ((opt = getopt_long(argc, argv, "+jd:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			ctl.json = true;
			break;
		case 'd':
			ctl.device = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[0], "help")) {
		usage(stdout);
		return 0;
	}
	c = cmd_self(NULL, argv[0]);
	if (c)
		return c->fn(&ctl, argc, argv);
	/* OBJECT [COMMAND]: "link" alone means "link show", "nic" "nic list". */
	c = cmd_self(argv[0], argc > 1 && argv[1][0] != '-' ? argv[1] :
		     strcmp(argv[0], "nic") ? "show" : "list");
	if (c) {
		if (argc > 1 && argv[1][0] != '-') {
			argc--;
			argv++;
		}
		return c->fn(&ctl, argc, argv);
	}
	fprintf(stderr, "dpkitctl: unknown command '%s%s%s' (try dpkitctl "
		"--help)\n", argv[0], argc > 1 ? " " : "", argc > 1 ? argv[1] : "");
	return EXIT_USAGE;
}
