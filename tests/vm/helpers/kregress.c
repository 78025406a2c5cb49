/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * kregress: races and stalls that dpkit.ko must survive, for the VM
 * scenario tests/vm/08-kernel-regressions.sh. Each mode prints "# ..."
 * diagnostics and exits 0 when the module behaved.
 *
 *   kregress genl-reserved            a LINK_GET dump whose genlmsghdr has a
 *                                     reserved byte set is refused (EINVAL)
 *   kregress genl-spin SECONDS        resolve the family and dump it, again
 *                                     and again (while the module loads)
 *   kregress stall nic|irq            an ioctl stalled on a userfaultfd page
 *                                     while copying out must not keep other
 *                                     callers of the same ioctl waiting
 *   kregress vfio-hold BDF            open BDF's VFIO group and device fd,
 *                                     print "held", wait to be killed
 *   kregress lease-bind BDF           take a lease, bind BDF to vfio-pci,
 *                                     print "bound", wait to be killed
 *   kregress timed SECONDS nic-list [BDF]
 *                                     NIC_LIST in a child, which must return
 *                                     within SECONDS (and report BDF busy)
 *   kregress preempt CPU SECONDS      a SCHED_FIFO page reader and a link
 *                                     writer on one CPU: the reader never
 *                                     waits long for an odd seq (50 ms)
 *   kregress group-race A B SECONDS   bind/restore A to vfio-pci while B,
 *                                     in A's IOMMU group, is unbound from and
 *                                     bound to its driver: nothing hangs
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/dpkit.h>

#include "kt.h"

#define DEV		"/dev/" DPKIT_DEVICE_NAME
#define PREEMPT_PORT	4001
#define MAX_WAIT_NS	(50 * 1000000ULL)

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int open_dev(void)
{
	int fd = open(DEV, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "kregress: open %s: %s\n", DEV, strerror(errno));
		exit(2);
	}
	return fd;
}

static int pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/* Print the kernel stack of @pid (and its state) as diagnostics. */
static void dump_task(pid_t pid, const char *what)
{
	char path[64], line[256];
	FILE *f;

	printf("# %s (pid %d):\n", what, pid);
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "State:", 6))
			printf("#   %s", line);
	if (f)
		fclose(f);
	snprintf(path, sizeof(path), "/proc/%d/stack", pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		printf("#   %s", line);
	if (f)
		fclose(f);
}

/*
 * In a child that may hang in the kernel: stdout and stderr to @fd (or
 * /dev/null), so that a caller reading our output to its end is not kept
 * waiting by a child that never exits.
 */
static void child_stdio(int fd)
{
	if (fd < 0)
		fd = open("/dev/null", O_WRONLY);
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
}

/* Wait up to @ms for @pid; its wait status, or -1 when it is still there. */
static int wait_ms(pid_t pid, int ms)
{
	int status;

	for (; ms > 0; ms -= 10) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return status;
		usleep(10000);
	}
	return -1;
}

/* ---- genl-reserved ------------------------------------------------------ */

struct nlreq {
	struct nlmsghdr nlh;
	struct genlmsghdr gnl;
	char attrs[64];
};

static int nl_talk(int sk, struct nlreq *req, char *buf, size_t size)
{
	ssize_t n;

	if (send(sk, req, req->nlh.nlmsg_len, 0) < 0)
		return -errno;
	n = recv(sk, buf, size, 0);
	return n < 0 ? -errno : (int)n;
}

static int genl_family_id(int sk)
{
	struct nlreq req = { 0 };
	char buf[4096];
	struct nlattr *a;
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	size_t len = strlen(DPKIT_GENL_NAME) + 1;
	int n, off;

	req.nlh.nlmsg_type = GENL_ID_CTRL;
	req.nlh.nlmsg_flags = NLM_F_REQUEST;
	req.gnl.cmd = CTRL_CMD_GETFAMILY;
	req.gnl.version = 1;
	a = (struct nlattr *)req.attrs;
	a->nla_type = CTRL_ATTR_FAMILY_NAME;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((char *)a + NLA_HDRLEN, DPKIT_GENL_NAME, len);
	req.nlh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN + NLA_ALIGN(a->nla_len));
	n = nl_talk(sk, &req, buf, sizeof(buf));
	if (n < 0 || nlh->nlmsg_type == NLMSG_ERROR)
		return -1;
	for (off = NLMSG_LENGTH(GENL_HDRLEN); off < (int)nlh->nlmsg_len;
	     off += NLA_ALIGN(a->nla_len)) {
		a = (struct nlattr *)(buf + off);
		if (a->nla_len < NLA_HDRLEN)
			break;
		if ((a->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_FAMILY_ID)
			return *(uint16_t *)((char *)a + NLA_HDRLEN);
	}
	return -1;
}

