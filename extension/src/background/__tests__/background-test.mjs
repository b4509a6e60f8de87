// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { SNAPSHOT } from "../../shared/__tests__/fixtures.mjs";
import { decodeSnapshotCookies } from "../../shared/snapshotCookie.js";
import { createBackground } from "../background.js";
import { computeBadge } from "../services/BadgeService.js";
import { POPUP, fakeApi, tabSender } from "./fakeApi.mjs";
import { scriptedHost } from "./fakePort.mjs";

const PORTAL = "https://issp.sheca.com/login.jsp";
const WRONG_PIN = -2113667069;

/** A host that answers se.call/se.snapshot/token.* like the real one would. */
const host = scriptedHost((msg, port) => {
  const ok = (result) => port.emit({ id: msg.id, result });
  switch (msg.method) {
    case "se.snapshot": return ok(SNAPSHOT);
    case "se.call":
      if (msg.params.method.endsWith("InitialSession")) return ok({ value: "", errorCode: msg.params.args[2] === "1111" ? 0 : WRONG_PIN });
      return ok({ value: `signed:${msg.params.args[0]}`, errorCode: 0 });
    case "token.list": return ok({ tokens: [{ token: "t1", label: "SHECA" }] });
    case "cert.list": return ok({ certs: [{ token: "t1", certId: "01", der: "MIIB", subject: { CN: "张三", O: "上海测试有限公司" }, serial: "0A", notBefore: "2025-01-01", notAfter: "2026-12-01", daysLeft: 5 }] });
    case "token.login":
      return msg.params.pin === "1111" ? ok({}) : port.emit({ id: msg.id, error: { code: WRONG_PIN, name: "PIN_INCORRECT", message: "私钥密码错误", message_en: "Incorrect PIN", retriesLeft: 2 } });
    case "token.logout": return ok({});
    case "enroll.begin": return ok({ txn: "1" });
    default: return port.emit({ id: msg.id, error: { code: -1, name: "UNKNOWN_METHOD", message: "x" } });
  }
});

const msg = (action, payload) => ({ action: `ukeylink:${action}`, payload });

