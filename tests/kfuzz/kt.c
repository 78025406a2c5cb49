// SPDX-License-Identifier: BSD-3-Clause
/*
 * kt: shared by the kernel fuzz and stress programs; see kt.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "kt.h"

/* ---- random ---------------------------------------------------------- */

void kt_rng_seed(struct kt_rng *r, uint64_t seed, uint64_t stream)
{
	r->s = seed ^ (stream * 0xd1342543de82ef95ULL);
	kt_rand(r);
}

uint64_t kt_rand(struct kt_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t kt_below(struct kt_rng *r, uint64_t n)
{
	return kt_rand(r) % n;
}

int kt_one_in(struct kt_rng *r, uint64_t n)
{
	return n && kt_below(r, n) == 0;
}

uint64_t kt_seed_now(void)
{
	struct kt_rng r;

	kt_rng_seed(&r, kt_now_ns(), (uint64_t)getpid());
	return kt_rand(&r) % 1000000000ULL;
}

/* ---- time and output ------------------------------------------------- */

uint64_t kt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void kt_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

void kt_say(const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	n = snprintf(line, sizeof(line), "# ");
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	/* One write per line: lines of several processes do not interleave. */
	if (write(STDOUT_FILENO, line, (size_t)n) < 0)
		return;
}

const char *kt_errname(int err)
{
	static __thread char buf[16];
	const char *name;

	if (!err)
		return "ok";
	name = strerrorname_np(err);
	if (name)
		return name;
	snprintf(buf, sizeof(buf), "E%d", err);
	return buf;
}

/* ---- the board ------------------------------------------------------- */

struct kt_board *kt_board_new(int nr)
{
	size_t size = sizeof(struct kt_board) + (size_t)nr * sizeof(struct kt_worker);
	struct kt_board *b;

	b = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		 -1, 0);
	if (b == MAP_FAILED) {
		perror("kt: mmap the board");
		exit(1);
	}
	memset(b, 0, size);
	b->nr = nr;
	return b;
}

pid_t kt_spawn(struct kt_board *b, int i, const char *role,
	       int (*fn)(struct kt_board *, int, void *), void *arg)
{
	struct kt_worker *w = &b->w[i];
	pid_t parent = getpid(), pid;

	snprintf(w->role, sizeof(w->role), "%s", role);
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("kt: fork");
		exit(1);
	}
	if (pid) {
		w->pid = pid;
		return pid;
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	/* Its own process group: kt_board_kill() ends its helpers too. */
	setpgid(0, 0);
	kt_name(role);
	w->pid = getpid();
	_exit(fn(b, i, arg));
}

void kt_op_begin(struct kt_worker *w, uint64_t limit_ms, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->op, sizeof(w->op), fmt, ap);
	va_end(ap);
	w->op_limit_ns = limit_ms * 1000000ULL;
	__atomic_store_n(&w->op_start_ns, kt_now_ns(), __ATOMIC_RELEASE);
}

void kt_op_end(struct kt_worker *w, int err)
{
	if (err < 0)
		err = -err;
	w->errs[err < KT_NR_ERRNO ? err : KT_NR_ERRNO - 1]++;
	w->ops++;
	__atomic_store_n(&w->op_start_ns, 0, __ATOMIC_RELEASE);
}

static void kt_dump_proc_file(const char *path, const char *label)
{
	char buf[8192];
	char *line, *save;

	if (kt_read_file(path, buf, sizeof(buf)) < 0)
		return;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		kt_say("    %s%s", label, line);
}

/* One thread: "pid/tid comm state wchan", then its kernel stack. */
static void kt_dump_thread(pid_t pid, const char *tid)
{
	char path[320], comm[64] = "", wchan[96] = "", stat[512] = "";
	char *state;

	snprintf(path, sizeof(path), "/proc/%d/task/%s/comm", pid, tid);
	kt_read_file(path, comm, sizeof(comm));
	comm[strcspn(comm, "\n")] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/task/%s/wchan", pid, tid);
	kt_read_file(path, wchan, sizeof(wchan));
	snprintf(path, sizeof(path), "/proc/%d/task/%s/stat", pid, tid);
	kt_read_file(path, stat, sizeof(stat));
	state = strrchr(stat, ')');
	kt_say("  task %d/%s (%s) state %c wchan %s", pid, tid, comm,
	       state && state[1] ? state[2] : '?', *wchan ? wchan : "-");
	snprintf(path, sizeof(path), "/proc/%d/task/%s/stack", pid, tid);
	kt_dump_proc_file(path, "");
}

void kt_dump_task(pid_t pid)
{
	char path[64];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	if (!d) {
		kt_say("  task %d: gone", pid);
		return;
	}
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			kt_dump_thread(pid, de->d_name);
	closedir(d);
}

