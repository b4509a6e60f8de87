#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs every test: installs what is missing, builds (normal and ASan+UBSan),
# runs the Check suites under the sanitizers, the fuzzers for a bounded
# time, the extension's tests and the end-to-end tests.  Services the tests
# need are started and stopped by the tests themselves.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
JOBS=$(nproc)
FUZZ_SECONDS=${UK_FUZZ_SECONDS:-60}
passed=0; failed=0; failures=()

phase() {  # phase NAME COMMAND...: runs a phase, counts it
  local name=$1; shift
  echo "=== $name"
  local t0=$SECONDS
  if "$@"; then passed=$((passed + 1)); echo "=== $name: ok ($((SECONDS - t0)) s)"
  else failed=$((failed + 1)); failures+=("$name"); echo "=== $name: FAILED ($((SECONDS - t0)) s)"; fi
}

bash tests/deps.sh || { echo "dependency installation failed"; exit 1; }

build() {  # build DIR CMAKE-ARGS...
  local dir=$1; shift
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >"$dir.configure.log" 2>&1 \
    || { cat "$dir.configure.log"; return 1; }
  cmake --build "$dir" -j"$JOBS" 2>&1 | grep -vE '^\[ *[0-9]+%\]|^(Consolidate|Scanning)' ; return "${PIPESTATUS[0]}"
}
mkdir -p build
phase "build (release)" build build/release
phase "build (asan+ubsan)" build build/asan -DUK_SANITIZE=ON -DUK_BENCH=OFF

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
phase "unit and integration tests (asan+ubsan)" \
  ctest --test-dir build/asan --output-on-failure -j"$JOBS"

for f in tests/run.d/*.sh; do
  [ -e "$f" ] || continue
  phase "$(basename "$f" .sh)" bash "$f"
done

echo
echo "phases: ${#failures[@]} failed${failures:+: ${failures[*]}}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
