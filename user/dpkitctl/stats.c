/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpkitctl stats: dpkitd's DPDK telemetry (/dpkit/ports, /dpkit/workers,
 * /dpkit/eventdev) as tables, like `ip -s link`; with -i SECONDS, rates
 * over that interval; --watch, again every interval. --json prints the
 * telemetry as it is.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dpkitctl.h"

static const char *const cmds[] = { "/dpkit/ports", "/dpkit/workers",
				    "/dpkit/eventdev" };
#define NR_CMDS (sizeof(cmds) / sizeof(cmds[0]))

struct sample {
	json_t *obj[NR_CMDS];
	double t;			/* CLOCK_MONOTONIC seconds */
};

/*
 * A column: a telemetry key (NULL: every drop_* key summed); with an
 * interval, a counter's rate follows it in a column of its own.
 */
struct col {
	const char *head;
	const char *key;
	const char *rate_head;		/* NULL: not a counter to rate */
	int width;
};

static const struct col port_cols[] = {
	{ "RX-PACKETS", "rx_packets", "RX-PPS", 12 },
	{ "TX-PACKETS", "tx_packets", "TX-PPS", 12 },
	{ "RX-MISSED", "rx_missed", NULL, 10 },
	{ "RX-NOMBUF", "rx_nombuf", NULL, 10 },
	{ "TX-ERRORS", "tx_errors", NULL, 10 },
	{ "DROPPED", NULL, "DROP/S", 10 },
	{ NULL, NULL, NULL, 0 },
};

