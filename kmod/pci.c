// SPDX-License-Identifier: GPL-2.0
/*
 * NIC ownership: list the PCI network devices (and DLB eventdevs), move one
 * to another driver through driver_override, and bring it back to the
 * driver it had before dpkit touched it.
 *
 * Locking rules:
 *  - dpkit_nic_lock guards the list of records and their fields, and
 *    nothing else: it is the innermost lock, held for list walks only, never
 *    across a device_lock, a driver core call or a copy to userspace;
 *  - a bind or restore first claims its NIC's record (rec->busy): one
 *    operation per NIC at a time, the others wait, killably. The driver
 *    switch itself runs with no dpkit lock held, because vfio-pci's remove
 *    waits for every user of the device to close it, for as long as it
 *    takes;
 *  - the members of an IOMMU group are collected under the group's mutex
 *    and inspected after it is released: the driver core takes a device's
 *    lock before the group's (probe, release), so dpkit never nests them
 *    the other way;
 *  - the end of a lease, and unloading, restore from a work item: a closing
 *    file never waits for another process to let go of a device.
 * A record holds a reference on its pci_dev for as long as it exists; no
 * rebind ever runs from a notifier or under rtnl (unbinding a NIC
 * unregisters its netdev, which takes rtnl).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/inetdevice.h>
#include <linux/iommu.h>
#include <linux/kmod.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/pci.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <net/addrconf.h>
#include <kunit/visibility.h>

#include "compat.h"
#include "internal.h"

#define DPKIT_DEFAULT_DRIVER	"vfio-pci"
#define DPKIT_NIC_LIST_MAX	4096
#define DPKIT_GROUP_MAX		64	/* IOMMU group members inspected */
#define DPKIT_BUSY_WARN_SECS	10
#define PCI_VENDOR_ID_MELLANOX_	0x15b3
#define DPKIT_DRIVER_CHARS \
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"

/*
 * A NIC dpkit moved to another driver (@moved), or one a bind or restore is
 * working on (@busy). Fields are guarded by dpkit_nic_lock.
 */
struct dpkit_nic_rec {
	struct list_head node;
	struct pci_dev *pdev;			/* reference held */
	char orig_driver[DPKIT_DRIVER_LEN];	/* "" when it had none */
	const void *lease;			/* restored when it ends */
	bool moved;		/* bound elsewhere by dpkit: orig_driver holds */
	bool busy;		/* claimed by a bind, a restore or the work */
	bool pending;		/* to be restored by dpkit_nic_restore_work */
	unsigned long busy_since;		/* jiffies */
};

static LIST_HEAD(dpkit_nic_recs);
static DEFINE_MUTEX(dpkit_nic_lock);
static DECLARE_WAIT_QUEUE_HEAD(dpkit_nic_wq);	/* a claim was released */
static atomic_t dpkit_nic_releases;		/* ... how many so far */

/* ---- pure helpers (KUnit) -------------------------------------------- */

/*
 * A driver name from a fixed-size UAPI field: it must be NUL-terminated;
 * it ends at the first newline, as driver_set_override() has it for the
 * sysfs file; an empty result (from "", "\n" or a
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

/*
 * The drivers a NIC may be moved to: the userspace I/O drivers DPDK uses,
 * and the kernel driver it had before dpkit moved it (@orig, may be "").
 * Nothing else: a bind loads the target's module, and a caller must not be
 * able to load any module it names.
 */
bool dpkit_driver_allowed(const char *target, const char *orig)
{
	static const char *const allowed[] = {
		"vfio-pci", "uio_pci_generic", "pci-stub",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(allowed); i++)
		if (!strcmp(target, allowed[i]))
			return true;
	return *orig && !strcmp(target, orig);
}
EXPORT_SYMBOL_IF_KUNIT(dpkit_driver_allowed);

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

/*
 * Exactly what pci_name() prints, "dddd:bb:dd.f" with a domain of 4 to 7
 * hex digits (domains above ffff, VMD's, without leading zeros), or
 * "bb:dd.f" (domain 0); hexadecimal.
 */
