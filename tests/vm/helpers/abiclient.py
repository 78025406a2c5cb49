#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# A client of /dev/dpkit and the generic netlink family "dpkit" written from
# Documentation/link-state.rst and Documentation/nic-isolation.rst alone:
# every number below is copied from those pages, none from
# <linux/dpkit.h>. It checks what the pages promise (ioctl numbers and
# layouts, errors, the mapping's refusals, read()/poll(), what a change and
# a removal publish, genl validation, the opener's capabilities). A failure
# means the documentation or the module is wrong.
#
# Prints "ok - WHAT" / "not ok - WHAT" lines (tests/vm/11-abi-client.sh
# numbers them). Run as root with dpkit.ko loaded and one virtio-net NIC.
import ctypes
import errno
import fcntl
import os
import select
import socket
import struct
import subprocess
import sys
import time

DEV = "/dev/dpkit"

# link-state.rst, "The ioctls"
VERSION = 0xc040dc00
LEASE = 0x4008dc01
NIC_LIST = 0xc010dc10
NIC_BIND = 0xc068dc11
NIC_RESTORE = 0xc038dc12
ISOLATE_SET = 0xc018dc20
ISOLATE_GET = 0xc018dc21
ISOLATE_CLEAR = 0x0000dc22
IRQ_REPORT = 0xc010dc23
LINK_REPORT = 0x4030dc30
LINK_WATCH = 0x4018dc31

OWNER_KERNEL, OWNER_DPDK = 1, 2
F_UP, F_FULL, F_ADMIN_UP, F_CARRIER = 0x01, 0x02, 0x04, 0x08
CMD_LINK_GET, CMD_LINK_NEW, CMD_LINK_DEL = 1, 2, 3

libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int,
                      ctypes.c_int, ctypes.c_int, ctypes.c_long]
libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
libc.ioctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p]
PROT_READ, PROT_WRITE, PROT_EXEC = 1, 2, 4
MAP_SHARED, MAP_PRIVATE = 1, 2
MAP_FAILED = ctypes.c_void_p(-1).value

failures = 0


def check(cond, what):
    global failures
    print(("ok - " if cond else "not ok - ") + what, flush=True)
    failures += not cond


def name(e):
    return errno.errorcode.get(e, str(e)) if e else "0"


def ioctl(fd, cmd, arg=None):
    """(errno or 0, the argument's bytes afterwards)."""
    if arg is None:
        ret = libc.ioctl(fd, cmd, None)
        return (ctypes.get_errno() if ret < 0 else 0), None
    buf = ctypes.create_string_buffer(bytes(arg), len(arg))
    ret = libc.ioctl(fd, cmd, buf)
    return (ctypes.get_errno() if ret < 0 else 0), buf.raw


def mmap(fd, length, prot, flags, offset=0):
    p = libc.mmap(None, length, prot, flags, fd, offset)
    if p in (None, MAP_FAILED):
        return None, ctypes.get_errno()
    return p, 0


def syscall_errno(fn, *args):
    try:
        fn(*args)
        return 0
    except OSError as ex:
        return ex.errno


def report(fd, port, flags, op=0, speed=10000, bdf=b"", label=b""):
    """DPKIT_IOC_LINK_REPORT: struct dpkit_link_report, 48 bytes."""
    return ioctl(fd, LINK_REPORT,
                 struct.pack("=4I16s16s", port, flags, speed, op, bdf, label))[0]


