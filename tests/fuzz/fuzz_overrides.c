/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The persistent overrides file (dpkit_overrides_load, overrides.c): any
 * file loads or is refused with a message; what loads are valid BDFs and
 * driver names, and a set and a remove on it keep it loadable.
 */
#include <unistd.h>

#include "fuzz.h"
#include "libdpkit.h"

static char dir[] = "/tmp/dpkit-fuzz-overrides-XXXXXX";

static void cleanup(void)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/overrides.conf", dir);
	unlink(path);
	rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dpkit_override *v = NULL;
	char path[128];
	unsigned int n, i, m;
	FILE *f;

	if (dir[sizeof(dir) - 7] == 'X') {
		if (!mkdtemp(dir))
			abort();
		atexit(cleanup);
	}
	snprintf(path, sizeof(path), "%s/overrides.conf", dir);
	f = fopen(path, "w");
	if (!f)
		abort();
	fwrite(data, 1, size, f);
	fclose(f);
	if (dpkit_overrides_load(path, &v, &n) < 0)
		return 0;
	for (i = 0; i < n; i++) {
		FUZZ_ASSERT(v[i].bdf[0] && strlen(v[i].bdf) < sizeof(v[i].bdf) &&
			    v[i].driver[0] &&
			    strlen(v[i].driver) < sizeof(v[i].driver),
			    "entry %u", i);
	}
	if (n) {
		/* It returns how many entries it removed. */
		int removed = dpkit_overrides_remove(path, v[0].bdf);

		FUZZ_ASSERT(removed >= 1, "%d: %s", removed, dpkit_errmsg());
		free(v);
		v = NULL;
		FUZZ_ASSERT(dpkit_overrides_load(path, &v, &m) == 0 &&
			    m == n - removed, "after a remove: %s",
			    dpkit_errmsg());
	}
	free(v);
	v = NULL;
	FUZZ_ASSERT(dpkit_overrides_set(path, "0000:00:05.0", "vfio-pci") == 0,
		    "%s", dpkit_errmsg());
	FUZZ_ASSERT(dpkit_overrides_load(path, &v, &m) == 0 && m >= 1,
		    "after a set: %s", dpkit_errmsg());
	free(v);
	return 0;
}
