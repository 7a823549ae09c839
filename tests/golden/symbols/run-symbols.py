#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Golden tests of offline symbols: run the CLI with CASE/cmd, whose {store},
{store2}, {flat}, {binaries}, {mismatch} and {empty} stand for symbol
directories built here, in a temporary directory, from ../shared/pdb-samples
(symbolic links: those files are never copied into the project):

  store     one-tier symbol store: NAME.pdb/GUIDAGE/NAME.pdb and the binary
            basic64.dll/STAMPSIZE/basic64.dll
  store2    two-tier store (index2.txt): NA/NAME.pdb/GUIDAGE/NAME.pdb
  flat      every .pdb and basic64.dll in one folder
  binaries  the .exe/.dll files only (PDB identity from the PE debug directory)
  mismatch  crash.pdb that is really crash_with_srcsrv.pdb (same GUID, age 4)
  empty     an empty folder

stdout (and stderr, when CASE/expected-stderr exists) is compared with the
case's files after the temporary directory is replaced by "$SYMBOLS".
UPDATE_GOLDEN=1 rewrites them. Exits 77 (skip) when the samples are absent.
"""
import difflib
import os
import shlex
import subprocess
import sys
import tempfile

exe, case = os.path.abspath(sys.argv[1]), sys.argv[2]
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
samples = os.path.join(root, "..", "shared", "pdb-samples")
if not os.path.exists(os.path.join(samples, "CATALOG.md")):
    print(f"SKIP: {samples} absent (PDB samples live beside the checkout)")
    sys.exit(77)
samples = os.path.realpath(samples)

PDBS = {  # name -> store key (GUID without dashes, upper case, then the age in hex)
    "dump_syms_regtest64.pdb": "72E103A85CB249078B76B2E7C06257B13",
    "CrashWithException.pdb": "F535C5FB2AE84BB8AA206C30BE566C5A1",
    "crash.pdb": "3249D99D0C4049318610F4E4FB0B69361",
}
BINARIES = {  # name -> TimeDateStamp (8 hex digits) + SizeOfImage (hex)
    "basic64.dll": "5DDC1E998c000",
    "crash.exe": "5AB380779000",
    "CrashWithException.exe": "5C9E09599000",
    "dump_syms_regtest64.exe": "589DFD111a000",
}


def link(src, *parts):
    dst = os.path.join(*parts)
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    os.symlink(os.path.join(samples, src), dst)


def build(tmp):
    dirs = {k: os.path.join(tmp, k) for k in
            ("store", "store2", "flat", "binaries", "mismatch", "empty")}
    for d in dirs.values():
        os.makedirs(d)
    for name, key in PDBS.items():
        link(name, dirs["store"], name, key, name)
        link(name, dirs["store2"], name[:2], name, key, name)
        link(name, dirs["flat"], name)
    link("basic64.dll", dirs["store"], "basic64.dll", BINARIES["basic64.dll"], "basic64.dll")
    open(os.path.join(dirs["store2"], "index2.txt"), "w").close()
    link("basic64.dll", dirs["flat"], "basic64.dll")
    for name in BINARIES:
        link(name, dirs["binaries"], name)
    link("crash_with_srcsrv.pdb", dirs["mismatch"], "crash.pdb")
    return dirs


with tempfile.TemporaryDirectory(prefix="alpcscope-symbols-") as tmp:
    dirs = build(tmp)
    with open(os.path.join(case, "cmd")) as f:
        text = f.read().strip()
    for k, v in dirs.items():
        text = text.replace("{" + k + "}", v)
    env = dict(os.environ)
    env.pop("_NT_SYMBOL_PATH", None)
    proc = subprocess.run([exe] + shlex.split(text), cwd=root, capture_output=True, env=env)
    out = proc.stdout.decode("utf-8", errors="replace").replace(tmp, "$SYMBOLS")
    err = proc.stderr.decode("utf-8", errors="replace").replace(tmp, "$SYMBOLS")

expected_path = os.path.join(case, "expected")
stderr_path = os.path.join(case, "expected-stderr")
rc_path = os.path.join(case, "rc")
if os.environ.get("UPDATE_GOLDEN") == "1":
    open(expected_path, "w").write(out)
    open(stderr_path, "w").write(err)
    open(rc_path, "w").write(f"{proc.returncode}\n")
    print(f"updated {case}")
    sys.exit(0)
failed = 0
want_rc = int(open(rc_path).read()) if os.path.exists(rc_path) else 0
if proc.returncode != want_rc:
    print(f"exit code {proc.returncode}, expected {want_rc}\n{err[-2000:]}")
    failed += 1
checks = [(expected_path, out)]
if os.path.exists(stderr_path):
    checks.append((stderr_path, err))
for path, got in checks:
    want = open(path).read()
    if got != want:
        diff = difflib.unified_diff(want.splitlines(), got.splitlines(), path, "actual",
                                    lineterm="", n=2)
        print("\n".join(list(diff)[:80]))
        failed += 1
print(f"{1 + len(checks) - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
