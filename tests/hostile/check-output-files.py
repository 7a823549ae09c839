#!/usr/bin/env python3
"""Output-file safety of the commands that write a file (graph -o, profile -o),
in a temporary directory only (never a real device node: the old code replaced
the target with a regular file):

- a symlink planted at the old predictable temporary name (OUT.tmp~) and at
  every name beside OUT is never followed: its target stays intact;
- an existing FIFO is written in place (a reader gets the output) and stays a
  FIFO; a symlink to a FIFO too;
- a regular target is replaced atomically, keeps its mode, and no temporary
  is left behind;
- a write error (file-size limit: RLIMIT_FSIZE with SIGXFSZ ignored, so
  write() fails with EFBIG as on a full disk) exits 3 with a message naming
  the user's path, leaves no file and no temporary: for DOT, SVG (Graphviz
  used to call exit(1)) and the WPR profile (libxml2 swallowed the error,
  exit 0).
Usage: check-output-files.py ALPCSCOPE FIXTURES_DIR"""
import os
import resource
import signal
import stat
import subprocess
import sys
import tempfile
import threading

exe, fixtures = sys.argv[1], sys.argv[2]
trace = os.path.join(fixtures, "wmi-notepad.etl")
passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAILED:", what)


def run(args, limit=None, timeout=120):
    def pre():
        if limit is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return subprocess.run([exe, *args], capture_output=True, timeout=timeout, preexec_fn=pre)


def listing(d):
    return sorted(os.listdir(d))


with tempfile.TemporaryDirectory() as tmp:
    victim = os.path.join(tmp, "victim")
    with open(victim, "w") as f:
        f.write("precious\n")

    # 1. planted symlinks at the old temporary name and at dot-names beside the target
    out = os.path.join(tmp, "report.dot")
    os.symlink(victim, out + ".tmp~")
    for cmd in (["graph", trace, "-o", out], ["profile", "-o", out]):
        p = run(cmd)
        check(p.returncode == 0, f"{cmd[0]} with planted symlink: exit {p.returncode} {p.stderr[-300:]}")
        check(open(victim).read() == "precious\n", f"{cmd[0]}: symlink target untouched")
        check(os.path.isfile(out) and not os.path.islink(out), f"{cmd[0]}: output is a regular file")
    check(listing(tmp) == ["report.dot", "report.dot.tmp~", "victim"],
          f"no temporary left behind: {listing(tmp)}")
    for leftover in (out + ".tmp~", out):
        if os.path.lexists(leftover):
            os.unlink(leftover)

    # 2. a regular target keeps its mode and is replaced whole
    with open(out, "w") as f:
        f.write("old\n")
    os.chmod(out, 0o640)
    p = run(["graph", trace, "-o", out])
    check(p.returncode == 0, "graph over an existing file")
    check(stat.S_IMODE(os.stat(out).st_mode) == 0o640, "mode of the replaced file kept")
    check(open(out).read().startswith("digraph"), "replaced with the graph")
    os.unlink(out)

    # 3. FIFO targets are written in place (and a symlink to a FIFO)
    for name, link in (("graph.svg", False), ("profile.wprp", False), ("link.svg", True)):
        fifo = os.path.join(tmp, "fifo-" + name)
        os.mkfifo(fifo)
        target = fifo
        if link:
            target = os.path.join(tmp, name)
            os.symlink(fifo, target)
        got = {}

        def reader():
            with open(fifo, "rb") as f:
                got["data"] = f.read()
        t = threading.Thread(target=reader)
        t.start()
        cmd = ["profile", "-o", target] if name.endswith(".wprp") else ["graph", trace, "-o", target]
        p = run(cmd)
        t.join(60)
        check(p.returncode == 0, f"{name} into a FIFO: exit {p.returncode} {p.stderr[-300:]}")
        check(stat.S_ISFIFO(os.stat(fifo).st_mode), f"{name}: FIFO still a FIFO")
        if link:
            check(os.path.islink(target), f"{name}: the symlink to the FIFO is kept")
        data = got.get("data", b"")
        check(data.startswith(b"<?xml"), f"{name}: reader got the output ({data[:20]!r})")
        os.unlink(fifo)
        if link:
            os.unlink(target)
    check(listing(tmp) == ["victim"], f"nothing left after FIFO runs: {listing(tmp)}")

    # 4. write errors: exit 3, message names the path, nothing left behind
    for fmt, cmd in (("dot", ["graph", trace]), ("svg", ["graph", trace]),
                     ("png", ["graph", trace]), ("wprp", ["profile"])):
        target = os.path.join(tmp, "out." + fmt)
        p = run(cmd + ["-o", target], limit=1000)
        err = p.stderr.decode(errors="replace")
        check(p.returncode == 3, f"{fmt} at the file-size limit: exit {p.returncode} (want 3): {err[-300:]}")
        check(target in err, f"{fmt}: error names {target}: {err[-300:]}")
        check(listing(tmp) == ["victim"], f"{fmt}: nothing left behind: {listing(tmp)}")

    # 5. a directory as target is refused without touching it
    d = os.path.join(tmp, "dir.svg")
    os.mkdir(d)
    p = run(["graph", trace, "-o", d])
    check(p.returncode == 3 and d in p.stderr.decode(errors="replace"), "directory target refused")
    check(listing(d) == [], "directory untouched")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
