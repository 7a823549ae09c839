#!/usr/bin/env python3
"""Every XML document alpcscope writes validates against the Windows event
schema (docs/xsd/events.xsd + event.xsd, written from Microsoft's public
description) with xmllint (libxml2): dump, messages (with stacks), chains
and chains --caused-process in xml for every fixture trace, and every XML
golden output. Usage: check-xml-schema.py ALPCSCOPE SOURCE_ROOT"""
import glob
import os
import subprocess
import sys
import tempfile

exe, root = sys.argv[1], sys.argv[2]
schema = os.path.join(root, "docs", "xsd", "events.xsd")
failed = checked = 0


def validate(what, data):
    global failed, checked
    checked += 1
    with tempfile.NamedTemporaryFile(suffix=".xml") as f:
        f.write(data)
        f.flush()
        p = subprocess.run(["xmllint", "--noout", "--schema", schema, f.name],
                           capture_output=True, text=True)
    if p.returncode != 0:
        failed += 1
        print(f"FAIL {what}:\n" + "\n".join(p.stderr.splitlines()[:5]))


for trace in sorted(glob.glob(os.path.join(root, "fixtures", "*.etl"))):
    name = os.path.basename(trace)
    for args in (["dump", "--format", "xml"], ["messages", "--format", "xml", "--stacks"],
                 ["chains", "--format", "xml", "--stacks"],
                 ["chains", "--format", "xml", "--caused-process", "notepad.exe"],
                 ["chains", "--format", "xml", "--caused-process", "explorer.exe"]):
        p = subprocess.run([exe, args[0], trace] + args[1:], capture_output=True)
        if p.returncode not in (0, 1):
            failed += 1
            print(f"FAIL {name} {' '.join(args)}: exit {p.returncode}")
            continue
        validate(f"{name} {' '.join(args)}", p.stdout)
for expected in sorted(glob.glob(os.path.join(root, "tests", "golden", "**", "expected"),
                                 recursive=True)):
    data = open(expected, "rb").read()
    if data.startswith(b"<?xml") and b"<Events>" in data[:400]:
        validate(os.path.relpath(expected, root), data)
print(f"{checked} XML documents checked: {failed} failed")
sys.exit(1 if failed else 0)
