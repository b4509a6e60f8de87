#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The Windows .msi, built here with wixl.  The real ukeylink-host.exe cannot
# be built on Debian, so a PLACEHOLDER text file stands in for it: this
# checks the package (tables, registry, manifests), not the host.
# usage: msi.sh SOURCE-DIR
set -uo pipefail
SRC=$(cd "$1" && pwd)
. "$SRC/tests/installer/lib.sh"
IDS=$(uk_ids_file "$SRC")
CID=$(jq -r .chromium "$IDS") FID=$(jq -r .firefox "$IDS")
T=$(mktemp -d /tmp/uk-msi.XXXXXX)
trap 'rm -rf "$T"' EXIT
check "ukeylink.wxs is not well-formed XML" xmllint --noout "$SRC/installer/windows/ukeylink.wxs"
echo "PLACEHOLDER for ukeylink-host.exe: packaging test only" >"$T/placeholder.exe"
sh "$SRC/installer/windows/build-msi.sh" --exe "$T/placeholder.exe" --ids "$IDS" \
    --out "$T/ukeylink.msi" >"$T/build.log" 2>&1
check "build-msi.sh failed: $(cat "$T/build.log")" [ -s "$T/ukeylink.msi" ]
check "wixl warned: $(grep -v ukeylink.msi "$T/build.log")" [ "$(grep -vc ukeylink.msi "$T/build.log")" = 0 ]
tbl() { msiinfo export "$T/ukeylink.msi" "$1" | tr -d "\r" | tail -n +4; }

# Registry: Root 2 = HKLM; the default value (Name empty) = the manifest.
reg=$(tbl Registry | cut -f2-6)
while IFS='|' read -r key value comp; do
	want=$(printf '2\t%s\t\t%s\t%s' "$key" "$value" "$comp")
	check "Registry lacks HKLM\\$key = $value ($comp)" grep -qxF "$want" <<<"$reg"
done <<EOF2
SOFTWARE\\Google\\Chrome\\NativeMessagingHosts\\cn.sheca.ukeylink|[#ChromiumManifest]|ChromiumManifest
SOFTWARE\\Chromium\\NativeMessagingHosts\\cn.sheca.ukeylink|[#ChromiumManifest]|ChromiumManifest
SOFTWARE\\Microsoft\\Edge\\NativeMessagingHosts\\cn.sheca.ukeylink|[#ChromiumManifest]|ChromiumManifest
SOFTWARE\\Mozilla\\NativeMessagingHosts\\cn.sheca.ukeylink|[#FirefoxManifest]|FirefoxManifest
EOF2
check "Chrome force-install value" grep -qxF "$(printf '2\tSOFTWARE\\Policies\\Google\\Chrome\\ExtensionInstallForcelist\t[FORCELIST_INDEX]\t%s;[CHROME_UPDATE_URL]\tChromeForceInstall' "$CID")" <<<"$reg"
check "Edge force-install value" grep -qxF "$(printf '2\tSOFTWARE\\Policies\\Microsoft\\Edge\\ExtensionInstallForcelist\t[FORCELIST_INDEX]\t[EDGE_EXTENSION_ID];[EDGE_UPDATE_URL]\tEdgeForceInstall')" <<<"$reg"
check "Registry has 6 rows" [ "$(wc -l <<<"$reg")" = 6 ]

# Files and the components/features that carry them.
files=$(tbl File | cut -f2,3)
for f in HostExe:ukeylink-host.exe ChromiumManifest:cn.sheca.ukeylink.chromium.json \
    FirefoxManifest:cn.sheca.ukeylink.firefox.json SystemConfig:config.json; do
	check "File table lacks $f" grep -qxF "$(tr : '\t' <<<"$f")" <<<"$files"
done
comp=$(tbl Component | cut -f1,3,4)
for c in "HostExe INSTALLDIR 256" "ChromiumManifest INSTALLDIR 256" \
    "FirefoxManifest INSTALLDIR 256" "SystemConfig DATADIR 400" \
    "ChromeForceInstall PolicyDir 260" "EdgeForceInstall PolicyDir 260"; do
	check "Component row '$c'" grep -qxF "$(tr ' ' '\t' <<<"$c")" <<<"$comp"
done
dirs=$(tbl Directory)
check "INSTALLDIR not Program Files\\UKeyLink" grep -qxF "$(printf 'INSTALLDIR\tProgramFiles64Folder\tUKeyLink')" <<<"$dirs"
check "DATADIR not ProgramData\\UKeyLink" grep -qxF "$(printf 'DATADIR\tCommonAppDataFolder\tUKeyLink')" <<<"$dirs"
feat=$(tbl Feature | cut -f1,6)
check "Host feature not installed by default" grep -qxF "$(printf 'Host\t1')" <<<"$feat"
check "ForceInstall feature on by default" grep -qxF "$(printf 'ForceInstall\t1000')" <<<"$feat"
fc=$(tbl FeatureComponents)
for p in Host:HostExe Host:ChromiumManifest Host:FirefoxManifest Host:SystemConfig \
    ForceInstall:ChromeForceInstall ForceInstall:EdgeForceInstall; do
	check "FeatureComponents lacks $p" grep -qxF "$(tr : '\t' <<<"$p")" <<<"$fc"
done
props=$(tbl Property)
ver=$(sed -n 's/^project(ukeylink VERSION \([0-9.]*\).*/\1/p' "$SRC/CMakeLists.txt")
check "ProductVersion != $ver" grep -qxF "$(printf 'ProductVersion\t%s' "$ver")" <<<"$props"
check "FORCELIST_INDEX not secure" grep -q "^SecureCustomProperties.*FORCELIST_INDEX" <<<"$props"
check "EDGE_EXTENSION_ID default" grep -qxF "$(printf 'EDGE_EXTENSION_ID\t%s' "$CID")" <<<"$props"
check "no major-upgrade rows" [ "$(tbl Upgrade | wc -l)" = 2 ]
check "not a 64-bit package" grep -q "x64" <<<"$(msiinfo suminfo "$T/ukeylink.msi")"

# The manifests inside: relative path next to the exe, the right ids.
msiextract -C "$T/x" "$T/ukeylink.msi" >/dev/null
m=$T/x/UKeyLink/cn.sheca.ukeylink.chromium.json
check "chromium manifest" jq -e --arg o "chrome-extension://$CID/" \
    '.name == "cn.sheca.ukeylink" and .path == "ukeylink-host.exe" and .type == "stdio" and .allowed_origins == [$o]' "$m"
m=$T/x/UKeyLink/cn.sheca.ukeylink.firefox.json
check "firefox manifest" jq -e --arg i "$FID" \
    '.name == "cn.sheca.ukeylink" and .path == "ukeylink-host.exe" and .allowed_extensions == [$i]' "$m"
check "config.json" cmp -s "$T/x/UKeyLink/config.json" "$SRC/manifests/config.json"
check "placeholder exe packaged" grep -q PLACEHOLDER "$T/x/UKeyLink/ukeylink-host.exe"
# Data the host reads: share\ukeylink\atr.json and every shipped trust root.
check "atr.json" cmp -s "$T/x/UKeyLink/share/ukeylink/atr.json" "$SRC/host/data/atr.json"
for pem in "$SRC"/host/trust/*.pem; do
	check "trust root $(basename "$pem")" cmp -s \
	    "$T/x/UKeyLink/share/ukeylink/trust/$(basename "$pem")" "$pem"
done
check "data components not in feature Host" [ "$(grep -c "^Host	Data" <<<"$fc")" = \
    "$(( $(ls "$SRC"/host/trust/*.pem | wc -l) + 1 ))" ]
finish
