#!/usr/bin/env python3
"""Smoke test of `alpcscope graph` rendering: SVG is well-formed XML holding the
nodes of the wmi-notepad chain (powershell -> svchost (Winmgmt) -> WmiPrvSE
-> notepad), drawn red; PNG has the PNG signature; a DOT file matches -o -;
an unknown extension is a usage error and leaves no file behind; without
Graphviz plugins (GVBINDIR pointing at an empty directory) SVG fails with
exit code 3 and a clear message, leaving no file, while DOT still works.
Usage: check-render.py ALPCSCOPE FIXTURES_DIR"""
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

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


def run(*args, env=None):
    return subprocess.run([exe, "graph", trace, *args], capture_output=True, env=env)


with tempfile.TemporaryDirectory() as tmp:
    svg = os.path.join(tmp, "g.svg")
    p = run("-o", svg, "--caused-process", "notepad.exe")
    check(p.returncode == 0, f"svg exit code {p.returncode}: {p.stderr.decode()}")
    root = ET.parse(svg).getroot()
    check(root.tag == "{http://www.w3.org/2000/svg}svg", "svg root element")
    texts = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]
    for label in ["powershell.exe", "svchost.exe (Winmgmt)", "WmiPrvSE.exe", "notepad.exe",
                  "PID 7064"]:
        check(label in texts, f"svg text {label!r}")
    red = [e for e in root.iter() if e.get("stroke") == "red"]
    check(len(red) >= 4, f"highlighted shapes in svg: {len(red)}")
    check(not os.path.exists(svg + ".tmp~"), "temporary file removed")

    png = os.path.join(tmp, "g.png")
    p = run("-o", png, "--max-nodes", "8")
    check(p.returncode == 0, f"png exit code {p.returncode}: {p.stderr.decode()}")
    with open(png, "rb") as f:
        check(f.read(8) == b"\x89PNG\r\n\x1a\n", "png signature")
    check(b"folded 9 processes" in p.stderr, "fold summary on stderr")

    dot = os.path.join(tmp, "g.dot")
    p = run("-o", dot)
    check(p.returncode == 0, "dot exit code")
    with open(dot, "rb") as f:
        check(f.read() == run("-o", "-").stdout, "dot file == dot on stdout")

    forced = os.path.join(tmp, "graph.out")
    p = run("-o", forced, "--format", "svg")
    check(p.returncode == 0 and open(forced, "rb").read(5) == b"<?xml", "--format svg")

    bad = os.path.join(tmp, "g.gif")
    p = run("-o", bad)
    check(p.returncode == 2 and not os.path.exists(bad), "unknown extension")

    empty = os.path.join(tmp, "no-plugins")
    os.mkdir(empty)
    env = dict(os.environ, GVBINDIR=empty)
    out = os.path.join(tmp, "np.svg")
    p = run("-o", out, env=env)
    check(p.returncode == 3, f"no plugins: exit code {p.returncode}")
    check(b"Graphviz cannot lay out" in p.stderr, "no plugins: message")
    check(not os.path.exists(out) and not os.path.exists(out + ".tmp~"), "no plugins: no file")
    p = run("-o", "-", env=env)
    check(p.returncode == 0 and p.stdout.startswith(b"digraph alpc {"), "no plugins: dot works")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
