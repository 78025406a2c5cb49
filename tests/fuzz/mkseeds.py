#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Writes the binary seed inputs of the netlink fuzzers (corpus/genl,
# corpus/rtnl): well-formed messages as dpkit.ko and the kernel send them.
# The text seeds of the other targets are written by hand. Run from
# tests/fuzz when the message formats change.
import os
import socket
import struct

def align(b):
    return b + b"\0" * (-len(b) % 4)

def attr(t, payload):
    return align(struct.pack("=HH", 4 + len(payload), t) + payload)

def nlmsg(mtype, payload, flags=0, seq=0):
    return align(struct.pack("=IHHII", 16 + len(payload), mtype, flags, seq, 0)
                 + payload)

def u8(v): return struct.pack("=B", v)
def u32(v): return struct.pack("=I", v)
def u64(v): return struct.pack("=Q", v)
def string(s): return s.encode() + b"\0"

def write(target, name, data):
    os.makedirs(os.path.join("corpus", target), exist_ok=True)
    with open(os.path.join("corpus", target, name), "wb") as f:
        f.write(data)

# dpkit genl: family id 0x20 (any), genlmsghdr {cmd, version, reserved}.
GENL_FAMILY = 0x20
A = dict(OWNER=1, KEY=2, IFNAME=3, UP=4, FLAGS=5, SPEED=6, DUPLEX=7,
         CHANGES=8, SLOT=9, PAD=10, BDF=11, INCARNATION=12)
LINK_NEW, LINK_DEL = 2, 3

def genl(cmd, attrs):
    return nlmsg(GENL_FAMILY, struct.pack("=BBH", cmd, 1, 0) + b"".join(attrs))

kernel = genl(LINK_NEW, [attr(A["OWNER"], u32(1)), attr(A["KEY"], u32(3)),
                         attr(A["IFNAME"], string("eth1")), attr(A["UP"], u8(1)),
                         attr(A["FLAGS"], u32(3)), attr(A["SPEED"], u32(1000)),
                         attr(A["DUPLEX"], u8(1)), attr(A["CHANGES"], u64(4)),
                         attr(A["SLOT"], u32(0)), attr(A["INCARNATION"], u32(1))])
dpdk = genl(LINK_NEW, [attr(A["OWNER"], u32(2)), attr(A["KEY"], u32(0)),
                       attr(A["BDF"], string("0000:00:05.0")), attr(A["UP"], u8(0)),
                       attr(A["SLOT"], u32(1))])
gone = genl(LINK_DEL, [attr(A["OWNER"], u32(1)), attr(A["KEY"], u32(3)),
                       attr(A["SLOT"], u32(0))])
write("genl", "link-new-kernel", kernel)
write("genl", "link-new-dpdk", dpdk)
write("genl", "link-del", gone)
write("genl", "dump-of-three", kernel + dpdk + gone)

# rtnetlink: the first byte is the ifindex the fuzzer asks about (1).
RTM_NEWLINK, RTM_NEWADDR, RTM_NEWROUTE, NLMSG_DONE = 16, 20, 24, 3
IFLA_IFNAME, IFLA_MTU, IFLA_OPERSTATE = 3, 4, 16
IFA_ADDRESS, IFA_LOCAL = 1, 2
RTA_DST, RTA_OIF = 1, 4

link = nlmsg(RTM_NEWLINK, struct.pack("=BxHiII", socket.AF_UNSPEC, 1, 1, 0x1043, 0)
             + attr(IFLA_IFNAME, string("eth0")) + attr(IFLA_MTU, u32(1500))
             + attr(IFLA_OPERSTATE, u8(6)))
addr4 = nlmsg(RTM_NEWADDR, struct.pack("=BBBBI", socket.AF_INET, 24, 0, 0, 1)
              + attr(IFA_ADDRESS, socket.inet_pton(socket.AF_INET, "192.0.2.1"))
              + attr(IFA_LOCAL, socket.inet_pton(socket.AF_INET, "192.0.2.1")))
addr6 = nlmsg(RTM_NEWADDR, struct.pack("=BBBBI", socket.AF_INET6, 64, 0, 0, 1)
              + attr(IFA_ADDRESS, socket.inet_pton(socket.AF_INET6, "2001:db8::1")))
route = nlmsg(RTM_NEWROUTE, struct.pack("=BBBBBBBBI", socket.AF_INET, 24, 0, 0,
                                         254, 2, 253, 1, 0)
              + attr(RTA_DST, socket.inet_pton(socket.AF_INET, "192.0.2.0"))
              + attr(RTA_OIF, u32(1)))
default = nlmsg(RTM_NEWROUTE, struct.pack("=BBBBBBBBI", socket.AF_INET, 0, 0, 0,
                                           254, 3, 0, 1, 0) + attr(RTA_OIF, u32(1)))
done = nlmsg(NLMSG_DONE, u32(0), flags=2)
write("rtnl", "link", b"\x01" + link)
write("rtnl", "addrs", b"\x01" + addr4 + addr6 + done)
write("rtnl", "routes", b"\x01" + route + default + done)
