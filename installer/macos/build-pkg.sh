#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# macOS installer package: stages the payload and runs pkgbuild/productbuild
# (Xcode command-line tools).  Written for macOS and NOT run there by CI:
# CI runs only --stage-only, which builds the payload tree on Linux so its
# layout and manifests are tested (tests/installer/policies.sh).
# usage: build-pkg.sh --host PATH [--ids FILE] [--version X.Y.Z]
#                     [--sign "Developer ID Installer: ..."] [--out FILE]
#        build-pkg.sh --host PATH --stage-only DIR [--ids FILE]
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
HOST= IDS=$SRC/extension/ids.json VERSION= SIGN= OUT= STAGE_ONLY=
while [ $# -gt 0 ]; do
	case $1 in
	--host) HOST=$2; shift ;;
	--ids) IDS=$2; shift ;;
	--version) VERSION=$2; shift ;;
	--sign) SIGN=$2; shift ;;
	--out) OUT=$2; shift ;;
	--stage-only) STAGE_ONLY=$2; shift ;;
	*) echo "build-pkg.sh: unknown option '$1'" >&2; exit 2 ;;
	esac
	shift
done
[ -f "$HOST" ] || { echo "build-pkg.sh: --host '$HOST': no such file" >&2; exit 1; }
[ -f "$IDS" ] || { echo "build-pkg.sh: --ids '$IDS': no such file" >&2; exit 1; }
[ -n "$VERSION" ] || VERSION=$(sed -n 's/^project(ukeylink VERSION \([0-9.]*\).*/\1/p' "$SRC/CMakeLists.txt")
id() { tr -d '\n' <"$IDS" | sed -n "s/.*\"$1\"[[:space:]]*:[[:space:]]*\"\([^\"]*\)\".*/\1/p"; }
CHROMIUM_ID=$(id chromium) FIREFOX_ID=$(id firefox)

# Payload layout (install-location /):
APPDIR="/Library/Application Support/UKeyLink"
HOSTPATH="$APPDIR/ukeylink-host"
CHROMIUM_DIRS="/Library/Google/Chrome/NativeMessagingHosts
/Library/Application Support/Chromium/NativeMessagingHosts
/Library/Microsoft/Edge/NativeMessagingHosts"
FIREFOX_DIR="/Library/Application Support/Mozilla/NativeMessagingHosts"

if [ -n "$STAGE_ONLY" ]; then ROOT=$STAGE_ONLY; mkdir -p "$ROOT"
else WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT; ROOT=$WORK/root; fi
mkdir -p "$ROOT$APPDIR"
install -m 0755 "$HOST" "$ROOT$HOSTPATH"
install -m 0644 "$SRC/manifests/config.json" "$ROOT$APPDIR/config.example.json"
# The host reads /etc/ukeylink/config.json on every POSIX system; the
# postinstall script copies the example there only when there is none.
echo "$CHROMIUM_DIRS" | while IFS= read -r d; do
	mkdir -p "$ROOT$d"
	sed -e "s|@UK_HOST_PATH@|$HOSTPATH|" \
	    -e "s|@UK_CHROMIUM_ORIGINS_JSON@|\"chrome-extension://$CHROMIUM_ID/\"|" \
	    "$SRC/manifests/chromium.json.in" >"$ROOT$d/cn.sheca.ukeylink.json"
done
mkdir -p "$ROOT$FIREFOX_DIR"
sed -e "s|@UK_HOST_PATH@|$HOSTPATH|" -e "s|@UK_FIREFOX_ID@|$FIREFOX_ID|" \
    "$SRC/manifests/firefox.json.in" >"$ROOT$FIREFOX_DIR/cn.sheca.ukeylink.json"
[ -z "$STAGE_ONLY" ] || exit 0

# ---- macOS only from here --------------------------------------------------
# The host links OpenSSL, libp11, cJSON and libcurl from Homebrew/vcpkg:
# bundle them next to the host and rewrite the load paths first, e.g.
#   dylibbundler -od -b -x "$ROOT$HOSTPATH" -d "$ROOT$APPDIR/lib" -p @executable_path/lib
# (PC/SC is the system's PCSC.framework.)
mkdir -p "$WORK/scripts"
cat >"$WORK/scripts/postinstall" <<'EOS'
#!/bin/sh
[ -e /etc/ukeylink/config.json ] || {
	mkdir -p /etc/ukeylink
	cp "/Library/Application Support/UKeyLink/config.example.json" /etc/ukeylink/config.json
}
exit 0
EOS
chmod 0755 "$WORK/scripts/postinstall"
[ -n "$OUT" ] || OUT=$(pwd)/UKeyLink-$VERSION.pkg
pkgbuild --root "$ROOT" --identifier cn.sheca.ukeylink --version "$VERSION" \
    --install-location / --scripts "$WORK/scripts" "$WORK/ukeylink-component.pkg"
productbuild --package "$WORK/ukeylink-component.pkg" \
    ${SIGN:+--sign "$SIGN"} "$OUT"
echo "$OUT"
