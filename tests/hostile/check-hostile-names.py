#!/usr/bin/env python3
"""Hostile names: a trace written by the project's writer (etlgen) in which
every name field holds newlines, terminal escape sequences, C1 and bidi
controls, spreadsheet formula prefixes, DOT/XML/JSON breakers, invalid UTF-8
bytes, lone UTF-16 surrogates, a 60,000-character command line and multibyte
names longer than any cut. Every command runs in every format on it, and:

- every output is valid UTF-8 with no raw C0 control (other than tab, LF,
  CR), and text output (and stderr) has no raw DEL, C1 or bidi control;
- text rows stay one line each: no line starts with the forged-row marker;
- JSON documents and JSONL lines parse; CSV parses with one column count
  and no cell starting with = + - @ (unless --csv-raw, and numbers);
- XML and SVG parse; DOT is what the SVG was rendered from, and renders.
Usage: check-hostile-names.py ALPCSCOPE ETLGEN"""
import csv
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

exe, etlgen = sys.argv[1], sys.argv[2]
passed = failed = 0

FORGED = "FORGED"
NL = "\n" + FORGED + " 1 2 3\r\n" + FORGED + "\t"
ESCS = "\x1b]0;pwned\x07\x1b[2J\x1b[31mRED\x1b[0m\x08\x7f"
BIDI = "\u202etxt.exe\u202c\u2066x\u2069\u200f\u061c"
C1 = "\u0085\u009b31m"
FORMULA = "=cmd|' /C calc'!A0"
BREAKERS = "\"];}{<script>&amp;</x>\\\"},{\"a\":1} '--\\\\RPC Control\\"
MULTI = "\u20ac" * 400 + "\U0001F600" * 100 + "\u00e9" * 300


def esc(s, surrogates=False):
    """A `...` scenario value (docs/scenario-format.md): C-like escapes."""
    out = []
    for ch in s:
        o = ord(ch)
        if ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\x1b":
            out.append("\\e")
        elif ch in "\\`":
            out.append("\\" + ch)
        elif o < 0x20 or 0x7f <= o < 0x10000 and (o < 0xa0 or 0xd800 <= o < 0xe000 or 0x2000 <= o < 0x2100):
            out.append("\\u%04x" % o)
        else:
            out.append(ch)
    return "`" + "".join(out) + "`"


def name(tag, extra=""):
    return f"{FORMULA}{tag}{NL}{ESCS}{BIDI}{C1}{BREAKERS}{extra}"


# \ud800 and \udfff become lone surrogates in UTF-16 fields.
SURR = "\ud800lone\udfff"
# An ETW record holds at most 0xFFFF bytes: 60,000 characters fit as the ANSI
# image name, 30,000 as a UTF-16 command line.
LONG = "A" * 60000
LONG16 = "B" * 30000
ansi_bad = "\\xff\\xfe\\xc3"  # invalid UTF-8 bytes in the ANSI image name

scn = []
scn.append("trace cpus=2 buffer=1M logger=%s file=%s" % (esc(name("logger")), esc(name("file", SURR))))
procs = [(100, "client", 104), (200, "broker", 204), (300, "worker", 304)]
for pid, tag, tid in procs:
    image = esc(name(tag + ".exe", LONG if tag == "client" else MULTI))[:-1] + ansi_bad + "`"
    cmd = esc(name(tag + "-cmd", SURR + MULTI + LONG16 if tag == "broker" else SURR + MULTI))
    scn.append(f"process pid={pid} ppid=4 image={image} cmd={cmd} session=1 sid=S-1-5-18")
    scn.append(f"thread {pid}/{tid} cpu=0 name={esc(name(tag + '-thread', SURR + MULTI))}")
    scn.append(f"image pid={pid} base=0x7ff{pid:03d}0000000 size=0x10000 path={esc(name(tag + '.dll', SURR + MULTI))}")
