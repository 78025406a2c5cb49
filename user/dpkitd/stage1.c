/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stage one of the start-up (Documentation/dpkitd.rst, its opening section),
 * before any DPDK call: take a lease on /dev/dpkit, bind the PCI ports (and
 * a DLB2) to vfio-pci through it, isolate the CPUs of "isolate =" through
 * it, write the resolved configuration into a sealed memfd, and exec
 * dpkitd again with both file descriptors. Stage two
 * (main.c) finds the memfd, starts the EAL and runs the dataplane; the
 * lease fd stays open in it, so whenever dpkitd ends, crash included, the
 * kernel gives the NICs back. A failure here undoes what was done (closing
 * the lease does) and changes nothing else. The userspace isolation knobs,
 * which the kernel does not know, are put back by an undo helper process
 * (below) when dpkitd ends, however it ends.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
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

/* Close every descriptor from 3 up but the @n of @keep (ascending). */
static void close_all_but(const int *keep, unsigned int n)
{
	unsigned int from = 3, i;

	for (i = 0; i < n; i++) {
		if (keep[i] < (int)from)
			continue;
		if (keep[i] > (int)from)
			close_range(from, keep[i] - 1, 0);
		from = keep[i] + 1;
	}
	close_range(from, ~0U, 0);
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* The undo helper's descriptor in stage two (DPKITD_UNDO_FD), or -1. */
static int undo_fd = -1;

/*
 * The undo helper: a process stage one forks before it turns the knobs.
 * Stage two gives up its capabilities once started, and may become
 * another user (privs.c): it can no longer write the knobs' files then.
 * The helper can: uid 0 without any capability is enough, the files are
 * root's own. It waits on its end of a socketpair for a byte (stage two's
 * clean exit: it answers once the knobs are back) or for the end of file
 * (dpkitd died, however); puts the knobs back; exits. It holds a copy of
 * the instance lock's descriptor, so that no dpkitd starts before the
 * knobs are back, and one of the lease's, so that after a crash the lease
 * ends (the NICs go back to their drivers) only once the knobs are back:
 * a NIC's new IRQs start on the default IRQ affinity, which must be the
 * host's by then, not the isolated one. It ignores SIGTERM and SIGINT,
 * which systemd and a terminal send to every process of dpkitd's. Returns
 * dpkitd's end of the socketpair (not close-on-exec: it goes to stage
 * two, DPKITD_UNDO_FD), or -errno.
 */
static int undo_helper(int lock, int lease)
{
	int sv[2], keep[3];
	ssize_t n;
	pid_t pid;
	char c;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return -errno;
	}
	if (pid) {
		close(sv[1]);
		return sv[0];
	}
	prctl(PR_SET_NAME, "dpkitd-undo");
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	keep[0] = sv[1];
	keep[1] = lock;
	keep[2] = lease;
	qsort(keep, 3, sizeof(keep[0]), cmp_int);
	close_all_but(keep, 3);
	if (dpk_privs_drop_self())
		_exit(1);		/* and dpkitd's next start puts them back */
	do
		n = read(sv[1], &c, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		fprintf(stderr, "dpkitd-undo: dpkitd ended without putting the "
			"isolation knobs back: putting them back\n");
	dpk_knobs_undo();
	if (n == 1 && write(sv[1], &c, 1) != 1)
		fprintf(stderr, "dpkitd-undo: %s\n", strerror(errno));
	_exit(0);
}

void dpk_knobs_put_back(void)
{
	struct pollfd pfd = { .fd = undo_fd, .events = POLLIN };
	char c = 'u';

	if (undo_fd < 0)
		return;
	if (write(undo_fd, &c, 1) != 1 || poll(&pfd, 1, 10000) != 1 ||
	    read(undo_fd, &c, 1) != 1)
		fprintf(stderr, "dpkitd: the undo helper did not answer: it puts "
			"the isolation knobs back once it sees dpkitd gone, or "
			"the next dpkitd does\n");
	close(undo_fd);
	undo_fd = -1;
}

/*
 * isolate = LIST: through the lease when nothing is isolated (the kernel
 * undoes it when dpkitd ends, however it ends), plus the userspace knobs
 * (default IRQ affinity, workqueue cpumask), journaled as dpkitd's in the
 * knobs' journal, which the undo helper puts back when dpkitd ends (and
 * the next start, should the helper have died too: holding the instance
 * lock, every dpkitd entry there is a dead dpkitd's). An isolation
 * someone else set is used as it is when it covers LIST, else dpkitd
 * refuses: it may not take it over. *@undo: the undo helper's socket.
 */
static int isolate(const struct dpk_config *cfg, struct dpkit *dk, int lock,
		   int *undo)
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
	dpk_crash_point("s1-isolated", -1);	/* the kernel's half only */
	*undo = undo_helper(lock, dpkit_fd(dk));
	if (*undo < 0) {
		fprintf(stderr, "dpkitd: isolate = %s: the undo helper: %s\n",
			list, strerror(-*undo));
		return -1;	/* and the lease clears the isolation */
	}
	nr_cpus = RTE_MIN(dpkit_knobs_nr_cpus(), (unsigned int)DPK_CPU_BITS);
	if (dpkit_knobs_apply(cfg->isolate_cpus, nr_cpus, DPKIT_KNOBS_JOURNAL,
			      DPK_KNOBS_OWNER, report, sizeof(report)) < 0) {
		fprintf(stderr, "dpkitd: isolate = %s: %s\n", list,
			dpkit_errmsg());
		dpk_knobs_undo();
		return -1;	/* and the lease clears the isolation */
	}
	fprintf(stderr, "dpkitd: %s", report);
	dpk_crash_point("s1-knobs", -1);
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
	unsigned int tries;
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
	/*
	 * Stage one's fd holds it already: flock() says yes again. A dpkitd
	 * that has exited may still hold it for a moment through its undo
	 * helper, putting the knobs back: wait for that (10 s at most).
	 */
	for (tries = 0; flock(fd, LOCK_EX | LOCK_NB); tries++) {
		n = pread(fd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		if (tries < 100 && atoi(pid) > 0 && kill(atoi(pid), 0) &&
		    errno == ESRCH) {
			if (!tries)
				fprintf(stderr, "dpkitd: dpkitd %s has exited, its "
					"undo helper still holds %s: waiting\n",
					pid, DPK_LOCK);
			usleep(100000);
			continue;
		}
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
	struct stat st, us;
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
	undo_fd = env_fd("DPKITD_UNDO_FD");
	if (undo_fd >= 0 && (fstat(undo_fd, &us) || !S_ISSOCK(us.st_mode)))
		undo_fd = -1;
	if (undo_fd >= 0)
		fcntl(undo_fd, F_SETFD, FD_CLOEXEC);
	unsetenv("DPKITD_UNDO_FD");
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
	int fd, lock, undo = -1;

	lock = instance_lock(-1, err, sizeof(err));
	if (lock < 0) {
		fprintf(stderr, "dpkitd: %s\n", err);
		return 1;
	}
	dpk_crash_point("s1-locked", -1);
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
	/* A dpkitd that died with its undo helper left its knobs. */
	dpk_knobs_undo();
	dpk_crash_point("s1-leased", -1);
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
		dpk_crash_point("s1-bound", i);
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
	if (cfg->isolate && isolate(cfg, dk, lock, &undo) < 0)
		goto err_close;
	dpk_crash_point("s1-memfd-before", -1);
	fd = write_memfd(cfg, p);
	if (fd < 0) {
		fprintf(stderr, "dpkitd: the configuration memfd: %s\n",
			strerror(-fd));
		goto err_close;
	}
	dpk_crash_point("s1-memfd-after", -1);
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
	if (undo >= 0) {
		snprintf(env, sizeof(env), "%d", undo);
		setenv("DPKITD_UNDO_FD", env, 1);
	}
	dpk_crash_point("s1-exec", -1);
	execv("/proc/self/exe", argv);
	fprintf(stderr, "dpkitd: exec of stage two: %s\n", strerror(errno));
	close(fd);
err_close:
	dpk_crash_point("s1-failed", -1);	/* mid-unwind */
	dpk_knobs_undo();
	if (undo >= 0)
		close(undo);	/* the helper finds nothing left to undo */
	dpkit_close(dk);
	close(lock);
	return 1;
}
