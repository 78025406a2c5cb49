/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The software 5-tuple hash (flow.h): symmetric, both directions of a
 * connection are one flow. Its word step is CRC32C where the CPU has it
 * (SSE4.2, which DPDK's build needs: dpkitd's and the unit tests'),
 * murmur3's elsewhere.
 */
#include <stddef.h>
#include <string.h>

#include "flow.h"

#define ETH_HLEN	14
#define ETH_P_IP	0x0800
#define ETH_P_IPV6	0x86dd
#define ETH_P_8021Q	0x8100
#define ETH_P_8021AD	0x88a8

static inline uint32_t mix(uint32_t h, uint32_t v)
{
#ifdef __SSE4_2__
	/* one CRC32C instruction per word (dpkitd is built for SSE4.2, as
	 * DPDK is); finish() spreads its bits */
	return __builtin_ia32_crc32si(h, v);
#else
	/* murmur3's block step */
	v *= 0xcc9e2d51;
	v = v << 15 | v >> 17;
	v *= 0x1b873593;
	h ^= v;
	h = h << 13 | h >> 19;
	return h * 5 + 0xe6546b64;
#endif
}

static inline uint32_t mix_bytes(uint32_t h, const uint8_t *p, uint32_t n)
{
	uint32_t v;

	for (; n >= 4; p += 4, n -= 4) {
		memcpy(&v, p, 4);
		h = mix(h, v);
	}
	for (v = 0; n; n--)
		v = v << 8 | *p++;
	return mix(h, v);
}

static uint32_t finish(uint32_t h)
{
	/* murmur3's finaliser */
	h ^= h >> 16;
	h *= 0x85ebca6b;
	h ^= h >> 13;
	h *= 0xc2b2ae35;
	h ^= h >> 16;
	return h & DPK_FLOW_ID_MASK;
}

static int has_ports(uint8_t proto)
{
	return proto == 6 || proto == 17 || proto == 132;	/* TCP UDP SCTP */
}

/*
 * The addresses (@alen bytes each, at @a) and the ports (at @l4, or none)
 * in one order whichever way the packet goes: the lower endpoint first.
 */
static uint32_t mix_endpoints(uint32_t h, const uint8_t *a, uint32_t alen,
			      const uint8_t *l4)
{
	uint32_t s4, d4;
	uint16_t sp, dp;
	int c, swap;

	/* Any order will do, as long as both directions agree: IPv4
	 * addresses and ports as host-order integers (no memcmp call). */
	if (alen == 4) {
		memcpy(&s4, a, 4);
		memcpy(&d4, a + 4, 4);
		c = (s4 > d4) - (s4 < d4);
	} else {
		c = memcmp(a, a + alen, alen);
	}
	if (!c && l4) {
		memcpy(&sp, l4, 2);
		memcpy(&dp, l4 + 2, 2);
		c = (sp > dp) - (sp < dp);
	}
	swap = c > 0;

	h = mix_bytes(h, a + (swap ? alen : 0), alen);
	h = mix_bytes(h, a + (swap ? 0 : alen), alen);
	if (l4) {
		h = mix_bytes(h, l4 + (swap ? 2 : 0), 2);
		h = mix_bytes(h, l4 + (swap ? 0 : 2), 2);
	}
	return h;
}

uint32_t dpk_flow_hash(const uint8_t *f, uint32_t len)
{
	uint32_t off = ETH_HLEN, h = 0x5eed, l4 = 0, alen;
	const uint8_t *a;
	uint16_t type;
	uint8_t proto;

	if (len < ETH_HLEN)
		return finish(mix_bytes(h, f, len));
	type = f[12] << 8 | f[13];
	if ((type == ETH_P_8021Q || type == ETH_P_8021AD) && len >= off + 4) {
		type = f[off + 2] << 8 | f[off + 3];
		off += 4;
	}
	if (type == ETH_P_IP && len >= off + 20 && (f[off] >> 4) == 4) {
		proto = f[off + 9];
		a = f + off + 12;			/* saddr, daddr */
		alen = 4;
		/* ports only in the first fragment (offset 0) */
		if (!((f[off + 6] & 0x1f) | f[off + 7]))
			l4 = off + (f[off] & 0xf) * 4;
	} else if (type == ETH_P_IPV6 && len >= off + 40 &&
		   (f[off] >> 4) == 6) {
		proto = f[off + 6];
		a = f + off + 8;			/* saddr, daddr */
		alen = 16;
		l4 = off + 40;
	} else {
		return finish(mix_bytes(h, f, ETH_HLEN));
	}
	h = mix(h, proto);
	h = mix_endpoints(h, a, alen, l4 && has_ports(proto) && len >= l4 + 4 ?
				      f + l4 : NULL);
	return finish(h);
}

void dpk_flow_symmetric_key(uint8_t *key, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		key[i] = i & 1 ? 0x5a : 0x6d;
}
