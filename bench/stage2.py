#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Run dpkitd's stage two directly, for a tool that cannot follow stage
one's exec of /proc/self/exe (valgrind loads its own binary from there):

  stage2.py CONF COMMAND...

puts CONF into a sealed memfd named as stage one names it
(Documentation/dpkitd.rst, "Stage two"), passes it in DPKITD_CONFIG_FD and
execs COMMAND (e.g. valgrind ... dpkitd). For vdev-only configurations:
stage one's binds and isolation are not done.
"""

import fcntl
import os
import sys

fd = os.memfd_create("dpkitd.conf", os.MFD_ALLOW_SEALING)
with open(sys.argv[1], "rb") as f:
    os.write(fd, b"# bench/stage2.py: stage one's configuration\n" + f.read())
fcntl.fcntl(fd, fcntl.F_ADD_SEALS, fcntl.F_SEAL_WRITE | fcntl.F_SEAL_SHRINK |
            fcntl.F_SEAL_GROW | fcntl.F_SEAL_SEAL)
os.set_inheritable(fd, True)
os.environ["DPKITD_CONFIG_FD"] = str(fd)
os.execvp(sys.argv[2], sys.argv[2:])
