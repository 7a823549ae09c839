#!/bin/sh
# Install the build dependencies (Debian 12), build with gcc -Werror, build
# under clang ASan+UBSan with warnings as errors, and run the whole test suite. Prints "N passed, N failed".
set -eu
cd "$(dirname "$0")/../.."
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if [ "${ALPCSCOPE_SKIP_APT:-0}" != 1 ]; then
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
		meson ninja-build pkg-config gcc clang clang-format libclang-rt-14-dev \
		libxml2-dev libgraphviz-dev graphviz libjson-c-dev libfwnt-dev 7zip python3 \
		groff-base libxml2-utils >/dev/null
fi
# gcc with warnings as errors first: it warns about things clang does not.
if [ ! -d build-gcc ]; then
	CC=gcc meson setup build-gcc -Dwerror=true --buildtype=debugoptimized >/dev/null
fi
ninja -C build-gcc >/dev/null
BUILD=${BUILD:-build-test}
if [ ! -d "$BUILD" ]; then
	CC=clang meson setup "$BUILD" -Dwerror=true -Db_sanitize=address,undefined \
		-Db_lundef=false --buildtype=debugoptimized >/dev/null
fi
ninja -C "$BUILD"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
status=0
meson test -C "$BUILD" --print-errorlogs --num-processes 2 -t 4 || status=$?
python3 - "$BUILD/meson-logs/testlog.json" <<'PY'
import json, sys
passed = failed = skipped = 0
for line in open(sys.argv[1]):
    r = json.loads(line)
    res = r.get("result")
    if res in ("OK", "EXPECTEDFAIL"):
        passed += 1
    elif res == "SKIP":
        skipped += 1
    else:
        failed += 1
        print("FAILED:", r.get("name"), res)
if skipped:
    print(f"{skipped} skipped")
print(f"{passed} passed, {failed} failed")
PY
exit $status
