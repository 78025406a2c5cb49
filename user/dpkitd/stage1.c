/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stage one of the start-up (seed 000, the allocator-friendly sequence),
 * before any DPDK call: take a lease on /dev/dpkit, bind the PCI ports (and
 * a DLB2) to vfio-pci through it, isolate the CPUs of "isolate =" through
 * it, write the resolved configuration into a sealed memfd, and exec
 * dpkitd again with both file descriptors. Stage two
 * (main.c) finds the memfd, starts the EAL and runs the dataplane; the
 * lease fd stays open in it, so whenever dpkitd ends, crash included, the
 * kernel gives the NICs back. A failure here undoes what was done (closing
 * the lease does) and changes nothing else.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dpkitd.h"
#include "notify.h"

#define SEALS (F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL)

/* The resolved configuration: the placement written in, as worker-cpus. */
static int write_memfd(struct dpk_config *cfg, const struct dpkit_placement *p)
{
	unsigned int i;
	FILE *f;
	int fd;

	memset(cfg->worker_cpus, 0, sizeof(cfg->worker_cpus));
	for (i = 0; i < p->nr_workers; i++)
		cfg->worker_cpus[p->workers[i] / 64] |= 1ULL << (p->workers[i] % 64);
	cfg->workers_listed = true;
	cfg->nr_workers = p->nr_workers;
	cfg->main_lcore = p->main_cpu;
	if (cfg->eventdev == DPK_EVDEV_SW)
		cfg->service_cpu = p->service_cpu >= 0 ? p->service_cpu :
							 DPK_SERVICE_INLINE;

	fd = memfd_create("dpkitd.conf", MFD_ALLOW_SEALING);	/* kept over exec */
	if (fd < 0)
		return -errno;
	f = fdopen(dup(fd), "w");
	if (!f) {
		close(fd);
		return -errno;
	}
	fprintf(f, "# dpkitd stage one: the resolved configuration\n");
	dpk_config_print(cfg, f);
	if (fclose(f) || fcntl(fd, F_ADD_SEALS, SEALS)) {
		close(fd);
		return -EIO;
	}
	return fd;
}

/*
 * isolate = LIST: through the lease when nothing is isolated (the kernel
 * undoes it when dpkitd ends, however it ends), plus the userspace knobs
 * (default IRQ affinity, workqueue cpumask), journaled as dpkitd's in the
 * knobs' journal, which stage two undoes when it exits (and the next
 * start, after a crash: holding the instance lock, every dpkitd entry
 * there is a dead dpkitd's). An isolation someone else set is used as it
 * is when it covers LIST, else dpkitd refuses: it may not take it over.
 */
