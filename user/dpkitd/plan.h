/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpkitd's plan (Documentation/dpkitd.rst, "Planning"): from what the
 * devices say they have, how many queues each port gets, how the eventdev
 * is sized and how many mbufs that needs. Pure: no DPDK calls, so every
 * rule is unit-tested (tests/unit/test_plan.c) with made-up devices,
 * DLB2-like ones included.
 */
#ifndef DPKITD_PLAN_H
#define DPKITD_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The credits one event port may hold back from the device-wide pool (the
 * eventdev API does not say): event_dsw keeps up to 128 (two loans of 64),
 * event_sw and DLB2 up to twice their credit quanta less one (32 by
 * default, the "credit_quanta" and "sw_credit_quanta" devargs).
 */
#define DPK_PORT_CREDIT_CACHE	128

/* What an eventdev says about itself (rte_event_dev_info). */
struct dpk_evdev_caps {
	int32_t max_num_events;		/* < 0: no limit (an open system) */
	unsigned int max_ports;
	unsigned int max_deq_depth, max_enq_depth;
	unsigned int min_timeout_ns;
	bool burst;			/* RTE_EVENT_DEV_CAP_BURST_MODE */
	unsigned int credit_quanta;	/* from its devargs; 0: the default */
};

/* Events in flight when mbufs are sized from the plan: enough to keep
 * every worker busy, few enough to keep the queues short. */
#define DPK_EVENTS_DEFAULT	4096
#define DPK_EVENTS_OPEN		(1U << 20)	/* an open system's limit */
#define DPK_PLAN_BURST		32		/* DPK_BURST */

struct dpk_evdev_plan {
	unsigned int nb_ports;
	unsigned int limit;		/* nb_events_limit */
	unsigned int port_cache;	/* credits one port may hold back */
	unsigned int reserve;		/* what all ports may hold back */
	unsigned int new_threshold;	/* every port's, against the device */
	unsigned int deq_depth, enq_depth;
	uint32_t dequeue_timeout_ns;
};

/*
 * Size the eventdev for @nb_ports ports. Every PMD compares a port's
 * new_event_threshold with the device-wide count of events in flight plus
 * the credits the ports hold, so the threshold is at most the limit less
 * what all ports may hold; and it must be at least that much, or NEW
 * events could be refused with nothing in flight. -ENOSPC with a message
 * naming the numbers when the device is too small. dpk_plan_mbufs() may
 * lower the threshold to what the mbufs leave.
 */
int dpk_plan_evdev(const struct dpk_evdev_caps *c, unsigned int nb_ports,
		   struct dpk_evdev_plan *p, char *err, size_t size);

/* A port as planned: its queues, descriptors and NUMA node. */
struct dpk_port_plan {
	unsigned int rxq, txq, rx_desc, tx_desc;
	int socket;
};

#define DPK_MAX_POOLS	8

/* The mbuf pools: one per NUMA node with ports, and what each holds. */
struct dpk_mbuf_plan {
	unsigned int nr_pools;
	int socket[DPK_MAX_POOLS];
	unsigned int count[DPK_MAX_POOLS];
	unsigned int rx_desc[DPK_MAX_POOLS];	/* its ports' rx rings */
	unsigned int tx_desc;		/* every tx ring (any pool's mbufs) */
	unsigned int events;		/* in the eventdev */
	unsigned int in_hand;		/* bursts the workers hold */
	unsigned int caches;		/* the lcores' mempool caches */
};

/*
 * The mbufs the plan needs, per pool: its ports' rx rings, every tx ring,
 * the events in flight (@ev, NULL in poll mode: at most its threshold plus
 * a burst per port), the workers' bursts and the lcores' caches (up to 1.5
 * times @cache each, @nr_lcores of them). @mbufs 0: that many, rounded up
 * to 2^n - 1, with DPK_EVENTS_DEFAULT events at most; else @mbufs per
 * pool, the threshold lowered to what they leave, or -ENOSPC naming the
 * numbers when they cannot cover the plan.
 */
int dpk_plan_mbufs(const struct dpk_port_plan *ports, unsigned int nr_ports,
		   unsigned int nr_workers, unsigned int nr_lcores,
		   unsigned int cache, unsigned int mbufs,
		   struct dpk_evdev_plan *ev, struct dpk_mbuf_plan *p,
		   char *err, size_t size);

/* The pool of @socket's ports (0 when it has none). */
unsigned int dpk_plan_pool(const struct dpk_mbuf_plan *p, int socket);

/* "credit_quanta=N" or "sw_credit_quanta=N" in devargs, else 0. */
unsigned int dpk_devargs_credit_quanta(const char *devargs);

/*
 * Idle (Documentation/dpkitd.rst, "Idle"): how a worker whose queues are
 * idle parks, from what its queues and the CPU have.
 */
enum dpk_park {
	DPK_PARK_NONE,		/* rx-mode poll: never parks */
	DPK_PARK_INTERRUPT,	/* epoll on rx interrupts and its wake-up eventfd */
	DPK_PARK_MONITOR,	/* rte_power_monitor on the rx rings, up to the cap */
	DPK_PARK_PAUSE,		/* rte_power_pause (TPAUSE), a growing step */
	DPK_PARK_SLEEP,		/* nanosleep, a growing step up to the cap */
};

/* What the CPU has for parking without interrupts (WAITPKG, RTM). */
struct dpk_park_cpu {
	bool monitor, monitor_multi, pause;
};

/*
 * How a worker with @nr rx queues parks: @intr has a bit per queue with rx
 * interrupts, @monitor per queue whose PMD gives a monitor address. Every
 * queue with interrupts: epoll. Else power monitoring when the queues
 * without interrupts all have a monitor address (one, or several with
 * monitor_multi), else a pause, else sleep. No queue at all: epoll (its
 * eventfd is its only work).
 */
enum dpk_park dpk_plan_park(unsigned int nr, uint64_t intr, uint64_t monitor,
			    const struct dpk_park_cpu *cpu);
const char *dpk_park_name(enum dpk_park p);

/* A minimum frame on the wire, in bits: 64 bytes, 8 of preamble, 12 of gap. */
#define DPK_WIRE_BITS		672
#define DPK_IDLE_CAP_MAX_US	1000	/* the cap when the speed is unknown */

/*
 * The longest a worker may park without interrupts: the time @rx_desc
 * descriptors take to fill with minimum-size frames at @mbps (a link speed
 * in Mb/s, that is bits per microsecond), at least 1 us, at most
 * DPK_IDLE_CAP_MAX_US (also when the speed is 0: unknown).
 */
unsigned int dpk_plan_idle_cap_us(unsigned int rx_desc, uint32_t mbps);

/* The sleep ladder's next step after @prev_us (0: the first): 1 us, then
 * doubling, up to @cap_us. */
unsigned int dpk_plan_idle_step(unsigned int prev_us, unsigned int cap_us);

#endif /* DPKITD_PLAN_H */
