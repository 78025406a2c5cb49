/* SPDX-License-Identifier: BSD-3-Clause */
/* dpkitctl nic list | bind | restore */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "dpkitctl.h"
#include "libdpkit.h"

/* The persistent overrides file (DPKIT_OVERRIDES overrides it, for tests). */
static const char *overrides_file(void)
{
	const char *p = getenv("DPKIT_OVERRIDES");

	return p && *p ? p : DPKIT_OVERRIDES_FILE;
}

static int persistent(const struct dpkit_override *v, unsigned int n,
		      const char *bdf)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i].bdf, bdf))
			return 1;
	return 0;
}

static const char *operstates[] = {
	"unknown", "notpresent", "down", "lowerlayerdown", "testing",
	"dormant", "up",
};

/* The netdev's operstate; "down" when it is administratively down. */
static const char *nic_state(const struct dpkit_nic *n)
{
	if (!(n->flags & DPKIT_NIC_F_NETDEV))
		return "-";
	if (!(n->if_flags & 1))		/* IFF_UP */
		return "down";
	if (n->operstate < sizeof(operstates) / sizeof(operstates[0]))
		return operstates[n->operstate];
	return "?";
}

static void print_nic_json(const struct dpkit_nic *n)
{
	printf("{\"bdf\": \"%s\", \"vendor\": \"%04x\", \"device\": \"%04x\", "
	       "\"subsystem\": \"%04x:%04x\", \"class\": \"%06x\", "
	       "\"driver\": ", n->bdf, n->vendor, n->device,
	       n->subsystem_vendor, n->subsystem_device, n->class);
	dpkit_json_string(stdout, n->driver);
	printf(", \"override\": ");
	dpkit_json_string(stdout, n->override);
	printf(", \"orig_driver\": ");
	dpkit_json_string(stdout, n->orig_driver);
	printf(", \"numa_node\": %d, \"iommu_group\": %d, \"netdev\": ",
	       n->numa_node, n->iommu_group);
	if (n->flags & DPKIT_NIC_F_NETDEV) {
		dpkit_json_string(stdout, n->ifname);
		printf(", \"ifindex\": %d, \"operstate\": \"%s\", \"if_up\": %s",
		       n->ifindex, nic_state(n), n->if_flags & 1 ? "true" : "false");
	} else {
		printf("null");
	}
	printf(", \"addresses\": %s, \"bifurcated\": %s, \"eventdev\": %s, "
	       "\"bound_by_dpkit\": %s, \"leased\": %s, \"busy\": %s, "
	       "\"other_netns\": %s}",
	       n->flags & DPKIT_NIC_F_ROUTE ? "true" : "false",
	       n->flags & DPKIT_NIC_F_BIFURCATED ? "true" : "false",
	       n->flags & DPKIT_NIC_F_EVENTDEV ? "true" : "false",
	       n->flags & DPKIT_NIC_F_DPKIT ? "true" : "false",
	       n->flags & DPKIT_NIC_F_LEASED ? "true" : "false",
	       n->flags & DPKIT_NIC_F_BUSY ? "true" : "false",
	       n->flags & DPKIT_NIC_F_NETNS ? "true" : "false");
}

/* Append @note to the comma-separated @notes. */
static void add_note(char *notes, size_t size, const char *note)
{
	size_t len = strlen(notes);

	snprintf(notes + len, size - len, "%s%s", len ? ", " : "", note);
}

