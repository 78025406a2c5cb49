/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpkitd's configuration file (config.c): any text parses or is refused
 * with a message. One that parses and checks prints (what stage one writes
 * into its memfd) as a file that parses and checks to the same
 * configuration, and its port names are plain keys for the telemetry's
 * JSON (/dpkit/ports).
 */
#include "fuzz.h"
#include "config.h"

/* The configuration as dpk_config_print() says it (malloc'd). */
char *fuzz_config_text(const struct dpk_config *cfg);
char *fuzz_config_text(const struct dpk_config *cfg)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		abort();
	dpk_config_print(cfg, f);
	fclose(f);
	return text;
}

/* @cfg parsed and checked: it survives the memfd, and names are keys. */
void fuzz_config_round_trip(const struct dpk_config *cfg);
void fuzz_config_round_trip(const struct dpk_config *cfg)
{
	char *one = fuzz_config_text(cfg), *two, err[512];
	struct dpk_config again;
	unsigned int i;

	dpk_config_defaults(&again);
	FUZZ_ASSERT(dpk_config_parse(&again, "memfd", one, err, sizeof(err)) == 0 &&
		    dpk_config_check(&again, err, sizeof(err)) == 0,
		    "the printed configuration is refused: %s\n%s", err, one);
	two = fuzz_config_text(&again);
	FUZZ_ASSERT(!strcmp(one, two), "printed, parsed, printed differs:\n%s"
		    "---\n%s", one, two);
	for (i = 0; i < cfg->nr_ports; i++)
		FUZZ_ASSERT(strspn(cfg->ports[i].name, "abcdefghijklmnopqrstuvwxyz"
				   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") ==
			    strlen(cfg->ports[i].name) && cfg->ports[i].name[0],
			    "port name '%s'", cfg->ports[i].name);
	free(one);
	free(two);
}

#ifndef FUZZ_CONFIG_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size), err[512];
	struct dpk_config cfg;

	if (!text)
		return 0;
	dpk_config_defaults(&cfg);
	err[0] = '\0';
	if (dpk_config_parse(&cfg, "fuzz", text, err, sizeof(err)) == 0 &&
	    dpk_config_check(&cfg, err, sizeof(err)) == 0)
		fuzz_config_round_trip(&cfg);
	else
		FUZZ_ASSERT(err[0], "refused without a message");
	free(text);
	return 0;
}
#endif
