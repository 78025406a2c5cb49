#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""fake_telemetry.py PATH REPLIES.json: a stand-in for dpkitd's telemetry.

Listens on a SOCK_SEQPACKET socket at PATH like DPDK's telemetry v2: sends
a greeting on connect, then answers each command with {"CMD": REPLY},
REPLY taken from the object REPLIES.json maps commands to (null for an
unknown command). Serves connections one after another until killed.
"""
import json
import os
import socket
import sys

path, replies = sys.argv[1], json.load(open(sys.argv[2]))
if os.path.exists(path):
    os.unlink(path)
srv = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
srv.bind(path)
srv.listen(4)
print("listening", flush=True)
while True:
    conn, _ = srv.accept()
    conn.send(json.dumps({"version": "DPDK 22.11.11", "pid": os.getpid(),
                          "max_output_len": 16384}).encode())
    while True:
        cmd = conn.recv(1024).decode()
        if not cmd:
            break
        conn.send(json.dumps({cmd: replies.get(cmd)}).encode())
    conn.close()
