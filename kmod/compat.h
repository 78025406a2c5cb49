/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel API differences, decided by the feature probes in Kbuild (which
 * grep the headers of the kernel being built against), never by version.
 */
#ifndef _DPKIT_COMPAT_H
#define _DPKIT_COMPAT_H

#include <linux/device.h>
#include <linux/irqnr.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/string.h>

#ifndef DPKIT_HAVE_VM_FLAGS_SET
/* vm_flags_clear() arrived in 6.3, when vm_flags became read-only. */
static inline void vm_flags_clear(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags &= ~flags;
}
#endif

/*
 * PCI driver_override: a field of struct pci_dev set with
 * driver_set_override() up to 6.1, in the driver core (set with
 * device_set_driver_override()) where backports moved it. Callers hold no
 * device_lock when setting; dpkit_pci_override() is read under it.
 */
#ifdef DPKIT_HAVE_DEVICE_SET_DRIVER_OVERRIDE
static inline int dpkit_pci_set_override(struct pci_dev *pdev, const char *s)
{
	return device_set_driver_override(&pdev->dev, s);
}

/* The core keeps it private there: report only what dpkit records. */
static inline const char *dpkit_pci_override(struct pci_dev *pdev)
{
	return NULL;
}
#else
static inline int dpkit_pci_set_override(struct pci_dev *pdev, const char *s)
{
	return driver_set_override(&pdev->dev, &pdev->driver_override, s,
				   strlen(s));
}

static inline const char *dpkit_pci_override(struct pci_dev *pdev)
{
	return pdev->driver_override;
}
#endif

/* nr_irqs is no longer exported from 6.13: irq_get_nr_irqs() replaces it. */
#ifdef DPKIT_HAVE_IRQ_GET_NR_IRQS
#define dpkit_nr_irqs()	irq_get_nr_irqs()
#else
#define dpkit_nr_irqs()	((unsigned int)nr_irqs)
#endif

#endif /* _DPKIT_COMPAT_H */
