/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The isolation knobs only userspace can turn: the default affinity new
 * IRQs start with, the unbound workqueues' cpumask, a cgroup cpuset
 * partition, irqbalance, and what the kernel command line says (nohz_full,
 * isolcpus).
 *
 * Every change is recorded first in one journal (DPKIT_KNOBS_JOURNAL),
 * shared by dpkitctl and dpkitd and on disk (fsync'd, renamed into place)
 * before the change is made, so that whoever changed a knob, and however
 * it ended, a later undo puts it back (Documentation/nic-isolation.rst,
 * "The knobs' journal"). An entry is "OWNER set PATH VALUE" (PATH held
 * VALUE before OWNER's first change) or "OWNER rmdir PATH" (OWNER made the
 * directory). The entries for one PATH stack up in the order their owners
 * changed it: an owner's undo restores a knob when its entry is the top
 * one, and otherwise hands its old value up to the entry above it, leaving
 * the other owner's setting in place. Any order of applies and undos, by
 * any owners, ends with the host as it was. An apply or an undo holds the
 * journal's lock (JOURNAL.lock, flock) from its first read to its last
 * write, so two programs at once take turns.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libdpkit.h"
#include "priv.h"

#define IRQ_DEFAULT	"/proc/irq/default_smp_affinity"
#define DPKIT_CGROUP	"/sys/fs/cgroup"
#define WQ_CPUMASK	"/sys/devices/virtual/workqueue/cpumask"
/* A cpumask of DPKIT_KNOBS_MAX_CPUS: 32-bit words, 8 digits and a comma. */
#define MASK_CHARS	(DPKIT_KNOBS_MAX_CPUS / 32 * 9 + 1)
#define JOURNAL_MAX	64
#define OWNER_CHARS	"abcdefghijklmnopqrstuvwxyz0123456789_-"

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
	size_t len = 0;
	int w;

	buf[0] = '\0';
	for (w = (int)((nr_cpus + 31) / 32) - 1; w >= 0 && len < size; w--) {
		uint32_t v = words[w / 2] >> (32 * (w % 2));

		len += snprintf(buf + len, size - len, "%s%08x",
				len ? "," : "", v);
	}
}

/* ---- the journal ------------------------------------------------------ */

struct entry {
	char owner[32];
	char kind[8];			/* "set" or "rmdir" */
	char path[256];
	char value[MASK_CHARS];
};

struct journal {
	const char *file;
	unsigned int n;
	struct entry e[JOURNAL_MAX];
};

static int owner_ok(const char *owner)
{
	size_t len = owner ? strlen(owner) : 0;

	if (!len || len >= sizeof(((struct entry *)0)->owner) ||
	    strspn(owner, OWNER_CHARS) != len)
		return dpkit_fail(EINVAL, "knobs journal: owner '%s': one word of "
				  "[a-z0-9_-]", owner ? owner : "(null)");
	return 0;
}

/* "OWNER KIND PATH[ VALUE]" (VALUE: the rest of the line) into @e. */
static int parse_entry(char *line, struct entry *e)
{
	char *kind, *path, *value;

	kind = strchr(line, ' ');
	if (!kind)
		return -1;
	*kind++ = '\0';
	path = strchr(kind, ' ');
	if (!path)
		return -1;
	*path++ = '\0';
	value = strchr(path, ' ');
	if (value)
		*value++ = '\0';
	else
		value = "";
	if (strlen(line) >= sizeof(e->owner) || strlen(path) >= sizeof(e->path) ||
	    strlen(value) >= sizeof(e->value) || path[0] != '/' ||
	    (strcmp(kind, "set") && strcmp(kind, "rmdir")))
		return -1;
	strcpy(e->owner, line);
	strcpy(e->kind, kind);
	strcpy(e->path, path);
	strcpy(e->value, value);
	return 0;
}

/*
 * Read @file into @j (no file: no entry). A last line without its newline
 * was torn by a crash while it was written: the change it announced was
 * never made, so it is dropped.
 */
static int journal_load(struct journal *j, const char *file)
{
	char line[sizeof(struct entry) + 16];
	FILE *f;

	j->file = file;
	j->n = 0;
	f = fopen(file, "re");
	if (!f)
		return errno == ENOENT ? 0 :
		       dpkit_fail(errno, "knobs journal %s: %s", file,
				  strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		size_t len = strlen(line);

		if (!len || line[len - 1] != '\n')
			continue;
		line[len - 1] = '\0';
		if (j->n == JOURNAL_MAX) {
			fclose(f);
			return dpkit_fail(E2BIG, "knobs journal %s: over %d entries",
					  file, JOURNAL_MAX);
		}
		if (parse_entry(line, &j->e[j->n]) == 0)
			j->n++;
	}
	fclose(f);
	return 0;
}

