/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Files under a scratch root that stands in for / (/proc, /sys) in the
 * unit tests. Include after <cmocka.h>.
 */
#ifndef DPKIT_TESTS_FAKE_FS_H
#define DPKIT_TESTS_FAKE_FS_H

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* Write @text to @root@path ("/..."), making the directories on the way. */
static inline void fake_fs_put(const char *root, const char *path,
			       const char *text)
{
	char full[512], dir[512];
	FILE *f;

	snprintf(full, sizeof(full), "%s%s", root, path);
	snprintf(dir, sizeof(dir), "%s", full);
	for (char *p = dir + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(dir, 0755);
		*p = '/';
	}
	f = fopen(full, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

#endif /* DPKIT_TESTS_FAKE_FS_H */
