/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The flow id of a packet for eventdev queue 0 (atomic by flow): the NIC's
 * RSS hash when the port delivers one, else this software hash of the
 * 5-tuple. Pure: no DPDK, unit-tested (tests/unit/test_flow.c).
 */
#ifndef DPKITD_FLOW_H
#define DPKITD_FLOW_H

#include <stdint.h>

#define DPK_FLOW_ID_MASK	0xfffff	/* rte_event.flow_id: 20 bits */

/*
 * Hash an Ethernet frame's 5-tuple (IPv4 or IPv6, one VLAN tag allowed;
 * TCP, UDP and SCTP ports; addresses only for other protocols and for
 * fragments after the first), the same both ways: the endpoints are
 * hashed lower first, so a connection's two directions are one flow.
 * Frames that are not IP hash their Ethernet addresses and type. Never
 * reads beyond @len.
 */
uint32_t dpk_flow_hash(const uint8_t *frame, uint32_t len);

/*
 * A Toeplitz RSS key of @len bytes that hashes both directions of a flow
 * alike: 0x6d5a repeated (its period, 16 bits, divides every field's
 * offset, so swapping source and destination does not change the hash).
 */
void dpk_flow_symmetric_key(uint8_t *key, unsigned int len);

#endif /* DPKITD_FLOW_H */
