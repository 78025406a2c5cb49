/* SPDX-License-Identifier: BSD-3-Clause */
/* Persistent NIC overrides: the file format, set, replace, remove. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "libdpkit.h"

static char dir[] = "/tmp/dpkit-ovr-XXXXXX";
static char path[128];

static int setup(void **state)
{
	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/etc/overrides.conf", dir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[160];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void missing_file_is_empty(void **state)
{
	struct dpkit_override *v;
	unsigned int n;

	(void)state;
	assert_int_equal(dpkit_overrides_load(path, &v, &n), 0);
	assert_int_equal(n, 0);
	free(v);
}

static void set_replace_remove(void **state)
{
	struct dpkit_override *v;
	unsigned int n;

	(void)state;
	assert_int_equal(dpkit_overrides_set(path, "0000:00:05.0", "vfio-pci"), 0);
	assert_int_equal(dpkit_overrides_set(path, "0000:00:06.0", "pci-stub"), 0);
	assert_int_equal(dpkit_overrides_set(path, "0000:00:05.0", "uio_pci_generic"), 0);
	assert_int_equal(dpkit_overrides_load(path, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].bdf, "0000:00:05.0");
	assert_string_equal(v[0].driver, "uio_pci_generic");
	assert_string_equal(v[1].driver, "pci-stub");
	free(v);
	assert_int_equal(dpkit_overrides_remove(path, "0000:00:05.0"), 1);
	assert_int_equal(dpkit_overrides_remove(path, "0000:00:05.0"), 0);
	assert_int_equal(dpkit_overrides_load(path, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].bdf, "0000:00:06.0");
	free(v);
}

static void comments_and_errors(void **state)
{
	struct dpkit_override *v;
	unsigned int n;
	FILE *f;

	(void)state;
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("# a comment\n\n0000:00:07.0 vfio-pci   # trailing\n", f);
	fclose(f);
	assert_int_equal(dpkit_overrides_load(path, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].driver, "vfio-pci");
	free(v);
	f = fopen(path, "a");
	fputs("0000:00:08.0 vfio pci\n", f);
	fclose(f);
	assert_int_equal(dpkit_overrides_load(path, &v, &n), -EINVAL);
	assert_non_null(strstr(dpkit_errmsg(), ":4: expected 'BDF DRIVER'"));
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(missing_file_is_empty),
		cmocka_unit_test(set_replace_remove),
		cmocka_unit_test(comments_and_errors),
	};

	return cmocka_run_group_tests_name("overrides", tests, setup, teardown);
}
