// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";

import seTable from "../scripts/se-table.mjs";
import { LAST_ERROR } from "../src/shared/errors/ErrorCode.js";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");

describe("README", () => {
  it("contains the SafeEngine mapping table generated from the code table", () => {
    assert.ok(readme.includes(seTable()), "run: node scripts/se-table.mjs and paste into README.md");
  });
  it("documents every extension error code with its number", () => {
    for (const [code, n] of Object.entries(LAST_ERROR)) {
      if (code === "HOST_ERROR") continue;
      assert.match(readme, new RegExp(`\\| ${code} \\| ${n} \\|`), code);
    }
  });
  it("shows the current ids.json", () => {
    const ids = JSON.parse(readFileSync(new URL("../ids.json", import.meta.url), "utf8"));
    assert.ok(readme.includes(JSON.stringify(ids).replace(/,/g, ", ").replace(/:/g, ": ")));
  });
});
