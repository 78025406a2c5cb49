/* SPDX-License-Identifier: BSD-3-Clause */
/* dpkitctl link show | dump | watch */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "dpkitctl.h"
#include "libdpkit.h"

static const char *owner_name(uint32_t owner)
{
	switch (owner) {
	case DPKIT_OWNER_KERNEL:
		return "kernel";
	case DPKIT_OWNER_DPDK:
		return "dpdk";
	default:
		return "none";
	}
}

static void format_speed(char *buf, size_t size, uint32_t flags, uint32_t speed)
{
	if (!(flags & DPKIT_LINK_F_UP) || speed == DPKIT_SPEED_UNKNOWN)
		snprintf(buf, size, "-");
	else if (speed % 1000 == 0)
		snprintf(buf, size, "%uGb/s", speed / 1000);
	else
		snprintf(buf, size, "%uMb/s", speed);
}

/* "up", or why not: "no-carrier" (admin up), "down" (admin down). */
static const char *state_name(uint32_t flags)
{
	if (flags & DPKIT_LINK_F_UP)
		return "up";
	if (flags & DPKIT_LINK_F_ADMIN_UP)
		return "no-carrier";
	return "down";
}

static const char *duplex_name(uint32_t flags)
{
	if (!(flags & DPKIT_LINK_F_UP))
		return "-";
	if (flags & DPKIT_LINK_F_FULL_DUPLEX)
		return "full";
	return flags & DPKIT_LINK_F_HALF_DUPLEX ? "half" : "-";
}

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int open_page(struct ctl *ctl, struct dpkit **dk,
		     struct dpkit_link_page *pg)
{
	*dk = ctl_open(ctl);
	if (!*dk)
		return -1;
	if (dpkit_page_map(*dk, pg) < 0) {
		fprintf(stderr, "dpkitctl: %s\n", dpkit_errmsg());
		dpkit_close(*dk);
		return -1;
	}
	return 0;
}

int cmd_link_show(struct ctl *ctl, int argc, char **argv)
{
	struct dpkit_link_page pg;
	struct dpkit_link_slot s;
	uint64_t now = monotonic_ns();
	const char *sep = "";
	struct dpkit *dk;
	char speed[16];
	uint32_t i;
	int ret;

	ret = cmd_start(cmd_self("link", "show"), argc, argv, 0, 0);
	if (ret >= 0)
		return ret;
	if (open_page(ctl, &dk, &pg) < 0)
		return EXIT_FAILURE;

	if (ctl->json)
		printf("[");
	else
		printf("%-4s  %-6s  %-5s  %-15s  %-10s  %-7s  %-6s  %7s  %s\n",
		       "SLOT", "OWNER", "KEY", "NAME", "STATE", "SPEED",
		       "DUPLEX", "CHANGES", "SINCE");
	for (i = 0; i < pg.nr_slots; i++) {
		dpkit_page_read(&pg, i, &s);
		if (s.owner == DPKIT_OWNER_NONE)
			continue;
		if (ctl->json) {
			printf("%s\n  {\"slot\": %u, \"owner\": \"%s\", \"key\": %u, "
			       "\"name\": ", sep, i, owner_name(s.owner), s.key);
			dpkit_json_string(stdout, s.name);
			printf(", \"up\": %s, \"admin_up\": %s, \"carrier\": %s, "
			       "\"speed\": %u, \"duplex\": \"%s\", \"changes\": %"
			       PRIu64 ", \"last_change_ns\": %" PRIu64 ", "
			       "\"incarnation\": %u}",
			       s.flags & DPKIT_LINK_F_UP ? "true" : "false",
			       s.flags & DPKIT_LINK_F_ADMIN_UP ? "true" : "false",
			       s.flags & DPKIT_LINK_F_CARRIER ? "true" : "false",
			       s.speed, duplex_name(s.flags),
			       (uint64_t)s.changes, (uint64_t)s.last_change_ns,
			       s.incarnation);
			sep = ",";
			continue;
		}
		format_speed(speed, sizeof(speed), s.flags, s.speed);
		printf("%-4u  %-6s  %-5u  %-15s  %-10s  %-7s  %-6s  %7" PRIu64
		       "  %.1fs\n", i, owner_name(s.owner), s.key, s.name,
		       state_name(s.flags), speed, duplex_name(s.flags),
		       (uint64_t)s.changes,
		       now > s.last_change_ns ?
		       (now - s.last_change_ns) / 1e9 : 0.0);
	}
	if (ctl->json)
		printf("\n]\n");
	dpkit_page_unmap(&pg);
	dpkit_close(dk);
	return 0;
}

