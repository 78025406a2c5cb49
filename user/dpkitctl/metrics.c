/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpkitctl metrics: dpkitd's telemetry (ports, workers, eventdev), the link
 * page and the isolation's health as OpenMetrics text (or Prometheus' text
 * format 0.0.4), once on stdout or served over HTTP with --listen. Names
 * follow Prometheus' conventions: dpkit_ prefix, base units, counters end
 * in _total. Every family is in Documentation/admin-guide.rst, "Metrics".
 */
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "dpkitctl.h"
#include "libdpkit.h"

#define DEFAULT_ADDR	"127.0.0.1"
#define CT_OPENMETRICS	"application/openmetrics-text; version=1.0.0; charset=utf-8"
#define CT_PROMETHEUS	"text/plain; version=0.0.4; charset=utf-8"

/* ------------------------------------------------------------------------ */
/* The exposition: families, each with its samples together.                */

struct om {
	FILE *f;
	bool openmetrics;		/* else Prometheus' text format 0.0.4 */
	const char *name, *type;	/* the current family */
};

static const char *sample_suffix(const char *type)
{
	if (!strcmp(type, "counter"))
		return "_total";
	return strcmp(type, "info") ? "" : "_info";
}

/* @type: counter, gauge, info or unknown (OpenMetrics' names). */
static void om_family(struct om *o, const char *name, const char *type,
		      const char *unit, const char *help)
{
	o->name = name;
	o->type = type;
	if (o->openmetrics) {
		fprintf(o->f, "# TYPE %s %s\n", name, type);
		if (unit)
			fprintf(o->f, "# UNIT %s %s\n", name, unit);
		fprintf(o->f, "# HELP %s %s\n", name, help);
		return;
	}
	/* 0.0.4: the family is named like its samples; no info, no unit. */
	fprintf(o->f, "# HELP %s%s %s\n# TYPE %s%s %s\n", name,
		sample_suffix(type), help, name, sample_suffix(type),
		!strcmp(type, "info") ? "gauge" :
		!strcmp(type, "unknown") ? "untyped" : type);
}

/* Labels: name="value" pairs, the value escaped. */
struct labels {
	char s[512];
	size_t len;
};

static void label(struct labels *l, const char *name, const char *value)
{
	const char *p;

	if (l->len + strlen(name) + 2 * strlen(value) + 6 >= sizeof(l->s))
		return;
	l->len += sprintf(l->s + l->len, "%s%s=\"", l->len ? "," : "", name);
	for (p = value; *p; p++) {
		if (*p == '\\' || *p == '"')
			l->s[l->len++] = '\\';
		if (*p == '\n') {
			l->s[l->len++] = '\\';
			l->s[l->len++] = 'n';
			continue;
		}
		l->s[l->len++] = *p;
	}
	l->s[l->len++] = '"';
	l->s[l->len] = '\0';
}

static void labels_clear(struct labels *l)
{
	l->len = 0;
	l->s[0] = '\0';
}

/* A table row's label: port="p0", or worker="0" for the row "worker0". */
static void labels_row(struct labels *l, const char *row_label,
		       const char *row)
{
	labels_clear(l);
	label(l, row_label, strncmp(row, "worker", 6) ? row : row + 6);
}

static void label_uint(struct labels *l, const char *name, unsigned long long v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%llu", v);
	label(l, name, buf);
}

static void om_sample(struct om *o, const struct labels *l, const char *value)
{
	fprintf(o->f, "%s%s%s%s%s %s\n", o->name, sample_suffix(o->type),
		l && l->len ? "{" : "", l ? l->s : "", l && l->len ? "}" : "",
		value);
}

static void om_sample_u64(struct om *o, const struct labels *l, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	om_sample(o, l, buf);
}

/* A telemetry number, scaled (a percentage to a ratio). */
static void om_sample_json(struct om *o, const struct labels *l,
			   const json_t *v, double scale)
{
	char buf[32];

	if (json_is_integer(v) && scale == 1)
		snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
	else
		snprintf(buf, sizeof(buf), "%.15g", json_number_value(v) * scale);
	om_sample(o, l, buf);
}

