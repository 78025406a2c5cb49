#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""notify_listen.py PATH: a stand-in for systemd's notification socket.

Binds a datagram socket at PATH and prints each message it receives as one
line, "SECONDS MESSAGE" (CLOCK_MONOTONIC, newlines in the message as " | "),
until killed.
"""
import os
import socket
import sys
import time

path = sys.argv[1]
if os.path.exists(path):
    os.unlink(path)
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
print(f"{time.monotonic():.3f} listening", flush=True)
while True:
    msg = s.recv(4096).decode("utf-8", "replace")
    print(f"{time.monotonic():.3f} {msg.replace(chr(10), ' | ')}", flush=True)
