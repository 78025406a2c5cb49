// SPDX-License-Identifier: BSD-3-Clause
/*
 * kstress: several processes at once against dpkit.ko, every call under a
 * time limit, for tests/vm/22-stress.sh (Documentation/testing.rst).
 *
 *   kstress run --seed N --secs S [--roles LIST] [--timeout S]
 *               [--same BDF] [--group BDF,BDF] [--vfio BDF] [--vfio-kinds ABC]
 *               [--flap QEMU_ID[=IFNAME]]...
 *   kstress leave --same BDF     bind it and isolate the last CPU through
 *                                a plain fd, for rmmod to undo
 *
 * Roles (--roles, comma-separated; all by default):
 *   bind-same   two workers bind --same to vfio-pci/pci-stub/uio_pci_generic
 *               and restore it, with and without a lease
 *   bind-group  binds the first --group NIC to vfio-pci (the IOMMU group
 *               check) or pci-stub, and restores it
 *   sibling     unbinds and rebinds the second --group NIC through sysfs:
 *               driver probe and unbind in the same IOMMU group
 *   isolate     sets and clears the isolation, with and without a lease
 *   lease-kill  forks lease holders (binds, isolation, DPDK ports) and
 *               SIGKILLs them at a random moment, maybe mid-call
 *   vfio        a lease holder binds --vfio to vfio-pci and opens it through
 *               VFIO (container, group, VFIO_GROUP_GET_DEVICE_FD), then dies:
 *               kind A, its lease fd below its VFIO fds (released last);
 *               kind B, a second process holds a VFIO fd while the holder
 *               dies, and NIC_LIST must still answer; kind C, its lease fd
 *               above its VFIO fds (released first, as a dup2() makes it);
 *               --vfio-kinds says which, in turn (default ABC)
 *   flap        QMP set_link off/on of each --flap NIC (tests/vm/lib.sh
 *               `host`), and IFF_UP flaps of its netdev
 *   report      a lease reports DPDK ports 4000-4003 in a pattern, and
 *               ends and retakes its lease now and then
 *   readers     threads copy every slot of the mapped page (the seqlock
 *               protocol of <linux/dpkit.h>) and check each copy; one is
 *               SCHED_FIFO on the reporter's CPU and measures how long a
 *               slot stays odd (a preempted writer)
 *   list        NIC_LIST, ISOLATE_GET, IRQ_REPORT and VERSION in a loop
 *
 * A call that outlives --timeout is a hang: the stuck worker and every task
 * in D state are dumped with their kernel stacks and wchan, the workers are
 * killed, and the run fails (exit 3). Otherwise, after --secs, the workers
 * stop, kstress puts everything back (isolation cleared, NICs restored,
 * ports removed), checks it did, and prints the operation counts.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/dpkit.h>

#include "kt.h"

#define MAX_FLAP	4
#define REPORT_PORT	4000	/* the reporter's ports: 4000..4003 */
#define KILL_PORT	5000	/* lease-kill children's ports */
#define ODD_SPIN_MS	500	/* a slot odd for longer: a preempted writer */

static struct {
	uint64_t seed;
	unsigned int secs;
	unsigned int timeout_s;
	char roles[256];
	char vfio_kinds[4];		/* the vfio role's kinds, in turn */
	char same[DPKIT_BDF_LEN];
	char group[2][DPKIT_BDF_LEN];
	char vfio[DPKIT_BDF_LEN];
	int nr_flap;
	char flap_id[MAX_FLAP][32];
	char flap_if[MAX_FLAP][IFNAMSIZ];
	int nr_cpus;
	int fifo_cpu;			/* the reporter's and the FIFO reader's */
	uint32_t map_size;
	/* Drivers at the start, for the end. */
	char drv_same[DPKIT_DRIVER_LEN];
	char drv_group[2][DPKIT_DRIVER_LEN];
	char drv_vfio[DPKIT_DRIVER_LEN];
} cfg = { .secs = 60, .timeout_s = 30, .roles = "all", .vfio_kinds = "ABC" };

struct ctx {
	struct kt_rng rng;
	struct kt_worker *w;
	struct kt_board *b;
	int id;
};

/* Results a role prints at the end, in the shared board's memory. */
struct extra {
	uint64_t reads, torn, bit_mismatch, bad_kernel_slot, max_odd_ns;
	uint64_t fifo_reads, long_odd;
	uint64_t vfio_cycles[3], vfio_held_list_ok;
	uint64_t kills, flaps;
};

static struct extra *extra;

static int role_on(const char *role)
{
	char list[sizeof(cfg.roles) + 2], want[40];

	if (!strcmp(cfg.roles, "all"))
		return 1;
	snprintf(list, sizeof(list), ",%s,", cfg.roles);
	snprintf(want, sizeof(want), ",%s,", role);
	return strstr(list, want) != NULL;
}

static uint64_t rnd(struct ctx *c, uint64_t n)
{
	return kt_below(&c->rng, n);
}

static void nap(struct ctx *c, unsigned int max_ms)
{
	kt_sleep_ms((unsigned int)rnd(c, max_ms + 1));
}

