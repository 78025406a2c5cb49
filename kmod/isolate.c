// SPDX-License-Identifier: GPL-2.0
/*
 * Core isolation: steer every movable IRQ off the isolated CPUs, keep new
 * ones off, report what could not move, and put everything back.
 *
 * Movable means: not per-CPU, balanceable, and not kernel-managed.
 * irq_set_affinity() moves a managed IRQ without complaint (where the
 * /proc/irq interface refuses with EIO), so the filter lives here, in
 * dpkit_irq_unmovable_reason().
 *
 * New IRQs start on the kernel's default affinity, which a module cannot
 * change: userspace writes /proc/irq/default_smp_affinity. This file
 * re-steers after the events that allocate IRQs (a netdev registering or
 * coming up, a PCI driver binding, a CPU coming online), from a work item
 * run on a housekeeping CPU, never inline in the notifier.
 *
 * An IRQ number is not an identity: a NIC rebound to vfio-pci frees its
 * vectors and another device's (perhaps managed) IRQ may get the numbers.
 * What dpkit saved for an IRQ is put back only to that same IRQ (same
 * descriptor, chip data, MSI descriptor and hardware number), if it is
 * still movable and still where dpkit put it.
 *
 * An IRQ born while isolating (a NIC rebound, a driver loaded) starts on the
 * default affinity userspace narrowed, never touching the isolated CPUs, so
 * dpkit has nothing of its own to put back. It would keep the narrow mask
 * after the isolation ends: a clear puts such an IRQ, if still untouched, on
 * the default affinity the isolation began with (dpkit_iso_home). To tell
 * them apart, the first pass of an isolation records every movable IRQ it
 * sees.
 *
 * dpkit_iso_lock guards all state; it is never taken in a notifier.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/cpumask.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/irqdesc.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/pci.h>
#include <linux/sched/isolation.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <kunit/visibility.h>

#include "compat.h"
#include "internal.h"

/* A sanity bound on the user's mask: far above any NR_CPUS. */
#define DPKIT_CPUMASK_MAX_BITS	65536
#define DPKIT_IRQ_REPORT_MAX	4096

static DEFINE_MUTEX(dpkit_iso_lock);
static cpumask_var_t dpkit_isolated;	/* empty: not isolating */
static cpumask_var_t dpkit_tmp;
static cpumask_var_t dpkit_iso_home;	/* new IRQs' affinity before isolating */
static const void *dpkit_iso_lease;
static DEFINE_XARRAY(dpkit_irq_saved);	/* irq -> struct dpkit_irq_saved */
static struct dpkit_irq_entry *dpkit_unmovable;
static u32 dpkit_nr_unmovable, dpkit_nr_moved;
static int dpkit_cpuhp_state = -1;

/* What dpkit_irq_saved records of an IRQ. */
enum dpkit_irq_kind {
	DPKIT_IRQ_SEEN,		/* there before the isolation, off its CPUs */
	DPKIT_IRQ_MOVED,	/* dpkit moved it: restore the original */
	DPKIT_IRQ_BORN,		/* requested since, off its CPUs: restore home */
};

/* An IRQ's original affinity, what dpkit set, and who the IRQ was. */
struct dpkit_irq_saved {
	struct dpkit_irq_id id;
	enum dpkit_irq_kind kind;
	unsigned long masks[];	/* original, then steered: cpumask_size() each */
};

static struct cpumask *dpkit_saved_orig(struct dpkit_irq_saved *s)
{
	return (struct cpumask *)s->masks;
}

static struct cpumask *dpkit_saved_steered(struct dpkit_irq_saved *s)
{
	return (struct cpumask *)((char *)s->masks + cpumask_size());
}

/* ---- pure helpers (KUnit) -------------------------------------------- */

/*
 * Whether an IRQ's saved affinity may be put back: it is the IRQ dpkit
 * moved (@now matches @saved), it may move (@reason 0), and nobody changed
 * its affinity since (@untouched).
 */
bool dpkit_irq_restorable(const struct dpkit_irq_id *saved,
			  const struct dpkit_irq_id *now, u32 reason,
			  bool untouched)
{
	return !memcmp(saved, now, sizeof(*saved)) && !reason && untouched;
}
EXPORT_SYMBOL_IF_KUNIT(dpkit_irq_restorable);