describe("background router", () => {
  it("forwards an async SafeEngine call with the origin from the sender record", async () => {
    const api = fakeApi(host);
    const { handle } = createBackground(api);
    const r = await handle(msg("se.call", { method: "SEH_SignData", args: ["abc", "3"], session: ["a", "com1", "1111", "0", "", "", ""], origin: "https://evil.example" }), tabSender(PORTAL));
    assert.equal(r.ok, false, "unknown payload member refused");
    const r2 = await handle(msg("se.call", { method: "SEH_SignData", args: ["abc", "3"], session: ["a", "com1", "1111", "0", "", "", ""] }), tabSender(PORTAL));
    assert.deepEqual(r2, { ok: true, result: { value: "signed:abc", errorCode: 0 } });
    const sent = api.state.ports[0].sent.at(-1);
    assert.deepEqual(sent.params, { method: "SEH_SignData", args: ["abc", 3], session: [10, "com1", "1111", 0, 0, "", ""] });
    assert.equal(sent.origin, "https://issp.sheca.com");
  });

  const refused = [
    ["an origin that is not enabled", msg("se.call", { method: "SEH_SignData", args: ["a", 3] }), tabSender("https://evil.example/")],
    ["a sub-frame", msg("se.snapshot", {}), tabSender(PORTAL, 1, 3)],
    ["another extension", msg("se.snapshot", {}), { ...tabSender(PORTAL), id: "other" }],
    ["a page asking for a ui action", msg("ui.verifyPin", { token: "t1", pin: "1111" }), tabSender(PORTAL)],
    ["the popup asking for a page action", msg("se.snapshot", {}), POPUP],
    ["an unknown action", msg("host.exec", {}), tabSender(PORTAL)],
    ["an unprefixed action", { action: "se.snapshot", payload: {} }, tabSender(PORTAL)],
    ["http on the portal host", msg("se.snapshot", {}), tabSender("http://issp.sheca.com/")],
  ];
  for (const [name, m, sender] of refused) {
    it(`refuses ${name}`, async () => {
      const api = fakeApi(host);
      const { handle } = createBackground(api);
      const r = await handle(m, sender);
      assert.equal(r.ok, false);
      assert.ok(["ORIGIN_NOT_ALLOWED", "INVALID_ARGUMENT"].includes(r.error.code), r.error.code);
      assert.equal(api.state.ports.length, 0, "the host was not contacted");
      assert.equal(r.error.stack, undefined);
    });
  }

  it("allows the portal API only on portal origins, and origins from policy", async () => {
    const api = fakeApi(host, { managed: { extraOrigins: ["https://gov.example.cn", "https://*.bad.cn"], portalOrigins: ["https://127.0.0.1:8443"] } });
    const { handle } = createBackground(api);
    const call = msg("portal.call", { method: "enroll.begin", params: {} });
    assert.deepEqual(await handle(call, tabSender(PORTAL)), { ok: true, result: { txn: "1" } });
    assert.deepEqual(await handle(call, tabSender("https://127.0.0.1:8443/x", 2)), { ok: true, result: { txn: "1" } });
    assert.equal((await handle(call, tabSender("https://127.0.0.1:9999/x", 3))).error.code, "ORIGIN_NOT_ALLOWED");
    const gov = await handle(call, tabSender("https://gov.example.cn/a", 4));
    assert.equal(gov.error.code, "ORIGIN_NOT_ALLOWED");
    assert.equal((await handle(msg("se.snapshot", {}), tabSender("https://gov.example.cn/a", 4))).ok, true);
  });

  it("serves the snapshot, sets the snapshot cookies and the expiry badge", async () => {
    const api = fakeApi(host);
    const { handle } = createBackground(api);
    const r = await handle(msg("se.snapshot", {}), tabSender(PORTAL));
    assert.deepEqual(r.result, SNAPSHOT);
    const jar = [...api.state.cookies.values()].filter((c) => c.url === "https://issp.sheca.com/").map((c) => `${c.name}=${c.value}`).join("; ");
    assert.deepEqual(decodeSnapshotCookies(jar), SNAPSHOT);
    for (const c of api.state.cookies.values()) {
      assert.equal(c.secure, true);
      assert.equal(c.sameSite, "strict");
    }
    assert.equal(api.state.badge.text, "!");
  });

  it("hello ends the tab's previous host session and tells whether the portal API applies", async () => {
    const api = fakeApi(host, { managed: { extraOrigins: ["https://gov.example.cn"] } });
    const { handle } = createBackground(api);
    await handle(msg("se.snapshot", {}), tabSender(PORTAL));
    assert.deepEqual((await handle(msg("hello", {}), tabSender(PORTAL))).result, { portal: true, version: "0.1.0", helpUrl: "https://issp.sheca.com/" });
    assert.ok(api.state.ports[0].disconnected);
    assert.deepEqual((await handle(msg("hello", {}), tabSender("https://gov.example.cn/", 2))).result, { portal: false, version: "0.1.0", helpUrl: "https://issp.sheca.com/" });
  });

  it("keeps one host process per tab", async () => {
    const api = fakeApi(host);
    const { handle } = createBackground(api);
    await handle(msg("se.snapshot", {}), tabSender(PORTAL, 1));
    await handle(msg("se.snapshot", {}), tabSender(PORTAL, 1));
    await handle(msg("se.snapshot", {}), tabSender(PORTAL, 2));
    assert.equal(api.state.ports.length, 2);
  });

  it("fans host events out to the tab and refreshes its snapshot on insert/remove", async () => {
    const api = fakeApi(host);
    const { handle } = createBackground(api);
    await handle(msg("se.snapshot", {}), tabSender(PORTAL, 7));
    api.state.ports[0].emit({ event: "token.removed", reader: "r" });
    await new Promise((r) => setTimeout(r, 20));
    const kinds = api.state.pushed.map((p) => [p.tabId, p.msg.type, p.msg.kind, p.opts.frameId]);
    assert.deepEqual(kinds, [[7, "ukeylink:push", "event", 0], [7, "ukeylink:push", "snapshot", 0]]);
  });

  it("sends a page call's progress to its tab under the content script's call number, never the host id", async () => {
    const progressHost = scriptedHost((m, port) => {
      port.emit({ event: "progress", id: m.id, done: 1, total: 4, stage: "upload" });
      port.emit({ event: "progress", id: m.id, done: 9, total: 4, stage: "upload" }); // bad: dropped
      port.emit({ event: "progress", id: 4242, done: 2, total: 4, stage: "upload" }); // no such request: a host event
      port.emit({ event: "progress", id: m.id, done: 0, total: 1, stage: "pinpad" });
      port.emit({ id: m.id, result: m.method === "se.call" ? { value: "v", errorCode: 0 } : { ok: 1 } });
    });
    const api = fakeApi(progressHost);
    const { handle } = createBackground(api);
    const portal = { ...msg("portal.call", { method: "sign.cms", params: { data: "AA" } }), call: 1099511627776 };
    assert.deepEqual(await handle(portal, tabSender(PORTAL, 7)), { ok: true, result: { ok: 1 } });
    const se = { ...msg("se.call", { method: "SEH_SignData", args: ["abc", "3"] }), call: 5 };
    assert.deepEqual(await handle(se, tabSender(PORTAL, 7)), { ok: true, result: { value: "v", errorCode: 0 } });
    // without a call number: nobody listens
    assert.equal((await handle(msg("portal.call", { method: "sign.cms", params: {} }), tabSender(PORTAL, 7))).ok, true);
    const hostIds = api.state.ports[0].sent.map((m) => m.id);
    const pushed = api.state.pushed.map((p) => [p.tabId, p.msg.kind, p.msg.data, p.opts.frameId]);
    assert.deepEqual(pushed, [
      [7, "progress", { call: 1099511627776, stage: "upload", done: 1, total: 4 }, 0],
      [7, "event", { event: "progress", id: 4242, stage: "upload", done: 2, total: 4 }, 0],
      [7, "progress", { call: 1099511627776, stage: "pinpad", done: 0, total: 1 }, 0],
      [7, "progress", { call: 5, stage: "upload", done: 1, total: 4 }, 0],
      [7, "event", { event: "progress", id: 4242, stage: "upload", done: 2, total: 4 }, 0],
      [7, "progress", { call: 5, stage: "pinpad", done: 0, total: 1 }, 0],
      [7, "event", { event: "progress", id: 4242, stage: "upload", done: 2, total: 4 }, 0],
    ]);
    for (const p of pushed.filter((x) => x[1] === "progress")) assert.ok(!Object.hasOwn(p[2], "id"));
    assert.deepEqual(hostIds, [1, 2, 3, 4], "the host ids are the service's own");
  });

  it("refuses a call number that is not a safe integer ≥ 0", async () => {
    const api = fakeApi(host);
    const { handle } = createBackground(api);
    for (const call of [-1, 1.5, "3", null, 2 ** 53, {}]) {
      const r = await handle({ ...msg("portal.call", { method: "token.list", params: {} }), call }, tabSender(PORTAL));
      assert.equal(r.error?.code, "INVALID_ARGUMENT", JSON.stringify(call));
    }
    assert.equal(api.state.ports.length, 0, "the host was not contacted");
  });

  it("refuses PIN-bearing calls after repeated wrong PINs from one tab", async () => {
    const api = fakeApi(host);
    const { handle } = createBackground(api);
    const bad = msg("se.call", { method: "SEH_InitialSession", args: ["a", "com1", "0000", "0", "a", "com1", ""] });
    for (let i = 0; i < 5; i++) {
      const r = await handle(bad, tabSender(PORTAL));
      assert.equal(r.result.errorCode, WRONG_PIN);
    }
    assert.equal((await handle(bad, tabSender(PORTAL))).error.code, "RATE_LIMITED");
    const good = msg("se.call", { method: "SEH_InitialSession", args: ["a", "com1", "1111", "0", "a", "com1", ""] });
    assert.equal((await handle(good, tabSender(PORTAL))).error.code, "RATE_LIMITED");
    assert.equal((await handle(good, tabSender(PORTAL, 2))).result.errorCode, 0, "other tabs are not affected");
    assert.equal((await handle(msg("se.call", { method: "SEH_SignData", args: ["x", 3] }), tabSender(PORTAL))).ok, true, "PIN-less calls go on");
  });

  it("popup: status, verify PIN (wrong PIN keeps the host's code), diagnostics and logs without PINs", async () => {
    const api = fakeApi(host, { managed: { logLevel: "debug" } });
    const logged = [];
    const sink = Object.fromEntries(["error", "warn", "info", "debug"].map((l) => [l, (...a) => logged.push([l, ...a])]));
    const { handle } = createBackground(api, sink);
    const st = await handle(msg("ui.status", { siteUrl: "https://gov.example.cn/page" }), POPUP);
    assert.equal(st.ok, true);
    assert.deepEqual(st.result.certs[0], { token: "t1", certId: "01", cn: "张三", o: "上海测试有限公司", serial: "0A", notBefore: "2025-01-01", notAfter: "2026-12-01", daysLeft: 5 });
    assert.deepEqual(st.result.site, { origin: "https://gov.example.cn", enabled: false, source: null, canToggle: true });
    assert.equal(api.state.ports[0].sent[1].origin, "ukeylink:ui");
    assert.deepEqual(await handle(msg("ui.verifyPin", { token: "t1", pin: "1111" }), POPUP), { ok: true, result: { ok: true } });
    const wrong = await handle(msg("ui.verifyPin", { token: "t1", pin: "9999" }), POPUP);
    assert.equal(wrong.error.lastError, WRONG_PIN);
    assert.equal(wrong.error.retriesLeft, 2);
    const d = await handle(msg("ui.diagnostics", {}), POPUP);
    assert.doesNotMatch(JSON.stringify(logged), /9999|1111/, "no PIN in logs");
    assert.ok(logged.some((l) => l[0] === "warn" && l.includes("HOST_ERROR")));
    assert.match(d.result.text, /host: ukeylink-host 0\.1\.0/);
    assert.match(d.result.text, /ui\.verifyPin token\.login|HOST_ERROR/);
    assert.doesNotMatch(d.result.text, /9999|1111/);
  });

  it("popup: enables and revokes a site, registering the content scripts without a port", async () => {
    const api = fakeApi(host);
    const { handle, ctx } = createBackground(api);
    const r = await handle(msg("ui.setSiteEnabled", { origin: "https://gov.example.cn", enabled: true }), POPUP);
    assert.equal(r.ok, true);
    assert.deepEqual(api.state.registered.map((s) => [s.id, s.world, s.matches, s.runAt]), [
      ["ukeylink-content", "ISOLATED", ["https://gov.example.cn/*"], "document_start"],
      ["ukeylink-page", "MAIN", ["https://gov.example.cn/*"], "document_start"],
    ]);
    assert.ok(ctx.policy.isAllowed("https://gov.example.cn"));
    await handle(msg("ui.setSiteEnabled", { origin: "https://gov.example.cn", enabled: false }), POPUP);
    assert.deepEqual(api.state.registered, []);
    for (const bad of [{ origin: "http://gov.example.cn", enabled: true }, { origin: "https://issp.sheca.com", enabled: false }, { origin: "https://a.cn/*", enabled: true }]) {
      assert.equal((await handle(msg("ui.setSiteEnabled", bad), POPUP)).error.code, "INVALID_ARGUMENT");
    }
  });

  it("registers policy origins (http allowed when listed, ports dropped from patterns) and re-registers only on change", async () => {
    const api = fakeApi(host, { managed: { extraOrigins: ["https://127.0.0.1:8443", "http://10.0.0.1:8080", "https://issp.sheca.com"] } });
    const { ctx } = createBackground(api);
    await ctx.policy.load();
    assert.deepEqual(await ctx.policy.syncRegistrations(), ["http://10.0.0.1/*", "https://127.0.0.1/*"]);
    const before = api.state.registered;
    await ctx.policy.syncRegistrations();
    assert.equal(api.state.registered, before, "unchanged list: no re-registration");
    assert.ok(ctx.policy.isAllowed("https://127.0.0.1:8443"));
    assert.ok(!ctx.policy.isAllowed("https://127.0.0.1:8444"));
  });

  it("reports a missing host as NATIVE_HOST_NOT_FOUND to pages and the popup", async () => {
    const api = fakeApi((m, port) => { api.runtime.lastError = { message: "Specified native messaging host not found." }; port.hostExit(); });
    const { handle } = createBackground(api);
    const r = await handle(msg("se.snapshot", {}), tabSender(PORTAL));
    assert.equal(r.error.code, "NATIVE_HOST_NOT_FOUND");
    assert.equal(r.error.lastError, -2113664001);
    const st = await handle(msg("ui.status", {}), POPUP);
    assert.equal(st.result.error.code, "NATIVE_HOST_NOT_FOUND");
    assert.match(st.result.error.message, /未安装/);
  });
});

describe("computeBadge", () => {
  const cases = [
    [[], ""], [[400], ""], [[91], ""], [[90], "90"], [[200, 12], "12"], [[0], "0"], [[-1, 50], "!"],
  ];
  for (const [days, text] of cases) {
    it(`${JSON.stringify(days)} → "${text}"`, () => assert.equal(computeBadge(days).text, text));
  }
});
