#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The README's command one: installs what is missing, builds, and runs the
# demo on an embedded default (a demo token and the local portal replica).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tests/deps.sh
B=build/release
cmake -S . -B $B -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build $B -j"$(nproc)" 2>&1 | grep -E "error|warning" || true
export UK_BUILD_DIR=$PWD/$B
exec bash tests/demo/run-demo.sh "$@"
