// SPDX-License-Identifier: GPL-2.0
/*
 * dpkit.ko: kernel support for a DPDK dataplane.
 *
 * This file owns the misc device /dev/dpkit: the ioctl dispatch, the
 * read-only mapping of the link-state page, poll()/read() wake-ups and the
 * per-file lease. Each ioctl handler copies its argument in, validates
 * every field (reserved fields and unknown flags must be zero), checks the
 * caller's capability when it changes anything, acts, and copies the result
 * out.
 *
 * Who may do what (Documentation/link-state.rst, "Permissions"): whoever
 * may open the device may read the version, list NICs and the isolation,
 * map the page and wait for events. Changing state needs a capability of
 * the process that opened the file (file->f_cred, as write permission is
 * checked at open), never of the caller: a daemon that drops its
 * capabilities keeps using the lease it opened with them.
 *   CAP_NET_ADMIN  LEASE, LINK_REPORT, LINK_WATCH (link state);
 *   CAP_SYS_ADMIN  NIC_BIND, NIC_RESTORE (device DMA), ISOLATE_SET,
 *                  ISOLATE_CLEAR (the whole host's IRQs).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/compat.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "compat.h"
#include "internal.h"

/* One per open file. */
struct dpkit_file {
	u64 events_seen;	/* the page's event count at the last read() */
	unsigned long flags;	/* DPKIT_FILE_* bits */
};

#define DPKIT_FILE_LEASE	0	/* DPKIT_IOC_LEASE taken: undo on release */

static bool dpkit_file_leased(struct dpkit_file *df)
{
	return test_bit(DPKIT_FILE_LEASE, &df->flags);
}

/* What a change made through @df belongs to: its lease, or nothing. */
static const void *dpkit_file_lease(struct dpkit_file *df)
{
	return dpkit_file_leased(df) ? df : NULL;
}

static struct dpkit_page dpkit_page;

/* A capability of the process that opened @file. */
static bool dpkit_file_capable(struct file *file, int cap)
{
	return file_ns_capable(file, &init_user_ns, cap);
}

static long dpkit_ioctl_version(struct dpkit_version __user *uarg)
{
	struct dpkit_version ver;

	if (copy_from_user(&ver, uarg, sizeof(ver)))
		return -EFAULT;
	if (ver.flags || memchr_inv(ver.reserved, 0, sizeof(ver.reserved)))
		return -EINVAL;

	memset(&ver, 0, sizeof(ver));
	ver.abi_version = DPKIT_ABI_VERSION;
	ver.features = DPKIT_FEAT_LINK | DPKIT_FEAT_NIC | DPKIT_FEAT_ISOLATE |
		       DPKIT_FEAT_LEASE;
	ver.map_size = dpkit_page.map_size;
	ver.nr_slots = dpkit_page.nr_slots;
	strscpy(ver.release, DPKIT_RELEASE, sizeof(ver.release));

	if (copy_to_user(uarg, &ver, sizeof(ver)))
		return -EFAULT;
	return 0;
}

static long dpkit_ioctl_lease(struct file *file, struct dpkit_file *df,
			      struct dpkit_lease __user *uarg)
{
	struct dpkit_lease lease;

	if (copy_from_user(&lease, uarg, sizeof(lease)))
		return -EFAULT;
	if (lease.flags || lease.reserved)
		return -EINVAL;
	if (!dpkit_file_capable(file, CAP_NET_ADMIN))
		return -EPERM;
	if (test_and_set_bit(DPKIT_FILE_LEASE, &df->flags))
		return -EBUSY;
	return 0;
}

static long dpkit_ioctl_link_report(struct file *file, struct dpkit_file *df,
				    struct dpkit_link_report __user *uarg)
{
	struct dpkit_link_report rep;
	int ret;

	if (copy_from_user(&rep, uarg, sizeof(rep)))
		return -EFAULT;
	ret = dpkit_link_report_check(&rep);
	if (ret)
		return ret;
	if (!dpkit_file_capable(file, CAP_NET_ADMIN))
		return -EPERM;
	return dpkit_link_report(&dpkit_links, &rep, dpkit_file_lease(df));
}

static long dpkit_ioctl_link_watch(struct file *file,
				   struct dpkit_link_watch __user *uarg)
{
	struct dpkit_link_watch w;
	int ret;

	if (copy_from_user(&w, uarg, sizeof(w)))
		return -EFAULT;
	ret = dpkit_link_watch_check(&w);
	if (ret)
		return ret;
	if (!dpkit_file_capable(file, CAP_NET_ADMIN))
		return -EPERM;
	return dpkit_link_watch(&w);
}

