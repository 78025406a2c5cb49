/* SPDX-License-Identifier: BSD-3-Clause */
/* dpkitctl isolate set | show | clear */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dpkitctl.h"
#include "libdpkit.h"

/* dpkitctl's entries in the knobs' journal (dpkitd has its own). */
#define KNOBS_OWNER	"dpkitctl"

static const char *const reasons[] = {
	[DPKIT_IRQ_MANAGED] = "managed",
	[DPKIT_IRQ_PER_CPU] = "per-cpu",
	[DPKIT_IRQ_NO_BALANCE] = "no-balance",
	[DPKIT_IRQ_ERROR] = "error",
};

const char *irq_reason_name(unsigned int r)
{
	return r < sizeof(reasons) / sizeof(reasons[0]) && reasons[r] ?
	       reasons[r] : "?";
}

/* The handler names of an IRQ: the directories in /proc/irq/N. */
static void irq_name(unsigned int irq, char *buf, size_t size)
{
	char path[64];
	struct dirent *e;
	size_t len = 0;
	DIR *d;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "/proc/irq/%u", irq);
	d = opendir(path);
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		len += snprintf(buf + len, size > len ? size - len : 0, "%s%s",
				len ? "," : "", e->d_name);
	}
	closedir(d);
}

/* The online CPU count: the knobs' masks cover CPUs 0 .. n-1. */
int cmd_isolate_set(struct ctl *ctl, int argc, char **argv)
{
	const struct cmd *c = cmd_self("isolate", "set");
	unsigned int moved, unmovable, nr_bits = 8192;
	uint64_t words[8192 / 64];
	char report[2048], undo[2048], cg[256];
	bool partition = false;
	struct dpkit *dk;
	size_t len;
	int ret, pid;

	ret = cmd_start(c, argc, argv, 1, 2);
	if (ret >= 0)
		return ret;
	if (argc == 3) {
		if (strcmp(argv[2], "--partition"))
			return cmd_usage(c);
		partition = true;
	}
	if (dpkit_cpulist_parse(argv[1], words, nr_bits) < 0) {
		fprintf(stderr, "dpkitctl: %s\n", dpkit_errmsg());
		return EXIT_USAGE;
	}
	pid = dpkit_knobs_irqbalance_running();
	if (pid) {
		fprintf(stderr, "dpkitctl: irqbalance (pid %d) is running and would "
			"move IRQs back onto CPUs %s: stop it first (systemctl stop "
			"irqbalance)\n", pid, argv[1]);
		return EXIT_FAILURE;
	}
	dk = ctl_open(ctl);
	if (!dk)
		return EXIT_FAILURE;
	ret = dpkit_isolate_set(dk, words, nr_bits, &moved, &unmovable);
	if (ret < 0) {
		fprintf(stderr, "dpkitctl: CPUs %s: %s\n", argv[1], dpkit_errmsg());
		dpkit_close(dk);
		return EXIT_FAILURE;
	}
	/* The knobs, or nothing: a failure undoes the module's part too. */
	if (dpkit_knobs_apply(words, dpkit_knobs_nr_cpus(), DPKIT_KNOBS_JOURNAL,
			      KNOBS_OWNER, report, sizeof(report)) < 0 ||
	    (partition && dpkit_cpuset_partition("dpkit", argv[1],
						 DPKIT_KNOBS_JOURNAL, KNOBS_OWNER,
						 cg, sizeof(cg)) < 0)) {
		fprintf(stderr, "dpkitctl: CPUs %s: %s; isolation undone\n",
			argv[1], dpkit_errmsg());
		dpkit_knobs_undo(DPKIT_KNOBS_JOURNAL, KNOBS_OWNER, undo,
				 sizeof(undo));
		dpkit_isolate_clear(dk);
		dpkit_close(dk);
		return EXIT_FAILURE;
	}
	dpkit_close(dk);
	len = strlen(report);
	if (partition)
		snprintf(report + len, sizeof(report) - len, "%s: an isolated cpuset "
			 "partition of CPUs %s (join it to run there)\n", cg, argv[1]);
	if (ctl->json) {
		printf("{\"isolated\": \"%s\", \"irqs_moved\": %u, "
		       "\"irqs_left\": %u, \"knobs\": ", argv[1], moved, unmovable);
		dpkit_json_string(stdout, report);
		printf("}\n");
	} else {
		printf("isolated CPUs %s: %u IRQs moved off, %u left on them "
		       "(dpkitctl isolate show)\n%s", argv[1], moved, unmovable,
		       report);
	}
	return 0;
}

