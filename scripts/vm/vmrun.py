#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Run one dpkit test scenario in a QEMU guest and count its results.

The guest boots a kernel under TCG (q35, emulated intel-iommu, -cpu max)
with the host root shared read-only over 9p, runs the scenario script inside
it (scripts/vm/init.sh -> scripts/vm/guest.sh) and reports over its second
serial port, which this script streams to stdout. The scenario's header
chooses the machine:

    # vm: nics=e1000e:k0:1,virtio:d0:1 smp=4 mem=2048 timeout=300

nics is a list of MODEL:ID:HUB[:bridge][:qN]; NICs on the same hub are
cabled back to back inside QEMU (hubport netdevs: no sockets, no host
network). MODEL is e1000e or virtio (virtio-net-pci, modern,
iommu_platform=on). NICs marked "bridge" sit behind one conventional PCI
bridge, and so share one IOMMU group. A virtio NIC marked qN has N queue
pairs and RSS (rss=on: QEMU computes the hash); a hubport has one queue, so then every NIC of the VM is a tap on a
Linux bridge per hub, in a network namespace of QEMU's own (unshare): no
host network either. nvme=1 adds an NVMe disk (16 MiB, scratch): its queue
IRQs are kernel-managed. overlay=1 makes the guest's root writable (an
overlayfs of a tmpfs over the host root); init=systemd (with overlay=1)
boots systemd as PID 1, which runs the scenario as a unit.

The guest may ask the host to act through the virtio-serial port dpkit.host
(tests/vm/lib.sh `host`): `set_link ID on|off` (QMP) and `ping`.

Results: TAP lines at top level ("ok N", "not ok N") or, with --ktap, KUnit
test cases. A guest that dies before its end marker (panic, triple fault)
or outlives its timeout is one failure, with the console log kept and its
tail printed. QEMU is always killed.