class Page:
    """The mapping, read with the sequence-lock protocol of link-state.rst.

    Python cannot issue fences; ctypes loads are single loads, and the
    writer is another CPU's kernel: good enough to check values, not a
    model of a production reader.
    """

    def __init__(self, fd, size):
        self.p, e = mmap(fd, size, PROT_READ, MAP_SHARED)
        if not self.p:
            raise OSError(e, "mmap")
        self.size = size

    def u32(self, off):
        return ctypes.c_uint32.from_address(self.p + off).value

    def u64(self, off):
        return ctypes.c_uint64.from_address(self.p + off).value

    def header(self):
        raw = ctypes.string_at(self.p, 32)
        keys = ("magic", "abi_version", "map_size", "nr_slots", "slot_size",
                "slot_offset", "bitmap_offset", "bitmap_words")
        h = dict(zip(keys, struct.unpack("=8I", raw)))
        h.update(generation=self.u64(32), events=self.u64(40),
                 dropped=self.u64(48), reserved=self.u64(56))
        return h

    def slot(self, i):
        h = self.header()
        base = h["slot_offset"] + i * h["slot_size"]
        while True:
            s1 = self.u32(base)
            if s1 & 1:
                continue
            raw = ctypes.string_at(self.p + base, 64)
            word = self.u64(h["bitmap_offset"] + 8 * (i // 64))
            if self.u32(base) == s1:
                break
        seq, inc, owner, key, flags, speed, changes, last = \
            struct.unpack_from("=6I2Q", raw)
        return dict(seq=seq, inc=inc, owner=owner, key=key, flags=flags,
                    speed=speed, changes=changes, last_change_ns=last,
                    name=raw[40:56].split(b"\0")[0].decode(),
                    bit=(word >> (i % 64)) & 1)

    def find(self, owner, key):
        for i in range(self.header()["nr_slots"]):
            s = self.slot(i)
            if s["owner"] == owner and s["key"] == key:
                return i, s
        return None, None


# ---- generic netlink (link-state.rst, "Generic netlink") -----------------

def nla(ty, payload):
    ln = 4 + len(payload)
    return struct.pack("=HH", ln, ty) + payload + bytes(-ln % 4)


def nla_parse(data):
    out = {}
    while len(data) >= 4:
        ln, ty = struct.unpack_from("=HH", data)
        if ln < 4:
            break
        out[ty & 0x3fff] = data[4:ln]
        data = data[(ln + 3) & ~3:]
    return out


def nlmsgs(data):
    while len(data) >= 16:
        ln, ty, flags, seq, pid = struct.unpack_from("=IHHII", data)
        yield ty, flags, data[16:ln]
        data = data[(ln + 3) & ~3:]


def link_attrs(body):
    a = nla_parse(body[4:])
    u32 = lambda k: struct.unpack("=I", a[k])[0] if k in a else None
    return dict(cmd=body[0], owner=u32(1), key=u32(2),
                ifname=a[3].rstrip(b"\0").decode() if 3 in a else None,
                up=a[4][0] if 4 in a else None, flags=u32(5), speed=u32(6),
                duplex=a[7][0] if 7 in a else None,
                changes=struct.unpack("=Q", a[8])[0] if 8 in a else None,
                slot=u32(9), bdf=a[11].rstrip(b"\0").decode() if 11 in a else None,
                inc=u32(12))


class Genl:
    def __init__(self):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)
        self.s.bind((0, 0))
        self.seq = 0
        self.family = self.group = None
        # CTRL_CMD_GETFAMILY (3) to GENL_ID_CTRL (16), CTRL_ATTR_FAMILY_NAME (2)
        self.send(16, 0x1, struct.pack("=BBH", 3, 1, 0) + nla(2, b"dpkit\0"))
        for ty, flags, body in self.recv_until_done():
            if ty != 16:
                continue
            a = nla_parse(body[4:])
            if 1 in a:
                self.family = struct.unpack("=H", a[1][:2])[0]
            for grp in nla_parse(a.get(7, b"")).values():
                g = nla_parse(grp)
                if g.get(1, b"").rstrip(b"\0") == b"link":
                    self.group = struct.unpack("=I", g[2][:4])[0]

    def send(self, ty, flags, payload):
        self.seq += 1
        self.s.send(struct.pack("=IHHII", 16 + len(payload), ty, flags,
                                self.seq, 0) + payload)

    def recv_until_done(self, timeout=10.0):
        out = []
        self.s.settimeout(timeout)
        while True:
            try:
                data = self.s.recv(32768)
            except socket.timeout:
                return out
            for m in nlmsgs(data):
                out.append(m)
                if m[0] in (2, 3):	# NLMSG_ERROR, NLMSG_DONE
                    return out
                if not m[1] & 0x2:	# not NLM_F_MULTI: a single reply
                    return out

    def request(self, cmd, flags, attrs=b"", reserved=0):
        """(links, errno) of a LINK_GET-style request."""
        self.s.setblocking(False)
        try:
            while self.s.recv(32768):
                pass		# whatever an earlier request left
        except BlockingIOError:
            pass
        self.send(self.family, flags, struct.pack("=BBH", cmd, 1, reserved) + attrs)
        links, err = [], 0
        for ty, fl, body in self.recv_until_done():
            if ty == 2:
                err = -struct.unpack_from("=i", body)[0]
            elif ty == self.family:
                links.append((fl, link_attrs(body)))
        return links, err


class Listener:
    def __init__(self, genl):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)
        self.s.bind((0, 0))
        self.s.setsockopt(270, 1, genl.group)	# SOL_NETLINK, NETLINK_ADD_MEMBERSHIP
        self.family = genl.family

    def drain(self, quiet=1.0):
        out = []
        self.s.settimeout(quiet)
        while True:
            try:
                data = self.s.recv(32768)
            except socket.timeout:
                return out
            out += [link_attrs(b) for ty, fl, b in nlmsgs(data) if ty == self.family]


