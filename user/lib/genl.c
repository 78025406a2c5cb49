/* SPDX-License-Identifier: BSD-3-Clause */
/* The "dpkit" generic netlink family, through libnl-genl-3. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "libdpkit.h"
#include "priv.h"

struct dpkit_genl {
	struct nl_sock *sk;
	int family;
	/* The callback of the receive in progress. */
	dpkit_link_event_fn fn;
	void *arg;
	int fn_ret;
};

static struct nla_policy dpkit_genl_policy[DPKIT_A_MAX + 1] = {
	[DPKIT_A_OWNER]		= { .type = NLA_U32 },
	[DPKIT_A_KEY]		= { .type = NLA_U32 },
	[DPKIT_A_IFNAME]	= { .type = NLA_STRING, .maxlen = DPKIT_IFNAME_LEN },
	[DPKIT_A_UP]		= { .type = NLA_U8 },
	[DPKIT_A_FLAGS]		= { .type = NLA_U32 },
	[DPKIT_A_SPEED]		= { .type = NLA_U32 },
	[DPKIT_A_DUPLEX]	= { .type = NLA_U8 },
	[DPKIT_A_CHANGES]	= { .type = NLA_U64 },
	[DPKIT_A_SLOT]		= { .type = NLA_U32 },
	[DPKIT_A_BDF]		= { .type = NLA_STRING, .maxlen = DPKIT_BDF_LEN },
	[DPKIT_A_INCARNATION]	= { .type = NLA_U32 },
};

static uint32_t get_u32(struct nlattr **tb, int a)
{
	return tb[a] ? nla_get_u32(tb[a]) : 0;
}

static void get_str(struct nlattr **tb, int a, char *dst, size_t size)
{
	dst[0] = '\0';
	if (tb[a])
		nla_strlcpy(dst, tb[a], size);
}

int dpkit_genl_parse(struct nlmsghdr *nlh, struct dpkit_link_event *ev)
{
	struct nlattr *tb[DPKIT_A_MAX + 1];
	struct genlmsghdr *gnlh = nlmsg_data(nlh);
	int ret;

	memset(ev, 0, sizeof(*ev));
	ret = genlmsg_parse(nlh, 0, tb, DPKIT_A_MAX, dpkit_genl_policy);
	if (ret < 0)
		return dpkit_fail(EPROTO, "malformed dpkit netlink message: %s",
				  nl_geterror(ret));
	if (gnlh->cmd != DPKIT_CMD_LINK_NEW && gnlh->cmd != DPKIT_CMD_LINK_DEL)
		return dpkit_fail(EPROTO, "unexpected dpkit netlink command %u",
				  gnlh->cmd);
	if (!tb[DPKIT_A_OWNER] || !tb[DPKIT_A_KEY] || !tb[DPKIT_A_SLOT])
		return dpkit_fail(EPROTO, "dpkit netlink message without "
				  "owner, key or slot");
	ev->cmd = gnlh->cmd;
	ev->slot = get_u32(tb, DPKIT_A_SLOT);
	ev->incarnation = get_u32(tb, DPKIT_A_INCARNATION);
	ev->owner = get_u32(tb, DPKIT_A_OWNER);
	ev->key = get_u32(tb, DPKIT_A_KEY);
	ev->flags = get_u32(tb, DPKIT_A_FLAGS);
	ev->speed = get_u32(tb, DPKIT_A_SPEED);
	ev->up = tb[DPKIT_A_UP] ? nla_get_u8(tb[DPKIT_A_UP]) : 0;
	ev->duplex = tb[DPKIT_A_DUPLEX] ? !!nla_get_u8(tb[DPKIT_A_DUPLEX]) : -1;
	ev->changes = tb[DPKIT_A_CHANGES] ? nla_get_u64(tb[DPKIT_A_CHANGES]) : 0;
	get_str(tb, DPKIT_A_IFNAME, ev->name, sizeof(ev->name));
	get_str(tb, DPKIT_A_BDF, ev->bdf, sizeof(ev->bdf));
	return 0;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct dpkit_genl *g = arg;
	struct dpkit_link_event ev;

	if (dpkit_genl_parse(nlmsg_hdr(msg), &ev) < 0)
		return NL_SKIP;
	g->fn_ret = g->fn(&ev, g->arg);
	return g->fn_ret ? NL_STOP : NL_OK;
}

