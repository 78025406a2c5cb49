/* SPDX-License-Identifier: BSD-3-Clause */
/* dpkitctl internals: what every subcommand file shares. */
#ifndef DPKITCTL_H
#define DPKITCTL_H

#include <stdbool.h>
#include <stdio.h>

#define EXIT_USAGE 2

struct ctl {
	bool json;
	const char *device;
};

/* A command: "status", or an object's command such as "link show". */
struct cmd {
	const char *object;		/* NULL for a top-level command */
	const char *name;
	int (*fn)(struct ctl *ctl, int argc, char **argv);
	const char *usage;
	const char *help;
};

/* True when argv asks for the command's own help (and prints it). */
bool cmd_help_requested(const struct cmd *c, int argc, char **argv);
const struct cmd *cmd_self(const char *object, const char *name);

/*
 * The start of a command taking @min to @max arguments: -1 to go on, or the
 * exit status to return now (0 after --help, EXIT_USAGE after its usage).
 */
int cmd_start(const struct cmd *c, int argc, char **argv, int min, int max);

/* Print the command's usage on stderr; returns EXIT_USAGE. */
int cmd_usage(const struct cmd *c);

/* Open the device, or say why not on stderr and return NULL. */
struct dpkit;
struct dpkit *ctl_open(const struct ctl *ctl);

/* A JSON string literal for @s, escaped. */
void json_string(FILE *f, const char *s);

/* The commands, by file. */
int cmd_link_show(struct ctl *ctl, int argc, char **argv);
int cmd_link_watch(struct ctl *ctl, int argc, char **argv);
int cmd_link_dump(struct ctl *ctl, int argc, char **argv);
int cmd_nic_list(struct ctl *ctl, int argc, char **argv);
int cmd_nic_bind(struct ctl *ctl, int argc, char **argv);
int cmd_nic_restore(struct ctl *ctl, int argc, char **argv);
int cmd_nic_apply(struct ctl *ctl, int argc, char **argv);
int cmd_isolate_set(struct ctl *ctl, int argc, char **argv);
int cmd_isolate_show(struct ctl *ctl, int argc, char **argv);
int cmd_isolate_clear(struct ctl *ctl, int argc, char **argv);
int cmd_isolate_verify(struct ctl *ctl, int argc, char **argv);
int cmd_topology(struct ctl *ctl, int argc, char **argv);
int cmd_stats(struct ctl *ctl, int argc, char **argv);

#endif /* DPKITCTL_H */
