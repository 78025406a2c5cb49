/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpkitd's DPDK telemetry, for `stats` and `metrics`: one connection to its
 * socket, commands sent one at a time, each reply parsed (jansson).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "dpkitctl.h"

static char reply[1 << 16];

int tel_open(struct tel *t, bool quiet)
{
	const char *path = getenv("DPKIT_TELEMETRY");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	ssize_t n;

	snprintf(t->path, sizeof(t->path), "%s", path ? path : TELEMETRY_SOCKET);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", t->path);
	t->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (t->fd < 0 || connect(t->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (!quiet)
			fprintf(stderr, "dpkitctl: dpkitd is not running (no "
				"telemetry socket %s: %s)\n", t->path,
				strerror(errno));
		goto err;
	}
	/* The greeting: the DPDK version and the message size. */
	n = read(t->fd, reply, sizeof(reply) - 1);
	if (n <= 0) {
		if (!quiet)
			fprintf(stderr, "dpkitctl: no answer on %s\n", t->path);
		goto err;
	}
	return 0;
err:
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	return -1;
}

void tel_close(struct tel *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}

const char *tel_query(struct tel *t, const char *cmd)
{
	ssize_t n;

	if (write(t->fd, cmd, strlen(cmd)) < 0) {
		fprintf(stderr, "dpkitctl: %s: write: %s\n", cmd, strerror(errno));
		return NULL;
	}
	n = read(t->fd, reply, sizeof(reply) - 1);
	if (n <= 0) {
		fprintf(stderr, "dpkitctl: %s: %s\n", cmd, n ? strerror(errno) :
			"dpkitd closed the telemetry connection");
		return NULL;
	}
	reply[n] = '\0';
	return reply;
}

json_t *tel_get(struct tel *t, const char *cmd)
{
	json_error_t jerr;
	json_t *root, *obj;

	if (!tel_query(t, cmd))
		return NULL;
	root = json_loads(reply, 0, &jerr);
	if (!root) {
		fprintf(stderr, "dpkitctl: %s: dpkitd's reply is not JSON: %s\n",
			cmd, jerr.text);
		return NULL;
	}
	obj = json_object_get(root, cmd);
	if (!json_is_object(obj)) {
		fprintf(stderr, "dpkitctl: %s: dpkitd does not have this "
			"command (an older dpkitd?)\n", cmd);
		json_decref(root);
		return NULL;
	}
	json_incref(obj);
	json_decref(root);
	return obj;
}

uint64_t tel_u64(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	return json_is_integer(v) && json_integer_value(v) > 0 ?
	       (uint64_t)json_integer_value(v) : 0;
}
