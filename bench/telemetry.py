#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Read a DPDK application's counters through its telemetry socket, the same
way for every application (testpmd, l2fwd-event, eventdev_pipeline,
dpkitd): /var/run/dpdk/PREFIX/dpdk_telemetry.v2.

  telemetry.py PREFIX opackets      the sum of /ethdev/stats opackets
  telemetry.py PREFIX CMD           one command's reply, as JSON
"""

import json
import socket
import sys


def query(prefix, cmds):
    path = f"/var/run/dpdk/{prefix}/dpdk_telemetry.v2"
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(path)
    s.recv(16384)                       # the greeting
    out = []
    for cmd in cmds:
        s.send(cmd.encode())
        out.append(json.loads(s.recv(1 << 20).decode()))
    s.close()
    return out


def opackets(prefix):
    ports = query(prefix, ["/ethdev/list"])[0]["/ethdev/list"]
    replies = query(prefix, [f"/ethdev/stats,{p}" for p in ports])
    return sum(r["/ethdev/stats"]["opackets"] for r in replies)


if __name__ == "__main__":
    if sys.argv[2] == "opackets":
        print(opackets(sys.argv[1]))
    else:
        print(json.dumps(query(sys.argv[1], [sys.argv[2]])[0]))
