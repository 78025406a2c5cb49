/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The isolation knobs only userspace can turn: the default affinity new
 * IRQs start with, the unbound workqueues' cpumask, irqbalance, and what the
 * kernel command line says (nohz_full, isolcpus). Every file written is
 * recorded, with its old value, in an undo file so that a later process
 * (`dpkitctl isolate clear`) can put it back.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libdpkit.h"
#include "priv.h"

#define IRQ_DEFAULT	"/proc/irq/default_smp_affinity"
#define DPKIT_CGROUP	"/sys/fs/cgroup"
#define WQ_CPUMASK	"/sys/devices/virtual/workqueue/cpumask"

static const char *root(const char *path, char *buf, size_t size)
{
	const char *r = getenv("DPKIT_SYSROOT");	/* tests */

	snprintf(buf, size, "%s%s", r ? r : "", path);
	return buf;
}

static int read_line(const char *path, char *buf, size_t size)
{
	char full[512];
	FILE *f = fopen(root(path, full, sizeof(full)), "r");

	if (!f)
		return -errno;
	if (!fgets(buf, size, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int write_line(const char *path, const char *val)
{
	char full[512];
	FILE *f = fopen(root(path, full, sizeof(full)), "w");
	int ret = 0;

	if (!f)
		return -errno;
	if (fprintf(f, "%s\n", val) < 0)
		ret = -EIO;
	if (fclose(f) && !ret)
		ret = -errno;
	return ret;
}

/* A cpumask file's format: comma-separated 32-bit hex words, highest first. */
static void format_mask(const uint64_t *words, unsigned int nr_cpus, char *buf,
			size_t size)
{
	int w, len = 0;

	for (w = (int)((nr_cpus + 31) / 32) - 1; w >= 0; w--) {
		uint32_t v = words[w / 2] >> (32 * (w % 2));

		len += snprintf(buf + len, size - len, "%s%08x",
				len ? "," : "", v);
	}
}

/* Record @path's value in the undo file before it is first changed. */
static int record(const char *undo, const char *path, const char *old)
{
	char line[1024], p[512];
	FILE *f;

	f = fopen(undo, "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%511s", p) == 1 && !strcmp(p, path)) {
			fclose(f);
			return 0;	/* the first value is the one to restore */
		}
	if (f)
		fclose(f);
	f = fopen(undo, "a");
	if (!f)
		return dpkit_fail(errno, "undo file %s: %s", undo, strerror(errno));
	fprintf(f, "%s %s\n", path, old);
	fclose(f);
	return 0;
}

int dpkit_knobs_irqbalance_running(void)
{
	char path[300], comm[32];
	struct dirent *e;
	DIR *d = opendir("/proc");
	FILE *f;
	int found = 0;

	while (d && !found && (e = readdir(d))) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) && !strcmp(comm, "irqbalance\n"))
			found = atoi(e->d_name);
		fclose(f);
	}
	if (d)
		closedir(d);
	return found;
}

unsigned int dpkit_knobs_nr_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_CONF);

	return n > 0 && n <= DPKIT_KNOBS_MAX_CPUS ? n : DPKIT_KNOBS_MAX_CPUS;
}

int dpkit_knobs_apply(const uint64_t *isolated, unsigned int nr_cpus,
		      const char *undo, char *report, size_t size)
{
	static const char *const files[] = { IRQ_DEFAULT, WQ_CPUMASK };
	uint64_t hk[(DPKIT_KNOBS_MAX_CPUS + 63) / 64] = { 0 };
	char old[1024], val[1024];
	unsigned int i, cpu;
	size_t len = 0;
	int ret, pid;

	report[0] = '\0';
	if (nr_cpus > DPKIT_KNOBS_MAX_CPUS)
		return dpkit_fail(EINVAL, "%u CPUs: more than %u", nr_cpus,
				  DPKIT_KNOBS_MAX_CPUS);
	pid = dpkit_knobs_irqbalance_running();
	if (pid)
		return dpkit_fail(EBUSY, "irqbalance (pid %d) is running and would "
				  "move IRQs back onto the isolated CPUs: stop it "
				  "(systemctl stop irqbalance), or give it "
				  "IRQBALANCE_BANNED_CPULIST", pid);
	for (cpu = 0; cpu < nr_cpus; cpu++)
		if (!(isolated[cpu / 64] >> (cpu % 64) & 1))
			hk[cpu / 64] |= 1ULL << (cpu % 64);
	format_mask(hk, nr_cpus, val, sizeof(val));
	snprintf(old, sizeof(old), "%s", undo);
	if (strrchr(old, '/')) {
		*strrchr(old, '/') = '\0';
		mkdir(old, 0755);	/* the undo file's directory */
	}
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		ret = read_line(files[i], old, sizeof(old));
		if (ret) {
			len += snprintf(report + len, size - len, "%s: absent, "
					"skipped\n", files[i]);
			continue;
		}
		ret = record(undo, files[i], old);
		if (ret)
			return ret;
		ret = write_line(files[i], val);
		if (ret)
			return dpkit_fail(-ret, "%s: writing %s: %s", files[i],
					  val, strerror(-ret));
		len += snprintf(report + len, size - len, "%s: %s (was %s)\n",
				files[i], val, old);
	}
	return 0;
}

