/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The userspace isolation knobs and their journal against a fake /proc and
 * /sys (DPKIT_SYSROOT), and the /proc/interrupts parser and delta.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "fake_fs.h"
#include "libdpkit.h"

static char sysroot[] = "/tmp/dpkit-sysroot-XXXXXX";
static char journal[256];

#define IRQ	"/proc/irq/default_smp_affinity"
#define WQ	"/sys/devices/virtual/workqueue/cpumask"

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

/* The whole first line, however long (malloc'd). */
static char *get_all(const char *path)
{
	char full[512], *line = NULL;
	size_t cap = 0;
	FILE *f;

	snprintf(full, sizeof(full), "%s%s", sysroot, path);
	f = fopen(full, "r");
	assert_non_null(f);
	assert_true(getline(&line, &cap, f) > 0);
	fclose(f);
	line[strcspn(line, "\n")] = '\0';
	return line;
}

/* The journal file's text ("" when there is none). */
static const char *journal_text(void)
{
	static char buf[4096];
	size_t n = 0;
	FILE *f;

	f = fopen(journal, "r");
	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

static int setup(void **state)
{
	(void)state;
	assert_non_null(mkdtemp(sysroot));
	setenv("DPKIT_SYSROOT", sysroot, 1);
	snprintf(journal, sizeof(journal), "%s/run", sysroot);
	mkdir(journal, 0755);	/* /run exists; /run/dpkit is the library's */
	snprintf(journal, sizeof(journal), "%s/run/dpkit/knobs.journal", sysroot);
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
	assert_int_equal(dpkit_knobs_apply(iso, 4, journal, "dpkitctl", report,
					   sizeof(report)), 0);
	assert_string_equal(get(IRQ), "00000003");
	assert_string_equal(get(WQ), "00000003");
	assert_non_null(strstr(report, "(was f)"));
	assert_string_equal(journal_text(),
			    "dpkitctl set " IRQ " f\n" "dpkitctl set " WQ " f\n");
	/* Again, with other CPUs: the first old value is still what returns. */
	iso[0] = 0x8;
	assert_int_equal(dpkit_knobs_apply(iso, 4, journal, "dpkitctl", report,
					   sizeof(report)), 0);
	assert_string_equal(get(IRQ), "00000007");
	/* Another owner's undo touches nothing of it. */
	assert_int_equal(dpkit_knobs_undo(journal, "dpkitd", report,
					  sizeof(report)), 0);
	assert_string_equal(get(IRQ), "00000007");
	assert_int_equal(dpkit_knobs_undo(journal, "dpkitctl", report,
					  sizeof(report)), 0);
	assert_string_equal(get(IRQ), "f");
	assert_string_equal(get(WQ), "f");
	assert_int_equal(access(journal, F_OK), -1);
	/* Nothing to undo is fine; an owner is one word. */
	assert_int_equal(dpkit_knobs_undo(journal, "dpkitctl", report,
					  sizeof(report)), 0);
	assert_int_equal(dpkit_knobs_undo(journal, "a b", report,
					  sizeof(report)), -EINVAL);
	assert_int_equal(dpkit_knobs_apply(iso, 4, journal, "", report,
					   sizeof(report)), -EINVAL);
}

/*
 * dpkitctl and dpkitd both turn the knobs (dpkitd after a crash of its
 * own, the admin in between): however their changes and undos interleave,
 * the host ends as it was, and an undo leaves the other's setting alone.
 */
static void two_owners_any_order(void **state)
{
	static const char *const owners[2] = { "dpkitd", "dpkitctl" };
	uint64_t a[1] = { 0xc }, b[1] = { 0x8 };
	char report[1024];
	int first;

	(void)state;
	/* a, then b; each undoes first in turn. */
	for (first = 0; first < 2; first++) {
		assert_int_equal(dpkit_knobs_apply(a, 4, journal, "dpkitd", report,
						   sizeof(report)), 0);
		assert_int_equal(dpkit_knobs_apply(b, 4, journal, "dpkitctl",
						   report, sizeof(report)), 0);
		assert_string_equal(get(IRQ), "00000007");
		assert_int_equal(dpkit_knobs_undo(journal, owners[first], report,
						  sizeof(report)), 0);
		/* The one left keeps its setting. */
		assert_string_equal(get(IRQ), first ? "00000003" : "00000007");
		assert_string_equal(get(WQ), first ? "00000003" : "00000007");
		assert_int_equal(dpkit_knobs_undo(journal, owners[!first], report,
						  sizeof(report)), 0);
		assert_string_equal(get(IRQ), "f");
		assert_string_equal(get(WQ), "f");
		assert_int_equal(access(journal, F_OK), -1);
	}
}

/* a, b, then a again on top of b: three layers, undone in either order. */
static void an_owner_on_top_again(void **state)
{
	uint64_t a[1] = { 0xc }, b[1] = { 0x8 }, a2[1] = { 0x4 };
	char report[1024];

	(void)state;
	assert_int_equal(dpkit_knobs_apply(a, 4, journal, "dpkitd", report,
					   sizeof(report)), 0);
	assert_int_equal(dpkit_knobs_apply(b, 4, journal, "dpkitctl", report,
					   sizeof(report)), 0);
	assert_int_equal(dpkit_knobs_apply(a2, 4, journal, "dpkitd", report,
					   sizeof(report)), 0);
	assert_string_equal(get(IRQ), "0000000b");
	assert_int_equal(dpkit_knobs_undo(journal, "dpkitd", report,
					  sizeof(report)), 0);
	assert_string_equal(get(IRQ), "00000007");	/* dpkitctl's */
	assert_int_equal(dpkit_knobs_undo(journal, "dpkitctl", report,
					  sizeof(report)), 0);
	assert_string_equal(get(IRQ), "f");
	assert_string_equal(get(WQ), "f");
	assert_int_equal(access(journal, F_OK), -1);
}

/*
 * kill -9 of an apply in the middle of changing @path: @path is a FIFO, so
 * the apply stops there until we read. By then the journal on disk must
 * already hold the value to restore; an undo after the crash restores
 * every knob.
 */
static void crash_while_changing(const char *path)
{
	uint64_t iso[1] = { 0xc };
	char full[512], report[1024], want[300];
	int fd, status, tries;
	pid_t pid;

	snprintf(full, sizeof(full), "%s%s", sysroot, path);
	unlink(full);
	assert_int_equal(mkfifo(full, 0600), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid)
		_exit(dpkit_knobs_apply(iso, 4, journal, "dpkitd", report,
					sizeof(report)) ? 1 : 0);
	fd = open(full, O_WRONLY);	/* it reads the value it will change */
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "f\n", 2), 2);
	close(fd);
	/*
	 * It journals, then opens the FIFO to write the new value, where it
	 * blocks: nobody opens the reading end again (a reader would let the
	 * write through the pipe's buffer and the apply run to its end before
	 * the kill, as it did on a loaded machine).
	 */
	snprintf(want, sizeof(want), "dpkitd set %s f\n", path);
	for (tries = 0; tries < 1000 && !strstr(journal_text(), want); tries++)
		usleep(10000);
	assert_non_null(strstr(journal_text(), want));
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	unlink(full);
	put(path, "f\n");	/* what the FIFO stood for: not changed yet */
	assert_int_equal(dpkit_knobs_undo(journal, "dpkitd", report,
					  sizeof(report)), 0);
	assert_string_equal(get(IRQ), "f");
	assert_string_equal(get(WQ), "f");
	assert_int_equal(access(journal, F_OK), -1);
}

