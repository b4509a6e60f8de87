// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { OBJECT, fakeHost, loadPage, tick, until } from "./harness.mjs";

const up = (done, total) => ({ stage: "upload", done, total });

/** Records the (closed) shadow roots of the notices the page shows, to read their text. */
function noticeTexts(window) {
  const roots = [];
  const attach = window.Element.prototype.attachShadow;
  window.Element.prototype.attachShadow = function attachShadow(o) {
    const r = attach.call(this, o);
    roots.push(r);
    return r;
  };
  const notices = () => [...window.document.querySelectorAll("ukeylink-notice")];
  return { notices, texts: () => roots.filter((r) => r.host.isConnected).map((r) => r.textContent) };
}

describe("call progress (UKeyLink.call onProgress, page notices)", () => {
  it("onProgress receives {stage, done, total} of its own call, in order, as page objects", async () => {
    const host = fakeHost({ progress: (m) => (m.payload.params.n ? Array.from({ length: m.payload.params.n }, (_, k) => up(k + 1, 9)) : []) });
    const { window } = loadPage("", { host });
    const a = [];
    const b = [];
    const [ra, rb, rc] = await Promise.all([
      window.UKeyLink.call("sign.cms", { n: 3 }, { onProgress: (p) => a.push(p) }),
      window.UKeyLink.call("sign.cms", { n: 2 }, { onProgress: (p) => b.push(p) }),
      window.UKeyLink.call("sign.cms", { n: 4 }), // no listener: fine
    ]);
    assert.deepEqual([ra, rb, rc].map((r) => r.echo.params.n), [3, 2, 4]);
    assert.deepEqual(a.map((p) => ({ ...p })), [up(1, 9), up(2, 9), up(3, 9)]);
    assert.deepEqual(b.map((p) => ({ ...p })), [up(1, 9), up(2, 9)]);
    assert.ok(a[0] instanceof window.Object, "an object of the page's realm");
    assert.deepEqual(Object.keys(a[0]), ["stage", "done", "total"], "no id: neither the host's nor another");
  });

  it("nothing reaches onProgress after the call settled, nor for call numbers that are not pending", async () => {
    const host = fakeHost({ progress: () => [up(1, 2)] });
    const { window } = loadPage("", { host });
    const seen = [];
    await window.UKeyLink.call("sign.cms", {}, { onProgress: (p) => seen.push(p.done) });
    const [call] = host.callNumbers;
    assert.ok(Number.isSafeInteger(call));
    host.push("progress", { call, ...up(2, 2) }); // late
    host.push("progress", { call: call + 1, ...up(2, 2) });
    host.push("progress", { call: 1, ...up(2, 2) });
    await tick(10);
    assert.deepEqual(seen, [1]);
  });

  it("the content script and the bridge drop malformed progress", async () => {
    const bad = [
      { stage: "upload", done: 3, total: 2 }, { stage: "evil", done: 1, total: 2 }, { stage: "upload", done: -1, total: 2 },
      { stage: "upload", done: "1", total: 2 }, { stage: "upload", done: 1.5, total: 2 }, { stage: "upload", done: 1, total: 2 ** 53 },
    ];
    const host = fakeHost({ progress: () => [...bad, up(1, 2)], delay: 30 });
    const { window } = loadPage("", { host });
    await tick(20);
    const seen = [];
    const call = window.UKeyLink.call("sign.cms", {}, { onProgress: (p) => seen.push({ ...p }) });
    await until(() => seen.length === 1);
    // a push forged on the page's own window reaches the bridge directly: it checks too
    const forge = (data) => window.dispatchEvent(new window.CustomEvent("ukeylink:push", { detail: JSON.stringify({ kind: "progress", data }) }));
    for (const p of bad) for (const id of [1, 2, 3]) forge({ id, ...p });
    forge({ id: 1, ...up(2, 2) }); // the call's page id: well-formed gets through
    await call;
    assert.deepEqual(seen, [up(1, 2), up(2, 2)]);
  });

  it("UKeyLink.on(\"progress\") sees a call's progress with the page's call id, never the host's", async () => {
    const host = fakeHost({ progress: () => [up(1, 4)] });
    const { window } = loadPage("", { host });
    await tick(20);
    const events = [];
    window.UKeyLink.on("progress", (e) => events.push(e));
    await window.UKeyLink.call("sign.cms", {});
    host.push("event", { event: "progress", id: 77, stage: "download", done: 1, total: 2 }); // of no pending request
    await tick(5);
    assert.equal(events.length, 2);
    assert.deepEqual({ ...events[0], id: typeof events[0].id }, { event: "progress", id: "number", ...up(1, 4) });
    assert.notEqual(events[0].id, host.callNumbers[0], "the page-side id, not the content script's number");
    assert.equal(events[1].id, 77);
  });

  const badOptions = [["null", null], ["a number", 3], ["a string", "x"], ["onProgress not a function", { onProgress: "f" }]];
  for (const [name, options] of badOptions) {
    it(`call() refuses options that are ${name}`, async () => {
      const host = fakeHost();
      const { window } = loadPage("", { host });
      const e = await window.UKeyLink.call("token.list", {}, options).then(() => null, (x) => x);
      assert.equal(e?.code, "INVALID_ARGUMENT");
      assert.equal(host.calls.length, 0);
    });
  }

  it("a listener that throws is logged; the call still resolves", async () => {
    const host = fakeHost({ progress: () => [up(1, 2)] });
    const { window, log } = loadPage("", { host });
    await tick(20);
    const before = log.errors.length;
    const r = await window.UKeyLink.call("sign.cms", { x: 1 }, { onProgress: () => { throw new Error("page bug"); } });
    assert.deepEqual(r.echo.params, { x: 1 });
    assert.deepEqual(log.errors.slice(before), ["[UKeyLink]"]);
  });

  it("shows an upload notice with the share sent from 4 chunks on, updated, removed when the call ends", async () => {
    const host = fakeHost({ progress: (m) => Array.from({ length: m.payload.params.of - 1 }, (_, k) => up(k + 1, m.payload.params.of)),
      progressGap: 15, delay: 60 });
    const { window } = loadPage("", { host });
    await tick(20);
    const { notices, texts } = noticeTexts(window);
    // 3 chunks: no notice
    await window.UKeyLink.call("sign.cms", { of: 3 });
    assert.equal(notices().length, 0);
    // 4 chunks: 25 %, 50 %, 75 %, then gone with the response
    const call = window.UKeyLink.call("sign.cms", { of: 4 });
    await until(() => notices().length === 1);
    assert.equal(notices()[0].getAttribute("role"), "status");
    assert.match(texts()[0], /正在向 UKeyLink 传送数据… 25%/);
    assert.match(texts()[0], /Sending data to UKeyLink… 25%/);
    await until(() => /75%/.test(texts()[0] ?? ""));
    assert.equal(notices().length, 1, "one notice, updated");
    assert.ok(texts()[0].indexOf("正在向") < texts()[0].indexOf("Sending"), "Chinese first");
    await call;
    assert.equal(notices().length, 0);
  });

  it("shows the PIN pad notice for a call's pinpad progress and removes it when that call ends", async () => {
    const host = fakeHost({ progress: (m) => (m.payload.method === "SEH_SignData" ? [{ stage: "pinpad", done: 0, total: 1 }] : []), delay: 40 });
    const { window } = loadPage(OBJECT, { host });
    await tick(20);
    const { notices, texts } = noticeTexts(window);
    const p = window.eval(`new SEH_SignData("a", "com1", "", "0", "", "", "", "abc", "3", "0")`);
    await until(() => notices().length === 1);
    assert.match(texts()[0], /请在密码键盘上输入 PIN 码/);
    assert.equal(await new Promise((resolve, reject) => p.then(resolve, reject)), "sig(abc,3)");
    assert.equal(notices().length, 0, "the call ended without the host's done: the notice goes anyway");
  });

  it("removes the PIN pad notice on the host's done (1 of 1) for the call", async () => {
    const host = fakeHost({ progress: () => [{ stage: "pinpad", done: 0, total: 1 }, { stage: "pinpad", done: 1, total: 1 }], progressGap: 30, delay: 200 });
    const { window } = loadPage("", { host });
    await tick(20);
    const { notices } = noticeTexts(window);
    const call = window.UKeyLink.call("sign.cms", {});
    await until(() => notices().length === 1);
    await until(() => notices().length === 0, 150);
    await call;
  });
});
