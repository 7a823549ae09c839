#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Benchmark of `alpcscope info` (not a test; never registered with meson test).
#
# Generates traces with the writer's streaming generator (etlgen --bench-size),
# then for each prints: records, size, wall time, records/s, MB/s and peak RSS
# of `alpcscope info FILE --format json` next to a plain sequential read of the
# same file (`cat FILE > /dev/null`), each run twice and the second (warm
# cache) run taken, and the ratio of the two wall times. As root, each file is
# also measured once with a cold page cache (both commands after drop_caches).
#
# Files: 256 MiB and 1 GiB uncompressed (RSS must not grow with file size),
# and a 1 GiB compressed variant, read with --threads 1 and --threads 2.
# Targets (printed with each figure): info CPU time within 2x of the plain
# read's on the >= 1 GiB uncompressed trace; >= 44 M records per CPU-second
# (2x the ~22 M/s of the fastest other reader measured on this machine);
# compressed, 2 threads >= 1.7x the one-thread speed (wall); flat peak RSS.
#
# usage: tests/bench/bench-info.sh [SIZE_MIB ...]
#   BUILD=dir       build directory (default build-bench, set up as a release
#                   build if missing)
#   BENCH_DIR=dir   where the traces go (default /tmp/alpcscope-bench); they
#                   are deleted at the end
#   KEEP=1          keep the generated traces
#   ALPCSCOPE=path  alpcscope binary to time (default $BUILD/cli/alpcscope), e.g. a
#                   copy of an older build for before/after figures
set -eu
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build-bench}
BENCH_DIR=${BENCH_DIR:-/tmp/alpcscope-bench}
SIZES=${*:-"256 1024"}

if [ ! -f "$BUILD/build.ninja" ]; then
	meson setup "$BUILD" --buildtype=release >/dev/null
fi
ninja -C "$BUILD" cli/alpcscope tests/tools/etlgen >/dev/null
ALPCSCOPE=${ALPCSCOPE:-$BUILD/cli/alpcscope}
ETLGEN=$BUILD/tests/tools/etlgen

mkdir -p "$BENCH_DIR"
cleanup() {
	[ "${KEEP:-0}" = 1 ] || rm -f "$BENCH_DIR"/bench-*.etl "$BENCH_DIR"/out.json "$BENCH_DIR"/time.txt
}
trap cleanup EXIT INT TERM

# time_run OUT CMD...: run twice, keep the second; sets WALL and CPU (user+sys, s), RSS (KiB).
time_run() {
	out=$1
	shift
	"$@" >"$out" 2>/dev/null || true
	/usr/bin/time -f '%e %M %U %S' -o "$BENCH_DIR/time.txt" "$@" >"$out" 2>/dev/null || true
	WALL=$(cut -d' ' -f1 "$BENCH_DIR/time.txt")
	RSS=$(cut -d' ' -f2 "$BENCH_DIR/time.txt")
	CPU=$(awk '{print $3 + $4}' "$BENCH_DIR/time.txt")
}

# cold_run OUT CMD...: one run after dropping the page cache (needs root); sets WALL, CPU, RSS.
cold_run() {
	out=$1
	shift
	sync
	echo 3 >/proc/sys/vm/drop_caches
	/usr/bin/time -f '%e %M %U %S' -o "$BENCH_DIR/time.txt" "$@" >"$out" 2>/dev/null || true
	WALL=$(cut -d' ' -f1 "$BENCH_DIR/time.txt")
	RSS=$(cut -d' ' -f2 "$BENCH_DIR/time.txt")
	CPU=$(awk '{print $3 + $4}' "$BENCH_DIR/time.txt")
}
can_drop_caches() {
	[ -w /proc/sys/vm/drop_caches ] && (echo 3 >/proc/sys/vm/drop_caches) 2>/dev/null
}

# On a loaded machine wall time overstates the work; cpu_s and Mrec/cpu_s do not.
printf '%-22s %6s %10s %7s %7s %8s %6s %9s %8s %7s %8s %6s %7s %8s\n' trace MiB records info_s \
	cpu_s Mrec/s MB/s Mrec/cpu rss_MiB cat_s cat_MB/s ratio cat_cpu cpu_ratio

