#!/usr/bin/env python3
"""Run the library example on a trace and compare its output with EXPECTED
(UPDATE_GOLDEN=1 rewrites it). Usage: run-example.py EXAMPLE TRACE EXPECTED"""
import os
import subprocess
import sys

exe, trace, expected = sys.argv[1:4]
p = subprocess.run([exe, trace], capture_output=True, text=True)
if os.environ.get("UPDATE_GOLDEN") == "1":
    open(expected, "w").write(p.stdout)
    sys.exit(0)
if p.returncode != 0:
    sys.exit(f"exit {p.returncode}: {p.stderr}")
want = open(expected).read()
if p.stdout != want:
    print(f"output differs from {expected}:\n{p.stdout}")
    sys.exit(1)
print("1 passed, 0 failed")
