#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs every benchmark once with tiny counts, so that none of them rots
# between the quiet-machine runs bench/README.md reports.  Checks that each
# finishes and prints its table with finite numbers; timings are never
# asserted (a loaded CI machine says nothing about them).
set -euo pipefail
cd "$(dirname "$0")/../.."
B=build/release
[ -x $B/bench/bench_sign ] || { echo "bench-smoke: $B has no benchmarks (UK_BENCH=OFF?)"; exit 1; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT
fail=0
run() {  # run NAME COMMAND...
  local name=$1; shift
  if ! "$@" >"$out" 2>&1; then
    echo "bench-smoke: $name failed:"; tail -20 "$out"; fail=1; return
  fi
  # A Markdown table of at least a header, a rule and one measured row.
  if [ "$(grep -c '^|' "$out")" -lt 3 ] || grep -qiE '\b(nan|inf)\b' "$out"; then
    echo "bench-smoke: $name printed no usable table:"; cat "$out"; fail=1; return
  fi
  echo "bench-smoke: $name ok ($(grep -c '^|' "$out") table rows)"
}
run bench_host $B/bench/bench_host 5 50
run bench_sign $B/bench/bench_sign 20 1
run bench_x509 $B/bench/bench_x509 100
run bench_revocation $B/bench/bench_revocation 10
# As bench/events.sh does, without its own (Release) build: a private
# pcscd + vpcd + virtual card.
work=$(mktemp -d /tmp/ukbench.XXXXXX)
trap 'rm -f "$out"; rm -rf "$work"' EXIT
bash tests/vcard/make-card.sh "$work/card" >/dev/null
run bench_events env UK_VCARD_DIR="$work/card" \
  bash tests/vcard/vcard-env.sh $B/bench/bench_events 5 1
exit $fail