/* ------------------------------------------------------------------------ */
/* dpkitd's telemetry: /dpkit/ports and /dpkit/workers are tables, a row    */
/* per port or worker; a key becomes a family, every drop_* key one family */
/* with a reason label, and a key this tool does not know yet is exported   */
/* as "unknown" under its own name.                                         */

struct def {
	const char *key;		/* telemetry key */
	const char *name;		/* the family, after the table's prefix */
	const char *type;
	const char *unit;
	double scale;
	const char *help;
};

static const struct def port_defs[] = {
	{ "link_up", "link_up", "gauge", NULL, 1,
	  "Whether the port's link is up (1) or down (0)." },
	{ "port_id", "dpdk_port_id", "gauge", NULL, 1, "The port's DPDK port id." },
	{ "rx_packets", "rx_packets", "counter", NULL, 1,
	  "Packets the port received (DPDK ipackets)." },
	{ "tx_packets", "tx_packets", "counter", NULL, 1,
	  "Packets the port sent (DPDK opackets)." },
	{ "rx_missed", "rx_missed_packets", "counter", NULL, 1,
	  "Packets the NIC dropped for want of a receive descriptor (DPDK imissed)." },
	{ "rx_nombuf", "rx_nombuf", "counter", NULL, 1,
	  "Receive mbuf allocation failures (DPDK rx_nombuf)." },
	{ "tx_errors", "tx_errors", "counter", NULL, 1,
	  "Packets the NIC failed to send (DPDK oerrors)." },
	{ "park_cap_us", "park_cap_seconds", "gauge", "seconds", 1e-6,
	  "The longest a worker parks on the port's queues (its rx ring at line rate)." },
	{ NULL, NULL, NULL, NULL, 0, NULL },
};

static const struct def worker_defs[] = {
	{ "lcore", "lcore", "gauge", NULL, 1, "The EAL lcore the worker runs on." },
	{ "rx", "rx_packets", "counter", NULL, 1, "Packets the worker received." },
	{ "tx", "tx_packets", "counter", NULL, 1, "Packets the worker sent." },
	{ "busy_percent", "busy_ratio", "gauge", "ratio", 0.01,
	  "Share of the worker's loop passes that moved packets, since it started." },
	{ "parked_us", "parked_seconds", "counter", "seconds", 1e-6,
	  "Time the worker spent parked (rx-mode adaptive or interrupt)." },
	{ "parks", "parks", "counter", NULL, 1, "Times the worker parked." },
	{ "park_aborts", "park_aborts", "counter", NULL, 1,
	  "Parks called off (a queue that could not be armed, or work found)." },
	{ "wakeups", "wakeups", "counter", NULL, 1,
	  "Wake-ups from a park: rx interrupts, kicks and timeouts." },
	{ "wake_rx", "rx_wakeups", "counter", NULL, 1,
	  "Wake-ups by an rx interrupt." },
	{ "wake_kick", "kick_wakeups", "counter", NULL, 1,
	  "Wake-ups by dpkitd's eventfd (a link change, a peer with work, stop)." },
	{ "wake_timeout", "timeout_wakeups", "counter", NULL, 1,
	  "Wake-ups by the park's timeout." },
	{ NULL, NULL, NULL, NULL, 0, NULL },
};

static const struct def *find_def(const struct def *defs, const char *key)
{
	for (; defs->key; defs++)
		if (!strcmp(defs->key, key))
			return defs;
	return NULL;
}

/* A metric name from @prefix and @key: what is not [a-zA-Z0-9_] becomes _. */
static void metric_name(char *buf, size_t size, const char *prefix,
			const char *key)
{
	size_t i, len = snprintf(buf, size, "%s_%s", prefix, key);

	for (i = strlen(prefix) + 1; i < len && i < size; i++)
		if (!((buf[i] >= 'a' && buf[i] <= 'z') || (buf[i] >= 'A' && buf[i] <= 'Z') ||
		      (buf[i] >= '0' && buf[i] <= '9') || buf[i] == '_'))
			buf[i] = '_';
}

