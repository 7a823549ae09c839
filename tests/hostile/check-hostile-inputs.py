#!/usr/bin/env python3
"""Hostile side inputs are refused fast, with bounded memory and a clear
message (each case ran for minutes, grew past 1-2.5 GB or blocked forever
before):

- a manifest with a DTD whose entity is referenced in attributes (--manifest);
- one element with 200,000 attributes (libxml2 2.9's duplicate check is
  quadratic) in a manifest and in XML trace input (file and through info);
- a FIFO named *.man in --manifest-dir (blocked forever in open());
- an --interfaces file of 9.9 MB of empty objects (json-c DOM: 2.57 GB), and
  one just over the size cap.
Each run gets a time limit and its peak RSS is checked.
Usage: check-hostile-inputs.py ALPCSCOPE FIXTURES_DIR"""
import os
import resource
import subprocess
import sys
import tempfile
import time

exe, fixtures = sys.argv[1], sys.argv[2]
trace = os.path.join(fixtures, "wmi-rpc.etl")
passed = failed = 0
TIME_LIMIT = 30      # seconds, generous for ASan on a busy CI machine
RSS_LIMIT_MB = 400   # ASan's own overhead included


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAILED:", what)


def run(name, args, want_rc, want_text):
    t0 = time.monotonic()
    try:
        p = subprocess.run([exe, *args], capture_output=True, timeout=TIME_LIMIT)
    except subprocess.TimeoutExpired:
        check(False, f"{name}: still running after {TIME_LIMIT} s")
        return
    dt = time.monotonic() - t0
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    err = p.stderr.decode(errors="replace")
    check(p.returncode == want_rc, f"{name}: exit {p.returncode}, want {want_rc}: {err[-400:]}")
    check(want_text in err, f"{name}: stderr lacks {want_text!r}: {err[-400:]}")
    check(rss < RSS_LIMIT_MB, f"{name}: peak RSS of the children {rss} MB")
    print(f"{name}: exit {p.returncode} in {dt:.2f} s")


with tempfile.TemporaryDirectory() as tmp:
    def write(name, data):
        path = os.path.join(tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    man = open(os.path.join(fixtures, "manifests", "Microsoft-Windows-RPC.man"), "rb").read()
    head, sep, rest = man.partition(b"?>")
    # 3. DTD with an entity referenced in attributes, 138 KB
    ent = b'<!DOCTYPE instrumentationManifest [<!ENTITY a "' + b"x" * 1000 + b'">]>'
    refs = b"".join(b'<e%d v="&a;&a;&a;&a;&a;&a;&a;&a;"/>' % i for i in range(3500))
    dtd_man = write("dtd.man", head + sep + ent + rest.replace(b"</instrumentationManifest>",
                                                              b"<x>" + refs + b"</x></instrumentationManifest>"))
    run("manifest-dtd", ["dump", trace, "--manifest", dtd_man, "--limit", "1"], 2,
        "DTD")
    # 4. 200,000 attributes on one element: manifest and XML trace input
    attrs = b" ".join(b'a%d="1"' % i for i in range(200000))
    wide_man = write("wide.man", head + sep + rest.replace(b"<instrumentationManifest",
                                                           b"<instrumentationManifest " + attrs, 1))
    run("manifest-200k-attributes", ["dump", trace, "--manifest", wide_man, "--limit", "1"], 2,
        "more than 256 attributes")
    xml = open(os.path.join(fixtures, "xml", "orphans.xml"), "rb").read()
    wide_xml = write("wide.xml", xml.replace(b"<Events>", b"<Events " + attrs + b">", 1))
    run("xml-trace-200k-attributes", ["info", wide_xml], 3, "more than 256 attributes")
    run("xml-trace-200k-attributes-messages", ["messages", wide_xml], 3, "more than 256 attributes")
    dtd_xml = write("dtd.xml", xml.replace(b"<Events>", b'<!DOCTYPE Events [<!ENTITY a "b">]><Events>', 1))
    run("xml-trace-dtd", ["info", dtd_xml], 3, "DTD")
    # 11. a FIFO named *.man beside a real manifest: skipped, never opened
    mdir = os.path.join(tmp, "mans")
    os.mkdir(mdir)
    os.mkfifo(os.path.join(mdir, "a-fifo.man"))
    with open(os.path.join(mdir, "b-real.man"), "wb") as f:
        f.write(man)
    run("manifest-dir-fifo", ["dump", trace, "--manifest-dir", mdir, "--limit", "1"], 0, "")
    run("manifest-fifo", ["dump", trace, "--manifest", os.path.join(mdir, "a-fifo.man"),
                          "--limit", "1"], 2, "not a regular file")
    # 5. interface databases: 9.9 MB of {} and one past the 32 MiB cap
    empties = write("empties.json", b'{"format":"alpcscope-interfaces","interfaces":[' +
                    b",".join([b"{}"] * 3300000) + b"]}")
    run("interfaces-empty-objects", ["messages", trace, "--interfaces", empties], 2,
        "objects/arrays")
    big = write("big.json", b'{"x":"' + b"a" * (33 << 20) + b'"}')
    run("interfaces-too-large", ["messages", trace, "--interfaces", big], 2, "MiB")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