static const struct col worker_cols[] = {
	{ "LCORE", "lcore", NULL, 5 },
	{ "RX", "rx", "RX-PPS", 12 },
	{ "TX", "tx", "TX-PPS", 12 },
	{ "DROPPED", NULL, "DROP/S", 10 },
	{ "BUSY%", "busy_percent", NULL, 5 },
	{ NULL, NULL, NULL, 0 },
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t value(const json_t *o, const char *key)
{
	const char *k;
	uint64_t sum = 0;
	json_t *v;

	if (key)
		return tel_u64(o, key);
	json_object_foreach((json_t *)o, k, v)
		if (!strncmp(k, "drop_", 5))
			sum += tel_u64(o, k);
	return sum;
}

static void sample_free(struct sample *s)
{
	unsigned int i;

	for (i = 0; i < NR_CMDS; i++) {
		json_decref(s->obj[i]);
		s->obj[i] = NULL;
	}
}

static int sample_take(struct sample *s)
{
	struct tel t;
	unsigned int i;

	if (tel_open(&t, false) < 0)
		return -1;
	s->t = now();
	for (i = 0; i < NR_CMDS; i++) {
		s->obj[i] = tel_get(&t, cmds[i]);
		if (!s->obj[i]) {
			sample_free(s);
			tel_close(&t);
			return -1;
		}
	}
	tel_close(&t);
	return 0;
}

/* Per second, between two samples of a counter; 0 after a restart. */
static double rate(uint64_t cur, uint64_t prev, double dt)
{
	return dt > 0 && cur >= prev ? (cur - prev) / dt : 0;
}

/* The drops of row @name by reason, when it has any: "a drops: link_down 3". */
static void print_drops(const char *name, const json_t *o)
{
	const char *k, *sep = ":";
	json_t *v;

	json_object_foreach((json_t *)o, k, v) {
		if (strncmp(k, "drop_", 5) || !tel_u64(o, k))
			continue;
		if (*sep == ':')
			printf("  %s drops", name);
		printf("%s %s %llu", sep, k + 5, (unsigned long long)tel_u64(o, k));
		sep = ",";
	}
	if (*sep == ',')
		printf("\n");
}

/* A row's name: "p0" for a port, "0" for "worker0". */
static const char *row_name(const char *name)
{
	return strncmp(name, "worker", 6) ? name : name + 6;
}

/*
 * One table: a row per entry of @cur ({"p0": {...}, ...}), @first naming
 * the first column; with @prev, a rate column after each counter.
 */
static void print_table(const char *first, const json_t *cur,
			const json_t *prev, double dt, const struct col *cols,
			bool link)
{
	const struct col *c;
	const json_t *p;
	const char *name;
	json_t *o;

	printf("%-8s", first);
	if (link)
		printf("  %-4s", "LINK");
	for (c = cols; c->head; c++) {
		printf("  %*s", c->width, c->head);
		if (prev && c->rate_head)
			printf("  %10s", c->rate_head);
	}
	printf("\n");
	json_object_foreach((json_t *)cur, name, o) {
		p = prev ? json_object_get(prev, name) : NULL;
		printf("%-8s", row_name(name));
		if (link)
			printf("  %-4s", tel_u64(o, "link_up") ? "up" : "down");
		for (c = cols; c->head; c++) {
			printf("  %*llu", c->width,
			       (unsigned long long)value(o, c->key));
			if (prev && c->rate_head)
				printf("  %10.0f", p ? rate(value(o, c->key),
							    value(p, c->key), dt) : 0);
		}
		printf("\n");
	}
	json_object_foreach((json_t *)cur, name, o)
		print_drops(name, o);
}

static void print_eventdev(const json_t *ev, const json_t *prev, double dt)
{
	const json_t *x = json_object_get(ev, "xstats"), *px;
	const char *k;
	json_t *v;

	printf("eventdev %s", json_string_value(json_object_get(ev, "driver")) ?: "?");
	if (json_object_get(ev, "ports"))
		printf(": %llu ports, %llu queues, events limit %llu, new-event "
		       "threshold %llu, scheduler service %s",
		       (unsigned long long)tel_u64(ev, "ports"),
		       (unsigned long long)tel_u64(ev, "queues"),
		       (unsigned long long)tel_u64(ev, "events_limit"),
		       (unsigned long long)tel_u64(ev, "new_event_threshold"),
		       json_string_value(json_object_get(ev, "scheduler_service")) ?: "?");
	printf("\n");
	if (!json_object_size(x))
		return;
	px = prev ? json_object_get(prev, "xstats") : NULL;
	printf("  %-32s  %14s%s\n", "XSTAT", "VALUE", prev ? "        PER-SEC" : "");
	json_object_foreach((json_t *)x, k, v) {
		printf("  %-32s  %14llu", k, (unsigned long long)tel_u64(x, k));
		if (prev)
			printf("  %13.0f", rate(tel_u64(x, k), tel_u64(px, k), dt));
		printf("\n");
	}
}

static void print_sample(const struct sample *s, const struct sample *prev)
{
	double dt = prev ? s->t - prev->t : 0;

	if (prev)
		printf("rates over the last %.1f s\n\n", dt);
	print_table("PORT", s->obj[0], prev ? prev->obj[0] : NULL, dt, port_cols,
		    true);
	printf("\n");
	print_table("WORKER", s->obj[1], prev ? prev->obj[1] : NULL, dt,
		    worker_cols, false);
	printf("\n");
	print_eventdev(s->obj[2], prev ? prev->obj[2] : NULL, dt);
}

/* --json: the replies as they are, in one object (as before the tables). */
static int print_json(void)
{
	const char *raw;
	unsigned int i;
	struct tel t;

	if (tel_open(&t, false) < 0)
		return EXIT_FAILURE;
	printf("{");
	for (i = 0; i < NR_CMDS; i++) {
		raw = tel_query(&t, cmds[i]);
		if (!raw) {
			tel_close(&t);
			return EXIT_FAILURE;
		}
		/* Each reply is {"/dpkit/x": {...}}: the object without its braces. */
		printf("%s%.*s", i ? ", " : "", (int)strlen(raw) - 2, raw + 1);
	}
	printf("}\n");
	tel_close(&t);
	return 0;
}

/* Sleep @secs, or less when a signal comes. */
static void nap(double secs)
{
	struct timespec ts = { (time_t)secs, (long)((secs - (time_t)secs) * 1e9) };

	nanosleep(&ts, NULL);
}

int cmd_stats(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "watch", no_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd *c = cmd_self(NULL, "stats");
	struct sample cur = { 0 }, prev = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	double interval = 0;
	bool watch = false, tty = isatty(STDOUT_FILENO);
	char *end;
	int opt;

	if (cmd_help_requested(c, argc, argv))
		return 0;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "+i:w", opts, NULL)) != -1) {
		switch (opt) {
		case 'i':
			interval = strtod(optarg, &end);
			if (*end || !(interval >= 0.1 && interval <= 3600))
				return cmd_usage(c);
			break;
		case 'w':
			watch = true;
			break;
		default:
			return cmd_usage(c);
		}
	}
	if (optind < argc || (ctl->json && (interval || watch)))
		return cmd_usage(c);
	if (ctl->json)
		return print_json();
	if (watch && !interval)
		interval = 1;
	if (sample_take(&cur) < 0)
		return EXIT_FAILURE;
	if (!interval) {
		print_sample(&cur, NULL);
		sample_free(&cur);
		return 0;
	}
	/* ^C ends --watch between two samples, with exit status 0. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	for (;;) {
		prev = cur;
		nap(interval);
		if (stop) {
			sample_free(&prev);
			return 0;
		}
		if (sample_take(&cur) < 0) {
			sample_free(&prev);
			return EXIT_FAILURE;
		}
		if (watch && tty)
			printf("\033[H\033[2J");
		else if (watch)
			printf("\n");
		print_sample(&cur, &prev);
		fflush(stdout);
		sample_free(&prev);
		if (!watch || stop) {
			sample_free(&cur);
			return 0;
		}
	}
}
