// SPDX-License-Identifier: BSD-3-Clause
/*
 * permcheck: what one identity may do with /dev/dpkit, as one row of the
 * permissions matrix that tests/vm/20-perms.sh asserts
 * (Documentation/testing.rst).
 *
 *   permcheck header                  the column names
 *   permcheck row IDENTITY [--nic BDF] [--gid G] [--uid U]
 *   permcheck cleanup                 as root: undo what a row may have done
 *
 * IDENTITY (becomes it, then tries every column):
 *   root            uid 0, every capability
 *   group           uid U, member of group G (the udev rule's), no capability
 *   user            uid 65534, no group, no capability
 *   netadmin        uid 0 with CAP_NET_ADMIN only
 *   sysadmin        uid 0 with CAP_SYS_ADMIN only
 *   nocaps          uid 0 with no capability
 *   group-netadmin  uid U in group G with CAP_NET_ADMIN (a daemon's account)
 *   fd-passed       a read-write fd opened by root, used by uid 65534
 *   lease-dropped   uid 0 with CAP_NET_ADMIN opens and takes a lease, then
 *                   drops every capability and uses that fd
 *   caps-raised     uid 0 opens with no effective capability, then raises
 *                   them all again and uses that fd (LEASE on it too)
 *
 * The row: "IDENTITY col=result ...", a result being "ok", the errno's name,
 * or "-" when there was no fd to try it on. open_ro/open_rw are opens as the
 * identity; every other column uses its fd (read-write when it could open
 * so, else read-only). LEASE is a lease on a second fd opened the same way
 * (fd-passed: a second fd root opened; lease-dropped, caps-raised: a
 * lease on the fd the other columns use, before the drop, after the raise).
 * Capabilities are those of the process that opened the file (kmod/main.c),
 * so the last three rows tell the opener's from the caller's.
 * Each ioctl gets valid, harmless arguments, so a refusal is a permission
 * refusal: NIC_BIND binds --nic to the driver it is on, NIC_RESTORE restores
 * it, ISOLATE_SET isolates the last CPU and ISOLATE_CLEAR clears it,
 * LINK_REPORT reports DPDK port 4242, LINK_WATCH goes back to "all". read
 * and poll are "ok" when permitted, whether or not there was news.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/dpkit.h>

#include "kt.h"

#define TEST_PORT	4242

static const char *const columns[] = {
	"open_ro", "open_rw", "VERSION", "LEASE", "NIC_LIST", "NIC_BIND",
	"NIC_RESTORE", "ISOLATE_SET", "ISOLATE_GET", "ISOLATE_CLEAR",
	"IRQ_REPORT", "LINK_REPORT", "LINK_WATCH", "mmap_ro", "mmap_rw",
	"mmap_x", "mprotect_w", "mprotect_x", "read", "poll",
};

#define NR_COLS (sizeof(columns) / sizeof(columns[0]))

static char cell[NR_COLS][24];
static const char *nic;
static gid_t group_gid = 990;
static uid_t group_uid = 60000;

static void set(const char *col, int err)
{
	size_t i;

	for (i = 0; i < NR_COLS; i++)
		if (!strcmp(columns[i], col))
			snprintf(cell[i], sizeof(cell[i]), "%s", kt_errname(err));
}

static int res(int ret)
{
	return ret < 0 ? errno : 0;
}

/* ---- becoming someone ---------------------------------------------------- */

/* The effective and permitted sets become @eff and @perm (CAP_* bit masks). */
static void caps_set(uint64_t eff, uint64_t perm)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = { 0 };

	d[0].effective = (uint32_t)eff;
	d[1].effective = (uint32_t)(eff >> 32);
	d[0].permitted = (uint32_t)perm;
	d[1].permitted = (uint32_t)(perm >> 32);
	if (syscall(SYS_capset, &h, d)) {
		perror("permcheck: capset");
		exit(1);
	}
}

/* Keep exactly @caps in the effective and permitted sets. */
static void caps_only(uint64_t caps)
{
	caps_set(caps, caps);
}

/* The permitted set now. */
static uint64_t caps_permitted(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = { 0 };

	if (syscall(SYS_capget, &h, d)) {
		perror("permcheck: capget");
		exit(1);
	}
	return d[0].permitted | (uint64_t)d[1].permitted << 32;
}

static void become_uid(uid_t uid, gid_t gid, const gid_t *groups, size_t n,
		       int keep_caps)
{
	if (keep_caps && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0)) {
		perror("permcheck: PR_SET_KEEPCAPS");
		exit(1);
	}
	if (setgroups(n, groups) || setresgid(gid, gid, gid) ||
	    setresuid(uid, uid, uid)) {
		perror("permcheck: becoming the identity");
		exit(1);
	}
}

static int open_as(int flags)
{
	return open(KT_DEV, flags | O_CLOEXEC);
}

