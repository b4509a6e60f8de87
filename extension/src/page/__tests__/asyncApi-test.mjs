// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { SE_METHOD_NAMES } from "../../shared/seMethods.js";
import { OBJECT, WRONG_PIN, fakeHost, loadPage, tick, until } from "./harness.mjs";

const S = ["a", "com1", "1111", "0", "", "", ""];

describe("async page API (non-IE branch)", () => {
  it("defines UCCGetPluggedeKey and every SEH_/ESE_ constructor", () => {
    const { window } = loadPage("");
    assert.equal(window.eval("!!window.UCCGetPluggedeKey"), true);
    for (const name of SE_METHOD_NAMES) assert.equal(typeof window[name], "function", name);
    assert.equal(SE_METHOD_NAMES.length, 46);
  });

  it("new UCCGetPluggedeKey() resolves {DevPluggedTypeList}", async () => {
    const { window } = loadPage("");
    const r = await window.eval("new UCCGetPluggedeKey()");
    assert.equal(r.DevPluggedTypeList, "a$$1;a$$2;");
  });

  it("new SEH_SignData(7 session args, data, method, flag) is a thenable resolving the signature", async () => {
    const host = fakeHost();
    const { window } = loadPage("", { host });
    const p = window.eval(`new SEH_SignData("a", "com1", "1111", "0", "", "", "", "abc", "3", "0")`);
    assert.equal(typeof p.then, "function");
    const got = await new Promise((resolve, reject) => p.then(resolve, reject));
    assert.equal(got, "sig(abc,3)");
    assert.deepEqual(host.calls, [{ method: "SEH_SignData", args: ["abc", 3], session: [10, "com1", "1111", 0, 0, "", ""] }]);
  });

  it("rejects with LastError when the host answers an error code (wrong PIN)", async () => {
    const { window } = loadPage("");
    const err = await window.eval(`new SEH_InitialSession("a", "com1", "0000", "0", "a", "com1", "", "0")`).then(() => null, (e) => e);
    assert.equal(err.LastError, WRONG_PIN);
  });

  it("rejects with LastError for bad arguments without contacting the host", async () => {
    const host = fakeHost();
    const { window } = loadPage("", { host });
    for (const expr of [`new SEH_SignData("a")`, `new SEH_SignData("a","com1","","0","","","","d","three","0")`, `new ESE_GetCertDetail("","","","0","","","",{},"17","0")`]) {
      const err = await window.eval(expr).then(() => null, (e) => e);
      assert.equal(err.LastError, -2113664008, expr);
    }
    assert.equal(host.calls.length, 0);
  });

  it("rejects with the extension's LastError when the host is missing", async () => {
    const host = fakeHost();
    const real = host.api.runtime.sendMessage;
    host.api.runtime.sendMessage = async (m) => (m.action === "ukeylink:hello" ? real(m)
      : { ok: false, error: { code: "NATIVE_HOST_NOT_FOUND", lastError: -2113664001, message: "未安装 UKeyLink 本地程序", messageEn: "not installed" } });
    const { window, log } = loadPage("", { host });
    const err = await window.eval(`new SEH_GetSelfCertificate("a","com1","","0","","","","0")`).then(() => null, (e) => e);
    assert.equal(err.LastError, -2113664001);
    assert.equal(err.message, "未安装 UKeyLink 本地程序");
    assert.equal(err.stack, undefined);
    assert.ok(window.document.querySelector("ukeylink-notice"), "visible notice");
    assert.ok(log.errors.some((e) => e.includes("未安装")));
  });

  it("tells the user to type on the PIN pad while the host waits for it", async () => {
    const host = fakeHost();
    const { window } = loadPage(OBJECT, { host });
    await tick(20);
    const notice = () => window.document.querySelector("ukeylink-notice");
    host.push("event", { event: "progress", id: 3, stage: "download", done: 1, total: 9 });
    assert.equal(notice(), null, "other stages show nothing");
    host.push("event", { event: "progress", id: 4, stage: "pinpad", done: 0, total: 1 });
    await until(() => notice() !== null);
    assert.equal(notice().getAttribute("role"), "status");
    host.push("event", { event: "progress", id: 4, stage: "pinpad", done: 0, total: 1 });
    assert.equal(window.document.querySelectorAll("ukeylink-notice").length, 1, "one notice, not two");
    host.push("event", { event: "progress", id: 4, stage: "pinpad", done: 1, total: 1 });
    await until(() => notice() === null);
  });

  it("answers PEMEncode/PEMDecode/ShowVersion in the page", async () => {
    const host = fakeHost();
    const { window } = loadPage("", { host });
    assert.equal(await window.eval(`new SEH_PEMEncode(${JSON.stringify(S).slice(1, -1)}, "上海", "0")`), "5LiK5rW3");
    assert.equal(await window.eval(`new ESE_PEMDecode(${JSON.stringify(S).slice(1, -1)}, "5LiK5rW3", "0")`), "上海");
    const err = await window.eval(`new SEH_PEMDecode(${JSON.stringify(S).slice(1, -1)}, "***", "0")`).then(() => null, (e) => e);
    assert.equal(err.LastError, -2113667035);
    assert.match(await window.eval(`new SEH_ShowVersion(${JSON.stringify(S).slice(1, -1)})`), /UKeyLink test/);
    assert.equal(host.calls.length, 0);
  });

  it("forwards every non-local method through se.call", async () => {
    const host = fakeHost();
    const { window } = loadPage("", { host });
    const res = await window.eval(`Promise.all([
      new SEH_GetCertUniqueID("", "", "", "0", "", "", "", "MIIB", "0"),
      new ESE_VerifyCertificate("", "", "", "0", "", "", "", "MIIB", "0"),
      new SEH_ChangePassword("a", "com1", "", "0", "", "", "", "1111", "2222", "0"),
    ])`);
    assert.equal(res.length, 3);
    assert.deepEqual(host.calls.map((c) => [c.method, c.args]), [
      ["SEH_GetCertUniqueID", ["MIIB"]], ["ESE_VerifyCertificate", ["MIIB"]], ["SEH_ChangePassword", [10, "com1", "1111", "2222"]],
    ]);
  });
});
