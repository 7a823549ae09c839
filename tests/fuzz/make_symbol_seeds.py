#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the seed inputs of the pdb, pe and msvc_undecorate fuzz targets:
small synthetic files made here from the layouts in docs/symbols.md (never
copies of ../shared): an MSF 7.0 PDB with an info stream, a DBI stream
(one module, section headers), a module symbol stream with S_GPROC32
records and a symbol record stream with S_PUB32 records (in 512-byte blocks,
one stream scattered); a PE32+ and a PE32 image with a CodeView RSDS debug
record and an export table; decorated names.

usage: make_symbol_seeds.py fixtures/corpus
"""
import os
import struct
import sys

MAGIC = b"Microsoft C/C++ MSF 7.00\r\n\x1aDS\0\0\0"
GUID = bytes.fromhex("a8 03 e1 72 b2 5c 07 49 8b 76 b2 e7 c0 62 57 b1".replace(" ", ""))


def rec(kind, body):
    data = struct.pack("<H", kind) + body
    data += b"\0" * (-(len(data) + 2) % 4)
    return struct.pack("<H", len(data)) + data


def proc(name, seg, off, size):
    body = struct.pack("<IIIIIIIIHB", 0, 0, 0, size, 0, size, 0, off, seg, 0) + name + b"\0"
    return rec(0x1110, body)


def pub(name, seg, off, flags=2):
    return rec(0x110E, struct.pack("<IIH", flags, off, seg) + name + b"\0")


def msf(streams, block=512, scatter=None):
    """streams: list of bytes (None = nil). scatter: stream index laid out backwards."""
    blocks = [b"", b"", b""]  # 0 superblock, 1-2 free block maps
    lists = []
    for i, s in enumerate(streams):
        if s is None:
            lists.append(None)
            continue
        n = (len(s) + block - 1) // block
        chunks = [s[k * block:(k + 1) * block].ljust(block, b"\0") for k in range(n)]
        idx = list(range(len(blocks), len(blocks) + n))
        if i == scatter:
            idx.reverse()
            chunks_by_idx = dict(zip(idx, chunks))
            for j in sorted(idx):
                blocks.append(chunks_by_idx[j])
        else:
            blocks.extend(chunks)
        lists.append(idx)
    d = struct.pack("<I", len(streams))
    for s in streams:
        d += struct.pack("<I", 0xFFFFFFFF if s is None else len(s))
    for lst in lists:
        for b in lst or []:
            d += struct.pack("<I", b)
    dir_blocks = []
    for k in range(0, len(d), block):
        dir_blocks.append(len(blocks))
        blocks.append(d[k:k + block].ljust(block, b"\0"))
    map_block = len(blocks)
    blocks.append(b"".join(struct.pack("<I", b) for b in dir_blocks).ljust(block, b"\0"))
    sb = MAGIC + struct.pack("<IIIIII", block, 1, len(blocks) + 1, len(d), 0, map_block)
    blocks[0] = sb.ljust(block, b"\0")
    blocks[1] = blocks[2] = b"\0" * block
    return b"".join(blocks) + b"\0" * block


def section_headers(layout):
    out = b""
    for name, va, size in layout:
        out += name.ljust(8, b"\0") + struct.pack("<IIIIIIHHI", size, va, size, 0x400, 0, 0, 0,
                                                 0, 0x60000020)
    return out


def pdb(machine=0x8664, age=3, omap=False):
    """With omap: the symbols address an original layout (.text at 0x1000),
    the image was reordered (.text at 0x5000), OMAP-from-source maps it."""
    info = struct.pack("<III", 20000404, 0x5f000000, age) + GUID + b"\0" * 8
    sections = section_headers(((b".text", 0x1000, 0x2000), (b".rdata", 0x3000, 0x1000)))
    final = section_headers(((b".text", 0x5000, 0x2000), (b".rdata", 0x7000, 0x1000)))
    omap_from_src = b"".join(struct.pack("<II", a, b) for a, b in (
        (0x1000, 0x5000), (0x1100, 0x6000), (0x1200, 0), (0x1300, 0x5100), (0x3000, 0x7000)))
    mod_syms = struct.pack("<I", 4) + proc(b"main", 1, 0x10, 0x40) + \
        proc(b"google_breakpad::C::f", 1, 0x110, 0x30) + proc(b"folded_a", 1, 0x200, 0x8) + \
        proc(b"folded_b", 1, 0x200, 0x8)
    publics = pub(b"main", 1, 0x10) + pub(b"?f@C@google_breakpad@@QEAAXXZ", 1, 0x110) + \
        pub(b"??1?$basic_string@_WU?$char_traits@_W@std@@V?$allocator@_W@2@@std@@QAE@XZ", 1,
            0x300) + pub(b"_data", 2, 0x10, 0)
    modinfo = struct.pack("<I", 0) + b"\0" * 28 + struct.pack("<HHIIIHHIII", 0, 5, len(mod_syms),
                                                               0, 0, 0, 0, 0, 0, 0)
    modinfo += b"main.obj\0main.obj\0"
    modinfo += b"\0" * (-len(modinfo) % 4)
    dbg = [0xFFFF] * 11
    dbg[5] = 4
    streams_extra = []
    if omap:  # [5] final headers (stream 7), [10] original (4), [4] OMAP from source (8)
        dbg[5], dbg[10], dbg[4] = 7, 4, 8
        streams_extra = [final, omap_from_src]
    dbg_hdr = b"".join(struct.pack("<H", x) for x in dbg)
    dbi = struct.pack("<iIIHHHHHH", -1, 19990903, age, 0xFFFF, 0, 0xFFFF, 0, 6, 0)
    dbi += struct.pack("<iiiiiIii", len(modinfo), 0, 0, 0, 0, 0, len(dbg_hdr), 0)
    dbi += struct.pack("<HHI", 0, machine, 0)
    dbi += modinfo + dbg_hdr
    return msf([b"", info, b"", dbi, sections, mod_syms, publics] + streams_extra, scatter=6)


def pe(plus=True):
    base = 0x140000000 if plus else 0x400000
    text_rva, rdata_rva = 0x1000, 0x2000
    # .rdata: debug directory, RSDS record, export directory and tables
    rdata = bytearray(0x400)
    rsds = b"RSDS" + GUID + struct.pack("<I", 3) + b"C:\\build\\seed.pdb\0"
    rsds_off = 0x40
    rdata[rsds_off:rsds_off + len(rsds)] = rsds
    rdata[0:28] = struct.pack("<IIHHIIII", 0, 0, 0, 0, 2, len(rsds), rdata_rva + rsds_off,
                              0x600 + rsds_off)
    exp = 0x100
    names = [b"??0A@@QEAA@XZ", b"?meth1@A@@QEAAXFC@Z", b"plain_export"]
    funcs = [0x1010, 0x1100, 0x1200, 0]
    name_rvas, blob, at = [], b"", exp + 0x80
    for n in names:
        name_rvas.append(rdata_rva + at + len(blob))
        blob += n + b"\0"
    rdata[exp:exp + 40] = struct.pack("<IIHHIIIIIII", 0, 0, 0, 0, 0, 1, len(funcs), len(names),
                                      rdata_rva + exp + 40, rdata_rva + exp + 56,
                                      rdata_rva + exp + 68)
    rdata[exp + 40:exp + 56] = b"".join(struct.pack("<I", f) for f in funcs)
    rdata[exp + 56:exp + 68] = b"".join(struct.pack("<I", r) for r in name_rvas)
    rdata[exp + 68:exp + 74] = struct.pack("<HHH", 0, 1, 2)
    rdata[at:at + len(blob)] = blob
    opt_size = 240 if plus else 224
    nd = 16
    if plus:
        opt = struct.pack("<HBBIIIII", 0x20B, 14, 0, 0x200, 0x400, 0, 0x1000, 0x1000)
        opt += struct.pack("<QII", base, 0x1000, 0x200) + b"\0" * 16
        opt += struct.pack("<IIII", 0x3000, 0x400, 0, 3) + b"\0" * 36 + struct.pack("<I", nd)
    else:
        opt = struct.pack("<HBBIIIIII", 0x10B, 14, 0, 0x200, 0x400, 0, 0x1000, 0x1000, 0x2000)
        opt += struct.pack("<III", base, 0x1000, 0x200) + b"\0" * 16
        opt += struct.pack("<IIII", 0x3000, 0x400, 0, 3) + b"\0" * 20 + struct.pack("<I", nd)
    dirs = [(0, 0)] * nd
    dirs[0] = (rdata_rva + exp, 0x100)
    dirs[6] = (rdata_rva, 28)
    opt += b"".join(struct.pack("<II", a, b) for a, b in dirs)
    assert len(opt) == opt_size, len(opt)
    coff = struct.pack("<HHIIIHH", 0x8664 if plus else 0x14C, 2, 0x5f000000, 0, 0, opt_size,
                       0x22)
    secs = b".text\0\0\0" + struct.pack("<IIIIIIHHI", 0x1000, text_rva, 0x200, 0x400, 0, 0, 0,
                                        0, 0x60000020)
    secs += b".rdata\0\0" + struct.pack("<IIIIIIHHI", 0x400, rdata_rva, 0x400, 0x600, 0, 0, 0,
                                        0, 0x40000040)
    hdr = bytearray(b"MZ" + b"\0" * 0x3A + struct.pack("<I", 0x80)).ljust(0x80, b"\0")
    hdr += b"PE\0\0" + coff + opt + secs
    hdr = bytes(hdr).ljust(0x400, b"\0")
    return hdr + b"\xcc" * 0x200 + bytes(rdata)


def main():
    out = sys.argv[1]
    seeds = {
        "pdb/seed-x64.pdb": pdb(),
        "pdb/seed-x86.pdb": pdb(machine=0x14C, age=1),
        "pdb/seed-omap.pdb": pdb(omap=True),
        "pe/seed-pe32plus.dll": pe(True),
        "pe/seed-pe32.exe": pe(False),
    }
    for n, name in enumerate([b"?f@C@google_breakpad@@QEAAXXZ",
                              b"??1?$basic_string@_WU?$char_traits@_W@std@@V?$allocator@_W@2@@std@@QAE@XZ",
                              b"??$_Buynode@ABUAppMemory@google_breakpad@@@?$_List_buy@UAppMemory@"
                              b"google_breakpad@@V?$allocator@UAppMemory@google_breakpad@@@std@@@std@@QAE",
                              b"?g@?$A@$0?3@@@QEAAXXZ", b"??_GC@google_breakpad@@UEAAPEAXI@Z",
                              b"_WinMain@16", b"?f@?A0x1234abcd@ns@@YAXXZ"]):
        seeds[f"msvc_undecorate/seed-{n}"] = name
    for rel, data in seeds.items():
        path = os.path.join(out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
