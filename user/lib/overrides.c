/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Persistent NIC overrides (driverctl-like): "BDF DRIVER" lines in a file
 * (DPKIT_OVERRIDES_FILE), '#' comments. Updates write a new file and
 * rename it over the old one, so a crash never leaves half a file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libdpkit.h"
#include "priv.h"

static int valid_name(const char *s, size_t max, const char *ok)
{
	size_t len = strlen(s);

	return len && len < max && strspn(s, ok) == len;
}

int dpkit_overrides_load(const char *path, struct dpkit_override **out,
			 unsigned int *count)
{
	struct dpkit_override *v = NULL, *nv;
	char line[256], bdf[64], drv[64], extra[8];
	unsigned int n = 0, lineno = 0;
	FILE *f;

	*out = NULL;
	*count = 0;
	f = fopen(path, "r");
	if (!f)
		return errno == ENOENT ? 0 :
		       dpkit_fail(errno, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		line[strcspn(line, "#\n")] = '\0';
		if (sscanf(line, "%63s %63s %7s", bdf, drv, extra) < 1)
			continue;	/* blank or comment */
		if (sscanf(line, "%63s %63s %7s", bdf, drv, extra) != 2 ||
		    !valid_name(bdf, DPKIT_BDF_LEN, "0123456789abcdefABCDEF:.") ||
		    !valid_name(drv, DPKIT_DRIVER_LEN,
				"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				"0123456789_-")) {
			fclose(f);
			free(v);
			return dpkit_fail(EINVAL, "%s:%u: expected 'BDF DRIVER'",
					  path, lineno);
		}
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv) {
			fclose(f);
			free(v);
			return dpkit_fail(ENOMEM, "out of memory");
		}
		v = nv;
		strcpy(v[n].bdf, bdf);
		strcpy(v[n].driver, drv);
		n++;
	}
	fclose(f);
	*out = v;
	*count = n;
	return 0;
}

/* Write @v to @path through a temporary file and a rename. */
static int store(const char *path, const struct dpkit_override *v,
		 unsigned int n)
{
	char tmp[4096], dir[4096];
	unsigned int i;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s", path);
	if (strrchr(dir, '/')) {
		*strrchr(dir, '/') = '\0';
		mkdir(dir, 0755);
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return dpkit_fail(errno, "%s: %s", tmp, strerror(errno));
	fprintf(f, "# dpkit NIC overrides: BDF DRIVER (dpkitctl nic bind --persist)\n");
	for (i = 0; i < n; i++)
		fprintf(f, "%s %s\n", v[i].bdf, v[i].driver);
	if (fflush(f) || fsync(fileno(f)) || fclose(f)) {
		unlink(tmp);
		return dpkit_fail(EIO, "%s: write failed", tmp);
	}
	if (rename(tmp, path))
		return dpkit_fail(errno, "%s: %s", path, strerror(errno));
	return 0;
}

int dpkit_overrides_set(const char *path, const char *bdf, const char *driver)
{
	struct dpkit_override *v;
	unsigned int n, i;
	int ret;

	ret = dpkit_overrides_load(path, &v, &n);
	if (ret)
		return ret;
	for (i = 0; i < n && strcmp(v[i].bdf, bdf); i++)
		;
	if (i == n) {
		struct dpkit_override *nv = realloc(v, (n + 1) * sizeof(*v));

		if (!nv) {
			free(v);
			return dpkit_fail(ENOMEM, "out of memory");
		}
		v = nv;
		n++;
	}
	snprintf(v[i].bdf, sizeof(v[i].bdf), "%s", bdf);
	snprintf(v[i].driver, sizeof(v[i].driver), "%s", driver);
	ret = store(path, v, n);
	free(v);
	return ret;
}

int dpkit_overrides_remove(const char *path, const char *bdf)
{
	struct dpkit_override *v;
	unsigned int n, i, j;
	int ret;

	ret = dpkit_overrides_load(path, &v, &n);
	if (ret)
		return ret;
	for (i = j = 0; i < n; i++)
		if (strcmp(v[i].bdf, bdf))
			v[j++] = v[i];
	ret = j == n ? 0 : store(path, v, j);
	free(v);
	return ret < 0 ? ret : (int)(n - j);
}