# ---- the checks -------------------------------------------------------------

def version_checks(fd):
    e, out = ioctl(fd, VERSION, bytes(64))
    flags, abi, feat, map_size, nr_slots = struct.unpack_from("=5I", out)
    release = out[32:64].split(b"\0")[0].decode()
    check(not e and abi == 1 and feat == 0xf and nr_slots == 256 and
          map_size == 20480 and release,
          f"VERSION 0xc040dc00: abi {abi}, features {feat:#x}, map_size "
          f"{map_size}, nr_slots {nr_slots}, release '{release}'")
    e, _ = ioctl(fd, VERSION, struct.pack("=I", 1) + bytes(60))
    check(e == errno.EINVAL, f"VERSION, flags 1: EINVAL ({name(e)})")
    e, _ = ioctl(fd, VERSION, bytes(28) + struct.pack("=I", 1) + bytes(32))
    check(e == errno.EINVAL, f"VERSION, reserved[2] 1: EINVAL ({name(e)})")
    e, _ = ioctl(fd, 3 << 30 | 60 << 16 | 0xdc << 8, bytes(64))
    check(e == errno.ENOTTY, f"VERSION encoded with size 60: ENOTTY ({name(e)})")
    return map_size


def mapping_checks(fd, size):
    for what, args, want in (
            ("MAP_PRIVATE", (fd, size, PROT_READ, MAP_PRIVATE), errno.EINVAL),
            ("offset 4096", (fd, size, PROT_READ, MAP_SHARED, 4096), errno.EINVAL),
            ("length 4096", (fd, 4096, PROT_READ, MAP_SHARED), errno.EINVAL),
            ("PROT_WRITE, read-only descriptor",
             (fd, size, PROT_READ | PROT_WRITE, MAP_SHARED), errno.EACCES)):
        p, e = mmap(*args)
        check(p is None and e == want, f"mmap {what}: {name(want)} ({name(e)})")
    p, e = mmap(fd, size - 100, PROT_READ, MAP_SHARED)
    check(p is not None, f"mmap of map_size - 100 bytes (rounded up to pages) ({name(e)})")
    if p:
        libc.munmap(p, size)
    rw = os.open(DEV, os.O_RDWR)
    for what, prot in (("PROT_WRITE", PROT_READ | PROT_WRITE),
                       ("PROT_EXEC", PROT_READ | PROT_EXEC)):
        p, e = mmap(rw, size, prot, MAP_SHARED)
        check(p is None and e == errno.EPERM,
              f"mmap {what}, read-write descriptor: EPERM ({name(e)})")
    p, e = mmap(rw, size, PROT_READ, MAP_SHARED)
    for what, prot in (("write", PROT_READ | PROT_WRITE), ("exec", PROT_READ | PROT_EXEC)):
        ret = libc.mprotect(p, size, prot)
        e = ctypes.get_errno() if ret else 0
        check(e == errno.EACCES, f"mprotect adding {what}: EACCES ({name(e)})")
    libc.munmap(p, size)
    os.close(rw)
    wo = os.open(DEV, os.O_WRONLY)
    p, e = mmap(wo, size, PROT_READ, MAP_SHARED)
    check(p is None and e == errno.EACCES, f"mmap of an O_WRONLY descriptor: EACCES ({name(e)})")
    os.close(wo)

    pg = Page(fd, size)
    h = pg.header()
    check(h["magic"] == 0x54504b44 and h["abi_version"] == 1 and
          h["map_size"] == size and h["nr_slots"] == 256 and h["slot_size"] == 64 and
          h["slot_offset"] == 4096 and h["bitmap_offset"] == 64 and
          h["bitmap_words"] == 4 and h["reserved"] == 0 and h["events"] >= 1,
          f"page header: {h}")
    return pg


