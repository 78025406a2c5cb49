/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * linkprobe: exercises dpkit.ko's link state and leases through libdpkit,
 * for the VM scenarios. Each mode prints diagnostics as "# ..." lines and exits 0 when
 * every check held.
 *
 *   linkprobe state OWNER KEY        print a slot: up=0|1 flags speed changes name
 *   linkprobe wait MS                block in poll()/read() for one change
 *   linkprobe report PORT up|down    report a DPDK port (no lease)
 *   linkprobe watch add|del|all [IF] choose the tracked kernel netdevs
 *   linkprobe hold PORT...           lease, report the ports up, wait to die
 *   linkprobe hold-nic BDF [persist] lease, bind BDF to vfio-pci, wait to die
 *   linkprobe hold-isolate CPULIST   lease, isolate the CPUs, wait to die
 *   linkprobe storm CHANGES READERS  reports vs concurrent page readers
 *   linkprobe ifstorm IF FLAPS READERS  netdev up/down vs page readers
 *   linkprobe unpriv                 as nobody: may read, may not mutate
 *   linkprobe mmap-misuse            every wrong mmap is refused
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <sys/socket.h>

#include "libdpkit.h"

#define STORM_PORT	4000

static int failures;

#define CHECK(cond, ...) do {						\
		if (cond) {						\
			printf("# ok: " __VA_ARGS__);			\
		} else {						\
			printf("# FAIL: " __VA_ARGS__);			\
			failures++;					\
		}							\
		printf("\n");						\
	} while (0)

static void die(const char *what)
{
	fprintf(stderr, "linkprobe: %s: %s\n", what, dpkit_errmsg());
	exit(1);
}

static struct dpkit *open_dev(void)
{
	struct dpkit *dk;

	if (dpkit_open(NULL, &dk) < 0)
		die("open");
	return dk;
}

static void map_page(struct dpkit *dk, struct dpkit_link_page *pg)
{
	if (dpkit_page_map(dk, pg) < 0)
		die("map");
}

static int report(struct dpkit *dk, uint32_t port, uint32_t flags,
		  uint32_t speed, const char *name)
{
	struct dpkit_link_report rep = { .port_id = port, .flags = flags,
					 .speed = speed };

	snprintf(rep.name, sizeof(rep.name), "%s", name);
	return dpkit_link_report(dk, &rep);
}

static int mode_state(int argc, char **argv)
{
	struct dpkit_link_page pg;
	struct dpkit_link_slot s;
	struct dpkit *dk;
	uint32_t owner;

	if (argc != 4)
		return 2;
	owner = !strcmp(argv[2], "dpdk") ? DPKIT_OWNER_DPDK : DPKIT_OWNER_KERNEL;
	dk = open_dev();
	map_page(dk, &pg);
	if (dpkit_page_find(&pg, owner, strtoul(argv[3], NULL, 0), &s) < 0) {
		printf("absent\n");
		return 1;
	}
	printf("up=%d flags=0x%x speed=%u changes=%llu name=%s\n",
	       !!(s.flags & DPKIT_LINK_F_UP), s.flags, s.speed,
	       (unsigned long long)s.changes, s.name);
	return 0;
}

static int mode_wait(int argc, char **argv)
{
	struct dpkit *dk;
	uint64_t events;

	if (argc != 3)
		return 2;
	dk = open_dev();
	printf("# waiting\n");
	fflush(stdout);
	if (dpkit_wait(dk, atoi(argv[2]), &events) < 0) {
		printf("# %s\n", dpkit_errmsg());
		return 1;
	}
	printf("events %llu\n", (unsigned long long)events);
	return 0;
}

static int mode_report(int argc, char **argv)
{
	struct dpkit *dk;
	uint32_t port;

	if (argc != 4)
		return 2;
	port = strtoul(argv[2], NULL, 0);
	dk = open_dev();
	if (report(dk, port, strcmp(argv[3], "up") ? 0 : DPKIT_LINK_F_UP, 0,
		   "") < 0) {
		printf("# %s\n", dpkit_errmsg());
		return 1;
	}
	return 0;
}

