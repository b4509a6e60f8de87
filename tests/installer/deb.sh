#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The .deb for real: cpack -G DEB, dpkg -i, check every manifest and the
# conffile, run the installed host's --diagnose, reinstall, upgrade (keeping
# an admin's change to the conffile), dpkg -r (only the conffile stays),
# dpkg --purge (nothing stays).  Needs root; the machine's dpkg is used, so:
#  - runs under the lock /tmp/ukeylink-dpkg.lock (the E2E harness takes the
#    same lock when it installs the package);
#  - refuses to run when a ukeylink package is already installed;
#  - saves and restores any unpackaged file at our paths;
#  - always purges the package at the end (trap).
# usage: deb.sh SOURCE-DIR BUILD-DIR (built with CMAKE_INSTALL_PREFIX=/usr)
set -uo pipefail
SRC=$(cd "$1" && pwd) BUILD=$(cd "$2" && pwd)
. "$SRC/tests/installer/lib.sh"
IDS=$(uk_ids_file "$SRC")
PKG=ukeylink
HOSTBIN=/usr/libexec/ukeylink/ukeylink-host
[ "$(id -u)" = 0 ] || { echo "deb.sh: needs root (dpkg -i)"; exit 1; }
T=$(mktemp -d /tmp/uk-deb.XXXXXX)

exec 9>/tmp/ukeylink-dpkg.lock
flock -w 900 9 || { echo "deb.sh: /tmp/ukeylink-dpkg.lock held for 15 min"; exit 1; }
if dpkg-query -W -f='${Status}' $PKG 2>/dev/null | grep -q installed; then
	echo "deb.sh: package $PKG is already installed; not touching it" >&2
	exit 1
fi

# Files the package owns; anything already there (a manual install) is
# saved and put back at the end.
OURS="$(cut -d' ' -f2 <<<"$SYSTEM_MANIFESTS")
/etc/ukeylink/config.json
$HOSTBIN"
mkdir -p "$T/saved"
while read -r f; do
	[ -e "$f" ] && { mkdir -p "$T/saved$(dirname "$f")"; mv "$f" "$T/saved$f"; }
done <<<"$OURS"
dpkg_quiet() { DEBIAN_FRONTEND=noninteractive dpkg --force-confdef \
    --force-confold "$@" </dev/null >"$T/dpkg.log" 2>&1 || { cat "$T/dpkg.log"; return 1; }; }