int cmd_isolate_clear(struct ctl *ctl, int argc, char **argv)
{
	const struct cmd *c = cmd_self("isolate", "clear");
	char report[2048];
	struct dpkit *dk;
	int ret;

	ret = cmd_start(c, argc, argv, 0, 0);
	if (ret >= 0)
		return ret;
	/* Without the module (unloaded: it restored the IRQs), the knobs remain. */
	if (dpkit_open(ctl->device, &dk) == 0) {
		ret = dpkit_isolate_clear(dk);
		dpkit_close(dk);
		if (ret < 0) {
			fprintf(stderr, "dpkitctl: %s\n", dpkit_errmsg());
			return EXIT_FAILURE;
		}
	} else if (!ctl->json) {
		printf("dpkit.ko is not loaded: only the userspace settings\n");
	}
	ret = dpkit_knobs_undo(DPKIT_KNOBS_JOURNAL, KNOBS_OWNER, report,
			       sizeof(report));
	if (!ctl->json) {
		printf("isolation cleared, IRQ affinities restored\n%s", report);
	} else {
		printf("{\"cleared\": %s, \"settings\": ", ret < 0 ? "false" : "true");
		dpkit_json_string(stdout, report);
		printf("}\n");
	}
	if (ret < 0) {
		fprintf(stderr, "dpkitctl: %s\n", dpkit_errmsg());
		return EXIT_FAILURE;
	}
	return 0;
}

struct verify {
	const struct ctl *ctl;
	const struct dpkit_irq_entry *left;
	unsigned int nr_left, n;
};

static void verify_row(const struct dpkit_irq_row *row, int cpu,
		       unsigned long long delta, void *arg)
{
	struct verify *v = arg;
	const char *why = "";
	char *end;
	unsigned long irq = strtoul(row->id, &end, 10);
	unsigned int i;

	if (*end)
		why = "per-CPU kernel interrupt";
	for (i = 0; !*end && i < v->nr_left; i++)
		if (v->left[i].irq == irq)
			why = irq_reason_name(v->left[i].reason);
	if (v->ctl->json) {
		printf("%s{\"irq\": \"%s\", \"cpu\": %d, \"count\": %llu, "
		       "\"reason\": \"%s\", \"name\": ", v->n ? ", " : "",
		       row->id, cpu, delta, why);
		dpkit_json_string(stdout, row->name);
		printf("}");
	} else {
		printf("%-6s  %-4d  %10llu  %-24s  %s\n", row->id, cpu, delta,
		       *why ? why : "unexpected", row->name);
	}
	v->n++;
}

int cmd_isolate_verify(struct ctl *ctl, int argc, char **argv)
{
	const struct cmd *c = cmd_self("isolate", "verify");
	struct dpkit_irq_sample before, after;
	struct verify v = { .ctl = ctl };
	struct dpkit_irq_entry *left;
	unsigned int nr_bits, seconds = 5;
	uint64_t *words;
	struct dpkit *dk;
	char list[256], *end;
	int ret;

	ret = cmd_start(c, argc, argv, 0, 1);
	if (ret >= 0)
		return ret;
	if (argc == 2) {
		seconds = strtoul(argv[1], &end, 10);
		if (*end || !seconds || seconds > 3600)
			return cmd_usage(c);
	}
	dk = ctl_open(ctl);
	if (!dk)
		return EXIT_FAILURE;
	if (dpkit_isolate_get(dk, DPKIT_MASK_ISOLATED, &words, &nr_bits, NULL,
			      NULL) < 0 || dpkit_irq_report(dk, &left, &v.nr_left) < 0) {
		fprintf(stderr, "dpkitctl: %s\n", dpkit_errmsg());
		dpkit_close(dk);
		return EXIT_FAILURE;
	}
	dpkit_close(dk);
	v.left = left;
	dpkit_cpulist_format(words, nr_bits, list, sizeof(list));
	if (!list[0]) {
		fprintf(stderr, "dpkitctl: no CPUs are isolated (dpkitctl isolate "
			"set CPULIST)\n");
		ret = EXIT_FAILURE;
		goto out;
	}
	if (dpkit_irq_sample(&before) < 0) {
		fprintf(stderr, "dpkitctl: %s\n", dpkit_errmsg());
		ret = EXIT_FAILURE;
		goto out;
	}
	if (!ctl->json)
		fprintf(stderr, "dpkitctl: sampling interrupts on CPUs %s for %u "
			"s\n", list, seconds);
	sleep(seconds);
	if (dpkit_irq_sample(&after) < 0) {
		fprintf(stderr, "dpkitctl: %s\n", dpkit_errmsg());
		dpkit_irq_sample_free(&before);
		ret = EXIT_FAILURE;
		goto out;
	}
	if (ctl->json)
		printf("{\"isolated\": \"%s\", \"seconds\": %u, \"firing\": [",
		       list, seconds);
	else
		printf("%-6s  %-4s  %10s  %-24s  %s\n", "IRQ", "CPU", "COUNT",
		       "WHY IT IS THERE", "NAME");
	dpkit_irq_delta(&before, &after, words, nr_bits, verify_row, &v);
	if (ctl->json)
		printf("]}\n");
	else if (!v.n)
		printf("(none: no interrupt fired on CPUs %s in %u s)\n", list,
		       seconds);
	dpkit_irq_sample_free(&before);
	dpkit_irq_sample_free(&after);
	ret = 0;
out:
	free(words);
	free(left);
	return ret;
}

