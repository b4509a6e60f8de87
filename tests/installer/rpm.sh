#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The .rpm: built with cpack -G RPM and inspected (rpm -qpl, -qpR, ...);
# it is not installed here (Debian).
# usage: rpm.sh SOURCE-DIR BUILD-DIR (built with CMAKE_INSTALL_PREFIX=/usr)
set -uo pipefail
SRC=$(cd "$1" && pwd) BUILD=$(cd "$2" && pwd)
. "$SRC/tests/installer/lib.sh"
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
# Directories that belong to the browsers or the system are not claimed.
for d in /etc/opt /etc/opt/chrome /etc/chromium /usr/lib/mozilla /usr/libexec /usr /etc; do
	check "rpm claims $d" not grep -qxF "$d" <<<"$files"
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
finish
