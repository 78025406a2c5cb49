/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpkitctl: the dpkit admin tool.
 *
 *   dpkitctl [--json] [--device PATH] OBJECT COMMAND [ARGS]
 *
 * Exit status: 0 success, 1 the operation failed, 2 bad usage.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libdpkit.h"

#define EXIT_USAGE 2

struct ctl {
	bool json;
	const char *device;
};

struct cmd {
	const char *name;
	int (*fn)(struct ctl *ctl, int argc, char **argv);
	const char *usage;
	const char *help;
};

static int cmd_status(struct ctl *ctl, int argc, char **argv);
static int cmd_help(struct ctl *ctl, int argc, char **argv);

static const struct cmd cmds[] = {
	{ "status", cmd_status, "status",
	  "show whether dpkit.ko is loaded, its ABI and features" },
	{ "help", cmd_help, "help [COMMAND]", "show this help" },
};

#define NR_CMDS (sizeof(cmds) / sizeof(cmds[0]))

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: dpkitctl [--json] [--device PATH] COMMAND [ARGS]\n\n"
		"Commands:\n");
	for (i = 0; i < NR_CMDS; i++)
		fprintf(f, "  %-20s %s\n", cmds[i].usage, cmds[i].help);
	fprintf(f, "\nOptions:\n"
		"  -j, --json           machine-readable output\n"
		"  -d, --device PATH    the dpkit device (default %s)\n"
		"  -h, --help           this help; COMMAND --help for one command\n"
		"\nExit status: 0 success, 1 failure, 2 bad usage.\n",
		DPKIT_DEV_PATH);
}

static const struct cmd *find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < NR_CMDS; i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	return NULL;
}

static bool want_help(int argc, char **argv)
{
	return argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"));
}

static int cmd_help(struct ctl *ctl, int argc, char **argv)
{
	const struct cmd *c;

	(void)ctl;
	if (argc < 2) {
		usage(stdout);
		return 0;
	}
	c = find_cmd(argv[1]);
	if (!c) {
		fprintf(stderr, "dpkitctl: unknown command '%s'\n", argv[1]);
		return EXIT_USAGE;
	}
	printf("Usage: dpkitctl %s\n  %s\n", c->usage, c->help);
	return 0;
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
		printf("none yet");
}

static int cmd_status(struct ctl *ctl, int argc, char **argv)
{
	struct dpkit_version ver;
	struct dpkit *dk;
	const char *path = ctl->device ? ctl->device : DPKIT_DEV_PATH;

	if (want_help(argc, argv))
		return cmd_help(ctl, 2, (char *[]){ "help", "status" });
	if (argc > 1) {
		fprintf(stderr, "dpkitctl status: unexpected argument '%s'\n",
			argv[1]);
		return EXIT_USAGE;
	}

	if (dpkit_open(ctl->device, &dk) < 0) {
		if (ctl->json)
			printf("{\"loaded\": false, \"device\": \"%s\", "
			       "\"error\": \"%s\"}\n", path, dpkit_errmsg());
		fprintf(stderr, "dpkitctl: %s\n", dpkit_errmsg());
		return EXIT_FAILURE;
	}
	dpkit_version(dk, &ver);
	dpkit_close(dk);

	if (ctl->json) {
		printf("{\"loaded\": true, \"device\": \"%s\", \"release\": \"%s\", "
		       "\"abi\": %u, \"features\": [", path, ver.release,
		       ver.abi_version);
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

	/* Options stop at the command: "dpkitctl status --help" is its own. */
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
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	c = find_cmd(argv[optind]);
	if (!c) {
		fprintf(stderr, "dpkitctl: unknown command '%s' (try dpkitctl "
			"--help)\n", argv[optind]);
		return EXIT_USAGE;
	}
	return c->fn(&ctl, argc - optind, argv + optind);
}
