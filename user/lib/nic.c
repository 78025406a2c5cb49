/* SPDX-License-Identifier: BSD-3-Clause */
/* NIC ownership: list, bind, restore (DPKIT_IOC_NIC_*). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "libdpkit.h"
#include "priv.h"

int dpkit_nic_list(struct dpkit *dk, struct dpkit_nic **out, unsigned int *count)
{
	struct dpkit_nic_list *l = NULL;
	unsigned int room = 16;
	void *p;

	for (;;) {
		p = realloc(l, sizeof(*l) + room * sizeof(struct dpkit_nic));
		if (!p) {
			free(l);
			return dpkit_fail(ENOMEM, "out of memory");
		}
		l = p;
		memset(l, 0, sizeof(*l));
		l->count = room;
		l->entry_size = sizeof(struct dpkit_nic);
		if (ioctl(dpkit_fd(dk), DPKIT_IOC_NIC_LIST, l) < 0) {
			free(l);
			return dpkit_fail(errno, "listing NICs: %s", strerror(errno));
		}
		if (!(l->flags & DPKIT_NIC_LIST_F_TRUNCATED))
			break;
		room = l->total + 8;	/* devices may appear meanwhile */
	}
	*count = l->count;
	*out = malloc(l->count * sizeof(struct dpkit_nic) + 1);
	if (!*out) {
		free(l);
		return dpkit_fail(ENOMEM, "out of memory");
	}
	memcpy(*out, l->nics, l->count * sizeof(struct dpkit_nic));
	free(l);
	return 0;
}

static int copy_name(char *dst, size_t size, const char *src, const char *what)
{
	if (strlen(src) >= size)
		return dpkit_fail(EINVAL, "%s '%s' is too long", what, src);
	strcpy(dst, src);
	return 0;
}

int dpkit_nic_bind(struct dpkit *dk, const char *bdf, const char *driver,
		   unsigned int flags, struct dpkit_nic_bind *res)
{
	const char *target = driver && *driver ? driver : "vfio-pci";
	struct dpkit_nic_bind b = { .flags = flags };
	int ret;

	ret = copy_name(b.bdf, sizeof(b.bdf), bdf, "PCI address");
	if (!ret)
		ret = copy_name(b.driver, sizeof(b.driver), target, "driver name");
	if (ret)
		return ret;
	if (ioctl(dpkit_fd(dk), DPKIT_IOC_NIC_BIND, &b) == 0) {
		if (res)
			*res = b;
		return 0;
	}
	ret = errno;
	if (res)
		*res = b;
	switch (ret) {
	case ENODEV:
		return dpkit_fail(ret, "%s: no such PCI device", bdf);
	case EINVAL:
		return dpkit_fail(ret, "%s: cannot bind to '%s': not a network "
				  "device or DLB, a malformed address or driver "
				  "name, or not a driver a NIC may be bound to "
				  "(vfio-pci, uio_pci_generic, pci-stub or its own "
				  "kernel driver)", bdf, target);
	case EBUSY:
		if (flags & DPKIT_BIND_FORCE)
			return dpkit_fail(ret, "%s: bound through a lease that "
					  "another process holds", bdf);
		return dpkit_fail(ret, "%s: its interface is up or has addresses "
				  "(or another process's lease holds it): take it "
				  "down, or use --force", bdf);
	case EXDEV:
		return dpkit_fail(ret, "%s: its IOMMU group also holds %s, bound "
				  "to a kernel driver: bind or unbind that "
				  "device first", bdf, b.conflict);
	case ENXIO:
		return dpkit_fail(ret, "%s: no IOMMU group, and vfio-pci needs "
				  "one (boot with intel_iommu=on or "
				  "amd_iommu=on)", bdf);
	case ENOENT:
		return dpkit_fail(ret, "%s: no PCI driver '%s' (no module of that "
				  "name)", bdf, target);
	case EIO:
		return dpkit_fail(ret, "%s: %s did not take the device; it is back "
				  "on %s (see dmesg)", bdf, target,
				  b.prev_driver[0] ? b.prev_driver : "no driver");
	case EPERM:
		return dpkit_fail(ret, "%s: binding drivers needs CAP_SYS_ADMIN",
				  bdf);
	default:
		return dpkit_fail(ret, "%s: bind to %s failed: %s", bdf, target,
				  strerror(ret));
	}
}

int dpkit_nic_restore(struct dpkit *dk, const char *bdf,
		      char driver[DPKIT_DRIVER_LEN])
{
	struct dpkit_nic_restore r = { 0 };
	int ret;

	ret = copy_name(r.bdf, sizeof(r.bdf), bdf, "PCI address");
	if (ret)
		return ret;
	if (ioctl(dpkit_fd(dk), DPKIT_IOC_NIC_RESTORE, &r) == 0) {
		if (driver)
			memcpy(driver, r.driver, DPKIT_DRIVER_LEN);
		return 0;
	}
	ret = errno;
	switch (ret) {
	case ENODEV:
		return dpkit_fail(ret, "%s: no such PCI device", bdf);
	case EINVAL:
		return dpkit_fail(ret, "%s: not a network device or DLB, or a "
				  "malformed address", bdf);
	case EBUSY:
		return dpkit_fail(ret, "%s: bound through a lease that another "
				  "process holds (dpkitd?): stop it first", bdf);
	case EIO:
		return dpkit_fail(ret, "%s: its driver did not take it back (see "
				  "dmesg)", bdf);
	case EPERM:
		return dpkit_fail(ret, "%s: restoring drivers needs CAP_SYS_ADMIN",
				  bdf);
	default:
		return dpkit_fail(ret, "%s: restore failed: %s", bdf,
				  strerror(ret));
	}
}
