/* SPDX-License-Identifier: BSD-3-Clause */
/* dpkitd's configuration: parsing, overrides, checks and their messages. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config.h"
#include "fake_fs.h"

static char err[512];

static int parse(struct dpk_config *cfg, const char *text)
{
	dpk_config_defaults(cfg);
	err[0] = '\0';
	if (dpk_config_parse(cfg, "t.conf", text, err, sizeof(err)))
		return -1;
	return dpk_config_check(cfg, err, sizeof(err));
}

static void full_file(void **state)
{
	struct dpk_config cfg;

	(void)state;
	assert_int_equal(parse(&cfg,
		"# dpkitd\n"
		"worker-cpus = 2-3   # two workers\n"
		"main-lcore = 0\n"
		"eventdev = dlb2\n"
		"eventdev-args = 0000:6d:00.0,num_dir_credits=64\n"
		"stage = reflect\n"
		"mbufs = 16383\n"
		"hugepages = yes\n"
		"memory = 1024\n"
		"log-level = debug\n"
		"user = dpkit\n"
		"group = dpkit-data\n"
		"\n"
		"[port wan]\n"
		"device = 0000:00:05.0\n"
		"queues = 2\n"
		"rx-desc = 2048\n"
		"forward = lan\n"
		"priority = 0\n"
		"[ port lan ]\n"
		"device = net_ring0\n"), 0);
	assert_true(cfg.workers_listed);
	assert_int_equal(cfg.nr_workers, 2);
	assert_int_equal(cfg.worker_cpus[0], 0xc);
	assert_int_equal(cfg.main_lcore, 0);
	assert_int_equal(cfg.eventdev, DPK_EVDEV_DLB2);
	assert_string_equal(cfg.eventdev_args, "0000:6d:00.0,num_dir_credits=64");
	assert_string_equal(cfg.stage, "reflect");
	assert_int_equal(cfg.mbufs, 16383);
	assert_true(cfg.hugepages);
	assert_int_equal(cfg.memory_mb, 1024);
	assert_string_equal(cfg.user, "dpkit");
	assert_string_equal(cfg.group, "dpkit-data");
	assert_int_equal(cfg.nr_ports, 2);
	assert_string_equal(cfg.ports[0].name, "wan");
	assert_true(cfg.ports[0].is_pci);
	assert_int_equal(cfg.ports[0].queues, 2);
	assert_int_equal(cfg.ports[0].rx_desc, 2048);
	assert_int_equal(cfg.ports[0].tx_desc, 1024);
	assert_int_equal(cfg.ports[0].forward_idx, 1);
	assert_int_equal(cfg.ports[0].priority, 0);
	assert_int_equal(cfg.ports[1].priority, 2);	/* the default */
	assert_false(cfg.ports[1].is_pci);
	/* Two ports and no forward for lan: to the other one. */
	assert_int_equal(cfg.ports[1].forward_idx, 0);
}

static void defaults_and_one_port(void **state)
{
	struct dpk_config cfg;

	(void)state;
	assert_int_equal(parse(&cfg, "[port p]\ndevice = net_null0\n"), 0);
	assert_int_equal(cfg.nr_workers, 1);
	assert_false(cfg.workers_listed);
	assert_int_equal(cfg.eventdev, DPK_EVDEV_AUTO);
	assert_string_equal(cfg.stage, "forward");
	assert_true(cfg.hugepages);
	assert_int_equal(cfg.ports[0].forward_idx, 0);	/* to itself */
}

