/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel API differences, decided by the feature probes in Kbuild (which
 * compile a snippet against the kernel being built for), never by version.
 */
#ifndef _DPKIT_COMPAT_H
#define _DPKIT_COMPAT_H

#include <linux/device.h>
#include <linux/irqnr.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/string.h>
#include <net/genetlink.h>

#ifndef DPKIT_HAVE_VM_FLAGS_SET
/* vm_flags_clear() arrived in 6.3, when vm_flags became read-only. */
static inline void vm_flags_clear(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags &= ~flags;
}
#endif

/*
 * PCI driver_override: a field of struct pci_dev set with
 * driver_set_override() and guarded by the device lock up to 6.1, in the
 * driver core (set with device_set_driver_override(), guarded by its own
 * spinlock) where backports moved it. Callers hold no device_lock when
 * setting; dpkit_pci_override() copies it out, device_lock held.
 */
#ifdef DPKIT_HAVE_DEVICE_SET_DRIVER_OVERRIDE
static inline int dpkit_pci_set_override(struct pci_dev *pdev, const char *s)
{
	return device_set_driver_override(&pdev->dev, s);
}

static inline bool dpkit_pci_override(struct pci_dev *pdev, char *buf,
				      size_t size)
{
	bool set;

	spin_lock(&pdev->dev.driver_override.lock);
	set = pdev->dev.driver_override.name;
	strscpy(buf, set ? pdev->dev.driver_override.name : "", size);
	spin_unlock(&pdev->dev.driver_override.lock);
	return set;
}
#else
static inline int dpkit_pci_set_override(struct pci_dev *pdev, const char *s)
{
	return driver_set_override(&pdev->dev, &pdev->driver_override, s,
				   strlen(s));
}

static inline bool dpkit_pci_override(struct pci_dev *pdev, char *buf,
				      size_t size)
{
	strscpy(buf, pdev->driver_override ?: "", size);
	return pdev->driver_override;
}
#endif

/* nr_irqs is no longer exported from 6.13: irq_get_nr_irqs() replaces it. */
#ifdef DPKIT_HAVE_IRQ_GET_NR_IRQS
#define dpkit_nr_irqs()	irq_get_nr_irqs()
#else
#define dpkit_nr_irqs()	((unsigned int)nr_irqs)
#endif

/* A dump request's attributes: in a struct genl_info where it exists. */
static inline struct nlattr *const *
dpkit_genl_dump_attrs(struct netlink_callback *cb)
{
#ifdef DPKIT_HAVE_GENL_INFO_DUMP
	return genl_info_dump(cb)->attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

/* The KUnit suites import the namespace of EXPORT_SYMBOL_IF_KUNIT(). */
#ifdef DPKIT_HAVE_IMPORT_NS_IDENT
#define DPKIT_IMPORT_KUNIT_NS()	MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING)
#else
#define DPKIT_IMPORT_KUNIT_NS()	MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING")
#endif

#endif /* _DPKIT_COMPAT_H */
