/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * linkbench: what reading a link's state costs, and how soon a change is
 * seen, through dpkit.ko's page and through rtnetlink (bench/vm/run.sh, in
 * a VM; Documentation/benchmarks.rst). Figures go to stdout as
 * "bench: KEY VALUE" lines.
 *
 *   linkbench read IFNAME N
 *	ns per read of IFNAME's state, the median of 5 rounds of N reads:
 *	the page's up bit (the word a worker loads once per batch), a whole
 *	slot under its sequence count (dpkit_page_read), and RTM_GETLINK
 *	through libmnl on one socket (request, reply, parse).
 *
 *   linkbench flaps IFNAME PEER N
 *	N carrier changes of the veth IFNAME, made by setting its PEER down
 *	and up (SIOCSIFFLAGS): for each, the time from the ioctl to the
 *	change being visible in the page (a thread spinning on the up bit)
 *	and to an RTNLGRP_LINK listener receiving IFNAME's RTM_NEWLINK with
 *	the new carrier (IFF_LOWER_UP); median, p99 and max in us.
 */
#include <errno.h>
#include <net/if.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "libdpkit.h"

#ifndef IFF_LOWER_UP		/* <linux/if.h>'s, which <net/if.h> lacks */
#define IFF_LOWER_UP	0x10000
#endif

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static void die(const char *what)
{
	fprintf(stderr, "linkbench: %s: %s\n", what,
		errno ? strerror(errno) : dpkit_errmsg());
	exit(1);
}

static int find_slot(struct dpkit_link_page *pg, const char *ifname)
{
	struct dpkit_link_slot s;
	struct dpkit *dk;
	int idx;

	if (dpkit_open(NULL, &dk) < 0 || dpkit_page_map(dk, pg) < 0)
		die("dpkit.ko's page");
	idx = dpkit_page_find(pg, DPKIT_OWNER_KERNEL, if_nametoindex(ifname), &s);
	if (idx < 0) {
		errno = 0;
		die("the interface is not in the page");
	}
	return idx;
}

/* ---- read ---------------------------------------------------------------- */

static volatile uint64_t sink;

static double ns_page_up(const struct dpkit_link_page *pg, int idx, long n)
{
	uint64_t t0 = now_ns(), acc = 0;
	long i;

	for (i = 0; i < n; i++)
		acc += dpkit_page_up(pg, idx);
	sink = acc;
	return (double)(now_ns() - t0) / n;
}

static double ns_page_read(const struct dpkit_link_page *pg, int idx, long n)
{
	struct dpkit_link_slot s;
	uint64_t t0 = now_ns(), acc = 0;
	long i;

	for (i = 0; i < n; i++) {
		dpkit_page_read(pg, idx, &s);
		acc += s.flags;
	}
	sink = acc;
	return (double)(now_ns() - t0) / n;
}

static int getlink_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);

	*(unsigned int *)data = ifm->ifi_flags;
	return MNL_CB_OK;
}

static double ns_rtnl(struct mnl_socket *nl, int ifindex, long n)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned int portid = mnl_socket_get_portid(nl), flags = 0;
	uint64_t t0 = now_ns();
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm;
	long i;
	int len;

	for (i = 0; i < n; i++) {
		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = RTM_GETLINK;
		nlh->nlmsg_flags = NLM_F_REQUEST;
		nlh->nlmsg_seq = i + 1;
		ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
		ifm->ifi_family = AF_UNSPEC;
		ifm->ifi_index = ifindex;
		if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
			die("RTM_GETLINK: send");
		len = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (len < 0 || mnl_cb_run(buf, len, i + 1, portid, getlink_cb,
					  &flags) < 0)
			die("RTM_GETLINK: reply");
	}
	sink = flags;
	return (double)(now_ns() - t0) / n;
}

static double median5(double v[5])
{
	double t;
	int i, j;

	for (i = 0; i < 5; i++)
		for (j = i + 1; j < 5; j++)
			if (v[j] < v[i]) {
				t = v[i];
				v[i] = v[j];
				v[j] = t;
			}
	return v[2];
}

static int mode_read(const char *ifname, long n)
{
	struct dpkit_link_page pg;
	struct mnl_socket *nl;
	double up[5], rd[5], rt[5], med;
	int idx = find_slot(&pg, ifname), r;
	long nr = n / 1000 > 1000 ? n / 1000 : 1000;

	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		die("netlink socket");
	for (r = 0; r < 5; r++) {
		up[r] = ns_page_up(&pg, idx, n);
		rd[r] = ns_page_read(&pg, idx, n);
		rt[r] = ns_rtnl(nl, if_nametoindex(ifname), nr);
	}
	/* median5() sorts: called before its min and max are read (the
	 * order a call's arguments are evaluated in is unspecified) */
	med = median5(up);
	printf("bench: read_page_up_ns %.2f (%.2f-%.2f, %ld reads)\n",
	       med, up[0], up[4], n);
	med = median5(rd);
	printf("bench: read_page_slot_ns %.2f (%.2f-%.2f, %ld reads)\n",
	       med, rd[0], rd[4], n);
	med = median5(rt);
	printf("bench: read_rtm_getlink_ns %.0f (%.0f-%.0f, %ld requests)\n",
	       med, rt[0], rt[4], nr);
	mnl_socket_close(nl);
	return 0;
}

