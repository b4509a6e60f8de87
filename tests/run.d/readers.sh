#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Readers phase: a private pcscd with vpcd and the virtual CAC card
# (tests/vcard), OpenSC, and ukeylink-host, all built with ASan+UBSan;
# then inside tests/vcard/vcard-env.sh:
# The build is tests/run-all.sh's build/asan when present (else
# build/readers, made here).
#   1. pkcs11-tool through OpenSC: list, certificate read back (compared
#      with the issued one), login + signature verified by openssl;
#   2. the Check suite tests/readers/test_readers.c (events and latency,
#      ATR mapping, device list, PIN retries, removal mid-signature, pcscd
#      restart, two concurrent hosts).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
if [ -z "${UK_READERS_BUILD:-}" ] && [ -f "$ROOT/build/asan/CMakeCache.txt" ]; then
  UK_READERS_BUILD=$ROOT/build/asan
fi
B=${UK_READERS_BUILD:-$ROOT/build/readers}
mkdir -p "$B"
cmake -S . -B "$B" -DUK_SANITIZE=ON -DUK_BENCH=OFF >"$B.configure.log" 2>&1 \
  || { cat "$B.configure.log"; exit 1; }
cmake --build "$B" -j2 --target test_readers vcard ukeylink-host 2>&1 \
  | grep -vE '^\[ *[0-9]+%\]|^(Consolidate|Scanning)' || true
[ -x "$B/tests/readers/test_readers" ] || { echo "build failed"; exit 1; }

work=$(mktemp -d /tmp/ukreaders.XXXXXX)
trap 'rm -rf "$work"' EXIT
bash tests/vcard/make-card.sh "$work/card" >/dev/null
export UK_VCARD_DIR=$work/card UK_VCARD_BIN=$B/tests/vcard/vcard
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export UK_TEST_LOG=$work/test.log

inner() {
  set -euo pipefail
  local mod=/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so d=$UK_VCARD_DIR
  "$UK_VCARD_BIN" --db "$d/nssdb" --port "$UK_VPCD_PORT" & local card=$!
  sleep 1
  pkcs11-tool --module "$mod" -L | grep -q "上海测试有限公司" \
    || { echo "FAIL: token label"; return 1; }
  pkcs11-tool --module "$mod" --read-object --type cert --id 0001 \
    -o "$d/read.der" >/dev/null 2>&1
  cmp -s "$d/read.der" "$d/cert.der" || { echo "FAIL: certificate read back differs"; return 1; }
  echo "ok: certificate read through OpenSC equals the issued one"
  printf 'server random %s' "$RANDOM" >"$d/data"
  pkcs11-tool --module "$mod" --login --pin 12345678 --sign \
    -m SHA256-RSA-PKCS --id 0001 -i "$d/data" -o "$d/sig" >/dev/null 2>&1
  openssl x509 -in "$d/cert.pem" -pubkey -noout >"$d/pub.pem"
  openssl dgst -sha256 -verify "$d/pub.pem" -signature "$d/sig" "$d/data" \
    | grep -q "Verified OK" || { echo "FAIL: signature"; return 1; }
  echo "ok: pkcs11-tool signature verified by openssl"
  kill "$card"; wait "$card" 2>/dev/null || true
  sleep 0.5
  CK_DEFAULT_TIMEOUT=60 "$UK_READERS_BIN" 2>"$UK_TEST_LOG"
}
export -f inner
export UK_READERS_BIN=$B/tests/readers/test_readers
rc=0
bash tests/vcard/vcard-env.sh bash -c inner || rc=$?
# pcscd without any reader: NO_READER, empty device list, idle watcher.
UK_VCARD_ENV_NO_READER=1 CK_DEFAULT_TIMEOUT=60 bash tests/vcard/vcard-env.sh \
  "$UK_READERS_BIN" no-reader 2>>"$UK_TEST_LOG" || rc=$?
grep -E '^(LATENCY|IDLE)|removal mid-signature' "$UK_TEST_LOG" || true
if [ "$rc" -ne 0 ]; then
  grep -vE ' debug ' "$UK_TEST_LOG" | tail -40
fi
exit "$rc"
