/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The one way dpkitd starts a thread that is not an EAL lcore (DESIGN.md,
 * thread model): the thread registers with the EAL before it runs its
 * function (so it may use DPDK's lock-free structures and mempools, with
 * an lcore id of its own) and unregisters after. `make check` fails if a
 * second thread-creating call appears under user/. Such a thread inherits
 * the creator's CPU affinity and blocked signals: start it from the main
 * lcore (a housekeeping CPU, SIGTERM and SIGINT blocked).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_lcore.h>

#include "dpkitd.h"

struct spawn {
	void (*fn)(void *arg);
	void *arg;
	char name[16];
};

static void *spawn_main(void *p)
{
	struct spawn s = *(struct spawn *)p;

	free(p);
	pthread_setname_np(pthread_self(), s.name);
	if (rte_thread_register() < 0) {
		fprintf(stderr, "dpkitd: thread %s: the EAL would not register "
			"it: %s\n", s.name, rte_strerror(rte_errno));
		return NULL;
	}
	s.fn(s.arg);
	rte_thread_unregister();
	return NULL;
}

int dpk_spawn(pthread_t *thread, const char *name, void (*fn)(void *arg),
	      void *arg)
{
	struct spawn *s = malloc(sizeof(*s));
	int ret;

	if (!s)
		return -ENOMEM;
	s->fn = fn;
	s->arg = arg;
	snprintf(s->name, sizeof(s->name), "%s", name);
	ret = pthread_create(thread, NULL, spawn_main, s);
	if (ret) {
		free(s);
		fprintf(stderr, "dpkitd: thread %s: %s\n", name, strerror(ret));
		return -ret;
	}
	return 0;
}