/* ---- flaps --------------------------------------------------------------- */

struct flaps {
	const struct dpkit_link_page *pg;
	int idx, ifindex;
	long n;
	volatile long cur;		/* the flap under way, -1: none yet */
	volatile int want;		/* its carrier: 1 up, 0 down */
	volatile int done;
	uint64_t *t_page, *t_nl;	/* when each saw flap i, 0: not yet */
};

static void *page_spin(void *arg)
{
	struct flaps *f = arg;
	long i;

	while (!f->done) {
		i = f->cur;
		if (i >= 0 && !f->t_page[i] &&
		    dpkit_page_up(f->pg, f->idx) == f->want)
			f->t_page[i] = now_ns();
	}
	return NULL;
}

static int nl_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	struct flaps *f = data;
	long i = f->cur;

	if (nlh->nlmsg_type == RTM_NEWLINK && ifm->ifi_index == f->ifindex &&
	    i >= 0 && !f->t_nl[i] && !!(ifm->ifi_flags & IFF_LOWER_UP) == f->want)
		f->t_nl[i] = now_ns();
	return MNL_CB_OK;
}

static void *nl_listen(void *arg)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct flaps *f = arg;
	struct mnl_socket *nl;
	struct timeval tv = { .tv_usec = 100000 };
	int len;

	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl || mnl_socket_bind(nl, RTMGRP_LINK, MNL_SOCKET_AUTOPID) < 0)
		die("RTNLGRP_LINK listener");
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv,
		   sizeof(tv));
	while (!f->done) {
		len = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (len > 0)
			mnl_cb_run(buf, len, 0, 0, nl_cb, f);
	}
	mnl_socket_close(nl);
	return NULL;
}

static int set_up(int sock, const char *ifname, int up)
{
	struct ifreq ifr = { 0 };

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(sock, SIOCGIFFLAGS, &ifr))
		return -1;
	if (up)
		ifr.ifr_flags |= IFF_UP;
	else
		ifr.ifr_flags &= ~IFF_UP;
	return ioctl(sock, SIOCSIFFLAGS, &ifr);
}

static void report(const char *what, uint64_t *lat, long n, long missed)
{
	qsort(lat, n, sizeof(*lat), cmp_u64);
	if (!n) {
		printf("bench: flap_%s none seen (%ld missed)\n", what, missed);
		return;
	}
	printf("bench: flap_%s_us median %.1f p99 %.1f max %.1f (%ld flaps, "
	       "%ld missed)\n", what, lat[n / 2] / 1e3, lat[n * 99 / 100] / 1e3,
	       lat[n - 1] / 1e3, n, missed);
}

static int mode_flaps(const char *ifname, const char *peer, long n)
{
	struct dpkit_link_page pg;
	struct flaps f = { .pg = &pg, .cur = -1, .n = n };
	uint64_t *t0, *lp, *ln, deadline;
	long i, np = 0, nn = 0;
	pthread_t spin, listen;
	int sock;

	f.idx = find_slot(&pg, ifname);
	f.ifindex = if_nametoindex(ifname);
	t0 = calloc(n, sizeof(*t0));
	f.t_page = calloc(n, sizeof(*f.t_page));
	f.t_nl = calloc(n, sizeof(*f.t_nl));
	lp = calloc(n, sizeof(*lp));
	ln = calloc(n, sizeof(*ln));
	sock = socket(AF_INET, SOCK_DGRAM, 0);
	if (!t0 || !f.t_page || !f.t_nl || !lp || !ln || sock < 0)
		die("set-up");
	if (set_up(sock, peer, 1) || set_up(sock, ifname, 1))
		die("SIOCSIFFLAGS");
	for (deadline = now_ns() + 5000000000ULL;
	     !dpkit_page_up(&pg, f.idx) && now_ns() < deadline;)
		usleep(1000);
	pthread_create(&spin, NULL, page_spin, &f);
	pthread_create(&listen, NULL, nl_listen, &f);
	usleep(200000);		/* the listener subscribed */
	for (i = 0; i < n; i++) {
		f.want = i & 1;		/* down first, then up */
		__atomic_store_n(&f.cur, i, __ATOMIC_SEQ_CST);
		t0[i] = now_ns();
		if (set_up(sock, peer, f.want))
			die("SIOCSIFFLAGS");
		/* both saw it, or 2 s */
		for (deadline = t0[i] + 2000000000ULL;
		     (!f.t_page[i] || !f.t_nl[i]) && now_ns() < deadline;)
			usleep(100);
		if (f.t_page[i])
			lp[np++] = f.t_page[i] - t0[i];
		if (f.t_nl[i])
			ln[nn++] = f.t_nl[i] - t0[i];
		usleep(1000);
	}
	f.done = 1;
	pthread_join(spin, NULL);
	pthread_join(listen, NULL);
	set_up(sock, peer, 1);
	report("page", lp, np, n - np);
	report("rtnlgrp_link", ln, nn, n - nn);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "read"))
		return mode_read(argv[2], strtol(argv[3], NULL, 0));
	if (argc == 5 && !strcmp(argv[1], "flaps"))
		return mode_flaps(argv[2], argv[3], strtol(argv[4], NULL, 0));
	fprintf(stderr, "usage: see the comment at the top of "
		"bench/vm/linkbench.c\n");
	return 2;
}
