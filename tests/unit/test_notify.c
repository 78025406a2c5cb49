/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * systemd's notification protocol (user/dpkitd/notify.c): a datagram per
 * message to $NOTIFY_SOCKET, a path or an abstract name; nothing without
 * it; $WATCHDOG_USEC only for this pid. The watchdog's rule: a ping only
 * when every worker's pass counter advanced over the last half interval.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "notify.h"

/* A datagram socket bound at @path ("@name": abstract); returns its fd. */
static int listener(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t len = offsetof(struct sockaddr_un, sun_path) + strlen(path);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	memcpy(sa.sun_path, path, strlen(path));
	if (path[0] == '@')
		sa.sun_path[0] = '\0';
	else
		len++;
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, len), 0);
	return fd;
}

static void expect_message(int fd, const char *want)
{
	char buf[600];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, want);
}

static void no_socket_no_message(void **state)
{
	(void)state;
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(dpk_notify("READY=1"), 0);
	setenv("NOTIFY_SOCKET", "relative/path", 1);	/* not a socket address */
	assert_int_equal(dpk_notify("READY=1"), 0);
}

static void path_socket(void **state)
{
	char dir[] = "/tmp/dpk-notify-XXXXXX", path[64];
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/notify", dir);
	fd = listener(path);
	setenv("NOTIFY_SOCKET", path, 1);
	assert_int_equal(dpk_notify("READY=1"), 0);
	expect_message(fd, "READY=1");
	assert_int_equal(dpk_notify("STOPPING=1\nSTATUS=stopping (%s): draining",
				    "Terminated"), 0);
	expect_message(fd, "STOPPING=1\nSTATUS=stopping (Terminated): draining");
	close(fd);
	unlink(path);
	rmdir(dir);
	/* Gone: the send fails, and says so. */
	assert_int_equal(dpk_notify("WATCHDOG=1"), -ENOENT);
	unsetenv("NOTIFY_SOCKET");
}

static void abstract_socket(void **state)
{
	char name[64];
	int fd;

	(void)state;
	snprintf(name, sizeof(name), "@dpk-notify-test-%d", (int)getpid());
	fd = listener(name);
	setenv("NOTIFY_SOCKET", name, 1);
	assert_int_equal(dpk_notify("WATCHDOG=1"), 0);
	expect_message(fd, "WATCHDOG=1");
	close(fd);
	unsetenv("NOTIFY_SOCKET");
}

static void watchdog_usec(void **state)
{
	char pid[16];

	(void)state;
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	assert_int_equal(dpk_notify_watchdog_usec(), 0);
	setenv("WATCHDOG_USEC", "10000000", 1);
	assert_int_equal(dpk_notify_watchdog_usec(), 10000000);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	setenv("WATCHDOG_PID", pid, 1);
	assert_int_equal(dpk_notify_watchdog_usec(), 10000000);
	setenv("WATCHDOG_PID", "1", 1);		/* meant for another process */
	assert_int_equal(dpk_notify_watchdog_usec(), 0);
	unsetenv("WATCHDOG_PID");
	setenv("WATCHDOG_USEC", "10s", 1);
	assert_int_equal(dpk_notify_watchdog_usec(), 0);
	unsetenv("WATCHDOG_USEC");
}

#define S 1000000000ULL

static void watchdog_rule(void **state)
{
	struct dpk_watchdog wd;
	uint64_t p[3] = { 5, 9, 1 };

	(void)state;
	/* WatchdogSec=2s: a check every second. */
	dpk_watchdog_init(&wd, 2000000, 100 * S, p, 3);
	assert_int_equal(dpk_watchdog_check(&wd, 100 * S + S / 2, p, 3), DPK_WD_WAIT);
	p[0]++, p[1] += 1000, p[2]++;
	assert_int_equal(dpk_watchdog_check(&wd, 101 * S, p, 3), DPK_WD_PING);
	/* Worker 1 stops: no ping, and it is named. */
	p[0]++, p[2]++;
	assert_int_equal(dpk_watchdog_check(&wd, 102 * S, p, 3), 1);
	/* Its counters are compared with the last check's, not the last ping's:
	 * once it moves again, the pings resume. */
	p[0]++, p[1]++, p[2]++;
	assert_int_equal(dpk_watchdog_check(&wd, 103 * S, p, 3), DPK_WD_PING);
	/* Two stuck: the first is named. */
	p[1]++;
	assert_int_equal(dpk_watchdog_check(&wd, 104 * S + 1, p, 3), 0);
	/* A late tick still checks once. */
	p[0]++, p[1]++, p[2]++;
	assert_int_equal(dpk_watchdog_check(&wd, 110 * S, p, 3), DPK_WD_PING);
	assert_int_equal(dpk_watchdog_check(&wd, 110 * S + 1, p, 3), DPK_WD_WAIT);
	/* No WatchdogSec=: never time to check. */
	dpk_watchdog_init(&wd, 0, 0, p, 3);
	assert_int_equal(dpk_watchdog_check(&wd, 1000 * S, p, 3), DPK_WD_WAIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(no_socket_no_message),
		cmocka_unit_test(path_socket),
		cmocka_unit_test(abstract_socket),
		cmocka_unit_test(watchdog_usec),
		cmocka_unit_test(watchdog_rule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
