/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the libFuzzer targets share (tests/fuzz, Documentation/reliability.rst).
 * A target is one fuzz_NAME.c defining LLVMFuzzerTestOneInput(); a finding
 * is a crash, a sanitizer report or a broken property (FUZZ_ASSERT).
 */
#ifndef DPKIT_FUZZ_H
#define DPKIT_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property every input must keep; abort (a finding) when it does not. */
#define FUZZ_ASSERT(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "fuzz: %s:%d: %s: ", __FILE__,	\
				__LINE__, #cond);			\
			fprintf(stderr, __VA_ARGS__);			\
			fputc('\n', stderr);				\
			abort();					\
		}							\
	} while (0)

/* The input as a NUL-terminated string (what a file or argv would give). */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s) {
		memcpy(s, data, size);
		s[size] = '\0';
	}
	return s;
}

#endif /* DPKIT_FUZZ_H */
