#!/usr/bin/env python3
"""Every option in the CLI's usage texts (alpcscope --help and COMMAND --help)
appears in the manual page, which renders with `groff -man -ww -z` without a
warning, and is offered by the bash completion for that command.
Usage: check-options.py ALPCSCOPE MANPAGE COMPLETION"""
import re
import subprocess
import sys

exe, man, completion = sys.argv[1:4]
failed = 0
commands = ["info", "dump", "messages", "chains", "summary", "graph", "symbols", "profile"]


def help_text(*args):
    p = subprocess.run([exe, *args, "--help"], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"alpcscope {' '.join(args)} --help: exit {p.returncode}")
    return p.stdout


def options(text):
    # option names where the usage lists them: "  --name", "  -x, --name", "--a, --b"
    opts = set()
    for line in text.splitlines():
        m = re.match(r"\s+(-\S.*?)(\s{2,}|$)", line)
        if m:
            opts.update(re.findall(r"(?<![\w-])(--?[a-zA-Z][\w-]*)", m.group(1)))
    return opts


groff = subprocess.run(["groff", "-man", "-ww", "-z", man], capture_output=True, text=True)
if groff.returncode != 0 or groff.stderr:
    print(f"FAIL groff -man -ww -z {man}: {groff.stderr.strip()}")
    failed += 1
rendered = subprocess.run(["groff", "-man", "-Tutf8", "-P-cbou", man], capture_output=True,
                          text=True).stdout.replace("\u2010", "-").replace("\u2212", "-")
rendered = re.sub(r"-\n\s*", "-", rendered)  # hyphenated line breaks
comp = subprocess.run(["bash", "-c", f"source {completion}; declare -f _alpcscope"],
                      capture_output=True, text=True)
if comp.returncode != 0:
    print(f"FAIL bash cannot load {completion}: {comp.stderr}")
    failed += 1


def completes(cmd, prefix):
    script = (f"source {completion}; COMP_WORDS=(alpcscope {cmd} {prefix}); COMP_CWORD=2; "
              f"_alpcscope; printf '%s\\n' \"${{COMPREPLY[@]}}\"")
    return subprocess.run(["bash", "-c", script], capture_output=True, text=True).stdout.split()


checked = 0
for cmd in [None] + commands:
    text = help_text(cmd) if cmd else help_text()
    opts = options(text)
    if cmd:
        if not re.search(rf"^\s+{cmd}\b", rendered, re.M):
            print(f"FAIL command {cmd} not described in the manual")
            failed += 1
    for o in sorted(opts):
        checked += 1
        if not re.search(rf"(?<![\w-]){re.escape(o)}(?![\w-])", rendered):
            print(f"FAIL {cmd or 'alpcscope'} {o}: not in the manual page")
            failed += 1
        if cmd and o.startswith("--") and o not in ("--help",) and o not in completes(cmd, o):
            print(f"FAIL {cmd} {o}: not offered by the bash completion")
            failed += 1
print(f"{checked} options checked: {failed} failed")
sys.exit(1 if failed else 0)
