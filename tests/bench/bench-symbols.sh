#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Benchmark of offline symbolization (not a test; never registered with meson test).
#
# Writes a scenario of CHAINS two-hop call chains between the processes of
# fixtures/scenarios/symbols-64.scn (CrashWithException.exe ->
# dump_syms_regtest64.exe, which calls store.exe while serving), every send
# with a 10-frame stack whose frames point into ntoskrnl/ntdll/rpcrt4 (no
# identity), basic64.dll (exports) and procedures of the two executables
# (PDBs), taken from ../shared/pdb-samples/*.expected.tsv; default 25,000
# chains = 100,000 sends = 1,000,000 frames. Builds a symbol store of symbolic links to
# ../shared/pdb-samples in BENCH_DIR, then prints
#   bench-symbols: frames/s of a cold pass (path search, PDB parse, tables)
#                  and a warm pass over every frame, and peak RSS;
#   chains --stacks with and without --symbols: wall and CPU time (best of
#                  RUNS), peak RSS and the slowdown ratio.
#
# usage: tests/bench/bench-symbols.sh [CHAINS]
#   BUILD=dir (default build-bench, release), BENCH_DIR=dir (default
#   /tmp/alpcscope-bench-symbols), RUNS=n (default 3), KEEP=1 keeps the files.
set -eu
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build-bench}
BENCH_DIR=${BENCH_DIR:-/tmp/alpcscope-bench-symbols}
CHAINS=${1:-25000}
RUNS=${RUNS:-3}
SAMPLES=$(pwd)/../shared/pdb-samples
if [ ! -f "$SAMPLES/CATALOG.md" ]; then
	echo "bench-symbols: $SAMPLES absent" >&2
	exit 77
fi
if [ ! -f "$BUILD/build.ninja" ]; then
	meson setup "$BUILD" --buildtype=release >/dev/null
fi
ninja -C "$BUILD" cli/alpcscope tests/tools/etlgen tests/bench/bench-symbols >/dev/null
mkdir -p "$BENCH_DIR"
cleanup() {
	[ "${KEEP:-0}" = 1 ] || rm -rf "$BENCH_DIR"
}
trap cleanup EXIT INT TERM

python3 - "$CHAINS" "$SAMPLES" "$BENCH_DIR" <<'PY'
import os, random, sys
calls, samples, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
def rvas(name):
    rows = [l.split("\t") for l in open(os.path.join(samples, name + ".expected.tsv"))
            if not l.startswith("#")]
    return [int(r[0], 16) for r in rows]
crash64, dump64 = rvas("CrashWithException"), rvas("dump_syms_regtest64")
rnd = random.Random(1)
head = open("fixtures/scenarios/symbols-64.scn").read().split("\n# Client:")[0]
lines = [head]
def stack(main_rvas):
    f = ["fffff8031203%04x" % rnd.randrange(0x10000), "7ffa1234%04x" % rnd.randrange(0x10000),
         "7ffa1001%04x" % rnd.randrange(0x10000), "180002e%02x" % rnd.randrange(0x40, 0x100)]
    f += ["14000%04x" % rnd.choice(main_rvas) for _ in range(6)]
    return ",".join(f)
for i in range(calls):
    t = 1.0 + i * 0.0004
    lines.append(f'call client=2400/2404 server=1340/1344 msg=0x{0x100000 + 2 * i:x} at={t:.6f} '
                 f'dur=0.0003 cstack={stack(crash64)} sstack={stack(dump64)}')
    lines.append(f'call client=1340/1344 server=3100/3104 msg=0x{0x100001 + 2 * i:x} '
                 f'at={t + 0.00005:.6f} dur=0.0001 cstack={stack(dump64)} sstack={stack(dump64)}')
open(os.path.join(out, "bench-symbols.scn"), "w").write("\n".join(lines) + "\n")
store = os.path.join(out, "store")
for name, key in (("dump_syms_regtest64.pdb", "72E103A85CB249078B76B2E7C06257B13"),
                  ("CrashWithException.pdb", "F535C5FB2AE84BB8AA206C30BE566C5A1")):
    os.makedirs(os.path.join(store, name, key), exist_ok=True)
    dst = os.path.join(store, name, key, name)
    if not os.path.exists(dst):
        os.symlink(os.path.join(samples, name), dst)
if not os.path.exists(os.path.join(store, "basic64.dll")):
    os.symlink(os.path.join(samples, "basic64.dll"), os.path.join(store, "basic64.dll"))
PY
TRACE=$BENCH_DIR/bench-symbols.etl
"$BUILD/tests/tools/etlgen" "$BENCH_DIR/bench-symbols.scn" -o "$TRACE" >/dev/null
printf 'trace: %s, %.1f MiB, %s chains; build %s\n' "$TRACE" \
	"$(stat -c %s "$TRACE" | awk '{print $1 / 1048576}')" "$CHAINS" "$BUILD"
"$BUILD/tests/bench/bench-symbols" "$TRACE" "$BENCH_DIR/store"

# best_of CMD...: least-CPU of RUNS runs: WALL, CPU (user+sys), RSS (KiB)
best_of() {
	best=
	i=0
	while [ "$i" -lt "$RUNS" ]; do
		/usr/bin/time -f '%e %M %U %S' -o "$BENCH_DIR/time.txt" "$@" >/dev/null 2>&1 || true
		cpu=$(awk '{print $3 + $4}' "$BENCH_DIR/time.txt")
		if [ -z "$best" ] || awk -v a="$cpu" -v b="$best" 'BEGIN { exit !(a < b) }'; then
			best=$cpu
			WALL=$(cut -d' ' -f1 "$BENCH_DIR/time.txt")
			RSS=$(cut -d' ' -f2 "$BENCH_DIR/time.txt")
			CPU=$cpu
		fi
		i=$((i + 1))
	done
}
best_of "$BUILD/cli/alpcscope" chains --stacks "$TRACE"
W0=$WALL C0=$CPU R0=$RSS
best_of "$BUILD/cli/alpcscope" chains --stacks --symbols "$BENCH_DIR/store" "$TRACE"
printf 'chains --stacks:            wall %6.2f s  cpu %6.2f s  rss %7.1f MiB\n' "$W0" "$C0" \
	"$(echo "$R0" | awk '{print $1 / 1024}')"
printf 'chains --stacks --symbols:  wall %6.2f s  cpu %6.2f s  rss %7.1f MiB\n' "$WALL" "$CPU" \
	"$(echo "$RSS" | awk '{print $1 / 1024}')"
awk -v a="$WALL" -v b="$W0" -v c="$CPU" -v d="$C0" \
	'BEGIN { printf "slowdown with symbols: wall x%.2f, cpu x%.2f\n", a / (b > 0.01 ? b : 0.01), c / (d > 0.01 ? d : 0.01) }'