/* The errno of the first answer to a LINK_GET dump, 0 for data. */
static int genl_dump(int sk, int family, uint8_t reserved)
{
	struct nlreq req = { 0 };
	char buf[16384];
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	int n;

	req.nlh.nlmsg_type = family;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nlh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	req.gnl.cmd = DPKIT_CMD_LINK_GET;
	req.gnl.version = DPKIT_GENL_VERSION;
	req.gnl.reserved = reserved;
	n = nl_talk(sk, &req, buf, sizeof(buf));
	if (n < 0)
		return n;
	/* Drain the rest of a dump. */
	while (nlh->nlmsg_type != NLMSG_DONE && nlh->nlmsg_type != NLMSG_ERROR &&
	       (nlh->nlmsg_flags & NLM_F_MULTI)) {
		int m = recv(sk, buf + 8192, 8192, MSG_DONTWAIT);

		if (m <= 0)
			break;
		if (((struct nlmsghdr *)(buf + 8192))->nlmsg_type == NLMSG_DONE)
			break;
	}
	if (nlh->nlmsg_type == NLMSG_ERROR)
		return ((struct nlmsgerr *)NLMSG_DATA(nlh))->error;
	return 0;
}

static int mode_genl_reserved(void)
{
	int sk, family, plain, reserved;

	sk = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (sk < 0)
		return 2;
	family = genl_family_id(sk);
	if (family < 0) {
		printf("# no genetlink family %s\n", DPKIT_GENL_NAME);
		return 1;
	}
	plain = genl_dump(sk, family, 0);
	reserved = genl_dump(sk, family, 1);
	printf("# LINK_GET dump: plain %d, reserved=1 %d\n", plain, reserved);
	close(sk);
	return !(plain == 0 && reserved == -EINVAL);
}

static int mode_genl_spin(int seconds)
{
	uint64_t end = now_ns() + (uint64_t)seconds * 1000000000ULL;
	unsigned long dumps = 0, refused = 0;
	int sk, family;

	sk = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (sk < 0)
		return 2;
	while (now_ns() < end) {
		family = genl_family_id(sk);
		if (family < 0)
			continue;
		if (genl_dump(sk, family, 0))
			refused++;
		else
			dumps++;
	}
	printf("dumps answered %lu, refused %lu\n", dumps, refused);
	close(sk);
	return !dumps;
}

/* ---- stall: copy_to_user into a page nobody resolves -------------------- */

struct stall {
	int fd;
	unsigned long cmd;
	void *arg;
	int ret, err;
};

static void *stall_thread(void *p)
{
	struct stall *s = p;

	s->ret = ioctl(s->fd, s->cmd, s->arg);
	s->err = errno;
	return NULL;
}

/*
 * The same ioctl, from another process, with an ordinary buffer; for
 * "nic", print the NICs and, given @busy_bdf, fail unless it is busy.
 */
static int other_caller(const char *what, const char *busy_bdf)
{
	static char buf[1 << 20];
	int fd = open_dev(), busy = 0;
	unsigned int i;

	memset(buf, 0, sizeof(buf));
	if (!strcmp(what, "nic")) {
		struct dpkit_nic_list *l = (void *)buf;

		l->count = 64;
		l->entry_size = sizeof(struct dpkit_nic);
		if (ioctl(fd, DPKIT_IOC_NIC_LIST, l))
			return errno;
		for (i = 0; i < l->count; i++) {
			printf("# %s %-12s flags %#x\n", l->nics[i].bdf,
			       l->nics[i].driver, l->nics[i].flags);
			if (busy_bdf && !strcmp(l->nics[i].bdf, busy_bdf))
				busy = l->nics[i].flags & DPKIT_NIC_F_BUSY;
		}
		return busy_bdf && !busy ? 100 : 0;
	} else {
		struct dpkit_irq_report *r = (void *)buf;

		r->count = 64;
		r->entry_size = sizeof(struct dpkit_irq_entry);
		return ioctl(fd, DPKIT_IOC_IRQ_REPORT, r) ? errno : 0;
	}
}

