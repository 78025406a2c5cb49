/* SPDX-License-Identifier: BSD-3-Clause */
/* Opening /dev/dpkit and the version handshake. */
#include <errno.h>
#include <fcntl.h>
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