static int mode_watch(int argc, char **argv)
{
	static const char *const ops[] = { "add", "del", "all" };
	struct dpkit *dk;
	unsigned int op;

	if (argc < 3)
		return 2;
	for (op = 0; op < 3 && strcmp(argv[2], ops[op]); op++)
		;
	if (op == 3 || (op == DPKIT_WATCH_ALL) != (argc == 3))
		return 2;
	dk = open_dev();
	if (dpkit_link_watch(dk, op, 0, argc > 3 ? argv[3] : NULL) < 0) {
		printf("# %s\n", dpkit_errmsg());
		return 1;
	}
	return 0;
}

static int mode_hold(int argc, char **argv)
{
	struct dpkit *dk;
	char name[16];
	int i;

	if (argc < 3)
		return 2;
	dk = open_dev();
	if (dpkit_lease(dk) < 0)
		die("lease");
	for (i = 2; i < argc; i++) {
		snprintf(name, sizeof(name), "held%s", argv[i]);
		if (report(dk, strtoul(argv[i], NULL, 0),
			   DPKIT_LINK_F_UP | DPKIT_LINK_F_FULL_DUPLEX, 10000,
			   name) < 0)
			die("report");
	}
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}

static int mode_hold_nic(int argc, char **argv)
{
	struct dpkit *dk;

	if (argc < 3 || argc > 4 || (argc == 4 && strcmp(argv[3], "persist")))
		return 2;
	dk = open_dev();
	if (dpkit_lease(dk) < 0)
		die("lease");
	if (dpkit_nic_bind(dk, argv[2], "vfio-pci",
			   argc == 4 ? DPKIT_BIND_PERSIST : 0, NULL) < 0)
		die("bind");
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}

static int mode_hold_isolate(int argc, char **argv)
{
	uint64_t words[8192 / 64];
	struct dpkit *dk;

	if (argc != 3)
		return 2;
	if (dpkit_cpulist_parse(argv[2], words, 8192) < 0)
		die("cpu list");
	dk = open_dev();
	if (dpkit_lease(dk) < 0)
		die("lease");
	if (dpkit_isolate_set(dk, words, 8192, NULL, NULL) < 0)
		die("isolate");
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}

/* ---- storm ----------------------------------------------------------- */

struct storm {
	struct dpkit_link_page pg;
	struct dpkit *waiter;
	volatile int done;
	int idx;
};

struct reader {
	pthread_t thread;
	struct storm *st;
	unsigned long reads, torn, bit_mismatch, distinct;
};

static const struct dpkit_link_slot *storm_slot(const struct storm *st)
{
	return (const void *)(st->pg.slots + (size_t)st->idx * st->pg.slot_size);
}

/*
 * The slot's bitmap bit, loaded after a copy of the slot (dpkit_page_read)
 * and validated by the slot's sequence count: it must agree with the copy.
 */
static int bit_disagrees(const struct storm *st, const struct dpkit_link_slot *s)
{
	int up = dpkit_page_up(&st->pg, st->idx);

	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return __atomic_load_n(&storm_slot(st)->seq, __ATOMIC_RELAXED) == s->seq &&
	       up != !!(s->flags & DPKIT_LINK_F_UP);
}

/* Every field written by the storm is a function of its speed. */
static int consistent(const struct dpkit_link_slot *s)
{
	char want[16];

	if (s->owner != DPKIT_OWNER_DPDK || s->key != STORM_PORT)
		return 0;
	snprintf(want, sizeof(want), "s%u", s->speed);
	if (strcmp(want, s->name))
		return 0;
	if (!!(s->flags & DPKIT_LINK_F_UP) != (s->speed & 1))
		return 0;
	return !!(s->flags & DPKIT_LINK_F_FULL_DUPLEX) == (s->speed & 1);
}

static void *reader_main(void *arg)
{
	struct reader *r = arg;
	struct storm *st = r->st;
	struct dpkit_link_slot s;
	uint32_t last = 0;

	while (!st->done) {
		dpkit_page_read(&st->pg, st->idx, &s);
		r->reads++;
		if (!consistent(&s))
			r->torn++;
		if (s.speed != last)
			r->distinct++;
		last = s.speed;
		if (bit_disagrees(st, &s))
			r->bit_mismatch++;
	}
	return NULL;
}