/* The identity's fd: read-write when it may, else read-only; -1 if neither. */
static int open_cols(void)
{
	int rw = open_as(O_RDWR), ro;

	set("open_rw", res(rw));
	ro = open_as(O_RDONLY);
	set("open_ro", res(ro));
	if (rw >= 0) {
		if (ro >= 0)
			close(ro);
		return rw;
	}
	return ro;
}

static void lease_col(void)
{
	struct dpkit_lease l = { 0 };
	int fd = open_as(O_RDWR);

	if (fd < 0)
		fd = open_as(O_RDONLY);
	if (fd < 0)
		return;		/* "-": nothing to lease */
	set("LEASE", res(ioctl(fd, DPKIT_IOC_LEASE, &l)));
	close(fd);
}

/* ---- the columns on one fd ------------------------------------------------- */

static void ioctl_cols(int fd)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	struct dpkit_version v = { 0 };
	struct {
		struct dpkit_nic_list l;
		struct dpkit_nic n[8];
	} list = { .l = { .count = 8, .entry_size = sizeof(struct dpkit_nic) } };
	struct dpkit_nic_bind b = { 0 };
	struct dpkit_nic_restore r = { 0 };
	struct {
		struct dpkit_cpumask m;
		uint64_t w[16];
	} iso = { .m.nr_bits = 64 };
	struct {
		struct dpkit_irq_report r;
		struct dpkit_irq_entry e[16];
	} irq = { .r = { .count = 16, .entry_size = sizeof(struct dpkit_irq_entry) } };
	struct dpkit_link_report rep = { .port_id = TEST_PORT,
					 .flags = DPKIT_LINK_F_UP };
	struct dpkit_link_watch w = { .op = DPKIT_WATCH_ALL };

	set("VERSION", res(ioctl(fd, DPKIT_IOC_VERSION, &v)));
	set("NIC_LIST", res(ioctl(fd, DPKIT_IOC_NIC_LIST, &list)));
	if (nic) {
		snprintf(b.bdf, sizeof(b.bdf), "%s", nic);
		kt_driver_of(nic, b.driver, sizeof(b.driver));
		set("NIC_BIND", res(ioctl(fd, DPKIT_IOC_NIC_BIND, &b)));
		snprintf(r.bdf, sizeof(r.bdf), "%s", nic);
		set("NIC_RESTORE", res(ioctl(fd, DPKIT_IOC_NIC_RESTORE, &r)));
	}
	iso.w[0] = 1ULL << (cpus > 1 ? cpus - 1 : 0);
	set("ISOLATE_SET", res(ioctl(fd, DPKIT_IOC_ISOLATE_SET, &iso)));
	memset(&iso, 0, sizeof(iso));
	iso.m.nr_bits = 1024;
	set("ISOLATE_GET", res(ioctl(fd, DPKIT_IOC_ISOLATE_GET, &iso)));
	set("ISOLATE_CLEAR", res(ioctl(fd, DPKIT_IOC_ISOLATE_CLEAR, 0)));
	set("IRQ_REPORT", res(ioctl(fd, DPKIT_IOC_IRQ_REPORT, &irq)));
	set("LINK_REPORT", res(ioctl(fd, DPKIT_IOC_LINK_REPORT, &rep)));
	set("LINK_WATCH", res(ioctl(fd, DPKIT_IOC_LINK_WATCH, &w)));
}

