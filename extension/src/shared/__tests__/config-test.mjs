// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import config from "../config.js";
import configManager from "../configManager.js";
import RateLimiter from "../rateLimiter.js";
import getSenderOrigin from "../sender.js";
import OriginNotAllowedError from "../errors/OriginNotAllowedError.js";

describe("configManager", () => {
  it("keeps defaults frozen", () => {
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(configManager({})));
  });
  const accepted = [
    [{ portalUrl: "https://issp.shcca.com/renew" }, "portalUrl", "https://issp.shcca.com/renew"],
    [{ logLevel: "debug" }, "logLevel", "debug"],
    [{ helpUrl: "https://it.example.cn/ukeylink" }, "helpUrl", "https://it.example.cn/ukeylink"],
  ];
  for (const [o, key, want] of accepted) {
    it(`accepts ${JSON.stringify(o)}`, () => assert.equal(configManager(o)[key], want));
  }
  const rejected = [
    [{ portalUrl: "http://issp.sheca.com/" }, "portalUrl"],
    [{ portalUrl: "javascript:alert(1)" }, "portalUrl"],
    [{ portalUrl: 5 }, "portalUrl"],
    [{ logLevel: "verbose" }, "logLevel"],
    [{ REQUEST_TIMEOUT: 1 }, "REQUEST_TIMEOUT"],
    [{ NATIVE_HOST_NAME: "evil" }, "NATIVE_HOST_NAME"],
    [null, "portalUrl"],
    [["https://x"], "portalUrl"],
  ];
  for (const [o, key] of rejected) {
    it(`ignores ${JSON.stringify(o)}`, () => assert.equal(configManager(o)[key], config[key]));
  }
});

describe("getSenderOrigin", () => {
  const self = { extensionId: "abc", extensionBaseUrl: "chrome-extension://abc/" };
  const accepted = [
    [{ id: "abc", tab: { id: 1 }, url: "https://issp.sheca.com/login?x", origin: "https://issp.sheca.com" }, "https://issp.sheca.com"],
    [{ id: "abc", tab: { id: 1 }, url: "https://127.0.0.1:8443/a" }, "https://127.0.0.1:8443"],
    [{ id: "abc", url: "chrome-extension://abc/popup/popup.html" }, "ukeylink:ui"],
    [{ id: "abc", tab: { id: 3 }, url: "chrome-extension://abc/popup/popup.html" }, "ukeylink:ui"],
  ];
  for (const [s, want] of accepted) {
    it(`derives ${want}`, () => assert.equal(getSenderOrigin(s, self), want));
  }
  const rejected = [
    undefined, {}, { id: "other", tab: { id: 1 }, url: "https://a.cn/" },
    { id: "abc", tab: { id: 1 } }, { id: "abc", tab: { id: 1 }, url: "about:blank" },
    { id: "abc", tab: { id: 1 }, url: "data:text/html,x" }, { id: "abc", tab: { id: 1 }, origin: "null" },
    { id: "abc", url: "https://a.cn/" },
    { id: "abc", tab: { id: 1 }, url: "chrome-extension://other/popup/popup.html" },
  ];
  rejected.forEach((s, i) => it(`throws for sender #${i}`, () => assert.throws(() => getSenderOrigin(s, self), OriginNotAllowedError)));
});

describe("RateLimiter", () => {
  it("allows max hits per window and per key", () => {
    let t = 0;
    const r = new RateLimiter(2, 1000, () => t);
    assert.equal(r.tryHit(1), true);
    assert.equal(r.tryHit(1), true);
    assert.equal(r.tryHit(1), false);
    assert.equal(r.tryHit(2), true);
    t = 1000;
    assert.equal(r.tryHit(1), true);
    r.forget(1);
    assert.equal(r.isLimited(1), false);
    r.hit(1);
    r.hit(1);
    assert.equal(r.isLimited(1), true);
    r.forget(1);
    assert.equal(r.tryHit(1), true);
  });
});
