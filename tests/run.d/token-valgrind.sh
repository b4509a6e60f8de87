#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The release host under valgrind memcheck for one token session on a
# SoftHSM2 token (every token method once): no invalid access, no definite
# leak.  (The ASan+UBSan build covers the same code in CTest.)
set -euo pipefail
cd "$(dirname "$0")/../.."
HOST=${UK_HOST:-build/release/host/ukeylink-host}
[ -x "$HOST" ] || { echo "token-valgrind: $HOST not built"; exit 1; }
D=$(mktemp -d /tmp/uktokvg.XXXXXX)
trap 'rm -rf "$D"' EXIT
bash tests/support/softhsm-token.sh "$D" >/dev/null
cat >"$D/cfg.json" <<CFG
{"extensionIds":{"chromium":["abcdefghijklmnopabcdefghijklmnop"]},
 "origins":[{"origin":"https://issp.sheca.com","capabilities":["read","sign"]}],
 "log":{"level":"error","destination":"stderr"},
 "pkcs11":{"modules":["/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"]}}
CFG
UK_HOST=$PWD/$HOST python3 tests/support/token-session.py "$D" \
  valgrind --leak-check=full --errors-for-leak-kinds=definite \
  --error-exitcode=9 --log-file="$D/valgrind.log"
grep -E "ERROR SUMMARY|definitely lost" "$D/valgrind.log"
