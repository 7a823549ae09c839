#!/bin/sh
# `meson install` puts everything a user needs in place: the program, the
# library with its headers and pkg-config file, the manual page and the bash
# completion; and a program built against the installed library with
# `pkg-config --cflags --libs alpcscope` (docs/library.md's example) runs.
# Usage: check-install.sh BUILD_DIR SOURCE_ROOT
set -eu
build=$1
src=$2
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
meson install -C "$build" --no-rebuild --destdir "$dest" >/dev/null
prefix=$(meson introspect "$build" --buildoptions |
	python3 -c 'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"))')
root=$dest$prefix
failed=0
for f in bin/alpcscope share/man/man1/alpcscope.1 share/bash-completion/completions/alpcscope \
	include/alpcscope/alpcscope.h include/alpcscope/conversations.h; do
	if [ ! -f "$root/$f" ]; then
		echo "FAIL not installed: $prefix/$f"
		failed=$((failed + 1))
	fi
done
pc=$(find "$root" -name alpcscope.pc | head -n 1)
if [ -z "$pc" ]; then
	echo "FAIL not installed: alpcscope.pc"
	exit 1
fi
# the .pc names the final prefix; point it at the staging copy
flags=$(PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --define-variable=prefix="$root" \
	--cflags --libs alpcscope)
cc=${CC:-cc}
exe=$dest/chains-example
# shellcheck disable=SC2086
$cc ${EXTRA_CFLAGS:-} -std=c11 -o "$exe" "$src/tests/example/chains-example.c" $flags
libdir=$(dirname "$(find "$root" -name 'libalpcscope.so*' | head -n 1)")
out=$(LD_LIBRARY_PATH=$libdir "$exe" "$src/fixtures/wmi-notepad.etl")
if [ "$out" != "$(cat "$src/tests/example/wmi-notepad.expected")" ]; then
	echo "FAIL the example built against the installed library printed:"
	echo "$out"
	failed=$((failed + 1))
fi
echo "install checked: $failed failed"
[ "$failed" -eq 0 ]
