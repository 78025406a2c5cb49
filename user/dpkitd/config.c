/* SPDX-License-Identifier: BSD-3-Clause */
/* dpkitd's configuration: parse, override, check, print (config.h). */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "libdpkit.h"

static const char *const eventdev_names[] = {
	[DPK_EVDEV_AUTO] = "auto", [DPK_EVDEV_DLB2] = "dlb2",
	[DPK_EVDEV_DSW] = "dsw", [DPK_EVDEV_SW] = "sw", [DPK_EVDEV_NONE] = "none",
};

static const char *const rx_mode_names[] = {
	[DPK_RX_POLL] = "poll", [DPK_RX_ADAPTIVE] = "adaptive",
	[DPK_RX_INTERRUPT] = "interrupt",
};

static const char *const log_levels[] = {
	"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define NAME_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"

const char *dpk_eventdev_name(enum dpk_eventdev e)
{
	return e < ARRAY_SIZE(eventdev_names) ? eventdev_names[e] : "?";
}

const char *dpk_rx_mode_name(enum dpk_rx_mode m)
{
	return m < ARRAY_SIZE(rx_mode_names) ? rx_mode_names[m] : "?";
}

void dpk_config_defaults(struct dpk_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->nr_workers = 1;
	cfg->lcores_per_cpu = 1;
	cfg->main_lcore = -1;
	cfg->service_cpu = DPK_SERVICE_PLACED;
	cfg->eventdev = DPK_EVDEV_AUTO;
	cfg->mbufs = 0;			/* from the plan */
	cfg->mbuf_cache = 256;
	cfg->hugepages = true;
	cfg->memory_mb = 512;
	strcpy(cfg->log_level, "info");
	strcpy(cfg->stage, "forward");
	cfg->rx_mode = DPK_RX_POLL;
	cfg->idle_passes = DPK_IDLE_PASSES;
}

/* Where a message comes from: "FILE:LINE: " or "--set: ". */
struct where {
	const char *path;
	unsigned int line;
	const char *port;		/* the [port NAME] section, or NULL */
};

static int fail(char *err, size_t size, const struct where *w, const char *key,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int fail(char *err, size_t size, const struct where *w, const char *key,
		const char *fmt, ...)
{
	int len = 0;
	va_list ap;

	if (w->line)
		len = snprintf(err, size, "%s:%u: ", w->path, w->line);
	else
		len = snprintf(err, size, "%s: ", w->path);
	if (w->port && len >= 0 && (size_t)len < size)
		len += snprintf(err + len, size - len, "port %s: ", w->port);
	if (key && len >= 0 && (size_t)len < size)
		len += snprintf(err + len, size - len, "%s: ", key);
	if (len >= 0 && (size_t)len < size) {
		va_start(ap, fmt);
		vsnprintf(err + len, size - len, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int parse_uint(const char *v, unsigned int min, unsigned int max,
		      unsigned int *out)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || end == v || *end || *v == '-' || n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

static int pick(const char *v, const char *const *names, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (names[i] && !strcmp(v, names[i]))
			return i;
	return -1;
}

static bool is_bdf(const char *s)
{
	unsigned int a, b, c, d;
	char tail;

	return strlen(s) == 12 &&
	       sscanf(s, "%4x:%2x:%2x.%1x%c", &a, &b, &c, &d, &tail) == 4;
}

/* "BDF" or "BDF,devargs" */
static bool starts_with_bdf(const char *s)
{
	char bdf[13];

	if (strlen(s) < 12 || (s[12] && s[12] != ','))
		return false;
	memcpy(bdf, s, 12);
	bdf[12] = '\0';
	return is_bdf(bdf);
}

static unsigned int read_hex(const char *dir, const char *dev, const char *file)
{
	char path[512];
	unsigned int v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, dev, file);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (fscanf(f, "%x", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

int dpk_find_dlb2(const char *sysfs, char *bdf, size_t size)
{
	char dir[256];
	struct dirent *d;
	unsigned int dev;
	int ret = -ENOENT;
	DIR *dp;

	snprintf(dir, sizeof(dir), "%s/bus/pci/devices", sysfs);
	dp = opendir(dir);
	if (!dp)
		return -ENOENT;
	while (ret && (d = readdir(dp))) {
		if (!is_bdf(d->d_name) || read_hex(dir, d->d_name, "vendor") != 0x8086)
			continue;
		dev = read_hex(dir, d->d_name, "device");
		if (dev == 0x2710 || dev == 0x2714) {
			snprintf(bdf, size, "%s", d->d_name);
			ret = 0;
		}
	}
	closedir(dp);
	return ret;
}

/* rx-mode = poll | adaptive | interrupt */
static int set_rx_mode(enum dpk_rx_mode *m, const struct where *w,
		       const char *key, const char *v, char *err, size_t size)
{
	int i = pick(v, rx_mode_names, ARRAY_SIZE(rx_mode_names));

	if (i < 0)
		return fail(err, size, w, key, "'%s': poll, adaptive or interrupt", v);
	*m = i;
	return 0;
}

static int set_global(struct dpk_config *cfg, const struct where *w,
		      const char *key, const char *v, char *err, size_t size)
{
	unsigned int n;
	int i;

	if (!strcmp(key, "workers")) {
		if (parse_uint(v, 1, DPKIT_MAX_WORKERS, &n))
			return fail(err, size, w, key, "'%s' is not a worker count "
				    "(1-%u)", v, DPKIT_MAX_WORKERS);
		cfg->nr_workers = n;
		cfg->workers_listed = false;
	} else if (!strcmp(key, "worker-cpus")) {
		if (dpkit_cpulist_parse(v, cfg->worker_cpus, DPK_CPU_BITS) < 0)
			return fail(err, size, w, key, "%s", dpkit_errmsg());
		for (n = 0, i = 0; i < DPK_CPU_BITS; i++)
			n += cfg->worker_cpus[i / 64] >> (i % 64) & 1;
		if (n > DPKIT_MAX_WORKERS)
			return fail(err, size, w, key, "%u CPUs: at most %u workers",
				    n, DPKIT_MAX_WORKERS);
		cfg->nr_workers = n;
		cfg->workers_listed = true;
	} else if (!strcmp(key, "lcores-per-cpu")) {
		if (parse_uint(v, 1, 16, &cfg->lcores_per_cpu))
			return fail(err, size, w, key, "'%s': 1 to 16 (more than 1 "
				    "is a test mode)", v);
	} else if (!strcmp(key, "isolate")) {
		if (dpkit_cpulist_parse(v, cfg->isolate_cpus, DPK_CPU_BITS) < 0)
			return fail(err, size, w, key, "%s", dpkit_errmsg());
		cfg->isolate = true;
	} else if (!strcmp(key, "service-cpu")) {
		if (!strcmp(v, "inline"))
			cfg->service_cpu = DPK_SERVICE_INLINE;
		else if (parse_uint(v, 0, DPK_CPU_BITS - 1, &n))
			return fail(err, size, w, key, "'%s': a CPU number or "
				    "inline", v);
		else
			cfg->service_cpu = n;
	} else if (!strcmp(key, "main-lcore")) {
		if (parse_uint(v, 0, DPK_CPU_BITS - 1, &n))
			return fail(err, size, w, key, "'%s' is not a CPU number", v);
		cfg->main_lcore = n;
	} else if (!strcmp(key, "eventdev")) {
		i = pick(v, eventdev_names, ARRAY_SIZE(eventdev_names));
		if (i < 0)
			return fail(err, size, w, key, "'%s': one of auto, dlb2, dsw, "
				    "sw, none", v);
		cfg->eventdev = i;
	} else if (!strcmp(key, "eventdev-args")) {
		if (strlen(v) >= sizeof(cfg->eventdev_args))
			return fail(err, size, w, key, "too long");
		strcpy(cfg->eventdev_args, v);
	} else if (!strcmp(key, "stage")) {
		if (!*v || strlen(v) >= sizeof(cfg->stage) ||
		    strspn(v, NAME_CHARS) != strlen(v))
			return fail(err, size, w, key, "'%s' is not a stage name",
				    v);
		strcpy(cfg->stage, v);
	} else if (!strcmp(key, "mbufs")) {
		if (!strcmp(v, "auto"))
			cfg->mbufs = 0;
		else if (parse_uint(v, 1023, 1U << 24, &cfg->mbufs))
			return fail(err, size, w, key, "'%s': auto, or 1023 to %u", v,
				    1U << 24);
	} else if (!strcmp(key, "mbuf-cache")) {
		if (parse_uint(v, 0, 512, &cfg->mbuf_cache))
			return fail(err, size, w, key, "'%s': 0 to 512", v);
	} else if (!strcmp(key, "hugepages")) {
		i = pick(v, (const char *const[]){ "no", "yes" }, 2);
		if (i < 0)
			return fail(err, size, w, key, "'%s': yes or no", v);
		cfg->hugepages = i;
	} else if (!strcmp(key, "memory")) {
		if (parse_uint(v, 64, 1U << 20, &cfg->memory_mb))
			return fail(err, size, w, key, "'%s': 64 to %u MB", v, 1U << 20);
	} else if (!strcmp(key, "user") || !strcmp(key, "group")) {
		if (!*v || strlen(v) >= DPK_USER_LEN || v[0] == '-' ||
		    strspn(v, NAME_CHARS ".") != strlen(v))
			return fail(err, size, w, key, "'%s' is not a %s name", v,
				    key);
		strcpy(key[0] == 'u' ? cfg->user : cfg->group, v);
	} else if (!strcmp(key, "rx-mode")) {
		return set_rx_mode(&cfg->rx_mode, w, key, v, err, size);
	} else if (!strcmp(key, "idle-passes")) {
		if (parse_uint(v, 1, 1U << 24, &cfg->idle_passes))
			return fail(err, size, w, key, "'%s': 1 to %u empty passes", v,
				    1U << 24);
	} else if (!strcmp(key, "log-level")) {
		if (pick(v, log_levels, ARRAY_SIZE(log_levels)) < 0)
			return fail(err, size, w, key, "'%s': emerg, alert, crit, err, "
				    "warning, notice, info or debug", v);
		strcpy(cfg->log_level, v);
	} else {
		return fail(err, size, w, key, "unknown key");
	}
	return 0;
}

static struct dpk_port_config *port_get(struct dpk_config *cfg,
					const struct where *w, const char *name,
					char *err, size_t size)
{
	struct dpk_port_config *p;
	unsigned int i;

	for (i = 0; i < cfg->nr_ports; i++)
		if (!strcmp(cfg->ports[i].name, name))
			return &cfg->ports[i];
	if (!*name || strlen(name) >= DPK_NAME_LEN ||
	    strspn(name, NAME_CHARS) != strlen(name)) {
		fail(err, size, w, NULL, "bad port name '%s' (letters, digits, "
		     "_ and -, at most %d)", name, DPK_NAME_LEN - 1);
		return NULL;
	}
	if (cfg->nr_ports == DPK_MAX_PORTS) {
		fail(err, size, w, NULL, "more than %d ports", DPK_MAX_PORTS);
		return NULL;
	}
	p = &cfg->ports[cfg->nr_ports++];
	memset(p, 0, sizeof(*p));
	strcpy(p->name, name);
	p->queues = 1;
	p->rx_desc = 1024;
	p->tx_desc = 1024;
	p->forward_idx = -1;
	p->priority = 2;
	return p;
}

/* rss-key = symmetric | device | HEX (an even number of hex digits). */
static int set_rss_key(struct dpk_port_config *p, const struct where *w,
		       const char *key, const char *v, char *err, size_t size)
{
	size_t i, n = strlen(v);
	unsigned int byte;

	if (!strcmp(v, "symmetric") || !strcmp(v, "device")) {
		p->rss_key_kind = v[0] == 's' ? DPK_RSS_KEY_SYMMETRIC :
						DPK_RSS_KEY_DEVICE;
		p->rss_key_len = 0;
		return 0;
	}
	if (!n || n % 2 || n / 2 > DPK_RSS_KEY_MAX ||
	    strspn(v, "0123456789abcdefABCDEF") != n)
		return fail(err, size, w, key, "'%s': symmetric, device, or the "
			    "key in hex (up to %d bytes)", v, DPK_RSS_KEY_MAX);
	for (i = 0; i < n / 2; i++) {
		sscanf(v + 2 * i, "%2x", &byte);
		p->rss_key[i] = byte;
	}
	p->rss_key_len = n / 2;
	p->rss_key_kind = DPK_RSS_KEY_GIVEN;
	return 0;
}

/* reta = LIST: rx queue numbers, repeated over the device's RETA. */
static int set_reta(struct dpk_port_config *p, const struct where *w,
		    const char *key, const char *v, char *err, size_t size)
{
	char buf[4 * DPK_RETA_MAX], *tok, *save;
	unsigned int q, n = 0;

	if (strlen(v) >= sizeof(buf))
		return fail(err, size, w, key, "too long");
	strcpy(buf, v);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (n == DPK_RETA_MAX || parse_uint(tok, 0, 63, &q))
			return fail(err, size, w, key, "'%s': up to %d rx queue "
				    "numbers (0-63), comma-separated", v,
				    DPK_RETA_MAX);
		p->reta[n++] = q;
	}
	if (!n)
		return fail(err, size, w, key, "empty");
	p->nr_reta = n;
	return 0;
}

static int set_port(struct dpk_port_config *p, const struct where *w,
		    const char *key, const char *v, char *err, size_t size)
{
	unsigned int n;

	if (!strcmp(key, "device")) {
		if (!*v || strlen(v) >= sizeof(p->device))
			return fail(err, size, w, key, "empty or too long");
		p->is_pci = is_bdf(v);
		if (!p->is_pci && strncmp(v, "net_", 4))
			return fail(err, size, w, key, "'%s': a PCI address "
				    "(0000:00:05.0) or a DPDK vdev (net_ring0, "
				    "net_null0,...)", v);
		strcpy(p->device, v);
	} else if (!strcmp(key, "queues")) {
		if (parse_uint(v, 1, 64, &p->queues))
			return fail(err, size, w, key, "'%s': 1 to 64", v);
	} else if (!strcmp(key, "rx-desc") || !strcmp(key, "tx-desc")) {
		if (parse_uint(v, 64, 16384, &n) || (n & (n - 1)))
			return fail(err, size, w, key, "'%s': a power of two from "
				    "64 to 16384", v);
		*(key[0] == 'r' ? &p->rx_desc : &p->tx_desc) = n;
	} else if (!strcmp(key, "forward")) {
		if (!*v || strlen(v) >= sizeof(p->forward))
			return fail(err, size, w, key, "empty or too long");
		strcpy(p->forward, v);
	} else if (!strcmp(key, "priority")) {
		if (parse_uint(v, 0, 3, &p->priority))
			return fail(err, size, w, key, "'%s': 0 (highest) to 3 "
				    "(lowest)", v);
	} else if (!strcmp(key, "rss-key")) {
		return set_rss_key(p, w, key, v, err, size);
	} else if (!strcmp(key, "reta")) {
		return set_reta(p, w, key, v, err, size);
	} else if (!strcmp(key, "rx-mode")) {
		p->rx_mode_set = true;
		return set_rx_mode(&p->rx_mode, w, key, v, err, size);
	} else {
		return fail(err, size, w, key, "unknown port key");
	}
	return 0;
}

static char *trim(char *s)
{
	char *e;

	s += strspn(s, " \t");
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

int dpk_config_parse(struct dpk_config *cfg, const char *path,
		     const char *text, char *err, size_t size)
{
	struct where w = { .path = path };
	struct dpk_port_config *port = NULL;
	char line[512], *l, *eq, *key, *val;
	const char *p = text, *nl;
	size_t len;
	int ret;

	while (*p) {
		w.line++;
		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		if (len >= sizeof(line))
			return fail(err, size, &w, NULL, "line too long");
		memcpy(line, p, len);
		line[len] = '\0';
		p += len + (nl != NULL);
		line[strcspn(line, "#")] = '\0';
		l = trim(line);
		if (!*l)
			continue;
		if (*l == '[') {
			/* "[port NAME]", blanks allowed inside the brackets. */
			char *inner = l + 1, *close = strrchr(l, ']');

			if (close && !close[1]) {
				*close = '\0';
				inner = trim(inner);
			}
			if (!close || close[1] || strncmp(inner, "port", 4) ||
			    (inner[4] != ' ' && inner[4] != '\t'))
				return fail(err, size, &w, NULL, "expected "
					    "'[port NAME]', not '%s'", l);
			w.port = NULL;
			port = port_get(cfg, &w, trim(inner + 5), err, size);
			if (!port)
				return -EINVAL;
			w.port = port->name;
			continue;
		}
		eq = strchr(l, '=');
		if (!eq)
			return fail(err, size, &w, NULL, "expected 'key = value', "
				    "not '%s'", l);
		*eq = '\0';
		key = trim(l);
		val = trim(eq + 1);
		ret = port ? set_port(port, &w, key, val, err, size) :
			     set_global(cfg, &w, key, val, err, size);
		if (ret)
			return ret;
	}
	return 0;
}

int dpk_config_set(struct dpk_config *cfg, const char *assignment, char *err,
		   size_t size)
{
	struct where w = { .path = "--set" };
	struct dpk_port_config *port;
	char buf[512], *eq, *dot;

	if (strlen(assignment) >= sizeof(buf))
		return fail(err, size, &w, NULL, "too long");
	/* What a file cannot say: stage one passes it on as a file. */
	if (strpbrk(assignment, "#\n"))
		return fail(err, size, &w, NULL, "'%s': no '#' or line break in "
			    "an override", assignment);
	strcpy(buf, assignment);
	eq = strchr(buf, '=');
	if (!eq)
		return fail(err, size, &w, NULL, "'%s': expected KEY=VALUE or "
			    "port.NAME.KEY=VALUE", assignment);
	*eq = '\0';
	if (strncmp(buf, "port.", 5))
		return set_global(cfg, &w, trim(buf), trim(eq + 1), err, size);
	dot = strchr(buf + 5, '.');
	if (!dot)
		return fail(err, size, &w, NULL, "'%s': expected "
			    "port.NAME.KEY=VALUE", assignment);
	*dot = '\0';
	port = port_get(cfg, &w, buf + 5, err, size);
	if (!port)
		return -EINVAL;
	w.port = port->name;
	return set_port(port, &w, trim(dot + 1), trim(eq + 1), err, size);
}

int dpk_config_check(struct dpk_config *cfg, char *err, size_t size)
{
	struct where w = { .path = "config" };
	struct dpk_port_config *p;
	unsigned int i, j, n;

	if (!cfg->nr_ports)
		return fail(err, size, &w, NULL, "no [port NAME] section: "
			    "dpkitd needs at least one port");
	if (cfg->group[0] && !cfg->user[0])
		return fail(err, size, &w, "group", "without user = (dpkitd "
			    "changes group only with its user)");
	for (i = 0; i < cfg->nr_ports; i++) {
		p = &cfg->ports[i];
		w.port = p->name;
		if (!p->device[0])
			return fail(err, size, &w, "device", "missing");
		if (p->is_pci && !cfg->hugepages)
			return fail(err, size, &w, "device", "a PCI port needs "
				    "hugepages (hugepages = no gives 4 KiB pages: "
				    "DMA through the IOMMU page by page, or not at "
				    "all without one)");
		for (j = 0; j < i; j++)
			if (!strcmp(cfg->ports[j].device, p->device))
				return fail(err, size, &w, "device", "%s is also "
					    "port %s", p->device, cfg->ports[j].name);
		/* Defaults: one port to itself, two ports to each other. */
		if (!p->forward[0] && cfg->nr_ports <= 2)
			strcpy(p->forward, cfg->ports[cfg->nr_ports - 1 - i].name);
		if (!p->forward[0])
			return fail(err, size, &w, "forward", "missing (with more "
				    "than two ports, say where each sends)");
		p->forward_idx = -1;
		for (j = 0; j < cfg->nr_ports; j++)
			if (!strcmp(cfg->ports[j].name, p->forward))
				p->forward_idx = j;
		if (p->forward_idx < 0)
			return fail(err, size, &w, "forward", "no port named '%s'",
				    p->forward);
		if (!p->rx_mode_set)
			p->rx_mode = cfg->rx_mode;
	}
	w.port = NULL;
	if (cfg->lcores_per_cpu > 1) {
		/* Spinning lcores sharing a CPU starve each other: a test
		 * mode, for worker counts a small machine does not have. */
		if (!cfg->workers_listed || cfg->isolate)
			return fail(err, size, &w, "lcores-per-cpu", "a test mode: "
				    "only with worker-cpus and without isolate");
		for (n = 0, i = 0; i < DPK_CPU_BITS; i++)
			n += cfg->worker_cpus[i / 64] >> (i % 64) & 1;
		if (n * cfg->lcores_per_cpu > DPKIT_MAX_WORKERS)
			return fail(err, size, &w, "lcores-per-cpu", "%u CPUs x %u: "
				    "at most %u workers", n, cfg->lcores_per_cpu,
				    DPKIT_MAX_WORKERS);
		cfg->nr_workers = n * cfg->lcores_per_cpu;
	}
	if (cfg->eventdev == DPK_EVDEV_DLB2 &&
	    !starts_with_bdf(cfg->eventdev_args))
		return fail(err, size, &w, "eventdev-args", "eventdev = dlb2 "
			    "needs the DLB2's PCI address first "
			    "(0000:6d:00.0[,devargs])");
	for (i = 0; cfg->isolate && cfg->workers_listed && i < DPK_CPU_BITS / 64; i++)
		if (cfg->worker_cpus[i] & ~cfg->isolate_cpus[i])
			return fail(err, size, &w, "worker-cpus", "CPU %u is not "
				    "in isolate: workers run on isolated CPUs",
				    i * 64 + (unsigned int)__builtin_ctzll(cfg->worker_cpus[i] &
							    ~cfg->isolate_cpus[i]));
	if (cfg->main_lcore >= 0 && cfg->isolate &&
	    (cfg->isolate_cpus[cfg->main_lcore / 64] >> (cfg->main_lcore % 64) & 1))
		return fail(err, size, &w, "main-lcore", "CPU %d is in isolate: "
			    "the main lcore runs on a housekeeping CPU",
			    cfg->main_lcore);
	if (cfg->service_cpu >= 0 && cfg->workers_listed &&
	    cfg->lcores_per_cpu == 1 &&
	    (cfg->worker_cpus[cfg->service_cpu / 64] >> (cfg->service_cpu % 64) & 1))
		return fail(err, size, &w, "service-cpu", "CPU %d is also a "
			    "worker CPU: never two spinning lcores on one CPU",
			    cfg->service_cpu);
	if (cfg->service_cpu >= 0 && cfg->service_cpu == cfg->main_lcore &&
	    cfg->lcores_per_cpu == 1)
		return fail(err, size, &w, "service-cpu", "CPU %d is the main "
			    "lcore's", cfg->service_cpu);
	if (cfg->main_lcore >= 0 && cfg->workers_listed &&
	    (cfg->worker_cpus[cfg->main_lcore / 64] >> (cfg->main_lcore % 64) & 1))
		return fail(err, size, &w, "main-lcore", "CPU %d is also a "
			    "worker CPU: the main lcore needs a CPU of its own",
			    cfg->main_lcore);
	return 0;
}

void dpk_config_print(const struct dpk_config *cfg, FILE *f)
{
	const struct dpk_port_config *p;
	char list[256];
	unsigned int i, j;

	if (cfg->workers_listed) {
		dpkit_cpulist_format(cfg->worker_cpus, DPK_CPU_BITS, list,
				     sizeof(list));
		fprintf(f, "worker-cpus = %s\n", list);
		if (cfg->lcores_per_cpu > 1)
			fprintf(f, "lcores-per-cpu = %u\n", cfg->lcores_per_cpu);
	} else {
		fprintf(f, "workers = %u\n", cfg->nr_workers);
	}
	if (cfg->isolate) {
		dpkit_cpulist_format(cfg->isolate_cpus, DPK_CPU_BITS, list,
				     sizeof(list));
		fprintf(f, "isolate = %s\n", list);
	}
	if (cfg->main_lcore >= 0)
		fprintf(f, "main-lcore = %d\n", cfg->main_lcore);
	if (cfg->service_cpu == DPK_SERVICE_INLINE)
		fprintf(f, "service-cpu = inline\n");
	else if (cfg->service_cpu >= 0)
		fprintf(f, "service-cpu = %d\n", cfg->service_cpu);
	fprintf(f, "eventdev = %s\n", dpk_eventdev_name(cfg->eventdev));
	if (cfg->eventdev_args[0])
		fprintf(f, "eventdev-args = %s\n", cfg->eventdev_args);
	fprintf(f, "stage = %s\n", cfg->stage);
	if (cfg->mbufs)
		fprintf(f, "mbufs = %u\n", cfg->mbufs);
	else
		fprintf(f, "mbufs = auto\n");
	fprintf(f, "mbuf-cache = %u\nhugepages = %s\n", cfg->mbuf_cache,
		cfg->hugepages ? "yes" : "no");
	if (!cfg->hugepages)
		fprintf(f, "memory = %u\n", cfg->memory_mb);
	fprintf(f, "log-level = %s\n", cfg->log_level);
	if (cfg->user[0])
		fprintf(f, "user = %s\n", cfg->user);
	if (cfg->group[0])
		fprintf(f, "group = %s\n", cfg->group);
	fprintf(f, "rx-mode = %s\n", dpk_rx_mode_name(cfg->rx_mode));
	if (cfg->idle_passes != DPK_IDLE_PASSES)
		fprintf(f, "idle-passes = %u\n", cfg->idle_passes);
	for (i = 0; i < cfg->nr_ports; i++) {
		p = &cfg->ports[i];
		fprintf(f, "\n[port %s]\ndevice = %s\nqueues = %u\nrx-desc = %u\n"
			"tx-desc = %u\nforward = %s\npriority = %u\n", p->name,
			p->device, p->queues, p->rx_desc, p->tx_desc, p->forward,
			p->priority);
		if (p->rss_key_kind == DPK_RSS_KEY_GIVEN) {
			fprintf(f, "rss-key = ");
			for (j = 0; j < p->rss_key_len; j++)
				fprintf(f, "%02x", p->rss_key[j]);
			fprintf(f, "\n");
		} else {
			fprintf(f, "rss-key = %s\n", p->rss_key_kind ==
				DPK_RSS_KEY_DEVICE ? "device" : "symmetric");
		}
		for (j = 0; j < p->nr_reta; j++)
			fprintf(f, "%s%u", j ? "," : "reta = ", p->reta[j]);
		if (p->nr_reta)
			fprintf(f, "\n");
		if (p->rx_mode_set)
			fprintf(f, "rx-mode = %s\n", dpk_rx_mode_name(p->rx_mode));
	}
}
