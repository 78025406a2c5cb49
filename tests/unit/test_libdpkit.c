/* SPDX-License-Identifier: BSD-3-Clause */
/* libdpkit's device handling without a module: the messages a user sees. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "libdpkit.h"

static void open_missing_device_says_not_loaded(void **state)
{
	struct dpkit *dk = NULL;

	(void)state;
	assert_int_equal(dpkit_open("/nonexistent/dpkit", &dk), -ENOENT);
	assert_null(dk);
	assert_non_null(strstr(dpkit_errmsg(), "dpkit.ko is not loaded"));
	assert_non_null(strstr(dpkit_errmsg(), "insmod"));
	assert_non_null(strstr(dpkit_errmsg(), "/nonexistent/dpkit"));
}

static void open_non_dpkit_file_is_refused(void **state)
{
	char path[] = "/tmp/dpkit-test-XXXXXX";
	struct dpkit *dk = NULL;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(dpkit_open(path, &dk), -ENOTTY);
	assert_null(dk);
	assert_non_null(strstr(dpkit_errmsg(), "is not a dpkit device"));
	unlink(path);
}

/* Runs as "nobody" in a child when the test runs as root. */
static int try_open_denied(const char *path)
{
	struct dpkit *dk = NULL;

	if (dpkit_open(path, &dk) != -EACCES)
		return 1;
	return strstr(dpkit_errmsg(), "no permission") ? 0 : 2;
}

static void open_without_permission_says_so(void **state)
{
	char path[] = "/tmp/dpkit-test-XXXXXX";
	int fd, status;
	pid_t pid;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(fchmod(fd, 0600), 0);
	close(fd);
	if (geteuid() != 0) {
		assert_int_equal(chmod(path, 0), 0);
		assert_int_equal(try_open_denied(path), 0);
		unlink(path);
		return;
	}
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(3);
		_exit(try_open_denied(path));
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	unlink(path);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void feature_names_cover_the_bits(void **state)
{
	(void)state;
	assert_string_equal(dpkit_feature_name(0), "link");
	assert_string_equal(dpkit_feature_name(1), "nic");
	assert_string_equal(dpkit_feature_name(2), "isolate");
	assert_string_equal(dpkit_feature_name(3), "lease");
	assert_null(dpkit_feature_name(4));
	assert_int_equal(1U << 3, DPKIT_FEAT_LEASE);
}

static void json_strings_are_escaped(void **state)
{
	char buf[128];
	FILE *f;

	(void)state;
	f = fmemopen(buf, sizeof(buf), "w");
	assert_non_null(f);
	dpkit_json_string(f, "eth\"0\\x\n\x01é");
	fclose(f);
	assert_string_equal(buf, "\"eth\\\"0\\\\x\\u000a\\u0001é\"");
}

static void close_null_is_harmless(void **state)
{
	(void)state;
	dpkit_close(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(open_missing_device_says_not_loaded),
		cmocka_unit_test(open_non_dpkit_file_is_refused),
		cmocka_unit_test(open_without_permission_says_so),
		cmocka_unit_test(feature_names_cover_the_bits),
		cmocka_unit_test(json_strings_are_escaped),
		cmocka_unit_test(close_null_is_harmless),
	};

	return cmocka_run_group_tests_name("libdpkit", tests, NULL, NULL);
}
