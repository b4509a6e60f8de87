#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Deployment files that are not packages: the Chrome/Edge and Firefox policy
# examples, the macOS configuration profile and payload layout, the ADMX/ADML
# (admx.py), shell syntax of every installer script, and the README's
# coverage of install.sh's options.
# usage: policies.sh SOURCE-DIR BUILD-DIR
set -uo pipefail
SRC=$(cd "$1" && pwd) BUILD=$(cd "$2" && pwd)
. "$SRC/tests/installer/lib.sh"
IDS=$(uk_ids_file "$SRC")
CID=$(jq -r .chromium "$IDS") FID=$(jq -r .firefox "$IDS")
T=$(mktemp -d /tmp/uk-pol.XXXXXX)
trap 'rm -rf "$T"' EXIT
MANAGED='["extraOrigins","helpUrl","logLevel","portalOrigins","portalUrl"]'
# jq filter: the managed-storage object has exactly the known keys, typed.
MCHECK='(keys == '"$MANAGED"') and (.extraOrigins | type == "array")
    and (.portalOrigins | type == "array") and (.portalUrl | startswith("https://"))
    and (.helpUrl | startswith("https://"))
    and (.logLevel | IN("error","warn","info","debug"))'

C=$SRC/installer/policies/chrome/ukeylink.json
check "$C: force-install of $CID" jq -e --arg id "$CID" \
    '.ExtensionSettings[$id].installation_mode == "force_installed" and (.ExtensionSettings[$id].update_url | startswith("https://"))' "$C"
check "$C: only our extension" jq -e '(.ExtensionSettings | length) == 1' "$C"
check "$C: portal in runtime_allowed_hosts" jq -e --arg id "$CID" \
    '.ExtensionSettings[$id].runtime_allowed_hosts | index("*://issp.sheca.com") != null' "$C"
check "$C: 3rdparty managed storage" jq -e --arg id "$CID" ".\"3rdparty\".extensions[\$id] | $MCHECK" "$C"
F=$SRC/installer/policies/firefox/policies.json
check "$F: force-install of $FID" jq -e --arg id "$FID" \
    '.policies.ExtensionSettings[$id].installation_mode == "force_installed" and (.policies.ExtensionSettings[$id].install_url | test("^(file|https)://"))' "$F"
check "$F: xpinstall.signatures.required locked false" jq -e \
    '.policies.Preferences["xpinstall.signatures.required"] == {"Value": false, "Status": "locked"}' "$F"
check "$F: 3rdparty managed storage" jq -e --arg id "$FID" ".policies.\"3rdparty\".Extensions[\$id] | $MCHECK" "$F"
# The extension's managed_schema declares exactly the keys used here.
for schema in $(find "$SRC/extension" -name 'managed_schema.json' -not -path '*/node_modules/*' 2>/dev/null); do
	check "$schema lacks keys of $MANAGED" jq -e --argjson k "$MANAGED" \
	    '(.properties | keys) == $k' "$schema"
done

# macOS profile: a well-formed plist whose payloads carry the ids.
M=$SRC/installer/macos/ukeylink.mobileconfig
check "$M: not well-formed" xmllint --noout "$M"
python3 - "$M" "$CID" "$FID" "$MANAGED" >"$T/mc" 2>&1 <<'PY'
import json, plistlib, re, sys
path, cid, fid, managed = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
p = plistlib.load(open(path, "rb"))
bad = []
if p.get("PayloadType") != "Configuration": bad.append("top PayloadType")
uuids = [p["PayloadUUID"]] + [c["PayloadUUID"] for c in p["PayloadContent"]]
if len(set(uuids)) != len(uuids): bad.append("duplicate PayloadUUID")
for u in uuids:
    if not re.fullmatch(r"[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}", u): bad.append("UUID " + u)
by = {c["PayloadType"]: c for c in p["PayloadContent"]}
for c in p["PayloadContent"]:
    for k in ("PayloadIdentifier", "PayloadVersion"):
        if k not in c: bad.append(c["PayloadType"] + " lacks " + k)
for b in ("com.google.Chrome", "com.microsoft.Edge"):
    if by.get(b, {}).get("ExtensionInstallForcelist", [""])[0].split(";")[0] != cid: bad.append(b + " forcelist")
    ext = by.get(b + ".extensions." + cid)
    if ext is None or sorted(k for k in ext if not k.startswith("Payload")) != managed: bad.append(b + " managed storage")
ff = by.get("org.mozilla.firefox", {})
if ff.get("ExtensionSettings", {}).get(fid, {}).get("installation_mode") != "force_installed": bad.append("firefox force-install")
if sorted(ff.get("3rdparty", {}).get("Extensions", {}).get(fid, {})) != managed: bad.append("firefox managed storage")
if bad: print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
check "$M: $(cat "$T/mc")" [ ! -s "$T/mc" ]

# macOS payload layout, staged on Linux.
S=$T/stage
sh "$SRC/installer/macos/build-pkg.sh" --host "$BUILD/host/ukeylink-host" --ids "$IDS" \
    --stage-only "$S" || fail "build-pkg.sh --stage-only"
MH="/Library/Application Support/UKeyLink/ukeylink-host"
for d in "/Library/Google/Chrome/NativeMessagingHosts" \
    "/Library/Application Support/Chromium/NativeMessagingHosts" \
    "/Library/Microsoft/Edge/NativeMessagingHosts"; do
	check_manifest "$S$d/cn.sheca.ukeylink.json" chromium "$MH" "$S" "$IDS"
done
check_manifest "$S/Library/Application Support/Mozilla/NativeMessagingHosts/cn.sheca.ukeylink.json" \
    firefox "$MH" "$S" "$IDS"

# ADMX/ADML.
P=$SRC/installer/windows/policy
for f in "$P/ukeylink.admx" "$P/en-US/ukeylink.adml" "$P/zh-CN/ukeylink.adml"; do
	check "$f: not well-formed" xmllint --noout "$f"
done
python3 "$SRC/tests/installer/admx.py" "$P/ukeylink.admx" "$IDS" \
    "$P/en-US/ukeylink.adml" "$P/zh-CN/ukeylink.adml" || fail "admx.py"

# Every installer shell script parses; the README documents every option.
for f in "$SRC"/installer/linux/*.sh "$SRC"/installer/windows/*.sh "$SRC"/installer/macos/*.sh \
    "$SRC"/installer/*.sh "$BUILD"/package-scripts/postinst "$BUILD"/package-scripts/prerm \
    "$BUILD"/package-scripts/postrm; do
	check "$f: sh -n" sh -n "$f"
done
for o in $(sh "$SRC/installer/linux/install.sh" --help | grep -oE -- '--[a-z-]+' | sort -u); do
	check "installer/README.md does not document $o" grep -qF -- "$o" "$SRC/installer/README.md"
done
finish