/* The result goes back on success and on the refusals that explain themselves. */
static long dpkit_ioctl_nic_bind(struct file *file, struct dpkit_file *df,
				 struct dpkit_nic_bind __user *uarg)
{
	struct dpkit_nic_bind b;
	long ret;

	if (copy_from_user(&b, uarg, sizeof(b)))
		return -EFAULT;
	if (!dpkit_file_capable(file, CAP_SYS_ADMIN))
		return -EPERM;
	ret = dpkit_nic_bind(&b, dpkit_file_lease(df));
	if ((!ret || ret == -EBUSY || ret == -EXDEV) &&
	    copy_to_user(uarg, &b, sizeof(b)))
		return -EFAULT;
	return ret;
}

static long dpkit_ioctl_nic_restore(struct file *file, struct dpkit_file *df,
				    struct dpkit_nic_restore __user *uarg)
{
	struct dpkit_nic_restore r;
	long ret;

	if (copy_from_user(&r, uarg, sizeof(r)))
		return -EFAULT;
	if (!dpkit_file_capable(file, CAP_SYS_ADMIN))
		return -EPERM;
	ret = dpkit_nic_restore(&r, dpkit_file_lease(df));
	if (!ret && copy_to_user(uarg, &r, sizeof(r)))
		return -EFAULT;
	return ret;
}

static long dpkit_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct dpkit_file *df = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case DPKIT_IOC_VERSION:
		return dpkit_ioctl_version(uarg);
	case DPKIT_IOC_LEASE:
		return dpkit_ioctl_lease(file, df, uarg);
	case DPKIT_IOC_LINK_REPORT:
		return dpkit_ioctl_link_report(file, df, uarg);
	case DPKIT_IOC_LINK_WATCH:
		return dpkit_ioctl_link_watch(file, uarg);
	case DPKIT_IOC_NIC_LIST:
		return dpkit_nic_list(uarg);
	case DPKIT_IOC_NIC_BIND:
		return dpkit_ioctl_nic_bind(file, df, uarg);
	case DPKIT_IOC_NIC_RESTORE:
		return dpkit_ioctl_nic_restore(file, df, uarg);
	case DPKIT_IOC_ISOLATE_SET:
		if (!dpkit_file_capable(file, CAP_SYS_ADMIN))
			return -EPERM;
		return dpkit_isolate_set(uarg, dpkit_file_lease(df));
	case DPKIT_IOC_ISOLATE_GET:
		return dpkit_isolate_get(uarg);
	case DPKIT_IOC_ISOLATE_CLEAR:
		if (!dpkit_file_capable(file, CAP_SYS_ADMIN))
			return -EPERM;
		return dpkit_isolate_clear(dpkit_file_lease(df));
	case DPKIT_IOC_IRQ_REPORT:
		return dpkit_irq_report(uarg);
	default:
		return -ENOTTY;
	}
}

/*
 * The page, read-only: the whole mapping at offset 0, shared, never
 * writable or executable, not even through a later mprotect().
 */
static int dpkit_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (vma->vm_pgoff || vma->vm_end - vma->vm_start != dpkit_page.map_size)
		return -EINVAL;
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (vma->vm_flags & (VM_WRITE | VM_EXEC))
		return -EPERM;
	vm_flags_clear(vma, VM_MAYWRITE | VM_MAYEXEC);
	return remap_vmalloc_range(vma, dpkit_page.base, 0);
}

/*
 * read() returns the page's event count (a __u64) once it differs from
 * what this file last read, as uio does: it never queues, so it cannot
 * overflow, and a slow reader just sees a larger jump.
 */
static ssize_t dpkit_read(struct file *file, char __user *buf, size_t count,
			  loff_t *ppos)
{
	struct dpkit_file *df = file->private_data;
	u64 events;
	int ret;

	if (count < sizeof(events))
		return -EINVAL;
	if (file->f_flags & O_NONBLOCK) {
		if (dpkit_links_events(&dpkit_links) == df->events_seen)
			return -EAGAIN;
	} else {
		ret = wait_event_interruptible(dpkit_links.wait,
					       dpkit_links_events(&dpkit_links) !=
					       df->events_seen);
		if (ret)
			return ret;
	}
	events = dpkit_links_events(&dpkit_links);
	if (copy_to_user(buf, &events, sizeof(events)))
		return -EFAULT;
	df->events_seen = events;
	return sizeof(events);
}

