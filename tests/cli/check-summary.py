#!/usr/bin/env python3
"""`alpcscope summary` checked against `alpcscope messages` on the same trace:
every conversation's counts equal the message rows folded by hand (client,
server, port; a reply counts for its request's port), every process's sent /
received counts and waiting time match, and each latency percentile lies
within 3.2% of the exact nearest-rank percentile (exact up to 16 round trips).
Usage: check-summary.py ALPCSCOPE TRACE [filters...]"""
import json
import math
import subprocess
import sys
from collections import defaultdict

exe, trace, extra = sys.argv[1], sys.argv[2], sys.argv[3:]


def run(*args):
    p = subprocess.run([exe, *args], capture_output=True, text=True)
    if p.returncode not in (0, 1):
        sys.exit(f"{args}: exit {p.returncode}: {p.stderr}")
    return p.stdout


rows = [json.loads(l) for l in run("messages", trace, "--format", "jsonl", *extra).splitlines()]
allrows = {r["index"]: r for r in
           (json.loads(l) for l in run("messages", trace, "--format", "jsonl").splitlines())}
summary = json.loads(run("summary", trace, "--format", "json", "--top", "0",
                         "--top-chains", "0", *extra))
if any("rpc" in r for r in rows):
    sys.exit("this check keys conversations without RPC: use a trace without RPC events")

conv = defaultdict(lambda: {"requests": 0, "one_way": 0, "replies": 0, "no_reply": 0,
                            "unmatched": 0, "lat": []})
procs = defaultdict(lambda: {"sent": 0, "received": 0, "waiting": 0})
for r in rows:
    kind = r["kind"]
    reply = kind == "reply" or (kind == "ambiguous" and r["role"] == "reply")
    port = r["port"]
    if r["role"] == "reply" and port is None and r["related"] is not None:
        port = allrows[r["related"]]["port"]
    c = conv[(r["client_pid"], r["client_process"] if r["client_pid"] is not None else None,
              r["server_pid"], r["server_process"] if r["server_pid"] is not None else None,
              port)]
    if r["send"] and r["send"]["pid"] is not None:
        procs[(r["send"]["pid"], r["send"]["process"])]["sent"] += 1
    if r["receive"] and r["receive"]["pid"] is not None:
        procs[(r["receive"]["pid"], r["receive"]["process"])]["received"] += 1
    if kind == "one-way":
        c["one_way"] += 1
    elif kind in ("unmatched-send", "orphan-receive"):
        c["unmatched"] += 1
    elif reply:
        c["replies"] += 1
    else:
        c["requests"] += 1
        if kind == "request-no-reply":
            c["no_reply"] += 1
        if r["related"] is not None and r["latency_us"] is not None:
            c["lat"].append(r["latency_us"])
            procs[(r["client_pid"], r["client_process"])]["waiting"] += r["latency_us"]

failed = 0


def check(what, got, want, rel=0.0):
    global failed
    if want is None or got is None:
        ok = got == want
    else:
        ok = abs(got - want) <= rel * abs(want) + 0.051
    if not ok:
        print(f"FAIL {what}: summary {got}, messages {want}")
        failed += 1


if summary["stats"]["matching"] != len(rows):
    check("matching", summary["stats"]["matching"], len(rows))
seen = set()
for s in summary["conversations"]:
    key = (s["client_pid"], s["client_process"] if s["client_pid"] is not None else None,
           s["server_pid"], s["server_process"] if s["server_pid"] is not None else None,
           s["port"])
    seen.add(key)
    want = conv.get(key)
    if want is None:
        print(f"FAIL conversation {key} not in messages")
        failed += 1
        continue
    for k in ("requests", "one_way", "replies", "no_reply", "unmatched"):
        check(f"{key} {k}", s[k], want[k])
    lat = sorted(want["lat"])
    if not lat:
        check(f"{key} latency", s["latency_us"], None)
        continue
    L = s["latency_us"]
    check(f"{key} count", L["count"], len(lat))
    check(f"{key} min", L["min"], lat[0])
    check(f"{key} max", L["max"], lat[-1])
    check(f"{key} total", L["total"], sum(lat), 1e-9)
    for p in (50, 95, 99):
        exact = lat[max(1, math.ceil(len(lat) * p / 100)) - 1]
        check(f"{key} p{p}", L[f"p{p}"], exact, 0.0 if len(lat) <= 16 else 0.032)
for key in conv:
    if key not in seen:
        print(f"FAIL conversation {key} missing from the summary")
        failed += 1
for s in summary["processes"]:
    want = procs.get((s["pid"], s["process"]))
    if want is None:
        print(f"FAIL process {s['process']} {s['pid']} not in messages")
        failed += 1
        continue
    check(f"{s['process']} sent", s["sent"], want["sent"])
    check(f"{s['process']} received", s["received"], want["received"])
    check(f"{s['process']} waiting", s["waiting_us"], want["waiting"], 1e-9)
print(f"{len(summary['conversations'])} conversations, {len(summary['processes'])} processes "
      f"checked: {failed} failed")
sys.exit(1 if failed else 0)
