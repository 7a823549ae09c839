#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Robustness of the symbol readers on damaged copies of the real PDB and PE
files of ../shared/pdb-samples.

usage: damage_symbols.py ALPCSCOPE [--variants N] [--seed S]

For each sample this writes, into a temporary directory (never into the
repository), under the sample's own name so the symbolizer picks it up:
truncations (inside the superblock, the stream directory, the middle, one
byte short), targeted damage (MSF block size, directory size and block map,
stream sizes; PE e_lfanew, section count, debug and export directories) and
seeded random bit flips and garbled runs. Each copy is used through
`alpcscope symbols` and `alpcscope messages --stacks` on the fixture whose
images are these binaries (symbols-64.etl / symbols-32.etl):
no crash, hang or sanitizer report, exit code 0, and every module that could
not use its file is reported with the file's path. A damaged PDB's error also
names a file offset when the damage is inside the file's structure.
Exits 77 when the samples are absent.
"""
import os
import random
import struct
import subprocess
import sys
import tempfile

SKIP = 77
TIMEOUT = 60
SAN_EXIT = 86
SAN_MARKERS = (b"AddressSanitizer", b"LeakSanitizer", b"runtime error:",
               b"UndefinedBehaviorSanitizer")
SAMPLES = {  # file -> fixture using it
    "CrashWithException.pdb": "fixtures/symbols-64.etl",
    "dump_syms_regtest64.pdb": "fixtures/symbols-64.etl",
    "crash.pdb": "fixtures/symbols-32.etl",
    "basic64.dll": "fixtures/symbols-64.etl",
    "CrashWithException.exe": "fixtures/symbols-64.etl",
    "crash.exe": "fixtures/symbols-32.etl",
}


def pdb_variants(data, rnd, n):
    bs = struct.unpack_from("<I", data, 32)[0]
    out = [("trunc-superblock", data[:40]), ("trunc-1", data[:bs + 7]),
           ("trunc-half", data[:len(data) // 2]), ("trunc-end", data[:-1])]

    def patch(name, off, fmt, value):
        d = bytearray(data)
        struct.pack_into(fmt, d, off, value)
        out.append((name, bytes(d)))

    patch("blocksize-3", 32, "<I", 3)
    patch("numblocks-huge", 40, "<I", 0xFFFFFFFF)
    patch("dirbytes-huge", 44, "<I", 0x7FFFFFFF)
    patch("dirbytes-small", 44, "<I", 4)
    patch("blockmap-out", 52, "<I", 0xFFFFFF)
    # the directory's first block: its stream count and sizes
    map_block = struct.unpack_from("<I", data, 52)[0]
    dir_block = struct.unpack_from("<I", data, map_block * bs)[0]
    patch("nstreams-huge", dir_block * bs, "<I", 0x10000000)
    for s in (1, 3, 4):
        patch(f"stream{s}-size-huge", dir_block * bs + 4 + 4 * s, "<I", 0x7FFFFFF0)
        patch(f"stream{s}-size-small", dir_block * bs + 4 + 4 * s, "<I", 3)
    for k in range(n):
        d = bytearray(data)
        for _ in range(rnd.randint(1, 40)):
            d[rnd.randrange(len(d))] ^= 1 << rnd.randrange(8)
        out.append((f"flip-{k}", bytes(d)))
        d = bytearray(data)
        at = rnd.randrange(len(d))
        run = rnd.randint(8, 4096)
        d[at:at + run] = bytes(rnd.randrange(256) for _ in range(min(run, len(d) - at)))
        out.append((f"garble-{k}", bytes(d)))
    return out


def pe_variants(data, rnd, n):
    pe = struct.unpack_from("<I", data, 0x3C)[0]
    out = [("trunc-dos", data[:0x30]), ("trunc-headers", data[:pe + 60]),
           ("trunc-half", data[:len(data) // 2]), ("trunc-end", data[:-1])]

    def patch(name, off, fmt, value):
        d = bytearray(data)
        struct.pack_into(fmt, d, off, value)
        out.append((name, bytes(d)))

    patch("lfanew-out", 0x3C, "<I", 0xFFFFFFF0)
    patch("nsections-huge", pe + 6, "<H", 0xFFFF)
    patch("optsize-huge", pe + 20, "<H", 0xFFFF)
    magic = struct.unpack_from("<H", data, pe + 24)[0]
    dirs = pe + 24 + (112 if magic == 0x20B else 96)
    patch("export-rva-out", dirs, "<I", 0x7FFFFFF0)
    patch("debug-size-huge", dirs + 52, "<I", 0xFFFFFFF0)
    patch("debug-rva-out", dirs + 48, "<I", 0x7FFFFFF0)
    for k in range(n):
        d = bytearray(data)
        for _ in range(rnd.randint(1, 40)):
            d[rnd.randrange(len(d))] ^= 1 << rnd.randrange(8)
        out.append((f"flip-{k}", bytes(d)))
    return out


def main():
    exe = os.path.abspath(sys.argv[1])
    nvar, seed = 12, 1
    args = sys.argv[2:]
    while args:
        if args[0] == "--variants":
            nvar = int(args[1])
            args = args[2:]
        elif args[0] == "--seed":
            seed = int(args[1])
            args = args[2:]
        else:
            sys.exit(f"unknown argument {args[0]}")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    samples = os.path.join(root, "..", "shared", "pdb-samples")
    if not os.path.exists(os.path.join(samples, "CATALOG.md")):
        print(f"SKIP: {samples} absent")
        sys.exit(SKIP)
    env = dict(os.environ)
    env.pop("_NT_SYMBOL_PATH", None)
    for var in ("ASAN_OPTIONS", "UBSAN_OPTIONS"):
        env[var] = (env.get(var, "") + ":" if env.get(var) else "") + f"exitcode={SAN_EXIT}"
    failures = runs = offsets = 0
    with tempfile.TemporaryDirectory(prefix="alpcscope-damaged-symbols-") as tmp:
        for name, fixture in SAMPLES.items():
            data = open(os.path.join(samples, name), "rb").read()
            rnd = random.Random(f"{name}:{seed}")
            variants = (pdb_variants if name.endswith(".pdb") else pe_variants)(data, rnd, nvar)
            for label, blob in variants:
                d = os.path.join(tmp, f"{name}-{label}")
                os.makedirs(d)
                with open(os.path.join(d, name), "wb") as f:
                    f.write(blob)
                for cmd in (["symbols", fixture, "--symbols", d, "--format", "json"],
                            ["messages", fixture, "--stacks", "--symbols", d,
                             "--symbols-verbose"]):
                    runs += 1
                    try:
                        p = subprocess.run([exe] + cmd, cwd=root, capture_output=True,
                                           env=env, timeout=TIMEOUT)
                    except subprocess.TimeoutExpired:
                        failures += 1
                        print(f"FAIL {name} {label} {cmd[0]}: hang")
                        continue
                    if any(m in p.stderr for m in SAN_MARKERS) or p.returncode == SAN_EXIT:
                        failures += 1
                        tail = p.stderr.decode("utf-8", "replace").splitlines()[-12:]
                        print(f"FAIL {name} {label} {cmd[0]}: sanitizer\n  " + "\n  ".join(tail))
                        continue
                    if p.returncode != 0:
                        failures += 1
                        print(f"FAIL {name} {label} {cmd[0]}: exit {p.returncode}")
                        continue
                    text = (p.stdout + p.stderr).decode("utf-8", "replace")
                    if ("damaged" in text or "mismatch" in text) and d not in text:
                        failures += 1
                        print(f"FAIL {name} {label} {cmd[0]}: unusable file not named")
                    offsets += "offset 0x" in text
                os.remove(os.path.join(d, name))
    print(f"{runs} runs over damaged copies; {offsets} reports named a file offset")
    if offsets == 0:
        failures += 1
        print("FAIL no damaged PDB was reported with a file offset")
    print(f"{runs - failures} passed, {failures} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
