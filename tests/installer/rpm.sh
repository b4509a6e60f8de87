#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The .rpm: built with cpack -G RPM and inspected (rpm -qpl, -qpR, ...);
# it is not installed here (Debian).
# usage: rpm.sh SOURCE-DIR BUILD-DIR (built with CMAKE_INSTALL_PREFIX=/usr)
set -uo pipefail
SRC=$(cd "$1" && pwd) BUILD=$(cd "$2" && pwd)
. "$SRC/tests/installer/lib.sh"
IDS=$(uk_ids_file "$SRC")
T=$(mktemp -d /tmp/uk-rpm.XXXXXX)
trap 'rm -rf "$T"' EXIT
(cd "$BUILD" && cpack -G RPM -B "$T/out" >"$T/cpack.log" 2>&1) || { cat "$T/cpack.log"; fail "cpack -G RPM"; finish; exit 1; }
check "cpack -G RPM warned: $(grep -i -A2 warn "$T/cpack.log")" not grep -qi warn "$T/cpack.log"
RPM=$(ls "$T"/out/*.rpm)
files=$(rpm -qpl "$RPM")
while read -r _ path; do
	check "rpm -qpl lacks $path" grep -qxF "$path" <<<"$files"
done <<<"$SYSTEM_MANIFESTS"
for f in /usr/libexec/ukeylink/ukeylink-host /etc/ukeylink/config.json \
    /usr/share/ukeylink/manifests/ids.json /usr/share/ukeylink/install.sh; do
	check "rpm -qpl lacks $f" grep -qxF "$f" <<<"$files"
done
# Directories of the base system are not claimed; the browsers' are shared.
for d in /etc/opt /usr/libexec /usr /etc /usr/lib /usr/share; do
	check "rpm claims $d" not grep -qxF "$d" <<<"$files"
done
for d in /etc/opt/chrome /etc/chromium /usr/lib/mozilla /etc/ukeylink /usr/share/ukeylink; do
	check "rpm does not own $d" grep -qxF "$d" <<<"$files"
done
reqs=$(rpm -qpR "$RPM")
for r in "openssl-libs >= 3.0" libp11 cjson libcurl pcsc-lite-libs 'libcjson.so.1()(64bit)'; do
	check "rpm -qpR lacks '$r'" grep -qxF "$r" <<<"$reqs"
done
check "recommends" [ "$(rpm -qp --recommends "$RPM" | sort | tr '\n' ' ')" = "opensc pcsc-lite " ]
flags=$(rpm -qp --qf '[%{FILEFLAGS:fflags} %{FILENAMES}\n]' "$RPM")
check "config.json is not %config(noreplace)" grep -qx "cn /etc/ukeylink/config.json" <<<"$flags"
scripts=$(rpm -qp --scripts "$RPM")
check "no %post" grep -q "postinstall scriptlet" <<<"$scripts"
check "no %preun" grep -q "preuninstall scriptlet" <<<"$scripts"
check "rpm not relocatable" not grep -q "^Relocations *: /" <<<"$(rpm -qpi "$RPM")"

# Install, reinstall, upgrade and erase in a throwaway root with its own
# rpm database (--nodeps: the root has no libraries; --noscripts: it has no
# shell; the scriptlets are checked with sh -n above).
(cd "$BUILD" && cpack -G RPM -B "$T/out2" -D CPACK_PACKAGE_VERSION=0.1.0.1 >"$T/cpack2.log" 2>&1) ||
    fail "cpack -G RPM (upgrade version)"
RPM2=$(ls "$T"/out2/*.rpm)
R=$T/root; mkdir -p "$R"
rpmq() { HOME=$T rpm --root "$R" --dbpath /rpmdb "$@" 2>&1 | grep -v -e "use Alien" -e "assuming you know"; return "${PIPESTATUS[0]}"; }
rpmq --initdb || fail "rpm --initdb"
tree() { (cd "$R" && find . -path ./rpmdb -prune -o -printf '%p %y\n' | LC_ALL=C sort); }
before=$(tree)
rpmq -i --nodeps --noscripts "$RPM" || fail "rpm -i"
while read -r kind path; do
	check_manifest "$R$path" "$kind" /usr/libexec/ukeylink/ukeylink-host "$R" "$IDS"
done <<<"$SYSTEM_MANIFESTS"
first=$(tree)
rpmq -i --replacepkgs --nodeps --noscripts "$RPM" || fail "rpm -i --replacepkgs"
check "reinstall changed the tree" [ "$first" = "$(tree)" ]
echo '{"log": {"level": "debug"}}' >"$R/etc/ukeylink/config.json"
rpmq -U --nodeps --noscripts "$RPM2" || fail "rpm -U"
check "upgrade: version" [ "$(rpmq -q --qf '%{VERSION}' ukeylink)" = 0.1.0.1 ]
check "upgrade lost the admin's config" grep -q debug "$R/etc/ukeylink/config.json"
check "upgrade changed the tree" [ "$first" = "$(tree)" ]
rpmq -e --noscripts ukeylink || fail "rpm -e"
# rpm keeps a modified %config file as .rpmsave; the base system's
# directories (here created by rpm) stay.
left=$(diff <(echo "$before") <(tree) | grep '^>' | grep -vxF \
    -e '> ./etc/ukeylink d' -e '> ./etc/ukeylink/config.json.rpmsave f' \
    -e '> ./etc d' -e '> ./etc/opt d' -e '> ./usr d' -e '> ./usr/lib d' \
    -e '> ./usr/libexec d' -e '> ./usr/share d')
check "rpm -e left: $left" [ -z "$left" ]
check "rpm -e: no rpmsave of the admin's config" [ -f "$R/etc/ukeylink/config.json.rpmsave" ]
finish