int cmd_isolate_show(struct ctl *ctl, int argc, char **argv)
{
	static const char *const which_names[] = { "isolated", "nohz_full",
						   "managed_irq" };
	const struct cmd *c = cmd_self("isolate", "show");
	char lists[3][256], name[128], nohz[256], isol[256];
	struct dpkit_irq_entry *irqs;
	unsigned int w, nr_bits, moved = 0, left = 0, n, i;
	uint64_t *words;
	struct dpkit *dk;
	int ret;

	ret = cmd_start(c, argc, argv, 0, 0);
	if (ret >= 0)
		return ret;
	dk = ctl_open(ctl);
	if (!dk)
		return EXIT_FAILURE;
	for (w = 0; w <= DPKIT_MASK_MAX; w++) {
		if (dpkit_isolate_get(dk, w, &words, &nr_bits,
				      w ? NULL : &moved, w ? NULL : &left) < 0 ||
		    dpkit_cpulist_format(words, nr_bits, lists[w],
					 sizeof(lists[w])) < 0) {
			fprintf(stderr, "dpkitctl: %s\n", dpkit_errmsg());
			dpkit_close(dk);
			return EXIT_FAILURE;
		}
		free(words);
	}
	if (dpkit_irq_report(dk, &irqs, &n) < 0) {
		fprintf(stderr, "dpkitctl: %s\n", dpkit_errmsg());
		dpkit_close(dk);
		return EXIT_FAILURE;
	}
	dpkit_close(dk);

	if (ctl->json) {
		printf("{");
		for (w = 0; w <= DPKIT_MASK_MAX; w++)
			printf("\"%s\": \"%s\", ", which_names[w], lists[w]);
		printf("\"irqs_moved\": %u, \"irqs_left\": [", moved);
		for (i = 0; i < n; i++) {
			irq_name(irqs[i].irq, name, sizeof(name));
			printf("%s{\"irq\": %u, \"reason\": \"%s\", \"error\": %d, "
			       "\"name\": ", i ? ", " : "", irqs[i].irq,
			       irq_reason_name(irqs[i].reason), irqs[i].error);
			dpkit_json_string(stdout, name);
			printf("}");
		}
		printf("]}\n");
		free(irqs);
		return 0;
	}
	if (dpkit_knobs_cmdline(nohz, isol, sizeof(nohz)) == 0)
		printf("cmdline      nohz_full=%s isolcpus=%s\n",
		       nohz[0] ? nohz : "(none)", isol[0] ? isol : "(none)");
	printf("isolated     %s\n", lists[0][0] ? lists[0] : "(none)");
	printf("nohz_full    %s\n", lists[1][0] ? lists[1] : "(none)");
	printf("managed_irq  %s\n", lists[2][0] ? lists[2] : "(none)");
	if (lists[0][0]) {
		printf("IRQs moved   %u\nIRQs left    %u\n", moved, left);
		if (strcmp(lists[0], lists[1]))
			printf("warning: nohz_full=%s is not on the kernel command "
			       "line: the tick still interrupts those CPUs\n",
			       lists[0]);
		if (strcmp(lists[0], lists[2]))
			printf("warning: isolcpus=managed_irq,%s is not on the "
			       "kernel command line: managed IRQs stay on those "
			       "CPUs\n", lists[0]);
	}
	if (n)
		printf("\n%-6s  %-10s  %s\n", "IRQ", "REASON", "NAME");
	for (i = 0; i < n; i++) {
		irq_name(irqs[i].irq, name, sizeof(name));
		printf("%-6u  %-10s  %s", irqs[i].irq, irq_reason_name(irqs[i].reason),
		       name);
		if (irqs[i].reason == DPKIT_IRQ_ERROR)
			printf(" (error %d)", irqs[i].error);
		printf("\n");
	}
	free(irqs);
	return 0;
}