static int nl_fail(int nlerr, const char *what)
{
	return dpkit_fail(EIO, "%s: %s", what, nl_geterror(nlerr));
}

int dpkit_genl_open(struct dpkit_genl **out, int subscribe)
{
	struct dpkit_genl *g;
	int ret, grp;

	g = calloc(1, sizeof(*g));
	if (!g)
		return dpkit_fail(ENOMEM, "out of memory");
	g->sk = nl_socket_alloc();
	if (!g->sk) {
		ret = dpkit_fail(ENOMEM, "out of memory");
		goto err_free;
	}
	ret = genl_connect(g->sk);
	if (ret < 0) {
		ret = nl_fail(ret, "generic netlink socket");
		goto err_free_sock;
	}
	g->family = genl_ctrl_resolve(g->sk, DPKIT_GENL_NAME);
	if (g->family < 0) {
		ret = dpkit_fail(ENOENT, "dpkit.ko is not loaded (no generic "
				 "netlink family \"%s\"): insmod kmod/dpkit.ko",
				 DPKIT_GENL_NAME);
		goto err_free_sock;
	}
	if (subscribe) {
		grp = genl_ctrl_resolve_grp(g->sk, DPKIT_GENL_NAME,
					    DPKIT_GENL_MCGRP_LINK);
		if (grp < 0) {
			ret = nl_fail(grp, "dpkit multicast group \"link\"");
			goto err_free_sock;
		}
		ret = nl_socket_add_membership(g->sk, grp);
		if (ret < 0) {
			ret = nl_fail(ret, "joining the dpkit \"link\" group");
			goto err_free_sock;
		}
		/* Notifications carry no sequence number of ours. */
		nl_socket_disable_seq_check(g->sk);
	}
	nl_socket_modify_cb(g->sk, NL_CB_VALID, NL_CB_CUSTOM, on_valid, g);
	*out = g;
	return 0;

err_free_sock:
	nl_socket_free(g->sk);
err_free:
	free(g);
	return ret;
}

void dpkit_genl_close(struct dpkit_genl *g)
{
	if (!g)
		return;
	nl_socket_free(g->sk);
	free(g);
}

int dpkit_genl_fd(const struct dpkit_genl *g)
{
	return nl_socket_get_fd(g->sk);
}

int dpkit_genl_recv(struct dpkit_genl *g, dpkit_link_event_fn fn, void *arg)
{
	int ret;

	g->fn = fn;
	g->arg = arg;
	g->fn_ret = 0;
	ret = nl_recvmsgs_default(g->sk);
	if (ret < 0 && ret != -NLE_INTR)
		return nl_fail(ret, "receiving dpkit link events");
	return g->fn_ret;
}

int dpkit_genl_dump(struct dpkit_genl *g, uint32_t owner,
		    dpkit_link_event_fn fn, void *arg)
{
	struct nl_msg *msg;
	int ret;

	msg = nlmsg_alloc();
	if (!msg)
		return dpkit_fail(ENOMEM, "out of memory");
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, g->family, 0,
			 NLM_F_DUMP, DPKIT_CMD_LINK_GET, DPKIT_GENL_VERSION) ||
	    (owner && nla_put_u32(msg, DPKIT_A_OWNER, owner) < 0)) {
		nlmsg_free(msg);
		return dpkit_fail(ENOMEM, "building the dump request");
	}
	ret = nl_send_auto(g->sk, msg);
	nlmsg_free(msg);
	if (ret < 0)
		return nl_fail(ret, "sending the dump request");
	g->fn = fn;
	g->arg = arg;
	g->fn_ret = 0;
	ret = nl_recvmsgs_default(g->sk);
	if (ret < 0)
		return nl_fail(ret, "dumping the link table");
	return g->fn_ret;
}