static int mode_stall(const char *what)
{
	long page = sysconf(_SC_PAGESIZE);
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { 0 };
	struct uffdio_zeropage zp = { 0 };
	struct stall s = { 0 };
	struct pollfd pfd;
	pthread_t thr;
	int uffd, status, ok;
	char *area;
	size_t hdr, entry;
	pid_t child;

	uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd < 0 || ioctl(uffd, UFFDIO_API, &api)) {
		printf("# userfaultfd: %s\n", strerror(errno));
		return 3;
	}
	area = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED)
		return 2;
	area[0] = 0;	/* the first page is present, the second is not */
	reg.range.start = (unsigned long)area + page;
	reg.range.len = page;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (ioctl(uffd, UFFDIO_REGISTER, &reg)) {
		printf("# UFFDIO_REGISTER: %s\n", strerror(errno));
		return 2;
	}

	/* The header and entry 0 in the first page, entry 1 in the second. */
	s.fd = open_dev();
	if (!strcmp(what, "nic")) {
		struct dpkit_nic_list *l;

		hdr = sizeof(*l);
		entry = sizeof(struct dpkit_nic);
		l = (void *)(area + page - hdr - entry);
		l->count = 64;
		l->entry_size = entry;
		s.cmd = DPKIT_IOC_NIC_LIST;
		s.arg = l;
	} else {
		struct dpkit_irq_report *r;

		hdr = sizeof(*r);
		entry = sizeof(struct dpkit_irq_entry);
		r = (void *)(area + page - hdr - entry);
		r->count = 64;
		r->entry_size = entry;
		s.cmd = DPKIT_IOC_IRQ_REPORT;
		s.arg = r;
	}
	pthread_create(&thr, NULL, stall_thread, &s);

	pfd.fd = uffd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 5000) != 1) {
		printf("# the %s ioctl never touched the second page "
		       "(nothing to copy there?)\n", what);
		pthread_join(thr, NULL);
		return 3;
	}
	printf("# the %s ioctl is stalled copying out\n", what);

	child = fork();
	if (!child) {
		child_stdio(-1);
		_exit(other_caller(what, NULL));
	}
	status = wait_ms(child, 5000);
	ok = status >= 0 && WIFEXITED(status) && !WEXITSTATUS(status);
	if (status < 0)
		dump_task(child, "a second caller, still waiting");
	printf("# another caller of the same ioctl %s\n",
	       ok ? "returned" : "is still waiting after 5 s");

	/* Let the stalled copy finish, then everyone. */
	zp.range.start = reg.range.start;
	zp.range.len = page;
	ioctl(uffd, UFFDIO_ZEROPAGE, &zp);
	pthread_join(thr, NULL);
	if (status < 0)
		waitpid(child, &status, 0);
	printf("# stalled ioctl: %d (%s)\n", s.ret, s.ret ? strerror(s.err) : "ok");
	return !ok;
}

/* ---- VFIO and lease holders ----------------------------------------------- */

static int mode_vfio_hold(const char *bdf)
{
	struct kt_vfio v;

	if (kt_vfio_open(bdf, &v))
		return 1;
	printf("held\n");
	fflush(stdout);
	for (;;)
		pause();
}

static int mode_lease_bind(const char *bdf)
{
	struct dpkit_lease lease = { 0 };
	struct dpkit_nic_bind b = { 0 };
	int fd = open_dev();

	strncpy(b.bdf, bdf, sizeof(b.bdf) - 1);
	if (ioctl(fd, DPKIT_IOC_LEASE, &lease) ||
	    ioctl(fd, DPKIT_IOC_NIC_BIND, &b)) {
		fprintf(stderr, "kregress: lease, bind %s: %s\n", bdf,
			strerror(errno));
		return 1;
	}
	printf("bound\n");
	fflush(stdout);
	for (;;)
		pause();
}

