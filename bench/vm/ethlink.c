/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ethlink: ns per rte_eth_link_get_nowait() on DPDK port 0, started with
 * one rx and one tx queue (bench/vm/run.sh, in a VM, next to linkbench's
 * page and rtnetlink figures; Documentation/benchmarks.rst):
 *
 *   ethlink EAL-ARGS... -- N
 *
 * prints "bench: read_eth_link_get_nowait_ns MEDIAN (MIN-MAX, N reads)",
 * the median of 5 rounds of N reads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	struct rte_eth_conf conf = { 0 };
	struct rte_eth_link link;
	struct rte_mempool *mp;
	double v[5];
	uint64_t t0, up = 0;
	long n, i;
	int ret, r;

	ret = rte_eal_init(argc, argv);
	if (ret < 0 || argc - ret != 2) {
		fprintf(stderr, "ethlink: rte_eal_init failed or no N\n");
		return 1;
	}
	n = strtol(argv[ret + 1], NULL, 0);
	if (rte_eth_dev_count_avail() < 1) {
		fprintf(stderr, "ethlink: no DPDK port\n");
		return 1;
	}
	mp = rte_pktmbuf_pool_create("ethlink", 4095, 256, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE, rte_socket_id());
	if (!mp || rte_eth_dev_configure(0, 1, 1, &conf) ||
	    rte_eth_rx_queue_setup(0, 0, 512, rte_eth_dev_socket_id(0), NULL, mp) ||
	    rte_eth_tx_queue_setup(0, 0, 512, rte_eth_dev_socket_id(0), NULL) ||
	    rte_eth_dev_start(0)) {
		fprintf(stderr, "ethlink: port 0 set-up failed\n");
		return 1;
	}
	for (r = 0; r < 5; r++) {
		t0 = now_ns();
		for (i = 0; i < n; i++) {
			rte_eth_link_get_nowait(0, &link);
			up += link.link_status;
		}
		v[r] = (double)(now_ns() - t0) / n;
	}
	qsort(v, 5, sizeof(v[0]), cmp_double);
	printf("bench: read_eth_link_get_nowait_ns %.0f (%.0f-%.0f, %ld reads, "
	       "link %s)\n", v[2], v[0], v[4], n, up ? "up" : "down");
	rte_eth_dev_stop(0);
	rte_eth_dev_close(0);
	rte_eal_cleanup();
	return 0;
}
