#!/usr/bin/env python3
"""The manual page and the bash completion against the CLI's option tables
(cli/options.h, listed by the option-table tool): every command and every
option of every command is described in the manual page, which renders with
`groff -man -ww -z` without a warning; the completion offers exactly the
commands, and for each command exactly its options (plus those every command
takes); after an option that takes a value it offers what the table says
(the choice names, files, directories, or nothing). Every option in the
--help texts is in the table (they are printed from it), and every option
the manual page describes is in a table.
The README's table of commands names only options the command takes.
Usage: check-options.py ALPCSCOPE OPTION_TABLE MANPAGE COMPLETION README"""
import os
import re
import subprocess
import sys
import tempfile

exe, table_exe, man, completion, readme = (os.path.abspath(a) for a in sys.argv[1:6])
failed = 0
checked = 0


def fail(msg):
    global failed
    print(f"FAIL {msg}")
    failed += 1


# command -> {long: (short, takes_value, completion, choices)}
table = {}
for line in subprocess.run([table_exe], capture_output=True, text=True, check=True).stdout.splitlines():
    cmd, long, short, value, comp, choices = line.split("\t")
    table.setdefault(cmd, {})[long] = (None if short == "-" else short, value == "value", comp,
                                       choices.split())
common = table.pop("*")
commands = list(table)

groff = subprocess.run(["groff", "-man", "-ww", "-z", man], capture_output=True, text=True)
if groff.returncode != 0 or groff.stderr:
    fail(f"groff -man -ww -z {man}: {groff.stderr.strip()}")
rendered = subprocess.run(["groff", "-man", "-Tutf8", "-P-cbou", man], capture_output=True,
                          text=True).stdout.replace("\u2010", "-").replace("\u2212", "-")
rendered = re.sub(r"-\n\s*", "-", rendered)  # hyphenated line breaks
comp = subprocess.run(["bash", "-c", f"source {completion}; declare -f _alpcscope"],
                      capture_output=True, text=True)
if comp.returncode != 0:
    fail(f"bash cannot load {completion}: {comp.stderr}")

workdir = tempfile.mkdtemp()
os.mkdir(os.path.join(workdir, "somedir"))
open(os.path.join(workdir, "somefile.txt"), "w").close()


def completes(*words):
    """What the completion offers for the last word of `alpcscope WORDS...`."""
    quoted = " ".join("''" if w == "" else w for w in words)
    script = (f"source {completion}; COMP_WORDS=(alpcscope {quoted}); COMP_CWORD={len(words)}; "
              f"_alpcscope; printf '%s\\n' \"${{COMPREPLY[@]}}\"")
    return set(subprocess.run(["bash", "-c", script], capture_output=True, text=True,
                              cwd=workdir).stdout.split())


def in_manual(name):
    return re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", rendered)


def help_options(text):
    # option names where the usage lists them: "  --name", "  -x, --name", "--a, --b"
    opts = set()
    for line in text.splitlines():
        m = re.match(r"\s+(-\S.*?)(\s{2,}|$)", line)
        if m:
            opts.update(re.findall(r"(?<![\w-])(--?[a-zA-Z][\w-]*)", m.group(1)))
    return opts


offered = completes("")
if offered != set(commands) | {"--help", "--version"}:
    fail(f"completion offers commands {sorted(offered)}, the table has {commands}")

for cmd in commands:
    opts = table[cmd]
    if not re.search(rf"^\s+{cmd}\b", rendered, re.M):
        fail(f"command {cmd} not described in the manual")
    names = set(opts)
    offered = completes(cmd, "-")
    for extra in sorted(offered - names - set(common)):
        fail(f"{cmd}: the completion offers {extra}, which the command does not take")
    p = subprocess.run([exe, cmd, "--help"], capture_output=True, text=True)
    for o in sorted(help_options(p.stdout) - names - {s for s, *_ in opts.values() if s}):
        fail(f"{cmd} --help lists {o}, which is not in the option table")
    for long, (short, takes_value, how, choices) in sorted(opts.items()):
        checked += 1
        for name in [long] + ([short] if short else []):
            if not in_manual(name):
                fail(f"{cmd} {name}: not in the manual page")
        if long not in offered:
            fail(f"{cmd} {long}: not offered by the bash completion")
        for name in [long] + ([short] if short else []):
            after = completes(cmd, name, "")
            if not takes_value:
                if not completes(cmd, name, "-"):
                    fail(f"{cmd} {name}: after this flag the completion offers no option")
                continue
            want = {"choices": set(choices), "file": {"somefile.txt", "somedir"},
                    "dir": {"somedir"}, "nothing": set()}[how]
            if after != want:
                fail(f"{cmd} {name} VALUE: the completion offers {sorted(after)}, the table "
                     f"says {how} {sorted(want) if how == 'choices' else ''}")

main_help = subprocess.run([exe, "--help"], capture_output=True, text=True).stdout
for o in help_options(main_help):
    if not in_manual(o):
        fail(f"alpcscope --help {o}: not in the manual page")
# The other way round: every option the page describes (its .TP headings) is in a table.
known = set(help_options(main_help)) | set(common)
for opts in table.values():
    known |= set(opts) | {short for short, *_ in opts.values() if short}
lines = open(man).read().splitlines()
for heading in (lines[i + 1] for i, l in enumerate(lines[:-1]) if l.startswith(".TP")):
    for o in re.findall(r"(?<![\\\w-])((?:\\-){1,2}[a-zA-Z](?:[\w]|\\-)*)", heading):
        name = o.replace("\\-", "-")
        checked += 1
        if name not in known:
            fail(f"the manual page describes {name}, which no command takes")
for line in open(readme):
    m = re.match(r"\| `alpcscope (\w+) ([^`]*)`", line)
    for o in re.findall(r"(?<![\w-])(--[a-z][\w-]*)", m.group(2)) if m else []:
        checked += 1
        if m.group(1) not in table or o not in table[m.group(1)]:
            fail(f"README: alpcscope {m.group(1)} {o}: not an option of the command")
print(f"{checked} options checked: {failed} failed")
sys.exit(1 if failed else 0)