static int print_event(const struct dpkit_link_event *ev, void *arg)
{
	const struct ctl *ctl = arg;
	char speed[16];

	if (ctl->json) {
		printf("{\"event\": \"%s\", \"slot\": %u, \"owner\": \"%s\", "
		       "\"key\": %u, \"name\": ",
		       ev->cmd == DPKIT_CMD_LINK_DEL ? "del" : "new", ev->slot,
		       owner_name(ev->owner), ev->key);
		dpkit_json_string(stdout, ev->name);
		printf(", \"up\": %s, \"speed\": %u, \"duplex\": \"%s\", "
		       "\"changes\": %" PRIu64 ", \"bdf\": ",
		       ev->up ? "true" : "false", ev->speed,
		       duplex_name(ev->flags), ev->changes);
		dpkit_json_string(stdout, ev->bdf);
		printf("}\n");
	} else if (ev->cmd == DPKIT_CMD_LINK_DEL) {
		printf("%s %s:%u removed\n", ev->name, owner_name(ev->owner),
		       ev->key);
	} else {
		format_speed(speed, sizeof(speed), ev->flags, ev->speed);
		printf("%s %s:%u %s %s %s changes %" PRIu64 "%s%s\n", ev->name,
		       owner_name(ev->owner), ev->key, state_name(ev->flags),
		       speed, duplex_name(ev->flags), ev->changes,
		       ev->bdf[0] ? " bdf " : "", ev->bdf);
	}
	fflush(stdout);
	return 0;
}

int cmd_link_dump(struct ctl *ctl, int argc, char **argv)
{
	const struct cmd *c = cmd_self("link", "dump");
	struct dpkit_genl *g;
	uint32_t owner = 0;
	int ret;

	ret = cmd_start(c, argc, argv, 0, 1);
	if (ret >= 0)
		return ret;
	if (argc == 2 && strcmp(argv[1], "kernel") && strcmp(argv[1], "dpdk"))
		return cmd_usage(c);
	if (argc == 2)
		owner = strcmp(argv[1], "kernel") ? DPKIT_OWNER_DPDK :
						    DPKIT_OWNER_KERNEL;
	if (dpkit_genl_open(&g, 0) < 0) {
		fprintf(stderr, "dpkitctl: %s\n", dpkit_errmsg());
		return EXIT_FAILURE;
	}
	ret = dpkit_genl_dump(g, owner, print_event, ctl);
	if (ret < 0)
		fprintf(stderr, "dpkitctl: %s\n", dpkit_errmsg());
	dpkit_genl_close(g);
	return ret < 0 ? EXIT_FAILURE : 0;
}

struct watch {
	struct ctl *ctl;
	long remaining;		/* events left to print, < 0: no limit */
};

static int watch_event(const struct dpkit_link_event *ev, void *arg)
{
	struct watch *w = arg;

	print_event(ev, w->ctl);
	if (w->remaining > 0 && !--w->remaining)
		return 1;	/* stop */
	return 0;
}

static int parse_count(const char *opt, const char *s, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	if (errno || *end || *out <= 0) {
		fprintf(stderr, "dpkitctl link watch: %s wants a positive "
			"number, not '%s'\n", opt, s);
		return -1;
	}
	return 0;
}

int cmd_link_watch(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd *c = cmd_self("link", "watch");
	struct watch w = { .ctl = ctl, .remaining = -1 };
	long timeout_s = 0;
	struct pollfd pfd[2];
	struct dpkit_genl *g;
	uint64_t deadline = 0;
	int opt, ret = 0, ms;
	sigset_t mask;

	if (cmd_help_requested(c, argc, argv))
		return 0;
	optind = 0;	/* reinitialise getopt: options may follow arguments */
	while ((opt = getopt_long(argc, argv, "c:t:", opts, NULL)) != -1) {
		if (opt == 'c' && parse_count("--count", optarg, &w.remaining) == 0)
			continue;
		if (opt == 't' && parse_count("--timeout", optarg, &timeout_s) == 0)
			continue;
		return cmd_usage(c);
	}
	if (optind < argc)
		return cmd_usage(c);

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	pfd[0].fd = signalfd(-1, &mask, SFD_CLOEXEC);
	pfd[0].events = POLLIN;
	if (pfd[0].fd < 0) {
		perror("dpkitctl: signalfd");
		return EXIT_FAILURE;
	}
	if (dpkit_genl_open(&g, 1) < 0) {
		fprintf(stderr, "dpkitctl: %s\n", dpkit_errmsg());
		close(pfd[0].fd);
		return EXIT_FAILURE;
	}
	pfd[1].fd = dpkit_genl_fd(g);
	pfd[1].events = POLLIN;
	if (timeout_s)
		deadline = monotonic_ns() + timeout_s * 1000000000ULL;
	fprintf(stderr, "dpkitctl: watching dpkit link events\n");

	for (;;) {
		ms = -1;
		if (deadline) {
			uint64_t now = monotonic_ns();

			if (now >= deadline) {
				fprintf(stderr, "dpkitctl: no more events in %ld s\n",
					timeout_s);
				ret = w.remaining > 0 ? 1 : 0;
				break;
			}
			ms = (deadline - now) / 1000000 + 1;
		}
		if (poll(pfd, 2, ms) < 0 && errno != EINTR) {
			perror("dpkitctl: poll");
			ret = 1;
			break;
		}
		if (pfd[0].revents)
			break;		/* SIGINT or SIGTERM: done */
		if (!pfd[1].revents)
			continue;
		ret = dpkit_genl_recv(g, watch_event, &w);
		if (ret < 0) {
			fprintf(stderr, "dpkitctl: %s\n", dpkit_errmsg());
			ret = 1;
			break;
		}
		if (ret > 0) {		/* --count reached */
			ret = 0;
			break;
		}
	}
	dpkit_genl_close(g);
	close(pfd[0].fd);
	return ret ? EXIT_FAILURE : 0;
}
