/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dpkit's JSON string writer (dpkit_json_string, err.c: the strings
 * dpkitctl --json prints, interface and driver names included, go through
 * it): for any bytes, the output is one JSON string in valid UTF-8
 * (RFC 8259); for valid UTF-8 input it decodes back to the input.
 */
#include "fuzz.h"
#include "libdpkit.h"

/* The length of the valid UTF-8 sequence at @s (RFC 3629), or 0. */
static int utf8_seq(const unsigned char *s)
{
	int n, i;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static int utf8_valid(const char *s)
{
	int n;

	for (; *s; s += n) {
		n = utf8_seq((const unsigned char *)s);
		if (!n)
			return 0;
	}
	return 1;
}

/*
 * Decode the JSON string at @s (RFC 8259) into @out; its length, or -1.
 * An escape of a character past ASCII (the writer's for a byte that is not
 * UTF-8) sets *@lossy.
 */
static long decode(const char *s, char *out, int *lossy)
{
	const char *p = s;
	long n = 0;
	unsigned int u;

	if (*p++ != '"')
		return -1;
	for (; *p != '"'; p++) {
		unsigned char c = *p;

		if (!c || c < 0x20)
			return -1;	/* unterminated, or raw control */
		if (c != '\\') {
			out[n++] = c;
			continue;
		}
		switch (*++p) {
		case '"': case '\\': case '/':
			out[n++] = *p;
			break;
		case 'b': out[n++] = '\b'; break;
		case 'f': out[n++] = '\f'; break;
		case 'n': out[n++] = '\n'; break;
		case 'r': out[n++] = '\r'; break;
		case 't': out[n++] = '\t'; break;
		case 'u':
			if (sscanf(p + 1, "%4x", &u) != 1)
				return -1;
			if (u >= 0x80)
				*lossy = 1;
			out[n++] = u;
			p += 4;
			break;
		default:
			return -1;
		}
	}
	return p[1] ? -1 : n;	/* nothing after the closing quote */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = fuzz_string(data, size), *text = NULL, *back;
	size_t len = 0;
	int lossy = 0;
	long n;
	FILE *f;

	if (!in)
		return 0;
	f = open_memstream(&text, &len);
	if (!f)
		abort();
	dpkit_json_string(f, in);
	fclose(f);
	back = malloc(len + 1);
	if (!back)
		abort();
	FUZZ_ASSERT(utf8_valid(text), "not UTF-8: %s", text);
	n = decode(text, back, &lossy);
	FUZZ_ASSERT(n >= 0, "not one JSON string: %s", text);
	if (utf8_valid(in))
		FUZZ_ASSERT(!lossy && (size_t)n == strlen(in) &&
			    !memcmp(back, in, n), "decodes to something else: %s",
			    text);
	free(back);
	free(text);
	free(in);
	return 0;
}
