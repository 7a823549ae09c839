#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Robustness of every `alpcscope` command on damaged copies of a trace.

usage: damage.py ALPCSCOPE TRACE [TRACE...] [--variants N|auto] [--seed S]
(auto, the default: 30 copies below 1 MiB, 12 below 8 MiB, 6 above;
`dump` reads every 2nd copy below 1 MiB, every 4th above)
       damage.py ALPCSCOPE --dir DIR [--glob '*.etl'] ...   (every matching file; 77 if none)

For each trace (a .7z is unpacked with 7zz first) this writes damaged copies
into a temporary directory (never into the repository):
  * truncations: inside buffer 0's header, inside the first record, in the
    middle of a later buffer, inside a later buffer's header, inside a
    compressed buffer, one byte short of the end;
  * targeted damage of a buffer header (BufferSize, SavedOffset, Offset,
    BufferFlag, BufferType), of record sizes and markers, of compressed streams;
  * random bit flips and garbled byte runs (deterministic: seeded from the
    file name and --seed).
Every copy is read by `alpcscope info --format json`, every 2nd (4th above
1 MiB) by `alpcscope dump`, the copies in between by one of the analysis
commands in turn (`messages`, `chains`, `graph` in their formats, see
ROTATION), and every 15th is rendered to SVG: no crash, no hang (timeout), no sanitizer report, exit code 0, 1 or 3,
and what they wrote parses (JSON, JSON Lines, CSV column count, XML, DOT).