static void failf(struct ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void failf(struct ctx *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kt_say("FAIL: worker %d (%s): %s", c->id, c->w->role, msg);
	c->w->failed++;
}

/* ---- calls under the watchdog ------------------------------------------ */

#define LIMIT_MS	((uint64_t)cfg.timeout_s * 1000)

static int open_dev(struct ctx *c, int lease)
{
	struct dpkit_lease l = { 0 };
	int fd;

	kt_op_begin(c->w, LIMIT_MS, "open%s", lease ? " + lease" : "");
	fd = open(KT_DEV, O_RDWR | O_CLOEXEC);
	if (fd >= 0 && lease && ioctl(fd, DPKIT_IOC_LEASE, &l)) {
		close(fd);
		fd = -1;
	}
	kt_op_end(c->w, fd < 0 ? errno : 0);
	if (fd < 0)
		failf(c, "open%s: %s", lease ? " + lease" : "", kt_errname(errno));
	return fd;
}

/* Close a (leased) fd: the lease ends here, its binds are undone. */
static void close_dev(struct ctx *c, int fd)
{
	kt_op_begin(c->w, LIMIT_MS, "close fd %d (lease end)", fd);
	close(fd);
	kt_op_end(c->w, 0);
}

/* An ioctl whose errno is counted; EINVAL and EFAULT are this test's bugs. */
static int xioctl(struct ctx *c, int fd, unsigned long cmd, void *arg,
		  const char *what)
{
	int ret, err;

	kt_op_begin(c->w, LIMIT_MS, "%s", what);
	ret = ioctl(fd, cmd, arg);
	err = ret ? errno : 0;
	kt_op_end(c->w, err);
	if (err == EINVAL || err == EFAULT || err >= 512)
		failf(c, "%s: %s", what, kt_errname(err));
	return ret ? -err : 0;
}

static int bind_nic(struct ctx *c, int fd, const char *bdf, const char *drv,
		    uint32_t flags)
{
	struct dpkit_nic_bind b = { .flags = flags };
	char what[KT_OP_LEN];

	snprintf(b.bdf, sizeof(b.bdf), "%s", bdf);
	snprintf(b.driver, sizeof(b.driver), "%s", drv);
	snprintf(what, sizeof(what), "NIC_BIND %s %s", bdf, drv);
	return xioctl(c, fd, DPKIT_IOC_NIC_BIND, &b, what);
}

static int restore_nic(struct ctx *c, int fd, const char *bdf)
{
	struct dpkit_nic_restore r = { 0 };
	char what[KT_OP_LEN];

	snprintf(r.bdf, sizeof(r.bdf), "%s", bdf);
	snprintf(what, sizeof(what), "NIC_RESTORE %s", bdf);
	return xioctl(c, fd, DPKIT_IOC_NIC_RESTORE, &r, what);
}

static int isolate(struct ctx *c, int fd, uint64_t mask)
{
	struct {
		struct dpkit_cpumask m;
		uint64_t w[1];
	} iso = { .m.nr_bits = 64, .w = { mask } };
	char what[KT_OP_LEN];

	snprintf(what, sizeof(what), "ISOLATE_SET 0x%llx", (unsigned long long)mask);
	return xioctl(c, fd, DPKIT_IOC_ISOLATE_SET, &iso, what);
}

static int nic_list(struct ctx *c, int fd, const char *what)
{
	static __thread struct {
		struct dpkit_nic_list l;
		struct dpkit_nic n[32];
	} list;

	memset(&list.l, 0, sizeof(list.l));
	list.l.count = 32;
	list.l.entry_size = sizeof(struct dpkit_nic);
	return xioctl(c, fd, DPKIT_IOC_NIC_LIST, &list, what);
}

/* A random CPU set that leaves CPU 0 to housekeeping. */
static uint64_t iso_mask(struct ctx *c)
{
	uint64_t m = 0;
	int n = cfg.nr_cpus > 64 ? 64 : cfg.nr_cpus;

	if (n < 2)
		return 0;
	while (!m)
		m = kt_rand(&c->rng) & ((n == 64 ? ~0ULL : (1ULL << n) - 1) & ~1ULL);
	return m;
}

/* A child that dies with its parent: a killed worker takes its helpers. */
static pid_t fork_child(void)
{
	pid_t parent = getpid(), pid;

	fflush(stdout);
	pid = fork();
	if (!pid && (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent))
		_exit(1);
	return pid;
}

/* Wait for a child under the watchdog; its exit ends its leases. */
static void reap(struct ctx *c, pid_t pid, const char *what)
{
	int status;

	kt_op_begin(c->w, LIMIT_MS, "%s (pid %d)", what, pid);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	kt_op_end(c->w, 0);
}

/* A child says it is ready by writing one byte; 0 when it did. */
static int wait_ready(struct ctx *c, int rfd, const char *what)
{
	char ch;
	ssize_t n;

	kt_op_begin(c->w, LIMIT_MS, "%s", what);
	n = read(rfd, &ch, 1);
	kt_op_end(c->w, n == 1 ? 0 : EIO);
	close(rfd);
	return n == 1 && ch == 'r' ? 0 : -1;
}

static void ready(int wfd, int ok)
{
	char ch = ok ? 'r' : 'x';

	if (write(wfd, &ch, 1) != 1)
		_exit(1);
	close(wfd);
}

/* ---- roles ------------------------------------------------------------- */

static int role_bind_same(struct ctx *c)
{
	static const char *const drivers[] = { "vfio-pci", "vfio-pci", "pci-stub",
					       "uio_pci_generic" };
	int plain = open_dev(c, 0), fd;

	if (plain < 0)
		return 1;
	while (!c->b->stop) {
		fd = rnd(c, 2) ? open_dev(c, 1) : plain;
		if (fd < 0)
			break;
		bind_nic(c, fd, cfg.same, drivers[rnd(c, 4)],
			 DPKIT_BIND_FORCE | (rnd(c, 4) ? 0 : DPKIT_BIND_PERSIST));
		nap(c, 100);
		if (rnd(c, 3))
			restore_nic(c, fd, cfg.same);
		if (fd != plain)
			close_dev(c, fd);
		nap(c, 50);
	}
	return c->w->failed ? 1 : 0;
}

static int role_bind_group(struct ctx *c)
{
	int plain = open_dev(c, 0), fd;

	if (plain < 0)
		return 1;
	while (!c->b->stop) {
		fd = rnd(c, 3) ? plain : open_dev(c, 1);
		if (fd < 0)
			break;
		bind_nic(c, fd, cfg.group[0], rnd(c, 4) ? "vfio-pci" : "pci-stub",
			 DPKIT_BIND_FORCE);
		nap(c, 50);
		restore_nic(c, fd, cfg.group[0]);
		if (fd != plain)
			close_dev(c, fd);
		nap(c, 20);
	}
	return c->w->failed ? 1 : 0;
}

/* Driver probe and unbind of the sibling, through sysfs. */
static int role_sibling(struct ctx *c)
{
	char path[160], now[DPKIT_DRIVER_LEN];
	const char *bdf = cfg.group[1], *drv = cfg.drv_group[1];
	int err;

	if (!*drv) {
		failf(c, "%s has no driver to rebind", bdf);
		return 1;
	}
	while (!c->b->stop) {
		kt_driver_of(bdf, now, sizeof(now));
		if (*now) {
			snprintf(path, sizeof(path),
				 "/sys/bus/pci/devices/%s/driver/unbind", bdf);
			kt_op_begin(c->w, LIMIT_MS, "sysfs unbind %s from %s", bdf, now);
			err = kt_write_file(path, bdf);
			kt_op_end(c->w, err);
		}
		nap(c, 30);
		snprintf(path, sizeof(path), "/sys/bus/pci/drivers/%s/bind", drv);
		kt_op_begin(c->w, LIMIT_MS, "sysfs bind %s to %s", bdf, drv);
		err = kt_write_file(path, bdf);
		kt_op_end(c->w, err);
		nap(c, 30);
		if (!rnd(c, 8)) {
			/* The first NIC too: probe it if it has no driver. */
			kt_op_begin(c->w, LIMIT_MS, "sysfs drivers_probe %s",
				    cfg.group[0]);
			err = kt_write_file("/sys/bus/pci/drivers_probe", cfg.group[0]);
			kt_op_end(c->w, err);
		}
	}
	/* Leave it bound, as it was. */
	kt_driver_of(bdf, now, sizeof(now));
	if (!*now) {
		snprintf(path, sizeof(path), "/sys/bus/pci/drivers/%s/bind", drv);
		kt_op_begin(c->w, LIMIT_MS, "sysfs bind %s to %s (end)", bdf, drv);
		err = kt_write_file(path, bdf);
		kt_op_end(c->w, err);
	}
	return c->w->failed ? 1 : 0;
}

static int role_isolate(struct ctx *c)
{
	int plain = open_dev(c, 0), fd;

	if (plain < 0)
		return 1;
	while (!c->b->stop) {
		fd = rnd(c, 2) ? plain : open_dev(c, 1);
		if (fd < 0)
			break;
		isolate(c, fd, iso_mask(c));
		nap(c, 200);
		/* A lease may also just end: that clears what it set. */
		if (fd == plain || rnd(c, 2))
			xioctl(c, fd, DPKIT_IOC_ISOLATE_CLEAR, NULL, "ISOLATE_CLEAR");
		if (fd != plain)
			close_dev(c, fd);
		nap(c, 100);
	}
	return c->w->failed ? 1 : 0;
}

/* A lease holder that does a little of everything, then waits to die. */
static void lease_child(struct ctx *c, int wfd)
{
	struct dpkit_link_report rep = { .flags = DPKIT_LINK_F_UP };
	int fd = open(KT_DEV, O_RDWR | O_CLOEXEC);
	struct dpkit_lease l = { 0 };
	uint32_t i;

	if (fd < 0 || ioctl(fd, DPKIT_IOC_LEASE, &l))
		_exit(1);
	ready(wfd, 1);
	for (i = 0; i < 4 && !rnd(c, 3); i++) {
		rep.port_id = KILL_PORT + i;
		ioctl(fd, DPKIT_IOC_LINK_REPORT, &rep);
	}
	if (*cfg.same && rnd(c, 2)) {
		struct dpkit_nic_bind b = { .flags = DPKIT_BIND_FORCE };

		snprintf(b.bdf, sizeof(b.bdf), "%s", cfg.same);
		snprintf(b.driver, sizeof(b.driver), "vfio-pci");
		ioctl(fd, DPKIT_IOC_NIC_BIND, &b);
	}
	if (rnd(c, 2)) {
		struct {
			struct dpkit_cpumask m;
			uint64_t w[1];
		} iso = { .m.nr_bits = 64, .w = { iso_mask(c) } };

		ioctl(fd, DPKIT_IOC_ISOLATE_SET, &iso);
	}
	for (;;)
		pause();
}

static int role_lease_kill(struct ctx *c)
{
	int pfd[2];
	pid_t pid;

	while (!c->b->stop) {
		if (pipe2(pfd, O_CLOEXEC))
			return 1;
		kt_rand(&c->rng);
		pid = fork_child();
		if (!pid) {
			kt_name("lease-holder");
			close(pfd[0]);
			lease_child(c, pfd[1]);
		}
		close(pfd[1]);
		if (pid < 0 || wait_ready(c, pfd[0], "lease holder ready")) {
			failf(c, "the lease holder did not start");
			if (pid > 0)
				kill(pid, SIGKILL);
		} else {
			/* Maybe before it finished its calls, maybe mid-call. */
			nap(c, 400);
		}
		if (pid > 0) {
			kill(pid, SIGKILL);
			reap(c, pid, "reap the killed lease holder");
			extra->kills++;
		}
		nap(c, 100);
	}
	return c->w->failed ? 1 : 0;
}

/* ---- VFIO holders ------------------------------------------------------ */

enum { VFIO_A, VFIO_B, VFIO_C };

/*
 * The lease holder: lease, bind --vfio to vfio-pci, and for kinds A and C
 * open it through VFIO. Kind C moves its lease fd above its VFIO fds: the
 * files of a dying task are released from the highest fd down.
 */
static void vfio_holder(int kind, int wfd)
{
	struct dpkit_nic_bind b = { .flags = DPKIT_BIND_FORCE };
	struct dpkit_lease l = { 0 };
	static const char *const names[] = { "vholder-A", "vholder-B",
					     "vholder-C" };
	struct kt_vfio v;
	int fd;

	kt_name(names[kind]);
	fd = open(KT_DEV, O_RDWR | O_CLOEXEC);
	snprintf(b.bdf, sizeof(b.bdf), "%s", cfg.vfio);
	snprintf(b.driver, sizeof(b.driver), "vfio-pci");
	if (fd < 0 || ioctl(fd, DPKIT_IOC_LEASE, &l) ||
	    ioctl(fd, DPKIT_IOC_NIC_BIND, &b)) {
		kt_say("vfio holder: lease and bind %s: %s", cfg.vfio,
		       kt_errname(errno));
		ready(wfd, 0);
		_exit(1);
	}
	if (kind != VFIO_B && kt_vfio_open(cfg.vfio, &v)) {
		ready(wfd, 0);
		_exit(1);
	}
	if (kind == VFIO_C) {
		if (dup3(fd, 900, O_CLOEXEC) != 900) {
			ready(wfd, 0);
			_exit(1);
		}
		close(fd);
	}
	ready(wfd, 1);
	for (;;)
		pause();
}

/* A second process holding the device fd of a NIC another lease bound. */
static void vfio_opener(int wfd)
{
	struct kt_vfio v;

	kt_name("vfio-opener");
	ready(wfd, kt_vfio_open(cfg.vfio, &v) == 0);
	for (;;)
		pause();
}

static pid_t start(struct ctx *c, void (*fn)(int, int), int arg, const char *what)
{
	int pfd[2];
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC))
		return -1;
	pid = fork_child();
	if (!pid) {
		close(pfd[0]);
		fn(arg, pfd[1]);
		_exit(0);
	}
	close(pfd[1]);
	if (pid < 0)
		return -1;
	if (wait_ready(c, pfd[0], what)) {
		kill(pid, SIGKILL);
		reap(c, pid, what);
		return -1;
	}
	return pid;
}