static void *waiter_main(void *arg)
{
	struct storm *st = arg;
	unsigned long *wakeups = calloc(1, sizeof(*wakeups));
	uint64_t events;

	while (!st->done)
		if (dpkit_wait(st->waiter, 200, &events) == 0)
			(*wakeups)++;
	return wakeups;
}

static int mode_storm(int argc, char **argv)
{
	struct storm st = { 0 };
	struct reader *readers;
	unsigned long changes, nr, i, torn = 0, mismatch = 0, reads = 0;
	unsigned long *wakeups;
	pthread_t waiter;
	struct dpkit *dk;
	uint64_t ev0, ev1;
	char name[16];

	if (argc != 4)
		return 2;
	changes = strtoul(argv[2], NULL, 0);
	nr = strtoul(argv[3], NULL, 0);
	dk = open_dev();
	st.waiter = open_dev();
	if (dpkit_lease(dk) < 0)
		die("lease");
	map_page(dk, &st.pg);
	if (report(dk, STORM_PORT, 0, 0, "s0") < 0)
		die("report");
	st.idx = dpkit_page_find(&st.pg, DPKIT_OWNER_DPDK, STORM_PORT,
				 &(struct dpkit_link_slot){ 0 });
	if (st.idx < 0)
		die("find");
	ev0 = dpkit_page_events(&st.pg);

	readers = calloc(nr, sizeof(*readers));
	for (i = 0; i < nr; i++) {
		readers[i].st = &st;
		pthread_create(&readers[i].thread, NULL, reader_main, &readers[i]);
	}
	pthread_create(&waiter, NULL, waiter_main, &st);

	for (i = 1; i <= changes; i++) {
		snprintf(name, sizeof(name), "s%lu", i);
		if (report(dk, STORM_PORT, (i & 1) ? DPKIT_LINK_F_UP |
			   DPKIT_LINK_F_FULL_DUPLEX : 0, i, name) < 0)
			die("report");
	}
	st.done = 1;
	for (i = 0; i < nr; i++) {
		pthread_join(readers[i].thread, NULL);
		printf("# reader %lu: %lu reads, %lu distinct values, %lu torn, "
		       "%lu bitmap mismatches\n", i, readers[i].reads,
		       readers[i].distinct, readers[i].torn,
		       readers[i].bit_mismatch);
		reads += readers[i].reads;
		torn += readers[i].torn;
		mismatch += readers[i].bit_mismatch;
	}
	pthread_join(waiter, (void **)&wakeups);
	ev1 = dpkit_page_events(&st.pg);

	CHECK(ev1 - ev0 == changes, "%lu changes published (%llu events)",
	      changes, (unsigned long long)(ev1 - ev0));
	CHECK(reads > 0, "%lu concurrent reads", reads);
	CHECK(torn == 0, "no torn slot copy");
	CHECK(mismatch == 0, "the bitmap always agreed with the slot");
	CHECK(*wakeups > 0, "poll()/read() woke %lu times", *wakeups);
	free(wakeups);
	free(readers);
	return failures ? 1 : 0;
}

/*
 * A kernel netdev flapped with SIOCSIFFLAGS while readers check what must
 * hold for every copy of its slot: its key and name, "up" only with admin
 * up and carrier, a change count that never goes back, and the bitmap.
 */
struct ifreader {
	pthread_t thread;
	struct storm *st;
	uint32_t ifindex;
	const char *name;
	unsigned long reads, bad, bit_mismatch;
};

static void *ifreader_main(void *arg)
{
	struct ifreader *r = arg;
	struct storm *st = r->st;
	struct dpkit_link_slot s;
	uint64_t last_changes = 0;

	while (!st->done) {
		dpkit_page_read(&st->pg, st->idx, &s);
		r->reads++;
		if (s.owner != DPKIT_OWNER_KERNEL || s.key != r->ifindex ||
		    strcmp(s.name, r->name) || s.changes < last_changes ||
		    ((s.flags & DPKIT_LINK_F_UP) &&
		     (~s.flags & (DPKIT_LINK_F_ADMIN_UP | DPKIT_LINK_F_CARRIER))))
			r->bad++;
		last_changes = s.changes;
		if (bit_disagrees(st, &s))
			r->bit_mismatch++;
	}
	return NULL;
}

