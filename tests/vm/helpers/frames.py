#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Frames through dpkitd between two kernel interfaces (tests/host/11-idle.sh,
tests/vm/24-idle.sh).

Sends UDP/IPv4 frames out of interface IN (a net_tap port's kernel side:
dpkitd receives them) and counts those that come out of interface OUT (the
other port's kernel side), by a marker in their payload, over AF_PACKET
sockets. Flows differ by source port, so that an eventdev spreads them.

  frames.py burst IN OUT COUNT [IDLE]    after IDLE seconds, COUNT frames at
                                         once; prints "sent N received M"
  frames.py probes IN OUT N IDLE [BUSY]  N frames, each after IDLE seconds
                                         (with BUSY: while BUSY frames/s of
                                         filler flow); prints the count and
                                         the one-way latency median and p99,
                                         in microseconds
  frames.py send IN COUNT [IDLE [RATE]]  the sending half of burst, from
                                         another network namespace; with
                                         RATE, filler at RATE frames/s
  frames.py recv OUT COUNT SECS          the receiving half: counts the
                                         frames of any run for up to SECS

Exit status 0 when every frame arrived (what is counted is printed either
way). Needs root (packet sockets).
"""
import os
import socket
import struct
import sys
import threading
import time

MARK = b"dpkit-idle"
ETH_P_IP = 0x0800
PACKET_OUTGOING = 4
SO_RCVBUFFORCE = 33


def frame(run, seq, flow):
    payload = MARK + struct.pack("!IIQ", run, seq, time.perf_counter_ns())
    udp = struct.pack("!HHHH", 1024 + flow % 512, 9, 8 + len(payload), 0)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp) + len(payload),
                     seq & 0xffff, 0, 64, 17, 0, bytes([198, 51, 100, 1]),
                     bytes([198, 51, 100, 2]))
    return b"\xff" * 6 + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00" + ip + \
        udp + payload


class Receiver(threading.Thread):
    """Counts marked frames of run RUN arriving on IFACE; their latency."""

    def __init__(self, iface, run):
        super().__init__(daemon=True)
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                                  socket.htons(ETH_P_IP))
        try:	# past net.core.rmem_max (root): a slow reader loses nothing
            self.sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 1 << 25)
        except OSError:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 25)
        self.sock.bind((iface, ETH_P_IP))
        self.sock.settimeout(0.2)
        self.run_id = run
        self.seen = set()
        self.latency = {}
        self.stop = False

    def run(self):
        while not self.stop:
            try:
                data, addr = self.sock.recvfrom(2048)
            except (socket.timeout, OSError):	# OSError: the link is down
                time.sleep(0.01)
                continue
            now = time.perf_counter_ns()
            if addr[2] == PACKET_OUTGOING:
                continue
            at = data.find(MARK)
            if at < 0:
                continue
            run, seq, sent = struct.unpack_from("!IIQ", data, at + len(MARK))
            if self.run_id is not None and run != self.run_id:
                continue
            if self.run_id is None and run == 0:
                continue	# filler
            seq |= run << 32
            if seq in self.seen:
                continue
            self.seen.add(seq)
            self.latency[seq & 0xffffffff] = (now - sent) / 1000.0


def wait_for(rx, n, secs):
    deadline = time.time() + secs
    while len(rx.seen) < n and time.time() < deadline:
        time.sleep(0.01)


def sender(iface):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    return s


def burst(iface_in, iface_out, count, idle):
    run = os.getpid()
    rx = Receiver(iface_out, run)
    rx.start()
    tx = sender(iface_in)
    time.sleep(idle)
    frames = [frame(run, i, i) for i in range(count)]
    t0 = time.time()
    for f in frames:
        tx.send(f)
    secs = time.time() - t0
    wait_for(rx, count, 5)
    rx.stop = True
    print(f"sent {count} received {len(rx.seen)} (sent in {secs * 1000:.0f} ms)")
    return len(rx.seen) == count


def pct(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]


def probes(iface_in, iface_out, n, idle, busy):
    run = os.getpid()
    rx = Receiver(iface_out, run)
    rx.start()
    tx = sender(iface_in)
    stop = threading.Event()

    def filler():	# BUSY frames/s of other runs' frames
        s = sender(iface_in)
        i = 0
        while not stop.is_set():
            s.send(frame(0, i, i))
            i += 1
            time.sleep(1.0 / busy)

    if busy:
        threading.Thread(target=filler, daemon=True).start()
    time.sleep(0.2)
    for i in range(n):
        time.sleep(idle)
        tx.send(frame(run, i, i))
        wait_for(rx, i + 1, 1)
    wait_for(rx, n, 2)
    stop.set()
    rx.stop = True
    lat = list(rx.latency.values())
    if os.environ.get("FRAMES_VERBOSE"):
        print("latencies (us):", " ".join(f"{v:.0f}" for v in
                                          (rx.latency.get(i, -1) for i in range(n))))
    if lat:
        print(f"sent {n} received {len(rx.seen)}; one-way latency median "
              f"{pct(lat, 50):.0f} us, p99 {pct(lat, 99):.0f} us")
    else:
        print(f"sent {n} received 0")
    return len(rx.seen) == n


def send(iface_in, count, idle, rate):
    run = os.getpid()
    tx = sender(iface_in)
    if rate:	# filler: made as it goes, paced from the start
        t0 = time.time()
        for i in range(count):
            tx.send(frame(0, i, i))
            delay = t0 + (i + 1) / rate - time.time()
            if delay > 0:
                time.sleep(delay)
        return True
    frames = [frame(run, i, i) for i in range(count)]
    time.sleep(idle)
    t0 = time.time()
    for f in frames:
        tx.send(f)
    print(f"sent {count} in {(time.time() - t0) * 1000:.0f} ms")
    return True


def recv(iface_out, count, secs):
    """Until COUNT came, SECS passed, or 5 s without a frame after one."""
    rx = Receiver(iface_out, None)
    rx.start()
    print("listening", flush=True)
    deadline, seen, last = time.time() + secs, 0, time.time()
    while len(rx.seen) < count and time.time() < deadline:
        if len(rx.seen) != seen:
            seen, last = len(rx.seen), time.time()
        elif seen and time.time() - last > 5:
            break
        time.sleep(0.05)
    rx.stop = True
    print(f"received {len(rx.seen)}")
    return len(rx.seen) >= count


def main(argv):
    if len(argv) >= 5 and argv[1] == "burst":
        ok = burst(argv[2], argv[3], int(argv[4]),
                   float(argv[5]) if len(argv) > 5 else 0)
    elif len(argv) >= 6 and argv[1] == "probes":
        ok = probes(argv[2], argv[3], int(argv[4]), float(argv[5]),
                    float(argv[6]) if len(argv) > 6 else 0)
    elif len(argv) >= 4 and argv[1] == "send":
        ok = send(argv[2], int(argv[3]), float(argv[4]) if len(argv) > 4 else 0,
                  float(argv[5]) if len(argv) > 5 else 0)
    elif len(argv) >= 5 and argv[1] == "recv":
        ok = recv(argv[2], int(argv[3]), float(argv[4]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
