#!/usr/bin/env python3
"""The shared library exports exactly the ALPCSCOPE_EXPORT declarations of the
public headers, all under the ALPCSCOPE_0 version node, and nothing else."""
import glob
import re
import subprocess
import sys

lib, include_dir = sys.argv[1], sys.argv[2]
out = subprocess.run(["nm", "-D", "--defined-only", lib], check=True,
                     capture_output=True, text=True).stdout
exported = {}
for line in out.splitlines():
    parts = line.split()
    if len(parts) == 3 and parts[1] in "TDRB":
        name, _, version = parts[2].partition("@")
        exported[name] = version.lstrip("@")

declared = set()
for path in glob.glob(include_dir + "/*.h"):
    text = open(path).read()
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)  # drop comments
    text = re.sub(r"#define[^\n]*", "", text)
    for m in re.finditer(r"ALPCSCOPE_EXPORT\b[^;{]*?\b(alpcscope_\w+)\s*\(", text):
        declared.add(m.group(1))

problems = []
for name, version in sorted(exported.items()):
    if not name.startswith("alpcscope_"):
        problems.append(f"exported without the alpcscope_ prefix: {name}")
    elif name not in declared:
        problems.append(f"exported but not declared ALPCSCOPE_EXPORT: {name}")
    elif version != "ALPCSCOPE_0":
        problems.append(f"{name} is outside the ALPCSCOPE_0 version node ({version!r})")
for name in sorted(declared - set(exported)):
    problems.append(f"declared ALPCSCOPE_EXPORT but not exported: {name}")
for p in problems:
    print(p)
print(f"{0 if problems else 1} passed, {1 if problems else 0} failed "
      f"({len(exported)} exported, {len(declared)} declared)")
sys.exit(1 if problems else 0)