/*
 * One table (@rows: {"p0": {...}, ...}) as families named @prefix_...,
 * each row's samples labelled @row_label="p0" (the worker tables' keys,
 * "worker0", lose their "worker" prefix).
 */
static void emit_table(struct om *o, const json_t *rows, const char *prefix,
		       const char *row_label, const struct def *defs,
		       const char *what)
{
	json_t *keys = json_object(), *row, *v, *seen;
	char name[128], help[160];
	const struct def *d;
	struct labels l;
	const char *rname, *k;

	/* Every numeric key of any row, in the order the rows have them. */
	json_object_foreach((json_t *)rows, rname, row)
		json_object_foreach(row, k, v)
			if (json_is_number(v) && !json_object_get(keys, k))
				json_object_set_new(keys, k, json_true());
	/* The known keys, then the drops, then the others. */
	for (d = defs; d->key; d++) {
		metric_name(name, sizeof(name), prefix, d->name);
		om_family(o, name, d->type, d->unit, d->help);
		json_object_foreach((json_t *)rows, rname, row) {
			v = json_object_get(row, d->key);
			if (!json_is_number(v))
				continue;
			labels_row(&l, row_label, rname);
			om_sample_json(o, &l, v, d->scale);
		}
	}
	metric_name(name, sizeof(name), prefix, "dropped_packets");
	snprintf(help, sizeof(help), "Packets dpkitd dropped, by reason (%s).", what);
	om_family(o, name, "counter", NULL, help);
	json_object_foreach((json_t *)rows, rname, row)
		json_object_foreach(keys, k, seen) {
			v = json_object_get(row, k);
			if (strncmp(k, "drop_", 5) || !json_is_number(v))
				continue;
			labels_row(&l, row_label, rname);
			label(&l, "reason", k + 5);
			om_sample_json(o, &l, v, 1);
		}
	json_object_foreach(keys, k, seen) {
		if (!strncmp(k, "drop_", 5) || find_def(defs, k))
			continue;
		metric_name(name, sizeof(name), prefix, k);
		snprintf(help, sizeof(help), "dpkitd's %s value %s.", what, k);
		om_family(o, name, "unknown", NULL, help);
		json_object_foreach((json_t *)rows, rname, row) {
			v = json_object_get(row, k);
			if (!json_is_number(v))
				continue;
			labels_row(&l, row_label, rname);
			om_sample_json(o, &l, v, 1);
		}
	}
	json_decref(keys);
}

static void emit_eventdev(struct om *o, const json_t *ev)
{
	static const struct { const char *key, *name, *help; } gauges[] = {
		{ "ports", "dpkit_eventdev_ports", "Event ports dpkitd set up." },
		{ "queues", "dpkit_eventdev_queues", "Event queues dpkitd set up." },
		{ "events_limit", "dpkit_eventdev_events_limit",
		  "Events the device holds at most (nb_events_limit)." },
		{ "new_event_threshold", "dpkit_eventdev_new_event_threshold",
		  "New events an rx port may have in flight." },
	};
	const json_t *x = json_object_get(ev, "xstats");
	const char *k;
	struct labels l;
	unsigned int i;
	json_t *v;

	labels_clear(&l);
	om_family(o, "dpkit_eventdev", "info", NULL,
		  "dpkitd's eventdev: its driver, and where the scheduler service runs.");
	label(&l, "driver", json_string_value(json_object_get(ev, "driver")) ?: "");
	label(&l, "scheduler_service",
	      json_string_value(json_object_get(ev, "scheduler_service")) ?: "none");
	om_sample(o, &l, "1");
	for (i = 0; i < sizeof(gauges) / sizeof(gauges[0]); i++) {
		v = json_object_get(ev, gauges[i].key);
		if (!json_is_number(v))
			continue;
		om_family(o, gauges[i].name, "gauge", NULL, gauges[i].help);
		om_sample_json(o, NULL, v, 1);
	}
	if (!json_is_object(x))
		return;
	om_family(o, "dpkit_eventdev_xstat", "unknown", NULL,
		  "The eventdev's device xstats, by name, as the driver counts them.");
	json_object_foreach((json_t *)x, k, v) {
		if (!json_is_number(v))
			continue;
		labels_clear(&l);
		label(&l, "name", k);
		om_sample_json(o, &l, v, 1);
	}
}

