/* SPDX-License-Identifier: BSD-3-Clause */
/* dpkitctl stats: dpkitd's DPDK telemetry (/dpkit/ports, /dpkit/workers). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "dpkitctl.h"

/* dpkitd runs the EAL with --file-prefix dpkitd. */
#define TELEMETRY_SOCKET "/var/run/dpdk/dpkitd/dpdk_telemetry.v2"

static int query(int fd, const char *cmd, char *buf, size_t size)
{
	ssize_t n;

	if (write(fd, cmd, strlen(cmd)) < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n <= 0)
		return n < 0 ? -errno : -EIO;
	buf[n] = '\0';
	return 0;
}

int cmd_stats(struct ctl *ctl, int argc, char **argv)
{
	static const char *const cmds[] = { "/dpkit/ports", "/dpkit/workers",
					    "/dpkit/eventdev" };
	const struct cmd *c = cmd_self(NULL, "stats");
	const char *path = getenv("DPKIT_TELEMETRY");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	static char buf[1 << 16];
	unsigned int i;
	int fd, ret;

	ret = cmd_start(c, argc, argv, 0, 0);
	if (ret >= 0)
		return ret;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path ? path : TELEMETRY_SOCKET);
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "dpkitctl: dpkitd is not running (no telemetry "
			"socket %s: %s)\n", sa.sun_path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return EXIT_FAILURE;
	}
	/* The greeting: the DPDK version and the message size. */
	if (read(fd, buf, sizeof(buf) - 1) <= 0) {
		fprintf(stderr, "dpkitctl: no answer on %s\n", sa.sun_path);
		close(fd);
		return EXIT_FAILURE;
	}
	if (ctl->json)
		printf("{");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		ret = query(fd, cmds[i], buf, sizeof(buf));
		if (ret) {
			fprintf(stderr, "dpkitctl: %s: %s\n", cmds[i], strerror(-ret));
			close(fd);
			return EXIT_FAILURE;
		}
		/* Each reply is {"/dpkit/x": {...}}: the object without its braces. */
		if (ctl->json)
			printf("%s%.*s", i ? ", " : "", (int)strlen(buf) - 2, buf + 1);
		else
			printf("%s\n", buf);
	}
	if (ctl->json)
		printf("}\n");
	close(fd);
	return 0;
}
