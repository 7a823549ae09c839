#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Benchmark of the analysis commands (not a test; never registered with meson test).
#
# Generates a trace of ALPC conversations with the writer's generator
# (etlgen --bench-alpc N: a request and its reply, 8 records, per conversation,
# so the default 2,500,000 conversations give 5 M messages in 20 M records), then
# prints wall time, CPU time (user+sys) and peak RSS of
#   info, messages (text, jsonl), chains (text, jsonl), summary (text, json)
# on that file, after a warm-up run the best (least CPU) of RUNS runs, with
# the ratios of wall and CPU time to `info`, and the peak RSS per message.
# The timed run writes to /dev/null (the output size of the first is printed). The trace is deleted at the end.
#
# Targets: chains within 3x of info (wall and CPU); messages --format jsonl
# within ~2x of messages text; memory proportional to the messages; summary
# no more memory than messages (it keeps nothing per message beyond the model).
#
# usage: tests/bench/bench-analysis.sh [CONVERSATIONS]
#   BUILD=dir       build directory (default build-bench, set up as a release
#                   build if missing)
#   BENCH_DIR=dir   where the trace goes (default /tmp/alpcscope-bench)
#   KEEP=1          keep the generated trace
#   RUNS=n          timed runs per command (default 3)
#   ALPCSCOPE=path  alpcscope binary to time (default $BUILD/cli/alpcscope), e.g. a
#                   copy of an older build for before/after figures
set -eu
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build-bench}
BENCH_DIR=${BENCH_DIR:-/tmp/alpcscope-bench}
CONVERSATIONS=${1:-2500000}
RUNS=${RUNS:-3}

if [ ! -f "$BUILD/build.ninja" ]; then
	meson setup "$BUILD" --buildtype=release >/dev/null
fi
ninja -C "$BUILD" cli/alpcscope tests/tools/etlgen >/dev/null
ALPCSCOPE=${ALPCSCOPE:-$BUILD/cli/alpcscope}
ETLGEN=$BUILD/tests/tools/etlgen

mkdir -p "$BENCH_DIR"
TRACE=$BENCH_DIR/bench-alpc.etl
cleanup() {
	[ "${KEEP:-0}" = 1 ] || rm -f "$TRACE"
	rm -f "$BENCH_DIR/time.txt"
}
trap cleanup EXIT INT TERM

# time_run CMD...: a warm-up run (counts the output bytes: BYTES), then RUNS timed runs
# writing to /dev/null; keeps the one with the least CPU time (other work on the
# machine inflates wall and CPU time, never deflates them): WALL and CPU
# (user+sys, s), RSS (KiB).
time_run() {
	BYTES=$("$@" 2>/dev/null | wc -c) || true
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

"$ETLGEN" --bench-alpc "$CONVERSATIONS" -o "$TRACE" >/dev/null
size=$(stat -c %s "$TRACE")
messages=$("$ALPCSCOPE" messages --format json --pid 0 "$TRACE" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["stats"]["messages"])')
printf 'trace: %s, %.0f MiB, %s messages (%s conversations); build %s\n' "$TRACE" \
	"$(echo "$size" | awk '{print $1 / 1048576}')" "$messages" "$CONVERSATIONS" "$BUILD"
printf '%-24s %7s %7s %9s %8s %8s %9s %8s\n' command wall_s cpu_s wall/info cpu/info \
	rss_MiB B/message out_MiB

# B/message: peak RSS above that of info (the reader's own buffers) per message.
INFO_WALL=
INFO_CPU=
INFO_RSS=
bench_one() {
	name=$1
	shift
	time_run "$ALPCSCOPE" "$@" "$TRACE"
	if [ -z "$INFO_WALL" ]; then
		INFO_WALL=$WALL
		INFO_CPU=$CPU
		INFO_RSS=$RSS
	fi
	python3 - "$name" "$WALL" "$CPU" "$INFO_WALL" "$INFO_CPU" "$RSS" "$INFO_RSS" "$messages" \
		"$BYTES" <<'PY'
import sys
name = sys.argv[1]
w, c, iw, ic = (max(float(x), 0.01) for x in sys.argv[2:6])
rss, irss, msgs, out = (int(x) for x in sys.argv[6:10])
print(f"{name:<24} {w:7.2f} {c:7.2f} {w / iw:9.2f} {c / ic:8.2f} {rss / 1024:8.1f} "
      f"{(rss - irss) * 1024 / max(msgs, 1):9.1f} {out / 2**20:8.1f}")
PY
}

bench_one "info" info
bench_one "messages (text)" messages
bench_one "messages --format jsonl" messages --format jsonl
bench_one "chains (text)" chains
bench_one "chains --format jsonl" chains --format jsonl
bench_one "summary (text)" summary
bench_one "summary --format json" summary --format json --top 0
