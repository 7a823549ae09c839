#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Benchmark of the analysis commands (not a test; never registered with meson test).
#
# Generates a trace of ALPC conversations with the writer's generator
# (etlgen --bench-alpc N: a request and its reply, 8 records, per conversation;
# a quarter of the servers make a nested call while serving, and a quarter of
# those again, so the default 2,500,000 conversations give about 6.6 M messages
# in 26 M records and `chains` writes about 625,000 call trees), then
# prints wall time, CPU time (user+sys) and peak RSS of
#   info, messages (text, jsonl), chains (text, jsonl), summary (text, json),
#   dump --format jsonl
# on that file, after a warm-up run the median (by CPU) of RUNS runs, with
# the ratios of wall and CPU time to `info`, and the peak RSS per message.
# The timed run writes to /dev/null (the output size of the first is printed).
# Then a second trace of STACK_CONVERSATIONS conversations with a stack walk
# after every Send (etlgen --stacks) gives the memory per message with a
# stack per message, against the same trace without stacks. The traces are
# deleted at the end.
#
# Targets (printed as "target:" lines): chains CPU <= 2x info; messages
# --format jsonl <= 3x; dump --format jsonl <= 8x; memory with a stack per
# message <= 150 B per message and within 2x of without; summary no more
# memory than messages (it keeps nothing per message beyond the model).
#
# usage: tests/bench/bench-analysis.sh [CONVERSATIONS]
#   BUILD=dir       build directory (default build-bench, set up as a release
#                   build if missing)
#   BENCH_DIR=dir   where the trace goes (default /tmp/alpcscope-bench)
#   KEEP=1          keep the generated trace
#   RUNS=n          timed runs per command (default 3)
#   STACK_CONVERSATIONS=n  conversations of the stack trace (default 160000: about 420,000
#                   messages)
#   ALPCSCOPE=path  alpcscope binary to time (default $BUILD/cli/alpcscope), e.g. a
#                   copy of an older build for before/after figures
set -eu
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build-bench}
BENCH_DIR=${BENCH_DIR:-/tmp/alpcscope-bench}
CONVERSATIONS=${1:-2500000}
RUNS=${RUNS:-3}
STACK_CONVERSATIONS=${STACK_CONVERSATIONS:-160000}

if [ ! -f "$BUILD/build.ninja" ]; then
	meson setup "$BUILD" --buildtype=release >/dev/null
fi
ninja -C "$BUILD" cli/alpcscope tests/tools/etlgen >/dev/null
ALPCSCOPE=${ALPCSCOPE:-$BUILD/cli/alpcscope}
ETLGEN=$BUILD/tests/tools/etlgen

mkdir -p "$BENCH_DIR"
TRACE=$BENCH_DIR/bench-alpc.etl
cleanup() {
	[ "${KEEP:-0}" = 1 ] || rm -f "$TRACE" "$BENCH_DIR/bench-alpc-plain.etl" \
		"$BENCH_DIR/bench-alpc-stacks.etl"
	rm -f "$BENCH_DIR/time.txt" "$BENCH_DIR/runs.txt"
}
trap cleanup EXIT INT TERM

# time_run CMD...: a warm-up run (counts the output bytes: BYTES), then RUNS timed runs
# writing to /dev/null; keeps the run of median CPU time (other work on the machine
# inflates single runs): WALL and CPU (user+sys, s), RSS (KiB).
time_run() {
	BYTES=$("$@" 2>/dev/null | wc -c) || true
	: >"$BENCH_DIR/runs.txt"
	i=0
	while [ "$i" -lt "$RUNS" ]; do
		/usr/bin/time -f '%e %M %U %S' -o "$BENCH_DIR/time.txt" "$@" >/dev/null 2>&1 || true
		awk '{print $3 + $4, $1, $2}' "$BENCH_DIR/time.txt" >>"$BENCH_DIR/runs.txt"
		i=$((i + 1))
	done
	set -- $(sort -n "$BENCH_DIR/runs.txt" | awk -v n="$RUNS" 'NR == int((n + 1) / 2)')
	CPU=$1
	WALL=$2
	RSS=$3
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

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { print a / (b > 0.01 ? b : 0.01) }'
}

"$ETLGEN" --bench-alpc "$CONVERSATIONS" -o "$TRACE" >/dev/null
size=$(stat -c %s "$TRACE")
# message_count FILE: the messages the model holds (every message is paired, none lost).
message_count() {
	"$ALPCSCOPE" messages --format json --pid 0 "$1" 2>/dev/null |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["stats"]["messages"])'
}
messages=$(message_count "$TRACE")
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
MSG_JSONL_CPU=$CPU
bench_one "chains (text)" chains
CHAINS_CPU=$CPU
bench_one "chains --format jsonl" chains --format jsonl
bench_one "summary (text)" summary
bench_one "summary --format json" summary --format json --top 0
bench_one "dump --format jsonl" dump --format jsonl
DUMP_CPU=$CPU
target "chains CPU / info CPU" "$(ratio "$CHAINS_CPU" "$INFO_CPU")" "<=" 2
target "messages --format jsonl CPU / info CPU" "$(ratio "$MSG_JSONL_CPU" "$INFO_CPU")" "<=" 3
target "dump --format jsonl CPU / info CPU" "$(ratio "$DUMP_CPU" "$INFO_CPU")" "<=" 8

# Memory with a stack per message: peak RSS of messages above that of info, per message.
mem_per_message() {
	time_run "$ALPCSCOPE" info "$1"
	base=$RSS
	time_run "$ALPCSCOPE" messages "$1"
	awk -v r="$RSS" -v b="$base" -v m="$2" 'BEGIN { print (r - b) * 1024 / m }'
}
PLAIN=$BENCH_DIR/bench-alpc-plain.etl
STACKS=$BENCH_DIR/bench-alpc-stacks.etl
"$ETLGEN" --bench-alpc "$STACK_CONVERSATIONS" -o "$PLAIN" >/dev/null
"$ETLGEN" --bench-alpc "$STACK_CONVERSATIONS" --stacks -o "$STACKS" >/dev/null
smsgs=$(message_count "$STACKS")
plain_b=$(mem_per_message "$PLAIN" "$smsgs")
stacks_b=$(mem_per_message "$STACKS" "$smsgs")
printf 'memory per message, %s messages: %.1f B without stacks, %.1f B with a stack each\n' \
	"$smsgs" "$plain_b" "$stacks_b"
target "B per message with a stack per message" "$stacks_b" "<=" 150
target "memory with stacks / without" "$(ratio "$stacks_b" "$plain_b")" "<=" 2