/* Each bad input: one message naming the place, the key and the problem. */
static void errors_name_the_place(void **state)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "workerz = 2\n", "t.conf:1: workerz: unknown key" },
		{ "workers = 0\n", "t.conf:1: workers: '0' is not a worker count" },
		{ "workers = -1\n", "workers: '-1' is not a worker count" },
		{ "\nworker-cpus = 3-1\n", "t.conf:2: worker-cpus: CPU list '3-1': range 3-1 goes backwards" },
		{ "eventdev = fast\n", "eventdev: 'fast': one of auto, dlb2, dsw, sw, none" },
		{ "hugepages = maybe\n", "hugepages: 'maybe': yes or no" },
		{ "memory = 10\n", "memory: '10': 64 to" },
		{ "log-level = loud\n", "log-level: 'loud'" },
		{ "mbuf-cache = 600\n", "mbuf-cache: '600': 0 to 512" },
		{ "rx-mode = sometimes\n", "rx-mode: 'sometimes': poll, adaptive or interrupt" },
		{ "idle-passes = 0\n", "idle-passes: '0': 1 to" },
		{ "[port p0]\nrx-mode = idle\n", "t.conf:2: port p0: rx-mode: 'idle'" },
		{ "just words\n", "t.conf:1: expected 'key = value', not 'just words'" },
		{ "[ports p0]\n", "t.conf:1: expected '[port NAME]'" },
		{ "[port a b c d e f g h i j]\n", "bad port name" },
		{ "[port p0]\ndevice = eth0\n", "t.conf:2: port p0: device: 'eth0': a PCI address" },
		{ "[port p0]\nrx-desc = 1000\n", "port p0: rx-desc: '1000': a power of two" },
		{ "[port p0]\nspeed = 10\n", "port p0: speed: unknown port key" },
		{ "[port p0]\nqueues = 65\n", "port p0: queues: '65': 1 to 64" },
		{ "", "no [port NAME] section" },
		{ "[port p0]\nqueues = 2\n", "port p0: device: missing" },
		{ "[port a]\ndevice=net_ring0\n[port b]\ndevice=net_ring0\n",
		  "port b: device: net_ring0 is also port a" },
		{ "[port a]\ndevice=net_ring0\nforward=c\n", "port a: forward: no port named 'c'" },
		{ "[port a]\ndevice=net_ring0\n[port b]\ndevice=net_ring1\n[port c]\ndevice=net_ring2\n",
		  "port a: forward: missing" },
		{ "service-cpu = x\n", "service-cpu: 'x': a CPU number or inline" },
		{ "worker-cpus = 1-2\nservice-cpu = 2\n[port a]\ndevice=net_ring0\n",
		  "service-cpu: CPU 2 is also a worker CPU" },
		{ "isolate = 2-3\nworker-cpus = 1\n[port a]\ndevice=net_ring0\n",
		  "worker-cpus: CPU 1 is not in isolate" },
		{ "isolate = 0-1\nmain-lcore = 1\n[port a]\ndevice=net_ring0\n",
		  "main-lcore: CPU 1 is in isolate" },
		{ "isolate = 1-x\n", "isolate: " },
		{ "stage = my stage\n", "t.conf:1: stage: 'my stage' is not a stage name" },
		{ "[port p0]\npriority = 4\n", "port p0: priority: '4': 0 (highest) to 3" },
		{ "eventdev = dlb2\n[port a]\ndevice=net_ring0\n",
		  "eventdev-args: eventdev = dlb2 needs the DLB2's PCI address" },
		{ "eventdev = dlb2\neventdev-args = 0000:6d:00.0x\n[port a]\ndevice=net_ring0\n",
		  "eventdev-args: eventdev = dlb2 needs" },
		{ "worker-cpus = 0-1\nmain-lcore = 1\n[port a]\ndevice=net_ring0\n",
		  "main-lcore: CPU 1 is also a worker CPU" },
		{ "user = -root\n", "t.conf:1: user: '-root' is not a user name" },
		{ "user = dp kit\n", "user: 'dp kit' is not a user name" },
		{ "group = a:b\n", "group: 'a:b' is not a group name" },
		{ "user = aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", "is not a user name" },
		{ "group = dpkit\n[port a]\ndevice=net_ring0\n",
		  "group: without user =" },
	};
	struct dpk_config cfg;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(&cfg, bad[i].text) == 0)
			fail_msg("accepted: %s", bad[i].text);
		if (!strstr(err, bad[i].msg))
			fail_msg("for '%s': got '%s', wanted '%s'", bad[i].text,
				 err, bad[i].msg);
	}
}

/* A PCI port DMAs to the pool: hugepages only (4 KiB pages are for vdevs). */
static void pci_port_needs_hugepages(void **state)
{
	struct dpk_config cfg;

	(void)state;
	assert_int_equal(parse(&cfg, "hugepages = no\n[port p]\ndevice = 0000:00:05.0\n"),
			 -EINVAL);
	assert_string_equal(err, "config: port p: device: a PCI port needs "
			    "hugepages (hugepages = no gives 4 KiB pages: DMA "
			    "through the IOMMU page by page, or not at all "
			    "without one)");
	assert_int_equal(parse(&cfg, "hugepages = no\n[port p]\ndevice = net_null0\n"), 0);
}

