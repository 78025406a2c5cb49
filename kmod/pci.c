// SPDX-License-Identifier: GPL-2.0
/*
 * NIC ownership: list the PCI network devices (and DLB eventdevs), move one
 * to another driver through driver_override, and bring it back to the
 * driver it had before dpkit touched it.
 *
 * Rules: dpkit_nic_lock serialises every bind and restore and guards the
 * records; it is taken before any device_lock and never from a notifier or
 * under rtnl (unbinding a NIC unregisters its netdev, which takes rtnl). A
 * record holds a reference on its pci_dev for as long as it exists.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/device.h>
#include <linux/inetdevice.h>
#include <linux/iommu.h>
#include <linux/kmod.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <net/addrconf.h>
#include <net/net_namespace.h>
#include <kunit/visibility.h>

#include "compat.h"
#include "internal.h"

#define DPKIT_DEFAULT_DRIVER	"vfio-pci"
#define DPKIT_NIC_LIST_MAX	4096
#define PCI_VENDOR_ID_MELLANOX_	0x15b3
#define DPKIT_DRIVER_CHARS \
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"

/* A NIC dpkit moved to another driver. */
struct dpkit_nic_rec {
	struct list_head node;
	struct pci_dev *pdev;			/* reference held */
	char orig_driver[DPKIT_DRIVER_LEN];	/* "" when it had none */
	const void *lease;			/* restored when it ends */
};

static LIST_HEAD(dpkit_nic_recs);
static DEFINE_MUTEX(dpkit_nic_lock);

/* ---- pure helpers (KUnit) -------------------------------------------- */

/*
 * A driver name from a fixed-size UAPI field: it must be NUL-terminated;
 * it ends at the first newline; an empty result (from "", "\n" or a
 * leading NUL) means "none" and returns 0. Only [A-Za-z0-9_-] may appear.
 */
int dpkit_override_normalize(const char *in, size_t size, char *out,
			     size_t outsize)
{
	size_t len;

	if (!memchr(in, '\0', size))
		return -EINVAL;
	len = strcspn(in, "\n");
	if (len >= outsize)
		return -ENAMETOOLONG;
	memcpy(out, in, len);
	out[len] = '\0';
	if (strspn(out, DPKIT_DRIVER_CHARS) != len)
		return -EINVAL;
	return len;
}
EXPORT_SYMBOL_IF_KUNIT(dpkit_override_normalize);

/* @n hex digits at @s, or -1. */
static int dpkit_hex(const char *s, int n)
{
	int v = 0, d;

	while (n--) {
		d = hex_to_bin(*s++);
		if (d < 0)
			return -1;
		v = v << 4 | d;
	}
	return v;
}