static void opener_main(int unused, int wfd)
{
	(void)unused;
	vfio_opener(wfd);
}

/* --vfio back on its driver (the lease's end restored it) within the limit. */
static void wait_restored(struct ctx *c)
{
	char now[DPKIT_DRIVER_LEN];
	uint64_t end = kt_now_ns() + LIMIT_MS * 1000000ULL;

	kt_op_begin(c->w, LIMIT_MS + 1000, "wait for %s back on %s", cfg.vfio,
		    cfg.drv_vfio);
	do {
		kt_driver_of(cfg.vfio, now, sizeof(now));
		if (!strcmp(now, cfg.drv_vfio))
			break;
		kt_sleep_ms(100);
	} while (kt_now_ns() < end);
	kt_op_end(c->w, strcmp(now, cfg.drv_vfio) ? EBUSY : 0);
	if (strcmp(now, cfg.drv_vfio))
		failf(c, "%s is on '%s' after the lease ended, not on '%s'",
		      cfg.vfio, now, cfg.drv_vfio);
}

static int role_vfio(struct ctx *c)
{
	int probe = open_dev(c, 0), cycle = 0, kind;
	pid_t holder, opener;

	if (probe < 0)
		return 1;
	while (!c->b->stop) {
		kind = cfg.vfio_kinds[cycle++ % strlen(cfg.vfio_kinds)] - 'A';
		holder = start(c, vfio_holder, kind, "vfio holder ready");
		if (holder < 0) {
			/* Another worker holds --vfio now: try again. */
			nap(c, 200);
			continue;
		}
		opener = -1;
		if (kind == VFIO_B) {
			opener = start(c, opener_main, 0, "vfio opener ready");
			if (opener < 0)
				failf(c, "a second process could not open %s "
				      "through VFIO", cfg.vfio);
		}
		nap(c, 200);
		kill(holder, SIGKILL);
		if (opener > 0) {
			/*
			 * The lease's end must not wait for the opener's fd
			 * under a lock every other call needs.
			 */
			kt_sleep_ms(500);
			if (!nic_list(c, probe, "NIC_LIST while a VFIO fd is held"))
				extra->vfio_held_list_ok++;
			kill(opener, SIGKILL);
			reap(c, opener, "reap the vfio opener");
		}
		reap(c, holder, kind == VFIO_C ?
		     "reap the vfio holder (lease fd released first)" :
		     "reap the killed vfio holder");
		wait_restored(c);
		extra->vfio_cycles[kind]++;
		nap(c, 200);
	}
	return c->w->failed ? 1 : 0;
}