static int mode_timed(int seconds, const char *what, const char *busy_bdf)
{
	FILE *out = tmpfile();
	char line[256];
	int status;
	pid_t child;

	if (strcmp(what, "nic-list") || !out)
		return 2;
	child = fork();
	if (!child) {
		child_stdio(fileno(out));
		setvbuf(stdout, NULL, _IOLBF, 0);
		_exit(other_caller("nic", busy_bdf));
	}
	status = wait_ms(child, seconds * 1000);
	rewind(out);
	while (fgets(line, sizeof(line), out))
		fputs(line, stdout);
	if (status < 0) {
		dump_task(child, "NIC_LIST, still waiting");
		printf("# NIC_LIST did not return within %d s\n", seconds);
		return 1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 100)
		printf("# %s is not reported busy\n", busy_bdf);
	return !(WIFEXITED(status) && !WEXITSTATUS(status));
}

/* ---- preempt: the page writer must not be preempted mid-slot --------------- */

static volatile int stop;

static void *preempt_writer(void *p)
{
	struct dpkit_link_report rep = { .port_id = PREEMPT_PORT };
	int fd = *(int *)p;
	unsigned long n = 0;

	strcpy(rep.name, "preempt");
	while (!stop) {
		rep.flags = n++ & 1 ? DPKIT_LINK_F_UP : 0;
		if (ioctl(fd, DPKIT_IOC_LINK_REPORT, &rep)) {
			perror("kregress: LINK_REPORT");
			stop = 1;
		}
	}
	printf("# writer: %lu reports\n", n);
	return NULL;
}