/* The directory of @file: made if missing (@make), fsync'd. */
static void journal_dir(const char *file, bool make)
{
	char dir[PATH_MAX];
	int fd;

	snprintf(dir, sizeof(dir), "%s", file);
	if (!strrchr(dir, '/'))
		snprintf(dir, sizeof(dir), ".");
	else if (strrchr(dir, '/') == dir)
		dir[1] = '\0';
	else
		*strrchr(dir, '/') = '\0';
	if (make)
		mkdir(dir, 0755);	/* /run/dpkit */
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/*
 * Replace the journal with @j, atomically and durably: a temporary file,
 * fsync'd, renamed over it, the directory fsync'd. No entry: no file.
 */
static int journal_save(const struct journal *j)
{
	char tmp[PATH_MAX];
	unsigned int i;
	FILE *f;
	int ret = 0;

	if (!j->n) {
		if (unlink(j->file) && errno != ENOENT)
			return dpkit_fail(errno, "knobs journal %s: %s", j->file,
					  strerror(errno));
		journal_dir(j->file, false);
		return 0;
	}
	journal_dir(j->file, true);
	snprintf(tmp, sizeof(tmp), "%s.tmp", j->file);
	f = fopen(tmp, "we");
	if (!f)
		return dpkit_fail(errno, "knobs journal %s: %s", tmp,
				  strerror(errno));
	for (i = 0; i < j->n; i++)
		fprintf(f, "%s %s %s%s%s\n", j->e[i].owner, j->e[i].kind,
			j->e[i].path, j->e[i].value[0] ? " " : "",
			j->e[i].value);
	if (fflush(f) || fsync(fileno(f)))
		ret = -errno;
	if (fclose(f) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, j->file))
		ret = -errno;
	if (ret) {
		unlink(tmp);
		return dpkit_fail(-ret, "knobs journal %s: %s", j->file,
				  strerror(-ret));
	}
	journal_dir(j->file, false);
	return 0;
}

/*
 * Take the journal's lock (blocking: the holder only writes a few small
 * files). Returns its fd, for journal_unlock(), or -errno.
 */
static int journal_lock(const char *file)
{
	char path[PATH_MAX];
	int fd;

	journal_dir(file, true);
	snprintf(path, sizeof(path), "%s.lock", file);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return dpkit_fail(errno, "knobs journal lock %s: %s", path,
				  strerror(errno));
	while (flock(fd, LOCK_EX)) {
		if (errno != EINTR) {
			close(fd);
			return dpkit_fail(errno, "knobs journal lock %s: %s",
					  path, strerror(errno));
		}
	}
	return fd;
}

static void journal_unlock(int fd)
{
	close(fd);
}

/* The top entry of @kind for @path at index @from or above, or -1. */
static int journal_top(const struct journal *j, const char *kind,
		       const char *path, unsigned int from)
{
	int top = -1;

	for (; from < j->n; from++)
		if (!strcmp(j->e[from].kind, kind) &&
		    !strcmp(j->e[from].path, path))
			top = from;
	return top;
}

/*
 * Before @owner changes @path (which holds @old): a new entry on top of
 * @path's stack, unless @owner's is the top one already (the first value
 * of a layer is the one to restore).
 */
static int journal_record(const char *file, const char *owner,
			  const char *kind, const char *path, const char *old)
{
	struct journal *j;
	struct entry *e;
	int top, ret;

	if (strlen(path) >= sizeof(e->path) || strlen(old) >= sizeof(e->value))
		return dpkit_fail(ENAMETOOLONG, "knobs journal: %s: too long",
				  path);
	j = malloc(sizeof(*j));
	if (!j)
		return dpkit_fail(ENOMEM, "knobs journal: out of memory");
	ret = journal_load(j, file);
	if (ret)
		goto out;
	top = journal_top(j, kind, path, 0);
	if (top >= 0 && !strcmp(j->e[top].owner, owner))
		goto out;
	if (j->n == JOURNAL_MAX) {
		ret = dpkit_fail(E2BIG, "knobs journal %s: over %d entries", file,
				 JOURNAL_MAX);
		goto out;
	}
	e = &j->e[j->n++];
	strcpy(e->owner, owner);
	strcpy(e->kind, kind);
	strcpy(e->path, path);
	strcpy(e->value, old);
	ret = journal_save(j);
out:
	free(j);
	return ret;
}

