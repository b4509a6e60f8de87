#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Builds ukeylink-<version>-x64.msi with msitools' wixl from ukeylink.wxs.
# usage: build-msi.sh --exe PATH [--ids FILE] [--version X.Y.Z] [--out FILE]
#   --exe      ukeylink-host.exe built on Windows (CMake + vcpkg, README.md).
#              The CI test passes a placeholder file: the .msi it gets is
#              only good for checking the package's tables.
#   --ids      extension ids (default: extension/ids.json)
# The manifests are generated here from manifests/*.json.in with the path
# "ukeylink-host.exe" (relative to the manifest, which Chrome, Edge and
# Firefox accept on Windows).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
EXE= IDS=$SRC/extension/ids.json OUT= VERSION=
while [ $# -gt 0 ]; do
	case $1 in
	--exe) EXE=$2; shift ;;
	--ids) IDS=$2; shift ;;
	--version) VERSION=$2; shift ;;
	--out) OUT=$2; shift ;;
	*) echo "build-msi.sh: unknown option '$1'" >&2; exit 2 ;;
	esac
	shift
done
[ -f "$EXE" ] || { echo "build-msi.sh: --exe '$EXE': no such file" >&2; exit 1; }
[ -f "$IDS" ] || { echo "build-msi.sh: --ids '$IDS': no such file" >&2; exit 1; }
[ -n "$VERSION" ] || VERSION=$(sed -n 's/^project(ukeylink VERSION \([0-9.]*\).*/\1/p' "$SRC/CMakeLists.txt")
[ -n "$OUT" ] || OUT=$(pwd)/ukeylink-$VERSION-x64.msi
id() { tr -d '\n' <"$IDS" | sed -n "s/.*\"$1\"[[:space:]]*:[[:space:]]*\"\([^\"]*\)\".*/\1/p"; }
CHROMIUM_ID=$(id chromium) FIREFOX_ID=$(id firefox)
printf '%s' "$CHROMIUM_ID" | grep -Eqx '[a-p]{32}' ||
    { echo "build-msi.sh: chromium id '$CHROMIUM_ID' in $IDS: not 32 letters a-p" >&2; exit 1; }

STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
cp "$EXE" "$STAGE/ukeylink-host.exe"
cp "$SRC/manifests/config.json" "$STAGE/config.json"
sed -e 's|@UK_HOST_PATH@|ukeylink-host.exe|' \
    -e "s|@UK_CHROMIUM_ORIGINS_JSON@|\"chrome-extension://$CHROMIUM_ID/\"|" \
    "$SRC/manifests/chromium.json.in" >"$STAGE/cn.sheca.ukeylink.chromium.json"
sed -e 's|@UK_HOST_PATH@|ukeylink-host.exe|' -e "s|@UK_FIREFOX_ID@|$FIREFOX_ID|" \
    "$SRC/manifests/firefox.json.in" >"$STAGE/cn.sheca.ukeylink.firefox.json"
cp "$HERE/ukeylink.wxs" "$STAGE/"
# data.wxs: one component per data file (atr.json, trust roots); GUIDs are
# derived from the file name so that upgrades keep them.
guid() { printf '%s' "ukeylink-data-$1" | md5sum |
    sed 's/^\(........\)\(....\)\(....\)\(....\)\(............\).*/\1-\2-\3-\4-\5/' |
    tr a-f A-F; }
mkdir -p "$STAGE/data/trust"
cp "$SRC/host/data/atr.json" "$STAGE/data/"
cp "$SRC"/host/trust/*.pem "$STAGE/data/trust/"
component() {	# component N DIR-ID REL-PATH
	echo "  <DirectoryRef Id=\"$2\">"
	echo "    <Component Id=\"Data$1\" Guid=\"$(guid "$3")\" Win64=\"yes\">"
	echo "      <File Id=\"Data$1\" Name=\"$(basename "$3")\" Source=\"$3\" KeyPath=\"yes\" />"
	echo '    </Component>'
	echo '  </DirectoryRef>'
}
{
	echo '<?xml version="1.0" encoding="utf-8"?>'
	echo '<Wix xmlns="http://schemas.microsoft.com/wix/2006/wi"><Fragment>'
	n=0 refs=
	for f in "$STAGE"/data/atr.json "$STAGE"/data/trust/*.pem; do
		n=$((n + 1))
		rel=${f#"$STAGE"/}
		case $rel in data/trust/*) dir=TRUSTDIR ;; *) dir=DATAFILESDIR ;; esac
		component "$n" "$dir" "$rel"
		refs="$refs    <ComponentRef Id=\"Data$n\" />
"
	done
	printf '  <ComponentGroup Id="HostData">\n%s  </ComponentGroup>\n' "$refs"
	echo '</Fragment></Wix>'
} >"$STAGE/data.wxs"
# wixl resolves File/@Source against the directory of the .wxs.  It does not
# know Component/@NeverOverwrite, @Permanent and Property/@Secure (WiX 3
# candle does): it warns about them, and they are applied to the tables
# afterwards.
(cd "$STAGE" && wixl -a x64 -D Version="$VERSION" -D ChromiumId="$CHROMIUM_ID" \
    -D SourceDir=. -o "$STAGE/out.msi" ukeylink.wxs data.wxs 2>"$STAGE/wixl.log") ||
    { cat "$STAGE/wixl.log" >&2; exit 1; }
grep -v -e "has no property named '\(NeverOverwrite\|Permanent\|Secure\)'" \
    -e '^$' "$STAGE/wixl.log" >&2 || true
# 0x10 msidbComponentAttributesPermanent | 0x80 ...NeverOverwrite, plus the
# 0x100 (64-bit) wixl already set.
msibuild "$STAGE/out.msi" -q \
    "UPDATE \`Component\` SET \`Attributes\` = 400 WHERE \`Component\` = 'SystemConfig'"
# Secure: public properties that reach the per-machine (server) side.
msibuild "$STAGE/out.msi" -q "UPDATE \`Property\` SET \`Value\` = \
'WIX_DOWNGRADE_DETECTED;WIX_UPGRADE_DETECTED;FORCELIST_INDEX;CHROME_UPDATE_URL;EDGE_UPDATE_URL;EDGE_EXTENSION_ID' \
WHERE \`Property\` = 'SecureCustomProperties'"
mv -f "$STAGE/out.msi" "$OUT"
echo "$OUT"
