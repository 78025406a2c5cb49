/* SPDX-License-Identifier: BSD-3-Clause */
/* dpkitctl isolate set | show | clear */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dpkitctl.h"
#include "libdpkit.h"

static const char *const reasons[] = {
	[DPKIT_IRQ_MANAGED] = "managed",
	[DPKIT_IRQ_PER_CPU] = "per-cpu",
	[DPKIT_IRQ_NO_BALANCE] = "no-balance",
	[DPKIT_IRQ_ERROR] = "error",
};

static const char *reason_name(unsigned int r)
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

int cmd_isolate_set(struct ctl *ctl, int argc, char **argv)
{
	const struct cmd *c = cmd_self("isolate", "set");
	unsigned int moved, unmovable, nr_bits = 8192;
	uint64_t words[8192 / 64];
	struct dpkit *dk;
	int ret;

	ret = cmd_start(c, argc, argv, 1, 1);
	if (ret >= 0)
		return ret;
	if (dpkit_cpulist_parse(argv[1], words, nr_bits) < 0) {
		fprintf(stderr, "dpkitctl: %s\n", dpkit_errmsg());
		return EXIT_USAGE;
	}
	dk = ctl_open(ctl);
	if (!dk)
		return EXIT_FAILURE;
	ret = dpkit_isolate_set(dk, words, nr_bits, &moved, &unmovable);
	dpkit_close(dk);
	if (ret < 0) {
		fprintf(stderr, "dpkitctl: CPUs %s: %s\n", argv[1], dpkit_errmsg());
		return EXIT_FAILURE;
	}
	if (ctl->json)
		printf("{\"isolated\": \"%s\", \"irqs_moved\": %u, "
		       "\"irqs_left\": %u}\n", argv[1], moved, unmovable);
	else
		printf("isolated CPUs %s: %u IRQs moved off, %u left on them "
		       "(dpkitctl isolate show)\n", argv[1], moved, unmovable);
	return 0;
}

int cmd_isolate_clear(struct ctl *ctl, int argc, char **argv)
{
	const struct cmd *c = cmd_self("isolate", "clear");
	struct dpkit *dk;
	int ret;

	ret = cmd_start(c, argc, argv, 0, 0);
	if (ret >= 0)
		return ret;
	dk = ctl_open(ctl);
	if (!dk)
		return EXIT_FAILURE;
	ret = dpkit_isolate_clear(dk);
	dpkit_close(dk);
	if (ret < 0) {
		fprintf(stderr, "dpkitctl: %s\n", dpkit_errmsg());
		return EXIT_FAILURE;
	}
	if (!ctl->json)
		printf("isolation cleared, IRQ affinities restored\n");
	return 0;
}

int cmd_isolate_show(struct ctl *ctl, int argc, char **argv)
{
	static const char *const which_names[] = { "isolated", "nohz_full",
						   "managed_irq" };
	const struct cmd *c = cmd_self("isolate", "show");
	char lists[3][256], name[128];
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
			       reason_name(irqs[i].reason), irqs[i].error);
			json_string(stdout, name);
			printf("}");
		}
		printf("]}\n");
		free(irqs);
		return 0;
	}
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
		printf("%-6u  %-10s  %s", irqs[i].irq, reason_name(irqs[i].reason),
		       name);
		if (irqs[i].reason == DPKIT_IRQ_ERROR)
			printf(" (error %d)", irqs[i].error);
		printf("\n");
	}
	free(irqs);
	return 0;
}