scn.append(f"service name={esc(name('svc', SURR))} pid=200 display={esc(name('display', MULTI))} tag=0x11")
scn.append(f"thread 200/208 cpu=1 tag=0x11")
port1 = esc(name("port1", SURR + MULTI))
port2 = esc(name("port2", SURR))
scn.append(f"0.500000 wait-new 200/204 server=1 port={port1}")
scn.append(f"0.600000 rpc-client-start 100/104 opnum=24 endpoint={esc(name('ep', SURR))} activity=8f1b2c3d-0001-4a00-8000-000000000100")
scn.append(f"call client=100/104 server=200/204 msg=0x2a10 at=1.000000 dur=0.020 port={port1} cstack=7ff1000000100,7ff1000000200 sstack=7ff2000000100")
scn.append(f"1.000020 rpc-server-start 200/204 opnum=24 endpoint={esc(name('ep2'))} activity=8f1b2c3d-0002-4a00-8000-000000000200")
scn.append(f"1.000030 wmi 200/204 id=11 operation={esc(name('wmi-op', SURR + MULTI))} user={esc(name('user'))} clientpid=100 clientctime=pid:100 ns={esc(name('ns'))}")
scn.append(f"call client=200/204 server=300/304 msg=0x2a14 at=1.002000 dur=0.010 port={port2}")
scn.append(f"process pid=400 ppid=300 image={esc(name('child.exe'))} cmd={esc(name('child-cmd', SURR + MULTI))} start=1.005 by=300/304")
scn.append(f"thread 400/404 start=1.005")
scn.append(f"1.010020 wmi 200/204 id=23 cmd={esc(name('created', MULTI))} createdpid=400 createdctime=pid:400 clientpid=100 clientctime=pid:100")
scn.append(f"1.019980 rpc-server-stop 200/204 status=0 activity=8f1b2c3d-0002-4a00-8000-000000000200")
scn.append(f"1.020010 rpc-client-stop 100/104 status=0 activity=8f1b2c3d-0001-4a00-8000-000000000100")
scn.append(f"1.100000 send 100/104 msg=0x77")
scn.append(f"2.000000 setname 300/304 name={esc(name('renamed', SURR + LONG[:5000]))}")


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAILED:", what)