static int mode_preempt(int cpu, int seconds)
{
	struct sched_param sp = { .sched_priority = 50 };
	struct dpkit_version ver = { 0 };
	const struct dpkit_page_hdr *hdr;
	const struct dpkit_link_slot *slots, *slot = NULL;
	uint64_t end, t0, waited, worst = 0, reads = 0, waits = 0;
	struct timespec nap = { 0, 200000 };
	pthread_t thr;
	void *map;
	uint32_t i, seq;
	int fd = open_dev();

	if (ioctl(fd, DPKIT_IOC_VERSION, &ver))
		return 2;
	map = mmap(NULL, ver.map_size, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		return 2;
	hdr = map;
	slots = (const void *)((const char *)map + hdr->slot_offset);
	if (pin(cpu)) {
		perror("kregress: sched_setaffinity");
		return 2;
	}
	pthread_create(&thr, NULL, preempt_writer, &fd);	/* inherits the pin */
	for (i = 0; !slot && i < 1000; i++) {
		uint32_t k;

		for (k = 0; k < hdr->nr_slots; k++)
			if (__atomic_load_n(&slots[k].owner, __ATOMIC_ACQUIRE) ==
			    DPKIT_OWNER_DPDK && slots[k].key == PREEMPT_PORT)
				slot = &slots[k];
		usleep(1000);
	}
	if (!slot) {
		stop = 1;
		pthread_join(thr, NULL);
		printf("# the writer's port never appeared in the page\n");
		return 1;
	}
	if (sched_setscheduler(0, SCHED_FIFO, &sp)) {
		perror("kregress: SCHED_FIFO");
		stop = 1;
		pthread_join(thr, NULL);
		return 2;
	}
	end = now_ns() + (uint64_t)seconds * 1000000000ULL;
	while (now_ns() < end && !stop) {
		nanosleep(&nap, NULL);
		seq = __atomic_load_n(&slot->seq, __ATOMIC_ACQUIRE);
		reads++;
		if (!(seq & 1))
			continue;
		/* Caught the writer inside its section: how long until it ends? */
		waits++;
		t0 = now_ns();
		while (__atomic_load_n(&slot->seq, __ATOMIC_ACQUIRE) == seq)
			;
		waited = now_ns() - t0;
		if (waited > worst)
			worst = waited;
	}
	sp.sched_priority = 0;
	sched_setscheduler(0, SCHED_OTHER, &sp);
	stop = 1;
	pthread_join(thr, NULL);
	printf("# reader on CPU %d: %llu wake-ups, %llu found the slot being "
	       "written, longest wait %.3f ms (limit %.0f ms)\n", cpu,
	       (unsigned long long)reads, (unsigned long long)waits,
	       worst / 1e6, MAX_WAIT_NS / 1e6);
	return worst > MAX_WAIT_NS;
}

/* ---- group-race ------------------------------------------------------------- */

static int sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static int mode_group_race(const char *a, const char *b, int seconds)
{
	char unbind[128], bind[128], drv[128], link[128];
	volatile unsigned long *counts;
	unsigned long seen[2] = { 0, 0 };
	uint64_t end, moved;
	pid_t cycler, binder;
	int fd, left = 2, status;
	ssize_t n;

	snprintf(drv, sizeof(drv), "/sys/bus/pci/devices/%s/driver", b);
	n = readlink(drv, link, sizeof(link) - 1);
	if (n < 0)
		return 2;
	link[n] = '\0';
	snprintf(unbind, sizeof(unbind), "/sys/bus/pci/devices/%s/driver/unbind", b);
	snprintf(bind, sizeof(bind), "/sys/bus/pci/drivers/%s/bind",
		 strrchr(link, '/') + 1);

	/* [0] bind attempts, [1] unbind/bind cycles, [2] bound, [3] refused */
	counts = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (counts == MAP_FAILED)
		return 2;
	end = now_ns() + (uint64_t)seconds * 1000000000ULL;
	cycler = fork();
	if (!cycler) {
		child_stdio(-1);
		while (now_ns() < end) {
			sysfs_write(unbind, b);
			sysfs_write(bind, b);
			counts[1]++;
		}
		_exit(0);
	}
	binder = fork();
	if (!binder) {
		child_stdio(-1);
		fd = open_dev();
		while (now_ns() < end) {
			struct dpkit_nic_bind nb = { 0 };
			struct dpkit_nic_restore r = { 0 };

			strncpy(nb.bdf, a, sizeof(nb.bdf) - 1);
			strncpy(r.bdf, a, sizeof(r.bdf) - 1);
			if (!ioctl(fd, DPKIT_IOC_NIC_BIND, &nb)) {
				counts[2]++;
				ioctl(fd, DPKIT_IOC_NIC_RESTORE, &r);
			} else {
				counts[3]++;
			}
			counts[0]++;
		}
		_exit(0);
	}

	/* A side that makes no progress for 20 s is hung. */
	moved = now_ns();
	while (left) {
		if (waitpid(-1, &status, WNOHANG) > 0) {
			left--;
			continue;
		}
		if (counts[0] != seen[0] || counts[1] != seen[1]) {
			seen[0] = counts[0];
			seen[1] = counts[1];
			moved = now_ns();
		} else if (now_ns() - moved > 20000000000ULL) {
			printf("# no progress for 20 s: hung\n");
			dump_task(binder, "the binder");
			dump_task(cycler, "the unbind/bind cycler");
			break;
		}
		usleep(100000);
	}
	printf("# %lu bind attempts (%lu bound, %lu refused), %lu unbind/bind "
	       "cycles of %s\n", counts[0], counts[2], counts[3], counts[1], b);
	return left ? 1 : !(counts[0] && counts[1]);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && !strcmp(argv[1], "genl-reserved"))
		return mode_genl_reserved();
	if (argc == 3 && !strcmp(argv[1], "genl-spin"))
		return mode_genl_spin(atoi(argv[2]));
	if (argc == 3 && !strcmp(argv[1], "stall"))
		return mode_stall(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "vfio-hold"))
		return mode_vfio_hold(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "lease-bind"))
		return mode_lease_bind(argv[2]);
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "timed"))
		return mode_timed(atoi(argv[2]), argv[3], argc == 5 ? argv[4] : NULL);
	if (argc == 4 && !strcmp(argv[1], "preempt"))
		return mode_preempt(atoi(argv[2]), atoi(argv[3]));
	if (argc == 5 && !strcmp(argv[1], "group-race"))
		return mode_group_race(argv[2], argv[3], atoi(argv[4]));
	fprintf(stderr, "usage: see the comment at the top of %s\n", __FILE__);
	return 2;
}