static void map_cols(int fd)
{
	struct dpkit_version v = { 0 };
	size_t size;
	void *p;

	if (ioctl(fd, DPKIT_IOC_VERSION, &v))
		return;
	size = v.map_size;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	set("mmap_rw", res(p == MAP_FAILED ? -1 : 0));
	if (p != MAP_FAILED)
		munmap(p, size);
	p = mmap(NULL, size, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
	set("mmap_x", res(p == MAP_FAILED ? -1 : 0));
	if (p != MAP_FAILED)
		munmap(p, size);
	p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	set("mmap_ro", res(p == MAP_FAILED ? -1 : 0));
	if (p == MAP_FAILED)
		return;
	set("mprotect_w", res(mprotect(p, size, PROT_READ | PROT_WRITE)));
	set("mprotect_x", res(mprotect(p, size, PROT_READ | PROT_EXEC)));
	munmap(p, size);
}

static void wait_cols(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint64_t events;
	ssize_t n;
	int ret;

	fcntl(fd, F_SETFL, O_NONBLOCK);
	n = read(fd, &events, sizeof(events));
	set("read", n == (ssize_t)sizeof(events) || (n < 0 && errno == EAGAIN) ? 0 :
		    n < 0 ? errno : EIO);
	ret = poll(&pfd, 1, 0);
	set("poll", ret < 0 ? errno :
		    pfd.revents & (POLLERR | POLLNVAL | POLLHUP) ? EIO : 0);
}

/* ---- main ----------------------------------------------------------------- */

static int row(const char *who)
{
	static const gid_t none[1];
	const gid_t grp[1] = { group_gid };
	int fd = -1, leased = 0;	/* leased: the LEASE column is done */
	size_t i;

	for (i = 0; i < NR_COLS; i++)
		snprintf(cell[i], sizeof(cell[i]), "-");

	if (!strcmp(who, "root")) {
		fd = open_cols();
	} else if (!strcmp(who, "group")) {
		become_uid(group_uid, group_uid, grp, 1, 0);
		fd = open_cols();
	} else if (!strcmp(who, "user")) {
		become_uid(65534, 65534, none, 0, 0);
		fd = open_cols();
	} else if (!strcmp(who, "netadmin")) {
		caps_only(1ULL << CAP_NET_ADMIN);
		fd = open_cols();
	} else if (!strcmp(who, "sysadmin")) {
		caps_only(1ULL << CAP_SYS_ADMIN);
		fd = open_cols();
	} else if (!strcmp(who, "nocaps")) {
		caps_only(0);
		fd = open_cols();
	} else if (!strcmp(who, "group-netadmin")) {
		become_uid(group_uid, group_uid, grp, 1, 1);
		caps_only(1ULL << CAP_NET_ADMIN);
		fd = open_cols();
	} else if (!strcmp(who, "fd-passed")) {
		struct dpkit_lease l = { 0 };
		int fd2;

		fd = open_as(O_RDWR);
		fd2 = open_as(O_RDWR);
		become_uid(65534, 65534, none, 0, 0);
		open_cols();	/* as nobody: refused; the columns use root's fds */
		set("LEASE", res(ioctl(fd2, DPKIT_IOC_LEASE, &l)));
		close(fd2);
		leased = 1;
	} else if (!strcmp(who, "lease-dropped")) {
		struct dpkit_lease l = { 0 };

		caps_only(1ULL << CAP_NET_ADMIN);
		fd = open_cols();
		set("LEASE", res(ioctl(fd, DPKIT_IOC_LEASE, &l)));
		leased = 1;
		caps_only(0);
	} else if (!strcmp(who, "caps-raised")) {
		struct dpkit_lease l = { 0 };
		uint64_t all = caps_permitted();

		caps_set(0, all);
		fd = open_cols();
		caps_set(all, all);
		set("LEASE", res(ioctl(fd, DPKIT_IOC_LEASE, &l)));
		leased = 1;
	} else {
		fprintf(stderr, "permcheck: unknown identity '%s'\n", who);
		return 2;
	}
	if (!leased)
		lease_col();
	if (fd >= 0) {
		ioctl_cols(fd);
		map_cols(fd);
		wait_cols(fd);
		close(fd);
	}
	printf("%s", who);
	for (i = 0; i < NR_COLS; i++)
		printf(" %s=%s", columns[i], cell[i]);
	printf("\n");
	return 0;
}

/* As root, after a row: no isolation, no test port, the watch set "all". */
static int cleanup(void)
{
	struct dpkit_link_report rep = { .port_id = TEST_PORT,
					 .op = DPKIT_REPORT_REMOVE };
	struct dpkit_link_watch w = { .op = DPKIT_WATCH_ALL };
	int fd = open_as(O_RDWR), bad = 0;

	if (fd < 0 || ioctl(fd, DPKIT_IOC_ISOLATE_CLEAR, 0) ||
	    ioctl(fd, DPKIT_IOC_LINK_WATCH, &w)) {
		perror("permcheck: cleanup");
		bad = 1;
	}
	if (fd >= 0 && ioctl(fd, DPKIT_IOC_LINK_REPORT, &rep) && errno != ENOENT) {
		perror("permcheck: remove the test port");
		bad = 1;
	}
	if (fd >= 0)
		close(fd);
	return bad;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "nic", required_argument, NULL, 'n' },
		{ "gid", required_argument, NULL, 'g' },
		{ "uid", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	size_t i;
	int c;

	if (argc >= 2 && !strcmp(argv[1], "header")) {
		printf("identity");
		for (i = 0; i < NR_COLS; i++)
			printf(" %s", columns[i]);
		printf("\n");
		return 0;
	}
	if (argc >= 2 && !strcmp(argv[1], "cleanup"))
		return cleanup();
	if (argc < 3 || strcmp(argv[1], "row"))
		goto usage;
	optind = 3;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			nic = optarg;
			break;
		case 'g':
			group_gid = (gid_t)atoi(optarg);
			break;
		case 'u':
			group_uid = (uid_t)atoi(optarg);
			break;
		default:
			goto usage;
		}
	}
	return row(argv[2]);
usage:
	fprintf(stderr, "usage: permcheck header | cleanup | row IDENTITY "
		"[--nic BDF] [--gid G] [--uid U]\n");
	return 2;
}