/* Why an IRQ must stay where it is (DPKIT_IRQ_*), or 0 when it may move. */
u32 dpkit_irq_unmovable_reason(bool per_cpu, bool managed, bool can_balance)
{
	if (per_cpu)
		return DPKIT_IRQ_PER_CPU;
	if (managed)
		return DPKIT_IRQ_MANAGED;
	if (!can_balance)
		return DPKIT_IRQ_NO_BALANCE;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(dpkit_irq_unmovable_reason);

/*
 * The user's bitmap (@nr_bits bits in 64-bit words) into @out: no bit at or
 * over @nr_bits, none for a CPU id at or over @nr_cpus.
 */
int dpkit_cpumask_from_words(const u64 *words, u32 nr_bits, u32 nr_cpus,
			     struct cpumask *out)
{
	u32 bit;

	cpumask_clear(out);
	if (nr_bits % 64 && words[nr_bits / 64] >> (nr_bits % 64))
		return -EINVAL;
	for (bit = 0; bit < nr_bits; bit++) {
		if (!(words[bit / 64] & BIT_ULL(bit % 64)))
			continue;
		if (bit >= nr_cpus)
			return -EINVAL;
		cpumask_set_cpu(bit, out);
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(dpkit_cpumask_from_words);

/* A set to isolate: not empty, online CPUs only, one housekeeping CPU left. */
int dpkit_isolate_check(const struct cpumask *want, const struct cpumask *online)
{
	if (cpumask_empty(want) || !cpumask_subset(want, online))
		return -EINVAL;
	if (cpumask_subset(online, want))
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(dpkit_isolate_check);

/* ---- steering ----------------------------------------------------------- */

static void dpkit_unmovable_add(unsigned int irq, u32 reason, int err)
{
	struct dpkit_irq_entry *e;

	/* Counted beyond what the report holds: IRQ_REPORT's total says so. */
	if (dpkit_nr_unmovable++ >= DPKIT_IRQ_REPORT_MAX)
		return;
	e = &dpkit_unmovable[dpkit_nr_unmovable - 1];
	e->irq = irq;
	e->reason = reason;
	e->error = err;
	e->reserved = 0;
}

/*
 * The affinity last asked for: an IRQ that can only move from its own
 * interrupt context (an IO-APIC line without remapping, on some kernels
 * more) keeps the new mask pending until it next fires, as /proc/irq shows.
 */
static const struct cpumask *dpkit_irq_requested_mask(struct irq_data *d)
{
#ifdef CONFIG_GENERIC_PENDING_IRQ
	if (irqd_is_setaffinity_pending(d))
		return irq_data_to_desc(d)->pending_mask;
#endif
	return irq_data_get_affinity_mask(d);
}

/*
 * Inspect @irq under RCU (IRQ descriptors are freed after a grace period):
 * who it is (@id), its affinity (@aff) and its reason to stay (or 0), or
 * -ENOENT when it has no handler.
 */
static int dpkit_irq_inspect(unsigned int irq, struct dpkit_irq_id *id,
			     struct cpumask *aff)
{
	const struct cpumask *cur;
	struct irq_data *d;
	int ret = -ENOENT;

	rcu_read_lock();
	d = irq_get_irq_data(irq);
	if (!d || !irq_has_action(irq))
		goto out;
	cur = dpkit_irq_requested_mask(d);
	if (!cur)
		goto out;
	memset(id, 0, sizeof(*id));
	id->desc = irq_data_to_desc(d);
	id->chip_data = irq_data_get_irq_chip_data(d);
	id->msi_desc = irq_data_get_msi_desc(d);
	id->hwirq = irqd_to_hwirq(d);
	cpumask_copy(aff, cur);
	ret = dpkit_irq_unmovable_reason(irqd_is_per_cpu(d),
					 irqd_affinity_is_managed(d),
					 irqd_can_balance(d));
out:
	rcu_read_unlock();
	return ret;
}

/*
 * The affinity a newly requested IRQ gets: the kernel's default, which it
 * does not export but gives every new descriptor (desc_smp_init()).
 */
static int dpkit_irq_default_affinity(struct cpumask *out)
{
	const struct cpumask *m;
	int irq;

	irq = irq_alloc_desc(NUMA_NO_NODE);
	if (irq < 0)
		return irq;
	m = irq_get_affinity_mask(irq);
	if (m)
		cpumask_copy(out, m);
	irq_free_desc(irq);
	return m ? 0 : -ENOENT;
}

/* Record @irq (@id, affinity @aff) as @kind; NULL when out of memory. */
static struct dpkit_irq_saved *dpkit_irq_record(unsigned int irq,
						const struct dpkit_irq_id *id,
						const struct cpumask *aff,
						enum dpkit_irq_kind kind)
{
	struct dpkit_irq_saved *saved;

	saved = kmalloc(sizeof(*saved) + 2 * cpumask_size(), GFP_KERNEL);
	if (!saved || xa_err(xa_store(&dpkit_irq_saved, irq, saved, GFP_KERNEL))) {
		kfree(saved);
		return NULL;
	}
	saved->id = *id;
	saved->kind = kind;
	cpumask_copy(dpkit_saved_orig(saved), aff);
	cpumask_copy(dpkit_saved_steered(saved), aff);
	return saved;
}

/*
 * Move every movable IRQ off the isolated set; rebuild the report. @first:
 * the isolation's first pass, which records the IRQs already there.
 */
static void dpkit_isolate_steer(bool first)
{
	struct dpkit_irq_saved *saved;
	const struct cpumask *hk;
	struct dpkit_irq_id id;
	unsigned int irq;
	int why, err;

	lockdep_assert_held(&dpkit_iso_lock);
	dpkit_nr_unmovable = 0;
	if (cpumask_empty(dpkit_isolated))
		return;
	for (irq = 0; irq < dpkit_nr_irqs(); irq++) {
		why = dpkit_irq_inspect(irq, &id, dpkit_tmp);
		if (why == -ENOENT)
			continue;
		saved = xa_load(&dpkit_irq_saved, irq);
		if (saved && memcmp(&saved->id, &id, sizeof(id))) {
			/* Another IRQ under a reused number: forget the old one. */
			xa_erase(&dpkit_irq_saved, irq);
			kfree(saved);
			saved = NULL;
		}
		if (!cpumask_intersects(dpkit_tmp, dpkit_isolated)) {
			if (!why && !saved)
				dpkit_irq_record(irq, &id, dpkit_tmp, first ?
						 DPKIT_IRQ_SEEN : DPKIT_IRQ_BORN);
			continue;
		}
		if (why) {
			dpkit_unmovable_add(irq, why, 0);
			continue;
		}
		if (!saved) {
			saved = dpkit_irq_record(irq, &id, dpkit_tmp,
						 DPKIT_IRQ_MOVED);
			if (!saved) {
				dpkit_unmovable_add(irq, DPKIT_IRQ_ERROR, -ENOMEM);
				continue;
			}
		} else if (saved->kind != DPKIT_IRQ_MOVED) {
			/* Moved onto the set since: back to where it was. */
			saved->kind = DPKIT_IRQ_MOVED;
		}
		cpumask_andnot(dpkit_tmp, dpkit_tmp, dpkit_isolated);
		if (cpumask_empty(dpkit_tmp)) {
			hk = housekeeping_cpumask(HK_TYPE_MANAGED_IRQ);
			cpumask_andnot(dpkit_tmp, cpu_online_mask, dpkit_isolated);
			if (cpumask_intersects(dpkit_tmp, hk))
				cpumask_and(dpkit_tmp, dpkit_tmp, hk);
		}
		err = irq_set_affinity(irq, dpkit_tmp);
		if (err) {
			dpkit_unmovable_add(irq, DPKIT_IRQ_ERROR, err);
		} else {
			cpumask_copy(dpkit_saved_steered(saved), dpkit_tmp);
			dpkit_nr_moved++;
		}
	}
}

/*
 * Put every IRQ dpkit moved back where it was, and every IRQ born while
 * isolating on the home affinity: only the same IRQ, still movable, still
 * where dpkit left or found it (see the top of this file).
 */
static void dpkit_isolate_restore(void)
{
	struct dpkit_irq_saved *saved;
	const struct cpumask *to;
	struct dpkit_irq_id now;
	u32 n = 0, stale = 0;
	unsigned long irq;
	bool untouched;
	int why;

	lockdep_assert_held(&dpkit_iso_lock);
	xa_for_each(&dpkit_irq_saved, irq, saved) {
		to = saved->kind == DPKIT_IRQ_BORN ? dpkit_iso_home :
						     dpkit_saved_orig(saved);
		why = dpkit_irq_inspect(irq, &now, dpkit_tmp);
		untouched = cpumask_equal(dpkit_tmp, dpkit_saved_steered(saved));
		if (saved->kind == DPKIT_IRQ_SEEN ||
		    (saved->kind == DPKIT_IRQ_BORN &&
		     (cpumask_empty(to) || cpumask_equal(to, dpkit_tmp))))
			; /* nothing of dpkit's to put back */
		else if (why != -ENOENT &&
			 dpkit_irq_restorable(&saved->id, &now, why, untouched) &&
			 !irq_set_affinity(irq, to))
			n++;
		else
			stale++;
		xa_erase(&dpkit_irq_saved, irq);
		kfree(saved);
	}
	if (!cpumask_empty(dpkit_isolated))
		pr_info("isolation of CPUs %*pbl cleared, %u IRQ affinities restored, %u left (freed, reused or changed since)\n",
			cpumask_pr_args(dpkit_isolated), n, stale);
	cpumask_clear(dpkit_isolated);
	dpkit_iso_lease = NULL;
	dpkit_nr_moved = 0;
	dpkit_nr_unmovable = 0;
}

/* ---- keeping new IRQs off ------------------------------------------------ */

static void dpkit_isolate_work_fn(struct work_struct *work)
{
	mutex_lock(&dpkit_iso_lock);
	dpkit_isolate_steer(false);
	mutex_unlock(&dpkit_iso_lock);
}

static DECLARE_WORK(dpkit_isolate_work, dpkit_isolate_work_fn);

/* Run the steering pass soon, on a CPU that is not isolated. */
static void dpkit_isolate_kick(void)
{
	unsigned int cpu;

	/* Racy reads: a stale answer costs one pass or one event's delay. */
	if (cpumask_empty(dpkit_isolated))
		return;
	for_each_online_cpu(cpu)
		if (!cpumask_test_cpu(cpu, dpkit_isolated))
			break;
	if (cpu >= nr_cpu_ids)
		cpu = raw_smp_processor_id();
	queue_work_on(cpu, system_wq, &dpkit_isolate_work);
}

static int dpkit_iso_netdev_event(struct notifier_block *nb,
				  unsigned long event, void *ptr)
{
	if (event == NETDEV_REGISTER || event == NETDEV_UP)
		dpkit_isolate_kick();
	return NOTIFY_DONE;
}

static struct notifier_block dpkit_iso_netdev_nb = {
	.notifier_call = dpkit_iso_netdev_event,
};

static int dpkit_iso_pci_event(struct notifier_block *nb, unsigned long event,
			       void *data)
{
	if (event == BUS_NOTIFY_BOUND_DRIVER)
		dpkit_isolate_kick();
	return NOTIFY_DONE;
}

static struct notifier_block dpkit_iso_pci_nb = {
	.notifier_call = dpkit_iso_pci_event,
};

static int dpkit_iso_cpu_online(unsigned int cpu)
{
	dpkit_isolate_kick();
	return 0;
}

/* ---- ioctls --------------------------------------------------------------- */

/*
 * Who may change or clear the isolation: anyone when there is none, else
 * only its owner (the lease that set it, or the admin without a lease). A
 * lease may not take over an admin's isolation: its end would undo what it
 * did not do.
 */
static bool dpkit_isolate_owned_by(const void *lease)
{
	lockdep_assert_held(&dpkit_iso_lock);
	return cpumask_empty(dpkit_isolated) || dpkit_iso_lease == lease;
}

long dpkit_isolate_set(struct dpkit_cpumask __user *uarg, const void *lease)
{
	struct dpkit_cpumask hdr;
	cpumask_var_t want;
	bool first, fresh;
	u64 *words;
	long ret;

	if (copy_from_user(&hdr, uarg, sizeof(hdr)))
		return -EFAULT;
	if (hdr.flags || hdr.which || hdr.reserved || !hdr.nr_bits ||
	    hdr.nr_bits > DPKIT_CPUMASK_MAX_BITS)
		return -EINVAL;
	words = memdup_user(uarg->mask, DIV_ROUND_UP(hdr.nr_bits, 64) * sizeof(u64));
	if (IS_ERR(words))
		return PTR_ERR(words);
	if (!zalloc_cpumask_var(&want, GFP_KERNEL)) {
		ret = -ENOMEM;
		goto out_free_words;
	}
	ret = dpkit_cpumask_from_words(words, hdr.nr_bits, nr_cpu_ids, want);
	if (ret)
		goto out_free_mask;

	cpus_read_lock();
	mutex_lock(&dpkit_iso_lock);
	ret = dpkit_isolate_check(want, cpu_online_mask);
	if (ret)
		goto out_unlock;
	if (!dpkit_isolate_owned_by(lease)) {
		ret = -EBUSY;
		goto out_unlock;
	}
	/* A new set: start from the original affinities. */
	first = !cpumask_equal(want, dpkit_isolated);
	if (first) {
		fresh = cpumask_empty(dpkit_isolated);
		dpkit_isolate_restore();
		/* Before userspace narrows it (dpkitctl, dpkitd: ioctl first). */
		if (fresh && dpkit_irq_default_affinity(dpkit_iso_home)) {
			cpumask_clear(dpkit_iso_home);
			pr_warn("the default IRQ affinity cannot be read: IRQs requested while isolating will keep theirs\n");
		}
	}
	cpumask_copy(dpkit_isolated, want);
	dpkit_iso_lease = lease;
	dpkit_nr_moved = 0;
	dpkit_isolate_steer(first);
	pr_info("isolating CPUs %*pbl: %u IRQs moved, %u left (see the report)\n",
		cpumask_pr_args(dpkit_isolated), dpkit_nr_moved,
		dpkit_nr_unmovable);
	hdr.nr_moved = dpkit_nr_moved;
	hdr.nr_unmovable = dpkit_nr_unmovable;
out_unlock:
	mutex_unlock(&dpkit_iso_lock);
	cpus_read_unlock();
	if (!ret && copy_to_user(uarg, &hdr, sizeof(hdr)))
		ret = -EFAULT;
out_free_mask:
	free_cpumask_var(want);
out_free_words:
	kfree(words);
	return ret;
}

/* The mask GET reports: dpkit's, or the kernel's nohz_full / managed_irq. */
static void dpkit_isolate_mask(u32 which, struct cpumask *out)
{
	enum hk_type type = which == DPKIT_MASK_NOHZ_FULL ? HK_TYPE_TICK :
							     HK_TYPE_MANAGED_IRQ;

	if (which == DPKIT_MASK_ISOLATED) {
		cpumask_copy(out, dpkit_isolated);
		return;
	}
	cpumask_clear(out);
	if (housekeeping_enabled(type))
		cpumask_andnot(out, cpu_possible_mask, housekeeping_cpumask(type));
}

long dpkit_isolate_get(struct dpkit_cpumask __user *uarg)
{
	struct dpkit_cpumask hdr;
	u32 nwords, cpu;
	u64 *words;
	long ret = 0;

	if (copy_from_user(&hdr, uarg, sizeof(hdr)))
		return -EFAULT;
	if (hdr.flags || hdr.reserved || hdr.which > DPKIT_MASK_MAX ||
	    hdr.nr_bits > DPKIT_CPUMASK_MAX_BITS)
		return -EINVAL;
	if (hdr.nr_bits < nr_cpu_ids) {
		/* Too small: say how many bits it takes. */
		hdr.nr_bits = nr_cpu_ids;
		return copy_to_user(uarg, &hdr, sizeof(hdr)) ? -EFAULT : -EOVERFLOW;
	}
	nwords = DIV_ROUND_UP(hdr.nr_bits, 64);
	words = kcalloc(nwords, sizeof(u64), GFP_KERNEL);
	if (!words)
		return -ENOMEM;

	mutex_lock(&dpkit_iso_lock);
	dpkit_isolate_mask(hdr.which, dpkit_tmp);
	for_each_cpu(cpu, dpkit_tmp)
		words[cpu / 64] |= BIT_ULL(cpu % 64);
	hdr.nr_bits = nr_cpu_ids;
	hdr.nr_moved = dpkit_nr_moved;
	hdr.nr_unmovable = dpkit_nr_unmovable;
	mutex_unlock(&dpkit_iso_lock);

	if (copy_to_user(uarg->mask, words, nwords * sizeof(u64)) ||
	    copy_to_user(uarg, &hdr, sizeof(hdr)))
		ret = -EFAULT;
	kfree(words);
	return ret;
}

long dpkit_isolate_clear(const void *lease)
{
	long ret = 0;

	mutex_lock(&dpkit_iso_lock);
	if (!dpkit_isolate_owned_by(lease))
		ret = -EBUSY;
	else
		dpkit_isolate_restore();
	mutex_unlock(&dpkit_iso_lock);
	return ret;
}

/* Copied into a kernel buffer under the lock, out to userspace after it. */
long dpkit_irq_report(struct dpkit_irq_report __user *uarg)
{
	struct dpkit_irq_report hdr;
	struct dpkit_irq_entry *irqs;
	long ret = 0;
	u32 n;

	if (copy_from_user(&hdr, uarg, sizeof(hdr)))
		return -EFAULT;
	if (hdr.flags || hdr.entry_size != sizeof(struct dpkit_irq_entry) ||
	    hdr.count > DPKIT_IRQ_REPORT_MAX)
		return -EINVAL;
	irqs = kvcalloc(max(hdr.count, 1U), sizeof(*irqs), GFP_KERNEL);
	if (!irqs)
		return -ENOMEM;
	mutex_lock(&dpkit_iso_lock);
	n = min3(hdr.count, dpkit_nr_unmovable, (u32)DPKIT_IRQ_REPORT_MAX);
	memcpy(irqs, dpkit_unmovable, n * sizeof(*irqs));
	hdr.count = n;
	hdr.total = dpkit_nr_unmovable;
	mutex_unlock(&dpkit_iso_lock);
	if (copy_to_user(uarg->irqs, irqs, n * sizeof(*irqs)) ||
	    copy_to_user(uarg, &hdr, sizeof(hdr)))
		ret = -EFAULT;
	kvfree(irqs);
	return ret;
}

/* The end of a lease that set the isolation. */
void dpkit_isolate_release(const void *lease)
{
	mutex_lock(&dpkit_iso_lock);
	if (dpkit_iso_lease == lease)
		dpkit_isolate_restore();
	mutex_unlock(&dpkit_iso_lock);
}

int dpkit_isolate_init(void)
{
	int ret;

	if (!zalloc_cpumask_var(&dpkit_isolated, GFP_KERNEL))
		return -ENOMEM;
	if (!zalloc_cpumask_var(&dpkit_tmp, GFP_KERNEL)) {
		ret = -ENOMEM;
		goto err_free_isolated;
	}
	if (!zalloc_cpumask_var(&dpkit_iso_home, GFP_KERNEL)) {
		ret = -ENOMEM;
		goto err_free_tmp;
	}
	dpkit_unmovable = kcalloc(DPKIT_IRQ_REPORT_MAX, sizeof(*dpkit_unmovable),
				  GFP_KERNEL);
	if (!dpkit_unmovable) {
		ret = -ENOMEM;
		goto err_free_home;
	}
	ret = register_netdevice_notifier(&dpkit_iso_netdev_nb);
	if (ret)
		goto err_free_report;
	ret = bus_register_notifier(&pci_bus_type, &dpkit_iso_pci_nb);
	if (ret)
		goto err_unregister_netdev;
	ret = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN, "dpkit:online",
					dpkit_iso_cpu_online, NULL);
	if (ret < 0)
		goto err_unregister_pci;
	dpkit_cpuhp_state = ret;
	return 0;

err_unregister_pci:
	bus_unregister_notifier(&pci_bus_type, &dpkit_iso_pci_nb);
err_unregister_netdev:
	unregister_netdevice_notifier(&dpkit_iso_netdev_nb);
err_free_report:
	kfree(dpkit_unmovable);
err_free_home:
	free_cpumask_var(dpkit_iso_home);
err_free_tmp:
	free_cpumask_var(dpkit_tmp);
err_free_isolated:
	free_cpumask_var(dpkit_isolated);
	return ret;
}

/* Unload: no more kicks, no work in flight, everything restored. */
void dpkit_isolate_exit(void)
{
	cpuhp_remove_state_nocalls(dpkit_cpuhp_state);
	bus_unregister_notifier(&pci_bus_type, &dpkit_iso_pci_nb);
	unregister_netdevice_notifier(&dpkit_iso_netdev_nb);
	cancel_work_sync(&dpkit_isolate_work);
	mutex_lock(&dpkit_iso_lock);
	dpkit_isolate_restore();
	mutex_unlock(&dpkit_iso_lock);
	kfree(dpkit_unmovable);
	free_cpumask_var(dpkit_iso_home);
	free_cpumask_var(dpkit_tmp);
	free_cpumask_var(dpkit_isolated);
}
