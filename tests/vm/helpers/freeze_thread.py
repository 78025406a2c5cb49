#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""freeze_thread.py TID SECONDS: stop one thread of a process, then let it go.

A stuck worker, made from outside: PTRACE_SEIZE and PTRACE_INTERRUPT stop
only thread TID (the rest of its process runs on), for SECONDS; then
PTRACE_DETACH lets it run again. Prints "frozen T" and "thawed T"
(CLOCK_MONOTONIC seconds). If the process dies meanwhile, says "gone T".
"""
import ctypes
import os
import sys
import time

PTRACE_DETACH = 17
PTRACE_SEIZE = 0x4206
PTRACE_INTERRUPT = 0x4207
WALL = 0x40000000

libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p,
                        ctypes.c_void_p]
tid, seconds = int(sys.argv[1]), float(sys.argv[2])


def ptrace(req):
    if libc.ptrace(req, tid, None, None) < 0:
        sys.exit(f"freeze_thread: ptrace {req:#x} on {tid}: "
                 f"{os.strerror(ctypes.get_errno())}")


ptrace(PTRACE_SEIZE)
ptrace(PTRACE_INTERRUPT)
os.waitpid(tid, WALL)
print(f"frozen {time.monotonic():.3f}", flush=True)
end = time.monotonic() + seconds
while time.monotonic() < end:
    # A fatal signal to the process ends the trace stop: say so.
    pid, status = os.waitpid(tid, WALL | os.WNOHANG)
    if pid and (os.WIFEXITED(status) or os.WIFSIGNALED(status)):
        print(f"gone {time.monotonic():.3f}", flush=True)
        sys.exit(0)
    time.sleep(0.05)
ptrace(PTRACE_DETACH)
print(f"thawed {time.monotonic():.3f}", flush=True)