Exit status: 0 when nothing failed. The last line is
"vm: NAME: P passed, F failed, S skipped"; the same numbers go to
LOGDIR/result.
"""

import argparse
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

END_RE = re.compile(r"^@@DPKIT-VM-END rc=(\d+)")
TAP_RE = re.compile(r"^(\s*)(not ok|ok)\b(.*)$")
HEADER_RE = re.compile(r"^#\s*vm:\s*(.*)$")
NIC_MODELS = {
    "e1000e": "e1000e",
    "virtio": "virtio-net-pci,disable-legacy=on,iommu_platform=on",
}
DEFAULTS = {"smp": "2", "mem": "1024", "timeout": "300", "nics": "",
            "hugepages": "64", "nvme": "0", "overlay": "0", "init": "sh"}


def log(msg):
    print(f"vmrun: {msg}", flush=True)


def scenario_options(path):
    """Read the '# vm: key=value ...' header lines of a scenario."""
    opts = dict(DEFAULTS)
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = HEADER_RE.match(line)
            if not m:
                continue
            for item in m.group(1).split():
                key, sep, val = item.partition("=")
                if not sep or key not in DEFAULTS:
                    raise SystemExit(f"{path}: bad vm header item '{item}'")
                opts[key] = val
    return opts


def parse_nics(spec):
    """[(model, id, hub, bridged, queues)] of 'MODEL:ID:HUB[:bridge][:qN],...'."""
    nics = []
    for item in filter(None, spec.split(",")):
        try:
            model, nic_id, hub, *rest = item.split(":")
            hub = int(hub)
            bridged = "bridge" in rest
            queues = [int(r[1:]) for r in rest if r != "bridge"]
            if (model not in NIC_MODELS or len(queues) > 1 or
                    len(rest) != bridged + len(queues) or
                    any(q < 1 for q in queues) or
                    (queues and queues[0] > 1 and model != "virtio")):
                raise ValueError
        except ValueError:
            raise SystemExit(f"bad nic spec '{item}' (MODEL:ID:HUB[:bridge]"
                             f"[:qN], MODEL in {', '.join(NIC_MODELS)}, "
                             f"qN for virtio)")
        nics.append((model, nic_id, hub, bridged, queues[0] if queues else 1))
    return nics


def tap_setup(spec):
    """Shell commands making a bridge per hub and a tap per NIC (in QEMU's
    own network namespace), for NICs with more than one queue pair."""
    nics = parse_nics(spec)
    cmds = ["ip link set lo up"]
    for hub in sorted({n[2] for n in nics}):
        cmds += [f"ip link add dpkbr{hub} type bridge forward_delay 0 "
                 f"stp_state 0", f"ip link set dpkbr{hub} up"]
    for model, nic_id, hub, _, queues in nics:
        mq = " multi_queue" if queues > 1 else ""
        cmds += [f"ip tuntap add dev dpk{nic_id} mode tap{mq}",
                 f"ip link set dpk{nic_id} master dpkbr{hub}",
                 f"ip link set dpk{nic_id} up"]
    return " && ".join(cmds)


def nic_args(spec):
    """-netdev/-device arguments for 'MODEL:ID:HUB[:bridge][:qN],...'."""
    args = []
    bridged = 0
    nics = parse_nics(spec)
    taps = any(n[4] > 1 for n in nics)
    for i, (model, nic_id, hub, bridge, queues) in enumerate(nics):
        model_dev = NIC_MODELS[model]
        place = ["bridge"] if bridge else []
        mac = f"52:54:00:dc:{hub:02x}:{i:02x}"
        bus = ""
        if place:
            if not bridged:
                args += ["-device", "pci-bridge,id=br0,chassis_nr=1"]
            bridged += 1
            bus = f",bus=br0,addr={bridged:#x}"
        if taps:
            netdev = (f"tap,id=hp_{nic_id},ifname=dpk{nic_id},script=no,"
                      f"downscript=no,vhost=off,queues={queues}")
        else:
            netdev = f"hubport,id=hp_{nic_id},hubid={hub}"
        # several queues: RSS in the device too (QEMU computes it)
        mq = f",mq=on,rss=on,vectors={2 * queues + 2}" if queues > 1 else ""
        args += ["-netdev", netdev,
                 "-device", f"{model_dev},netdev=hp_{nic_id},id={nic_id},"
                            f"mac={mac}{bus}{mq}"]
    return args


class Qmp:
    """The smallest QMP client: connect, negotiate, execute."""

    def __init__(self, sock):
        self.sock = sock
        self.sock.settimeout(10)
        self.buf = b""
        self._read()  # greeting
        self.execute("qmp_capabilities")

    def _read(self):
        while b"\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("QMP closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def execute(self, cmd, **arguments):
        msg = {"execute": cmd}
        if arguments:
            msg["arguments"] = arguments
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            reply = self._read()
            if "event" in reply:
                continue
            if "error" in reply:
                raise RuntimeError(reply["error"].get("desc", str(reply)))
            return reply.get("return")


def host_command(qmp, line):
    """Run one command the guest asked for; return the reply line."""
    words = line.split()
    try:
        if words == ["ping"]:
            return "ok pong"
        if len(words) == 3 and words[0] == "set_link" and \
                words[2] in ("on", "off"):
            qmp.execute("set_link", name=words[1], up=words[2] == "on")
            log(f"host: set_link {words[1]} {words[2]}")
            return "ok"
        return f"err unknown command: {line}"
    except (RuntimeError, OSError) as e:
        return f"err {e}"


class Counter:
    """Counts TAP (top level) or KTAP (KUnit cases) result lines."""

    def __init__(self, ktap):
        self.ktap = ktap
        self.passed = self.failed = self.skipped = 0
        self.suite_failed_without_case = 0
        self.case_failed_in_block = False

    def feed(self, line):
        m = TAP_RE.match(line)
        if not m:
            return
        depth = len(m.group(1).expandtabs(8)) // 4
        failed = m.group(2) == "not ok"
        skipped = "# SKIP" in m.group(3).upper()
        if self.ktap:
            # KUnit prints cases at depth 1 and the suite's result at 0.
            if depth == 0:
                if failed and not self.case_failed_in_block:
                    self.suite_failed_without_case += 1
                self.case_failed_in_block = False
                return
            if depth != 1:
                return
            if failed:
                self.case_failed_in_block = True
        elif depth != 0:
            return
        if skipped:
            self.skipped += 1
        elif failed:
            self.failed += 1
        else:
            self.passed += 1

    def total(self):
        return self.passed + self.failed + self.skipped


def dpkit_in_crash(console):
    """Whether dpkit appears in the console from the first oops, BUG or
    panic line on (a kernel with dpkit built in may crash in it)."""
    try:
        with open(console, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return True
    first = [i for i in (text.find(k) for k in ("Oops", "BUG:", "Kernel panic"))
             if i >= 0]
    return not first or "dpkit" in text[min(first):]


def run(args, boot_retry=False):
    scenario = os.path.abspath(args.scenario)
    name = args.name or os.path.splitext(os.path.basename(scenario))[0]
    opts = scenario_options(scenario)
    for key in DEFAULTS:
        val = getattr(args, key, None)
        if val:
            opts[key] = val
    timeout = int(opts["timeout"])
    top = os.path.abspath(args.top)

    logdir = os.path.abspath(args.logdir)
    shutil.rmtree(logdir, ignore_errors=True)
    os.makedirs(os.path.join(logdir, "guest"))
    console = os.path.join(logdir, "console.log")
    output = os.path.join(logdir, "output.log")
    sockdir = tempfile.mkdtemp(prefix="dpkitvm.")
    out_sock = os.path.join(sockdir, "out")
    host_sock = os.path.join(sockdir, "host")
    qmp_sock = os.path.join(sockdir, "qmp")

    append = " ".join([
        "console=ttyS0", "panic=-1", "oops=panic", "panic_on_warn=1",
        # TCG on a loaded host can miss the IO-APIC timer check's window
        # ("timer doesn't work through Interrupt-remapped IO-APIC").
        "no_timer_check",
        "intel_iommu=on", "iommu=pt" if args.iommu_pt else "",
        f"hugepages={opts['hugepages']}", "quiet" if not args.verbose else "",
        f"dpkitvm.top={top}", f"dpkitvm.out={logdir}/guest",
        f"dpkitvm.scenario={scenario}", f"dpkitvm.overlay={opts['overlay']}",
        f"dpkitvm.init={opts['init']}", args.append or ""]).split()
    cmd = [
        args.qemu, "-machine", "q35,kernel-irqchip=split", "-accel", "tcg",
        "-cpu", "max", "-smp", opts["smp"], "-m", opts["mem"],
        "-nodefaults", "-display", "none", "-no-reboot",
        "-device", "intel-iommu,intremap=on",
        "-kernel", args.kernel, "-initrd", args.initrd,
        "-append", " ".join(append),
        "-serial", f"file:{console}",
        "-chardev", f"socket,id=out,path={out_sock},server=on,wait=on",
        "-serial", "chardev:out",
        "-virtfs", "local,path=/,mount_tag=hostroot,security_model=none,"
                   "readonly=on,multidevs=remap",
        "-virtfs", f"local,path={logdir}/guest,mount_tag=out,"
                   "security_model=none,multidevs=remap",
        "-qmp", f"unix:{qmp_sock},server=on,wait=off",
        "-device", "virtio-serial-pci,id=vser",
        "-chardev", f"socket,id=host,path={host_sock},server=on,wait=off",
        "-device", "virtserialport,bus=vser.0,chardev=host,name=dpkit.host",
    ] + nic_args(opts["nics"])
    if opts["nvme"] == "1":
        disk = os.path.join(sockdir, "nvme.img")
        with open(disk, "wb") as f:
            f.truncate(16 << 20)
        cmd += ["-drive", f"file={disk},if=none,id=nvm,format=raw",
                "-device", "nvme,drive=nvm,serial=dpkit0"]
    if any(n[4] > 1 for n in parse_nics(opts["nics"])):
        # Multi-queue NICs: taps and bridges in a network namespace of
        # QEMU's own, gone with it.
        cmd = ["unshare", "--net", "--", "sh", "-c",
               tap_setup(opts["nics"]) + ' && exec "$@"', "sh"] + cmd
    with open(os.path.join(logdir, "qemu.cmdline"), "w") as f:
        f.write(" ".join(cmd) + "\n")

    counter = Counter(args.ktap)
    rc = None
    verdict = None
    began = False
    log(f"{name}: booting {os.path.basename(args.kernel)} "
        f"(smp {opts['smp']}, {opts['mem']} MiB, timeout {timeout} s"
        f"{', nics ' + opts['nics'] if opts['nics'] else ''}); "
        f"logs in {logdir}")
    start = time.monotonic()
    qemu_err = open(os.path.join(logdir, "qemu.log"), "w")
    qemu = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                            stdout=qemu_err, stderr=subprocess.STDOUT,
                            start_new_session=True)
    out = host = qmp = None
    try:
        out = connect_when_ready(out_sock, qemu, 30)
        qmp = Qmp(connect_when_ready(qmp_sock, qemu, 10))
        host = connect_when_ready(host_sock, qemu, 10)
        outlog = open(output, "w")
        bufs = {out: b"", host: b""}
        deadline = start + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                verdict = f"timed out after {timeout} s"
                break
            ready, _, _ = select.select([s for s in (out, host) if s],
                                        [], [], min(left, 1.0))
            if not ready and qemu.poll() is not None:
                break
            for s in ready:
                data = s.recv(65536)
                if not data:
                    if s is out:
                        out = None
                    else:
                        host = None
                    continue
                bufs[s] += data
                while b"\n" in bufs[s]:
                    raw, bufs[s] = bufs[s].split(b"\n", 1)
                    line = raw.decode("utf-8", "replace").rstrip("\r")
                    if s is host:
                        host.sendall((host_command(qmp, line) + "\n").encode())
                        continue
                    outlog.write(line + "\n")
                    outlog.flush()
                    m = END_RE.match(line)
                    if m:
                        rc = int(m.group(1))
                        continue
                    if line.startswith("@@DPKIT-VM-BEGIN"):
                        began = True
                    if line.startswith("@@"):
                        continue
                    print(line, flush=True)
                    counter.feed(line)
            if rc is not None or out is None:
                break
        if rc is None and verdict is None:
            verdict = "the guest died before the scenario ended " \
                      "(panic or reset: see the console log)"
    finally:
        for s in (out, host):
            if s:
                s.close()
        if rc is not None:
            try:
                qemu.wait(timeout=20)
            except subprocess.TimeoutExpired:
                pass
        if qemu.poll() is None:
            os.killpg(qemu.pid, signal.SIGKILL)
            qemu.wait()
        qemu_err.close()
        shutil.rmtree(sockdir, ignore_errors=True)

    elapsed = time.monotonic() - start
    if rc is None and verdict and verdict.startswith("the guest died") and \
            not began and boot_retry and \
            not dpkit_in_crash(console):
        tail(console, 30)
        log(f"{name}: the guest kernel died while booting, before the "
            f"scenario began, with no dpkit in its crash (above): "
            f"booting it once more")
        return None
    if verdict is None and rc != 0 and counter.failed == 0:
        verdict = f"the scenario exited with status {rc}"
    if verdict is None and counter.total() == 0:
        verdict = "the scenario reported no results"
    if args.ktap and counter.suite_failed_without_case:
        counter.failed += counter.suite_failed_without_case
        log(f"{name}: {counter.suite_failed_without_case} suite(s) failed "
            "outside any test case")
    if verdict:
        counter.failed += 1
        print(f"not ok - {name}: {verdict}", flush=True)
        tail(os.path.join(logdir, "qemu.log"), 10)
        tail(console, args.tail)
    summary = (f"{counter.passed} passed, {counter.failed} failed, "
               f"{counter.skipped} skipped")
    with open(os.path.join(logdir, "result"), "w") as f:
        f.write(f"{counter.passed} {counter.failed} {counter.skipped}\n")
    print(f"vm: {name}: {summary} ({elapsed:.0f} s)", flush=True)
    return 1 if counter.failed else 0


def connect_when_ready(path, qemu, timeout):
    deadline = time.monotonic() + timeout
    while True:
        if qemu.poll() is not None:
            raise SystemExit(f"vmrun: qemu exited early ({qemu.returncode})")
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
            return s
        except OSError:
            s.close()
            if time.monotonic() > deadline:
                raise SystemExit(f"vmrun: qemu did not open {path}")
            time.sleep(0.05)


def tail(path, n):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.readlines()[-n:]
    except OSError:
        return
    print(f"--- last {len(lines)} lines of {path} ---")
    for line in lines:
        print("  " + line.rstrip())
    print("---", flush=True)


def _terminated(signum, _frame):
    """SIGTERM/SIGHUP end the run like an exception: QEMU (in a session of
    its own, out of reach of a signal to our process group) is killed in
    run()'s finally clause, never left running."""
    raise SystemExit(128 + signum)


