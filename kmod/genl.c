// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink family "dpkit": a LINK_NEW (or LINK_DEL) message on the
 * multicast group "link" for every change of the link table, and a
 * LINK_GET dump of the table, optionally filtered by owner.
 *
 * Every command is validated strictly (no resv_start_op: the header's
 * reserved byte must be 0, unknown attributes and flags are refused). The
 * family is registered once the link table exists and unregistered before
 * it goes (main.c); it is the family that hooks itself to the table.
 */
#include <net/genetlink.h>
#include <kunit/visibility.h>

#include "compat.h"
#include "internal.h"

enum dpkit_genl_groups {
	DPKIT_GENL_GRP_LINK,
};

static const struct genl_multicast_group dpkit_genl_mcgrps[] = {
	[DPKIT_GENL_GRP_LINK] = { .name = DPKIT_GENL_MCGRP_LINK },
};

static const struct nla_policy dpkit_link_get_policy[DPKIT_A_OWNER + 1] = {
	[DPKIT_A_OWNER] = NLA_POLICY_RANGE(NLA_U32, DPKIT_OWNER_KERNEL,
					   DPKIT_OWNER_DPDK),
};

static int dpkit_genl_link_dump(struct sk_buff *skb, struct netlink_callback *cb);

static const struct genl_ops dpkit_genl_ops[] = {
	{
		.cmd	 = DPKIT_CMD_LINK_GET,
		.dumpit	 = dpkit_genl_link_dump,
		.policy	 = dpkit_link_get_policy,
		.maxattr = ARRAY_SIZE(dpkit_link_get_policy) - 1,
	},
};

static struct genl_family dpkit_genl_family __ro_after_init = {
	.name		= DPKIT_GENL_NAME,
	.version	= DPKIT_GENL_VERSION,
	.maxattr	= DPKIT_A_MAX,
	.module		= THIS_MODULE,
	.ops		= dpkit_genl_ops,
	.n_ops		= ARRAY_SIZE(dpkit_genl_ops),
	.mcgrps		= dpkit_genl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(dpkit_genl_mcgrps),
};

int dpkit_genl_fill_link(struct sk_buff *skb, u32 portid, u32 seq, int flags,
			 u8 cmd, const struct dpkit_link *l, u32 idx)
{
	const struct dpkit_slot_state *st = &l->st;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &dpkit_genl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, DPKIT_A_SLOT, idx) ||
	    nla_put_u32(skb, DPKIT_A_INCARNATION, st->incarnation) ||
	    nla_put_u32(skb, DPKIT_A_OWNER, st->owner) ||
	    nla_put_u32(skb, DPKIT_A_KEY, st->key) ||
	    nla_put_string(skb, DPKIT_A_IFNAME, st->name) ||
	    nla_put_u8(skb, DPKIT_A_UP, !!(st->flags & DPKIT_LINK_F_UP)) ||
	    nla_put_u32(skb, DPKIT_A_FLAGS, st->flags) ||
	    nla_put_u32(skb, DPKIT_A_SPEED, st->speed) ||
	    (st->flags & (DPKIT_LINK_F_FULL_DUPLEX | DPKIT_LINK_F_HALF_DUPLEX) &&
	     nla_put_u8(skb, DPKIT_A_DUPLEX,
			!!(st->flags & DPKIT_LINK_F_FULL_DUPLEX))) ||
	    nla_put_u64_64bit(skb, DPKIT_A_CHANGES, st->changes, DPKIT_A_PAD) ||
	    (l->bdf[0] && nla_put_string(skb, DPKIT_A_BDF, l->bdf))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(dpkit_genl_fill_link);

/* links->notify of the module's table; links->lock held. */
void dpkit_genl_notify(const struct dpkit_link *l, u32 idx, u8 cmd)
{
	struct sk_buff *skb;

	if (!genl_has_listeners(&dpkit_genl_family, &init_net,
				DPKIT_GENL_GRP_LINK))
		return;
	skb = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!skb)
		return;
	if (dpkit_genl_fill_link(skb, 0, 0, 0, cmd, l, idx)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_multicast(&dpkit_genl_family, skb, 0, DPKIT_GENL_GRP_LINK,
			  GFP_KERNEL);
}

/* cb->args[0]: the next slot to dump. */
static int dpkit_genl_link_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nlattr *const *attrs = dpkit_genl_dump_attrs(cb);
	struct dpkit_links *links = &dpkit_links;
	u32 owner = 0, idx;
	struct dpkit_link *l;
	int ret = 0;

	if (attrs[DPKIT_A_OWNER])
		owner = nla_get_u32(attrs[DPKIT_A_OWNER]);

	mutex_lock(&links->lock);
	for (idx = cb->args[0]; idx < links->page->nr_slots; idx++) {
		l = &links->link[idx];
		if (l->st.owner == DPKIT_OWNER_NONE ||
		    (owner && l->st.owner != owner))
			continue;
		ret = dpkit_genl_fill_link(skb, NETLINK_CB(cb->skb).portid,
					   cb->nlh->nlmsg_seq, NLM_F_MULTI,
					   DPKIT_CMD_LINK_NEW, l, idx);
		if (ret)
			break;
	}
	mutex_unlock(&links->lock);
	cb->args[0] = idx;
	/* A full skb ends this round; the core calls again for the rest. */
	if (ret == -EMSGSIZE && !skb->len)
		return ret;
	return skb->len;
}

/* Register the family, then have the link table announce its changes. */
int dpkit_genl_init(void)
{
	int ret;

	ret = genl_register_family(&dpkit_genl_family);
	if (ret)
		return ret;
	mutex_lock(&dpkit_links.lock);
	dpkit_links.notify = dpkit_genl_notify;
	mutex_unlock(&dpkit_links.lock);
	return 0;
}

void dpkit_genl_exit(void)
{
	mutex_lock(&dpkit_links.lock);
	dpkit_links.notify = NULL;
	mutex_unlock(&dpkit_links.lock);
	genl_unregister_family(&dpkit_genl_family);
}
