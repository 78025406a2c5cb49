/* SPDX-License-Identifier: BSD-3-Clause */
/* /proc/interrupts: per-CPU counts of every row, and what moved between two samples. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libdpkit.h"
#include "priv.h"

void dpkit_irq_sample_free(struct dpkit_irq_sample *s)
{
	unsigned int i;

	for (i = 0; i < s->nr_rows; i++)
		free(s->rows[i].counts);
	free(s->rows);
	free(s->cpus);
	memset(s, 0, sizeof(*s));
}

/* Parse the text of /proc/interrupts (header "CPU0 CPU1 ...", then rows). */
int dpkit_irq_sample_parse(const char *text, struct dpkit_irq_sample *s)
{
	const char *line = text, *p, *eol;
	struct dpkit_irq_row *row;
	unsigned int n, cap = 0;
	char *end;

	memset(s, 0, sizeof(*s));
	/* The header: the online CPUs, as columns. */
	eol = strchr(line, '\n');
	for (p = line; p && p < (eol ? eol : p + strlen(p)); ) {
		p = strstr(p, "CPU");
		if (!p || (eol && p >= eol))
			break;
		p += 3;
		s->cpus = realloc(s->cpus, (s->nr_cpus + 1) * sizeof(*s->cpus));
		if (!s->cpus)
			return dpkit_fail(ENOMEM, "out of memory");
		s->cpus[s->nr_cpus++] = strtol(p, &end, 10);
		p = end;
	}
	if (!s->nr_cpus)
		return dpkit_fail(EPROTO, "/proc/interrupts: no CPU header");

	for (line = eol ? eol + 1 : NULL; line && *line;
	     line = eol ? eol + 1 : NULL) {
		eol = strchr(line, '\n');
		p = line + strspn(line, " ");
		end = strchr(p, ':');
		if (!end || (eol && end > eol))
			continue;
		if (s->nr_rows == cap) {
			cap = cap ? cap * 2 : 64;
			row = realloc(s->rows, cap * sizeof(*row));
			if (!row)
				goto err_nomem;
			s->rows = row;
		}
		row = &s->rows[s->nr_rows];
		memset(row, 0, sizeof(*row));
		snprintf(row->id, sizeof(row->id), "%.*s", (int)(end - p), p);
		row->counts = calloc(s->nr_cpus, sizeof(*row->counts));
		if (!row->counts)
			goto err_nomem;
		s->nr_rows++;
		p = end + 1;
		for (n = 0; n < s->nr_cpus; n++) {
			unsigned long long v = strtoull(p, &end, 10);

			if (end == p)
				break;	/* ERR:, MIS: have one column */
			row->counts[n] = v;
			p = end;
		}
		p += strspn(p, " ");
		snprintf(row->name, sizeof(row->name), "%.*s",
			 (int)((eol ? eol : p + strlen(p)) - p), p);
	}
	return 0;

err_nomem:
	dpkit_irq_sample_free(s);
	return dpkit_fail(ENOMEM, "out of memory");
}

int dpkit_irq_sample(struct dpkit_irq_sample *s)
{
	static char buf[1 << 20];
	size_t n;
	FILE *f;

	f = fopen("/proc/interrupts", "r");
	if (!f)
		return dpkit_fail(errno, "/proc/interrupts: %s", strerror(errno));
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return dpkit_irq_sample_parse(buf, s);
}

/* The count of @id on @cpu in @s, 0 when absent. */
static unsigned long long count_of(const struct dpkit_irq_sample *s,
				   const char *id, int cpu)
{
	unsigned int i, c;

	for (c = 0; c < s->nr_cpus && s->cpus[c] != cpu; c++)
		;
	if (c == s->nr_cpus)
		return 0;
	for (i = 0; i < s->nr_rows; i++)
		if (!strcmp(s->rows[i].id, id))
			return s->rows[i].counts[c];
	return 0;
}

int dpkit_irq_delta(const struct dpkit_irq_sample *before,
		    const struct dpkit_irq_sample *after, const uint64_t *cpus,
		    unsigned int nr_bits, dpkit_irq_delta_fn fn, void *arg)
{
	const struct dpkit_irq_row *row;
	unsigned long long d;
	unsigned int i, c;
	int n = 0;

	for (i = 0; i < after->nr_rows; i++) {
		row = &after->rows[i];
		for (c = 0; c < after->nr_cpus; c++) {
			int cpu = after->cpus[c];

			if ((unsigned int)cpu >= nr_bits ||
			    !(cpus[cpu / 64] >> (cpu % 64) & 1))
				continue;
			d = row->counts[c] - count_of(before, row->id, cpu);
			if (row->counts[c] < count_of(before, row->id, cpu) || !d)
				continue;
			fn(row, cpu, d, arg);
			n++;
		}
	}
	return n;
}