int kt_dump_blocked(void)
{
	char path[600], stat[512];
	struct dirent *pe, *te;
	DIR *pd, *td;
	char *state;
	int n = 0;

	pd = opendir("/proc");
	if (!pd)
		return 0;
	while ((pe = readdir(pd))) {
		if (pe->d_name[0] < '0' || pe->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/task", pe->d_name);
		td = opendir(path);
		if (!td)
			continue;
		while ((te = readdir(td))) {
			if (te->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/proc/%s/task/%s/stat",
				 pe->d_name, te->d_name);
			if (kt_read_file(path, stat, sizeof(stat)) < 0)
				continue;
			state = strrchr(stat, ')');
			if (!state || state[1] != ' ' || state[2] != 'D')
				continue;
			kt_dump_thread(atoi(pe->d_name), te->d_name);
			n++;
		}
		closedir(td);
	}
	closedir(pd);
	return n;
}

/* A worker ended: a signal (other than a kill at a hang) or a status is a failure. */
static void kt_worker_exited(struct kt_worker *w, int i, int status)
{
	w->exited = 1;
	if (WIFEXITED(status) && !WEXITSTATUS(status))
		return;
	w->failed++;
	if (WIFSIGNALED(status))
		kt_say("worker %d (%s) died of signal %d (%s) in '%s'", i, w->role,
		       WTERMSIG(status), strsignal(WTERMSIG(status)), w->op);
}

int kt_board_watch(struct kt_board *b, uint64_t deadline_ns,
		   unsigned int grace_ms)
{
	uint64_t now, start, stop_at = 0;
	struct kt_worker *w;
	int i, live, status;
	pid_t pid;

	for (;;) {
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
			for (i = 0; i < b->nr; i++)
				if (b->w[i].pid == pid)
					kt_worker_exited(&b->w[i], i, status);
		now = kt_now_ns();
		live = 0;
		for (i = 0; i < b->nr; i++) {
			w = &b->w[i];
			if (!w->pid || w->exited)
				continue;
			live++;
			start = __atomic_load_n(&w->op_start_ns, __ATOMIC_ACQUIRE);
			now = kt_now_ns();	/* after the load: never before start */
			if (!start || now - start <= w->op_limit_ns)
				continue;
			kt_say("HANG: worker %d (%s, pid %d) is stuck in %s for %llu s "
			       "(limit %llu s)", i, w->role, w->pid, w->op,
			       (unsigned long long)((now - start) / 1000000000ULL),
			       (unsigned long long)(w->op_limit_ns / 1000000000ULL));
			kt_say("the stuck worker:");
			kt_dump_task(w->pid);
			kt_say("every task in D state:");
			if (!kt_dump_blocked())
				kt_say("  (none)");
			return i;
		}
		if (!live)
			return -1;
		if (!stop_at && deadline_ns && now >= deadline_ns) {
			b->stop = 1;
			stop_at = now + grace_ms * 1000000ULL;
		}
		if (stop_at && now >= stop_at) {
			/* Between calls but not exiting: a worker bug, not a hang. */
			for (i = 0; i < b->nr; i++)
				if (b->w[i].pid && !b->w[i].exited)
					kt_say("worker %d (%s) did not stop; op '%s'",
					       i, b->w[i].role, b->w[i].op);
			return -1;
		}
		kt_sleep_ms(100);
	}
}

int kt_board_reap(struct kt_board *b)
{
	int i, status, failed = 0;

	for (i = 0; i < b->nr; i++) {
		if (b->w[i].pid && !b->w[i].exited &&
		    waitpid(b->w[i].pid, &status, WNOHANG) == b->w[i].pid)
			kt_worker_exited(&b->w[i], i, status);
		failed += b->w[i].failed != 0;
	}
	return failed;
}

void kt_board_kill(struct kt_board *b)
{
	int i;

	/*
	 * The whole group: a helper holding a file another task waits for
	 * must die even when its worker is stuck in D state.
	 */
	for (i = 0; i < b->nr; i++)
		if (b->w[i].pid && !b->w[i].exited) {
			kill(-b->w[i].pid, SIGKILL);
			kill(b->w[i].pid, SIGKILL);
		}
}

void kt_name(const char *what)
{
	char name[16];

	snprintf(name, sizeof(name), "kt-%s", what);
	prctl(PR_SET_NAME, name);
}

void kt_board_print(const struct kt_board *b)
{
	char line[768];
	int i, e, n;

	for (i = 0; i < b->nr; i++) {
		const struct kt_worker *w = &b->w[i];

		n = snprintf(line, sizeof(line), "worker %d %-10s %8llu calls:", i,
			     w->role, (unsigned long long)w->ops);
		for (e = 0; e < KT_NR_ERRNO && n < (int)sizeof(line) - 32; e++)
			if (w->errs[e])
				n += snprintf(line + n, sizeof(line) - (size_t)n,
					      " %s %llu", kt_errname(e),
					      (unsigned long long)w->errs[e]);
		kt_say("%s%s", line, w->failed ? " (FAILED)" : "");
	}
}

/* ---- files, sysfs, drivers --------------------------------------------- */

int kt_write_file(const char *path, const char *text)
{
	size_t len = strlen(text);
	ssize_t n;
	int fd, err;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, text, len);
	err = n < 0 ? -errno : (size_t)n == len ? 0 : -EIO;
	close(fd);
	return err;
}