cleanup() {
	dpkg-query -W $PKG >/dev/null 2>&1 && dpkg_quiet --purge $PKG
	(cd "$T/saved" && find . -type f) | while read -r f; do
		mkdir -p "$(dirname "${f#.}")"; mv "$T/saved/$f" "${f#.}"
	done
	rm -rf "$T"
}
trap cleanup EXIT

# What the package may touch, to compare before and after: the subtrees it
# owns, and whether the browsers' directories exist.  Not the rest of
# /etc/chromium: other tests (the E2E harness) put policies there meanwhile,
# and for the same reason not whether /etc/chromium itself exists.
WATCH="/etc/ukeylink /etc/chromium/native-messaging-hosts
/etc/opt/chrome/native-messaging-hosts /etc/opt/edge/native-messaging-hosts
/usr/lib/mozilla /usr/libexec/ukeylink /usr/share/ukeylink /usr/share/doc/ukeylink"
snapshot() {
	for d in $WATCH; do [ -e "$d" ] && find "$d" -printf '%p %y %m %s\n'; done | LC_ALL=C sort
	for d in /etc/opt /etc/opt/chrome /etc/opt/edge; do [ -d "$d" ] && echo "$d exists"; done
	ls /var/lib/dpkg/info/ | grep "^$PKG\." || true
}
before=$(snapshot)

(cd "$BUILD" && cpack -G DEB -B "$T/out" >"$T/cpack.log" 2>&1) || { cat "$T/cpack.log"; fail "cpack -G DEB"; finish; exit 1; }
DEB=$(ls "$T"/out/*.deb)
(cd "$BUILD" && cpack -G DEB -B "$T/out2" -D CPACK_PACKAGE_VERSION=0.1.0+upgradetest >"$T/cpack2.log" 2>&1) ||
    fail "cpack -G DEB (upgrade version)"
DEB2=$(ls "$T"/out2/*.deb)

# ---- control data ----------------------------------------------------------
deps=$(dpkg-deb -f "$DEB" Depends)
for d in libssl3 libp11-3 libcjson1 libcurl4 libpcsclite1; do
	check "Depends lacks $d: $deps" grep -qw "$d" <<<"$deps"
done
check "Recommends" [ "$(dpkg-deb -f "$DEB" Recommends)" = "pcscd, opensc-pkcs11" ]
check "conffiles" [ "$(dpkg-deb --ctrl-tarfile "$DEB" | tar -xO ./conffiles)" = /etc/ukeylink/config.json ]
for s in postinst prerm postrm; do
	dpkg-deb --ctrl-tarfile "$DEB" | tar -xO ./$s >"$T/$s" 2>/dev/null
	check "$s missing" [ -s "$T/$s" ]
	check "$s is interactive (reads input)" not grep -Eq '\bread\b|db_input|whiptail|dialog' "$T/$s"
	check "$s: sh -n" sh -n "$T/$s"
done

# ---- install -----------------------------------------------------------------
dpkg_quiet -i "$DEB" || fail "dpkg -i"
check "dpkg -i: not installed" grep -q "install ok installed" \
    <<<"$(dpkg-query -W -f='${Status}' $PKG)"
while read -r kind path; do
	check_manifest "$path" "$kind" $HOSTBIN "" "$IDS"
done <<<"$SYSTEM_MANIFESTS"
check "$HOSTBIN --version" $HOSTBIN --version
check "config.json is a conffile" grep -q /etc/ukeylink/config.json \
    <<<"$(dpkg-query -W -f='${Conffiles}' $PKG)"

# The installed host finds every registration, pointing at itself.
export HOME=$T/home; mkdir -p "$HOME"
$HOSTBIN --diagnose >"$T/diag" 2>&1
while read -r kind path; do
	check "--diagnose: $path not reported as this binary" grep -qF "$path -> this binary" "$T/diag"
done <<<"$SYSTEM_MANIFESTS"
check "--diagnose: system config not applied" grep -qF "/etc/ukeylink/config.json: applied" "$T/diag"
check "--diagnose reports a manifest problem" not grep -q '! .*cn.sheca.ukeylink.json' "$T/diag"
[ "$FAILS" = 0 ] || cat "$T/diag"
# Each registration works as the browser uses it: the host it names starts
# with that browser's argv, accepts the caller the manifest allows, answers
# host.version; a caller the manifest does not list is refused.
while read -r kind path; do
	check "$path: host.version through it failed" \
	    python3 "$SRC/tests/installer/nmcall.py" "$path" "$kind"
done <<<"$SYSTEM_MANIFESTS"
check "the installed host serves an unlisted extension" not python3 \
    "$SRC/tests/installer/nmcall.py" /etc/chromium/native-messaging-hosts/cn.sheca.ukeylink.json \
    chromium chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/
# Real Chromium, the real extension, a profile without manifests of its own:
# the host can only be found through the package's registration.
(cd "$SRC/extension" && node build.mjs >/dev/null) || fail "extension build"
[ -d "$SRC/tests/e2e/node_modules/playwright-core" ] || (cd "$SRC/tests/e2e" &&
    PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund >/dev/null) || fail "npm ci"
check "Chromium cannot reach the installed host" node "$SRC/tests/installer/chromium-smoke.mjs"

# ---- reinstall and upgrade -------------------------------------------------
sums=$(while read -r _ p; do md5sum "$p"; done <<<"$SYSTEM_MANIFESTS")
dpkg_quiet -i "$DEB" || fail "dpkg -i (reinstall)"
check "reinstall changed a manifest" [ "$sums" = "$(while read -r _ p; do md5sum "$p"; done <<<"$SYSTEM_MANIFESTS")" ]
echo '{"log": {"level": "debug"}}' >/etc/ukeylink/config.json
dpkg_quiet -i "$DEB2" || fail "dpkg -i (upgrade)"
check "upgrade: version" [ "$(dpkg-query -W -f='${Version}' $PKG)" = 0.1.0+upgradetest ]
check "upgrade lost the admin's config" grep -q debug /etc/ukeylink/config.json
check "upgrade changed a manifest" [ "$sums" = "$(while read -r _ p; do md5sum "$p"; done <<<"$SYSTEM_MANIFESTS")" ]
check "upgrade: host runs" $HOSTBIN --version

# ---- remove, purge ---------------------------------------------------------
dpkg_quiet -r $PKG || fail "dpkg -r"
check "dpkg -r removed the conffile" [ -f /etc/ukeylink/config.json ]
left=$(diff <(echo "$before") <(snapshot) | grep '^>' | grep -v '^> /etc/ukeylink' |
    grep -v "^> $PKG\.\(list\|postrm\|conffiles\|md5sums\)$")
check "dpkg -r left: $left" [ -z "$left" ]
dpkg_quiet --purge $PKG || fail "dpkg --purge"
after=$(snapshot)
check "dpkg --purge left: $(diff <(echo "$before") <(echo "$after"))" [ "$before" = "$after" ]
check "still known to dpkg" not dpkg-query -W -f='${Status}' $PKG 2>/dev/null
finish