def wakeup_and_report_checks(fd, pg, listener):
    check(syscall_errno(os.read, fd, 7) == errno.EINVAL, "read() of 7 bytes: EINVAL")
    fcntl.fcntl(fd, fcntl.F_SETFL, os.O_NONBLOCK)
    e = syscall_errno(os.read, fd, 8)
    check(e == errno.EAGAIN, f"read(), nothing new, O_NONBLOCK: EAGAIN ({name(e)})")
    po = select.poll()
    po.register(fd, select.POLLIN | select.POLLRDNORM | select.POLLOUT |
                select.POLLPRI | select.POLLRDBAND | select.POLLWRNORM)
    check(po.poll(0) == [], "poll(), nothing new: no event")

    lease = os.open(DEV, os.O_RDONLY)
    e, _ = ioctl(lease, LEASE, bytes(8))
    check(not e, f"LEASE ({name(e)})")
    e, _ = ioctl(lease, LEASE, bytes(8))
    check(e == errno.EBUSY, f"a second LEASE on the file: EBUSY ({name(e)})")

    # a new DPDK port, up, full duplex
    h0 = pg.header()
    e = report(lease, 42, F_UP | F_FULL | F_ADMIN_UP | F_CARRIER,
               bdf=b"0000:00:09.0", label=b"abi42")
    h1 = pg.header()
    idx, s = pg.find(OWNER_DPDK, 42)
    check(not e and s and s["flags"] == 0x0f and s["speed"] == 10000 and s["bit"] and
          s["name"] == "abi42" and s["changes"] == 0 and s["inc"] and not s["seq"] & 1,
          f"LINK_REPORT set: port 42 in slot {idx}: {s}")
    check(h1["events"] - h0["events"] == 1 and h1["generation"] - h0["generation"] == 1,
          f"a new link: events +{h1['events'] - h0['events']}, generation "
          f"+{h1['generation'] - h0['generation']} (want +1, +1)")
    ev = po.poll(0)
    check(ev == [(fd, select.POLLIN | select.POLLRDNORM)],
          f"poll() after a change: POLLIN|POLLRDNORM only ({ev})")
    data = os.read(fd, 16)
    check(len(data) == 8 and struct.unpack("=Q", data)[0] == h1["events"],
          f"read() of 16 bytes returns 8: the events count ({data.hex()})")
    check(po.poll(0) == [], "poll() after read(): no event")
    msgs = listener.drain()
    check([m["cmd"] for m in msgs] == [CMD_LINK_NEW] and msgs[0]["key"] == 42 and
          msgs[0]["slot"] == idx and msgs[0]["inc"] == s["inc"] and msgs[0]["up"] == 1 and
          msgs[0]["duplex"] == 1 and msgs[0]["bdf"] == "0000:00:09.0" and
          msgs[0]["ifname"] == "abi42" and msgs[0]["changes"] == 0,
          f"genl: one LINK_NEW with slot and incarnation ({msgs})")
    e = report(lease, 42, 0x0f, bdf=b"0000:00:09.0", label=b"abi42")
    check(not e and pg.header()["events"] == h1["events"] and not listener.drain(0.5),
          "the same report again: nothing published")
    other = os.open(DEV, os.O_RDONLY)
    e = report(other, 42, 0)
    check(e == errno.EBUSY, f"another file reports the lease's port: EBUSY ({name(e)})")
    os.close(other)
    for what, args in (("port 65536", (65536, 0)), ("both duplex bits", (1, 0x12)),
                       ("flag bit 5", (1, 0x20)), ("op 2", (1, 0, 2))):
        e = report(lease, *args)
        check(e == errno.EINVAL, f"LINK_REPORT {what}: EINVAL ({name(e)})")

    # its removal while up: two page events, LINK_NEW (down) then LINK_DEL
    inc = s["inc"]
    h0 = pg.header()
    e = report(lease, 42, 0, op=1)
    h1 = pg.header()
    s = pg.slot(idx)
    msgs = listener.drain()
    check(not e and h1["events"] - h0["events"] == 2 and
          h1["generation"] - h0["generation"] == 1,
          f"remove an up port: events +{h1['events'] - h0['events']}, generation "
          f"+{h1['generation'] - h0['generation']} (want +2, +1)")
    check(s["owner"] == 0 and s["inc"] not in (0, inc) and s["bit"] == 0 and
          s["flags"] == 0 and s["name"] == "",
          f"... its slot is free, with a new incarnation ({s})")
    check([m["cmd"] for m in msgs] == [CMD_LINK_NEW, CMD_LINK_DEL] and
          all(m["inc"] == inc and m["up"] == 0 and
              m["flags"] == F_FULL | F_ADMIN_UP and m["changes"] == 1
              for m in msgs),
          f"... genl: LINK_NEW then LINK_DEL, both down (UP and CARRIER cleared), "
          f"changes 1 ({msgs})")
    e = report(lease, 42, 0, op=1)
    check(e == errno.ENOENT, f"remove it again: ENOENT ({name(e)})")

    report(lease, 43, F_ADMIN_UP)
    listener.drain(0.5)
    h0 = pg.header()
    report(lease, 43, 0, op=1)
    msgs = listener.drain()
    check(pg.header()["events"] - h0["events"] == 1 and
          [m["cmd"] for m in msgs] == [CMD_LINK_DEL],
          f"remove a down port: events +{pg.header()['events'] - h0['events']}, "
          f"{[m['cmd'] for m in msgs]} (want +1, [LINK_DEL])")

    # the end of the lease
    report(lease, 44, 0x0b)
    report(lease, 45, 0x0b)
    listener.drain(0.5)
    h0 = pg.header()
    os.close(lease)
    h1 = pg.header()
    msgs = sorted((m["cmd"], m["key"], m["up"]) for m in listener.drain())
    check(pg.find(OWNER_DPDK, 44)[0] is None and pg.find(OWNER_DPDK, 45)[0] is None and
          h1["events"] - h0["events"] == 4 and
          msgs == [(2, 44, 0), (2, 45, 0), (3, 44, 0), (3, 45, 0)],
          f"close() of the lease: its two up ports removed by the time it returns, "
          f"events +{h1['events'] - h0['events']}, {msgs}")
    fcntl.fcntl(fd, fcntl.F_SETFL, 0)
    os.read(fd, 8)


