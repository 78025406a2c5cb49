// SPDX-License-Identifier: GPL-2.0
/*
 * dpkit.ko: kernel support for a DPDK dataplane.
 *
 * This file owns the misc device /dev/dpkit and the ioctl dispatch. Each
 * ioctl handler copies its argument in, validates every field (reserved
 * fields and unknown flags must be zero), acts, and copies the result out.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "internal.h"

static struct dpkit_page dpkit_page;

static long dpkit_ioctl_version(struct dpkit_version __user *uarg)
{
	struct dpkit_version ver;

	if (copy_from_user(&ver, uarg, sizeof(ver)))
		return -EFAULT;
	if (ver.flags || memchr_inv(ver.reserved, 0, sizeof(ver.reserved)))
		return -EINVAL;

	memset(&ver, 0, sizeof(ver));
	ver.abi_version = DPKIT_ABI_VERSION;
	ver.features = 0;
	ver.map_size = dpkit_page.map_size;
	ver.nr_slots = dpkit_page.nr_slots;
	strscpy(ver.release, DPKIT_RELEASE, sizeof(ver.release));

	if (copy_to_user(uarg, &ver, sizeof(ver)))
		return -EFAULT;
	return 0;
}

static long dpkit_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case DPKIT_IOC_VERSION:
		return dpkit_ioctl_version(uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations dpkit_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= dpkit_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice dpkit_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= DPKIT_DEVICE_NAME,
	.fops	= &dpkit_fops,
	.mode	= 0600,
};

static int __init dpkit_init(void)
{
	int ret;

	ret = dpkit_page_init(&dpkit_page, DPKIT_V1_NR_SLOTS);
	if (ret)
		return ret;

	ret = misc_register(&dpkit_misc);
	if (ret)
		goto err_free_page;

	pr_info("loaded, ABI %u, /dev/%s\n", DPKIT_ABI_VERSION,
		DPKIT_DEVICE_NAME);
	return 0;

err_free_page:
	dpkit_page_fini(&dpkit_page);
	return ret;
}

static void __exit dpkit_exit(void)
{
	misc_deregister(&dpkit_misc);
	dpkit_page_fini(&dpkit_page);
	pr_info("unloaded\n");
}

module_init(dpkit_init);
module_exit(dpkit_exit);

MODULE_DESCRIPTION("dpkit: core isolation, NIC ownership and link state for DPDK");
MODULE_AUTHOR("The dpkit developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(DPKIT_RELEASE);
