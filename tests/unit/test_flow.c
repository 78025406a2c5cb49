/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The software flow hash (user/dpkitd/flow.c): the 5-tuple decides, the
 * rest of the frame does not; VLAN tags are looked through; fragments
 * after the first hash by addresses; short frames are never over-read
 * (ASan would say).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "flow.h"

/* An Ethernet + IPv4 + UDP frame; @vlan inserts an 802.1Q tag. */
static uint32_t v4(uint8_t *f, int vlan, uint32_t saddr, uint16_t sport,
		   uint16_t dport, uint8_t proto)
{
	uint32_t off = 12, len;

	memset(f, 0, 128);
	memcpy(f, "\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02", 12);
	if (vlan) {
		memcpy(f + off, "\x81\x00\x00\x0a", 4);
		off += 4;
	}
	memcpy(f + off, "\x08\x00", 2);
	off += 2;
	f[off] = 0x45;
	f[off + 9] = proto;
	memcpy(f + off + 12, &saddr, 4);
	memcpy(f + off + 16, "\x0a\x00\x00\x02", 4);
	f[off + 20] = sport >> 8;
	f[off + 21] = sport & 0xff;
	f[off + 22] = dport >> 8;
	f[off + 23] = dport & 0xff;
	len = off + 28 + 18;	/* UDP header and a payload */
	return len;
}

static void five_tuple_decides(void **state)
{
	uint8_t a[128], b[128];
	uint32_t la, lb, h;

	(void)state;
	la = v4(a, 0, 0x0100000a, 1000, 53, 17);
	h = dpk_flow_hash(a, la);
	assert_true(h <= DPK_FLOW_ID_MASK);
	assert_int_equal(dpk_flow_hash(a, la), h);	/* stable */
	/* The payload, the TTL and the MACs do not matter. */
	lb = v4(b, 0, 0x0100000a, 1000, 53, 17);
	b[lb - 1] = 0x55;
	b[14 + 8] = 64;
	b[0] = 0x04;
	assert_int_equal(dpk_flow_hash(b, lb), h);
	/* A VLAN tag is looked through. */
	lb = v4(b, 1, 0x0100000a, 1000, 53, 17);
	assert_int_equal(dpk_flow_hash(b, lb), h);
	/* Each field of the tuple does. */
	lb = v4(b, 0, 0x0200000a, 1000, 53, 17);
	assert_int_not_equal(dpk_flow_hash(b, lb), h);
	lb = v4(b, 0, 0x0100000a, 1001, 53, 17);
	assert_int_not_equal(dpk_flow_hash(b, lb), h);
	lb = v4(b, 0, 0x0100000a, 1000, 54, 17);
	assert_int_not_equal(dpk_flow_hash(b, lb), h);
	lb = v4(b, 0, 0x0100000a, 1000, 53, 6);
	assert_int_not_equal(dpk_flow_hash(b, lb), h);
}

/* Swap a frame's addresses and ports: the other direction of its flow. */
static void reverse(uint8_t *f, uint32_t l3, uint32_t alen)
{
	uint8_t t[16];
	uint32_t l4 = l3 + (alen == 4 ? 20 : 40), a = l3 + (alen == 4 ? 12 : 8);

	memcpy(t, f + a, alen);
	memcpy(f + a, f + a + alen, alen);
	memcpy(f + a + alen, t, alen);
	memcpy(t, f + l4, 2);
	memcpy(f + l4, f + l4 + 2, 2);
	memcpy(f + l4 + 2, t, 2);
}

/*
 * Both directions of a connection are one flow (a stateful stage sees
 * them on one worker, in order): IPv4 and IPv6, TCP and UDP.
 */
static void symmetric(void **state)
{
	uint8_t a[128], b[128];
	uint32_t la, h;

	(void)state;
	la = v4(a, 0, 0x0100000a, 40000, 80, 6);
	h = dpk_flow_hash(a, la);
	memcpy(b, a, la);
	reverse(b, 14, 4);
	assert_memory_not_equal(a, b, la);
	assert_int_equal(dpk_flow_hash(b, la), h);
	/* same addresses both ways: the ports decide the order */
	la = v4(a, 1, 0x0200000a, 40000, 80, 17);
	memcpy(a + 18 + 12, a + 18 + 16, 4);
	h = dpk_flow_hash(a, la);
	memcpy(b, a, la);
	reverse(b, 18, 4);
	assert_int_equal(dpk_flow_hash(b, la), h);
	/* IPv6 + TCP */
	memset(a, 0, sizeof(a));
	a[12] = 0x86;
	a[13] = 0xdd;
	a[14] = 0x60;
	a[14 + 6] = 6;
	memset(a + 14 + 8, 0x11, 16);
	memset(a + 14 + 24, 0x22, 16);
	a[14 + 40] = 0x9c;	/* 40000 */
	a[14 + 43] = 22;
	la = 14 + 40 + 20;
	h = dpk_flow_hash(a, la);
	memcpy(b, a, la);
	reverse(b, 14, 16);
	assert_int_equal(dpk_flow_hash(b, la), h);
	/* IPv6 addresses alike in their first half (the order is decided
	 * by the second), and each half counts */
	memset(a + 14 + 24, 0x11, 8);
	h = dpk_flow_hash(a, la);
	memcpy(b, a, la);
	reverse(b, 14, 16);
	assert_int_equal(dpk_flow_hash(b, la), h);
	b[14 + 8 + 15] ^= 1;
	assert_int_not_equal(dpk_flow_hash(b, la), h);
	memcpy(b, a, la);
	b[14 + 8] ^= 1;
	assert_int_not_equal(dpk_flow_hash(b, la), h);
	/* the same IPv6 address both ways: the ports decide the order */
	memcpy(a + 14 + 24, a + 14 + 8, 16);
	h = dpk_flow_hash(a, la);
	memcpy(b, a, la);
	reverse(b, 14, 16);
	assert_memory_not_equal(a, b, la);
	assert_int_equal(dpk_flow_hash(b, la), h);
}

