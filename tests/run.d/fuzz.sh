#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the tree and the libFuzzer targets with clang + ASan/UBSan and
# runs each fuzzer for a bounded time (UK_FUZZ_SECONDS, default 60) on a
# copy of its seed corpus.
# Any crash, leak or sanitizer report fails the phase.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_EACH=${UK_FUZZ_SECONDS:-60}
B=build/fuzz
rm -rf $B/artifacts && mkdir -p $B/artifacts
CC=clang cmake -S . -B $B -DUK_FUZZ=ON -DUK_SANITIZE=ON -DUK_BENCH=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >$B.configure.log 2>&1 || { cat $B.configure.log; exit 1; }
# The whole tree first: clang is a second compiler, and its warnings
# (-Werror) catch what gcc's do not (format strings, string concatenation).
if ! cmake --build $B -j"$(nproc)" >$B.build.log 2>&1; then
  grep -E -A3 'error|warning' $B.build.log | head -60
  echo "fuzz: the clang build failed ($B.build.log)"; exit 1
fi
for t in tests/fuzz/fuzz_*.c; do
  name=$(basename "$t" .c)
  cmake --build $B -j"$(nproc)" --target "$name" >/dev/null
  corpus=tests/fuzz/corpus/${name#fuzz_}
  work=$(mktemp -d)
  [ -d "$corpus" ] && cp -r "$corpus"/. "$work"/
  echo "fuzz: $name for ${SECONDS_EACH}s"
  log=$B/$name.log
  if ( cd "$work" && ASAN_OPTIONS=detect_leaks=1 "$OLDPWD/$B/tests/fuzz/$name" \
      -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -max_len=65536 \
      -artifact_prefix="$OLDPWD/$B/artifacts/$name-" \
      -print_final_stats=1 . ) >"$log" 2>&1; then
    tail -5 "$log"
  else
    # Enough to reproduce from the CI output alone: the report, and each
    # input that failed (base64; replay with `$name FILE`).
    echo "fuzz: $name FAILED; report:"
    grep -v -E '^#[0-9]+' "$log" | tail -60
    for a in "$B/artifacts/$name"-*; do
      [ -f "$a" ] || continue
      echo "fuzz: input $a ($(stat -c %s "$a") bytes), base64 of the first 3 KiB:"
      head -c 3072 "$a" | base64 -w 76
    done
    rm -rf "$work"
    exit 1
  fi
  rm -rf "$work"
done
