#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench/events.sh [CYCLES [IDLE_SECONDS]]: event latency (median over
# CYCLES insert/remove cycles, default 50) and idle CPU of a watching host
# (default 60 s) on a private pcscd + vpcd + virtual card.  Release build
# in build/bench.  Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
B=${UK_BENCH_BUILD:-$PWD/build/bench}
mkdir -p "$B"
cmake -S . -B "$B" -DCMAKE_BUILD_TYPE=Release -DUK_SANITIZE=OFF >"$B.configure.log" 2>&1 \
  || { cat "$B.configure.log"; exit 1; }
cmake --build "$B" -j2 --target bench_events vcard ukeylink-host >/dev/null
work=$(mktemp -d /tmp/ukbench.XXXXXX)
trap 'rm -rf "$work"' EXIT
bash tests/vcard/make-card.sh "$work/card" >/dev/null
export UK_VCARD_DIR=$work/card
bash tests/vcard/vcard-env.sh "$B/bench/bench_events" "${1:-50}" "${2:-60}"