/* dpkitd's part; dpkitd_up says whether it answered. */
static void emit_dpkitd(struct om *o)
{
	json_t *ports = NULL, *workers = NULL, *ev = NULL;
	struct tel t;
	int up;

	up = tel_open(&t, true) == 0;
	if (up) {
		ports = tel_get(&t, "/dpkit/ports");
		workers = ports ? tel_get(&t, "/dpkit/workers") : NULL;
		ev = workers ? tel_get(&t, "/dpkit/eventdev") : NULL;
		up = ev != NULL;
		tel_close(&t);
	}
	om_family(o, "dpkitd_up", "gauge", NULL,
		  "Whether dpkitd answered on its telemetry socket (1) or not (0).");
	om_sample(o, NULL, up ? "1" : "0");
	if (up) {
		emit_table(o, ports, "dpkit_port", "port", port_defs, "per port");
		emit_table(o, workers, "dpkit_worker", "worker", worker_defs,
			   "per worker");
		emit_eventdev(o, ev);
	}
	json_decref(ports);
	json_decref(workers);
	json_decref(ev);
}

/* ------------------------------------------------------------------------ */
/* dpkit.ko: the link page and the isolation.                               */

static const char *owner_label(uint32_t owner)
{
	return owner == DPKIT_OWNER_KERNEL ? "kernel" :
	       owner == DPKIT_OWNER_DPDK ? "dpdk" : "none";
}

static void link_labels(struct labels *l, const struct dpkit_link_slot *s)
{
	labels_clear(l);
	label(l, "name", s->name);
	label(l, "owner", owner_label(s->owner));
}

static void emit_links(struct om *o, struct dpkit *dk)
{
	struct dpkit_link_page pg;
	struct dpkit_link_slot s;
	struct labels l;
	unsigned int pass;
	uint32_t i;

	if (dpkit_page_map(dk, &pg) < 0)
		return;
	for (pass = 0; pass < 3; pass++) {
		if (pass == 0)
			om_family(o, "dpkit_link_up", "gauge", NULL,
				  "Whether the link is up: admin up and carrier (1), or not (0).");
		else if (pass == 1)
			om_family(o, "dpkit_link_speed_bytes_per_second", "gauge",
				  "bytes_per_second", "The link's speed while it is up.");
		else
			om_family(o, "dpkit_link_changes", "counter", NULL,
				  "Up/down transitions of the link.");
		for (i = 0; i < pg.nr_slots; i++) {
			if (dpkit_page_read(&pg, i, &s) < 0 ||
			    s.owner == DPKIT_OWNER_NONE)
				continue;
			link_labels(&l, &s);
			if (pass == 0)
				om_sample(o, &l, s.flags & DPKIT_LINK_F_UP ? "1" : "0");
			else if (pass == 1 && s.flags & DPKIT_LINK_F_UP &&
				 s.speed != DPKIT_SPEED_UNKNOWN)
				om_sample_u64(o, &l, (uint64_t)s.speed * 125000);	/* Mb/s */
			else if (pass == 2)
				om_sample_u64(o, &l, s.changes);
		}
	}
	dpkit_page_unmap(&pg);
}

