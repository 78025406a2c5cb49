// SPDX-License-Identifier: GPL-2.0
/*
 * A deliberately broken module for the harness self-test: it panics in its
 * init function. Never loaded outside tests/harness/panic.sh.
 */
#include <linux/kernel.h>
#include <linux/module.h>

static int __init dpkit_panic_init(void)
{
	panic("dpkit harness self-test: deliberate panic in module init\n");
	return 0;
}
module_init(dpkit_panic_init);

MODULE_DESCRIPTION("dpkit harness self-test: panics on load");
MODULE_LICENSE("GPL");
