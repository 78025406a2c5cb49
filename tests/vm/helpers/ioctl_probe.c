/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ioctl_probe: raw ioctls on /dev/dpkit for the VM scenarios, bypassing
 * libdpkit so that malformed calls reach the module.
 *
 *   ioctl_probe version             print what DPKIT_IOC_VERSION returns
 *   ioctl_probe expect ERRNO CASE   run CASE, succeed iff it fails with ERRNO
 *
 * Built 64-bit and, where a 32-bit toolchain exists, 32-bit (compat path).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/dpkit.h>

static int call_case(int fd, const char *name)
{
	struct dpkit_version ver;

	memset(&ver, 0, sizeof(ver));
	if (!strcmp(name, "version-flags")) {
		ver.flags = 1;
		return ioctl(fd, DPKIT_IOC_VERSION, &ver);
	}
	if (!strcmp(name, "version-reserved")) {
		ver.reserved[2] = 0x80;
		return ioctl(fd, DPKIT_IOC_VERSION, &ver);
	}
	if (!strcmp(name, "version-badptr"))
		return ioctl(fd, DPKIT_IOC_VERSION, (void *)16);
	if (!strcmp(name, "version-wrong-size"))
		return ioctl(fd, _IOWR(DPKIT_IOC_MAGIC, 0x00, struct { char c[20]; }),
			     &ver);
	if (!strcmp(name, "unknown-nr"))
		return ioctl(fd, _IO(DPKIT_IOC_MAGIC, 0x7f));
	if (!strcmp(name, "foreign-magic"))
		return ioctl(fd, _IOWR('T', 0x00, struct dpkit_version), &ver);
	fprintf(stderr, "ioctl_probe: unknown case '%s'\n", name);
	exit(2);
}

static const struct {
	const char *name;
	int err;
} errnos[] = {
	{ "EINVAL", EINVAL }, { "ENOTTY", ENOTTY }, { "EFAULT", EFAULT },
	{ "EPERM", EPERM }, { "EOPNOTSUPP", EOPNOTSUPP },
};

int main(int argc, char **argv)
{
	const char *dev = getenv("DPKIT_DEVICE") ? getenv("DPKIT_DEVICE") :
			  "/dev/" DPKIT_DEVICE_NAME;
	struct dpkit_version ver;
	size_t i;
	int fd, want = -1;

	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		perror(dev);
		return 1;
	}
	if (argc == 2 && !strcmp(argv[1], "version")) {
		memset(&ver, 0, sizeof(ver));
		if (ioctl(fd, DPKIT_IOC_VERSION, &ver)) {
			perror("DPKIT_IOC_VERSION");
			return 1;
		}
		printf("abi %u features 0x%x map_size %u slots %u release %.*s\n",
		       ver.abi_version, ver.features, ver.map_size, ver.nr_slots,
		       (int)sizeof(ver.release), ver.release);
		return 0;
	}
	if (argc != 4 || strcmp(argv[1], "expect")) {
		fprintf(stderr, "usage: ioctl_probe version | expect ERRNO CASE\n");
		return 2;
	}
	for (i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (!strcmp(errnos[i].name, argv[2]))
			want = errnos[i].err;
	if (want < 0) {
		fprintf(stderr, "ioctl_probe: unknown errno '%s'\n", argv[2]);
		return 2;
	}
	if (call_case(fd, argv[3]) == 0) {
		fprintf(stderr, "%s: succeeded, expected %s\n", argv[3], argv[2]);
		return 1;
	}
	if (errno != want) {
		fprintf(stderr, "%s: failed with %s, expected %s\n", argv[3],
			strerror(errno), argv[2]);
		return 1;
	}
	return 0;
}