/* ---- links: flaps, the reporter, the readers ------------------------------ */

static int set_if_up(int sock, const char *name, int up)
{
	struct ifreq ifr = { 0 };

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(sock, SIOCGIFFLAGS, &ifr))
		return -errno;
	ifr.ifr_flags = (short)(up ? ifr.ifr_flags | IFF_UP : ifr.ifr_flags & ~IFF_UP);
	return ioctl(sock, SIOCSIFFLAGS, &ifr) ? -errno : 0;
}

static int role_flap(struct ctx *c)
{
	char port[64], cmd[64];
	int hfd = -1, sock, i, on;

	if (!kt_host_port(port, sizeof(port)))
		hfd = open(port, O_RDWR | O_CLOEXEC);
	if (hfd < 0)
		kt_say("flap: no host channel: netdev flaps only");
	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	while (!c->b->stop && cfg.nr_flap) {
		i = (int)rnd(c, cfg.nr_flap);
		on = (int)rnd(c, 2);
		if (hfd >= 0 && rnd(c, 2)) {
			snprintf(cmd, sizeof(cmd), "set_link %s %s", cfg.flap_id[i],
				 on ? "on" : "off");
			kt_op_begin(c->w, LIMIT_MS, "host %s", cmd);
			kt_op_end(c->w, kt_host(hfd, cmd) ? EIO : 0);
		} else if (*cfg.flap_if[i]) {
			kt_op_begin(c->w, LIMIT_MS, "%s %s", cfg.flap_if[i],
				    on ? "up" : "down");
			kt_op_end(c->w, set_if_up(sock, cfg.flap_if[i], on));
		}
		extra->flaps++;
		nap(c, 150);
	}
	/* Every link as it was: carrier on, netdev up. */
	for (i = 0; i < cfg.nr_flap; i++) {
		snprintf(cmd, sizeof(cmd), "set_link %s on", cfg.flap_id[i]);
		if (hfd >= 0 && kt_host(hfd, cmd))
			failf(c, "host %s failed", cmd);
		if (*cfg.flap_if[i])
			set_if_up(sock, cfg.flap_if[i], 1);
	}
	if (hfd >= 0)
		close(hfd);
	close(sock);
	return c->w->failed ? 1 : 0;
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* Ports 4000..4003: speed n, name "s<n>", UP and full duplex when n is odd. */
static int role_report(struct ctx *c)
{
	struct dpkit_link_report rep = { 0 };
	uint32_t n = 0, until;
	int fd;

	pin(cfg.fifo_cpu);
	while (!c->b->stop) {
		fd = open_dev(c, 1);
		if (fd < 0)
			return 1;
		for (until = n + 500 + (uint32_t)rnd(c, 2500); n < until && !c->b->stop;
		     n++) {
			rep.port_id = REPORT_PORT + n % 4;
			rep.speed = n;
			rep.flags = n & 1 ? DPKIT_LINK_F_UP | DPKIT_LINK_F_FULL_DUPLEX : 0;
			snprintf(rep.name, sizeof(rep.name), "s%u", n);
			xioctl(c, fd, DPKIT_IOC_LINK_REPORT, &rep, "LINK_REPORT");
		}
		close_dev(c, fd);	/* the ports go down and away */
	}
	return c->w->failed ? 1 : 0;
}

struct reader {
	pthread_t th;
	const unsigned char *page;
	const struct dpkit_page_hdr *hdr;
	volatile int *stop;
	int fifo;
	uint64_t reads, torn, bit_mismatch, bad_kernel, max_odd_ns, long_odd;
	char first_bad[160];
};

static const struct dpkit_link_slot *slot_at(const struct reader *r, uint32_t i)
{
	return (const void *)(r->page + r->hdr->slot_offset +
			      (size_t)i * r->hdr->slot_size);
}

static void bad(struct reader *r, uint64_t *counter, uint32_t i,
		const struct dpkit_link_slot *s, const char *why)
{
	(*counter)++;
	if (!r->first_bad[0])
		snprintf(r->first_bad, sizeof(r->first_bad),
			 "slot %u owner %u key %u flags 0x%x speed %u name %.16s: %s",
			 i, s->owner, s->key, s->flags, s->speed, s->name, why);
}

/* One consistent copy of slot @i, or 0 when the slot stayed odd too long. */
static int read_slot(struct reader *r, uint32_t i, struct dpkit_link_slot *out,
		     uint64_t *seq_out)
{
	const struct dpkit_link_slot *s = slot_at(r, i);
	uint64_t odd_since = 0, now;
	uint32_t seq;

	for (;;) {
		seq = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);
		if (seq & 1) {
			now = kt_now_ns();
			if (!odd_since)
				odd_since = now;
			if (now - odd_since > 5000000000ULL)
				break;	/* counted below; do not spin forever */
			continue;
		}
		if (odd_since) {
			now = kt_now_ns() - odd_since;
			if (now > r->max_odd_ns)
				r->max_odd_ns = now;
			if (now > ODD_SPIN_MS * 1000000ULL)
				r->long_odd++;
			odd_since = 0;
		}
		memcpy(out, (const void *)s, sizeof(*out));
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&s->seq, __ATOMIC_RELAXED) == seq) {
			out->seq = seq;
			*seq_out = seq;
			return 1;
		}
	}
	r->long_odd++;
	if (kt_now_ns() - odd_since > r->max_odd_ns)
		r->max_odd_ns = kt_now_ns() - odd_since;
	return 0;
}

