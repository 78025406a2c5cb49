// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for NIC ownership's pure parts: driver_override string
 * normalisation, PCI address parsing and device classification. Binding
 * itself needs devices and is tested in the VM (tests/vm/04-nic.sh).
 */
#include <kunit/test.h>
#include <linux/pci.h>

#include "../compat.h"
#include "../internal.h"

DPKIT_IMPORT_KUNIT_NS();

/* Normalise a DPKIT_DRIVER_LEN field holding @s. */
static int norm(const char *s, char *out)
{
	char field[DPKIT_DRIVER_LEN] = {};

	memcpy(field, s, min(strlen(s), sizeof(field)));
	return dpkit_override_normalize(field, sizeof(field), out,
					DPKIT_DRIVER_LEN);
}

static void override_clear_forms(struct kunit *test)
{
	char out[DPKIT_DRIVER_LEN];

	/* "", "\n" and a leading NUL all mean "clear". */
	KUNIT_EXPECT_EQ(test, norm("", out), 0);
	KUNIT_EXPECT_STREQ(test, out, "");
	KUNIT_EXPECT_EQ(test, norm("\n", out), 0);
	KUNIT_EXPECT_STREQ(test, out, "");
	KUNIT_EXPECT_EQ(test, dpkit_override_normalize("\0vfio-pci", 10, out,
						       sizeof(out)), 0);
	KUNIT_EXPECT_STREQ(test, out, "");
}

static void override_names(struct kunit *test)
{
	char out[DPKIT_DRIVER_LEN];

	KUNIT_EXPECT_EQ(test, norm("vfio-pci", out), 8);
	KUNIT_EXPECT_STREQ(test, out, "vfio-pci");
	/* The newline sysfs writers leave, and what follows it, goes. */
	KUNIT_EXPECT_EQ(test, norm("e1000e\nrest", out), 6);
	KUNIT_EXPECT_STREQ(test, out, "e1000e");
	KUNIT_EXPECT_EQ(test, norm("mlx5_core", out), 9);
}

static void override_rejects(struct kunit *test)
{
	char field[DPKIT_DRIVER_LEN], out[DPKIT_DRIVER_LEN];

	KUNIT_EXPECT_EQ(test, norm("vfio pci", out), -EINVAL);
	KUNIT_EXPECT_EQ(test, norm("../x", out), -EINVAL);
	KUNIT_EXPECT_EQ(test, norm("e1000e\t", out), -EINVAL);
	/* No NUL in the field. */
	memset(field, 'a', sizeof(field));
	KUNIT_EXPECT_EQ(test, dpkit_override_normalize(field, sizeof(field), out,
						       sizeof(out)), -EINVAL);
	/* A name longer than the output. */
	KUNIT_EXPECT_EQ(test, dpkit_override_normalize("abcdefgh", 9, out, 4),
			-ENAMETOOLONG);
}

static void bdf_parsing(struct kunit *test)
{
	unsigned int bus, devfn;
	int domain;

	KUNIT_EXPECT_EQ(test, dpkit_parse_bdf("0000:00:04.0", 16, &domain, &bus,
					      &devfn), 0);
	KUNIT_EXPECT_EQ(test, domain, 0);
	KUNIT_EXPECT_EQ(test, bus, 0U);
	KUNIT_EXPECT_EQ(test, devfn, PCI_DEVFN(4, 0));
	KUNIT_EXPECT_EQ(test, dpkit_parse_bdf("10ab:3f:1f.7", 16, &domain, &bus,
					      &devfn), 0);
	KUNIT_EXPECT_EQ(test, domain, 0x10ab);
	KUNIT_EXPECT_EQ(test, bus, 0x3fU);
	KUNIT_EXPECT_EQ(test, devfn, PCI_DEVFN(0x1f, 7));
	/* Domains above ffff (VMD), as pci_name() prints them. */
	KUNIT_EXPECT_EQ(test, dpkit_parse_bdf("10000:00:04.0", 16, &domain, &bus,
					      &devfn), 0);
	KUNIT_EXPECT_EQ(test, domain, 0x10000);
	KUNIT_EXPECT_EQ(test, dpkit_parse_bdf("fffffff:e1:00.3", 16, &domain, &bus,
					      &devfn), 0);
	KUNIT_EXPECT_EQ(test, domain, 0xfffffff);
	KUNIT_EXPECT_EQ(test, bus, 0xe1U);
	/* Without a domain: domain 0. */
	KUNIT_EXPECT_EQ(test, dpkit_parse_bdf("02:00.1", 16, &domain, &bus,
					      &devfn), 0);
	KUNIT_EXPECT_EQ(test, domain, 0);
	KUNIT_EXPECT_EQ(test, devfn, PCI_DEVFN(0, 1));
}

static void bdf_rejects(struct kunit *test)
{
	static const char *const bad[] = {
		"", "0000:00:04", "0000:00:20.0", "0000:00:04.8",
		"0000:100:04.0", "00000:00:04.0", "0000:00:04.0x",
		"10000000:00:04.0", "100:00:04.0",
		"0000:00:04.0 ", "eth0", "0000:00:04.0\n",
	};
	unsigned int bus, devfn, i;
	int domain;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ_MSG(test, dpkit_parse_bdf(bad[i], 16, &domain,
							  &bus, &devfn),
				    -EINVAL, "'%s'", bad[i]);
	/* Not NUL-terminated within the field. */
	KUNIT_EXPECT_EQ(test, dpkit_parse_bdf("0000:00:04.0", 12, &domain, &bus,
					      &devfn), -EINVAL);
}

/* Binding loads the target's module: only drivers a NIC may belong to. */
static void driver_allow_list(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, dpkit_driver_allowed("vfio-pci", "e1000e"));
	KUNIT_EXPECT_TRUE(test, dpkit_driver_allowed("uio_pci_generic", ""));
	KUNIT_EXPECT_TRUE(test, dpkit_driver_allowed("pci-stub", "ixgbe"));
	KUNIT_EXPECT_TRUE(test, dpkit_driver_allowed("e1000e", "e1000e"));
	KUNIT_EXPECT_FALSE(test, dpkit_driver_allowed("dummy", "e1000e"));
	KUNIT_EXPECT_FALSE(test, dpkit_driver_allowed("ixgbe", "e1000e"));
	KUNIT_EXPECT_FALSE(test, dpkit_driver_allowed("e1000e", ""));
	KUNIT_EXPECT_FALSE(test, dpkit_driver_allowed("vfio", "e1000e"));
}

static void dlb_ids(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, dpkit_pci_is_dlb(0x8086, 0x2710));
	KUNIT_EXPECT_TRUE(test, dpkit_pci_is_dlb(0x8086, 0x2714));
	KUNIT_EXPECT_FALSE(test, dpkit_pci_is_dlb(0x8086, 0x2711));	/* VF */
	KUNIT_EXPECT_FALSE(test, dpkit_pci_is_dlb(0x8086, 0x10d3));
	KUNIT_EXPECT_FALSE(test, dpkit_pci_is_dlb(0x1af4, 0x2710));
}

static struct kunit_case dpkit_pci_cases[] = {
	KUNIT_CASE(override_clear_forms),
	KUNIT_CASE(override_names),
	KUNIT_CASE(override_rejects),
	KUNIT_CASE(bdf_parsing),
	KUNIT_CASE(bdf_rejects),
	KUNIT_CASE(driver_allow_list),
	KUNIT_CASE(dlb_ids),
	{}
};

static struct kunit_suite dpkit_pci_suite = {
	.name = "dpkit_pci",
	.test_cases = dpkit_pci_cases,
};

kunit_test_suites(&dpkit_pci_suite);