def unprivileged_checks(root_fd):
    """A process without capabilities: what it may do, in which order it is
    refused, and what a descriptor opened by root still does for it."""
    os.chmod(DEV, 0o666)
    rd, wr = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.setgroups([])
        os.setgid(65534)
        os.setuid(65534)
        fd = os.open(DEV, os.O_RDONLY)
        codes = [
            report(fd, 70000, 0),					# EINVAL first
            report(fd, 5, 0),						# then EPERM
            ioctl(fd, LEASE, struct.pack("=II", 1, 0))[0],		# EINVAL first
            ioctl(fd, LEASE, bytes(8))[0],
            ioctl(fd, LINK_WATCH, struct.pack("=Ii16s", 0, 1, b"lo"))[0],
            ioctl(fd, LINK_WATCH, struct.pack("=Ii16s", 2, 0, b""))[0],
            ioctl(fd, NIC_BIND, b"\xff" * 104)[0],			# EPERM first
            ioctl(fd, NIC_RESTORE, b"\xff" * 56)[0],
            libc.ioctl(fd, ISOLATE_SET, None) and ctypes.get_errno(),	# not even read
            ioctl(fd, ISOLATE_CLEAR)[0],
            ioctl(fd, VERSION, bytes(64))[0],
            ioctl(fd, NIC_LIST, struct.pack("=4I", 0, 0, 168, 0))[0],
            ioctl(fd, ISOLATE_GET, bytes(24))[0],
            ioctl(fd, IRQ_REPORT, struct.pack("=4I", 0, 0, 16, 0))[0],
            0 if mmap(fd, 20480, PROT_READ, MAP_SHARED)[0] else ctypes.get_errno(),
            # the root-opened descriptor keeps its opener's capabilities
            report(root_fd, 50, 0x0b),
            report(root_fd, 50, 0, op=1),
        ]
        os.write(wr, struct.pack(f"={len(codes)}i", *codes))
        os._exit(0)
    os.waitpid(pid, 0)
    os.chmod(DEV, 0o600)
    want = (errno.EINVAL, errno.EPERM, errno.EINVAL, errno.EPERM, errno.EINVAL,
            errno.EPERM, errno.EPERM, errno.EPERM, errno.EPERM, errno.EPERM,
            0, 0, errno.EOVERFLOW, 0, 0, 0, 0)
    got = struct.unpack(f"={len(want)}i", os.read(rd, 4 * len(want)))
    labels = ("LINK_REPORT bad port", "LINK_REPORT", "LEASE flags 1", "LEASE",
              "LINK_WATCH malformed", "LINK_WATCH", "NIC_BIND garbage",
              "NIC_RESTORE garbage", "ISOLATE_SET NULL", "ISOLATE_CLEAR", "VERSION",
              "NIC_LIST", "ISOLATE_GET nr_bits 0", "IRQ_REPORT", "mmap",
              "root's fd: LINK_REPORT set", "root's fd: LINK_REPORT remove")
    for label, g, w in zip(labels, got, want):
        check(g == w, f"unprivileged: {label}: {name(w)} ({name(g)})")


