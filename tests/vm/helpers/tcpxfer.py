#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# A TCP transfer through the dataplane: "serve ADDR PORT" prints
# "listening" once it is, receives until the peer closes and prints
# "<bytes> <sha256>"; "send ADDR PORT BYTES" sends that many random bytes
# and prints the same for what it sent.
import hashlib
import os
import socket
import sys


def serve(addr, port):
    with socket.create_server((addr, port)) as srv:
        srv.settimeout(120)
        print("listening", flush=True)
        conn, _ = srv.accept()
        conn.settimeout(60)
        h, n = hashlib.sha256(), 0
        while True:
            b = conn.recv(65536)
            if not b:
                break
            h.update(b)
            n += len(b)
        conn.close()
    print(n, h.hexdigest(), flush=True)


def send(addr, port, size):
    h, left = hashlib.sha256(), size
    with socket.create_connection((addr, port), timeout=60) as s:
        while left:
            b = os.urandom(min(left, 65536))
            s.sendall(b)
            h.update(b)
            left -= len(b)
    print(size, h.hexdigest(), flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2], int(sys.argv[3]))
    else:
        send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