It also checks that every intact buffer after a damaged one is still read:
when only buffer k is damaged, records_total >= (records of the intact file)
- (records of buffer k), with the per-buffer counts from an independent walk
of the file written here (SavedOffset rule, MS-XCA plain LZ77 for compressed
buffers).
"""
import fnmatch
import json
import xml.etree.ElementTree as ET
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

SKIP = 77
TIMEOUT = 60
SAN_EXIT = 86  # exit code the sanitizers use here, so that it cannot pass for 1
SAN_MARKERS = (b"AddressSanitizer", b"LeakSanitizer", b"runtime error:",
               b"UndefinedBehaviorSanitizer", b"MemorySanitizer")
HDR = 0x48


# ---- an independent walk of the file (CATALOG.md "How the counts were obtained") ----

def xpress_decompress(src, out_size):
    """MS-XCA plain LZ77; returns bytes or None on a malformed stream."""
    out = bytearray()
    ip = 0
    nibble = None
    n = len(src)
    while len(out) < out_size:
        if ip + 4 > n:
            return None
        flags = struct.unpack_from("<I", src, ip)[0]
        ip += 4
        for bit in range(31, -1, -1):
            if len(out) >= out_size:
                break
            if not flags >> bit & 1:
                if ip >= n:
                    return None
                out.append(src[ip])
                ip += 1
                continue
            if ip + 2 > n:
                return None
            tok = struct.unpack_from("<H", src, ip)[0]
            ip += 2
            dist = (tok >> 3) + 1
            length = tok & 7
            if length == 7:
                if nibble is None:
                    if ip >= n:
                        return None
                    nibble = ip
                    ip += 1
                    length = src[nibble] & 15
                else:
                    length = src[nibble] >> 4
                    nibble = None
                if length == 15:
                    if ip >= n:
                        return None
                    length = src[ip]
                    ip += 1
                    if length == 255:
                        if ip + 2 > n:
                            return None
                        length = struct.unpack_from("<H", src, ip)[0]
                        ip += 2
                        if length == 0:
                            if ip + 4 > n:
                                return None
                            length = struct.unpack_from("<I", src, ip)[0]
                            ip += 4
                        if length < 22:
                            return None
                        length -= 22
                    length += 15
                length += 7
            length += 3
            if dist > len(out) or len(out) + length > out_size:
                return None
            for _ in range(length):
                out.append(out[-dist])
    return bytes(out)


def buffers(data):
    """[(offset, size, saved, offset_field, flags)] stepping by BufferSize from 0."""
    out = []
    off = 0
    while off + HDR <= len(data):
        size, saved = struct.unpack_from("<II", data, off)
        offset_field = struct.unpack_from("<I", data, off + 0x30)[0]
        flags = struct.unpack_from("<H", data, off + 0x34)[0]
        if size < HDR:
            break
        out.append((off, size, saved, offset_field, flags))
        off += size
    return out


def record_size(buf, pos):
    """Aligned size of the record at pos, or None at a fill marker / damage."""
    if pos + 8 > len(buf):
        return None
    marker = struct.unpack_from("<I", buf, pos)[0]
    if marker == 0xFFFFFFFF:
        return None
    flags = buf[pos + 3]
    if flags & 0xC0 == 0xC0:
        htype = buf[pos + 2]
        # SYSTEM32/64, COMPACT32/64, PERFINFO32/64 keep the size at offset 4.
        if htype in (0x01, 0x02, 0x03, 0x04, 0x10, 0x11):
            size = struct.unpack_from("<H", buf, pos + 4)[0]
        else:
            size = struct.unpack_from("<H", buf, pos)[0]
    elif flags & 0xF0 == 0x90 or flags & 0x80:
        size = struct.unpack_from("<H", buf, pos)[0]
    else:
        return None
    if size == 0:
        return None
    return (size + 7) & ~7


def records_per_buffer(data):
    counts = []
    for off, size, saved, offset_field, flags in buffers(data):
        raw = data[off:off + size]
        if flags & 0x40:
            body = xpress_decompress(raw[HDR:], saved - HDR) if saved > HDR else None
            if body is None:
                counts.append(0)
                continue
            buf = raw[:HDR] + body
            end = saved
        else:
            buf = raw
            end = saved if saved else len(raw)
        pos = HDR
        n = 0
        while pos < end:
            sz = record_size(buf, pos)
            if sz is None:
                break
            n += 1
            pos += sz
        counts.append(n)
    return counts


# ---- damage ----

class Variant:
    def __init__(self, name, data, damaged_buffer=None):
        self.name = name
        self.data = data
        self.damaged_buffer = damaged_buffer  # index when only that buffer is damaged


def put(data, pos, fmt, value):
    b = bytearray(data)
    if 0 <= pos and pos + struct.calcsize(fmt) <= len(b):
        struct.pack_into(fmt, b, pos, value)
    return bytes(b)


def make_variants(data, rng, count):
    bufs = buffers(data)
    nb = len(bufs)
    vs = []
    # Truncations.
    cuts = {"trunc-mid-header0": 0x20, "trunc-first-record": HDR + 6,
            "trunc-last-byte": len(data) - 1, "trunc-half": len(data) // 2}
    if nb > 1:
        k = nb // 2
        off, size = bufs[k][0], bufs[k][1]
        cuts[f"trunc-mid-buffer{k}"] = off + size // 2
        cuts[f"trunc-header-buffer{k}"] = off + 0x30
        cuts[f"trunc-buffer{k}-end-minus-8"] = off + size - 8
    comp = [i for i, b in enumerate(bufs) if b[4] & 0x40]
    if comp:
        k = comp[len(comp) // 2]
        cuts[f"trunc-compressed-buffer{k}"] = bufs[k][0] + HDR + (bufs[k][1] - HDR) // 2
    for name, cut in cuts.items():
        if 0 < cut < len(data):
            vs.append(Variant(name, data[:cut]))

    # Targeted damage of one buffer's header: the buffers after it must survive.
    if nb > 1:
        targets = sorted({1, nb // 2, nb - 1})
        fields = [("size0", 0x00, "<I", 0), ("sizeFFFF", 0x00, "<I", 0xFFFFFFFF),
                  ("size-small", 0x00, "<I", 0x40), ("flags", 0x34, "<H", 0xFF80),
                  ("type", 0x36, "<H", 0x1234), ("saved-huge", 0x04, "<I", 0x7FFFFFF0),
                  ("saved-small", 0x04, "<I", 0x10)]
        for k in targets:
            for fname, foff, fmt, val in fields:
                vs.append(Variant(f"buffer{k}-{fname}", put(data, bufs[k][0] + foff, fmt, val),
                                  damaged_buffer=k))
            # Garbled first record (size fields and marker) of buffer k.
            if not bufs[k][4] & 0x40:
                rec = bufs[k][0] + HDR
                vs.append(Variant(f"buffer{k}-record-size0", put(data, rec, "<H", 0), k))
                vs.append(Variant(f"buffer{k}-record-sizeFFFF",
                                  put(put(data, rec, "<H", 0xFFFF), rec + 4, "<H", 0xFFFF), k))
                vs.append(Variant(f"buffer{k}-record-marker", put(data, rec, "<I", 0x12345678),
                                  k))
            else:
                # Garbled compressed stream: any outcome, but only this buffer may suffer.
                b = bytearray(data)
                start = bufs[k][0] + HDR
                for i in range(start, min(start + 64, bufs[k][0] + bufs[k][1])):
                    b[i] = rng.randrange(256)
                vs.append(Variant(f"buffer{k}-compressed-garbled", bytes(b), k))
                vs.append(Variant(f"buffer{k}-saved-plus8",
                                  put(data, bufs[k][0] + 4, "<I", bufs[k][2] + 8), k))
    # SavedOffset / Offset of the header buffer.
    vs.append(Variant("header-saved0-offset0",
                      put(put(data, 0x04, "<I", 0), 0x30, "<I", 0)))
    vs.append(Variant("header-offset-huge", put(data, 0x30, "<I", 0xFFFFFFF0)))

    if len(vs) > count:  # big files: a deterministic subset of the targeted copies
        keep = sorted(rng.sample(range(len(vs)), count))
        vs = [vs[i] for i in keep]
    # Random damage.
    while len(vs) < count:
        b = bytearray(data)
        kind = rng.randrange(4)
        if kind == 0:  # a few bit flips anywhere
            for _ in range(rng.randint(1, 8)):
                i = rng.randrange(len(b))
                b[i] ^= 1 << rng.randrange(8)
            name = "bitflip"
        elif kind == 1:  # a garbled run
            i = rng.randrange(len(b))
            for j in range(i, min(len(b), i + rng.randint(1, 64))):
                b[j] = rng.randrange(256)
            name = "garble"
        elif kind == 2 and nb:  # bit flips inside one buffer header
            off = bufs[rng.randrange(nb)][0]
            for _ in range(rng.randint(1, 3)):
                i = off + rng.randrange(HDR)
                b[i] ^= 1 << rng.randrange(8)
            name = "header-bitflip"
        else:  # bit flips near the start of a buffer's data (record headers / streams)
            off = bufs[rng.randrange(nb)][0] if nb else 0
            for _ in range(rng.randint(1, 4)):
                i = min(len(b) - 1, off + HDR + rng.randrange(256))
                b[i] ^= 1 << rng.randrange(8)
            name = "record-bitflip"
        vs.append(Variant(f"random{len(vs)}-{name}", bytes(b)))
    return vs


# ---- running the CLI ----

# One analysis command per damaged copy, in turn: (arguments after the trace, output check).
ROTATION = [
    (["messages", "--format", "jsonl", "--stacks"], "jsonl"),
    (["chains", "--format", "json", "--stacks"], "json"),
    (["graph", "-o", "-"], "dot"),
    (["messages", "--format", "csv"], "csv"),
    (["chains"], "text"),
    (["messages", "--format", "xml"], "xml"),
    (["chains", "--format", "csv", "--caused-process", "notepad.exe"], "csv"),
    (["messages", "--format", "json"], "json"),
    (["chains", "--format", "xml"], "xml"),
    (["graph", "-o", "-", "--parents", "--max-nodes", "8", "--max-edges", "10"], "dot"),
    (["messages"], "text"),
    (["dump", "--format", "csv"], "csv"),
]


def output_problem(kind, out):
    """Why the output of a command that exited 0 or 1 is malformed, or None."""
    import csv
    import io
    try:
        text = out.decode("utf-8")
    except UnicodeDecodeError as e:
        return f"invalid UTF-8 at byte {e.start}"
    try:
        if kind == "json":
            json.loads(text)
        elif kind == "jsonl":
            for line in text.splitlines():
                json.loads(line)
        elif kind == "csv":
            csv.field_size_limit(1 << 30)  # a decoded-fields cell may be long
            widths = {len(r) for r in csv.reader(io.StringIO(text, newline=""))}
            if len(widths) > 1:
                return f"CSV column counts {sorted(widths)}"
        elif kind == "xml":
            ET.fromstring(out)
        elif kind == "dot" and not text.startswith("digraph"):
            return "not DOT"
    except (ValueError, ET.ParseError) as e:
        return f"{kind} does not parse: {e}"
    return None

def child_env():
    env = dict(os.environ)
    for var in ("ASAN_OPTIONS", "UBSAN_OPTIONS"):
        opts = env.get(var, "")
        env[var] = (opts + ":" if opts else "") + f"exitcode={SAN_EXIT}"
    return env


def run(cmd, env):
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                           timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        return None, b"", b"timeout"
    return p.returncode, p.stdout, p.stderr


class Result:
    def __init__(self):
        self.failures = 0
        self.runs = 0

    def fail(self, msg):
        self.failures += 1
        print("FAIL " + msg)


def check_run(res, label, rc, err):
    res.runs += 1
    if rc is None:
        res.fail(f"{label}: hang (no exit within {TIMEOUT} s)")
        return False
    if any(m in err for m in SAN_MARKERS) or rc == SAN_EXIT:
        tail = err.decode("utf-8", "replace").strip().splitlines()[-12:]
        res.fail(f"{label}: sanitizer report (exit {rc}):\n    " + "\n    ".join(tail))
        return False
    if rc not in (0, 1, 3):
        res.fail(f"{label}: exit code {rc} (expected 0, 1 or 3)")
        return False
    return True


def check_file(exe, path, nvariants, seed, tmp, res, have_dump):
    with open(path, "rb") as f:
        data = f.read()
    base = os.path.basename(path)
    env = child_env()
    rc, out, err = run([exe, "info", path, "--format", "json"], env)
    if not check_run(res, f"{base} (intact)", rc, err) or rc == 3:
        return
    intact = json.loads(out)["records_total"]
    per_buf = records_per_buffer(data)
    rng = random.Random(zlib.crc32(base.encode()) ^ seed)
    if nvariants is None:  # auto: keep the suite within its time budget under ASan
        nvariants = 30 if len(data) < (1 << 20) else 12 if len(data) < (8 << 20) else 6
    for i, v in enumerate(make_variants(data, rng, nvariants)):
        vpath = os.path.join(tmp, v.name + ".etl")
        with open(vpath, "wb") as f:
            f.write(v.data)
        label = f"{base} [{v.name}]"
        rc, out, err = run([exe, "info", vpath, "--format", "json"], env)
        if check_run(res, label + " info", rc, err) and rc != 3:
            try:
                got = json.loads(out)["records_total"]
            except (ValueError, KeyError) as e:
                res.fail(f"{label} info: exit {rc} but no JSON records_total ({e})")
                got = None
            if got is not None and v.damaged_buffer is not None and \
                    v.damaged_buffer < len(per_buf):
                floor = intact - per_buf[v.damaged_buffer]
                if got < floor:
                    res.fail(f"{label}: records_total {got} < {floor} (intact {intact} minus "
                             f"{per_buf[v.damaged_buffer]} records of damaged buffer "
                             f"{v.damaged_buffer}): intact buffers after it were lost")
        if have_dump and i % (2 if len(data) < (1 << 20) else 4) == 0:
            rc, _, err = run([exe, "dump", vpath], env)
            check_run(res, label + " dump", rc, err)
        # The copies dump skips get one analysis command each, in turn (CI time budget).
        if i % (2 if len(data) < (1 << 20) else 4) == 1:
            args, kind = ROTATION[(i // 2 + zlib.crc32(base.encode())) % len(ROTATION)]
            rc, out, err = run([exe, args[0], vpath] + args[1:], env)
            if check_run(res, f"{label} {' '.join(args)}", rc, err) and rc in (0, 1):
                why = output_problem(kind, out)
                if why:
                    res.fail(f"{label} {' '.join(args)}: exit {rc} but {why}")
        if i % 15 == 7:  # SVG goes through the Graphviz layout: sparingly
            svg = os.path.join(tmp, "g.svg")
            rc, _, err = run([exe, "graph", vpath, "-o", svg], env)
            if check_run(res, label + " graph svg", rc, err) and rc in (0, 1):
                with open(svg, "rb") as f:
                    why = output_problem("xml", f.read())
                if why:
                    res.fail(f"{label} graph svg: exit {rc} but {why}")
            if os.path.exists(svg):
                os.unlink(svg)
        os.unlink(vpath)


def dump_available(exe):
    rc, _, err = run([exe, "dump", "/nonexistent.etl"], child_env())
    return not (rc == 2 and b"not built" in err)


def main():
    args = sys.argv[1:]
    nvariants, seed, globpat, directory = None, 1, "*.etl", None
    files = []
    exe = args.pop(0)
    while args:
        a = args.pop(0)
        if a == "--variants":
            v = args.pop(0)
            nvariants = None if v == "auto" else int(v)
        elif a == "--seed":
            seed = int(args.pop(0))
        elif a == "--dir":
            directory = args.pop(0)
        elif a == "--glob":
            globpat = args.pop(0)
        else:
            files.append(a)
    if directory is not None:
        if not os.path.isdir(directory):
            if directory.endswith("etl-samples"):
                print("SKIP: ../shared/etl-samples not found (CI keeps it beside the checkout)")
            else:
                print(f"SKIP: {directory} not found")
            return SKIP
        files += sorted(os.path.join(directory, f) for f in os.listdir(directory)
                        if fnmatch.fnmatch(f, globpat))
        if not files:
            print(f"SKIP: no {globpat} in {directory}")
            return SKIP
    for f in files:
        if not os.path.exists(f):
            if "etl-samples" in f and not os.path.isdir(os.path.dirname(f)):
                print("SKIP: ../shared/etl-samples not found (CI keeps it beside the checkout)")
                return SKIP
            print(f"FAIL {f}: missing")
            return 1
    have_dump = dump_available(exe)
    if not have_dump:
        print("note: `alpcscope dump` is not built yet; only `info` is exercised")
    res = Result()
    tmp = tempfile.mkdtemp(prefix="alpcscope-robust-")
    try:
        for f in files:
            if f.endswith(".7z"):
                sevenz = shutil.which("7zz")
                if not sevenz:
                    print(f"SKIP: 7zz not found (Debian package 7zip); cannot unpack {f}")
                    if len(files) == 1:
                        return SKIP
                    continue
                unpack = os.path.join(tmp, "unpacked")
                subprocess.run([sevenz, "x", "-y", "-o" + unpack, f], check=True,
                               stdout=subprocess.DEVNULL)
                for e in sorted(os.listdir(unpack)):
                    if e.lower().endswith(".etl"):
                        check_file(exe, os.path.join(unpack, e), nvariants, seed, tmp, res,
                                   have_dump)
                shutil.rmtree(unpack)
            else:
                check_file(exe, f, nvariants, seed, tmp, res, have_dump)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{res.runs} runs, {res.failures} failed")
    return 1 if res.failures else 0


if __name__ == "__main__":
    sys.exit(main())
