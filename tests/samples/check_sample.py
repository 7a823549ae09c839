#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check `alpcscope info FILE --format json` on one real sample against CATALOG.md.

usage: check_sample.py ALPCSCOPE SAMPLES_DIR SAMPLE_NAME

The expected values are read from SAMPLES_DIR/CATALOG.md at test time (the
summary table row and the per-file details section); nothing is copied into
the repository. Every mismatch is printed as
    MISMATCH <file>: <field>: expected <x>, got <y>
and the exit status is 1 when there is any, 77 (skip) when the samples are
absent or the archive cannot be unpacked.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

SKIP = 77

# Kernel group numbers of the derived counts (CATALOG.md "Column definitions").
G_PROCESS, G_THREAD, G_IMAGE, G_STACKWALK, G_ALPC = 0x03, 0x05, 0x14, 0x18, 0x1A
ALPC_GUID = "45d8cccd-539f-4b72-a8b7-5c683142609a"

GUID_RE = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def num(text):
    return int(text.replace(",", ""))


class Catalog:
    """The parts of CATALOG.md that describe one file."""

    def __init__(self, path, name):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        self.name = name
        self.row = self._table_row(text, name)
        self.section = self._section(text, name)

    @staticmethod
    def _table_row(text, name):
        header = None
        for line in text.splitlines():
            if line.startswith("| File |"):
                header = [c.strip() for c in line.strip("|").split("|")]
            elif header and line.startswith("| `" + name + "`"):
                cells = [c.strip() for c in line.strip().strip("|").split("|")]
                return dict(zip(header, cells))
        raise SystemExit(f"CATALOG.md has no summary-table row for {name}")

    @staticmethod
    def _section(text, name):
        m = re.search(r"^### " + re.escape(name) + r"\n(.*?)(?=^### |^## )", text,
                      re.M | re.S)
        if not m:
            raise SystemExit(f"CATALOG.md has no details section for {name}")
        return m.group(1)

    def bullet(self, label):
        m = re.search(r"^- \*\*" + re.escape(label) + r"[^*]*\*\*:?(.*)$", self.section, re.M)
        return m.group(1).strip() if m else None

    def sub_bullets(self, label):
        """The indented '  - ' lines under a top-level bullet."""
        lines = self.section.splitlines()
        out = []
        for i, line in enumerate(lines):
            if line.startswith("- **" + label):
                for sub in lines[i + 1:]:
                    if sub.startswith("  - "):
                        out.append(sub[4:])
                    else:
                        break
                break
        return out

    # ---- expectations ----

    def records_total(self):
        return num(self.row["Records"])

    def records_max_rule(self):
        return num(self.row["Records, max rule"])

    def buffers(self):
        m = re.match(r"([\d,]+)(?: \(([\d,]+)\))?$", self.row["Buffers (compressed)"])
        return num(m.group(1)), num(m.group(2)) if m.group(2) else 0

    def pointer_size(self):
        return num(self.row["Ptr"])

    def proc_thr_img(self):
        return [num(x) for x in self.row["Proc / Thr / Img"].split("/")]

    def stackwalk(self):
        return [num(x) for x in self.row["StackWalk 32 / 34–38"].split("/")]

    def stack_ext(self):
        return num(self.row["Stack ext"])

    def lost(self):
        return num(self.row["Lost"])

    def alpc(self):
        return num(self.row["ALPC"])

    def header_kinds(self):
        text = self.bullet("Record header kinds")
        return {k: num(v) for k, v in re.findall(r"([A-Z_0-9]+) ([\d,]+)", text)}

    def kernel_groups(self):
        groups = {}
        for line in self.sub_bullets("Kernel groups"):
            m = re.match(r".*\(0x([0-9a-fA-F]+)\): ([\d,]+) — (.*)$", line)
            if not m:
                raise SystemExit(f"cannot parse kernel group line: {line}")
            ops = {int(o): int(c) for o, c in re.findall(r"(\d+):(\d+)", m.group(3))}
            groups[int(m.group(1), 16)] = (num(m.group(2)), ops)
        return groups

    def providers(self):
        """guid -> (is_wpp, count, {kind: count}, distinct kinds or None)."""
        provs = {}
        for line in self.sub_bullets("Providers"):
            m = re.match(r"(.*?)(" + GUID_RE + r")\}?: ([\d,]+) — (.*)$", line)
            if not m:
                raise SystemExit(f"cannot parse provider line: {line}")
            is_wpp = m.group(1).startswith("WPP:")
            kinds = {}
            for kind, cnt in re.findall(r"((?:id\d+/op\d+)|(?:op\d+)|(?:msg\d+)):(\d+)",
                                        m.group(4)):
                kinds[kind] = int(cnt)
            more = re.search(r"…\((\d+) kinds\)", m.group(4))
            provs[m.group(2)] = (is_wpp, num(m.group(3)), kinds,
                                 int(more.group(1)) if more else len(kinds))
        return provs

    def ext_items(self):
        text = self.bullet("EVENT_HEADER extended items")
        if not text:
            return {}
        return {n: num(c) for n, t, c in re.findall(r"([A-Z_0-9]+) \((\d+)\) ([\d,]+)", text)}

    def logfile_header(self):
        text = self.bullet("Log-file header")
        fields = {}
        m = re.search(r"logger `([^`]*)`, file `([^`]*)`", text)
        if m:
            fields["logger_name"], fields["log_file_name"] = m.group(1), m.group(2)
        for key, pat in (("os_build", r"OS build \(ProviderVersion\) (\d+)"),
                         ("cpu_count", r"CPUs (\d+)"),
                         ("buffer_size", r"BufferSize (\d+)"),
                         ("buffers_written", r"BuffersWritten (\d+)"),
                         ("pointer_size", r"PointerSize (\d+)"),
                         ("perf_freq", r"PerfFreq (\d+)"),
                         ("clock_type", r"clock type \(ReservedFlags\) (\d+)"),
                         ("events_lost", r"EventsLost (\d+)"),
                         ("buffers_lost", r"BuffersLost (\d+)")):
            m = re.search(pat, text)
            if m:
                fields[key] = int(m.group(1))
        m = re.search(r"LogFileMode (0x[0-9a-fA-F]+)", text)
        if m:
            fields["log_file_mode"] = int(m.group(1), 16)
        m = re.search(r"header version ([\d.]+)", text)
        if m:
            fields["version"] = m.group(1)
        return fields

    def derived(self):
        text = self.bullet("Derived counts")
        m = re.search(r"process ([\d,]+), thread ([\d,]+), image ([\d,]+)", text)
        return [num(x) for x in m.groups()]