static __poll_t dpkit_poll(struct file *file, poll_table *wait)
{
	struct dpkit_file *df = file->private_data;

	poll_wait(file, &dpkit_links.wait, wait);
	if (dpkit_links_events(&dpkit_links) != df->events_seen)
		return EPOLLIN | EPOLLRDNORM;
	return 0;
}

static int dpkit_open(struct inode *inode, struct file *file)
{
	struct dpkit_file *df;

	df = kzalloc(sizeof(*df), GFP_KERNEL);
	if (!df)
		return -ENOMEM;
	df->events_seen = dpkit_links_events(&dpkit_links);
	file->private_data = df;
	return stream_open(inode, file);
}

/* The last reference to the file is gone: end its lease. */
static int dpkit_release(struct inode *inode, struct file *file)
{
	struct dpkit_file *df = file->private_data;

	if (dpkit_file_leased(df)) {
		dpkit_isolate_release(df);
		dpkit_nic_release(df);
		dpkit_link_release_lease(&dpkit_links, df);
	}
	kfree(df);
	return 0;
}

static const struct file_operations dpkit_fops = {
	.owner		= THIS_MODULE,
	.open		= dpkit_open,
	.release	= dpkit_release,
	.read		= dpkit_read,
	.poll		= dpkit_poll,
	.mmap		= dpkit_mmap,
	.unlocked_ioctl	= dpkit_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	/* No .llseek: stream_open() makes lseek() fail with ESPIPE. */
};

static struct miscdevice dpkit_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= DPKIT_DEVICE_NAME,
	.fops	= &dpkit_fops,
	.mode	= 0600,
};

#ifdef DPKIT_TEST_HOOKS
/*
 * Test builds only (Kbuild: the KUnit build, or DPKIT_TEST_HOOKS=1):
 * windows that a VM test can race, each closed unless its parameter is set
 * (tests/vm/08-kernel-regressions.sh).
 */
static unsigned int test_init_delay_ms;
module_param(test_init_delay_ms, uint, 0444);
MODULE_PARM_DESC(test_init_delay_ms,
		 "test builds: sleep after genetlink registration");

unsigned int dpkit_test_slot_write_us;
module_param_named(test_slot_write_us, dpkit_test_slot_write_us, uint, 0644);
MODULE_PARM_DESC(test_slot_write_us,
		 "test builds: busy-wait inside each link slot's write section");

static void dpkit_test_init_delay(void)
{
	if (test_init_delay_ms)
		msleep(test_init_delay_ms);
}
#else
static void dpkit_test_init_delay(void)
{
}
#endif

/*
 * The generic netlink family is registered last and unregistered first: a
 * dump may arrive the moment it is visible, and reads the link table.
 */
static int __init dpkit_init(void)
{
	int ret;

	ret = dpkit_page_init(&dpkit_page, DPKIT_V1_NR_SLOTS);
	if (ret)
		return ret;

	ret = dpkit_link_start(&dpkit_page);
	if (ret)
		goto err_free_page;

	ret = dpkit_isolate_init();
	if (ret)
		goto err_stop_link;

	ret = misc_register(&dpkit_misc);
	if (ret)
		goto err_exit_isolate;

	ret = dpkit_genl_init();
	if (ret)
		goto err_deregister_misc;
	dpkit_test_init_delay();

	pr_info("loaded, ABI %u, /dev/%s\n", DPKIT_ABI_VERSION,
		DPKIT_DEVICE_NAME);
	return 0;

err_deregister_misc:
	misc_deregister(&dpkit_misc);
err_exit_isolate:
	dpkit_isolate_exit();
err_stop_link:
	dpkit_link_stop();
err_free_page:
	dpkit_page_fini(&dpkit_page);
	return ret;
}

/*
 * Every open file, and so every mapping of the page, holds a reference to
 * the module (dpkit_fops.owner): rmmod cannot run until they are all gone,
 * and so no lease is left, only what their ends queued.
 */
static void __exit dpkit_exit(void)
{
	dpkit_genl_exit();
	misc_deregister(&dpkit_misc);
	dpkit_isolate_exit();
	dpkit_nic_exit();
	dpkit_link_stop();
	dpkit_page_fini(&dpkit_page);
	pr_info("unloaded\n");
}

module_init(dpkit_init);
module_exit(dpkit_exit);

MODULE_DESCRIPTION("dpkit: core isolation, NIC ownership and link state for DPDK");
MODULE_AUTHOR("The dpkit developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(DPKIT_RELEASE);
