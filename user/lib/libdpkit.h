/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libdpkit: the userspace side of /dev/dpkit.
 *
 * Every function returns 0 (or a count) on success and a negative errno on
 * failure, and on failure leaves a message for the calling thread in
 * dpkit_errmsg() that names the object and says what to do.
 */
#ifndef LIBDPKIT_H
#define LIBDPKIT_H

#include <linux/dpkit.h>

#define DPKIT_DEV_PATH "/dev/" DPKIT_DEVICE_NAME

struct dpkit;

/*
 * Open the dpkit device (@path NULL means DPKIT_DEV_PATH) and check that the
 * loaded module speaks this library's ABI version.
 */
int dpkit_open(const char *path, struct dpkit **out);
void dpkit_close(struct dpkit *dk);
int dpkit_fd(const struct dpkit *dk);

/* The module's version, features and link-page geometry. */
int dpkit_version(struct dpkit *dk, struct dpkit_version *ver);

/* Names of DPKIT_FEAT_* bits, for tools: "link", "nic", ... */
const char *dpkit_feature_name(unsigned int bit);

/* The message of the calling thread's last failed call. */
const char *dpkit_errmsg(void);

#endif /* LIBDPKIT_H */
