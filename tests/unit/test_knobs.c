/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The userspace isolation knobs against a fake /proc and /sys
 * (DPKIT_SYSROOT), and the /proc/interrupts parser and delta.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "fake_fs.h"
#include "libdpkit.h"

static char sysroot[] = "/tmp/dpkit-sysroot-XXXXXX";
static char undo[256];

static void put(const char *path, const char *text)
{
	fake_fs_put(sysroot, path, text);
}

static char *get(const char *path)
{
	static char buf[256];
	char full[512];
	FILE *f;

	snprintf(full, sizeof(full), "%s%s", sysroot, path);
	f = fopen(full, "r");
	assert_non_null(f);
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

static int setup(void **state)
{
	(void)state;
	assert_non_null(mkdtemp(sysroot));
	setenv("DPKIT_SYSROOT", sysroot, 1);
	snprintf(undo, sizeof(undo), "%s/run", sysroot);
	mkdir(undo, 0755);	/* /run exists; /run/dpkit is the library's */
	snprintf(undo, sizeof(undo), "%s/run/dpkit/isolate.undo", sysroot);
	put("/proc/irq/default_smp_affinity", "f\n");
	put("/sys/devices/virtual/workqueue/cpumask", "f\n");
	put("/proc/cmdline", "BOOT_IMAGE=/vmlinuz root=/dev/vda nohz_full=2-3 quiet\n");
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", sysroot);
	return system(cmd);
}

static void apply_then_undo(void **state)
{
	uint64_t iso[1] = { 0xc };	/* CPUs 2-3 of 4 */
	char report[1024];

	(void)state;
	assert_int_equal(dpkit_knobs_apply(iso, 4, undo, report, sizeof(report)), 0);
	assert_string_equal(get("/proc/irq/default_smp_affinity"), "00000003");
	assert_string_equal(get("/sys/devices/virtual/workqueue/cpumask"), "00000003");
	assert_non_null(strstr(report, "(was f)"));
	/* Again, with other CPUs: the first old value is still what returns. */
	iso[0] = 0x8;
	assert_int_equal(dpkit_knobs_apply(iso, 4, undo, report, sizeof(report)), 0);
	assert_string_equal(get("/proc/irq/default_smp_affinity"), "00000007");
	assert_int_equal(dpkit_knobs_undo(undo, report, sizeof(report)), 0);
	assert_string_equal(get("/proc/irq/default_smp_affinity"), "f");
	assert_string_equal(get("/sys/devices/virtual/workqueue/cpumask"), "f");
	assert_int_equal(access(undo, F_OK), -1);
	/* Nothing to undo is fine. */
	assert_int_equal(dpkit_knobs_undo(undo, report, sizeof(report)), 0);
}

static void masks_wider_than_32_cpus(void **state)
{
	uint64_t iso[2] = { 0, 1 };	/* CPU 64 of 72 */
	char report[1024];

	(void)state;
	assert_int_equal(dpkit_knobs_apply(iso, 72, undo, report, sizeof(report)), 0);
	assert_string_equal(get("/proc/irq/default_smp_affinity"),
			    "000000fe,ffffffff,ffffffff");
	assert_int_equal(dpkit_knobs_undo(undo, report, sizeof(report)), 0);
}

static void cmdline(void **state)
{
	char nohz[64], isol[64];

	(void)state;
	assert_int_equal(dpkit_knobs_cmdline(nohz, isol, sizeof(nohz)), 0);
	assert_string_equal(nohz, "2-3");
	assert_string_equal(isol, "");
}

static const char interrupts_before[] =
	"           CPU0       CPU1       CPU2       CPU3       \n"
	"  0:         40          0          0          0  IO-APIC   2-edge      timer\n"
	" 24:        100          5          7          0  PCI-MSI 65536-edge      virtio1-input.0\n"
	" 25:          0          0          3          0  PCI-MSI 65537-edge      nvme0q3\n"
	"LOC:       1000       1000       1000       1000   Local timer interrupts\n"
	"ERR:          0\n";

static const char interrupts_after[] =
	"           CPU0       CPU1       CPU2       CPU3       \n"
	"  0:         41          0          0          0  IO-APIC   2-edge      timer\n"
	" 24:        150          5          7          0  PCI-MSI 65536-edge      virtio1-input.0\n"
	" 25:          0          0          9          0  PCI-MSI 65537-edge      nvme0q3\n"
	" 26:          0          0          0          2  PCI-MSI 65538-edge      new\n"
	"LOC:       1100       1100       1250       1000   Local timer interrupts\n"
	"ERR:          0\n";

struct seen {
	char ids[8][16];
	int cpus[8];
	unsigned long long deltas[8];
	int n;
};

static void note(const struct dpkit_irq_row *row, int cpu,
		 unsigned long long delta, void *arg)
{
	struct seen *s = arg;

	snprintf(s->ids[s->n], sizeof(s->ids[0]), "%s", row->id);
	s->cpus[s->n] = cpu;
	s->deltas[s->n++] = delta;
}

static void interrupts_parse_and_delta(void **state)
{
	struct dpkit_irq_sample a, b;
	uint64_t iso[1] = { 0xc };
	struct seen s = { 0 };

	(void)state;
	assert_int_equal(dpkit_irq_sample_parse(interrupts_before, &a), 0);
	assert_int_equal(a.nr_cpus, 4);
	assert_int_equal(a.nr_rows, 5);
	assert_string_equal(a.rows[1].id, "24");
	assert_int_equal(a.rows[1].counts[2], 7);
	assert_non_null(strstr(a.rows[1].name, "virtio1-input.0"));
	assert_string_equal(a.rows[3].id, "LOC");
	assert_int_equal(a.rows[4].counts[0], 0);	/* ERR: one column */
	assert_int_equal(dpkit_irq_sample_parse(interrupts_after, &b), 0);

	assert_int_equal(dpkit_irq_delta(&a, &b, iso, 64, note, &s), 3);
	assert_string_equal(s.ids[0], "25");	/* nvme on CPU 2: +6 */
	assert_int_equal(s.cpus[0], 2);
	assert_int_equal(s.deltas[0], 6);
	assert_string_equal(s.ids[1], "26");	/* a new IRQ on CPU 3 */
	assert_int_equal(s.deltas[1], 2);
	assert_string_equal(s.ids[2], "LOC");
	assert_int_equal(s.deltas[2], 250);
	dpkit_irq_sample_free(&a);
	dpkit_irq_sample_free(&b);
	assert_int_equal(dpkit_irq_sample_parse("no header\n", &a), -EPROTO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(apply_then_undo),
		cmocka_unit_test(masks_wider_than_32_cpus),
		cmocka_unit_test(cmdline),
		cmocka_unit_test(interrupts_parse_and_delta),
	};

	return cmocka_run_group_tests_name("knobs", tests, setup, teardown);
}