static void emit_isolation(struct om *o, struct dpkit *dk)
{
	unsigned int nr_bits, moved = 0, nr_left = 0, i, r, n;
	struct dpkit_irq_entry *left = NULL;
	struct dpkit_irq_sample smp;
	uint64_t *words = NULL;
	struct labels l;
	char cpu[16];

	if (dpkit_isolate_get(dk, DPKIT_MASK_ISOLATED, &words, &nr_bits, &moved,
			      NULL) < 0)
		return;
	om_family(o, "dpkit_cpu_isolated", "gauge", NULL,
		  "CPUs dpkit.ko keeps movable IRQs off (1).");
	for (i = 0; i < nr_bits; i++) {
		if (!(words[i / 64] >> (i % 64) & 1))
			continue;
		labels_clear(&l);
		label_uint(&l, "cpu", i);
		om_sample(o, &l, "1");
	}
	om_family(o, "dpkit_isolation_moved_irqs", "gauge", NULL,
		  "IRQs dpkit.ko moved off the isolated CPUs.");
	om_sample_u64(o, NULL, moved);
	if (dpkit_irq_report(dk, &left, &nr_left) == 0) {
		om_family(o, "dpkit_isolation_unmovable_irqs", "gauge", NULL,
			  "IRQs left on the isolated CPUs, by the reason they cannot move.");
		for (r = DPKIT_IRQ_MANAGED; r <= DPKIT_IRQ_ERROR; r++) {
			for (n = 0, i = 0; i < nr_left; i++)
				n += left[i].reason == r;
			labels_clear(&l);
			label(&l, "reason", irq_reason_name(r));
			om_sample_u64(o, &l, n);
		}
		free(left);
	}
	/* Interrupts each isolated CPU took since boot, by IRQ (/proc/interrupts). */
	if (dpkit_irq_sample(&smp) == 0) {
		om_family(o, "dpkit_isolated_cpu_interrupts", "counter", NULL,
			  "Interrupts an isolated CPU took since boot, by IRQ (/proc/interrupts).");
		for (r = 0; r < smp.nr_rows; r++)
			for (i = 0; i < smp.nr_cpus; i++) {
				int c = smp.cpus[i];

				if (c < 0 || (unsigned int)c >= nr_bits ||
				    !(words[c / 64] >> (c % 64) & 1) ||
				    !smp.rows[r].counts[i])
					continue;
				labels_clear(&l);
				snprintf(cpu, sizeof(cpu), "%d", c);
				label(&l, "cpu", cpu);
				label(&l, "irq", smp.rows[r].id);
				om_sample_u64(o, &l, smp.rows[r].counts[i]);
			}
		dpkit_irq_sample_free(&smp);
	}
	free(words);
}

static void emit_module(struct om *o, const struct ctl *ctl)
{
	struct dpkit *dk;
	int loaded = dpkit_open(ctl->device, &dk) == 0;

	om_family(o, "dpkit_module_loaded", "gauge", NULL,
		  "Whether dpkit.ko answers on /dev/dpkit (1) or not (0).");
	om_sample(o, NULL, loaded ? "1" : "0");
	if (!loaded)
		return;
	emit_links(o, dk);
	emit_isolation(o, dk);
	dpkit_close(dk);
}

static void exposition(FILE *f, const struct ctl *ctl, bool openmetrics)
{
	struct om o = { .f = f, .openmetrics = openmetrics };

	emit_dpkitd(&o);
	emit_module(&o, ctl);
	if (openmetrics)
		fprintf(f, "# EOF\n");
}

/* ------------------------------------------------------------------------ */
/* --listen: a small HTTP/1.1 server, one request per connection, on the    */
/* main thread (GET /metrics; a scrape is a few milliseconds).              */

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void respond(int fd, const char *status, const char *type,
		    const char *body, size_t len, bool head)
{
	char hdr[256];
	int n;

	n = snprintf(hdr, sizeof(hdr), "HTTP/1.1 %s\r\nContent-Type: %s\r\n"
		     "Content-Length: %zu\r\nConnection: close\r\n\r\n",
		     status, type, len);
	if (send(fd, hdr, n, MSG_NOSIGNAL) == n && !head && len)
		send(fd, body, len, MSG_NOSIGNAL);
}

