// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

import { ESLint } from "eslint";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

describe("lint", () => {
  it("eslint reports no problem in the source tree", async () => {
    const eslint = new ESLint({ cwd: ROOT });
    const results = await eslint.lintFiles(["."]);
    const problems = results.flatMap((r) => r.messages.map((m) => `${r.filePath}:${m.line}:${m.column} ${m.ruleId} ${m.message}`));
    assert.deepEqual(problems, []);
    assert.ok(results.length > 50, "linted the whole tree");
  });

  it("every source file starts with the SPDX header and (for src/) // @ts-check", async () => {
    const eslint = new ESLint({ cwd: ROOT });
    const files = (await eslint.lintFiles(["."])).map((r) => r.filePath);
    for (const f of files) {
      const text = readFileSync(f, "utf8");
      assert.match(text, /^\/\/ SPDX-License-Identifier: Apache-2.0\n\/\/ Copyright \(c\) 2026 UKeyLink contributors\n/, f);
      if (/\/src\/.*\.js$/.test(f)) assert.match(text, /\n\/\/ @ts-check\n/, f);
    }
  });

  it("no PIN is ever written to storage or logs in the extension code", () => {
    const risky = /(storage\.(local|session|sync)\.set|console\.\w+|sessionStorage\.setItem)\([^)]*\bpin/i;
    const eslintFiles = ["background/actions/uiVerifyPin.js", "background/actions/uiChangePin.js", "background/actions/seCall.js",
      "background/background.js", "page/syncApi.js", "page/portalApi.js", "content/content.js", "popup/popup.js"];
    for (const f of eslintFiles) assert.doesNotMatch(readFileSync(`${ROOT}src/${f}`, "utf8"), risky, f);
  });
});
