#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds (release) and runs every benchmark; each prints its own table of
# ratios against references measured in the same run.  Not part of the test
# suite: timings are reported, never asserted.
set -euo pipefail
cd "$(dirname "$0")/.."
B=${UK_BUILD_DIR:-build/release}
cmake -S . -B "$B" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$B" -j"$(nproc)" >/dev/null
for b in "$B"/bench/bench_*; do
  [ -x "$b" ] || continue
  echo "### $(basename "$b")"
  case $(basename "$b") in
  bench_events) UK_BENCH_BUILD=$B bash bench/events.sh ;;  # pcscd + vpcd
  *) "$b" ;;
  esac
done