static void check_copy(struct reader *r, uint32_t i, const struct dpkit_link_slot *s,
		       uint32_t seq)
{
	const struct dpkit_link_slot *live = slot_at(r, i);
	const uint64_t *bitmap = (const void *)(r->page + r->hdr->bitmap_offset);
	char want[16];
	int up;

	if (s->owner > DPKIT_OWNER_DPDK || (s->owner && !s->incarnation) ||
	    !memchr(s->name, '\0', sizeof(s->name)) || (s->flags & ~0x1fU))
		bad(r, &r->torn, i, s, "malformed");
	else if (s->owner == DPKIT_OWNER_KERNEL && (s->flags & DPKIT_LINK_F_UP) &&
		 (~s->flags & (DPKIT_LINK_F_ADMIN_UP | DPKIT_LINK_F_CARRIER)))
		bad(r, &r->bad_kernel, i, s, "up without admin-up and carrier");
	else if (s->owner == DPKIT_OWNER_DPDK && s->key >= REPORT_PORT &&
		 s->key < REPORT_PORT + 4) {
		snprintf(want, sizeof(want), "s%u", s->speed);
		if (strcmp(want, s->name) ||
		    !!(s->flags & DPKIT_LINK_F_FULL_DUPLEX) != (s->speed & 1) ||
		    ((s->flags & DPKIT_LINK_F_UP) && !(s->speed & 1)))
			bad(r, &r->torn, i, s, "torn (fields of two writes)");
	}
	/* The bitmap bit is written inside the slot's write section. */
	up = (int)((__atomic_load_n(&bitmap[i / 64], __ATOMIC_RELAXED) >> (i % 64)) & 1);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (__atomic_load_n(&live->seq, __ATOMIC_RELAXED) == seq &&
	    up != !!(s->flags & DPKIT_LINK_F_UP))
		bad(r, &r->bit_mismatch, i, s, "bitmap bit disagrees");
}

