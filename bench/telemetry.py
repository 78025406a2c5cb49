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


def connect(prefix):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(f"/var/run/dpdk/{prefix}/dpdk_telemetry.v2")
    s.recv(16384)                       # the greeting
    return s


def ask(s, cmd):
    s.send(cmd.encode())
    return json.loads(s.recv(1 << 20).decode())


def opackets_of(s):
    """The sum of every port's opackets, on an open socket."""
    ports = ask(s, "/ethdev/list")["/ethdev/list"]
    return sum(ask(s, f"/ethdev/stats,{p}")["/ethdev/stats"]["opackets"]
               for p in ports)


if __name__ == "__main__":
    sock = connect(sys.argv[1])
    if sys.argv[2] == "opackets":
        print(opackets_of(sock))
    else:
        print(json.dumps(ask(sock, sys.argv[2])))
    sock.close()