bench_one() {
	name=$1
	file=$2
	run=${3:-time_run}
	if [ $# -ge 3 ]; then shift 3; else shift $#; fi
	bytes=$(stat -c %s "$file")
	$run /dev/null cat "$file"
	cat_wall=$WALL
	cat_cpu=$CPU
	$run "$BENCH_DIR/out.json" "$ALPCSCOPE" info "$file" --format json "$@"
	info_wall=$WALL
	info_rss=$RSS
	info_cpu=$CPU
	records=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["records_total"])' \
		"$BENCH_DIR/out.json")
	LAST_WALL=$info_wall
	LAST_CPU=$info_cpu
	LAST_CAT_CPU=$cat_cpu
	LAST_RECORDS=$records
	python3 - "$name" "$bytes" "$records" "$info_wall" "$info_rss" "$cat_wall" "$info_cpu" \
		"$cat_cpu" <<'PY'
import sys
name, size, rec, iw, rss, cw, ic, cc = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
    float(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]), float(sys.argv[7]), \
    float(sys.argv[8])
iw, cw, ic, cc = max(iw, 0.01), max(cw, 0.01), max(ic, 0.01), max(cc, 0.01)
print(f"{name:<22} {size / 2**20:6.0f} {rec:10d} {iw:7.2f} {ic:7.2f} {rec / iw / 1e6:8.2f} "
      f"{size / iw / 1e6:6.0f} {rec / ic / 1e6:9.2f} {rss / 1024:8.1f} {cw:7.2f} "
      f"{size / cw / 1e6:8.0f} {iw / cw:6.2f} {cc:7.2f} {ic / cc:8.2f}")
PY
}

# target NAME VALUE OP LIMIT: one line "target: NAME = VALUE (OP LIMIT): met|NOT met".
target() {
	python3 - "$@" <<'PY'
import sys
name, value, op, limit = sys.argv[1], float(sys.argv[2]), sys.argv[3], float(sys.argv[4])
ok = value <= limit if op == "<=" else value >= limit
print(f"target: {name} = {value:.2f} ({op} {limit:g}): {'met' if ok else 'NOT met'}")
PY
}

for mib in $SIZES; do
	f=$BENCH_DIR/bench-$mib.etl
	"$ETLGEN" --bench-size $((mib * 1048576)) -o "$f" >/dev/null
	bench_one "uncompressed ${mib}M" "$f"
	if [ "$mib" -ge 1024 ]; then
		target "info CPU / plain-read CPU, ${mib} MiB" \
			"$(awk -v a="$LAST_CPU" -v b="$LAST_CAT_CPU" 'BEGIN { print a / (b > 0.01 ? b : 0.01) }')" "<=" 2
		target "M records per CPU-second, ${mib} MiB" \
			"$(awk -v r="$LAST_RECORDS" -v c="$LAST_CPU" 'BEGIN { print r / (c > 0.01 ? c : 0.01) / 1e6 }')" ">=" 44
	fi
	# Multi-GB traces are rarely in the page cache: also show a cold-cache run.
	if can_drop_caches; then
		bench_one "  same, cold cache" "$f" cold_run
	fi
	rm -f "$f"
done
last=$(echo "$SIZES" | awk '{print $NF}')
f=$BENCH_DIR/bench-$last-compressed.etl
"$ETLGEN" --bench-size $((last * 1048576)) --compress -o "$f" >/dev/null
bench_one "compressed ${last}M, 1 thr" "$f" time_run --threads 1
one=$LAST_WALL
bench_one "compressed ${last}M, 2 thr" "$f" time_run --threads 2
two=$LAST_WALL
target "compressed: 2-thread speed / 1-thread speed (wall)" \
	"$(awk -v a="$one" -v b="$two" 'BEGIN { print a / (b > 0.01 ? b : 0.01) }')" ">=" 1.7
if can_drop_caches; then
	bench_one "  same, cold cache" "$f" cold_run
fi
