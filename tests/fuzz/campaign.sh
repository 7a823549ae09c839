#!/bin/sh
# Long fuzzing campaign: every libFuzzer target in turn, SECONDS each (default
# 3600), in a -Dfuzzing=true clang build with ASan+UBSan (build-fuzz/). New
# corpus entries stay in build-fuzz/campaign/<target>/ (merge the useful ones
# into fixtures/corpus/ by hand with -merge=1); crashes are written to
# build-fuzz/campaign/artifacts/. Prints each target's final coverage.
#   sh tests/fuzz/campaign.sh [SECONDS] [TARGET...]
set -eu
cd "$(dirname "$0")/../.."
SECONDS_EACH=${1:-3600}
[ $# -gt 0 ] && shift
if [ ! -d build-fuzz ]; then
	CC=clang meson setup build-fuzz -Dfuzzing=true -Db_sanitize=address,undefined \
		-Db_lundef=false --buildtype=debugoptimized >/dev/null
fi
ninja -C build-fuzz >/dev/null
TARGETS=${*:-$(cd build-fuzz/tests/fuzz && ls fuzz-* | sed 's/^fuzz-//' | grep -v '\.p$')}
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
status=0
for t in $TARGETS; do
	case $t in
	reader) corpus=fixtures/corpus ;;
	*) corpus=fixtures/corpus/$t ;;
	esac
	work=build-fuzz/campaign/$t
	mkdir -p "$work" build-fuzz/campaign/artifacts
	start=$(date +%s)
	echo "== $t: ${SECONDS_EACH} s"
	# The campaign keeps its own growing corpus: $work first (written), the seeds second.
	if ! build-fuzz/tests/fuzz/fuzz-$t -max_total_time="$SECONDS_EACH" -timeout=10 \
		-rss_limit_mb=2048 -max_len=1048576 -print_final_stats=1 \
		-artifact_prefix=build-fuzz/campaign/artifacts/"$t"- "$work" "$corpus" \
		>build-fuzz/campaign/$t.log 2>&1; then
		status=1
		echo "   FAILED: see build-fuzz/campaign/$t.log and build-fuzz/campaign/artifacts/"
	fi
	end=$(date +%s)
	cov=$(grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE)' build-fuzz/campaign/$t.log | tail -n 1)
	echo "   $((end - start)) s, corpus $(ls "$work" | wc -l) new files; $cov"
	grep '^stat::' build-fuzz/campaign/$t.log | sed 's/^/   /'
done
exit $status
