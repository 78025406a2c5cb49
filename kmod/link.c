// SPDX-License-Identifier: GPL-2.0
/*
 * The link table: one slot of the link-state page per tracked link.
 *
 *  - kernel netdevs of the initial network namespace (key: ifindex), all
 *    Ethernet ones or a set chosen with DPKIT_IOC_LINK_WATCH, written by a
 *    netdevice notifier;
 *  - DPDK ports (key: port id), written by dpkitd with DPKIT_IOC_LINK_REPORT.
 *
 * "Up" is IFF_UP && carrier: netif_oper_up() is also true for operstate
 * UNKNOWN. Every writer holds links->lock (after rtnl_lock where both are
 * taken); readers of the page never lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ethtool.h>
#include <linux/if_arp.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <net/net_namespace.h>
#include <kunit/visibility.h>

#include "internal.h"

#define DPKIT_LINK_DUPLEX	(DPKIT_LINK_F_FULL_DUPLEX | DPKIT_LINK_F_HALF_DUPLEX)
#define DPKIT_LINK_KNOWN_FLAGS	(DPKIT_LINK_F_UP | DPKIT_LINK_F_ADMIN_UP | \
				 DPKIT_LINK_F_CARRIER | DPKIT_LINK_DUPLEX)

struct dpkit_links dpkit_links;

void dpkit_links_init(struct dpkit_links *links, struct dpkit_page *page)
{
	memset(links, 0, sizeof(*links));
	mutex_init(&links->lock);
	init_waitqueue_head(&links->wait);
	links->page = page;
	links->watch_all = true;
}
EXPORT_SYMBOL_IF_KUNIT(dpkit_links_init);

u64 dpkit_links_events(struct dpkit_links *links)
{
	return READ_ONCE(links->page->hdr->events);
}
EXPORT_SYMBOL_IF_KUNIT(dpkit_links_events);

int dpkit_link_find(struct dpkit_links *links, u32 owner, u32 key)
{
	u32 i;

	if (owner == DPKIT_OWNER_NONE)
		return -EINVAL;
	for (i = 0; i < links->page->nr_slots; i++)
		if (links->link[i].st.owner == owner &&
		    links->link[i].st.key == key)
			return i;
	return -ENOENT;
}
EXPORT_SYMBOL_IF_KUNIT(dpkit_link_find);

static int dpkit_link_alloc(struct dpkit_links *links)
{
	u32 i;

	for (i = 0; i < links->page->nr_slots; i++)
		if (links->link[i].st.owner == DPKIT_OWNER_NONE)
			return i;
	return -ENOSPC;
}

/* A new value for a slot that changes hands, never 0. */
static u32 dpkit_link_incarnation(struct dpkit_links *links)
{
	if (!++links->next_incarnation)
		++links->next_incarnation;
	return links->next_incarnation;
}

static void dpkit_link_publish(struct dpkit_links *links, u32 idx, u8 cmd)
{
	dpkit_page_write_slot(links->page, idx, &links->link[idx].st);
	wake_up_interruptible_all(&links->wait);
	if (links->notify)
		links->notify(&links->link[idx], idx, cmd);
}

/*
 * Create or update the slot of (@owner, @key); @bdf is a DPDK port's PCI
 * device (NULL: none). A DPDK port reported through a lease belongs to it:
 * other callers get -EBUSY. Returns the slot index, -ENOSPC when the table
 * is full. Every field is in place before the change is published; an
 * update that changes nothing publishes nothing.
 */