static void *reader_main(void *arg)
{
	struct reader *r = arg;
	struct dpkit_link_slot s;
	struct timespec ts = { 0, 0 };
	uint64_t seq;
	uint32_t i;

	if (r->fifo) {
		struct sched_param sp = { .sched_priority = 1 };

		pin(cfg.fifo_cpu);
		if (pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp))
			kt_say("readers: no SCHED_FIFO: %s", kt_errname(errno));
	}
	while (!*r->stop) {
		for (i = 0; i < r->hdr->nr_slots; i++) {
			if (!read_slot(r, i, &s, &seq))
				continue;
			r->reads++;
			check_copy(r, i, &s, (uint32_t)seq);
		}
		if (r->fifo) {
			/* Wake up often: each wake-up may preempt the writer. */
			ts.tv_nsec = 20000 + (long)(r->reads % 180) * 1000;
			nanosleep(&ts, NULL);
		}
	}
	return NULL;
}

static int role_readers(struct ctx *c)
{
	struct reader r[3];
	void *page;
	int fd = open_dev(c, 0), i;

	if (fd < 0)
		return 1;
	page = mmap(NULL, cfg.map_size, PROT_READ, MAP_SHARED, fd, 0);
	if (page == MAP_FAILED) {
		failf(c, "mmap the page: %s", kt_errname(errno));
		return 1;
	}
	memset(r, 0, sizeof(r));
	for (i = 0; i < 3; i++) {
		r[i].page = page;
		r[i].hdr = page;
		r[i].stop = &c->b->stop;
		r[i].fifo = i == 2;
		pthread_create(&r[i].th, NULL, reader_main, &r[i]);
	}
	for (i = 0; i < 3; i++) {
		pthread_join(r[i].th, NULL);
		kt_say("reader %d%s: %llu slot copies, %llu torn or malformed, "
		       "%llu bitmap mismatches, %llu kernel slots up without "
		       "carrier, longest odd slot %.1f ms%s%s", i,
		       r[i].fifo ? " (SCHED_FIFO)" : "",
		       (unsigned long long)r[i].reads, (unsigned long long)r[i].torn,
		       (unsigned long long)r[i].bit_mismatch,
		       (unsigned long long)r[i].bad_kernel,
		       (double)r[i].max_odd_ns / 1e6, r[i].first_bad[0] ? "; first: " : "",
		       r[i].first_bad);
		extra->reads += r[i].reads;
		extra->torn += r[i].torn;
		extra->bit_mismatch += r[i].bit_mismatch;
		extra->bad_kernel_slot += r[i].bad_kernel;
		extra->long_odd += r[i].long_odd;
		if (r[i].fifo)
			extra->fifo_reads += r[i].reads;
		if (r[i].max_odd_ns > extra->max_odd_ns)
			extra->max_odd_ns = r[i].max_odd_ns;
	}
	c->w->ops = extra->reads;
	if (extra->torn || extra->bit_mismatch || extra->bad_kernel_slot)
		failf(c, "inconsistent slot copies (see the reader lines)");
	if (extra->long_odd)
		failf(c, "a slot stayed odd for more than %d ms (%llu times, "
		      "longest %.1f ms): a writer preempted inside its write "
		      "section", ODD_SPIN_MS, (unsigned long long)extra->long_odd,
		      (double)extra->max_odd_ns / 1e6);
	munmap(page, cfg.map_size);
	return c->w->failed ? 1 : 0;
}

static int role_list(struct ctx *c)
{
	struct dpkit_version v;
	struct {
		struct dpkit_cpumask m;
		uint64_t w[16];
	} iso;
	struct {
		struct dpkit_irq_report r;
		struct dpkit_irq_entry e[64];
	} rep;
	int fd;

	/* Read-only, as a group member would open it. */
	kt_op_begin(c->w, LIMIT_MS, "open read-only");
	fd = open(KT_DEV, O_RDONLY | O_CLOEXEC);
	kt_op_end(c->w, fd < 0 ? errno : 0);
	if (fd < 0)
		return 1;
	while (!c->b->stop) {
		switch (rnd(c, 4)) {
		case 0:
			nic_list(c, fd, "NIC_LIST");
			break;
		case 1:
			memset(&iso, 0, sizeof(iso));
			iso.m.nr_bits = 1024;
			xioctl(c, fd, DPKIT_IOC_ISOLATE_GET, &iso, "ISOLATE_GET");
			break;
		case 2:
			memset(&rep, 0, sizeof(rep));
			rep.r.count = 64;
			rep.r.entry_size = sizeof(struct dpkit_irq_entry);
			xioctl(c, fd, DPKIT_IOC_IRQ_REPORT, &rep, "IRQ_REPORT");
			break;
		default:
			memset(&v, 0, sizeof(v));
			xioctl(c, fd, DPKIT_IOC_VERSION, &v, "VERSION");
			break;
		}
		nap(c, 50);
	}
	return c->w->failed ? 1 : 0;
}

/* ---- the run ------------------------------------------------------------ */

struct role {
	const char *name;
	int (*fn)(struct ctx *c);
	int workers;
	int needs;		/* 1 same, 2 group, 4 vfio, 8 flap */
};

static const struct role roles[] = {
	{ "bind-same", role_bind_same, 2, 1 },
	{ "bind-group", role_bind_group, 1, 2 },
	{ "sibling", role_sibling, 1, 2 },
	{ "isolate", role_isolate, 1, 0 },
	{ "lease-kill", role_lease_kill, 1, 0 },
	{ "vfio", role_vfio, 1, 4 },
	{ "flap", role_flap, 1, 8 },
	{ "report", role_report, 1, 0 },
	{ "readers", role_readers, 1, 0 },
	{ "list", role_list, 1, 0 },
};

#define NR_ROLES (sizeof(roles) / sizeof(roles[0]))

static int have(int needs)
{
	return (!(needs & 1) || *cfg.same) && (!(needs & 2) || *cfg.group[1]) &&
	       (!(needs & 4) || *cfg.vfio) && (!(needs & 8) || cfg.nr_flap);
}

static int worker_main(struct kt_board *b, int id, void *arg)
{
	const struct role *r = arg;
	struct ctx c = { .w = &b->w[id], .b = b, .id = id };

	kt_rng_seed(&c.rng, cfg.seed, (uint64_t)id + 1);
	signal(SIGPIPE, SIG_IGN);
	return r->fn(&c);
}