static int set_if_up(int sock, const char *name, int up)
{
	struct ifreq ifr = { 0 };

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(sock, SIOCGIFFLAGS, &ifr))
		return -1;
	ifr.ifr_flags = up ? ifr.ifr_flags | IFF_UP : ifr.ifr_flags & ~IFF_UP;
	return ioctl(sock, SIOCSIFFLAGS, &ifr);
}

static int mode_ifstorm(int argc, char **argv)
{
	struct storm st = { 0 };
	struct dpkit_link_slot s;
	struct ifreader *readers;
	unsigned long flaps, nr, i, bad = 0, mismatch = 0, reads = 0;
	struct dpkit *dk;
	uint64_t changes0;
	int sock;

	if (argc != 5)
		return 2;
	flaps = strtoul(argv[3], NULL, 0);
	nr = strtoul(argv[4], NULL, 0);
	dk = open_dev();
	map_page(dk, &st.pg);
	sock = socket(AF_INET, SOCK_DGRAM, 0);
	st.idx = dpkit_page_find(&st.pg, DPKIT_OWNER_KERNEL,
				 if_nametoindex(argv[2]), &s);
	if (sock < 0 || st.idx < 0)
		die("find the interface");
	changes0 = s.changes;

	readers = calloc(nr, sizeof(*readers));
	for (i = 0; i < nr; i++) {
		readers[i].st = &st;
		readers[i].ifindex = if_nametoindex(argv[2]);
		readers[i].name = argv[2];
		pthread_create(&readers[i].thread, NULL, ifreader_main,
			       &readers[i]);
	}
	for (i = 0; i < flaps; i++) {
		if (set_if_up(sock, argv[2], !(i & 1))) {
			perror("linkprobe: SIOCSIFFLAGS");
			break;
		}
	}
	/* Let the deferred carrier events land before the readers stop. */
	set_if_up(sock, argv[2], 0);
	usleep(200000);
	st.done = 1;
	for (i = 0; i < nr; i++) {
		pthread_join(readers[i].thread, NULL);
		printf("# reader %lu: %lu reads, %lu inconsistent, %lu bitmap "
		       "mismatches\n", i, readers[i].reads, readers[i].bad,
		       readers[i].bit_mismatch);
		reads += readers[i].reads;
		bad += readers[i].bad;
		mismatch += readers[i].bit_mismatch;
	}
	dpkit_page_read(&st.pg, st.idx, &s);
	CHECK(s.changes - changes0 > 0, "%lu flaps, %llu up/down transitions "
	      "recorded", flaps, (unsigned long long)(s.changes - changes0));
	CHECK(reads > 0, "%lu concurrent reads", reads);
	CHECK(bad == 0, "every copy was consistent");
	CHECK(mismatch == 0, "the bitmap always agreed with the slot");
	CHECK(!(s.flags & DPKIT_LINK_F_UP), "down at the end");
	free(readers);
	return failures ? 1 : 0;
}

/* ---- permissions and the mapping --------------------------------------- */

static int mode_unpriv(void)
{
	struct dpkit_link_page pg;
	struct dpkit_link_report rep = { .port_id = 1 };
	struct dpkit_link_watch w = { .op = DPKIT_WATCH_ALL };
	struct dpkit_lease lease = { 0 };
	struct dpkit_version ver;
	struct dpkit *dk;
	uint64_t events;
	void *p;
	int fd;

	if (setgroups(0, NULL) || setgid(65534) || setuid(65534)) {
		perror("linkprobe: dropping to nobody");
		return 1;
	}
	fd = open(DPKIT_DEV_PATH, O_RDWR);
	CHECK(fd < 0 && errno == EACCES, "no write access to the device");
	if (fd >= 0)
		close(fd);
	if (dpkit_open(NULL, &dk) < 0)
		die("read-only open");
	CHECK(dpkit_version(dk, &ver) == 0 && ver.abi_version == DPKIT_ABI_VERSION,
	      "version");
	CHECK(dpkit_page_map(dk, &pg) == 0, "map the page");
	CHECK(dpkit_wait(dk, 10, &events) == -ETIMEDOUT, "poll()");
	CHECK(ioctl(dpkit_fd(dk), DPKIT_IOC_LINK_REPORT, &rep) < 0 &&
	      errno == EPERM, "LINK_REPORT refused: EPERM");
	CHECK(ioctl(dpkit_fd(dk), DPKIT_IOC_LEASE, &lease) < 0 && errno == EPERM,
	      "LEASE refused: EPERM");
	CHECK(ioctl(dpkit_fd(dk), DPKIT_IOC_LINK_WATCH, &w) < 0 && errno == EPERM,
	      "LINK_WATCH refused: EPERM");
	p = mmap(NULL, ver.map_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 dpkit_fd(dk), 0);
	CHECK(p == MAP_FAILED && errno == EACCES, "writable mapping refused");
	return failures ? 1 : 0;
}

