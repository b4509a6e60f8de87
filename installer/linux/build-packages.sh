#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Builds the .deb and/or .rpm from a clean build directory (prefix /usr) and
# prints their paths, one per line.  For release builds and for harnesses
# that install the package (take /tmp/ukeylink-dpkg.lock around dpkg -i).
# usage: build-packages.sh [--out DIR] [--ids FILE] [--deb-only | --rpm-only]
set -eu
SRC=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$(pwd) IDS=$SRC/extension/ids.json GENS="DEB RPM"
while [ $# -gt 0 ]; do
	case $1 in
	--out) OUT=$2; shift ;;
	--ids) IDS=$2; shift ;;
	--deb-only) GENS=DEB ;;
	--rpm-only) GENS=RPM ;;
	*) echo "build-packages.sh: unknown option '$1'" >&2; exit 2 ;;
	esac
	shift
done
[ -f "$IDS" ] || { echo "build-packages.sh: --ids '$IDS': no such file" >&2; exit 1; }
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
B=$(mktemp -d /tmp/uk-pkg-build.XXXXXX)
trap 'rm -rf "$B"' EXIT
cmake -S "$SRC" -B "$B" -DCMAKE_INSTALL_PREFIX=/usr -DUK_IDS_FILE="$IDS" \
    -DUK_TESTS=OFF -DUK_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$B/log" 2>&1 &&
    cmake --build "$B" -j2 --target ukeylink-host >>"$B/log" 2>&1 ||
    { cat "$B/log" >&2; exit 1; }
for g in $GENS; do
	(cd "$B" && cpack -G "$g" -B "$B/out" >>"$B/log" 2>&1) || { cat "$B/log" >&2; exit 1; }
done
for f in "$B"/out/*.deb "$B"/out/*.rpm; do
	[ -f "$f" ] || continue
	mv -f "$f" "$OUT/"
	echo "$OUT/$(basename "$f")"
done