static void driver_back(const char *bdf, const char *want, int *bad)
{
	char now[DPKIT_DRIVER_LEN], path[128];

	kt_driver_of(bdf, now, sizeof(now));
	if (!strcmp(now, want))
		return;
	if (!*now && *want) {
		snprintf(path, sizeof(path), "/sys/bus/pci/drivers/%s/bind", want);
		kt_write_file(path, bdf);
		kt_driver_of(bdf, now, sizeof(now));
	}
	if (strcmp(now, want)) {
		kt_say("FAIL: %s is on '%s', was on '%s'", bdf, now, want);
		(*bad)++;
	}
}

/* Put back what the workers left, and check that nothing else is left. */
static int cleanup(void)
{
	struct {
		struct dpkit_nic_list l;
		struct dpkit_nic n[32];
	} list = { .l = { .count = 32, .entry_size = sizeof(struct dpkit_nic) } };
	struct dpkit_link_report rep = { .op = DPKIT_REPORT_REMOVE };
	const char *nics[4] = { cfg.same, cfg.group[0], cfg.group[1], cfg.vfio };
	const char *drvs[4] = { cfg.drv_same, cfg.drv_group[0], cfg.drv_group[1],
				cfg.drv_vfio };
	struct dpkit_nic_restore r;
	const struct dpkit_page_hdr *hdr;
	const struct dpkit_link_slot *s;
	int fd, bad = 0, i;
	uint32_t j;
	void *page;

	fd = open(KT_DEV, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return 1;
	if (ioctl(fd, DPKIT_IOC_ISOLATE_CLEAR, 0))
		kt_say("FAIL: ISOLATE_CLEAR: %s", kt_errname(errno)), bad++;
	for (i = 0; i < 4; i++) {
		if (!*nics[i] || i == 2)
			continue;
		memset(&r, 0, sizeof(r));
		snprintf(r.bdf, sizeof(r.bdf), "%s", nics[i]);
		if (ioctl(fd, DPKIT_IOC_NIC_RESTORE, &r))
			kt_say("FAIL: restore %s: %s", nics[i], kt_errname(errno)), bad++;
	}
	for (i = 0; i < 4; i++)
		if (*nics[i])
			driver_back(nics[i], drvs[i], &bad);
	page = mmap(NULL, cfg.map_size, PROT_READ, MAP_SHARED, fd, 0);
	if (page != MAP_FAILED) {
		hdr = page;
		for (j = 0; j < hdr->nr_slots; j++) {
			s = (const void *)((const char *)page + hdr->slot_offset +
					   (size_t)j * hdr->slot_size);
			if (s->owner != DPKIT_OWNER_DPDK)
				continue;
			/* Every port was reported through a lease. */
			kt_say("FAIL: DPDK port %u outlived its lease", s->key);
			bad++;
			rep.port_id = s->key;
			ioctl(fd, DPKIT_IOC_LINK_REPORT, &rep);
		}
		munmap(page, cfg.map_size);
	}
	if (ioctl(fd, DPKIT_IOC_NIC_LIST, &list))
		kt_say("FAIL: NIC_LIST: %s", kt_errname(errno)), bad++;
	for (j = 0; j < list.l.count; j++)
		if (list.n[j].flags & (DPKIT_NIC_F_DPKIT | DPKIT_NIC_F_LEASED))
			kt_say("FAIL: %s still has a dpkit record (flags 0x%x)",
			       list.n[j].bdf, list.n[j].flags), bad++;
	close(fd);
	return bad;
}

/* cleanup() in a child, under the call limit: -1 when it is stuck. */
static int cleanup_bounded(void)
{
	uint64_t end = kt_now_ns() + (uint64_t)cfg.timeout_s * 1000000000ULL;
	int status;
	pid_t pid;

	pid = fork_child();
	if (!pid) {
		kt_name("cleanup");
		_exit(cleanup() ? 1 : 0);
	}
	while (pid > 0 && kt_now_ns() < end) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
		kt_sleep_ms(100);
	}
	kt_say("HANG: the cleanup is stuck after %u s:", cfg.timeout_s);
	if (pid > 0)
		kt_dump_task(pid);
	return -1;
}

static void print_counts(struct kt_board *b, uint64_t t0)
{
	uint64_t total = 0;
	int i;

	kt_board_print(b);
	for (i = 0; i < b->nr; i++)
		if (strcmp(b->w[i].role, "readers"))
			total += b->w[i].ops;
	kt_say("kstress: seed %llu: %llu operations in %.0f s (page: %llu slot "
	       "copies, %llu by the FIFO reader, longest odd slot %.1f ms; "
	       "vfio cycles A %llu B %llu C %llu, NIC_LIST answered while held "
	       "%llu; %llu lease holders killed; %llu flaps)", (unsigned long long)cfg.seed,
	       (unsigned long long)total, (double)(kt_now_ns() - t0) / 1e9,
	       (unsigned long long)extra->reads,
	       (unsigned long long)extra->fifo_reads,
	       (double)extra->max_odd_ns / 1e6,
	       (unsigned long long)extra->vfio_cycles[0],
	       (unsigned long long)extra->vfio_cycles[1],
	       (unsigned long long)extra->vfio_cycles[2],
	       (unsigned long long)extra->vfio_held_list_ok,
	       (unsigned long long)extra->kills, (unsigned long long)extra->flaps);
}