static void crash_mid_apply(void **state)
{
	(void)state;
	crash_while_changing(IRQ);	/* the first knob */
	crash_while_changing(WQ);	/* the second, the first one changed */
}

/*
 * dpkitctl and dpkitd at the same time, each applying and undoing its
 * own over and over: no entry is lost, the host ends as it was.
 */
static void two_owners_at_once(void **state)
{
	static const char *const owners[2] = { "dpkitd", "dpkitctl" };
	pid_t pid[2];
	int i, status;

	(void)state;
	for (i = 0; i < 2; i++) {
		pid[i] = fork();
		assert_true(pid[i] >= 0);
		if (!pid[i]) {
			uint64_t iso[1] = { i ? 0x8 : 0xc };
			char report[1024];
			int n, bad = 0;

			for (n = 0; n < 50; n++)
				bad |= dpkit_knobs_apply(iso, 4, journal, owners[i],
							 report, sizeof(report)) ||
				       dpkit_knobs_undo(journal, owners[i], report,
							sizeof(report));
			_exit(bad);
		}
	}
	for (i = 0; i < 2; i++) {
		assert_int_equal(waitpid(pid[i], &status, 0), pid[i]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	assert_string_equal(get(IRQ), "f");
	assert_string_equal(get(WQ), "f");
	assert_int_equal(access(journal, F_OK), -1);
}

/* A line a crash tore while it was written is not an entry. */
static void torn_last_line(void **state)
{
	char report[1024];
	FILE *f;

	(void)state;
	put(IRQ, "00000003\n");
	put(WQ, "00000003\n");
	f = fopen(journal, "w");
	assert_non_null(f);
	fputs("dpkitd set " IRQ " f\n" "dpkitd set " WQ " ff", f);
	fclose(f);
	assert_int_equal(dpkit_knobs_undo(journal, "dpkitd", report,
					  sizeof(report)), 0);
	assert_string_equal(get(IRQ), "f");
	assert_string_equal(get(WQ), "00000003");	/* never recorded */
	assert_int_equal(access(journal, F_OK), -1);
	put(WQ, "f\n");
}

/* A cpuset partition's directory: journaled before it is made, removed. */
static void cpuset_partition(void **state)
{
	char path[64], report[1024], dir[512], file[600];

	(void)state;
	put("/sys/fs/cgroup/cgroup.controllers", "cpuset cpu io memory\n");
	put("/sys/fs/cgroup/cgroup.subtree_control", "\n");
	assert_int_equal(dpkit_cpuset_partition("dpkit", "2-3", journal,
						"dpkitctl", path, sizeof(path)), 0);
	assert_string_equal(path, "/sys/fs/cgroup/dpkit");
	assert_string_equal(get("/sys/fs/cgroup/dpkit/cpuset.cpus"), "2-3");
	assert_string_equal(journal_text(), "dpkitctl rmdir /sys/fs/cgroup/dpkit\n");
	/* A real cgroup's files go with it; the fake one's go first. */
	snprintf(dir, sizeof(dir), "%s/sys/fs/cgroup/dpkit", sysroot);
	snprintf(file, sizeof(file), "%s/cpuset.cpus", dir);
	unlink(file);
	snprintf(file, sizeof(file), "%s/cpuset.cpus.partition", dir);
	unlink(file);
	assert_int_equal(dpkit_knobs_undo(journal, "dpkitctl", report,
					  sizeof(report)), 0);
	assert_int_equal(access(dir, F_OK), -1);
	assert_int_equal(access(journal, F_OK), -1);
}

static void masks_wider_than_32_cpus(void **state)
{
	uint64_t iso[2] = { 0, 1 };	/* CPU 64 of 72 */
	char report[1024];

	(void)state;
	assert_int_equal(dpkit_knobs_apply(iso, 72, journal, "dpkitctl", report,
					   sizeof(report)), 0);
	assert_string_equal(get(IRQ), "000000fe,ffffffff,ffffffff");
	assert_int_equal(dpkit_knobs_undo(journal, "dpkitctl", report,
					  sizeof(report)), 0);
}

/* The widest machine the knobs take: 256 words of 8 hex digits. */
static void masks_of_8192_cpus(void **state)
{
	uint64_t iso[DPKIT_KNOBS_MAX_CPUS / 64] = { 0 };
	char report[1024], *mask;

	(void)state;
	iso[DPKIT_KNOBS_MAX_CPUS / 64 - 1] = 1ULL << 63;	/* CPU 8191 */
	assert_int_equal(dpkit_knobs_apply(iso, DPKIT_KNOBS_MAX_CPUS, journal,
					   "dpkitctl", report, sizeof(report)), 0);
	mask = get_all(IRQ);
	assert_int_equal(strlen(mask), 256 * 9 - 1);
	assert_memory_equal(mask, "7fffffff,ffffffff,", 18);
	assert_string_equal(mask + strlen(mask) - 9, ",ffffffff");
	free(mask);
	assert_int_equal(dpkit_knobs_undo(journal, "dpkitctl", report,
					  sizeof(report)), 0);
	assert_string_equal(get(IRQ), "f");
	assert_string_equal(get(WQ), "f");
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
		cmocka_unit_test(two_owners_any_order),
		cmocka_unit_test(an_owner_on_top_again),
		cmocka_unit_test(crash_mid_apply),
		cmocka_unit_test(two_owners_at_once),
		cmocka_unit_test(torn_last_line),
		cmocka_unit_test(cpuset_partition),
		cmocka_unit_test(masks_wider_than_32_cpus),
		cmocka_unit_test(masks_of_8192_cpus),
		cmocka_unit_test(cmdline),
		cmocka_unit_test(interrupts_parse_and_delta),
	};

	return cmocka_run_group_tests_name("knobs", tests, setup, teardown);
}
