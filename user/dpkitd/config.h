/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpkitd's configuration: a file of "key = value" lines with [port NAME]
 * sections (Documentation/dpkitd.rst), then --set overrides, validated into
 * one struct dpk_config. Parsing touches nothing but the file.
 */
#ifndef DPK_CONFIG_H
#define DPK_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define DPK_MAX_PORTS		16
#define DPK_NAME_LEN		16
#define DPK_DEVICE_LEN		128
#define DPK_CPU_BITS		1024
#define DPK_USER_LEN		32
#define DPK_SERVICE_PLACED	-2	/* service-cpu unset: the placement's */
#define DPK_SERVICE_INLINE	-1

enum dpk_eventdev {
	DPK_EVDEV_AUTO,		/* DLB2 if present, else dsw */
	DPK_EVDEV_DLB2,
	DPK_EVDEV_DSW,
	DPK_EVDEV_SW,
	DPK_EVDEV_NONE,		/* poll mode: rx -> stage -> tx on one worker */
};

#define DPK_RSS_KEY_MAX		64	/* bytes */
#define DPK_RETA_MAX		64	/* entries given, repeated over the RETA */

/*
 * What a worker does when its rx queues are idle (Documentation/dpkitd.rst,
 * "Idle"), from the most eager to the most frugal.
 */
enum dpk_rx_mode {
	DPK_RX_POLL,		/* never parks: spins on its queues (the default) */
	DPK_RX_ADAPTIVE,	/* parks after idle-passes empty passes */
	DPK_RX_INTERRUPT,	/* parks after every empty pass */
};

#define DPK_IDLE_PASSES		256	/* idle-passes' default */

enum dpk_rss_key {
	DPK_RSS_KEY_SYMMETRIC,		/* 0x6d5a repeated (flow.h) */
	DPK_RSS_KEY_DEVICE,		/* the PMD's own */
	DPK_RSS_KEY_GIVEN,		/* rss_key[] */
};

struct dpk_port_config {
	char name[DPK_NAME_LEN];
	char device[DPK_DEVICE_LEN];	/* PCI BDF or a vdev ("net_ring0") */
	bool is_pci;
	unsigned int queues;
	unsigned int rx_desc, tx_desc;
	char forward[DPK_NAME_LEN];	/* the port its packets go to */
	unsigned int priority;		/* 0 (highest) .. 3: its events' level */
	enum dpk_rss_key rss_key_kind;
	unsigned int rss_key_len;
	uint8_t rss_key[DPK_RSS_KEY_MAX];
	unsigned int nr_reta;		/* 0: the PMD's RETA */
	uint8_t reta[DPK_RETA_MAX];	/* rx queues, repeated over the RETA */
	int forward_idx;		/* resolved */
	enum dpk_rx_mode rx_mode;	/* the port's, else the global one */
	bool rx_mode_set;		/* given in its section */
};

struct dpk_config {
	/* Workers: a count placed by dpkit (isolated CPUs), or a CPU list. */
	unsigned int nr_workers;
	bool workers_listed;
	uint64_t worker_cpus[DPK_CPU_BITS / 64];
	/* Test mode only (lcores-per-cpu > 1): that many worker lcores share
	 * each CPU of worker-cpus. Never in production placement. */
	unsigned int lcores_per_cpu;
	int main_lcore;			/* -1: from the placement */
	int service_cpu;		/* DPK_SERVICE_*, or a CPU */
	/* isolate = LIST: CPUs dpkitd isolates through its lease (stage one)
	 * and places its workers and service on. */
	bool isolate;
	uint64_t isolate_cpus[DPK_CPU_BITS / 64];
	enum dpk_eventdev eventdev;
	char eventdev_args[DPK_DEVICE_LEN];	/* dlb2: "BDF[,devargs]" */
	char stage[DPK_NAME_LEN];	/* a registered stage (dpkitd_stage.h) */
	unsigned int mbufs, mbuf_cache;
	bool hugepages;
	unsigned int memory_mb;		/* with hugepages = no */
	char log_level[16];
	/* user = NAME, group = NAME: who dpkitd runs as once started
	 * (Documentation/dpkitd.rst, "Privileges"); "" stays uid 0. */
	char user[DPK_USER_LEN], group[DPK_USER_LEN];
	enum dpk_rx_mode rx_mode;	/* every port's unless it says */
	unsigned int idle_passes;	/* rx-mode adaptive: empty passes */
	unsigned int nr_ports;
	struct dpk_port_config ports[DPK_MAX_PORTS];
};

void dpk_config_defaults(struct dpk_config *cfg);

/*
 * Parse a file (@path names it in messages) held in @text; then
 * dpk_config_set() for each override; then dpk_config_check(). Each returns
 * 0 or -errno with one message in @err naming the place, the key and the
 * problem.
 */
int dpk_config_parse(struct dpk_config *cfg, const char *path,
		     const char *text, char *err, size_t size);
int dpk_config_set(struct dpk_config *cfg, const char *assignment, char *err,
		   size_t size);
int dpk_config_check(struct dpk_config *cfg, char *err, size_t size);

/* The resolved configuration, as a config file would say it. */
void dpk_config_print(const struct dpk_config *cfg, FILE *f);

const char *dpk_eventdev_name(enum dpk_eventdev e);
const char *dpk_rx_mode_name(enum dpk_rx_mode m);

/*
 * eventdev = auto: the first DLB2 (Intel 8086:2710 or 8086:2714, PFs) under
 * @sysfs ("/sys", or a test tree), its BDF in @bdf; 0 if found, -ENOENT if
 * not. Reads only.
 */
int dpk_find_dlb2(const char *sysfs, char *bdf, size_t size);

#endif /* DPK_CONFIG_H */