def main():
    signal.signal(signal.SIGTERM, _terminated)
    signal.signal(signal.SIGHUP, _terminated)
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("scenario", help="guest script (tests/vm/*.sh)")
    p.add_argument("--kernel", required=True)
    p.add_argument("--initrd", required=True)
    p.add_argument("--logdir", required=True)
    p.add_argument("--top", default=os.getcwd(), help="the dpkit tree")
    p.add_argument("--name", help="name in the summary (default: script)")
    p.add_argument("--ktap", action="store_true",
                   help="count KUnit test cases instead of TAP lines")
    p.add_argument("--qemu", default="qemu-system-x86_64")
    p.add_argument("--append", help="more kernel command line")
    p.add_argument("--iommu-pt", action="store_true")
    p.add_argument("--verbose", action="store_true",
                   help="boot without 'quiet'")
    p.add_argument("--tail", type=int, default=60,
                   help="console lines to print on failure")
    for key in DEFAULTS:
        p.add_argument(f"--{key}", help=f"override the header's {key}")
    args = p.parse_args()
    # A guest kernel that dies while booting, before the scenario (and so
    # before any dpkit.ko is loaded), in code that is not dpkit's, is TCG's
    # or that kernel's: said loudly, and booted once more.
    ret = run(args, boot_retry=True)
    if ret is None:
        ret = run(args)
    sys.exit(ret)


if __name__ == "__main__":
    main()
