// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { WRONG_PIN, fakeHost, loadPage, tick, until } from "./harness.mjs";

describe("portal API (window.UKeyLink)", () => {
  it("exists at document_start on the default portal origins, frozen and not replaceable", () => {
    const { window } = loadPage("<script>var early = typeof window.UKeyLink;</script>");
    assert.equal(window.early, "object");
    assert.equal(window.UKeyLink.version(), "test");
    assert.ok(Object.isFrozen(window.UKeyLink));
    window.eval("window.UKeyLink = 1");
    assert.equal(typeof window.UKeyLink, "object");
  });

  it("appears on other origins only when the background says portal", async () => {
    const host = fakeHost();
    const real = host.api.runtime.sendMessage;
    host.api.runtime.sendMessage = async (m) => (m.action === "ukeylink:hello"
      ? { ok: true, result: { portal: false, version: "test", helpUrl: "https://issp.sheca.com/" } } : real(m));
    const { window } = loadPage("", { host, url: "https://gov.example.cn/" });
    await tick(30);
    assert.equal(window.UKeyLink, undefined);
    const portalHost = fakeHost();
    const p2 = loadPage("", { host: portalHost, url: "https://127.0.0.1:8443/" });
    assert.equal(p2.window.UKeyLink, undefined);
    await until(() => p2.window.UKeyLink !== undefined);
  });

  it("call() forwards any host method with JSON params; sugar maps onto token/cert/sign methods", async () => {
    const host = fakeHost();
    const { window } = loadPage("", { host });
    const U = window.UKeyLink;
    assert.deepEqual((await U.call("enroll.begin", { profile: "renew", n: 1 })).echo, { method: "enroll.begin", params: { profile: "renew", n: 1 } });
    assert.deepEqual(await U.listTokens(), [{ token: "t1" }]);
    assert.deepEqual(await U.listCertificates("t1"), [{ certId: "01" }]);
    assert.equal(await U.login("t1", "1111"), undefined);
    assert.equal(await U.signChallenge({ token: "t1", certId: "01", challenge: "AAEC", hash: "sm3" }), "c2ln");
    // no hash: none sent, the host uses the key's own (SM3 for SM2 keys)
    assert.equal(await U.signChallenge({ token: "t1", certId: "01", challenge: "AAEC" }), "c2ln");
    assert.deepEqual(host.calls.map((c) => [c.method, c.params]), [
      ["enroll.begin", { profile: "renew", n: 1 }],
      ["token.list", {}],
      ["cert.list", { token: "t1" }],
      ["token.login", { token: "t1", pin: "1111" }],
      ["sign.data", { token: "t1", certId: "01", data: "AAEC", hash: "sm3" }],
      ["sign.data", { token: "t1", certId: "01", data: "AAEC" }],
    ]);
  });

  it("rejects with an Error carrying code, lastError and retriesLeft, never a host stack", async () => {
    const { window } = loadPage("");
    const e = await window.UKeyLink.login("t1", "0000").then(() => null, (x) => x);
    assert.ok(e instanceof window.Error);
    assert.equal(e.code, "HOST_ERROR");
    assert.equal(e.lastError, WRONG_PIN);
    assert.equal(e.hostName, "PIN_INCORRECT");
    assert.equal(e.retriesLeft, 2);
  });

  const invalid = [
    ["signChallenge without certId", (U) => U.signChallenge({ token: "t1", challenge: "AAEC" })],
    ["signChallenge with a bad hash", (U) => U.signChallenge({ token: "t1", certId: "01", challenge: "AAEC", hash: "md5" })],
    ["signChallenge with non-base64", (U) => U.signChallenge({ token: "t1", certId: "01", challenge: "not base64!" })],
    ["login without PIN", (U) => U.login("t1", "")],
    ["call with a bad method", (U) => U.call("rm -rf", {})],
    ["call with a non-area method", (U) => U.call("evil.method", {})],
    ["call with params that are not an object", (U) => U.call("token.list", [1, 2])],
  ];
  for (const [name, fn] of invalid) {
    it(`refuses ${name}`, async () => {
      const host = fakeHost();
      const { window } = loadPage("", { host });
      const e = await fn(window.UKeyLink).then(() => null, (x) => x);
      assert.equal(e?.code, "INVALID_ARGUMENT");
      assert.equal(e.lastError, -2113664008);
      assert.equal(host.calls.length, 0);
    });
  }

  it("on()/off() deliver host events pushed by the background", async () => {
    const host = fakeHost();
    const { window } = loadPage("", { host });
    const seen = [];
    const h = (e) => seen.push(e.event);
    window.UKeyLink.on("token.inserted", h);
    window.UKeyLink.on("progress", h);
    host.push("event", { event: "token.inserted", reader: "r" });
    host.push("event", { event: "progress", id: 3, done: 1, total: 2 });
    window.UKeyLink.off("token.inserted", h);
    host.push("event", { event: "token.inserted", reader: "r" });
    assert.deepEqual(seen, ["token.inserted", "progress"]);
    assert.throws(() => window.UKeyLink.on("nope", h), /unknown event/);
  });
});

describe("content bridge", () => {
  it("answers forged or malformed page messages with errors and forwards nothing", async () => {
    const host = fakeHost();
    const sent = [];
    const real = host.api.runtime.sendMessage;
    host.api.runtime.sendMessage = (m) => { sent.push(m.action); return real(m); };
    const { window } = loadPage("", { host });
    await tick(30);
    const replies = [];
    window.addEventListener("ukeylink:response", (ev) => replies.push(JSON.parse(ev.detail)));
    const send = (detail) => window.dispatchEvent(new window.CustomEvent("ukeylink:request", { detail }));
    send(JSON.stringify({ id: 1, action: "ui.verifyPin", payload: { token: "t", pin: "1" } }));
    send(JSON.stringify({ id: 2, action: "se.call", payload: { method: "SEH_SignData", args: ["x", 3], origin: "https://evil" } }));
    send(JSON.stringify({ id: 3, action: "portal.call", payload: { method: "token.list", params: {} }, extra: 1 }));
    send("not json");
    window.dispatchEvent(new window.CustomEvent("ukeylink:request", { detail: { id: 4 } }));
    await tick(20);
    assert.deepEqual(replies.map((r) => [r.id, r.ok, r.error.code]), [[1, false, "INVALID_ARGUMENT"], [2, false, "INVALID_ARGUMENT"], [3, false, "INVALID_ARGUMENT"]]);
    assert.deepEqual(sent, ["ukeylink:hello", "ukeylink:se.snapshot"]);
  });

  it("refuses everything when the background did not accept the page's origin", async () => {
    const host = fakeHost();
    host.api.runtime.sendMessage = async () => ({ ok: false, error: { code: "ORIGIN_NOT_ALLOWED", lastError: -2113664007 } });
    const { window } = loadPage("", { host, url: "https://evil.example/" });
    const e = await window.eval(`new SEH_SignData("a","com1","","0","","","","d","3","0")`).then(() => null, (x) => x);
    assert.equal(e.LastError, -2113664007);
  });
});
