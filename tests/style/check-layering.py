#!/usr/bin/env python3
"""Include edges in lib/ point one way: util <- reader <- decode <- analysis <- output.
A file may include headers of its own layer or of lower layers, never higher ones;
cli/ includes only the public headers."""
import os
import re
import sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
layers = ["util", "reader", "decode", "analysis", "output"]
rank = {name: i for i, name in enumerate(layers)}
inc = re.compile(r'^\s*#\s*include\s+"(\w+)/')
problems = []
checked = 0
for layer in layers:
    d = os.path.join(root, "lib", layer)
    for name in sorted(os.listdir(d)):
        if not name.endswith((".c", ".h")):
            continue
        checked += 1
        for n, line in enumerate(open(os.path.join(d, name), errors="replace"), 1):
            m = inc.match(line)
            if m and m.group(1) in rank and rank[m.group(1)] > rank[layer]:
                problems.append(f"lib/{layer}/{name}:{n}: includes {m.group(1)}/ (a higher layer)")
cli = os.path.join(root, "cli")
for name in sorted(os.listdir(cli)):
    if name.endswith((".c", ".h")):
        checked += 1
        for n, line in enumerate(open(os.path.join(cli, name), errors="replace"), 1):
            m = inc.match(line)
            if m and m.group(1) in rank:
                problems.append(f"cli/{name}:{n}: includes internal {m.group(1)}/ header")
for p in problems:
    print(p)
print(f"{0 if problems else 1} passed, {1 if problems else 0} failed ({checked} files)")
sys.exit(1 if problems else 0)
