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
	if (!n)
		return h;
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
 * The endpoints in one order whichever way the packet goes: the lower
 * (address, port) first, as integers (any order does, as long as both
 * directions agree). IPv4: each address one word, the ports one; IPv6:
 * each address four.
 */
static uint32_t mix_v4(uint32_t h, const uint8_t *a, const uint8_t *l4)
{
	uint32_t s, d, t;
	uint16_t sp = 0, dp = 0, tp;

	memcpy(&s, a, 4);
	memcpy(&d, a + 4, 4);
	if (l4) {
		memcpy(&sp, l4, 2);
		memcpy(&dp, l4 + 2, 2);
	}
	if (s > d || (s == d && sp > dp)) {
		t = s, s = d, d = t;
		tp = sp, sp = dp, dp = tp;
	}
	h = mix(mix(h, s), d);
	return l4 ? mix(h, (uint32_t)sp << 16 | dp) : h;
}

static __attribute__((noinline)) uint32_t mix_v6(uint32_t h, const uint8_t *a,
						    const uint8_t *l4)
{
	uint64_t s[2], d[2];
	uint16_t sp = 0, dp = 0, tp;
	const uint8_t *lo = a, *hi = a + 16;
	int c;

	memcpy(s, a, 16);
	memcpy(d, a + 16, 16);
	if (l4) {
		memcpy(&sp, l4, 2);
		memcpy(&dp, l4 + 2, 2);
	}
	c = s[0] != d[0] ? (s[0] > d[0]) - (s[0] < d[0]) :
			   (s[1] > d[1]) - (s[1] < d[1]);
	if (c > 0 || (!c && sp > dp)) {
		lo = a + 16, hi = a;
		tp = sp, sp = dp, dp = tp;
	}
	h = mix_bytes(h, lo, 16);
	h = mix_bytes(h, hi, 16);
	return l4 ? mix(h, (uint32_t)sp << 16 | dp) : h;
}

uint32_t dpk_flow_hash(const uint8_t *f, uint32_t len)
{
	uint32_t off = ETH_HLEN, h = 0x5eed, l4;
	const uint8_t *ports;
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
		l4 = off + (f[off] & 0xf) * 4;
		/* ports only in the first fragment (offset 0) */
		ports = !((f[off + 6] & 0x1f) | f[off + 7]) && has_ports(proto) &&
			len >= l4 + 4 ? f + l4 : NULL;
		return finish(mix_v4(mix(h, proto), f + off + 12, ports));
	}
	if (type == ETH_P_IPV6 && len >= off + 40 && (f[off] >> 4) == 6) {
		proto = f[off + 6];
		l4 = off + 40;
		ports = has_ports(proto) && len >= l4 + 4 ? f + l4 : NULL;
		return finish(mix_v6(mix(h, proto), f + off + 8, ports));
	}
	/* not IP: the Ethernet addresses (three words) and the type */
	return finish(mix(mix_bytes(h, f, 12), type));
}

void dpk_flow_symmetric_key(uint8_t *key, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		key[i] = i & 1 ? 0x5a : 0x6d;
}
