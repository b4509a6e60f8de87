// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { originToMatchPattern, parseOrigin, parseOriginList } from "../origin.js";

describe("parseOrigin", () => {
  const accepted = [
    ["https://issp.sheca.com", "https://issp.sheca.com"],
    ["HTTPS://ISSP.SHECA.COM", "https://issp.sheca.com"],
    ["https://127.0.0.1", "https://127.0.0.1"],
    ["https://127.0.0.1:8443", "https://127.0.0.1:8443"],
    ["https://issp.sheca.com:443", "https://issp.sheca.com"],
    ["https://[::1]:8443", "https://[::1]:8443"],
    ["https://xn--fiqs8s.cn", "https://xn--fiqs8s.cn"],
  ];
  const rejected = [
    "", "https://", "https://*.sheca.com", "*://issp.sheca.com", "https://issp.sheca.com/",
    "https://issp.sheca.com/path", "https://issp.sheca.com?x=1", "https://issp.sheca.com#x",
    "https://user@issp.sheca.com", "ftp://issp.sheca.com", "javascript:alert(1)", "file:///etc",
    "http://issp.sheca.com", "https://exa mple.com", "https://example.com:99999", "https://example.com:0",
    "https://example..com", "https://example.com.", "https://-bad.com", "https://127.0.0.256",
    "https://example.com:08443", "chrome-extension://abc", "<all_urls>", null, 42, ["https://a.com"],
  ];
  for (const [input, want] of accepted) {
    it(`accepts ${input}`, () => assert.equal(parseOrigin(input), want));
  }
  for (const input of rejected) {
    it(`rejects ${JSON.stringify(input)}`, () => assert.equal(parseOrigin(input), null));
  }
  it("accepts http only when explicitly allowed", () => {
    assert.equal(parseOrigin("http://127.0.0.1:8080", { allowHttp: true }), "http://127.0.0.1:8080");
    assert.equal(parseOrigin("http://gov.example.cn", { allowHttp: true }), "http://gov.example.cn");
    assert.equal(parseOrigin("http://gov.example.cn/x", { allowHttp: true }), null);
  });
});

describe("parseOriginList", () => {
  it("keeps the valid entries sorted and deduplicated and reports the rest", () => {
    const r = parseOriginList(["https://b.cn", "https://a.cn", "https://A.cn", "https://*.c.cn", 7]);
    assert.deepEqual(r.origins, ["https://a.cn", "https://b.cn"]);
    assert.deepEqual(r.rejected, ["https://*.c.cn", 7]);
  });
  it("treats a non-array as rejected", () => {
    assert.deepEqual(parseOriginList("https://a.cn"), { origins: [], rejected: ["https://a.cn"] });
    assert.deepEqual(parseOriginList(undefined), { origins: [], rejected: [] });
  });
});

describe("originToMatchPattern", () => {
  for (const [o, p] of [
    ["https://issp.sheca.com", "https://issp.sheca.com/*"],
    ["https://127.0.0.1:8443", "https://127.0.0.1/*"],
    ["http://127.0.0.1:8080", "http://127.0.0.1/*"],
    ["https://[::1]:8443", "https://[::1]/*"],
  ]) {
    it(`${o} → ${p} (no port: Firefox ignores patterns with ports)`, () => assert.equal(originToMatchPattern(o), p));
  }
});