class Checker:
    def __init__(self, name):
        self.name = name
        self.failures = 0
        self.passes = 0

    def eq(self, field, expected, got):
        if expected == got:
            self.passes += 1
        else:
            self.failures += 1
            print(f"MISMATCH {self.name}: {field}: expected {expected!r}, got {got!r}")


def run_info(exe, path):
    proc = subprocess.run([exe, "info", path, "--format", "json"], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, check=False)
    sys.stderr.write(proc.stderr.decode("utf-8", "replace"))
    try:
        doc = json.loads(proc.stdout.decode("utf-8"))
    except ValueError as e:
        print(f"MISMATCH {os.path.basename(path)}: output is not JSON ({e}); exit code "
              f"{proc.returncode}")
        sys.exit(1)
    return proc.returncode, doc


def compare(cat, rc, doc, c):
    c.eq("exit code", 0, rc)
    c.eq("records_total", cat.records_total(), doc.get("records_total"))
    c.eq("header_records_past_saved_offset (max rule - SavedOffset rule)",
         cat.records_max_rule() - cat.records_total(),
         doc.get("header_records_past_saved_offset"))

    nbuf, ncomp = cat.buffers()
    buf = doc.get("buffers", {})
    c.eq("buffers.count", nbuf, buf.get("count"))
    c.eq("buffers.compressed", ncomp, buf.get("compressed"))
    c.eq("buffers.read", nbuf, buf.get("read"))
    c.eq("buffers.damaged", 0, buf.get("damaged"))
    c.eq("buffers.undecompressible", 0, buf.get("undecompressible"))

    trace = doc.get("trace", {})
    c.eq("trace.header_found", True, trace.get("header_found"))
    c.eq("trace.pointer_size", cat.pointer_size(), trace.get("pointer_size"))
    c.eq("trace.header_32bit", cat.pointer_size() == 4, trace.get("header_32bit"))
    c.eq("trace.compressed", ncomp > 0, trace.get("compressed"))
    hdr = cat.logfile_header()
    for key in ("logger_name", "log_file_name", "os_build", "cpu_count", "buffer_size",
                "buffers_written", "perf_freq", "clock_type"):
        if key in hdr:
            c.eq("trace." + key, hdr[key], trace.get(key))
    if "log_file_mode" in hdr:
        got = trace.get("log_file_mode")
        c.eq("trace.log_file_mode", hdr["log_file_mode"],
             int(got, 16) if isinstance(got, str) else got)

    kinds = {k: v for k, v in doc.get("records_by_kind", {}).items() if v}
    c.eq("records_by_kind", cat.header_kinds(), kinds)
    c.eq("sum(records_by_kind) == records_total", doc.get("records_total"),
         sum(kinds.values()))

    # Kernel groups: every group, every opcode.
    exp_groups = cat.kernel_groups()
    got_groups = {}
    for g in doc.get("kernel_groups", []):
        got_groups[g["group"]] = (g["count"], {o["opcode"]: o["count"] for o in g["opcodes"]})
    c.eq("kernel group set", sorted(exp_groups), sorted(got_groups))
    for grp, (cnt, ops) in exp_groups.items():
        gcnt, gops = got_groups.get(grp, (None, {}))
        c.eq(f"kernel group 0x{grp:02x} count", cnt, gcnt)
        for op in sorted(set(ops) | set(gops)):
            c.eq(f"kernel group 0x{grp:02x} opcode {op}", ops.get(op), gops.get(op))

    # Providers: exact set and counts, the listed kinds, and the number of kinds.
    exp_provs = cat.providers()
    got_provs = {p["guid"]: p for p in doc.get("providers", [])}
    c.eq("provider set", sorted(exp_provs), sorted(got_provs))
    for guid, (is_wpp, cnt, ekinds, nkinds) in exp_provs.items():
        p = got_provs.get(guid)
        if p is None:
            continue
        c.eq(f"provider {guid} count", cnt, p.get("count"))
        c.eq(f"provider {guid} framing is wpp", is_wpp, p.get("framing") == "wpp")
        gkinds = {}
        for e in p.get("events", []):
            if "message" in e:
                key = f"msg{e['message']}"
            elif p.get("framing") == "classic":
                key = f"op{e['opcode']}"
            else:
                key = f"id{e['id']}/op{e['opcode']}"
            gkinds[key] = gkinds.get(key, 0) + e["count"]
        for key, n in ekinds.items():
            c.eq(f"provider {guid} event kind {key}", n, gkinds.get(key))
        c.eq(f"provider {guid} number of event kinds", nkinds, len(p.get("events", [])))
    kernel_sum = sum(cnt for cnt, _ in got_groups.values())
    prov_sum = sum(p.get("count", 0) for p in got_provs.values())
    c.eq("kernel-group records + provider records == records_total",
         doc.get("records_total"), kernel_sum + prov_sum)

    c.eq("extended_items", cat.ext_items(),
         {k: v for k, v in doc.get("extended_items", {}).items() if v})

    lost = doc.get("lost", {})
    c.eq("lost.events_lost", cat.lost(), lost.get("events_lost"))
    c.eq("lost.buffers_lost", hdr.get("buffers_lost", 0), lost.get("buffers_lost"))

    # Derived counts, from the kernel-group opcodes the reader reported.
    def gcount(grp, pred=lambda op: True):
        return sum(n for op, n in got_groups.get(grp, (0, {}))[1].items() if pred(op))

    proc = gcount(G_PROCESS, lambda op: op != 10)
    thr = gcount(G_THREAD)
    img = gcount(G_IMAGE) + gcount(G_PROCESS, lambda op: op == 10)
    c.eq("Proc / Thr / Img", cat.proc_thr_img(), [proc, thr, img])
    c.eq("derived counts (details section)", cat.derived(), [proc, thr, img])
    sw = [gcount(G_STACKWALK, lambda op: op == 32), gcount(G_STACKWALK, lambda op: 34 <= op <= 38)]
    c.eq("StackWalk 32 / 34-38", cat.stackwalk(), sw)
    ext = doc.get("extended_items", {})
    c.eq("Stack ext", cat.stack_ext(), ext.get("STACK_TRACE32", 0) + ext.get("STACK_TRACE64", 0))
    alpc = gcount(G_ALPC) + (got_provs.get(ALPC_GUID, {}).get("count", 0))
    c.eq("ALPC", cat.alpc(), alpc)

    bad = [d for d in doc.get("diagnostics", []) if d.get("severity") not in ("info", "INFO")]
    c.eq("diagnostics of severity warning or error", [], [d.get("id") for d in bad])


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    exe, samples, name = sys.argv[1:]
    if not os.path.isdir(samples):
        print("SKIP: ../shared/etl-samples not found (CI keeps it beside the checkout)")
        return SKIP
    path = os.path.join(samples, name)
    if not os.path.exists(path):
        print(f"MISMATCH {name}: sample file missing from {samples}")
        return 1
    cat = Catalog(os.path.join(samples, "CATALOG.md"), name)
    tmp = None
    try:
        if name.endswith(".7z"):
            sevenz = shutil.which("7zz")
            if not sevenz:
                print("SKIP: 7zz not found (Debian package 7zip); cannot unpack " + name)
                return SKIP
            tmp = tempfile.mkdtemp(prefix="alpcscope-sample-")
            subprocess.run([sevenz, "x", "-y", "-o" + tmp, path], check=True,
                           stdout=subprocess.DEVNULL)
            etls = [f for f in os.listdir(tmp) if f.lower().endswith(".etl")]
            if len(etls) != 1:
                print(f"MISMATCH {name}: archive holds {etls}, expected one .etl")
                return 1
            path = os.path.join(tmp, etls[0])
        rc, doc = run_info(exe, path)
        c = Checker(name)
        compare(cat, rc, doc, c)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"{c.passes} passed, {c.failures} failed")
    return 1 if c.failures else 0


if __name__ == "__main__":
    sys.exit(main())