/* Toeplitz, as a NIC computes it, over @n bytes of @in with @key. */
static uint32_t toeplitz(const uint8_t *key, const uint8_t *in, unsigned int n)
{
	uint32_t h = 0, v = (uint32_t)key[0] << 24 | key[1] << 16 | key[2] << 8 | key[3];
	unsigned int i, b;

	for (i = 0; i < n; i++)
		for (b = 0; b < 8; b++) {
			if (in[i] & (0x80 >> b))
				h ^= v;
			v = v << 1 | (key[i + 4] >> (7 - b) & 1);
		}
	return h;
}

/*
 * The RSS key dpkitd gives NICs by default makes their Toeplitz hash the
 * same both ways: (saddr, daddr, sport, dport) and its reverse.
 */
static void symmetric_rss_key(void **state)
{
	uint8_t key[52], fwd[36], rev[36];
	unsigned int i;

	(void)state;
	dpk_flow_symmetric_key(key, sizeof(key));
	for (i = 0; i < 36; i++)
		fwd[i] = (uint8_t)(i * 37 + 11);
	/* IPv4: 4 + 4 + 2 + 2 bytes; IPv6: 16 + 16 + 2 + 2 */
	memcpy(rev, fwd + 4, 4);
	memcpy(rev + 4, fwd, 4);
	memcpy(rev + 8, fwd + 10, 2);
	memcpy(rev + 10, fwd + 8, 2);
	assert_int_equal(toeplitz(key, fwd, 12), toeplitz(key, rev, 12));
	memcpy(rev, fwd + 16, 16);
	memcpy(rev + 16, fwd, 16);
	memcpy(rev + 32, fwd + 34, 2);
	memcpy(rev + 34, fwd + 32, 2);
	assert_int_equal(toeplitz(key, fwd, 36), toeplitz(key, rev, 36));
	assert_int_not_equal(toeplitz(key, fwd, 36), toeplitz(key, fwd + 1, 35));
}

static void fragments_and_others(void **state)
{
	uint8_t a[128], b[128];
	uint32_t la, lb;

	(void)state;
	/* A later fragment has no ports: all of its flow hash alike. */
	la = v4(a, 0, 0x0100000a, 1000, 53, 17);
	lb = v4(b, 0, 0x0100000a, 2000, 99, 17);
	a[14 + 7] = b[14 + 7] = 0x10;	/* fragment offset 16 */
	assert_int_equal(dpk_flow_hash(a, la), dpk_flow_hash(b, lb));
	/* ICMP: addresses and protocol only. */
	la = v4(a, 0, 0x0100000a, 1, 2, 1);
	lb = v4(b, 0, 0x0100000a, 3, 4, 1);
	assert_int_equal(dpk_flow_hash(a, la), dpk_flow_hash(b, lb));
	/* Not IP (ARP): the Ethernet header. */
	memset(a, 0, sizeof(a));
	memcpy(a + 12, "\x08\x06", 2);
	memcpy(b, a, sizeof(a));
	b[30] = 1;
	assert_int_equal(dpk_flow_hash(a, 60), dpk_flow_hash(b, 60));
	b[5] = 1;
	assert_int_not_equal(dpk_flow_hash(a, 60), dpk_flow_hash(b, 60));
}

/* Truncated frames: exact-size heap copies, so ASan sees any over-read. */
static void short_frames(void **state)
{
	uint8_t f[128], *c;
	uint32_t len, l;

	(void)state;
	len = v4(f, 1, 0x0100000a, 1000, 53, 17);
	for (l = 0; l <= len; l++) {
		c = malloc(l ? l : 1);
		assert_non_null(c);
		memcpy(c, f, l);
		assert_true(dpk_flow_hash(c, l) <= DPK_FLOW_ID_MASK);
		free(c);
	}
}

/* Spread: 4096 UDP flows over 64 buckets, none empty, none over 3x. */
static void spreads(void **state)
{
	unsigned int buckets[64] = { 0 }, i;
	uint8_t f[128];
	uint32_t len;

	(void)state;
	for (i = 0; i < 4096; i++) {
		len = v4(f, 0, 0x0100000a + (i << 24), 1024 + i, 53, 17);
		buckets[dpk_flow_hash(f, len) % 64]++;
	}
	for (i = 0; i < 64; i++) {
		assert_true(buckets[i] > 0);
		assert_true(buckets[i] < 3 * 4096 / 64);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(five_tuple_decides),
		cmocka_unit_test(symmetric),
		cmocka_unit_test(symmetric_rss_key),
		cmocka_unit_test(fragments_and_others),
		cmocka_unit_test(short_frames),
		cmocka_unit_test(spreads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
