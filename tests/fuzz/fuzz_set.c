/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpkitd --set KEY=VALUE (dpk_config_set, config.c) after a one-port
 * configuration: the input is one --set per line, or, when its first byte
 * is odd, one argument holding the rest (an argument may hold any byte but
 * NUL, line breaks included). Each is taken or refused with a message; the
 * configuration they make, once checked, survives stage one's memfd (the
 * same round trip as fuzz_config).
 */
#define FUZZ_CONFIG_NO_MAIN
#include "fuzz_config.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, *arg, *save = NULL, err[512];
	struct dpk_config cfg;
	int single, ok = 1;

	if (!size)
		return 0;
	single = data[0] & 1;
	text = fuzz_string(data + 1, size - 1);
	if (!text)
		return 0;
	dpk_config_defaults(&cfg);
	if (dpk_config_set(&cfg, "port.p0.device=net_null0", err, sizeof(err)))
		abort();
	for (arg = single ? text : strtok_r(text, "\n", &save); arg && ok;
	     arg = single ? NULL : strtok_r(NULL, "\n", &save)) {
		err[0] = '\0';
		if (dpk_config_set(&cfg, arg, err, sizeof(err)) < 0) {
			FUZZ_ASSERT(err[0], "'%s' refused without a message", arg);
			ok = 0;
		}
	}
	if (ok && dpk_config_check(&cfg, err, sizeof(err)) == 0)
		fuzz_config_round_trip(&cfg);
	free(text);
	return 0;
}