/* rss-key and reta: parsed, checked, printed back. */
static void rss_keys(void **state)
{
	struct dpk_config cfg;

	(void)state;
	assert_int_equal(parse(&cfg, "[port p]\ndevice = net_null0\n"), 0);
	assert_int_equal(cfg.ports[0].rss_key_kind, DPK_RSS_KEY_SYMMETRIC);
	assert_int_equal(cfg.ports[0].nr_reta, 0);
	assert_int_equal(parse(&cfg, "[port p]\ndevice = net_null0\nrss-key = "
			       "device\nreta = 1,0,3\n"), 0);
	assert_int_equal(cfg.ports[0].rss_key_kind, DPK_RSS_KEY_DEVICE);
	assert_int_equal(cfg.ports[0].nr_reta, 3);
	assert_int_equal(cfg.ports[0].reta[2], 3);
	assert_int_equal(parse(&cfg, "[port p]\ndevice = net_null0\nrss-key = "
			       "00ff10Ab\n"), 0);
	assert_int_equal(cfg.ports[0].rss_key_kind, DPK_RSS_KEY_GIVEN);
	assert_int_equal(cfg.ports[0].rss_key_len, 4);
	assert_int_equal(cfg.ports[0].rss_key[3], 0xab);
	assert_int_equal(parse(&cfg, "[port p]\ndevice = net_null0\nrss-key = abc\n"),
			 -1);
	assert_string_equal(err, "t.conf:3: port p: rss-key: 'abc': symmetric, "
			    "device, or the key in hex (up to 64 bytes)");
	assert_int_equal(parse(&cfg, "[port p]\ndevice = net_null0\nreta = 1,,x\n"),
			 -1);
	assert_non_null(strstr(err, "reta: '1,,x': up to 64 rx queue numbers"));
}

static void overrides(void **state)
{
	struct dpk_config cfg;

	(void)state;
	dpk_config_defaults(&cfg);
	assert_int_equal(dpk_config_parse(&cfg, "t.conf",
		"workers = 4\n[port p0]\ndevice = net_null0\n", err,
		sizeof(err)), 0);
	assert_int_equal(dpk_config_set(&cfg, "workers=2", err, sizeof(err)), 0);
	assert_int_equal(cfg.nr_workers, 2);
	assert_int_equal(dpk_config_set(&cfg, "port.p0.queues = 3", err,
					sizeof(err)), 0);
	assert_int_equal(cfg.ports[0].queues, 3);
	/* A new port from the command line. */
	assert_int_equal(dpk_config_set(&cfg, "port.p1.device=net_null1", err,
					sizeof(err)), 0);
	assert_int_equal(cfg.nr_ports, 2);
	assert_int_equal(dpk_config_check(&cfg, err, sizeof(err)), 0);
	assert_int_equal(dpk_config_set(&cfg, "workers", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "--set: 'workers': expected KEY=VALUE"));
	assert_int_equal(dpk_config_set(&cfg, "port.p0=1", err, sizeof(err)), -EINVAL);
	assert_int_equal(dpk_config_set(&cfg, "port.p0.mtu=1", err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "--set: port p0: mtu: unknown port key"));
	/* Stage one hands the result on as a file: what a file cannot say
	 * (a comment, a line break: a line of its own) is refused. */
	assert_int_equal(dpk_config_set(&cfg, "eventdev-args=x#y", err,
					sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "no '#' or line break"));
	assert_int_equal(dpk_config_set(&cfg, "port.p0.device=net_null0\n"
					"workers=3", err, sizeof(err)), -EINVAL);
	assert_int_equal(cfg.nr_workers, 2);
}

/* rx-mode: poll by default; the global one for every port that does not
 * say, even when it comes after the ports (--set); a port's own. */