/* Exactly "dddd:bb:dd.f" or "bb:dd.f" (domain 0), hexadecimal. */
int dpkit_parse_bdf(const char *s, size_t size, int *domain, unsigned int *bus,
		    unsigned int *devfn)
{
	const char *end = memchr(s, '\0', size);
	int d = 0, b, dev, fn;

	if (!end)
		return -EINVAL;
	if (end - s == 12) {
		if (s[4] != ':')
			return -EINVAL;
		d = dpkit_hex(s, 4);
		s += 5;
	} else if (end - s != 7) {
		return -EINVAL;
	}
	if (s[2] != ':' || s[5] != '.')
		return -EINVAL;
	b = dpkit_hex(s, 2);
	dev = dpkit_hex(s + 3, 2);
	fn = dpkit_hex(s + 6, 1);
	if (d < 0 || b < 0 || dev < 0 || dev > 0x1f || fn < 0 || fn > 7)
		return -EINVAL;
	*domain = d;
	*bus = b;
	*devfn = PCI_DEVFN(dev, fn);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(dpkit_parse_bdf);

/* The Intel DLB 2.0 and 2.5 eventdevs (PF). */
bool dpkit_pci_is_dlb(u16 vendor, u16 device)
{
	return vendor == PCI_VENDOR_ID_INTEL &&
	       (device == 0x2710 || device == 0x2714);
}
EXPORT_SYMBOL_IF_KUNIT(dpkit_pci_is_dlb);

/* NICs whose kernel driver shares the device with DPDK (mlx4/mlx5). */
static bool dpkit_pci_is_bifurcated(const struct pci_dev *pdev)
{
	return pdev->vendor == PCI_VENDOR_ID_MELLANOX_ &&
	       (pdev->class >> 16) == PCI_BASE_CLASS_NETWORK;
}

static bool dpkit_pci_wanted(const struct pci_dev *pdev)
{
	return (pdev->class >> 16) == PCI_BASE_CLASS_NETWORK ||
	       dpkit_pci_is_dlb(pdev->vendor, pdev->device);
}

/* ---- looking at a device ---------------------------------------------- */

static struct dpkit_nic_rec *dpkit_nic_find(struct pci_dev *pdev)
{
	struct dpkit_nic_rec *rec;

	lockdep_assert_held(&dpkit_nic_lock);
	list_for_each_entry(rec, &dpkit_nic_recs, node)
		if (rec->pdev == pdev)
			return rec;
	return NULL;
}

/* The bound driver's name into @buf ("" for none). */
static void dpkit_pci_driver(struct pci_dev *pdev, char *buf, size_t size)
{
	device_lock(&pdev->dev);
	strscpy(buf, pdev->dev.driver ? pdev->dev.driver->name : "", size);
	device_unlock(&pdev->dev);
}

/*
 * The netdev of @pdev, directly or through a virtio device, in whatever
 * network namespace it lives (one moved into a container's is just as much
 * in use); RCU held.
 */
static struct net_device *dpkit_pci_netdev(struct pci_dev *pdev)
{
	struct net_device *ndev;
	struct device *p;
	struct net *net;
	int depth;

	for_each_net_rcu(net)
		for_each_netdev_rcu(net, ndev)
			for (p = ndev->dev.parent, depth = 0; p && depth < 2;
			     p = p->parent, depth++)
				if (p == &pdev->dev)
					return ndev;
	return NULL;
}

/* Whether @ndev has an IPv4 address or a non-link-local IPv6 one: RCU held. */
static bool dpkit_netdev_has_addr(struct net_device *ndev)
{
	struct in_device *in_dev = __in_dev_get_rcu(ndev);
	const struct in_ifaddr *ifa;
	struct inet6_dev *idev;
	struct inet6_ifaddr *ifp;

	if (in_dev)
		in_dev_for_each_ifa_rcu(ifa, in_dev)
			return true;
	idev = __in6_dev_get(ndev);
	if (idev)
		list_for_each_entry_rcu(ifp, &idev->addr_list, if_list)
			if (!(ipv6_addr_type(&ifp->addr) & IPV6_ADDR_LINKLOCAL))
				return true;
	return false;
}

static void dpkit_nic_fill(struct pci_dev *pdev, struct dpkit_nic *nic)
{
	struct iommu_group *grp;
	struct dpkit_nic_rec *rec;
	struct net_device *ndev;
	const char *override;

	memset(nic, 0, sizeof(*nic));
	strscpy(nic->bdf, pci_name(pdev), sizeof(nic->bdf));
	nic->vendor = pdev->vendor;
	nic->device = pdev->device;
	nic->subsystem_vendor = pdev->subsystem_vendor;
	nic->subsystem_device = pdev->subsystem_device;
	nic->class = pdev->class;
	nic->numa_node = dev_to_node(&pdev->dev);
	grp = iommu_group_get(&pdev->dev);
	nic->iommu_group = grp ? iommu_group_id(grp) : DPKIT_NO_NODE;
	iommu_group_put(grp);

	device_lock(&pdev->dev);
	if (pdev->dev.driver)
		strscpy(nic->driver, pdev->dev.driver->name, sizeof(nic->driver));
	override = dpkit_pci_override(pdev);
	if (override) {
		strscpy(nic->override, override, sizeof(nic->override));
		nic->flags |= DPKIT_NIC_F_OVERRIDE;
	}
	device_unlock(&pdev->dev);

	if (dpkit_pci_is_dlb(pdev->vendor, pdev->device))
		nic->flags |= DPKIT_NIC_F_EVENTDEV;
	if (dpkit_pci_is_bifurcated(pdev))
		nic->flags |= DPKIT_NIC_F_BIFURCATED;
	rec = dpkit_nic_find(pdev);
	if (rec) {
		nic->flags |= DPKIT_NIC_F_DPKIT;
		if (rec->lease)
			nic->flags |= DPKIT_NIC_F_LEASED;
		strscpy(nic->orig_driver, rec->orig_driver,
			sizeof(nic->orig_driver));
	}

	rcu_read_lock();
	ndev = dpkit_pci_netdev(pdev);
	if (ndev) {
		nic->flags |= DPKIT_NIC_F_NETDEV;
		strscpy(nic->ifname, ndev->name, sizeof(nic->ifname));
		nic->ifindex = ndev->ifindex;
		nic->if_flags = READ_ONCE(ndev->flags);
		nic->operstate = READ_ONCE(ndev->operstate);
		if (dpkit_netdev_has_addr(ndev))
			nic->flags |= DPKIT_NIC_F_ROUTE;
	}
	rcu_read_unlock();
}

/* ---- DPKIT_IOC_NIC_LIST ----------------------------------------------- */

long dpkit_nic_list(struct dpkit_nic_list __user *uarg)
{
	struct pci_dev *pdev = NULL;
	struct dpkit_nic_list hdr;
	struct dpkit_nic nic;
	u32 n = 0, total = 0;
	long ret = 0;

	if (copy_from_user(&hdr, uarg, sizeof(hdr)))
		return -EFAULT;
	if (hdr.flags || hdr.entry_size != sizeof(struct dpkit_nic) ||
	    hdr.count > DPKIT_NIC_LIST_MAX)
		return -EINVAL;

	mutex_lock(&dpkit_nic_lock);
	for_each_pci_dev(pdev) {
		if (!dpkit_pci_wanted(pdev))
			continue;
		total++;
		if (n >= hdr.count)
			continue;
		dpkit_nic_fill(pdev, &nic);
		if (copy_to_user(&uarg->nics[n], &nic, sizeof(nic))) {
			pci_dev_put(pdev);
			ret = -EFAULT;
			goto out_unlock;
		}
		n++;
	}
out_unlock:
	mutex_unlock(&dpkit_nic_lock);
	if (ret)
		return ret;

	hdr.count = n;
	hdr.total = total;
	hdr.flags = total > n ? DPKIT_NIC_LIST_F_TRUNCATED : 0;
	if (copy_to_user(uarg, &hdr, sizeof(hdr)))
		return -EFAULT;
	return 0;
}

/* ---- bind and restore -------------------------------------------------- */

static struct pci_dev *dpkit_pci_get(const char *bdf, size_t size, int *err)
{
	unsigned int bus, devfn;
	struct pci_dev *pdev;
	int domain;

	*err = dpkit_parse_bdf(bdf, size, &domain, &bus, &devfn);
	if (*err)
		return NULL;
	pdev = pci_get_domain_bus_and_slot(domain, bus, devfn);
	if (!pdev)
		*err = -ENODEV;
	return pdev;
}

/* Refuse a NIC whose netdev is up or addressed, unless forced. */
static int dpkit_nic_check_netdev(struct pci_dev *pdev, u32 flags, u32 *result)
{
	struct net_device *ndev;
	bool busy = false;
	char name[IFNAMSIZ] = "";

	rcu_read_lock();
	ndev = dpkit_pci_netdev(pdev);
	if (ndev && ((READ_ONCE(ndev->flags) & IFF_UP) ||
		     dpkit_netdev_has_addr(ndev))) {
		busy = true;
		strscpy(name, ndev->name, sizeof(name));
	}
	rcu_read_unlock();
	if (!busy)
		return 0;
	if (!(flags & DPKIT_BIND_FORCE)) {
		pr_info("%s: refusing to unbind: %s is up or has addresses\n",
			pci_name(pdev), name);
		return -EBUSY;
	}
	pr_info("%s: %s is up or has addresses, forced\n", pci_name(pdev), name);
	*result |= DPKIT_BIND_R_FORCED;
	return 0;
}

struct dpkit_group_check {
	struct device *self;
	char *conflict;
	int found;
};

/* vfio-pci can own a group only when no other member has a kernel driver. */
static int dpkit_group_member(struct device *dev, void *data)
{
	static const char *const ok[] = { "vfio-pci", "pci-stub", "pcieport" };
	struct dpkit_group_check *c = data;
	unsigned int i;
	int busy;

	if (dev == c->self)
		return 0;
	device_lock(dev);
	busy = !!dev->driver;
	for (i = 0; busy && i < ARRAY_SIZE(ok); i++)
		if (!strcmp(dev->driver->name, ok[i]))
			busy = 0;
	if (busy && !c->found++)
		strscpy(c->conflict, dev_name(dev), DPKIT_BDF_LEN);
	device_unlock(dev);
	return 0;
}

static int dpkit_nic_check_group(struct pci_dev *pdev, char *conflict)
{
	struct dpkit_group_check c = { .self = &pdev->dev, .conflict = conflict };
	struct iommu_group *grp;

	grp = iommu_group_get(&pdev->dev);
	if (!grp) {
		pr_info("%s: no IOMMU group: vfio-pci needs an IOMMU\n",
			pci_name(pdev));
		return -ENXIO;
	}
	iommu_group_for_each_dev(grp, &c, dpkit_group_member);
	if (c.found)
		pr_info("%s: IOMMU group %d also holds %s (and %d more) bound to a kernel driver\n",
			pci_name(pdev), iommu_group_id(grp), conflict, c.found - 1);
	iommu_group_put(grp);
	return c.found ? -EXDEV : 0;
}

/* Make sure @name is a registered PCI driver, loading its module if need be. */
static int dpkit_pci_driver_load(const char *name, u32 *result)
{
	if (driver_find(name, &pci_bus_type))
		return 0;
	if (request_module("%s", name) || !driver_find(name, &pci_bus_type)) {
		pr_info("no PCI driver %s (no module of that name)\n", name);
		return -ENOENT;
	}
	*result |= DPKIT_BIND_R_LOADED;
	return 0;
}

/*
 * Move @pdev to @target ("" leaves it unbound): override, release, attach,
 * and check what bound. The override stays set when @keep_override.
 */
static int dpkit_pci_switch(struct pci_dev *pdev, const char *target,
			    bool keep_override)
{
	char now[DPKIT_DRIVER_LEN];
	int ret;

	ret = dpkit_pci_set_override(pdev, target);
	if (ret)
		return ret;
	device_release_driver(&pdev->dev);
	if (*target) {
		ret = device_attach(&pdev->dev);
		if (ret < 0)
			pr_warn("%s: attaching %s failed: %d\n", pci_name(pdev),
				target, ret);
	}
	if (!keep_override)
		dpkit_pci_set_override(pdev, "");
	dpkit_pci_driver(pdev, now, sizeof(now));
	return strcmp(now, target) ? -EIO : 0;
}

/* Back to @orig; with no record, clear the override and let the bus match. */
static int dpkit_nic_do_restore(struct pci_dev *pdev, const char *orig)
{
	char before[DPKIT_DRIVER_LEN], after[DPKIT_DRIVER_LEN];
	int ret = 0;

	dpkit_pci_driver(pdev, before, sizeof(before));
	if (orig) {
		ret = dpkit_pci_switch(pdev, orig, false);
	} else {
		dpkit_pci_set_override(pdev, "");
		if (!*before && device_attach(&pdev->dev) < 0)
			ret = -EIO;
	}
	dpkit_pci_driver(pdev, after, sizeof(after));
	if (ret)
		pr_warn("%s: restore failed: now bound to %s, wanted %s\n",
			pci_name(pdev), *after ? after : "(none)",
			orig && *orig ? orig : "(any)");
	else
		pr_info("%s: %s -> %s (restored)\n", pci_name(pdev),
			*before ? before : "(none)", *after ? after : "(none)");
	return ret;
}

static void dpkit_nic_rec_free(struct dpkit_nic_rec *rec)
{
	list_del(&rec->node);
	pci_dev_put(rec->pdev);
	kfree(rec);
}

long dpkit_nic_bind(struct dpkit_nic_bind *b, const void *lease)
{
	char target[DPKIT_DRIVER_LEN], cur[DPKIT_DRIVER_LEN];
	struct dpkit_nic_rec *rec;
	struct pci_dev *pdev;
	bool new_rec = false;
	int ret;

	b->result = 0;
	memset(b->prev_driver, 0, sizeof(b->prev_driver));
	memset(b->conflict, 0, sizeof(b->conflict));
	if (b->flags & ~(DPKIT_BIND_FORCE | DPKIT_BIND_PERSIST))
		return -EINVAL;
	ret = dpkit_override_normalize(b->driver, sizeof(b->driver), target,
				       sizeof(target));
	if (ret < 0)
		return ret == -ENAMETOOLONG ? -EINVAL : ret;
	if (!ret)
		strscpy(target, DPKIT_DEFAULT_DRIVER, sizeof(target));
	pdev = dpkit_pci_get(b->bdf, sizeof(b->bdf), &ret);
	if (!pdev)
		return ret;
	if (!dpkit_pci_wanted(pdev)) {
		pr_info("%s: not a network device or DLB eventdev\n",
			pci_name(pdev));
		ret = -EINVAL;
		goto out_put;
	}

	mutex_lock(&dpkit_nic_lock);
	dpkit_pci_driver(pdev, cur, sizeof(cur));
	strscpy(b->prev_driver, cur, sizeof(b->prev_driver));
	rec = dpkit_nic_find(pdev);
	if (rec && rec->lease && rec->lease != lease) {
		ret = -EBUSY;
		goto out_unlock;
	}
	if (!strcmp(cur, target)) {
		b->result |= DPKIT_BIND_R_ALREADY;
		goto out_lease;
	}
	ret = dpkit_nic_check_netdev(pdev, b->flags, &b->result);
	if (ret)
		goto out_unlock;
	if (!strcmp(target, "vfio-pci")) {
		ret = dpkit_nic_check_group(pdev, b->conflict);
		if (ret)
			goto out_unlock;
	}
	ret = dpkit_pci_driver_load(target, &b->result);
	if (ret)
		goto out_unlock;

	if (!rec) {
		rec = kzalloc(sizeof(*rec), GFP_KERNEL);
		if (!rec) {
			ret = -ENOMEM;
			goto out_unlock;
		}
		rec->pdev = pci_dev_get(pdev);
		strscpy(rec->orig_driver, cur, sizeof(rec->orig_driver));
		list_add_tail(&rec->node, &dpkit_nic_recs);
		new_rec = true;
	}
	ret = dpkit_pci_switch(pdev, target, true);
	if (ret) {
		pr_warn("%s: %s did not bind, back to %s\n", pci_name(pdev),
			target, *cur ? cur : "(none)");
		dpkit_pci_switch(pdev, cur, false);
		if (new_rec)
			dpkit_nic_rec_free(rec);
		goto out_unlock;
	}
	pr_info("%s: %s -> %s%s\n", pci_name(pdev), *cur ? cur : "(none)",
		target, b->result & DPKIT_BIND_R_FORCED ? " (forced)" : "");
out_lease:
	if (rec)
		rec->lease = lease && !(b->flags & DPKIT_BIND_PERSIST) ? lease : NULL;
out_unlock:
	mutex_unlock(&dpkit_nic_lock);
out_put:
	pci_dev_put(pdev);
	return ret;
}

long dpkit_nic_restore(struct dpkit_nic_restore *r, const void *lease)
{
	struct dpkit_nic_rec *rec;
	struct pci_dev *pdev;
	int ret;

	memset(r->driver, 0, sizeof(r->driver));
	if (r->flags || r->reserved)
		return -EINVAL;
	pdev = dpkit_pci_get(r->bdf, sizeof(r->bdf), &ret);
	if (!pdev)
		return ret;
	if (!dpkit_pci_wanted(pdev)) {
		ret = -EINVAL;
		goto out_put;
	}

	mutex_lock(&dpkit_nic_lock);
	rec = dpkit_nic_find(pdev);
	if (rec && rec->lease && rec->lease != lease) {
		ret = -EBUSY;
		goto out_unlock;
	}
	ret = dpkit_nic_do_restore(pdev, rec ? rec->orig_driver : NULL);
	if (rec && !ret)
		dpkit_nic_rec_free(rec);
	dpkit_pci_driver(pdev, r->driver, sizeof(r->driver));
out_unlock:
	mutex_unlock(&dpkit_nic_lock);
out_put:
	pci_dev_put(pdev);
	return ret;
}

/* The end of a lease (@lease) or of the module (NULL: every record). */
void dpkit_nic_release(const void *lease)
{
	struct dpkit_nic_rec *rec, *tmp;

	mutex_lock(&dpkit_nic_lock);
	list_for_each_entry_safe(rec, tmp, &dpkit_nic_recs, node) {
		if (lease && rec->lease != lease)
			continue;
		dpkit_nic_do_restore(rec->pdev, rec->orig_driver);
		dpkit_nic_rec_free(rec);
	}
	mutex_unlock(&dpkit_nic_lock);
}