static int run(void)
{
	struct kt_board *b;
	uint64_t t0;
	size_t k;
	int n = 0, i, hung, failed, bad;

	for (k = 0; k < NR_ROLES; k++)
		if (role_on(roles[k].name) && have(roles[k].needs))
			n += roles[k].workers;
	b = kt_board_new(n);
	extra = mmap(NULL, sizeof(*extra), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	memset(extra, 0, sizeof(*extra));
	kt_say("kstress: seed %llu, %u s, %d workers, call limit %u s, %d CPUs "
	       "(reporter and FIFO reader on CPU %d)", (unsigned long long)cfg.seed,
	       cfg.secs, n, cfg.timeout_s, cfg.nr_cpus, cfg.fifo_cpu);
	t0 = kt_now_ns();
	i = 0;
	for (k = 0; k < NR_ROLES; k++) {
		int j;

		if (!role_on(roles[k].name))
			continue;
		if (!have(roles[k].needs)) {
			kt_say("role %s skipped: its NICs were not given", roles[k].name);
			continue;
		}
		for (j = 0; j < roles[k].workers; j++)
			kt_spawn(b, i++, roles[k].name, worker_main, (void *)&roles[k]);
	}
	hung = kt_board_watch(b, t0 + (uint64_t)cfg.secs * 1000000000ULL,
			      cfg.timeout_s * 2000);
	if (hung >= 0) {
		kt_board_kill(b);
		kt_sleep_ms(2000);
		kt_board_reap(b);
		print_counts(b, t0);
		kt_say("kstress: seed %llu: HANG in worker %d (%s): rerun with "
		       "--seed %llu --roles %s to see it again",
		       (unsigned long long)cfg.seed, hung, b->w[hung].role,
		       (unsigned long long)cfg.seed, cfg.roles);
		/* With its workers dead, the module may recover: try. */
		bad = cleanup_bounded();
		kt_say("kstress: after the hang: %s", bad < 0 ?
		       "the module stays wedged (cleanup blocked)" :
		       bad ? "cleaned up, with problems" : "cleaned up");
		return 3;
	}
	kt_board_kill(b);	/* any that did not stop */
	failed = kt_board_reap(b);
	print_counts(b, t0);
	bad = cleanup_bounded();
	if (bad < 0)
		return 3;
	kt_say("kstress: %d worker(s) failed, %d end-state problem(s)", failed, bad);
	return failed || bad ? 1 : 0;
}

/* Leave a plain-fd bind and isolation behind: rmmod must undo them. */
static int leave(void)
{
	struct ctx c = { .w = &(struct kt_worker){ 0 } };
	int fd = open(KT_DEV, O_RDWR | O_CLOEXEC), bad = 0;

	if (fd < 0)
		return 1;
	if (*cfg.same && bind_nic(&c, fd, cfg.same, "vfio-pci", DPKIT_BIND_FORCE))
		kt_say("FAIL: bind %s: %s", cfg.same, kt_errname(errno)), bad++;
	if (cfg.nr_cpus > 1 && isolate(&c, fd, 1ULL << (cfg.nr_cpus - 1)))
		kt_say("FAIL: isolate CPU %d: %s", cfg.nr_cpus - 1, kt_errname(errno)),
			bad++;
	close(fd);
	return bad ? 1 : 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: kstress run|leave [--seed N] [--secs S] "
		"[--roles LIST] [--timeout S] [--same BDF] [--group BDF,BDF] "
		"[--vfio BDF] [--vfio-kinds ABC] [--flap QEMU_ID[=IFNAME]]...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "secs", required_argument, NULL, 'd' },
		{ "roles", required_argument, NULL, 'r' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "same", required_argument, NULL, 'a' },
		{ "group", required_argument, NULL, 'g' },
		{ "vfio", required_argument, NULL, 'v' },
		{ "flap", required_argument, NULL, 'f' },
		{ "vfio-kinds", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	struct dpkit_version v = { 0 };
	int c, fd, seeded = 0;
	char *eq;

	if (argc < 2)
		usage();
	while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			cfg.seed = strtoull(optarg, NULL, 0);
			seeded = 1;
			break;
		case 'd':
			cfg.secs = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'r':
			snprintf(cfg.roles, sizeof(cfg.roles), "%s", optarg);
			break;
		case 'T':
			cfg.timeout_s = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'a':
			snprintf(cfg.same, sizeof(cfg.same), "%s", optarg);
			break;
		case 'g':
			eq = strchr(optarg, ',');
			if (!eq)
				usage();
			*eq = '\0';
			snprintf(cfg.group[0], sizeof(cfg.group[0]), "%s", optarg);
			snprintf(cfg.group[1], sizeof(cfg.group[1]), "%s", eq + 1);
			break;
		case 'v':
			snprintf(cfg.vfio, sizeof(cfg.vfio), "%s", optarg);
			break;
		case 'k':
			if (!*optarg || strspn(optarg, "ABC") != strlen(optarg) ||
			    strlen(optarg) >= sizeof(cfg.vfio_kinds))
				usage();
			snprintf(cfg.vfio_kinds, sizeof(cfg.vfio_kinds), "%s", optarg);
			break;
		case 'f':
			if (cfg.nr_flap == MAX_FLAP)
				usage();
			eq = strchr(optarg, '=');
			if (eq)
				*eq = '\0';
			snprintf(cfg.flap_id[cfg.nr_flap], sizeof(cfg.flap_id[0]), "%s",
				 optarg);
			snprintf(cfg.flap_if[cfg.nr_flap], sizeof(cfg.flap_if[0]), "%s",
				 eq ? eq + 1 : "");
			cfg.nr_flap++;
			break;
		default:
			usage();
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!seeded)
		cfg.seed = kt_seed_now();
	cfg.nr_cpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
	cfg.fifo_cpu = cfg.nr_cpus - 1;
	kt_driver_of(cfg.same, cfg.drv_same, sizeof(cfg.drv_same));
	kt_driver_of(cfg.group[0], cfg.drv_group[0], sizeof(cfg.drv_group[0]));
	kt_driver_of(cfg.group[1], cfg.drv_group[1], sizeof(cfg.drv_group[1]));
	kt_driver_of(cfg.vfio, cfg.drv_vfio, sizeof(cfg.drv_vfio));
	fd = open(KT_DEV, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || ioctl(fd, DPKIT_IOC_VERSION, &v)) {
		perror("kstress: " KT_DEV);
		return 1;
	}
	close(fd);
	cfg.map_size = v.map_size;
	if (!strcmp(argv[1], "run"))
		return run();
	if (!strcmp(argv[1], "leave"))
		return leave();
	usage();
	return 2;
}
