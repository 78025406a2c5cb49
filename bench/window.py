#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""One measurement window of a running DPDK application, for bench/run.sh:

  window.py PREFIX PID SECONDS MAIN_WORKS
  window.py --callgrind PREFIX PID SECONDS

prints "PPS CPU_PPS OTHERS": the packets per second it sent (the sum of its
ports' opackets through its telemetry socket, bench/telemetry.py), the
packets per second of its forwarding threads' own CPU time, and how many
CPUs the rest of the machine kept busy meanwhile.

On a shared machine a busy-polling lcore forwards only while it has its
CPU: packets per second of the lcores' own CPU time is the rate that other
load moves least. The forwarding threads are the lcores (DPDK 22.11 names
them rte-worker-N, service lcores too) and, with MAIN_WORKS=1, the main
thread (eventdev_pipeline's main lcore forwards). CPU time from
/proc/PID/task/TID/schedstat (ns on the CPU), the machine's busy time from
/proc/stat. The counters, the clock and the CPU times are read together at
each end of the window, so the window is the same for all three.

With --callgrind, the application runs under callgrind: the window is from
callgrind_control -z (zero) to -d (dump), and prints "PACKETS LOW HIGH":
the packets sent meanwhile, from opackets read just before and just after
each of the two (their midpoints), and the bounds (the counters answer
slowly under valgrind).
"""

import os
import subprocess
import sys
import time

from telemetry import connect, opackets_of


def threads(pid, main_works):
    fwd = total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                comm = f.read().strip()
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                ns = int(f.read().split()[0])
        except OSError:
            continue                    # the thread ended meanwhile
        total += ns
        if (comm.startswith("rte-worker-") or comm.startswith("lcore-worker-")
                or (main_works and tid == str(pid))):
            fwd += ns
    return fwd, total


def machine_busy_ns():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    busy = sum(v[:8]) - v[3] - v[4]     # up to steal, less idle and iowait
    return busy * 1000000000 // os.sysconf("SC_CLK_TCK")


def sample(s, pid, main_works):
    pk = opackets_of(s)
    t = time.monotonic()
    fwd, total = threads(pid, main_works)
    return pk, t, fwd, total, machine_busy_ns()


def callgrind(prefix, pid, secs):
    s = connect(prefix)

    def bracket(cmd):
        a = opackets_of(s)
        subprocess.run(["callgrind_control", cmd, str(pid)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return a, opackets_of(s)
    a0, a1 = bracket("-z")
    time.sleep(secs)
    b0, b1 = bracket("-d")
    print((b0 + b1 - a0 - a1) // 2, b0 - a1, b1 - a0)


def main():
    if sys.argv[1] == "--callgrind":
        callgrind(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
        return
    prefix, pid, secs, main_works = sys.argv[1], int(sys.argv[2]), \
        float(sys.argv[3]), sys.argv[4] == "1"
    s = connect(prefix)
    a = sample(s, pid, main_works)
    time.sleep(secs)
    b = sample(s, pid, main_works)
    d = [y - x for x, y in zip(a, b)]
    pk, t, fwd, total, busy = d
    print(int(pk / t), int(pk * 1e9 / max(fwd, 1)),
          "%.2f" % (max(busy - total, 0) / 1e9 / t))


if __name__ == "__main__":
    main()
