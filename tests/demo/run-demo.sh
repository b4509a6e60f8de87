#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The demo (README command one calls this after building the host):
# demo key + portal replica + host manifest + Chromium with the extension.
# Headed when $DISPLAY is set; otherwise runs the renewal flow headless,
# printing each step and writing screenshots (UK_E2E_ARTIFACTS, printed).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
export UK_BUILD_DIR=${UK_BUILD_DIR:-$ROOT/build/release}
# Chinese pages need a CJK font for readable screenshots (Debian package).
if ! fc-list :lang=zh 2>/dev/null | grep -q .; then
	apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends fonts-wqy-microhei >/dev/null 2>&1 ||
		echo "warning: no CJK font (apt-get install fonts-wqy-microhei): screenshots show boxes" >&2
fi
if [ -f extension/build.mjs ]; then
	node extension/build.mjs >/dev/null
fi
if [ ! -d tests/e2e/node_modules ]; then
	(cd tests/e2e && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --prefer-offline >/dev/null)
fi
exec node tests/demo/demo.mjs "$@"
