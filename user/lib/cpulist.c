/* SPDX-License-Identifier: BSD-3-Clause */
/* CPU lists ("0-3,8,10-11") to and from bitmaps of 64-bit words. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "libdpkit.h"
#include "priv.h"

static int parse_num(const char **p, unsigned long *out)
{
	unsigned long v = 0;
	const char *s = *p;

	if (*s < '0' || *s > '9')
		return -1;
	while (*s >= '0' && *s <= '9') {
		v = v * 10 + (unsigned long)(*s++ - '0');
		if (v > 1UL << 24)
			return -1;
	}
	*p = s;
	*out = v;
	return 0;
}

int dpkit_cpulist_parse(const char *list, uint64_t *words, unsigned int nr_bits)
{
	const char *p = list;
	unsigned long a, b, cpu;
	int highest = -1;

	memset(words, 0, ((nr_bits + 63) / 64) * sizeof(*words));
	if (!*p)
		return dpkit_fail(EINVAL, "empty CPU list");
	for (;;) {
		if (parse_num(&p, &a) < 0)
			return dpkit_fail(EINVAL, "CPU list '%s': expected a CPU "
					  "number at '%s'", list, p);
		b = a;
		if (*p == '-') {
			p++;
			if (parse_num(&p, &b) < 0)
				return dpkit_fail(EINVAL, "CPU list '%s': expected "
						  "the end of a range at '%s'",
						  list, p);
			if (b < a)
				return dpkit_fail(EINVAL, "CPU list '%s': range "
						  "%lu-%lu goes backwards", list,
						  a, b);
		}
		if (b >= nr_bits)
			return dpkit_fail(ERANGE, "CPU list '%s': CPU %lu is past "
					  "the last CPU (%u)", list, b,
					  nr_bits - 1);
		for (cpu = a; cpu <= b; cpu++)
			words[cpu / 64] |= 1ULL << (cpu % 64);
		if ((int)b > highest)
			highest = b;
		if (!*p)
			break;
		if (*p++ != ',')
			return dpkit_fail(EINVAL, "CPU list '%s': unexpected '%c'",
					  list, p[-1]);
	}
	return highest + 1;
}

int dpkit_cpulist_format(const uint64_t *words, unsigned int nr_bits,
			 char *buf, size_t size)
{
	unsigned int cpu = 0, start;
	size_t len = 0;
	int n;

#define SET(c) ((words[(c) / 64] >> ((c) % 64)) & 1)
	buf[0] = '\0';
	while (cpu < nr_bits) {
		if (!SET(cpu)) {
			cpu++;
			continue;
		}
		start = cpu;
		while (cpu + 1 < nr_bits && SET(cpu + 1))
			cpu++;
		if (start == cpu)
			n = snprintf(buf + len, size - len, "%s%u",
				     len ? "," : "", start);
		else
			n = snprintf(buf + len, size - len, "%s%u-%u",
				     len ? "," : "", start, cpu);
		if (n < 0 || (size_t)n >= size - len)
			return dpkit_fail(ENOSPC, "CPU list does not fit in %zu "
					  "bytes", size);
		len += n;
		cpu++;
	}
#undef SET
	return len;
}
