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
		meson ninja-build pkg-config gcc libxml2-dev libgraphviz-dev libjson-c-dev \
		libfwnt-dev >/dev/null
fi
[ -d build ] || meson setup build --buildtype=release -Dtests=false >/dev/null
ninja -C build >/dev/null
echo "\$ alpcscope info fixtures/wmi-notepad.etl"
./build/cli/alpcscope info fixtures/wmi-notepad.etl
