#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Copyright (c) 2026 UKeyLink contributors
#
# Installs the dev dependencies (from package-lock.json), lints, builds,
# runs every unit test and lints the Firefox package. Exits non-zero on the
# first failure. Usage: sh extension/test/run.sh
set -eu
cd "$(dirname "$0")/.."
if [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then
  echo "== dependencies up to date"
else
  echo "== npm ci"
  npm ci --no-audit --no-fund
fi
echo "== eslint"
npx eslint .
echo "== build"
node build.mjs --check
echo "== unit tests"
node --test
echo "== addons-linter (Firefox package)"
node scripts/addons-lint.mjs
echo "== extension: all passed"
