#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `cmake --install` into a DESTDIR, and installer/linux/install.sh in every
# scope: every manifest is valid JSON, names an absolute path to an existing
# executable and the ids of extension/ids.json; reinstall is idempotent and
# uninstall leaves the file tree exactly as it was.
# usage: destdir.sh SOURCE-DIR BUILD-DIR (built with CMAKE_INSTALL_PREFIX=/usr)
set -uo pipefail
SRC=$(cd "$1" && pwd) BUILD=$(cd "$2" && pwd)
. "$SRC/tests/installer/lib.sh"
IDS=$(uk_ids_file "$SRC")
T=$(mktemp -d /tmp/uk-destdir.XXXXXX)
trap 'rm -rf "$T"' EXIT
INSTALL=$SRC/installer/linux/install.sh
UNINSTALL=$SRC/installer/linux/uninstall.sh
tree() { (cd "$1" && find . -printf '%p %y %m\n' | LC_ALL=C sort); }

# ---- cmake --install ----------------------------------------------------
D=$T/destdir
DESTDIR=$D cmake --install "$BUILD" >/dev/null || fail "cmake --install"
while read -r kind path; do
	check_manifest "$D$path" "$kind" /usr/libexec/ukeylink/ukeylink-host "$D" "$IDS"
done <<<"$SYSTEM_MANIFESTS"
check "config.json is valid JSON" jq -e . "$D/etc/ukeylink/config.json" >/dev/null
check "share ids.json == $IDS" \
    [ "$(jq -c . "$D/usr/share/ukeylink/manifests/ids.json")" = "$(jq -c . "$IDS")" ]
for f in policies/chrome/ukeylink.json policies/firefox/policies.json; do
	check "$f valid JSON" jq -e . "$D/usr/share/ukeylink/$f" >/dev/null
done

# ---- install.sh --user (the installed copy, as a package user runs it) ---
H=$T/home; mkdir -p "$H/.config"; echo keep >"$H/.config/other"
before=$(tree "$T")
HOST="$T/host dir & co/ukeylink-host"	# a path that needs care in sed
mkdir -p "$(dirname "$HOST")"; cp "$BUILD/host/ukeylink-host" "$HOST"
before=$(tree "$T")
HOME=$H "$D/usr/share/ukeylink/install.sh" -q --user --host "$HOST" ||
    fail "install.sh --user (installed copy)"
for p in .config/google-chrome/NativeMessagingHosts .config/chromium/NativeMessagingHosts \
    .config/microsoft-edge/NativeMessagingHosts; do
	check_manifest "$H/$p/cn.sheca.ukeylink.json" chromium "$HOST" "" "$IDS"
done
check_manifest "$H/.mozilla/native-messaging-hosts/cn.sheca.ukeylink.json" firefox "$HOST" "" "$IDS"
# The registrations work as the browsers use them (host.version round trip;
# the host's own state goes to another HOME, outside the compared tree).
HH=$(mktemp -d /tmp/uk-destdir-hosthome.XXXXXX)
for m in chromium:.config/chromium/NativeMessagingHosts firefox:.mozilla/native-messaging-hosts; do
	check "host.version through $H/${m#*:}" env HOME="$HH" python3 \
	    "$SRC/tests/installer/nmcall.py" "$H/${m#*:}/cn.sheca.ukeylink.json" "${m%%:*}"
done
rm -rf "$HH"
first=$(tree "$T"; cat "$H/.local/share/ukeylink/install-user.list")
sums=$(find "$H" -type f -exec md5sum {} + | sort)
HOME=$H "$INSTALL" -q --user --host "$HOST" --ids "$IDS" || fail "reinstall --user"
check "reinstall --user changed the tree or the record" \
    [ "$first" = "$(tree "$T"; cat "$H/.local/share/ukeylink/install-user.list")" ]
check "reinstall --user changed a file" [ "$sums" = "$(find "$H" -type f -exec md5sum {} + | sort)" ]
HOME=$H "$UNINSTALL" -q --user || fail "uninstall --user"
check "uninstall --user left something" [ "$before" = "$(tree "$T")" ]
check "uninstall --user removed a file it did not create" [ -f "$H/.config/other" ]
HOME=$H "$UNINSTALL" -q --user || fail "second uninstall --user"

# ---- --profile-dir (what the E2E harness uses), two at once --------------
P1=$T/p1; P2=$T/p2; mkdir -p "$P1"
before=$(tree "$T")
"$INSTALL" -q --profile-dir "$P1" --profile-dir "$P2" --host "$HOST" --ids "$IDS" ||
    fail "install.sh --profile-dir"