static void serve_one(int fd, const struct ctl *ctl)
{
	struct timeval tv = { .tv_sec = 5 };
	char req[4096], method[8], path[256], *accept, *body = NULL;
	size_t len = 0, blen = 0;
	bool openmetrics;
	ssize_t n;
	FILE *f;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	/* The request line and headers, up to the blank line. */
	while (len < sizeof(req) - 1) {
		n = recv(fd, req + len, sizeof(req) - 1 - len, 0);
		if (n <= 0)
			return;
		len += n;
		req[len] = '\0';
		if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n"))
			break;
	}
	if (sscanf(req, "%7s %255s", method, path) != 2) {
		respond(fd, "400 Bad Request", "text/plain", "bad request\n", 12, false);
		return;
	}
	if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
		respond(fd, "405 Method Not Allowed", "text/plain", "GET only\n", 9,
			false);
		return;
	}
	if (strcmp(path, "/metrics")) {
		static const char home[] = "dpkitctl metrics: see /metrics\n";

		respond(fd, strcmp(path, "/") ? "404 Not Found" : "200 OK",
			"text/plain; charset=utf-8", home, sizeof(home) - 1,
			!strcmp(method, "HEAD"));
		return;
	}
	/* OpenMetrics for who asks for it (Prometheus does), else 0.0.4. */
	accept = strcasestr(req, "\nAccept:");
	if (accept)
		accept[strcspn(accept + 1, "\r\n") + 1] = '\0';
	openmetrics = accept && strstr(accept, "application/openmetrics-text");
	f = open_memstream(&body, &blen);
	if (!f) {
		respond(fd, "500 Internal Server Error", "text/plain", "", 0, false);
		return;
	}
	exposition(f, ctl, openmetrics);
	fclose(f);
	respond(fd, "200 OK", openmetrics ? CT_OPENMETRICS : CT_PROMETHEUS, body,
		blen, !strcmp(method, "HEAD"));
	free(body);
}

/* "[ADDR:]PORT", "[v6addr]:PORT": a listening socket, or -1 (said why). */
static int listen_on(const char *spec)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	char addr[128] = DEFAULT_ADDR, *colon;
	const char *port = spec;
	struct addrinfo *ai;
	int fd, one = 1, ret;

	colon = strrchr(spec, ':');
	if (colon) {
		snprintf(addr, sizeof(addr), "%.*s", (int)(colon - spec), spec);
		port = colon + 1;
		if (addr[0] == '[' && addr[strlen(addr) - 1] == ']') {
			memmove(addr, addr + 1, strlen(addr));
			addr[strlen(addr) - 1] = '\0';
		}
	}
	ret = getaddrinfo(addr, port, &hints, &ai);
	if (ret) {
		fprintf(stderr, "dpkitctl: --listen %s: %s\n", spec, gai_strerror(ret));
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 16)) {
		fprintf(stderr, "dpkitctl: --listen %s: %s\n", spec, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

static int serve(const struct ctl *ctl, const char *spec)
{
	struct sigaction sa = { .sa_handler = on_signal };
	int lfd, fd;

	lfd = listen_on(spec);
	if (lfd < 0)
		return EXIT_FAILURE;
	/* No SA_RESTART: accept() returns on SIGTERM and SIGINT. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	fprintf(stderr, "dpkitctl: serving metrics on http://%s%s/metrics\n",
		strchr(spec, ':') ? "" : DEFAULT_ADDR ":", spec);
	while (!stop) {
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EINTR && errno != ECONNABORTED)
				fprintf(stderr, "dpkitctl: accept: %s\n", strerror(errno));
			continue;
		}
		serve_one(fd, ctl);
		close(fd);
	}
	close(lfd);
	return 0;
}

int cmd_metrics(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd *c = cmd_self(NULL, "metrics");
	const char *listen_spec = NULL;
	bool openmetrics = true;
	int opt;

	if (cmd_help_requested(c, argc, argv))
		return 0;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "+l:f:", opts, NULL)) != -1) {
		switch (opt) {
		case 'l':
			listen_spec = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "openmetrics") && strcmp(optarg, "prometheus"))
				return cmd_usage(c);
			openmetrics = !strcmp(optarg, "openmetrics");
			break;
		default:
			return cmd_usage(c);
		}
	}
	if (optind < argc)
		return cmd_usage(c);
	if (listen_spec)
		return serve(ctl, listen_spec);
	exposition(stdout, ctl, openmetrics);
	return 0;
}