def nic_and_isolation_checks(fd):
    e, out = ioctl(fd, NIC_LIST, struct.pack("=4I", 0, 0, 168, 0))
    count, total, size, flags = struct.unpack_from("=4I", out)
    check(not e and count == 0 and total >= 1 and flags == 1,
          f"NIC_LIST with count 0: total {total}, TRUNCATED ({name(e)})")
    e, out = ioctl(fd, NIC_LIST, struct.pack("=4I", total + 2, 0, 168, 0) +
                   bytes(168 * (total + 2)))
    count, total2, size, flags = struct.unpack_from("=4I", out)
    nics = []
    for i in range(count):
        ent = out[16 + 168 * i:16 + 168 * (i + 1)]
        vendor, device = struct.unpack_from("=HH", ent, 16)
        cls, node, group, nflags = struct.unpack_from("=IiiI", ent, 24)
        ifindex, if_flags, operstate = struct.unpack_from("=iIB", ent, 152)
        nics.append(dict(bdf=ent[:16].split(b"\0")[0].decode(), id=(vendor, device),
                         cls=cls, flags=nflags, ifindex=ifindex,
                         driver=ent[40:72].split(b"\0")[0].decode(),
                         ifname=ent[136:152].split(b"\0")[0].decode(),
                         pad=ent[161:168]))
    check(not e and count == total2 and flags == 0 and
          all(n["pad"] == bytes(7) and n["cls"] >> 16 == 2 for n in nics),
          f"NIC_LIST with room: {count} of {total2}, not truncated: {nics}")
    e, _ = ioctl(fd, NIC_LIST, struct.pack("=4I", 0, 0, 160, 0))
    check(e == errno.EINVAL, f"NIC_LIST entry_size 160: EINVAL ({name(e)})")
    e, _ = ioctl(fd, NIC_LIST, struct.pack("=4I", 4097, 0, 168, 0))
    check(e == errno.EINVAL, f"NIC_LIST count 4097: EINVAL ({name(e)})")

    virtio = [n for n in nics if n["id"] == (0x1af4, 0x1041)]
    if virtio:
        bdf = virtio[0]["bdf"]
        bind = lambda b, drv, fl=0: ioctl(fd, NIC_BIND, struct.pack(
            "=16s32sII32s16s", b.encode(), drv, fl, 0, b"", b""))
        e, _ = bind(bdf, b"dummy")
        check(e == errno.EINVAL and not os.path.exists("/sys/module/dummy"),
              f"NIC_BIND to 'dummy' (not allowed): EINVAL, no module loaded ({name(e)})")
        e, out = bind(bdf[5:], b"virtio-pci\nwhatever")
        result, prev = struct.unpack_from("=I", out, 52)[0], out[56:88].split(b"\0")[0]
        check(not e and result == 1 and prev == b"virtio-pci",
              f"NIC_BIND short BDF to its own driver (name ends at the newline): "
              f"R_ALREADY, prev_driver {prev} ({name(e)})")
        e, _ = bind(bdf, b"vfio-pci", 0x4)
        check(e == errno.EINVAL, f"NIC_BIND flag bit 2: EINVAL ({name(e)})")
        e, _ = bind(bdf.upper(), b"vfio-pci!")
        check(e == errno.EINVAL, f"NIC_BIND driver 'vfio-pci!': EINVAL ({name(e)})")
        e, _ = bind("0000:00:1f.0 ", b"")
        check(e == errno.EINVAL, f"NIC_BIND address with a space: EINVAL ({name(e)})")
        e, _ = bind("7fff:00:1f.7", b"")
        check(e == errno.ENODEV, f"NIC_BIND absent device: ENODEV ({name(e)})")
        e, _ = ioctl(fd, NIC_RESTORE, struct.pack("=16sII32s", bdf.encode(), 1, 0, b""))
        check(e == errno.EINVAL, f"NIC_RESTORE flags 1: EINVAL ({name(e)})")
    else:
        check(False, "a virtio-net NIC 1af4:1041 in NIC_LIST")

    e, out = ioctl(fd, ISOLATE_GET, bytes(24))
    nr_cpu_ids = struct.unpack_from("=I", out, 8)[0]
    check(e == errno.EOVERFLOW and nr_cpu_ids >= os.cpu_count(),
          f"ISOLATE_GET nr_bits 0: EOVERFLOW, nr_bits {nr_cpu_ids} ({name(e)})")
    e, out = ioctl(fd, ISOLATE_GET, struct.pack("=6I", 0, 1, 64, 0, 0, 0) + bytes(8))
    check(not e and struct.unpack_from("=I", out, 8)[0] == nr_cpu_ids,
          f"ISOLATE_GET nohz_full, 64 bits: nr_bits {nr_cpu_ids} ({name(e)})")
    e, _ = ioctl(fd, ISOLATE_GET, struct.pack("=6I", 0, 3, 64, 0, 0, 0) + bytes(8))
    check(e == errno.EINVAL, f"ISOLATE_GET which 3: EINVAL ({name(e)})")
    e, out = ioctl(fd, IRQ_REPORT, struct.pack("=4I", 0, 0, 16, 0))
    check(not e and struct.unpack_from("=4I", out)[:2] == (0, 0),
          f"IRQ_REPORT, nothing isolated: count 0, total 0 ({name(e)})")
    e, _ = ioctl(fd, ISOLATE_CLEAR)
    check(not e, f"ISOLATE_CLEAR with nothing isolated ({name(e)})")


