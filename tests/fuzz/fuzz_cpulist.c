/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CPU lists (dpkit_cpulist_parse/format, cpulist.c): any string parses or
 * is refused with a message; what parses formats back into a list that
 * parses to the same CPUs.
 */
#include "fuzz.h"
#include "libdpkit.h"

#define BITS	1024

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t a[BITS / 64], b[BITS / 64];
	char *s = fuzz_string(data, size), out[8192];
	int n, m;

	if (!s)
		return 0;
	n = dpkit_cpulist_parse(s, a, BITS);
	if (n >= 0) {
		FUZZ_ASSERT(n <= BITS, "highest CPU + 1 = %d", n);
		m = dpkit_cpulist_format(a, BITS, out, sizeof(out));
		FUZZ_ASSERT(m >= 0, "%s", dpkit_errmsg());
		if (n > 0) {
			FUZZ_ASSERT(dpkit_cpulist_parse(out, b, BITS) == n,
				    "'%s' -> '%s'", s, out);
			FUZZ_ASSERT(!memcmp(a, b, sizeof(a)), "'%s' -> '%s'", s,
				    out);
		}
		/* A small buffer is refused, never overrun. */
		dpkit_cpulist_format(a, BITS, out, 1 + data[0] % 16);
	}
	free(s);
	return 0;
}