static void rx_modes(void **state)
{
	struct dpk_config cfg;

	(void)state;
	assert_int_equal(parse(&cfg, "[port a]\ndevice = net_null0\n"), 0);
	assert_int_equal(cfg.rx_mode, DPK_RX_POLL);
	assert_int_equal(cfg.ports[0].rx_mode, DPK_RX_POLL);
	assert_int_equal(cfg.idle_passes, DPK_IDLE_PASSES);
	assert_int_equal(parse(&cfg, "rx-mode = adaptive\nidle-passes = 1000\n"
			       "[port a]\ndevice = net_null0\n[port b]\n"
			       "device = net_ring0\nrx-mode = interrupt\n"), 0);
	assert_int_equal(cfg.ports[0].rx_mode, DPK_RX_ADAPTIVE);
	assert_false(cfg.ports[0].rx_mode_set);
	assert_int_equal(cfg.ports[1].rx_mode, DPK_RX_INTERRUPT);
	assert_int_equal(cfg.idle_passes, 1000);
	dpk_config_defaults(&cfg);
	assert_int_equal(dpk_config_parse(&cfg, "t.conf", "[port a]\ndevice = "
					  "net_null0\n", err, sizeof(err)), 0);
	assert_int_equal(dpk_config_set(&cfg, "rx-mode=interrupt", err,
					sizeof(err)), 0);
	assert_int_equal(dpk_config_check(&cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.ports[0].rx_mode, DPK_RX_INTERRUPT);
	assert_string_equal(dpk_rx_mode_name(DPK_RX_ADAPTIVE), "adaptive");
}

static void print_parses_back(void **state)
{
	struct dpk_config a, b;
	char buf[4096];
	FILE *f;

	(void)state;
	assert_int_equal(parse(&a, "worker-cpus = 1,3\neventdev = sw\nstage = drop\n"
			       "isolate = 1-3\nservice-cpu = 2\n"
			       "mbufs = 20000\nlcores-per-cpu = 1\n"
			       "user = nobody\ngroup = nogroup\n"
			       "rx-mode = adaptive\nidle-passes = 64\n"
			       "[port x]\ndevice = 0000:3b:00.1\nqueues = 4\n"
			       "rx-mode = interrupt\n"
			       "[port y]\ndevice = net_tap0\ntx-desc = 512\n"
			       "priority = 3\nrss-key = 0a0b\nreta = 0,1\n"
			       "rx-mode = poll\n"), 0);
	f = fmemopen(buf, sizeof(buf), "w");
	assert_non_null(f);
	dpk_config_print(&a, f);
	fclose(f);
	assert_int_equal(parse(&b, buf), 0);
	assert_memory_equal(&a, &b, sizeof(a));
}

/* eventdev = auto: a DLB2 PF in a sysfs tree, other Intel devices not. */
static void find_dlb2(void **state)
{
	char root[] = "/tmp/dpkit-sysfs-XXXXXX", path[256], bdf[16];
	static const char *const devs[][3] = {
		{ "0000:00:03.0", "0x8086\n", "0x100e\n" },	/* e1000 */
		{ "0000:6d:00.0", "0x8086\n", "0x2710\n" },	/* DLB2 PF */
		{ "0000:6d:00.1", "0x8086\n", "0x2711\n" },	/* DLB2 VF */
	};
	size_t i;

	(void)state;
	assert_non_null(mkdtemp(root));
	assert_int_equal(dpk_find_dlb2(root, bdf, sizeof(bdf)), -ENOENT);
	for (i = 0; i < 3; i++) {
		if (i == 1)
			assert_int_equal(dpk_find_dlb2(root, bdf, sizeof(bdf)),
					 -ENOENT);
		snprintf(path, sizeof(path), "/bus/pci/devices/%s/vendor",
			 devs[i][0]);
		fake_fs_put(root, path, devs[i][1]);
		snprintf(path, sizeof(path), "/bus/pci/devices/%s/device",
			 devs[i][0]);
		fake_fs_put(root, path, devs[i][2]);
	}
	assert_int_equal(dpk_find_dlb2(root, bdf, sizeof(bdf)), 0);
	assert_string_equal(bdf, "0000:6d:00.0");
	snprintf(path, sizeof(path), "rm -rf %s", root);
	assert_int_equal(system(path), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(full_file),
		cmocka_unit_test(defaults_and_one_port),
		cmocka_unit_test(errors_name_the_place),
		cmocka_unit_test(pci_port_needs_hugepages),
		cmocka_unit_test(rss_keys),
		cmocka_unit_test(overrides),
		cmocka_unit_test(rx_modes),
		cmocka_unit_test(print_parses_back),
		cmocka_unit_test(find_dlb2),
	};

	return cmocka_run_group_tests_name("dpkitd_config", tests, NULL, NULL);
}
