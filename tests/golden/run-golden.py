#!/usr/bin/env python3
"""Golden test runner: run the alpcscope CLI with the arguments in CASE/cmd
(paths relative to the project root) and compare stdout with CASE/expected
and the exit code with CASE/rc (0 when absent), and stderr with CASE/stderr
when that file exists (warnings and usage errors are part of the answer).
UPDATE_GOLDEN=1 rewrites the expectations instead of comparing."""
import difflib
import os
import shlex
import subprocess
import sys

exe, case = os.path.abspath(sys.argv[1]), sys.argv[2]
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
with open(os.path.join(case, "cmd")) as f:
    args = shlex.split(f.read().strip())
proc = subprocess.run([exe] + args, cwd=root, capture_output=True)
out = proc.stdout.decode("utf-8", errors="replace")
err = proc.stderr.decode("utf-8", errors="replace")
expected_path = os.path.join(case, "expected")
rc_path = os.path.join(case, "rc")
stderr_path = os.path.join(case, "stderr")
if os.environ.get("UPDATE_GOLDEN") == "1":
    with open(expected_path, "w") as f:
        f.write(out)
    if os.path.exists(stderr_path):
        with open(stderr_path, "w") as f:
            f.write(err)
    with open(rc_path, "w") as f:
        f.write(f"{proc.returncode}\n")
    print(f"updated {case}")
    sys.exit(0)
want_rc = int(open(rc_path).read()) if os.path.exists(rc_path) else 0
want = open(expected_path).read()
failed = 0
if proc.returncode != want_rc:
    print(f"exit code {proc.returncode}, expected {want_rc}")
    print(proc.stderr.decode("utf-8", errors="replace")[-2000:])
    failed += 1
if out != want:
    diff = difflib.unified_diff(want.splitlines(), out.splitlines(), "expected", "actual",
                                lineterm="", n=2)
    print("\n".join(list(diff)[:80]))
    failed += 1
checks = 2
if os.path.exists(stderr_path):
    checks += 1
    want_err = open(stderr_path).read()
    if err != want_err:
        diff = difflib.unified_diff(want_err.splitlines(), err.splitlines(),
                                    "expected stderr", "actual stderr", lineterm="", n=2)
        print("\n".join(list(diff)[:40]))
        failed += 1
print(f"{checks - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
