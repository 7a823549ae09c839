#!/bin/sh
# Quick start, part 1: install the build dependencies (Debian 12), build
# alpcscope, and run the main job on a trace shipped in fixtures/.
set -eu
cd "$(dirname "$0")/../.."
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if [ "${ALPCSCOPE_SKIP_APT:-0}" != 1 ]; then
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
		meson ninja-build pkg-config gcc libxml2-dev libgraphviz-dev libjson-c-dev >/dev/null
fi
[ -d build ] || meson setup build --buildtype=release -Dtests=false >/dev/null
ninja -C build >/dev/null
# Who really created notepad.exe? Its OS parent is the WMI provider host; the
# chain of ALPC requests leads back to the PowerShell process that asked for it.
echo "\$ alpcscope chains fixtures/wmi-notepad.etl --caused-process notepad.exe"
./build/cli/alpcscope chains fixtures/wmi-notepad.etl --caused-process notepad.exe
# The same kind of chain with its stack frames named offline from PDB files:
# the real MSVC-built samples beside the checkout, when they are there.
if [ -f ../shared/pdb-samples/CATALOG.md ]; then
	syms=$(mktemp -d)
	trap 'rm -rf "$syms"' EXIT
	ln -s "$(pwd)"/../shared/pdb-samples/*.pdb "$(pwd)"/../shared/pdb-samples/basic64.dll "$syms"/
	echo
	echo "\$ alpcscope chains fixtures/symbols-64.etl --stacks --symbols SYMBOL_DIR"
	./build/cli/alpcscope chains fixtures/symbols-64.etl --stacks --symbols "$syms"
fi