/*
 * A cgroup v2 cpuset partition of type "isolated" over @cpus: the kernel
 * takes those CPUs from every other cgroup and stops load-balancing them.
 * The directory is recorded as "@rmdir PATH" in @undo.
 */
int dpkit_cpuset_partition(const char *name, const char *cpus,
			   const char *undo, char *path, size_t size)
{
	char buf[256], file[512];
	int ret;

	if (read_line(DPKIT_CGROUP "/cgroup.controllers", buf, sizeof(buf)) ||
	    !strstr(buf, "cpuset"))
		return dpkit_fail(EOPNOTSUPP, "no cgroup v2 cpuset controller at "
				  DPKIT_CGROUP " (mount cgroup2 there)");
	/* Lets children use cpuset; harmless, not undone. */
	ret = write_line(DPKIT_CGROUP "/cgroup.subtree_control", "+cpuset");
	if (ret)
		return dpkit_fail(-ret, "enabling the cpuset controller: %s",
				  strerror(-ret));
	snprintf(path, size, DPKIT_CGROUP "/%s", name);
	root(path, file, sizeof(file));
	if (mkdir(file, 0755) && errno != EEXIST)
		return dpkit_fail(errno, "%s: %s", path, strerror(errno));
	ret = record(undo, "@rmdir", path);
	if (ret)
		return ret;
	snprintf(file, sizeof(file), "%s/cpuset.cpus", path);
	ret = write_line(file, cpus);
	if (!ret) {
		snprintf(file, sizeof(file), "%s/cpuset.cpus.partition", path);
		ret = write_line(file, "isolated");
	}
	if (ret)
		return dpkit_fail(-ret, "%s: CPUs %s as an isolated partition: %s",
				  path, cpus, strerror(-ret));
	/* The kernel accepts the write but may find the partition invalid. */
	read_line(file, buf, sizeof(buf));
	if (strcmp(buf, "isolated"))
		return dpkit_fail(EINVAL, "%s: the kernel says \"%s\"", path, buf);
	return 0;
}

int dpkit_knobs_undo(const char *undo, char *report, size_t size)
{
	char line[1024], path[512], old[512];
	size_t len = 0;
	int ret, bad = 0;
	FILE *f;

	report[0] = '\0';
	f = fopen(undo, "r");
	if (!f)
		return errno == ENOENT ? 0 :
		       dpkit_fail(errno, "undo file %s: %s", undo, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%511s %511s", path, old) != 2)
			continue;
		if (!strcmp(path, "@rmdir")) {
			char full[512];

			/* A cgroup goes when it has no tasks. */
			ret = rmdir(root(old, full, sizeof(full))) && errno != ENOENT ?
			      -errno : 0;
			len += snprintf(report + len, size > len ? size - len : 0,
					"%s: %s\n", old, ret ? strerror(-ret) : "removed");
			bad += !!ret;
			continue;
		}
		ret = write_line(path, old);
		if (ret)
			bad++;
		len += snprintf(report + len, size > len ? size - len : 0,
				"%s: %s%s\n", path, ret ? "could not restore " : "",
				old);
	}
	fclose(f);
	if (bad)
		return dpkit_fail(EIO, "%d setting(s) could not be restored "
				  "(%s kept)", bad, undo);
	unlink(undo);
	return 0;
}

/* The kernel's own isolation: nohz_full= and isolcpus= on its command line. */
int dpkit_knobs_cmdline(char *nohz_full, char *isolcpus, size_t size)
{
	char line[4096], *tok, *save;
	int ret;

	nohz_full[0] = isolcpus[0] = '\0';
	ret = read_line("/proc/cmdline", line, sizeof(line));
	if (ret)
		return dpkit_fail(-ret, "/proc/cmdline: %s", strerror(-ret));
	for (tok = strtok_r(line, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (!strncmp(tok, "nohz_full=", 10))
			snprintf(nohz_full, size, "%s", tok + 10);
		else if (!strncmp(tok, "isolcpus=", 9))
			snprintf(isolcpus, size, "%s", tok + 9);
	}
	return 0;
}