int dpkit_link_set(struct dpkit_links *links, u32 owner, u32 key,
		   const char *name, const char *bdf, u32 flags, u32 speed,
		   const void *lease)
{
	bool up = flags & DPKIT_LINK_F_UP;
	struct dpkit_link *l;
	int idx;

	lockdep_assert_held(&links->lock);
	if (owner != DPKIT_OWNER_KERNEL && owner != DPKIT_OWNER_DPDK)
		return -EINVAL;
	if (!name)
		name = "";
	if (!bdf)
		bdf = "";

	idx = dpkit_link_find(links, owner, key);
	if (idx < 0) {
		idx = dpkit_link_alloc(links);
		if (idx < 0)
			return idx;
		l = &links->link[idx];
		memset(l, 0, sizeof(*l));
		l->st.incarnation = dpkit_link_incarnation(links);
		l->st.owner = owner;
		l->st.key = key;
		l->st.last_change_ns = ktime_get_ns();
	} else {
		l = &links->link[idx];
		if (l->lease && l->lease != lease)
			return -EBUSY;
		if (l->st.flags == flags && l->st.speed == speed &&
		    !strncmp(l->st.name, name, sizeof(l->st.name)) &&
		    !strncmp(l->bdf, bdf, sizeof(l->bdf)) &&
		    (!lease || l->lease == lease))
			return idx;
		if (!!(l->st.flags & DPKIT_LINK_F_UP) != up) {
			l->st.changes++;
			l->st.last_change_ns = ktime_get_ns();
		}
	}
	if (lease)
		l->lease = lease;
	l->st.flags = flags;
	l->st.speed = speed;
	strscpy_pad(l->st.name, name, sizeof(l->st.name));
	strscpy_pad(l->bdf, bdf, sizeof(l->bdf));
	dpkit_link_publish(links, idx, DPKIT_CMD_LINK_NEW);
	return idx;
}
EXPORT_SYMBOL_IF_KUNIT(dpkit_link_set);

/*
 * Untrack (@owner, @key): a link that was up is first published down, to
 * readers and listeners alike (LINK_NEW), then the slot is freed with a new
 * incarnation (LINK_DEL): every removal of an up link says the same.
 */
int dpkit_link_del(struct dpkit_links *links, u32 owner, u32 key,
		   const void *lease)
{
	struct dpkit_link *l;
	int idx;

	lockdep_assert_held(&links->lock);
	idx = dpkit_link_find(links, owner, key);
	if (idx < 0)
		return idx;
	l = &links->link[idx];
	if (l->lease && l->lease != lease)
		return -EBUSY;

	if (l->st.flags & DPKIT_LINK_F_UP) {
		l->st.flags &= ~(DPKIT_LINK_F_UP | DPKIT_LINK_F_CARRIER);
		l->st.changes++;
		l->st.last_change_ns = ktime_get_ns();
		dpkit_link_publish(links, idx, DPKIT_CMD_LINK_NEW);
	}
	if (links->notify)
		links->notify(l, idx, DPKIT_CMD_LINK_DEL);

	memset(l, 0, sizeof(*l));
	l->st.incarnation = dpkit_link_incarnation(links);
	dpkit_page_write_slot(links->page, idx, &l->st);
	wake_up_interruptible_all(&links->wait);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(dpkit_link_del);

/* The end of a lease: its DPDK ports go down and their slots are freed. */
void dpkit_link_release_lease(struct dpkit_links *links, const void *lease)
{
	struct dpkit_link *l;
	u32 i;

	mutex_lock(&links->lock);
	for (i = 0; i < links->page->nr_slots; i++) {
		l = &links->link[i];
		if (l->st.owner == DPKIT_OWNER_DPDK && l->lease == lease) {
			pr_info("lease ended: DPDK port %u (%s) down and released\n",
				l->st.key, l->st.name);
			dpkit_link_del(links, DPKIT_OWNER_DPDK, l->st.key, lease);
		}
	}
	mutex_unlock(&links->lock);
}
EXPORT_SYMBOL_IF_KUNIT(dpkit_link_release_lease);

static bool dpkit_str_terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size);
}