int dpkit_parse_bdf(const char *s, size_t size, int *domain, unsigned int *bus,
		    unsigned int *devfn)
{
	const char *end = memchr(s, '\0', size);
	int d = 0, b, dev, fn, digits = 0;

	if (!end)
		return -EINVAL;
	if (end - s > 7) {
		digits = end - s - 8;
		if (digits < 4 || digits > 7 || s[digits] != ':' ||
		    (digits > 4 && s[0] == '0'))
			return -EINVAL;
		d = dpkit_hex(s, digits);
		s += digits + 1;
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

/* ---- records and claims ----------------------------------------------- */

static struct dpkit_nic_rec *dpkit_nic_find(struct pci_dev *pdev)
{
	struct dpkit_nic_rec *rec;

	lockdep_assert_held(&dpkit_nic_lock);
	list_for_each_entry(rec, &dpkit_nic_recs, node)
		if (rec->pdev == pdev)
			return rec;
	return NULL;
}

/*
 * Claim @pdev's record, creating it if there is none, waiting (killably)
 * while another bind, restore or the restore work holds it.
 */
static struct dpkit_nic_rec *dpkit_nic_claim(struct pci_dev *pdev)
{
	struct dpkit_nic_rec *rec, *fresh;
	int seen, ret;

	fresh = kzalloc(sizeof(*fresh), GFP_KERNEL);
	if (!fresh)
		return ERR_PTR(-ENOMEM);
	for (;;) {
		seen = atomic_read(&dpkit_nic_releases);
		mutex_lock(&dpkit_nic_lock);
		rec = dpkit_nic_find(pdev);
		if (!rec) {
			rec = fresh;
			fresh = NULL;
			rec->pdev = pci_dev_get(pdev);
			list_add_tail(&rec->node, &dpkit_nic_recs);
		}
		if (!rec->busy) {
			rec->busy = true;
			rec->busy_since = jiffies;
			mutex_unlock(&dpkit_nic_lock);
			kfree(fresh);
			return rec;
		}
		mutex_unlock(&dpkit_nic_lock);
		ret = wait_event_killable(dpkit_nic_wq,
					  atomic_read(&dpkit_nic_releases) != seen);
		if (ret) {
			kfree(fresh);
			return ERR_PTR(ret);
		}
	}
}

static void dpkit_nic_restore_work_fn(struct work_struct *work);
static DECLARE_WORK(dpkit_nic_restore_work, dpkit_nic_restore_work_fn);

/* Let go of @rec; a record of nothing (not moved, not pending) is freed. */
static void dpkit_nic_release_claim(struct dpkit_nic_rec *rec)
{
	bool pending;

	mutex_lock(&dpkit_nic_lock);
	rec->busy = false;
	pending = rec->pending;
	if (!rec->moved && !pending) {
		list_del(&rec->node);
		pci_dev_put(rec->pdev);
		kfree(rec);
	}
	mutex_unlock(&dpkit_nic_lock);
	atomic_inc(&dpkit_nic_releases);
	wake_up_all(&dpkit_nic_wq);
	if (pending)
		queue_work(system_unbound_wq, &dpkit_nic_restore_work);
}

/* ---- looking at a device ---------------------------------------------- */

/* The bound driver's name into @buf ("" for none). */
static void dpkit_pci_driver(struct pci_dev *pdev, char *buf, size_t size)
{
	device_lock(&pdev->dev);
	strscpy(buf, pdev->dev.driver ? pdev->dev.driver->name : "", size);
	device_unlock(&pdev->dev);
}

/*
 * Lock @dev if that takes no more than about 100 ms: a device whose driver
 * is being removed stays locked until the driver lets go (vfio-pci's waits
 * for its users), and a listing must not wait for that.
 */
static bool dpkit_device_lock_brief(struct device *dev)
{
	int tries;

	for (tries = 0; tries < 20; tries++) {
		if (device_trylock(dev))
			return true;
		usleep_range(5000, 6000);
	}
	return false;
}

static int dpkit_match_netdev(struct device *dev, void *data)
{
	return dev->class && !strcmp(dev->class->name, "net");
}

static int dpkit_find_netdev(struct device *dev, void *data)
{
	struct device **found = data;

	*found = dpkit_match_netdev(dev, NULL) ? get_device(dev) :
		 device_find_child(dev, NULL, dpkit_match_netdev);
	return !!*found;
}

/*
 * The netdev of @pdev, in whatever network namespace it lives: a child of
 * the PCI device, or of its virtio device. Put it with dpkit_netdev_put().
 */
static struct net_device *dpkit_pci_netdev_get(struct pci_dev *pdev)
{
	struct device *found = NULL;

	device_for_each_child(&pdev->dev, &found, dpkit_find_netdev);
	return found ? to_net_dev(found) : NULL;
}

static void dpkit_netdev_put(struct net_device *ndev)
{
	if (ndev)
		put_device(&ndev->dev);
}

/* Whether @ndev has an IPv4 address or a non-link-local IPv6 one. */
static bool dpkit_netdev_has_addr(struct net_device *ndev)
{
	const struct in_ifaddr *ifa;
	struct inet6_ifaddr *ifp;
	struct in_device *in_dev;
	struct inet6_dev *idev;
	bool found = false;

	rcu_read_lock();
	in_dev = __in_dev_get_rcu(ndev);
	if (in_dev)
		in_dev_for_each_ifa_rcu(ifa, in_dev) {
			found = true;
			break;
		}
	idev = __in6_dev_get(ndev);
	if (!found && idev)
		list_for_each_entry_rcu(ifp, &idev->addr_list, if_list)
			if (!(ipv6_addr_type(&ifp->addr) & IPV6_ADDR_LINKLOCAL)) {
				found = true;
				break;
			}
	rcu_read_unlock();
	return found;
}

static void dpkit_nic_fill(struct pci_dev *pdev, struct dpkit_nic *nic)
{
	struct iommu_group *grp;
	struct dpkit_nic_rec *rec;
	struct net_device *ndev;

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

	if (dpkit_device_lock_brief(&pdev->dev)) {
		if (pdev->dev.driver)
			strscpy(nic->driver, pdev->dev.driver->name,
				sizeof(nic->driver));
		if (dpkit_pci_override(pdev, nic->override,
				       sizeof(nic->override)))
			nic->flags |= DPKIT_NIC_F_OVERRIDE;
		device_unlock(&pdev->dev);
	} else {
		nic->flags |= DPKIT_NIC_F_BUSY;	/* its driver is changing */
	}

	if (dpkit_pci_is_dlb(pdev->vendor, pdev->device))
		nic->flags |= DPKIT_NIC_F_EVENTDEV;
	if (dpkit_pci_is_bifurcated(pdev))
		nic->flags |= DPKIT_NIC_F_BIFURCATED;
	mutex_lock(&dpkit_nic_lock);
	rec = dpkit_nic_find(pdev);
	if (rec && rec->moved) {
		nic->flags |= DPKIT_NIC_F_DPKIT;
		if (rec->lease)
			nic->flags |= DPKIT_NIC_F_LEASED;
		strscpy(nic->orig_driver, rec->orig_driver,
			sizeof(nic->orig_driver));
	}
	if (rec && (rec->busy || rec->pending))
		nic->flags |= DPKIT_NIC_F_BUSY;
	mutex_unlock(&dpkit_nic_lock);

	ndev = dpkit_pci_netdev_get(pdev);
	if (ndev) {
		nic->flags |= DPKIT_NIC_F_NETDEV;
		if (!net_eq(dev_net(ndev), &init_net))
			nic->flags |= DPKIT_NIC_F_NETNS;
		strscpy(nic->ifname, ndev->name, sizeof(nic->ifname));
		nic->ifindex = ndev->ifindex;
		nic->if_flags = READ_ONCE(ndev->flags);
		/* As rtnetlink reports it: a closed netdev is down. */
		nic->operstate = netif_running(ndev) ?
				 READ_ONCE(ndev->operstate) : IF_OPER_DOWN;
		if (dpkit_netdev_has_addr(ndev))
			nic->flags |= DPKIT_NIC_F_ROUTE;
		dpkit_netdev_put(ndev);
	}
}

/* ---- DPKIT_IOC_NIC_LIST ----------------------------------------------- */

/* Filled into a kernel buffer, copied out with no lock held. */
long dpkit_nic_list(struct dpkit_nic_list __user *uarg)
{
	struct pci_dev *pdev = NULL;
	struct dpkit_nic_list hdr;
	struct dpkit_nic *nics;
	u32 n = 0, total = 0;
	long ret = 0;

	if (copy_from_user(&hdr, uarg, sizeof(hdr)))
		return -EFAULT;
	if (hdr.flags || hdr.entry_size != sizeof(struct dpkit_nic) ||
	    hdr.count > DPKIT_NIC_LIST_MAX)
		return -EINVAL;
	nics = kvcalloc(max(hdr.count, 1U), sizeof(*nics), GFP_KERNEL);
	if (!nics)
		return -ENOMEM;

	for_each_pci_dev(pdev) {
		if (!dpkit_pci_wanted(pdev))
			continue;
		total++;
		if (n < hdr.count)
			dpkit_nic_fill(pdev, &nics[n++]);
		if (fatal_signal_pending(current)) {
			pci_dev_put(pdev);
			ret = -EINTR;
			goto out_free;
		}
	}

	hdr.count = n;
	hdr.total = total;
	hdr.flags = total > n ? DPKIT_NIC_LIST_F_TRUNCATED : 0;
	if (copy_to_user(uarg->nics, nics, n * sizeof(*nics)) ||
	    copy_to_user(uarg, &hdr, sizeof(hdr)))
		ret = -EFAULT;
out_free:
	kvfree(nics);
	return ret;
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

/* Refuse a NIC whose netdev (in any namespace) is up or addressed, unless forced. */
static int dpkit_nic_check_netdev(struct pci_dev *pdev, u32 flags, u32 *result)
{
	struct net_device *ndev;
	char name[IFNAMSIZ] = "";
	bool busy = false, elsewhere = false;

	ndev = dpkit_pci_netdev_get(pdev);
	if (ndev && ((READ_ONCE(ndev->flags) & IFF_UP) ||
		     dpkit_netdev_has_addr(ndev))) {
		busy = true;
		elsewhere = !net_eq(dev_net(ndev), &init_net);
		strscpy(name, ndev->name, sizeof(name));
	}
	dpkit_netdev_put(ndev);
	if (!busy)
		return 0;
	if (!(flags & DPKIT_BIND_FORCE)) {
		pr_info("%s: refusing to unbind: %s%s is up or has addresses\n",
			pci_name(pdev), name,
			elsewhere ? " (in another network namespace)" : "");
		return -EBUSY;
	}
	pr_info("%s: %s is up or has addresses, forced\n", pci_name(pdev), name);
	*result |= DPKIT_BIND_R_FORCED;
	return 0;
}

struct dpkit_group_members {
	struct device *dev[DPKIT_GROUP_MAX];
	unsigned int n, more;
};

/* Called with the group's mutex held: only take a reference. */
static int dpkit_group_collect(struct device *dev, void *data)
{
	struct dpkit_group_members *m = data;

	if (m->n < ARRAY_SIZE(m->dev))
		m->dev[m->n++] = get_device(dev);
	else
		m->more++;
	return 0;
}

/* Whether another member of the group has a kernel driver, or is changing one. */
static bool dpkit_group_member_busy(struct device *dev)
{
	static const char *const ok[] = { "vfio-pci", "pci-stub", "pcieport" };
	unsigned int i;
	bool busy;

	if (!dpkit_device_lock_brief(dev))
		return true;
	busy = !!dev->driver;
	for (i = 0; busy && i < ARRAY_SIZE(ok); i++)
		if (!strcmp(dev->driver->name, ok[i]))
			busy = false;
	device_unlock(dev);
	return busy;
}

/*
 * vfio-pci can own a group only when no other member has a kernel driver.
 * The members are looked at after the group's mutex is released: the
 * driver core takes a device's lock before its group's.
 */
static int dpkit_nic_check_group(struct pci_dev *pdev, char *conflict)
{
	struct dpkit_group_members *m;
	struct iommu_group *grp;
	unsigned int i, found = 0;
	int id;

	grp = iommu_group_get(&pdev->dev);
	if (!grp) {
		pr_info("%s: no IOMMU group: vfio-pci needs an IOMMU\n",
			pci_name(pdev));
		return -ENXIO;
	}
	id = iommu_group_id(grp);
	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m) {
		iommu_group_put(grp);
		return -ENOMEM;
	}
	iommu_group_for_each_dev(grp, m, dpkit_group_collect);
	iommu_group_put(grp);

	for (i = 0; i < m->n; i++) {
		if (m->dev[i] != &pdev->dev && dpkit_group_member_busy(m->dev[i]) &&
		    !found++)
			strscpy(conflict, dev_name(m->dev[i]), DPKIT_BDF_LEN);
		put_device(m->dev[i]);
	}
	if (m->more) {
		pr_info("%s: IOMMU group %d has more than %zu members\n",
			pci_name(pdev), id, ARRAY_SIZE(m->dev));
		found += m->more;
	}
	kfree(m);
	if (found)
		pr_info("%s: IOMMU group %d also holds %s (and %u more) bound to a kernel driver\n",
			pci_name(pdev), id, *conflict ? conflict : "members",
			found - 1);
	return found ? -EXDEV : 0;
}

/*
 * Make sure @name is a registered PCI driver, loading its module if need
 * be (when @load); only drivers dpkit_driver_allowed() accepts ever get
 * here. Loading runs modprobe, in userspace, for as long as it likes:
 * never with a lock or a NIC's claim held.
 */
static int dpkit_pci_driver_load(const char *name, bool load, u32 *result)
{
	if (driver_find(name, &pci_bus_type))
		return 0;
	if (!load || request_module("%s", name) ||
	    !driver_find(name, &pci_bus_type)) {
		pr_info("no PCI driver %s (no module of that name)\n", name);
		return -ENOENT;
	}
	*result |= DPKIT_BIND_R_LOADED;
	return 0;
}

/*
 * Move @pdev to @target ("" leaves it unbound): override, release, attach,
 * and check what bound. The override stays set when @keep_override. The
 * release may sleep until the driver's users let go of the device: never
 * call this with a dpkit lock held.
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

/*
 * The driver @pdev had before dpkit moved it, else its driver now: what
 * dpkit_driver_allowed() will judge a bind by, read without the claim.
 */
static void dpkit_nic_orig(struct pci_dev *pdev, char *orig, size_t size)
{
	struct dpkit_nic_rec *rec;

	dpkit_pci_driver(pdev, orig, size);
	mutex_lock(&dpkit_nic_lock);
	rec = dpkit_nic_find(pdev);
	if (rec && rec->moved)
		strscpy(orig, rec->orig_driver, size);
	mutex_unlock(&dpkit_nic_lock);
}

/* Whether a bind through @lease may touch @rec; dpkit_nic_lock held. */
static bool dpkit_nic_lease_ok(const struct dpkit_nic_rec *rec,
			       const void *lease)
{
	lockdep_assert_held(&dpkit_nic_lock);
	return !rec->lease || rec->lease == lease;
}

long dpkit_nic_bind(struct dpkit_nic_bind *b, const void *lease)
{
	char target[DPKIT_DRIVER_LEN], cur[DPKIT_DRIVER_LEN];
	char orig[DPKIT_DRIVER_LEN];
	struct dpkit_nic_rec *rec;
	struct pci_dev *pdev;
	bool moved, ok, take;
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

	/*
	 * Load the target's module before claiming the NIC, so that a restore
	 * or another bind of it does not wait for modprobe; what the claim
	 * finds decides, and then only checks that the driver is there.
	 */
	dpkit_nic_orig(pdev, orig, sizeof(orig));
	if (dpkit_driver_allowed(target, orig)) {
		ret = dpkit_pci_driver_load(target, true, &b->result);
		if (ret)
			goto out_put;
	}

	rec = dpkit_nic_claim(pdev);
	if (IS_ERR(rec)) {
		ret = PTR_ERR(rec);
		goto out_put;
	}
	dpkit_pci_driver(pdev, cur, sizeof(cur));
	strscpy(b->prev_driver, cur, sizeof(b->prev_driver));
	mutex_lock(&dpkit_nic_lock);
	ok = dpkit_nic_lease_ok(rec, lease);
	moved = rec->moved;
	strscpy(orig, moved ? rec->orig_driver : cur, sizeof(orig));
	mutex_unlock(&dpkit_nic_lock);
	if (!ok) {
		ret = -EBUSY;
		goto out_release;
	}
	if (moved && !strcmp(target, orig)) {
		/* Back to the driver it had before dpkit: a restore. */
		ret = dpkit_nic_do_restore(pdev, orig);
		if (!ret) {
			mutex_lock(&dpkit_nic_lock);
			rec->moved = false;
			rec->pending = false;
			rec->lease = NULL;
			mutex_unlock(&dpkit_nic_lock);
		}
		goto out_release;
	}
	if (!strcmp(cur, target)) {
		b->result |= DPKIT_BIND_R_ALREADY;
		goto out_record;
	}
	if (!dpkit_driver_allowed(target, orig)) {
		pr_info("%s: %s is not a driver dpkit binds NICs to (vfio-pci, uio_pci_generic, pci-stub or %s)\n",
			pci_name(pdev), target, *orig ? orig : "its own");
		ret = -EINVAL;
		goto out_release;
	}
	ret = dpkit_nic_check_netdev(pdev, b->flags, &b->result);
	if (ret)
		goto out_release;
	if (!strcmp(target, "vfio-pci")) {
		ret = dpkit_nic_check_group(pdev, b->conflict);
		if (ret)
			goto out_release;
	}
	ret = dpkit_pci_driver_load(target, false, &b->result);
	if (ret)
		goto out_release;

	ret = dpkit_pci_switch(pdev, target, true);
	if (ret) {
		pr_warn("%s: %s did not bind, back to %s\n", pci_name(pdev),
			target, *cur ? cur : "(none)");
		dpkit_pci_switch(pdev, cur, false);
		goto out_release;
	}
	pr_info("%s: %s -> %s%s\n", pci_name(pdev), *cur ? cur : "(none)",
		target, b->result & DPKIT_BIND_R_FORCED ? " (forced)" : "");
out_record:
	/*
	 * A record this bind made is the caller's; an existing one changes
	 * hands only from its own owner or from a lease that ended (its
	 * restore, still queued, is then moot). A lease never takes over an
	 * admin's bind: its end would undo what it did not do.
	 */
	mutex_lock(&dpkit_nic_lock);
	if (!rec->moved && strcmp(target, orig)) {
		rec->moved = true;
		strscpy(rec->orig_driver, orig, sizeof(rec->orig_driver));
		take = true;
	} else {
		take = rec->moved && (rec->lease == lease || rec->pending);
	}
	if (take) {
		rec->lease = lease && !(b->flags & DPKIT_BIND_PERSIST) ? lease : NULL;
		rec->pending = false;
	}
	mutex_unlock(&dpkit_nic_lock);
out_release:
	dpkit_nic_release_claim(rec);
out_put:
	pci_dev_put(pdev);
	return ret;
}

long dpkit_nic_restore(struct dpkit_nic_restore *r, const void *lease)
{
	char orig[DPKIT_DRIVER_LEN];
	struct dpkit_nic_rec *rec;
	struct pci_dev *pdev;
	bool moved, ok;
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

	rec = dpkit_nic_claim(pdev);
	if (IS_ERR(rec)) {
		ret = PTR_ERR(rec);
		goto out_put;
	}
	mutex_lock(&dpkit_nic_lock);
	ok = dpkit_nic_lease_ok(rec, lease);
	moved = rec->moved;
	strscpy(orig, rec->orig_driver, sizeof(orig));
	mutex_unlock(&dpkit_nic_lock);
	if (!ok) {
		ret = -EBUSY;
		goto out_release;
	}
	ret = dpkit_nic_do_restore(pdev, moved ? orig : NULL);
	if (!ret) {
		mutex_lock(&dpkit_nic_lock);
		rec->moved = false;
		rec->pending = false;
		rec->lease = NULL;
		mutex_unlock(&dpkit_nic_lock);
	}
	dpkit_pci_driver(pdev, r->driver, sizeof(r->driver));
out_release:
	dpkit_nic_release_claim(rec);
out_put:
	pci_dev_put(pdev);
	return ret;
}

/*
 * Restore every pending record, one at a time, holding its claim but no
 * lock: vfio-pci's remove waits for the device's users, and meanwhile the
 * other NICs, listings and binds go on. A failed restore keeps its record
 * (NIC_LIST still shows it as dpkit's) for an admin to restore.
 */
static void dpkit_nic_restore_work_fn(struct work_struct *work)
{
	char orig[DPKIT_DRIVER_LEN];
	struct dpkit_nic_rec *rec;
	bool found;
	int ret;

	for (;;) {
		found = false;
		mutex_lock(&dpkit_nic_lock);
		list_for_each_entry(rec, &dpkit_nic_recs, node) {
			if (rec->pending && !rec->busy) {
				rec->pending = false;
				rec->busy = true;
				rec->busy_since = jiffies;
				strscpy(orig, rec->orig_driver, sizeof(orig));
				found = true;
				break;
			}
		}
		mutex_unlock(&dpkit_nic_lock);
		if (!found)
			return;

		pr_info("%s: restoring to %s (waits while the device is in use)\n",
			pci_name(rec->pdev), *orig ? orig : "(none)");
		ret = dpkit_nic_do_restore(rec->pdev, orig);
		if (!ret) {
			mutex_lock(&dpkit_nic_lock);
			rec->moved = false;
			mutex_unlock(&dpkit_nic_lock);
		}
		dpkit_nic_release_claim(rec);
	}
}

static void dpkit_nic_busy_watch_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(dpkit_nic_busy_watch, dpkit_nic_busy_watch_fn);

/* Name, every few seconds, a NIC whose driver has not let go of it. */
static void dpkit_nic_busy_watch_fn(struct work_struct *work)
{
	struct dpkit_nic_rec *rec;
	bool any = false;

	mutex_lock(&dpkit_nic_lock);
	list_for_each_entry(rec, &dpkit_nic_recs, node) {
		if (!rec->busy && !rec->pending)
			continue;
		any = true;
		if (rec->busy && time_after(jiffies, rec->busy_since +
					    DPKIT_BUSY_WARN_SECS * HZ))
			pr_warn("%s: still waiting for its driver to let go (%u s; a VFIO user holding it open?)\n",
				pci_name(rec->pdev),
				jiffies_to_msecs(jiffies - rec->busy_since) / 1000);
	}
	mutex_unlock(&dpkit_nic_lock);
	if (any)
		schedule_delayed_work(&dpkit_nic_busy_watch,
				      DPKIT_BUSY_WARN_SECS * HZ);
}

/*
 * The end of a lease (@lease), or of the module (NULL: every record):
 * queue the restores and return; the file being closed never waits.
 */
void dpkit_nic_release(const void *lease)
{
	struct dpkit_nic_rec *rec;
	bool any = false;

	mutex_lock(&dpkit_nic_lock);
	list_for_each_entry(rec, &dpkit_nic_recs, node) {
		if (!rec->moved || (lease && rec->lease != lease))
			continue;
		rec->lease = NULL;
		rec->pending = true;
		any = true;
	}
	mutex_unlock(&dpkit_nic_lock);
	if (!any)
		return;
	queue_work(system_unbound_wq, &dpkit_nic_restore_work);
	schedule_delayed_work(&dpkit_nic_busy_watch, DPKIT_BUSY_WARN_SECS * HZ);
}

/*
 * Unload: no file is open any more (each holds a module reference), so no
 * bind or restore runs; restore what dpkit moved and wait for it, however
 * long the drivers take. Records left (failed restores) are dropped.
 */
void dpkit_nic_exit(void)
{
	struct dpkit_nic_rec *rec, *tmp;

	dpkit_nic_release(NULL);
	flush_work(&dpkit_nic_restore_work);
	cancel_delayed_work_sync(&dpkit_nic_busy_watch);
	mutex_lock(&dpkit_nic_lock);
	list_for_each_entry_safe(rec, tmp, &dpkit_nic_recs, node) {
		pr_warn("%s: left bound to its current driver (restore failed)\n",
			pci_name(rec->pdev));
		list_del(&rec->node);
		pci_dev_put(rec->pdev);
		kfree(rec);
	}
	mutex_unlock(&dpkit_nic_lock);
}
