/* SPDX-License-Identifier: BSD-3-Clause */
/* systemd's notification protocol and the workers' watchdog (notify.h). */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "notify.h"

int dpk_notify(const char *fmt, ...)
{
	static int fd = -1;
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t len;
	char msg[512];
	va_list ap;
	int n;

	if (!path || (path[0] != '/' && path[0] != '@') ||
	    strlen(path) >= sizeof(sa.sun_path))
		return 0;
	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(msg))
		return -EMSGSIZE;
	/* "@name" is an abstract socket: a NUL, then the name, no terminator. */
	memcpy(sa.sun_path, path, strlen(path));
	len = offsetof(struct sockaddr_un, sun_path) + strlen(path);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';
	else
		len++;
	if (fd < 0)
		fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || sendto(fd, msg, n, MSG_NOSIGNAL, (struct sockaddr *)&sa,
			     len) < 0) {
		n = -errno;
		fprintf(stderr, "dpkitd: notify %s: sendto: %s\n", path,
			strerror(errno));
		return n;
	}
	return 0;
}

uint64_t dpk_notify_watchdog_usec(void)
{
	const char *usec = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
	unsigned long long v;
	char *end;

	if (!usec || (pid && strtol(pid, NULL, 10) != getpid()))
		return 0;
	errno = 0;
	v = strtoull(usec, &end, 10);
	return errno || end == usec || *end ? 0 : v;
}

void dpk_watchdog_init(struct dpk_watchdog *wd, uint64_t usec, uint64_t now_ns,
		       const uint64_t *passes, unsigned int nr)
{
	memset(wd, 0, sizeof(*wd));
	wd->period_ns = usec * 1000 / 2;
	wd->last_ns = now_ns;
	wd->nr = nr < DPKIT_MAX_WORKERS ? nr : DPKIT_MAX_WORKERS;
	memcpy(wd->seen, passes, wd->nr * sizeof(*passes));
}

int dpk_watchdog_check(struct dpk_watchdog *wd, uint64_t now_ns,
		       const uint64_t *passes, unsigned int nr)
{
	unsigned int i;
	int stuck = DPK_WD_PING;

	if (!wd->period_ns || now_ns - wd->last_ns < wd->period_ns)
		return DPK_WD_WAIT;
	if (nr > wd->nr)
		nr = wd->nr;
	for (i = 0; i < nr; i++) {
		if (passes[i] == wd->seen[i] && stuck == DPK_WD_PING)
			stuck = i;
		wd->seen[i] = passes[i];
	}
	wd->last_ns = now_ns;
	return stuck;
}
