#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Writes the Chromium extension id of extension/ids.json (or FILE) into the
# checked-in deployment files that must name it literally: the Chrome/Edge
# policy example and the ADMX/ADML.  (Manifests, packages and the MSI get
# the id at build time.)  tests/installer/policies.sh fails when they drift.
# usage: installer/update-ids.sh [FILE]
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
IDS=${1:-$SRC/extension/ids.json}
new=$(jq -r .chromium "$IDS")
printf '%s' "$new" | grep -Eqx '[a-p]{32}' || { echo "update-ids.sh: '$new' in $IDS is not an id" >&2; exit 1; }
old=$(jq -r '.ExtensionSettings | keys[0]' "$SRC/installer/policies/chrome/ukeylink.json")
[ "$old" != "$new" ] || { echo "update-ids.sh: already $new"; exit 0; }
for f in installer/policies/chrome/ukeylink.json installer/windows/policy/ukeylink.admx \
    installer/windows/policy/en-US/ukeylink.adml installer/windows/policy/zh-CN/ukeylink.adml \
    installer/macos/ukeylink.mobileconfig; do
	[ -f "$SRC/$f" ] || continue
	sed -i "s/$old/$new/g" "$SRC/$f"
	echo "update-ids.sh: $f: $old -> $new"
done