for p in "$P1" "$P2"; do
	check_manifest "$p/NativeMessagingHosts/cn.sheca.ukeylink.json" chromium "$HOST" "" "$IDS"
done
check "--profile-dir wrote elsewhere" [ "$(find "$T" -newer "$HOST" -name '*.json' | wc -l)" = 2 ]
"$UNINSTALL" -q --profile-dir "$P1" --profile-dir "$P2" || fail "uninstall --profile-dir"
check "uninstall --profile-dir left something" [ "$before" = "$(tree "$T")" ]

# ---- --system into a root, copying the host ------------------------------
R=$T/root; mkdir -p "$R/etc"
before=$(tree "$T")
"$INSTALL" -q --system --root "$R" --copy-host --host "$BUILD/host/ukeylink-host" \
    --ids "$IDS" || fail "install.sh --system --copy-host"
while read -r kind path; do
	check_manifest "$R$path" "$kind" /usr/local/libexec/ukeylink/ukeylink-host "$R" "$IDS"
done <<<"$SYSTEM_MANIFESTS"
check "--system installed no default config" cmp -s "$R/etc/ukeylink/config.json" "$SRC/manifests/config.json"
echo '{"log": {"level": "debug"}}' >"$R/etc/ukeylink/config.json"
"$INSTALL" -q --system --root "$R" --copy-host --host "$BUILD/host/ukeylink-host" \
    --ids "$IDS" || fail "reinstall --system"
check "reinstall overwrote the admin's config" grep -q debug "$R/etc/ukeylink/config.json"
"$UNINSTALL" -q --system --root "$R" || fail "uninstall --system"
check "uninstall --system left something" [ "$before" = "$(tree "$T")" ]

# ---- refusals: one line naming the problem, nothing written ---------------
mkdir -p "$P1/NativeMessagingHosts"; echo '{}' >"$P1/NativeMessagingHosts/cn.sheca.ukeylink.json"
before=$(tree "$T")
out=$("$INSTALL" --profile-dir "$P1" --host "$HOST" --ids "$IDS" 2>&1)
check "foreign manifest overwritten without --force" [ $? -ne 0 ]
check "refusal message: $out" grep -q "not written by install.sh" <<<"$out"
check "refusal changed the tree" [ "$before" = "$(tree "$T")" ]
"$INSTALL" -q --force --profile-dir "$P1" --host "$HOST" --ids "$IDS" || fail "--force"
check_manifest "$P1/NativeMessagingHosts/cn.sheca.ukeylink.json" chromium "$HOST" "" "$IDS"
"$UNINSTALL" -q --profile-dir "$P1" || fail "uninstall after --force"
rm -rf "$P1"
before=$(tree "$T")
while IFS='|' read -r args want; do
	# shellcheck disable=SC2086
	out=$("$INSTALL" $args 2>&1)
	check "install.sh $args succeeded" [ $? -ne 0 ]
	check "install.sh $args: '$out' lacks '$want'" grep -qF -- "$want" <<<"$out"
done <<EOF2
--profile-dir $T/x --host $BUILD/host/ukeylink-host --chromium-id ABCDEFGHIJKLMNOPABCDEFGHIJKLMNOP|not 32 letters a-p
--profile-dir $T/x --host $BUILD/host/ukeylink-host --chromium-id abc|not 32 letters a-p
--profile-dir $T/x --host $T/nonexistent --ids $IDS|not an executable file
--user --system --host $BUILD/host/ukeylink-host|choose one of
--profile-dir $T/x --host $BUILD/host/ukeylink-host --ids $T/none.json|cannot read
--user --browsers chrome,safari --host $BUILD/host/ukeylink-host|unknown browser 'safari'
--host $BUILD/host/ukeylink-host|choose --system, --user or --profile-dir
--profile-dir $T/x --host $BUILD/host/ukeylink-host --firefox-id a\"b|not an add-on id
--user --frobnicate|unknown option '--frobnicate'
EOF2
check "failed installs changed the tree" [ "$before" = "$(tree "$T")" ]

# Firefox only needs no Chromium id.
HOME=$H "$INSTALL" -q --user --browsers firefox --host "$BUILD/host/ukeylink-host" \
    --ids /dev/null || fail "--browsers firefox without chromium id"
check "firefox-only wrote a chromium manifest" [ ! -e "$H/.config/chromium" ]
check_manifest "$H/.mozilla/native-messaging-hosts/cn.sheca.ukeylink.json" firefox \
    "$BUILD/host/ukeylink-host" "" "$SRC/tests/fixtures/ids.json"
HOME=$H "$UNINSTALL" -q --user
finish