RAW_C0 = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
RAW_DEL_C1 = re.compile("[\x7f-\x9f]")
RAW_BIDI = re.compile("[\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


def text_of(what, data):
    try:
        s = data.decode("utf-8")
    except UnicodeDecodeError as e:
        check(False, f"{what}: invalid UTF-8 at byte {e.start}: {data[max(0, e.start - 20):e.start + 8]!r}")
        return None
    check(True, f"{what}: valid UTF-8")
    m = RAW_C0.search(s)
    check(not m, f"{what}: raw control character {m.group() if m else ''!r} at {m.start() if m else 0}")
    return s


def check_text(what, s):
    m = RAW_DEL_C1.search(s)
    check(not m, f"{what}: raw DEL/C1 control U+{ord(m.group()) if m else 0:04X}")
    m = RAW_BIDI.search(s)
    check(not m, f"{what}: raw bidi/line-separator character U+{ord(m.group()) if m else 0:04X}")
    bad = [ln for ln in s.split("\n") if ln.lstrip().startswith(FORGED)]
    check(not bad, f"{what}: forged row {bad[:1]!r}")
    check("\r" not in s, f"{what}: raw CR")


def check_json(what, s):
    try:
        json.loads(s)
        check(True, what)
    except ValueError as e:
        check(False, f"{what}: JSON does not parse: {e}")


def check_jsonl(what, s):
    lines = [ln for ln in s.split("\n") if ln]
    check(len(lines) > 0, f"{what}: has lines")
    for i, ln in enumerate(lines):
        try:
            json.loads(ln)
        except ValueError as e:
            check(False, f"{what}: line {i + 1} does not parse: {e}")
            return
    check(True, what)


NUMBER = re.compile(r"^[-+]?[0-9.]*$")


def check_csv(what, s, raw=False):
    rows = list(csv.reader(io.StringIO(s, newline="")))
    check(len(rows) > 1, f"{what}: has rows")
    widths = {len(r) for r in rows}
    check(len(widths) == 1, f"{what}: column counts {sorted(widths)}")
    formula = [c for r in rows for c in r if c[:1] in ("=", "+", "-", "@") and not NUMBER.match(c)]
    if raw:
        check(len(formula) > 0, f"{what}: --csv-raw keeps formula cells")
    else:
        check(not formula, f"{what}: formula cell {formula[:1]!r}")
    check(all("\n" not in c and "\r" not in c for r in rows for c in r), f"{what}: one line per cell")


def check_xml(what, data):
    try:
        ET.fromstring(data)
        check(True, what)
    except ET.ParseError as e:
        check(False, f"{what}: XML does not parse: {e}")


with tempfile.TemporaryDirectory() as tmp:
    scn_path = os.path.join(tmp, "hostile-names.scn")
    with open(scn_path, "w", encoding="utf-8", errors="surrogatepass") as f:
        f.write("\n".join(scn) + "\n")
    trace = os.path.join(tmp, "hostile-names.etl")
    p = subprocess.run([etlgen, scn_path, "-o", trace], capture_output=True)
    if p.returncode != 0:
        print("etlgen failed:", p.stderr.decode(errors="replace")[-2000:])
        sys.exit(1)

    def run(*args, out_path=None):
        p = subprocess.run([exe, *args], capture_output=True, timeout=300)
        what = " ".join(a if len(a) < 40 else a[:37] + "..." for a in args[:1] + args[2:])
        check(p.returncode in (0, 1), f"{what}: exit {p.returncode}: {p.stderr.decode(errors='replace')[-500:]}")
        text_of(what + " (stderr)", p.stderr)
        if out_path:
            with open(out_path, "rb") as f:
                return what, f.read()
        return what, p.stdout

    what, out = run("info", trace)
    s = text_of(what, out)
    if s is not None:
        check_text(what, s)
        check("FORGED" in s, f"{what}: the names are shown (escaped)")
    what, out = run("info", trace, "--format", "json")
    s = text_of(what, out)
    if s is not None:
        check_json(what, s)

    for cmd in ("dump", "messages", "chains"):
        formats = ("text", "jsonl", "csv", "xml") if cmd == "dump" else ("text", "json", "jsonl", "csv", "xml")
        extra = [] if cmd == "dump" else ["--stacks"]
        for fmt in formats:
            what, out = run(cmd, trace, "--format", fmt, *extra)
            s = text_of(what, out)
            if s is None:
                continue
            if fmt == "text":
                check_text(what, s)
            elif fmt == "json":
                check_json(what, s)
            elif fmt == "jsonl":
                check_jsonl(what, s)
            elif fmt == "csv":
                check_csv(what, s)
            else:
                check_xml(what, out)
        if cmd != "dump":  # dump's cells (provider, event, fields) never start with one
            what, out = run(cmd, trace, "--format", "csv", "--csv-raw")
            s = text_of(what, out)
            if s is not None:
                check_csv(what, s, raw=True)
    what, out = run("chains", trace, "--caused-process", "400")
    s = text_of(what, out)
    if s is not None:
        check_text(what, s)

    what, dot = run("graph", trace, "-o", "-", "--parents")
    s = text_of(what, dot)
    check(dot.startswith(b"digraph"), f"{what}: DOT")
    svg_path = os.path.join(tmp, "g.svg")
    what, svg = run("graph", trace, "-o", svg_path, "--parents", out_path=svg_path)
    if text_of(what, svg) is not None:
        check_xml(what, svg)
    png_path = os.path.join(tmp, "g.png")
    what, png = run("graph", trace, "-o", png_path, out_path=png_path)
    check(png.startswith(b"\x89PNG"), f"{what}: PNG")
    dot_path = os.path.join(tmp, "g.dot")
    what, dotf = run("graph", trace, "-o", dot_path, "--parents", out_path=dot_path)
    check(dotf == dot, "graph: the DOT file equals -o -")
    if os.path.exists("/usr/bin/dot"):
        p = subprocess.run(["/usr/bin/dot", "-Tsvg", dot_path], capture_output=True)
        check(p.returncode == 0, f"dot renders the DOT: {p.stderr[-300:]!r}")
        check_xml("dot -Tsvg of the DOT", p.stdout)

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