int dpkit_link_report_check(const struct dpkit_link_report *rep)
{
	if (rep->op > DPKIT_REPORT_REMOVE)
		return -EINVAL;
	if (rep->flags & ~DPKIT_LINK_KNOWN_FLAGS ||
	    (rep->flags & DPKIT_LINK_DUPLEX) == DPKIT_LINK_DUPLEX)
		return -EINVAL;
	if (rep->port_id > DPKIT_PORT_MAX)
		return -EINVAL;
	if (!dpkit_str_terminated(rep->bdf, sizeof(rep->bdf)) ||
	    !dpkit_str_terminated(rep->name, sizeof(rep->name)))
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(dpkit_link_report_check);

/* DPKIT_IOC_LINK_REPORT, after dpkit_link_report_check(). */
int dpkit_link_report(struct dpkit_links *links,
		      const struct dpkit_link_report *rep, const void *lease)
{
	const char *name = rep->name[0] ? rep->name : rep->bdf;
	int ret;

	mutex_lock(&links->lock);
	if (rep->op == DPKIT_REPORT_REMOVE) {
		ret = dpkit_link_del(links, DPKIT_OWNER_DPDK, rep->port_id, lease);
	} else {
		ret = dpkit_link_set(links, DPKIT_OWNER_DPDK, rep->port_id, name,
				     rep->bdf, rep->flags, rep->speed, lease);
		if (ret >= 0)
			ret = 0;
	}
	mutex_unlock(&links->lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(dpkit_link_report);

int dpkit_link_watch_check(const struct dpkit_link_watch *w)
{
	if (w->op > DPKIT_WATCH_ALL || w->ifindex < 0)
		return -EINVAL;
	if (!dpkit_str_terminated(w->name, sizeof(w->name)))
		return -EINVAL;
	if (w->op == DPKIT_WATCH_ALL)
		return w->ifindex || w->name[0] ? -EINVAL : 0;
	/* One of ifindex and name, not both. */
	if (!w->ifindex == !w->name[0])
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(dpkit_link_watch_check);

/* ---- kernel netdevs -------------------------------------------------- */

static bool dpkit_watching(struct dpkit_links *links, int ifindex)
{
	u32 i;

	for (i = 0; i < links->nr_watched; i++)
		if (links->watched[i] == ifindex)
			return true;
	return false;
}

static void dpkit_watch_forget(struct dpkit_links *links, int ifindex)
{
	u32 i;

	for (i = 0; i < links->nr_watched; i++) {
		if (links->watched[i] == ifindex) {
			links->watched[i] = links->watched[--links->nr_watched];
			return;
		}
	}
}

static bool dpkit_netdev_watched(struct dpkit_links *links,
				 const struct net_device *dev)
{
	if (!net_eq(dev_net(dev), &init_net))
		return false;
	if (links->watch_all)
		return dev->type == ARPHRD_ETHER && !(dev->flags & IFF_LOOPBACK);
	return dpkit_watching(links, dev->ifindex);
}

/* Flags and speed of a netdev; rtnl held (for the ethtool call). */
static void dpkit_netdev_state(struct net_device *dev, u32 *flags, u32 *speed)
{
	struct ethtool_link_ksettings ks;
	bool admin = dev->flags & IFF_UP, carrier = netif_carrier_ok(dev);

	ASSERT_RTNL();
	*flags = 0;
	*speed = DPKIT_SPEED_UNKNOWN;
	if (admin)
		*flags |= DPKIT_LINK_F_ADMIN_UP;
	if (carrier)
		*flags |= DPKIT_LINK_F_CARRIER;
	if (!admin || !carrier)
		return;
	*flags |= DPKIT_LINK_F_UP;
	memset(&ks, 0, sizeof(ks));
	if (__ethtool_get_link_ksettings(dev, &ks))
		return;
	if (ks.base.speed != SPEED_UNKNOWN)
		*speed = ks.base.speed;
	if (ks.base.duplex == DUPLEX_FULL)
		*flags |= DPKIT_LINK_F_FULL_DUPLEX;
	else if (ks.base.duplex == DUPLEX_HALF)
		*flags |= DPKIT_LINK_F_HALF_DUPLEX;
}

/* Bring the slot of @dev in line with the netdev and the watch set. */
static void dpkit_netdev_sync(struct dpkit_links *links, struct net_device *dev)
{
	u32 flags, speed;
	int ret;

	ASSERT_RTNL();
	if (!dpkit_netdev_watched(links, dev)) {
		mutex_lock(&links->lock);
		dpkit_link_del(links, DPKIT_OWNER_KERNEL, dev->ifindex, NULL);
		mutex_unlock(&links->lock);
		return;
	}
	dpkit_netdev_state(dev, &flags, &speed);
	mutex_lock(&links->lock);
	ret = dpkit_link_set(links, DPKIT_OWNER_KERNEL, dev->ifindex, dev->name,
			     NULL, flags, speed, NULL);
	if (ret == -ENOSPC) {
		WRITE_ONCE(links->page->hdr->dropped,
			   links->page->hdr->dropped + 1);
		pr_warn_ratelimited("link table full: %s is not tracked\n",
				    dev->name);
	}
	mutex_unlock(&links->lock);
}

static int dpkit_netdev_event(struct notifier_block *nb, unsigned long event,
			      void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct dpkit_links *links = &dpkit_links;

	if (!net_eq(dev_net(dev), &init_net))
		return NOTIFY_DONE;

	switch (event) {
	case NETDEV_REGISTER:
	case NETDEV_UP:
	case NETDEV_DOWN:
	case NETDEV_CHANGE:
	case NETDEV_CHANGENAME:
		dpkit_netdev_sync(links, dev);
		break;
	case NETDEV_UNREGISTER:
		mutex_lock(&links->lock);
		dpkit_watch_forget(links, dev->ifindex);
		dpkit_link_del(links, DPKIT_OWNER_KERNEL, dev->ifindex, NULL);
		mutex_unlock(&links->lock);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block dpkit_netdev_nb = {
	.notifier_call = dpkit_netdev_event,
};

/* DPKIT_IOC_LINK_WATCH, after dpkit_link_watch_check(). */
int dpkit_link_watch(const struct dpkit_link_watch *w)
{
	struct dpkit_links *links = &dpkit_links;
	struct net_device *dev;
	int ifindex = 0, ret = 0;
	u32 i;

	rtnl_lock();
	if (w->op != DPKIT_WATCH_ALL) {
		dev = w->ifindex ? __dev_get_by_index(&init_net, w->ifindex) :
				   __dev_get_by_name(&init_net, w->name);
		if (!dev) {
			ret = -ENODEV;
			goto out_unlock_rtnl;
		}
		ifindex = dev->ifindex;
	}

	mutex_lock(&links->lock);
	switch (w->op) {
	case DPKIT_WATCH_ALL:
		links->watch_all = true;
		links->nr_watched = 0;
		break;
	case DPKIT_WATCH_ADD:
		if (links->watch_all) {
			links->watch_all = false;
			links->nr_watched = 0;
		}
		if (dpkit_watching(links, ifindex))
			break;
		if (links->nr_watched == ARRAY_SIZE(links->watched)) {
			ret = -ENOSPC;
			break;
		}
		links->watched[links->nr_watched++] = ifindex;
		break;
	case DPKIT_WATCH_DEL:
		if (!links->watch_all) {
			dpkit_watch_forget(links, ifindex);
			break;
		}
		/* From "all": every netdev tracked now, but this one. */
		links->watch_all = false;
		links->nr_watched = 0;
		for (i = 0; i < links->page->nr_slots; i++)
			if (links->link[i].st.owner == DPKIT_OWNER_KERNEL &&
			    links->link[i].st.key != ifindex)
				links->watched[links->nr_watched++] =
					links->link[i].st.key;
		break;
	}
	mutex_unlock(&links->lock);

	if (!ret)
		for_each_netdev(&init_net, dev)
			dpkit_netdev_sync(links, dev);

out_unlock_rtnl:
	rtnl_unlock();
	return ret;
}

/*
 * Registering the notifier replays REGISTER and UP for existing netdevs.
 * Listeners hear of changes once genl.c hooks itself to the table.
 */
int dpkit_link_start(struct dpkit_page *page)
{
	dpkit_links_init(&dpkit_links, page);
	return register_netdevice_notifier(&dpkit_netdev_nb);
}

void dpkit_link_stop(void)
{
	unregister_netdevice_notifier(&dpkit_netdev_nb);
}