def genl_checks(genl):
    check(genl.family is not None and genl.group is not None,
          f"genl: family 'dpkit' {genl.family}, group 'link' {genl.group}")
    links, err = genl.request(CMD_LINK_GET, 0x301)
    check(not err and links and all(fl & 0x2 and l["cmd"] == CMD_LINK_NEW and
                                    l["slot"] is not None and l["inc"] for fl, l in links),
          f"LINK_GET dump: {len(links)} LINK_NEW with NLM_F_MULTI ({name(err)})")
    links, err = genl.request(CMD_LINK_GET, 0x305, nla(1, struct.pack("=I", 1)))
    check(not err and links and all(l["owner"] == 1 for fl, l in links),
          f"LINK_GET dump, owner 1, NLM_F_ACK: only kernel links ({name(err)})")
    for what, kw, want in (
            ("reserved byte 1", dict(reserved=1), errno.EINVAL),
            ("owner 3", dict(attrs=nla(1, struct.pack("=I", 3))), errno.ERANGE),
            ("owner of 2 bytes", dict(attrs=nla(1, struct.pack("=H", 1))), errno.EINVAL),
            ("owner with the nested flag",
             dict(attrs=struct.pack("=HH", 8, 0x8001) + struct.pack("=I", 1)), errno.EINVAL),
            ("attribute 2", dict(attrs=nla(2, struct.pack("=I", 1))), errno.EINVAL),
            ("attribute 0", dict(attrs=nla(0, struct.pack("=I", 1))), errno.EINVAL),
            ("trailing bytes", dict(attrs=nla(1, struct.pack("=I", 1)) + b"\1\0"), errno.EINVAL),
            ("NLM_F_ROOT without NLM_F_MATCH", dict(flags=0x101), errno.EINVAL),
            ("NLM_F_ATOMIC", dict(flags=0x701), errno.EINVAL),
            ("no NLM_F_DUMP", dict(flags=0x1), errno.EOPNOTSUPP),
            ("command LINK_NEW", dict(cmd=CMD_LINK_NEW), errno.EOPNOTSUPP)):
        args = dict(cmd=CMD_LINK_GET, flags=0x301)
        args.update(kw)
        links, err = genl.request(**args)
        check(err == want and not links, f"genl {what}: {name(want)} ({name(err)})")