static int mode_mmap_misuse(void)
{
	struct dpkit_version ver;
	struct dpkit *dk = open_dev();
	int fd = dpkit_fd(dk);
	size_t size;
	void *p;

	dpkit_version(dk, &ver);
	size = ver.map_size;

#define REFUSED(prot, flags, len, off, err, what) do {			\
		p = mmap(NULL, len, prot, flags, fd, off);		\
		CHECK(p == MAP_FAILED && errno == err, what);		\
		if (p != MAP_FAILED)					\
			munmap(p, len);					\
	} while (0)

	REFUSED(PROT_READ | PROT_WRITE, MAP_SHARED, size, 0, EPERM,
		"PROT_WRITE refused: EPERM");
	REFUSED(PROT_READ | PROT_EXEC, MAP_SHARED, size, 0, EPERM,
		"PROT_EXEC refused: EPERM");
	REFUSED(PROT_READ, MAP_PRIVATE, size, 0, EINVAL,
		"MAP_PRIVATE refused: EINVAL");
	REFUSED(PROT_READ, MAP_SHARED, size - 4096, 0, EINVAL,
		"a short mapping refused: EINVAL");
	REFUSED(PROT_READ, MAP_SHARED, size + 4096, 0, EINVAL,
		"a long mapping refused: EINVAL");
	REFUSED(PROT_READ, MAP_SHARED, size, 4096, EINVAL,
		"a non-zero offset refused: EINVAL");
#undef REFUSED

	p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	CHECK(p != MAP_FAILED, "the read-only mapping works");
	if (p != MAP_FAILED) {
		CHECK(mprotect(p, size, PROT_READ | PROT_WRITE) < 0 &&
		      errno == EACCES, "mprotect(PROT_WRITE) refused: EACCES");
		CHECK(((const struct dpkit_page_hdr *)p)->magic == DPKIT_PAGE_MAGIC,
		      "the header has the magic");
		munmap(p, size);
	}
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	int ret = 2;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		;
	else if (!strcmp(argv[1], "state"))
		ret = mode_state(argc, argv);
	else if (!strcmp(argv[1], "wait"))
		ret = mode_wait(argc, argv);
	else if (!strcmp(argv[1], "report"))
		ret = mode_report(argc, argv);
	else if (!strcmp(argv[1], "watch"))
		ret = mode_watch(argc, argv);
	else if (!strcmp(argv[1], "hold"))
		ret = mode_hold(argc, argv);
	else if (!strcmp(argv[1], "hold-nic"))
		ret = mode_hold_nic(argc, argv);
	else if (!strcmp(argv[1], "hold-isolate"))
		ret = mode_hold_isolate(argc, argv);
	else if (!strcmp(argv[1], "storm"))
		ret = mode_storm(argc, argv);
	else if (!strcmp(argv[1], "ifstorm"))
		ret = mode_ifstorm(argc, argv);
	else if (!strcmp(argv[1], "unpriv"))
		ret = mode_unpriv();
	else if (!strcmp(argv[1], "mmap-misuse"))
		ret = mode_mmap_misuse();
	if (ret == 2)
		fprintf(stderr, "usage: see the comment at the top of "
			"tests/vm/helpers/linkprobe.c\n");
	return ret;
}
