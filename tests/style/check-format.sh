#!/bin/sh
# Every C source and header is formatted with the repository's .clang-format.
cd "$(dirname "$0")/../.." || exit 1
if ! command -v clang-format >/dev/null 2>&1; then
	echo "SKIP: clang-format not installed"
	exit 77
fi
files=$(find lib cli include tests -name '*.[ch]' | sort)
if clang-format --dry-run --Werror $files; then
	echo "1 passed, 0 failed ($(echo "$files" | wc -l) files formatted)"
else
	echo "0 passed, 1 failed"
	exit 1
fi