/* Put back the knobs a dpkitd changed, if any did. */
void dpk_knobs_undo(void)
{
	char report[1024], *line, *save;
	int ret;

	ret = dpkit_knobs_undo(DPKIT_KNOBS_JOURNAL, DPK_KNOBS_OWNER, report,
			       sizeof(report));
	for (line = strtok_r(report, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		fprintf(stderr, "dpkitd: put back: %s\n", line);
	if (ret < 0)
		fprintf(stderr, "dpkitd: %s\n", dpkit_errmsg());
}

static int isolate(const struct dpk_config *cfg, struct dpkit *dk)
{
	unsigned int nr_bits, moved, unmovable, nr_cpus, i;
	char list[256], report[1024];
	uint64_t *cur;
	bool any = false, covers = true;

	dpkit_cpulist_format(cfg->isolate_cpus, DPK_CPU_BITS, list, sizeof(list));
	if (!dk) {
		fprintf(stderr, "dpkitd: warning: isolate = %s: nothing isolated "
			"without dpkit.ko\n", list);
		return 0;
	}
	if (dpkit_isolate_get(dk, DPKIT_MASK_ISOLATED, &cur, &nr_bits, NULL,
			      NULL) < 0)
		goto err;
	for (i = 0; i < DPK_CPU_BITS; i++) {
		bool want = cfg->isolate_cpus[i / 64] >> (i % 64) & 1;
		bool have = i < nr_bits && (cur[i / 64] >> (i % 64) & 1);

		any |= have;
		covers &= !want || have;
	}
	free(cur);
	if (any) {
		if (!covers) {
			fprintf(stderr, "dpkitd: isolate = %s: dpkit.ko already "
				"isolates other CPUs for someone else (dpkitctl "
				"isolate show); dpkitd will not take that over: "
				"clear it, or isolate these CPUs with it\n", list);
			return -EBUSY;
		}
		fprintf(stderr, "dpkitd: CPUs %s are already isolated (by the "
			"admin): dpkitd uses that isolation as it is\n", list);
		return 0;
	}
	if (dpkit_isolate_set(dk, cfg->isolate_cpus, DPK_CPU_BITS, &moved,
			      &unmovable) < 0)
		goto err;
	fprintf(stderr, "dpkitd: isolated CPUs %s through the lease: %u IRQs "
		"moved off, %u left (dpkitctl isolate show)\n", list, moved,
		unmovable);
	nr_cpus = RTE_MIN(dpkit_knobs_nr_cpus(), (unsigned int)DPK_CPU_BITS);
	if (dpkit_knobs_apply(cfg->isolate_cpus, nr_cpus, DPKIT_KNOBS_JOURNAL,
			      DPK_KNOBS_OWNER, report, sizeof(report)) < 0) {
		fprintf(stderr, "dpkitd: isolate = %s: %s\n", list,
			dpkit_errmsg());
		dpk_knobs_undo();
		return -1;	/* and the lease clears the isolation */
	}
	fprintf(stderr, "dpkitd: %s", report);
	return 0;
err:
	fprintf(stderr, "dpkitd: isolate = %s: %s\n", list, dpkit_errmsg());
	return -1;
}

/*
 * One dpkitd per host: they would share the telemetry socket (the EAL's
 * file prefix) and the knobs' journal. The lock is held by an fd that
 * stays open over the exec (DPKITD_LOCK_FD), so stage two holds it until
 * it ends. @fd: that fd in stage two, else -1 (open the lock file).
 * Returns the fd holding the lock, or -errno and @err.
 */
static int instance_lock(int fd, char *err, size_t size)
{
	struct stat a, b;
	char pid[32] = "";
	ssize_t n;

	mkdir(DPK_RUN_DIR, 0755);
	if (fd >= 0) {
		if (fstat(fd, &a) || stat(DPK_LOCK, &b) || a.st_dev != b.st_dev ||
		    a.st_ino != b.st_ino) {
			snprintf(err, size, "DPKITD_LOCK_FD %d is not %s", fd,
				 DPK_LOCK);
			return -EBADF;
		}
	} else {
		fd = open(DPK_LOCK, O_RDWR | O_CREAT, 0644);	/* no O_CLOEXEC */
		if (fd < 0) {
			snprintf(err, size, "%s: %s", DPK_LOCK, strerror(errno));
			return -errno;
		}
	}
	/* Stage one's fd holds it already: flock() says yes again. */
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		n = pread(fd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		snprintf(err, size, "another dpkitd is running (pid %s, holding "
			 "%s): one per host", pid[0] ? pid : "?", DPK_LOCK);
		close(fd);
		return -EBUSY;
	}
	n = snprintf(pid, sizeof(pid), "%d\n", getpid());
	if (ftruncate(fd, 0) || pwrite(fd, pid, n, 0) != n)
		fprintf(stderr, "dpkitd: %s: %s\n", DPK_LOCK, strerror(errno));
	return fd;
}

/* A file descriptor number from the environment, or -1. */
static int env_fd(const char *name)
{
	const char *v = getenv(name);
	char *end;
	long fd;

	if (!v)
		return -1;
	errno = 0;
	fd = strtol(v, &end, 10);
	if (errno || end == v || *end || fd < 0 || fd > INT_MAX ||
	    fcntl(fd, F_GETFD) < 0)
		return -1;
	return fd;
}

char *dpk_stage2_config(char *err, size_t size)
{
	char link[64], name[64], *text;
	struct stat st;
	int fd, seals, lock;
	ssize_t n;

	fd = env_fd("DPKITD_CONFIG_FD");
	if (fd < 0) {
		snprintf(err, size, "DPKITD_CONFIG_FD=%s: not an open file "
			 "descriptor", getenv("DPKITD_CONFIG_FD"));
		return NULL;
	}
	/* Only a memfd has seals; stage one named it dpkitd.conf. */
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, name, sizeof(name) - 1);
	name[n > 0 ? n : 0] = '\0';
	seals = fcntl(fd, F_GET_SEALS);
	if (seals < 0 || (strcmp(name, "/memfd:dpkitd.conf (deleted)") &&
			  strcmp(name, "/memfd:dpkitd.conf")) ||
	    fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(err, size, "DPKITD_CONFIG_FD %d (%s): not a sealed memfd "
			 "from stage one", fd, name[0] ? name : "?");
		return NULL;
	}
	if ((seals & SEALS) != SEALS) {
		snprintf(err, size, "DPKITD_CONFIG_FD %d: the memfd is not sealed "
			 "against change (seals 0x%x, needs 0x%x)", fd, seals,
			 SEALS);
		return NULL;
	}
	if (st.st_size > DPK_CONFIG_MAX) {
		snprintf(err, size, "DPKITD_CONFIG_FD %d: %lld bytes, over %d", fd,
			 (long long)st.st_size, DPK_CONFIG_MAX);
		return NULL;
	}
	lock = instance_lock(env_fd("DPKITD_LOCK_FD"), err, size);
	if (lock < 0)
		return NULL;
	/* Held to the end of stage two, by no program it might start. */
	fcntl(lock, F_SETFD, FD_CLOEXEC);
	text = calloc(1, st.st_size + 1);
	if (!text || pread(fd, text, st.st_size, 0) != st.st_size) {
		snprintf(err, size, "DPKITD_CONFIG_FD %d: reading it: %s", fd,
			 text ? strerror(errno) : "out of memory");
		free(text);
		return NULL;
	}
	close(fd);
	unsetenv("DPKITD_CONFIG_FD");
	unsetenv("DPKITD_LOCK_FD");
	return text;
}

int dpk_stage1(struct dpk_config *cfg, const struct dpkit_placement *p,
	       char **argv)
{
	struct dpkit_nic_bind res;
	struct dpkit *dk = NULL;
	unsigned int i, nr_pci = 0;
	char env[32], dlb2[16] = "", err[256];
	int fd, lock;

	lock = instance_lock(-1, err, sizeof(err));
	if (lock < 0) {
		fprintf(stderr, "dpkitd: %s\n", err);
		return 1;
	}
	dpk_notify("STATUS=stage one: the lease, NIC binds, CPU isolation");
	for (i = 0; i < cfg->nr_ports; i++)
		nr_pci += cfg->ports[i].is_pci;
	if (cfg->eventdev == DPK_EVDEV_DLB2) {
		/* "BDF[,devargs]": config.c checked the address is there. */
		snprintf(dlb2, sizeof(dlb2), "%.12s", cfg->eventdev_args);
		nr_pci++;
	}
	if (dpkit_open(NULL, &dk) < 0) {
		if (nr_pci) {
			fprintf(stderr, "dpkitd: PCI ports%s need dpkit.ko to bind "
				"them: %s\n", dlb2[0] ? " and the DLB2" : "",
				dpkit_errmsg());
			goto err_close;
		}
		fprintf(stderr, "dpkitd: warning: running without dpkit.ko (%s): "
			"no NIC binds, no isolation, no link reports\n",
			dpkit_errmsg());
		dk = NULL;
	}
	if (dk && dpkit_lease(dk) < 0) {
		fprintf(stderr, "dpkitd: %s\n", dpkit_errmsg());
		goto err_close;
	}
	/* A dpkitd that did not exit cleanly left its knobs. */
	dpk_knobs_undo();
	for (i = 0; dk && i < cfg->nr_ports; i++) {
		if (!cfg->ports[i].is_pci)
			continue;
		if (dpkit_nic_bind(dk, cfg->ports[i].device, "vfio-pci", 0,
				   &res) < 0) {
			fprintf(stderr, "dpkitd: port %s: %s\n", cfg->ports[i].name,
				dpkit_errmsg());
			goto err_close;	/* the lease gives back what was bound */
		}
		fprintf(stderr, "dpkitd: port %s: %s %s\n", cfg->ports[i].name,
			cfg->ports[i].device, res.result & DPKIT_BIND_R_ALREADY ?
			"already on vfio-pci" : "bound to vfio-pci");
	}

	if (dk && dlb2[0]) {
		if (dpkit_nic_bind(dk, dlb2, "vfio-pci", 0, &res) < 0) {
			fprintf(stderr, "dpkitd: eventdev: %s\n", dpkit_errmsg());
			goto err_close;
		}
		fprintf(stderr, "dpkitd: eventdev: DLB2 %s %s\n", dlb2,
			res.result & DPKIT_BIND_R_ALREADY ?
			"already on vfio-pci" : "bound to vfio-pci");
	}
	if (cfg->isolate && isolate(cfg, dk) < 0)
		goto err_close;
	fd = write_memfd(cfg, p);
	if (fd < 0) {
		fprintf(stderr, "dpkitd: the configuration memfd: %s\n",
			strerror(-fd));
		goto err_close;
	}
	snprintf(env, sizeof(env), "%d", fd);
	setenv("DPKITD_CONFIG_FD", env, 1);
	snprintf(env, sizeof(env), "%d", lock);
	setenv("DPKITD_LOCK_FD", env, 1);
	if (dk) {
		/* The lease lives on in stage two: clear close-on-exec. */
		fcntl(dpkit_fd(dk), F_SETFD, 0);
		snprintf(env, sizeof(env), "%d", dpkit_fd(dk));
		setenv("DPKITD_LEASE_FD", env, 1);
	}
	execv("/proc/self/exe", argv);
	fprintf(stderr, "dpkitd: exec of stage two: %s\n", strerror(errno));
	close(fd);
err_close:
	dpk_knobs_undo();
	dpkit_close(dk);
	close(lock);
	return 1;
}
