// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import createLogger from "../log.js";

describe("createLogger", () => {
  const cases = [
    ["error", ["error"]], ["warn", ["error", "warn"]], ["info", ["error", "warn", "info"]],
    ["debug", ["error", "warn", "info", "debug"]], ["bogus", ["error", "warn"]],
  ];
  for (const [level, want] of cases) {
    it(`logLevel ${level} prints ${want.join(", ")}`, () => {
      const out = [];
      const sink = Object.fromEntries(["error", "warn", "info", "debug"].map((l) => [l, () => out.push(l)]));
      const log = createLogger(() => level, sink);
      log.error("e");
      log.warn("w");
      log.info("i");
      log.debug("d");
      assert.deepEqual(out, want);
    });
  }
});