int cmd_nic_list(struct ctl *ctl, int argc, char **argv)
{
	const struct cmd *c = cmd_self("nic", "list");
	struct dpkit_nic *nics;
	unsigned int i, n;
	struct dpkit *dk;
	char group[16], node[16], notes[160];
	struct dpkit_override *ovr = NULL;
	unsigned int nr_ovr = 0;
	int ret;

	ret = cmd_start(c, argc, argv, 0, 0);
	if (ret >= 0)
		return ret;
	dk = ctl_open(ctl);
	if (!dk)
		return EXIT_FAILURE;
	if (dpkit_nic_list(dk, &nics, &n) < 0) {
		fprintf(stderr, "dpkitctl: %s\n", dpkit_errmsg());
		dpkit_close(dk);
		return EXIT_FAILURE;
	}
	dpkit_close(dk);
	if (dpkit_overrides_load(overrides_file(), &ovr, &nr_ovr) < 0)
		fprintf(stderr, "dpkitctl: warning: %s\n", dpkit_errmsg());

	if (ctl->json) {
		printf("[");
		for (i = 0; i < n; i++) {
			printf("%s\n  ", i ? "," : "");
			print_nic_json(&nics[i]);
		}
		printf("\n]\n");
		free(nics);
		free(ovr);
		return 0;
	}
	printf("%-12s  %-9s  %-12s  %-5s  %-5s  %-10s  %-7s  %s\n", "BDF", "ID",
	       "DRIVER", "NODE", "GROUP", "NETDEV", "STATE", "NOTES");
	for (i = 0; i < n; i++) {
		const struct dpkit_nic *x = &nics[i];

		snprintf(group, sizeof(group), "%d", x->iommu_group);
		snprintf(node, sizeof(node), "%d", x->numa_node);
		notes[0] = '\0';
		if (x->flags & DPKIT_NIC_F_DPKIT)
			snprintf(notes, sizeof(notes), "dpkit%s, was %s",
				 x->flags & DPKIT_NIC_F_LEASED ? " (lease)" : "",
				 x->orig_driver[0] ? x->orig_driver : "unbound");
		if (x->flags & DPKIT_NIC_F_BUSY)
			add_note(notes, sizeof(notes),
				 "busy: its driver is changing (a VFIO user holding it?)");
		if (x->flags & DPKIT_NIC_F_NETNS)
			add_note(notes, sizeof(notes), "netdev in another namespace");
		if (x->flags & DPKIT_NIC_F_ROUTE)
			add_note(notes, sizeof(notes), "addresses");
		if (x->flags & DPKIT_NIC_F_BIFURCATED)
			add_note(notes, sizeof(notes), "bifurcated");
		if (x->flags & DPKIT_NIC_F_EVENTDEV)
			add_note(notes, sizeof(notes), "DLB eventdev");
		if (persistent(ovr, nr_ovr, x->bdf))
			add_note(notes, sizeof(notes), "persistent");
		printf("%-12s  %04x:%04x  %-12s  %-5s  %-5s  %-10s  %-7s  %s\n",
		       x->bdf, x->vendor, x->device,
		       x->driver[0] ? x->driver : "-",
		       x->numa_node < 0 ? "-" : node,
		       x->iommu_group < 0 ? "-" : group,
		       x->flags & DPKIT_NIC_F_NETDEV ? x->ifname : "-",
		       nic_state(x), notes);
	}
	free(nics);
	free(ovr);
	return 0;
}

static void print_addr(const char *addr, unsigned int scope, void *arg)
{
	(void)scope;
	fprintf(stderr, "%s%s", *(int *)arg ? ", " : " ", addr);
	*(int *)arg = 1;
}

/* Why a bind was refused: the netdev's state and addresses (rtnetlink). */
static void explain_busy(struct dpkit *dk, const char *bdf)
{
	struct dpkit_ifinfo info;
	struct dpkit_nic *nics;
	unsigned int n, i;
	int any = 0;

	if (dpkit_nic_list(dk, &nics, &n) < 0)
		return;
	for (i = 0; i < n; i++) {
		if (strcmp(nics[i].bdf, bdf) || !(nics[i].flags & DPKIT_NIC_F_NETDEV) ||
		    dpkit_rtnl_link(nics[i].ifname, &info) < 0)
			continue;
		fprintf(stderr, "dpkitctl: %s is %s; addresses:", info.name,
			info.flags & 1 ? "up" : "down");
		if (dpkit_rtnl_addrs(info.ifindex, print_addr, &any) <= 0)
			fprintf(stderr, " none");
		any = 0;
		fprintf(stderr, "; routes:");
		if (dpkit_rtnl_routes(info.ifindex, print_addr, &any) <= 0)
			fprintf(stderr, " none");
		fprintf(stderr, "\n  (ip link set %s down; ip addr flush dev %s)\n",
			info.name, info.name);
	}
	free(nics);
}