int kt_read_file(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	buf[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return (int)n;
}

void kt_driver_of(const char *bdf, char *buf, size_t size)
{
	char path[128], link[256];
	const char *slash;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0) {
		snprintf(buf, size, "%s", "");
		return;
	}
	link[n] = '\0';
	slash = strrchr(link, '/');
	snprintf(buf, size, "%s", slash ? slash + 1 : link);
}

int kt_iommu_group(const char *bdf)
{
	char path[128], link[256];
	const char *slash;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -1;
	link[n] = '\0';
	slash = strrchr(link, '/');
	return slash ? atoi(slash + 1) : -1;
}

/* ---- VFIO ------------------------------------------------------------- */

int kt_vfio_open(const char *bdf, struct kt_vfio *v)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	const char *call;
	char path[64];
	int grp, err;

	v->container = v->group = v->device = -1;
	grp = kt_iommu_group(bdf);
	if (grp < 0) {
		fprintf(stderr, "kt: %s has no IOMMU group\n", bdf);
		return -ENODEV;
	}
	call = "open /dev/vfio/vfio";
	v->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (v->container < 0)
		goto err;
	call = "VFIO_CHECK_EXTENSION(TYPE1v2)";
	if (ioctl(v->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) != 1) {
		errno = ENOTSUP;
		goto err;
	}
	snprintf(path, sizeof(path), "/dev/vfio/%d", grp);
	call = path;
	v->group = open(path, O_RDWR | O_CLOEXEC);
	if (v->group < 0)
		goto err;
	call = "VFIO_GROUP_GET_STATUS";
	if (ioctl(v->group, VFIO_GROUP_GET_STATUS, &st))
		goto err;
	if (!(st.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		call = "VFIO_GROUP_GET_STATUS (group not viable)";
		errno = EBUSY;
		goto err;
	}
	call = "VFIO_GROUP_SET_CONTAINER";
	if (ioctl(v->group, VFIO_GROUP_SET_CONTAINER, &v->container))
		goto err;
	call = "VFIO_SET_IOMMU(TYPE1v2)";
	if (ioctl(v->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		goto err;
	call = "VFIO_GROUP_GET_DEVICE_FD";
	v->device = ioctl(v->group, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (v->device < 0)
		goto err;
	return 0;
err:
	err = -errno;
	fprintf(stderr, "kt: %s: %s: %s\n", bdf, call, strerror(errno));
	kt_vfio_close(v);
	return err;
}

void kt_vfio_close(struct kt_vfio *v)
{
	if (v->device >= 0)
		close(v->device);
	if (v->group >= 0)
		close(v->group);
	if (v->container >= 0)
		close(v->container);
	v->container = v->group = v->device = -1;
}

/* ---- the host ---------------------------------------------------------- */

int kt_host_port(char *buf, size_t size)
{
	char path[300], name[64];
	struct dirent *de;
	DIR *d;

	d = opendir("/sys/class/virtio-ports");
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/class/virtio-ports/%s/name",
			 de->d_name);
		if (kt_read_file(path, name, sizeof(name)) < 0 ||
		    strncmp(name, "dpkit.host", 10))
			continue;
		snprintf(buf, size, "/dev/%s", de->d_name);
		closedir(d);
		return 0;
	}
	closedir(d);
	return -1;
}

int kt_host(int fd, const char *cmd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char reply[256];
	size_t n = 0;
	ssize_t r;

	if (dprintf(fd, "%s\n", cmd) < 0)
		return -1;
	while (n < sizeof(reply) - 1) {
		if (poll(&pfd, 1, 30000) != 1)
			return -1;
		r = read(fd, reply + n, 1);
		if (r <= 0)
			return -1;
		if (reply[n] == '\n')
			break;
		n++;
	}
	reply[n] = '\0';
	return strncmp(reply, "ok", 2) ? -1 : 0;
}
