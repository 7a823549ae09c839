#!/usr/bin/env python3
"""Run one libFuzzer target for a fixed time over a copy of its corpus.

usage: run-fuzz.py FUZZ_EXE CORPUS_DIR SECONDS [ARTIFACT_DIR]

New inputs go to a temporary directory (the repository's corpus is only
read); a crash, leak, timeout or sanitizer report makes libFuzzer exit
non-zero, and its reproducer is written to ARTIFACT_DIR (default: the
current directory). Prints the final coverage line. Used by the 'fuzz'
suite (a few seconds per target in CI) and by tests/fuzz/campaign.sh.
"""
import os
import re
import subprocess
import sys
import tempfile

exe, corpus, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3])
artifacts = sys.argv[4] if len(sys.argv) > 4 else os.getcwd()
os.makedirs(artifacts, exist_ok=True)
with tempfile.TemporaryDirectory(prefix="alpcscope-fuzz-") as work:
    cmd = [exe, f"-max_total_time={seconds}", "-timeout=10", "-rss_limit_mb=2048",
           "-max_len=1048576", "-print_final_stats=1",
           f"-artifact_prefix={os.path.join(artifacts, '')}", work, corpus]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = p.stdout.decode(errors="replace")
    cov = [ln for ln in out.splitlines() if re.search(r"#\d+\s+(DONE|pulse|NEW|REDUCE|INITED)", ln)]
    stats = [ln for ln in out.splitlines() if ln.startswith("stat::")]
    if p.returncode != 0:
        print(out[-6000:])
    else:
        print(cov[-1] if cov else "(no coverage line)")
        print("\n".join(stats))
    sys.exit(p.returncode)
