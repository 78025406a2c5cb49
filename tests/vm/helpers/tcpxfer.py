#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# A TCP transfer through the dataplane: "serve ADDR PORT" prints
# "listening" once it is, receives until the peer closes and prints
# "<bytes> <sha256>"; "send ADDR PORT BYTES" sends that many random bytes
# and prints the same for what it sent. "serve-many ADDR PORT N" and
# "send-many ADDR PORT N BYTES" do the same over N connections at once
# (N flows), printing the total and a digest of the N digests in order of
# the connections' numbers (each sender says its number first).
import hashlib
import os
import socket
import sys
import threading


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


def serve_many(addr, port, n):
    digests, total = [None] * n, [0]
    lock = threading.Lock()

    def one(conn):
        conn.settimeout(300)
        idx = int.from_bytes(conn.recv(2, socket.MSG_WAITALL), "big")
        h, got = hashlib.sha256(), 0
        while True:
            b = conn.recv(65536)
            if not b:
                break
            h.update(b)
            got += len(b)
        conn.close()
        with lock:
            digests[idx] = h.hexdigest()
            total[0] += got

    with socket.create_server((addr, port), backlog=n) as srv:
        srv.settimeout(300)
        print("listening", flush=True)
        threads = []
        for _ in range(n):
            conn, _ = srv.accept()
            t = threading.Thread(target=one, args=(conn,))
            t.start()
            threads.append(t)
        for t in threads:
            t.join()
    print(total[0], hashlib.sha256("".join(map(str, digests)).encode())
          .hexdigest(), flush=True)


def send_many(addr, port, n, size):
    digests = [None] * n

    def one(idx):
        h = hashlib.sha256()
        with socket.create_connection((addr, port), timeout=300) as s:
            s.sendall(idx.to_bytes(2, "big"))
            left = size
            while left:
                b = os.urandom(min(left, 65536))
                s.sendall(b)
                h.update(b)
                left -= len(b)
        digests[idx] = h.hexdigest()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(n * size, hashlib.sha256("".join(map(str, digests)).encode())
          .hexdigest(), flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "serve-many":
        serve_many(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif sys.argv[1] == "send-many":
        send_many(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]),
                  int(sys.argv[5]))
    else:
        send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
