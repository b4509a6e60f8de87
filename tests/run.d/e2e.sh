#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Portal replica unit tests, then the end-to-end suite in Chromium and
# Firefox ESR with the real extension (extension/build.mjs) and the real
# host (UK_BUILD_DIR, default build/release). Screenshots: UK_E2E_ARTIFACTS
# (default a new temp dir, printed). Nothing is skipped: a missing
# component fails the flows that need it, by name.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
export UK_BUILD_DIR=${UK_BUILD_DIR:-$ROOT/build/release}
export UK_E2E_ARTIFACTS=${UK_E2E_ARTIFACTS:-$(mktemp -d /tmp/ukeylink-e2e-artifacts-XXXXXX)}
t0=$SECONDS
status=0

# Chinese pages need a CJK font for readable screenshots (Debian package).
if ! fc-list :lang=zh 2>/dev/null | grep -q .; then
	apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends fonts-wqy-microhei >/dev/null 2>&1 ||
		echo "warning: no CJK font (apt-get install fonts-wqy-microhei): screenshots show boxes" >&2
fi
echo "--- portal replica unit tests"
node --test tests/portal/test/ || status=1

echo "--- extension build"
if [ ! -f extension/build.mjs ]; then
	echo "MISSING COMPONENT: extension/build.mjs (branch ext); the E2E flows will fail" >&2
	status=1
else
	node extension/build.mjs || { echo "extension build failed" >&2; status=1; }
fi

echo "--- e2e dependencies (playwright-core, puppeteer-core; no browser download)"
(cd tests/e2e && PUPPETEER_SKIP_DOWNLOAD=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
	npm ci --no-audit --no-fund --prefer-offline >/dev/null) || { echo "npm ci failed" >&2; exit 1; }

echo "--- e2e (Chromium, Firefox ESR); screenshots in $UK_E2E_ARTIFACTS"
timeout 900 node --test --test-concurrency=1 --test-reporter=spec tests/e2e/e2e.test.mjs || status=1
echo "--- e2e.sh: $((SECONDS - t0)) s; screenshots in $UK_E2E_ARTIFACTS"
exit $status
