/* SPDX-License-Identifier: BSD-3-Clause */
/* Opening /dev/dpkit and the version handshake. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "libdpkit.h"
#include "priv.h"

struct dpkit {
	int fd;
	struct dpkit_version ver;
};

static const char *const feature_names[] = {
	"link", "nic", "isolate", "lease",
};

const char *dpkit_feature_name(unsigned int bit)
{
	if (bit >= sizeof(feature_names) / sizeof(feature_names[0]))
		return NULL;
	return feature_names[bit];
}

static int version_ioctl(int fd, const char *path, struct dpkit_version *ver)
{
	memset(ver, 0, sizeof(*ver));
	if (ioctl(fd, DPKIT_IOC_VERSION, ver) == 0)
		return 0;
	if (errno == ENOTTY || errno == EINVAL)
		return dpkit_fail(ENOTTY, "%s is not a dpkit device", path);
	return dpkit_fail(errno, "%s: version query failed: %s", path,
			  strerror(errno));
}

int dpkit_open(const char *path, struct dpkit **out)
{
	struct dpkit *dk;
	int ret;

	if (!path)
		path = DPKIT_DEV_PATH;

	dk = calloc(1, sizeof(*dk));
	if (!dk)
		return dpkit_fail(ENOMEM, "out of memory");

	dk->fd = open(path, O_RDWR | O_CLOEXEC);
	if (dk->fd < 0 && (errno == EACCES || errno == EPERM))
		dk->fd = open(path, O_RDONLY | O_CLOEXEC);	/* a reader */
	if (dk->fd < 0) {
		ret = errno;
		free(dk);
		if (ret == ENOENT || ret == ENXIO || ret == ENODEV)
			return dpkit_fail(ret, "dpkit.ko is not loaded (%s is "
					  "missing): insmod kmod/dpkit.ko", path);
		if (ret == EACCES || ret == EPERM)
			return dpkit_fail(ret, "no permission to open %s: run as "
					  "root or ask for the dpkit group", path);
		return dpkit_fail(ret, "cannot open %s: %s", path,
				  strerror(ret));
	}

	ret = version_ioctl(dk->fd, path, &dk->ver);
	if (ret < 0)
		goto err_close;
	if (dk->ver.abi_version != DPKIT_ABI_VERSION) {
		ret = dpkit_fail(EPROTO, "dpkit.ko speaks ABI %u, this program "
				 "ABI %u: load the module built with it",
				 dk->ver.abi_version, DPKIT_ABI_VERSION);
		goto err_close;
	}
	*out = dk;
	return 0;

err_close:
	close(dk->fd);
	free(dk);
	return ret;
}

int dpkit_open_fd(int fd, struct dpkit **out)
{
	struct dpkit *dk;
	int ret;

	dk = calloc(1, sizeof(*dk));
	if (!dk)
		return dpkit_fail(ENOMEM, "out of memory");
	dk->fd = fd;
	ret = version_ioctl(fd, "the inherited dpkit fd", &dk->ver);
	if (ret < 0) {
		free(dk);
		return ret;
	}
	*out = dk;
	return 0;
}

void dpkit_close(struct dpkit *dk)
{
	if (!dk)
		return;
	close(dk->fd);
	free(dk);
}

int dpkit_fd(const struct dpkit *dk)
{
	return dk->fd;
}

int dpkit_version(struct dpkit *dk, struct dpkit_version *ver)
{
	*ver = dk->ver;
	return 0;
}

int dpkit_lease(struct dpkit *dk)
{
	struct dpkit_lease lease = { 0 };

	if (ioctl(dk->fd, DPKIT_IOC_LEASE, &lease) == 0)
		return 0;
	if (errno == EBUSY)
		return dpkit_fail(EBUSY, "this handle already holds a lease");
	if (errno == EPERM)
		return dpkit_fail(EPERM, "a lease needs CAP_NET_ADMIN");
	return dpkit_fail(errno, "lease: %s", strerror(errno));
}

int dpkit_link_report(struct dpkit *dk, const struct dpkit_link_report *rep)
{
	const char *what = rep->op == DPKIT_REPORT_REMOVE ? "remove" : "report";

	if (ioctl(dk->fd, DPKIT_IOC_LINK_REPORT, rep) == 0)
		return 0;
	switch (errno) {
	case EBUSY:
		return dpkit_fail(EBUSY, "DPDK port %u: %s refused: the port "
				  "belongs to another lease", rep->port_id, what);
	case ENOSPC:
		return dpkit_fail(ENOSPC, "DPDK port %u: the link table is full",
				  rep->port_id);
	case ENOENT:
		return dpkit_fail(ENOENT, "DPDK port %u is not in the link table",
				  rep->port_id);
	case EPERM:
		return dpkit_fail(EPERM, "DPDK port %u: %s needs CAP_NET_ADMIN",
				  rep->port_id, what);
	case EINVAL:
		return dpkit_fail(EINVAL, "DPDK port %u: invalid report (port id "
				  "<= %u, known flags, NUL-terminated names)",
				  rep->port_id, DPKIT_PORT_MAX);
	default:
		return dpkit_fail(errno, "DPDK port %u: %s failed: %s",
				  rep->port_id, what, strerror(errno));
	}
}

int dpkit_link_watch(struct dpkit *dk, unsigned int op, int ifindex,
		     const char *name)
{
	struct dpkit_link_watch w = { .op = op, .ifindex = ifindex };
	char what[32];

	if (name && strlen(name) >= sizeof(w.name))
		return dpkit_fail(EINVAL, "interface name '%s' is too long", name);
	if (name)
		strcpy(w.name, name);
	if (name && *name)
		snprintf(what, sizeof(what), "%s", name);
	else
		snprintf(what, sizeof(what), "ifindex %d", ifindex);
	if (ioctl(dk->fd, DPKIT_IOC_LINK_WATCH, &w) == 0)
		return 0;
	switch (errno) {
	case ENODEV:
		return dpkit_fail(ENODEV, "%s: no such interface in the initial "
				  "network namespace", what);
	case ENOSPC:
		return dpkit_fail(ENOSPC, "%s: the watch list is full", what);
	case EPERM:
		return dpkit_fail(EPERM, "changing the watched links needs "
				  "CAP_NET_ADMIN");
	default:
		return dpkit_fail(errno, "watch %s: %s", what, strerror(errno));
	}
}
