/* SPDX-License-Identifier: BSD-3-Clause */
/* dpkitctl internals: what every subcommand file shares. */
#ifndef DPKITCTL_H
#define DPKITCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

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

/* dpkitd's DPDK telemetry (telemetry.c). dpkitd runs the EAL with
 * --file-prefix dpkitd; $DPKIT_TELEMETRY names another socket. */
#define TELEMETRY_SOCKET "/var/run/dpdk/dpkitd/dpdk_telemetry.v2"

struct tel {
	int fd;
	char path[108];
};

/* Connect (and read the greeting); -1, having said why unless @quiet. */
int tel_open(struct tel *t, bool quiet);
void tel_close(struct tel *t);
/* A command's reply as it is, valid until the next query; NULL, said why. */
const char *tel_query(struct tel *t, const char *cmd);
/* The object a command answers ("/dpkit/ports": {...}), a new reference. */
json_t *tel_get(struct tel *t, const char *cmd);
/* An unsigned counter of @obj, 0 when missing or not one. */
uint64_t tel_u64(const json_t *obj, const char *key);

/* isolate.c: why an IRQ stays on an isolated CPU (DPKIT_IRQ_*). */
const char *irq_reason_name(unsigned int reason);

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
int cmd_metrics(struct ctl *ctl, int argc, char **argv);

#endif /* DPKITCTL_H */
