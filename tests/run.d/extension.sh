#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The extension's own checks: npm ci, eslint, build (Chromium + Firefox),
# node:test unit tests, addons-linter on the Firefox package.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec sh extension/test/run.sh