/* ---- the knobs -------------------------------------------------------- */

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
		      const char *journal, const char *owner, char *report,
		      size_t size)
{
	static const char *const files[] = { IRQ_DEFAULT, WQ_CPUMASK };
	uint64_t hk[(DPKIT_KNOBS_MAX_CPUS + 63) / 64] = { 0 };
	char old[MASK_CHARS], val[MASK_CHARS];
	unsigned int i, cpu;
	size_t len = 0;
	int ret, pid, lock;

	report[0] = '\0';
	ret = owner_ok(owner);
	if (ret)
		return ret;
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
	lock = journal_lock(journal);
	if (lock < 0)
		return lock;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		ret = read_line(files[i], old, sizeof(old));
		if (ret) {
			len += snprintf(report + len, size > len ? size - len : 0,
					"%s: absent, skipped\n", files[i]);
			ret = 0;
			continue;
		}
		ret = journal_record(journal, owner, "set", files[i], old);
		if (ret)
			break;
		ret = write_line(files[i], val);
		if (ret) {
			ret = dpkit_fail(-ret, "%s: writing %s: %s", files[i],
					 val, strerror(-ret));
			break;
		}
		len += snprintf(report + len, size > len ? size - len : 0,
				"%s: %s (was %s)\n", files[i], val, old);
	}
	journal_unlock(lock);
	return ret;
}

/*
 * A cgroup v2 cpuset partition of type "isolated" over @cpus: the kernel
 * takes those CPUs from every other cgroup and stops load-balancing them.
 * A directory this call makes is journaled ("rmdir") before it is made.
 */
int dpkit_cpuset_partition(const char *name, const char *cpus,
			   const char *journal, const char *owner, char *path,
			   size_t size)
{
	char buf[256], file[512];
	struct stat st;
	int ret, lock;

	ret = owner_ok(owner);
	if (ret)
		return ret;
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
	lock = journal_lock(journal);
	if (lock < 0)
		return lock;
	if (stat(file, &st)) {
		ret = journal_record(journal, owner, "rmdir", path, "");
		if (!ret && mkdir(file, 0755) && errno != EEXIST)
			ret = dpkit_fail(errno, "%s: %s", path, strerror(errno));
	}
	journal_unlock(lock);
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

/*
 * @owner's entries, newest first: each one undone is off the journal on
 * disk before the next is touched, so a crash in between repeats at most
 * one write of the same value.
 */
int dpkit_knobs_undo(const char *journal, const char *owner, char *report,
		     size_t size)
{
	struct journal *j;
	char full[512];
	size_t len = 0;
	unsigned int i;
	int ret, bad = 0, above, lock;

	report[0] = '\0';
	ret = owner_ok(owner);
	if (ret)
		return ret;
	j = malloc(sizeof(*j));
	if (!j)
		return dpkit_fail(ENOMEM, "knobs journal: out of memory");
	lock = journal_lock(journal);
	if (lock < 0) {
		free(j);
		return lock;
	}
	ret = journal_load(j, journal);
	if (ret)
		goto out;
	for (i = j->n; i-- > 0;) {
		struct entry *e = &j->e[i];

		if (strcmp(e->owner, owner))
			continue;
		if (!strcmp(e->kind, "rmdir")) {
			/* A cgroup goes when it has no tasks. */
			ret = rmdir(root(e->path, full, sizeof(full))) &&
			      errno != ENOENT ? -errno : 0;
			len += snprintf(report + len, size > len ? size - len : 0,
					"%s: %s\n", e->path,
					ret ? strerror(-ret) : "removed");
		} else if ((above = journal_top(j, "set", e->path, i + 1)) >= 0) {
			/* Changed by another owner since: theirs stays, and
			 * their undo puts back what was there before ours. */
			strcpy(j->e[above].value, e->value);
			ret = 0;
			len += snprintf(report + len, size > len ? size - len : 0,
					"%s: left as %s set it\n", e->path,
					j->e[above].owner);
		} else {
			ret = write_line(e->path, e->value);
			len += snprintf(report + len, size > len ? size - len : 0,
					"%s: %s%s\n", e->path,
					ret ? "could not restore " : "", e->value);
		}
		if (ret) {
			bad++;
			continue;
		}
		memmove(e, e + 1, (j->n - i - 1) * sizeof(*e));
		j->n--;
		ret = journal_save(j);
		if (ret)
			goto out;
	}
	if (bad)
		ret = dpkit_fail(EIO, "%d setting(s) could not be restored (kept "
				 "in %s)", bad, journal);
out:
	journal_unlock(lock);
	free(j);
	return ret;
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
