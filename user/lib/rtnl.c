/* SPDX-License-Identifier: BSD-3-Clause */
/* rtnetlink through libmnl: an interface's state and addresses, set it up or down. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "libdpkit.h"
#include "priv.h"

/* libmnl sizes its buffers min(page size, 8 KiB) at run time. */
#define DPKIT_RTNL_BUF 8192

struct nlmsghdr *dpkit_rtnl_build_getlink(void *buf, const char *name,
					  unsigned int seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm;

	nlh->nlmsg_type = RTM_GETLINK;
	/* The ACK after the answer ends the exchange: no DONE without a dump. */
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return nlh;
}

struct nlmsghdr *dpkit_rtnl_build_setlink(void *buf, int ifindex, int up,
					  unsigned int seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm;

	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = ifindex;
	ifm->ifi_change = IFF_UP;
	ifm->ifi_flags = up ? IFF_UP : 0;
	return nlh;
}

struct nlmsghdr *dpkit_rtnl_build_getaddr(void *buf, unsigned int seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;

	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_UNSPEC;
	return nlh;
}

int dpkit_rtnl_run(const void *buf, size_t len, unsigned int seq,
		   unsigned int portid, mnl_cb_t cb, void *data)
{
	const struct nlmsghdr *nlh;
	size_t off, n;

	/* libmnl 1.0.4's mnl_nlmsg_ok() compares nlmsg_len as an int: one of
	 * 2 GiB or more would pass and walk it off the buffer. Its attribute
	 * walk ends at the message's aligned end: a last message of unaligned
	 * length (never the kernel's: it pads every message) would be read up
	 * to 3 bytes past the buffer. */
	for (off = 0; len - off >= sizeof(*nlh); off += n) {
		nlh = (const struct nlmsghdr *)((const char *)buf + off);
		n = MNL_ALIGN(nlh->nlmsg_len);
		if (nlh->nlmsg_len < sizeof(*nlh) || nlh->nlmsg_len > len - off ||
		    n > len - off) {
			errno = EPROTO;
			return MNL_CB_ERROR;
		}
	}
	return mnl_cb_run(buf, len, seq, portid, cb, data);
}

/* One request, its answers through @cb; 0, or -errno (with a message). */
static int rtnl_talk(struct nlmsghdr *nlh, mnl_cb_t cb, void *data,
		     const char *what)
{
	char buf[DPKIT_RTNL_BUF];
	struct mnl_socket *nl;
	unsigned int portid;
	int ret;

	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl)
		return dpkit_fail(errno, "%s: rtnetlink socket: %s", what,
				  strerror(errno));
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = dpkit_fail(errno, "%s: rtnetlink bind: %s", what,
				 strerror(errno));
		goto out;
	}
	/* A tool must never hang on a kernel that does not answer. */
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO,
		   &(struct timeval){ .tv_sec = 5 }, sizeof(struct timeval));
	portid = mnl_socket_get_portid(nl);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = dpkit_fail(errno, "%s: rtnetlink send: %s", what,
				 strerror(errno));
		goto out;
	}
	do {
		ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (ret <= 0)
			break;
		ret = dpkit_rtnl_run(buf, ret, nlh->nlmsg_seq, portid, cb, data);
	} while (ret > 0);
	if (ret < 0)
		ret = dpkit_fail(errno, "%s: %s", what, strerror(errno));
out:
	mnl_socket_close(nl);
	return ret;
}

/* The address length of @family (AF_INET, AF_INET6), else 0. */
static size_t addr_len(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

/*
 * Collect the attributes a parser reads into @data (a table indexed by
 * type), each only when it is well formed: what the kernel sends always
 * is, and a message that is not must not be read past its end.
 */
static int link_attr(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);
	enum mnl_attr_data_type want;

	switch (type) {
	case IFLA_IFNAME:
		want = MNL_TYPE_NUL_STRING;
		break;
	case IFLA_MTU:
		want = MNL_TYPE_U32;
		break;
	case IFLA_OPERSTATE:
		want = MNL_TYPE_U8;
		break;
	default:
		return MNL_CB_OK;
	}
	if (mnl_attr_validate(attr, want) == 0)
		tb[type] = attr;
	return MNL_CB_OK;
}

int dpkit_rtnl_parse_link(const struct nlmsghdr *nlh, struct dpkit_ifinfo *out)
{
	const struct nlattr *tb[IFLA_MAX + 1] = { 0 };
	const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return dpkit_fail(EPROTO, "unexpected rtnetlink message %u",
				  nlh->nlmsg_type);
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifm))
		return dpkit_fail(EPROTO, "rtnetlink: a link message of %u bytes",
				  nlh->nlmsg_len);
	memset(out, 0, sizeof(*out));
	mnl_attr_parse(nlh, sizeof(*ifm), link_attr, tb);
	out->ifindex = ifm->ifi_index;
	out->flags = ifm->ifi_flags;
	if (tb[IFLA_IFNAME])
		snprintf(out->name, sizeof(out->name), "%s",
			 mnl_attr_get_str(tb[IFLA_IFNAME]));
	if (tb[IFLA_OPERSTATE])
		out->operstate = mnl_attr_get_u8(tb[IFLA_OPERSTATE]);
	if (tb[IFLA_MTU])
		out->mtu = mnl_attr_get_u32(tb[IFLA_MTU]);
	return 0;
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	return dpkit_rtnl_parse_link(nlh, data) ? MNL_CB_ERROR : MNL_CB_OK;
}

