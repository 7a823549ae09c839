#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Benchmark of `alpcscope info` (not a test; never registered with meson test).
#
# Generates traces with the writer's streaming generator (etlgen --bench-size),
# then for each prints: records, size, wall time, records/s, MB/s and peak RSS
# of `alpcscope info FILE --format json` next to a plain sequential read of the
# same file (`cat FILE > /dev/null`), each run twice and the second (warm
# cache) run taken, and the ratio of the two wall times.
#
# Files: 256 MiB and 1 GiB uncompressed (RSS must not grow with file size),
# and a 1 GiB compressed variant. Targets: >= 14 M records/s on one core,
# within 2x of the plain read, flat peak RSS.
#
# usage: tests/bench/bench-info.sh [SIZE_MIB ...]
#   BUILD=dir       build directory (default build-bench, set up as a release
#                   build if missing)
#   BENCH_DIR=dir   where the traces go (default /tmp/alpcscope-bench); they
#                   are deleted at the end
#   KEEP=1          keep the generated traces
set -eu
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build-bench}
BENCH_DIR=${BENCH_DIR:-/tmp/alpcscope-bench}
SIZES=${*:-"256 1024"}

if [ ! -f "$BUILD/build.ninja" ]; then
	meson setup "$BUILD" --buildtype=release >/dev/null
fi
ninja -C "$BUILD" cli/alpcscope tests/tools/etlgen >/dev/null
ALPCSCOPE=$BUILD/cli/alpcscope
ETLGEN=$BUILD/tests/tools/etlgen

mkdir -p "$BENCH_DIR"
cleanup() {
	[ "${KEEP:-0}" = 1 ] || rm -f "$BENCH_DIR"/bench-*.etl "$BENCH_DIR"/out.json "$BENCH_DIR"/time.txt
}
trap cleanup EXIT INT TERM

# time_run OUT CMD...: run twice, keep the second; sets WALL (s) and RSS (KiB).
time_run() {
	out=$1
	shift
	"$@" >"$out" 2>/dev/null || true
	/usr/bin/time -f '%e %M' -o "$BENCH_DIR/time.txt" "$@" >"$out" 2>/dev/null || true
	WALL=$(cut -d' ' -f1 "$BENCH_DIR/time.txt")
	RSS=$(cut -d' ' -f2 "$BENCH_DIR/time.txt")
}

printf '%-22s %10s %12s %8s %9s %9s %10s %8s %9s %7s\n' trace MiB records info_s \
	Mrec/s MB/s rss_MiB cat_s cat_MB/s ratio

bench_one() {
	name=$1
	file=$2
	bytes=$(stat -c %s "$file")
	time_run /dev/null cat "$file"
	cat_wall=$WALL
	time_run "$BENCH_DIR/out.json" "$ALPCSCOPE" info "$file" --format json
	info_wall=$WALL
	info_rss=$RSS
	records=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["records_total"])' \
		"$BENCH_DIR/out.json")
	python3 - "$name" "$bytes" "$records" "$info_wall" "$info_rss" "$cat_wall" <<'PY'
import sys
name, size, rec, iw, rss, cw = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
    float(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6])
iw = max(iw, 0.01)
cw = max(cw, 0.01)
print(f"{name:<22} {size / 2**20:10.0f} {rec:12d} {iw:8.2f} {rec / iw / 1e6:9.2f} "
      f"{size / iw / 1e6:9.0f} {rss / 1024:10.1f} {cw:8.2f} {size / cw / 1e6:9.0f} "
      f"{iw / cw:7.2f}")
PY
}

for mib in $SIZES; do
	f=$BENCH_DIR/bench-$mib.etl
	"$ETLGEN" --bench-size $((mib * 1048576)) -o "$f" >/dev/null
	bench_one "uncompressed ${mib}M" "$f"
	rm -f "$f"
done
last=$(echo "$SIZES" | awk '{print $NF}')
f=$BENCH_DIR/bench-$last-compressed.etl
"$ETLGEN" --bench-size $((last * 1048576)) --compress -o "$f" >/dev/null
bench_one "compressed ${last}M" "$f"
