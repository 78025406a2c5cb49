/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a worker task may not do (seed 000, DESIGN.md): include this after
 * every DPDK header in a worker translation unit. A worker spins on rings
 * that must not be preempted; blocking, sleeping, signal handling, alarms,
 * pthread mutexes and RCU/pause waits have no place in it. Using one of
 * these names after this header is a compile error.
 */
#ifndef DPKITD_WORKER_RULES_H
#define DPKITD_WORKER_RULES_H

#pragma GCC poison sleep usleep nanosleep clock_nanosleep
#pragma GCC poison signal sigaction alarm setitimer
#pragma GCC poison pthread_mutex_lock pthread_mutex_trylock pthread_cond_wait
#pragma GCC poison rte_eal_alarm_set rte_delay_ms rte_delay_us_sleep
#pragma GCC poison rte_pause rte_wait_until_equal_16 rte_wait_until_equal_32
#pragma GCC poison rte_wait_until_equal_64 rte_rcu_qsbr_synchronize
#pragma GCC poison pthread_create fork system popen

#endif /* DPKITD_WORKER_RULES_H */