int dpkit_rtnl_link(const char *name, struct dpkit_ifinfo *out)
{
	char buf[DPKIT_RTNL_BUF];
	char what[64];
	int ret;

	snprintf(what, sizeof(what), "interface %s", name);
	if (strlen(name) >= IFNAMSIZ)
		return dpkit_fail(EINVAL, "%s: name too long", what);
	ret = rtnl_talk(dpkit_rtnl_build_getlink(buf, name, time(NULL)), link_cb,
			out, what);
	if (ret == -ENODEV)
		return dpkit_fail(ENODEV, "no interface %s", name);
	return ret;
}

int dpkit_rtnl_set_up(const char *name, int up)
{
	char buf[DPKIT_RTNL_BUF], what[64];
	unsigned int ifindex = if_nametoindex(name);

	snprintf(what, sizeof(what), "setting %s %s", name, up ? "up" : "down");
	if (!ifindex)
		return dpkit_fail(ENODEV, "no interface %s", name);
	return rtnl_talk(dpkit_rtnl_build_setlink(buf, ifindex, up, time(NULL)),
			 NULL, NULL, what);
}

struct addr_walk {
	int ifindex;
	dpkit_addr_fn fn;
	void *arg;
	int n;
};

static int addr_attr(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (type == IFA_LOCAL || type == IFA_ADDRESS)
		tb[type] = attr;	/* its length is checked by family */
	return MNL_CB_OK;
}

int dpkit_rtnl_parse_addr(const struct nlmsghdr *nlh, int ifindex, char *text,
			  int *scope)
{
	const struct nlattr *tb[IFA_MAX + 1] = { 0 };
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifa) ||
	    (int)ifa->ifa_index != ifindex)
		return 0;
	mnl_attr_parse(nlh, sizeof(*ifa), addr_attr, tb);
	a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!a || !addr_len(ifa->ifa_family) ||
	    mnl_attr_get_payload_len(a) != addr_len(ifa->ifa_family) ||
	    !inet_ntop(ifa->ifa_family, mnl_attr_get_payload(a), text,
		       INET6_ADDRSTRLEN))
		return 0;
	snprintf(text + strlen(text), 8, "/%u", ifa->ifa_prefixlen);
	*scope = ifa->ifa_scope;
	return 1;
}

static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct addr_walk *w = data;
	char text[DPKIT_RTNL_ADDR_LEN];
	int scope;

	if (dpkit_rtnl_parse_addr(nlh, w->ifindex, text, &scope) > 0) {
		w->n++;
		if (w->fn)
			w->fn(text, scope, w->arg);
	}
	return MNL_CB_OK;
}

struct nlmsghdr *dpkit_rtnl_build_getroute(void *buf, unsigned int seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;

	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_UNSPEC;
	return nlh;
}

static int route_attr(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (type == RTA_DST ||	/* its length is checked by family */
	    (type == RTA_OIF && mnl_attr_validate(attr, MNL_TYPE_U32) == 0))
		tb[type] = attr;
	return MNL_CB_OK;
}

int dpkit_rtnl_parse_route(const struct nlmsghdr *nlh, int ifindex,
			   char *text, int *scope)
{
	const struct nlattr *tb[RTA_MAX + 1] = { 0 };
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*rtm))
		return 0;
	mnl_attr_parse(nlh, sizeof(*rtm), route_attr, tb);
	if (rtm->rtm_table != RT_TABLE_MAIN || !tb[RTA_OIF] ||
	    (int)mnl_attr_get_u32(tb[RTA_OIF]) != ifindex)
		return 0;
	if (!tb[RTA_DST])
		snprintf(text, DPKIT_RTNL_ADDR_LEN, "default");
	else if (addr_len(rtm->rtm_family) &&
		 mnl_attr_get_payload_len(tb[RTA_DST]) ==
		 addr_len(rtm->rtm_family) &&
		 inet_ntop(rtm->rtm_family, mnl_attr_get_payload(tb[RTA_DST]),
			   text, INET6_ADDRSTRLEN))
		snprintf(text + strlen(text), 8, "/%u", rtm->rtm_dst_len);
	else
		return 0;
	*scope = rtm->rtm_scope;
	return 1;
}

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct addr_walk *w = data;
	char text[DPKIT_RTNL_ADDR_LEN];
	int scope;

	if (dpkit_rtnl_parse_route(nlh, w->ifindex, text, &scope) > 0) {
		w->n++;
		if (w->fn)
			w->fn(text, scope, w->arg);
	}
	return MNL_CB_OK;
}

int dpkit_rtnl_routes(int ifindex, dpkit_addr_fn fn, void *arg)
{
	struct addr_walk w = { .ifindex = ifindex, .fn = fn, .arg = arg };
	char buf[DPKIT_RTNL_BUF];
	int ret;

	ret = rtnl_talk(dpkit_rtnl_build_getroute(buf, time(NULL)), route_cb, &w,
			"listing routes");
	return ret < 0 ? ret : w.n;
}

int dpkit_rtnl_addrs(int ifindex, dpkit_addr_fn fn, void *arg)
{
	struct addr_walk w = { .ifindex = ifindex, .fn = fn, .arg = arg };
	char buf[DPKIT_RTNL_BUF];
	int ret;

	ret = rtnl_talk(dpkit_rtnl_build_getaddr(buf, time(NULL)), addr_cb, &w,
			"listing addresses");
	return ret < 0 ? ret : w.n;
}