def netdev_removal_checks(pg, listener):
    subprocess.run(["ip", "link", "add", "abiva", "type", "veth", "peer", "name", "abivb"],
                   check=True)
    ifindex = int(open("/sys/class/net/abiva/ifindex").read())
    subprocess.run(["ip", "link", "set", "abiva", "up"], check=True)
    subprocess.run(["ip", "link", "set", "abivb", "up"], check=True)
    deadline = time.time() + 30
    while time.time() < deadline:
        idx, s = pg.find(OWNER_KERNEL, ifindex)
        if s and s["flags"] & F_UP:
            break
        time.sleep(0.1)
    check(s and s["flags"] & F_UP and s["bit"] and s["name"] == "abiva",
          f"a veth, up: {s}")
    listener.drain(0.5)
    seq, inc = s["seq"], s["inc"]
    subprocess.run(["ip", "link", "del", "abiva"], check=True)
    s = pg.slot(idx)
    msgs = [m for m in listener.drain() if m["key"] == ifindex]
    check((s["seq"] - seq) // 2 == 2 and s["owner"] == 0 and s["inc"] not in (0, inc),
          f"the veth deleted while up: {(s['seq'] - seq) // 2} writes to its slot "
          f"(want 2), freed with a new incarnation")
    check([m["cmd"] for m in msgs] == [CMD_LINK_NEW, CMD_LINK_DEL] and
          all(m["up"] == 0 and not m["flags"] & F_ADMIN_UP and m["inc"] == inc
              for m in msgs),
          f"... genl: LINK_NEW (down, ADMIN_UP cleared), then LINK_DEL ({msgs})")


def main():
    fd = os.open(DEV, os.O_RDONLY | os.O_CLOEXEC)
    size = version_checks(fd)
    pg = mapping_checks(fd, size)
    genl = Genl()
    genl_checks(genl)
    listener = Listener(genl)
    wakeup_and_report_checks(fd, pg, listener)
    unprivileged_checks(fd)
    nic_and_isolation_checks(fd)
    netdev_removal_checks(pg, listener)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
