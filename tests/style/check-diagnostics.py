#!/usr/bin/env python3
"""Every diagnostic ID the code names is registered in docs/diagnostics.md with the
severity the code reports it at, and every registered ID is used by the code."""
import os
import re
import sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
code_dirs = ["lib", "cli", "include"]
# A full ID ("ALPCSCOPE-W104") or a bare one in prose ("diagnostic W205").
mention = re.compile(r"\b(?:ALPCSCOPE-)?([WIE]\d{3})\b")
# A report site: the ID string followed by its severity constant.
report = re.compile(r'"ALPCSCOPE-([WIE]\d{3})",\s*ALPCSCOPE_SEV_([A-Z]+)')
row = re.compile(r"^\|\s*ALPCSCOPE-([WIE]\d{3})\s*\|\s*(\w+)\s*\|")

registered = {}
for n, line in enumerate(open(os.path.join(root, "docs", "diagnostics.md")), 1):
    m = row.match(line)
    if m:
        if m.group(1) in registered:
            print(f"docs/diagnostics.md:{n}: {m.group(1)} registered twice")
            registered[m.group(1)] = None
        else:
            registered[m.group(1)] = m.group(2).lower()

problems = []
used = {}
files = 0
for top in code_dirs:
    for dirpath, _, names in os.walk(os.path.join(root, top)):
        for name in sorted(names):
            if not name.endswith((".c", ".h")):
                continue
            files += 1
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            text = open(path, errors="replace").read()
            for m in mention.finditer(text):
                line = text.count("\n", 0, m.start()) + 1
                used.setdefault(m.group(1), f"{rel}:{line}")
            for m in report.finditer(text):
                line = text.count("\n", 0, m.start()) + 1
                want = registered.get(m.group(1))
                if want and want != m.group(2).lower():
                    problems.append(f"{rel}:{line}: ALPCSCOPE-{m.group(1)} reported as "
                                    f"{m.group(2).lower()}, registered as {want}")

for ident, where in sorted(used.items()):
    if ident not in registered:
        problems.append(f"{where}: {ident} is not registered in docs/diagnostics.md")
for ident in sorted(registered):
    if registered[ident] is None:
        problems.append(f"docs/diagnostics.md: ALPCSCOPE-{ident} registered twice")
    elif ident not in used:
        problems.append(f"docs/diagnostics.md: ALPCSCOPE-{ident} is registered but never used")
for p in problems:
    print(p)
print(f"{0 if problems else 1} passed, {1 if problems else 0} failed "
      f"({len(registered)} IDs registered, {len(used)} used in {files} files)")
sys.exit(1 if problems else 0)
