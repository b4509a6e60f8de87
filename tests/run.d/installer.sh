#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installers and deployment (issue 8): builds the host for /usr in a
# temporary build directory, then DESTDIR install + install.sh scopes, the
# .deb cycle with the real dpkg, the .rpm, the .msi (placeholder exe), the
# policy files, the macOS layout and the ADMX/ADML.  Fails if any part fails.
set -uo pipefail
cd "$(dirname "$0")/../.."
SRC=$PWD
B=$(mktemp -d /tmp/uk-installer-build.XXXXXX)
trap 'rm -rf "$B"' EXIT
IDS=$SRC/extension/ids.json
[ -f "$IDS" ] || IDS=$SRC/tests/fixtures/ids.json
echo "installer: ids from $IDS"
if ! cmake -S . -B "$B" -DCMAKE_INSTALL_PREFIX=/usr -DUK_IDS_FILE="$IDS" \
    -DUK_TESTS=OFF -DUK_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$B.log" 2>&1 ||
    ! cmake --build "$B" -j2 --target ukeylink-host >>"$B.log" 2>&1; then
	cat "$B.log"; rm -f "$B.log"; exit 1
fi
rm -f "$B.log"
echo "installer: host built in $SECONDS s"
failed=()
for t in destdir deb rpm msi policies; do
	echo "--- installer/$t"
	t0=$SECONDS
	case $t in
	msi) bash tests/installer/msi.sh "$SRC" ;;
	*) bash "tests/installer/$t.sh" "$SRC" "$B" ;;
	esac || failed+=("$t")
	echo "--- installer/$t: $((SECONDS - t0)) s"
done
echo "installer: ${#failed[@]} of 5 parts failed${failed:+: ${failed[*]}}"
[ ${#failed[@]} -eq 0 ]
