#!/usr/bin/env python3
"""Every docs/<name>.md and docs/<name>.md#<anchor> cited in the sources, tests and docs exists:
the file is in docs/ and the anchor is one of its headings (GitHub's slug rules)."""
import os
import re
import sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
cite = re.compile(r"docs/([A-Za-z0-9_-]+\.md)(?:#([a-z0-9-]+))?")
heading = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")


def slug(title):
    title = re.sub(r"[`*_]|\[|\]\([^)]*\)", "", title).strip().lower()
    return re.sub(r"[^\w\- ]", "", title).replace(" ", "-")


anchors = {}
for name in os.listdir(os.path.join(root, "docs")):
    if name.endswith(".md"):
        fence = False
        found = set()
        for line in open(os.path.join(root, "docs", name), errors="replace"):
            if line.startswith("```"):
                fence = not fence
            m = None if fence else heading.match(line)
            if m:
                found.add(slug(m.group(1)))
        anchors[name] = found

problems = []
files = 0
for top in ["lib", "cli", "include", "tests", "docs", "fixtures"]:
    for dirpath, dirs, names in os.walk(os.path.join(root, top)):
        dirs[:] = [d for d in dirs if d != "golden"]
        for name in sorted(names):
            if not name.endswith((".c", ".h", ".md", ".py", ".sh", ".man", ".scn", "meson.build")):
                continue
            files += 1
            path = os.path.join(dirpath, name)
            text = open(path, errors="replace").read()
            for m in cite.finditer(text):
                line = text.count("\n", 0, m.start()) + 1
                where = f"{os.path.relpath(path, root)}:{line}"
                doc, anchor = m.group(1), m.group(2)
                if doc not in anchors:
                    problems.append(f"{where}: docs/{doc} does not exist")
                elif anchor and anchor not in anchors[doc]:
                    problems.append(f"{where}: docs/{doc} has no section #{anchor}")
for p in problems:
    print(p)
print(f"{0 if problems else 1} passed, {1 if problems else 0} failed ({files} files checked)")
sys.exit(1 if problems else 0)