int cmd_nic_bind(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "persist", no_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd *c = cmd_self("nic", "bind");
	struct dpkit_nic_bind res;
	unsigned int flags = 0;
	const char *driver;
	struct dpkit *dk;
	int opt, ret;

	if (cmd_help_requested(c, argc, argv))
		return 0;
	optind = 0;	/* reinitialise getopt: options may follow arguments */
	while ((opt = getopt_long(argc, argv, "fp", opts, NULL)) != -1) {
		if (opt == 'f')
			flags |= DPKIT_BIND_FORCE;
		else if (opt == 'p')
			flags |= DPKIT_BIND_PERSIST;
		else
			goto usage;
	}
	if (argc - optind < 1 || argc - optind > 2)
		goto usage;
	driver = argc - optind == 2 ? argv[optind + 1] : "vfio-pci";
	dk = ctl_open(ctl);
	if (!dk)
		return EXIT_FAILURE;
	ret = dpkit_nic_bind(dk, argv[optind], driver, flags, &res);
	if (ret == -EBUSY && !(flags & DPKIT_BIND_FORCE)) {
		fprintf(stderr, "dpkitctl: %s\n", dpkit_errmsg());
		explain_busy(dk, argv[optind]);
		dpkit_close(dk);
		return EXIT_FAILURE;
	}
	dpkit_close(dk);
	if (ret < 0) {
		fprintf(stderr, "dpkitctl: %s\n", dpkit_errmsg());
		return EXIT_FAILURE;
	}
	if ((flags & DPKIT_BIND_PERSIST) &&
	    dpkit_overrides_set(overrides_file(), argv[optind], driver) < 0) {
		fprintf(stderr, "dpkitctl: bound, but not made persistent: %s\n",
			dpkit_errmsg());
		return EXIT_FAILURE;
	}
	if (ctl->json)
		printf("{\"bdf\": \"%s\", \"driver\": \"%s\", \"previous\": \"%s\", "
		       "\"already\": %s, \"module_loaded\": %s, \"forced\": %s}\n",
		       argv[optind], driver, res.prev_driver,
		       res.result & DPKIT_BIND_R_ALREADY ? "true" : "false",
		       res.result & DPKIT_BIND_R_LOADED ? "true" : "false",
		       res.result & DPKIT_BIND_R_FORCED ? "true" : "false");
	else if (res.result & DPKIT_BIND_R_ALREADY)
		printf("%s: already bound to %s\n", argv[optind], driver);
	else
		printf("%s: %s -> %s%s\n", argv[optind],
		       res.prev_driver[0] ? res.prev_driver : "(none)", driver,
		       res.result & DPKIT_BIND_R_FORCED ? " (forced)" : "");
	return 0;
usage:
	return cmd_usage(c);
}

int cmd_nic_restore(struct ctl *ctl, int argc, char **argv)
{
	const struct cmd *c = cmd_self("nic", "restore");
	char driver[DPKIT_DRIVER_LEN];
	struct dpkit *dk;
	int ret;

	ret = cmd_start(c, argc, argv, 1, 1);
	if (ret >= 0)
		return ret;
	dk = ctl_open(ctl);
	if (!dk)
		return EXIT_FAILURE;
	ret = dpkit_nic_restore(dk, argv[1], driver);
	dpkit_close(dk);
	if (ret < 0) {
		fprintf(stderr, "dpkitctl: %s\n", dpkit_errmsg());
		return EXIT_FAILURE;
	}
	ret = dpkit_overrides_remove(overrides_file(), argv[1]);
	if (ret < 0)
		fprintf(stderr, "dpkitctl: warning: %s\n", dpkit_errmsg());
	if (ctl->json)
		printf("{\"bdf\": \"%s\", \"driver\": \"%s\"}\n", argv[1], driver);
	else
		printf("%s: restored, now on %s%s\n", argv[1],
		       driver[0] ? driver : "no driver",
		       ret > 0 ? "; no longer persistent" : "");
	return 0;
}

int cmd_nic_apply(struct ctl *ctl, int argc, char **argv)
{
	const struct cmd *c = cmd_self("nic", "apply");
	struct dpkit_nic_bind res;
	struct dpkit_override *v;
	unsigned int n, i, failed = 0;
	struct dpkit *dk;
	int ret;

	ret = cmd_start(c, argc, argv, 0, 0);
	if (ret >= 0)
		return ret;
	if (dpkit_overrides_load(overrides_file(), &v, &n) < 0) {
		fprintf(stderr, "dpkitctl: %s\n", dpkit_errmsg());
		return EXIT_FAILURE;
	}
	dk = ctl_open(ctl);
	if (!dk) {
		free(v);
		return EXIT_FAILURE;
	}
	for (i = 0; i < n; i++) {
		if (dpkit_nic_bind(dk, v[i].bdf, v[i].driver, DPKIT_BIND_PERSIST,
				   &res) < 0) {
			fprintf(stderr, "dpkitctl: %s\n", dpkit_errmsg());
			failed++;
		} else if (!ctl->json) {
			printf("%s: %s\n", v[i].bdf,
			       res.result & DPKIT_BIND_R_ALREADY ? "already on it" :
			       "bound");
		}
	}
	dpkit_close(dk);
	if (!ctl->json)
		printf("%u override%s from %s, %u failed\n", n, n == 1 ? "" : "s",
		       overrides_file(), failed);
	else
		printf("{\"overrides\": %u, \"failed\": %u}\n", n, failed);
	free(v);
	return failed ? EXIT_FAILURE : 0;
}
