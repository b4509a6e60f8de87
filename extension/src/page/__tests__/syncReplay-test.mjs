// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { SNAPSHOT } from "../../shared/__tests__/fixtures.mjs";
import { encodeSnapshotCookies } from "../../shared/snapshotCookie.js";
import { OBJECT, fakeHost, loadPage, tick, until } from "./harness.mjs";

const LOGIN_PAGE = `${OBJECT}
<form id="f" action="/login" method="post">
  <input id="pin" name="pin" value="1111">
  <input id="cert" name="cert"><input id="signed" name="signed"><input id="cn" name="cn"><input id="org" name="org">
  <button id="go" type="submit" onclick="return doLogin(event)">登录</button>
</form>
<script>
  var runs = 0, rnds = [], dates = [], targets = [];
  function doLogin(ev) {
    runs++;
    targets.push(ev.currentTarget && ev.currentTarget.id);
    var r = Math.random(); rnds.push(r);
    dates.push(new Date().getTime());
    SafeEngineCtl.SEH_InitialSession(0xa, "com1", document.getElementById("pin").value, 0, 0xa, "com1", "");
    if (SafeEngineCtl.ErrorCode != 0) { alert("私钥密码错误"); SafeEngineCtl.SEH_ClearSession(); return false; }
    SafeEngineCtl.SEH_SetConfiguration(0);
    var cert = SafeEngineCtl.SEH_GetSelfCertificate(0xa, "com1", "");
    document.getElementById("cn").value = SafeEngineCtl.SEH_GetCertDetail(cert, 17);
    document.getElementById("org").value = SafeEngineCtl.SEH_GetCertInfoByOID(cert, "1.2.156.10260.4.1.4");
    var sig = SafeEngineCtl.SEH_SignData("challenge-" + r, 3);
    document.getElementById("cert").value = cert;
    document.getElementById("signed").value = sig;
    SafeEngineCtl.SEH_ClearSession();
    return true;
  }
</script>`;

/** Loads a page and waits until the snapshot has arrived. */
async function ready(html, opts = {}) {
  const p = loadPage(html, opts);
  if (!opts.noWait) await until(() => p.page.store.snapshot !== null || p.page.store.error !== null);
  return p;
}

describe("sync page API: SafeEngineCtl object", () => {
  it("is active only for the SafeEngine CLSID (also for objects created in script)", async () => {
    const { window } = await ready(`${OBJECT}<object id="other" classid="CLSID:00000000-0000-0000-0000-000000000000"></object>`);
    assert.equal(typeof window.SafeEngineCtl.SEH_SignData, "function");
    assert.equal(window.SafeEngineCtl.ErrorCode, 0);
    assert.equal(window.SafeEngineCtl.errorCode, 0);
    assert.throws(() => window.other.SEH_SignData("x", 3), /not a function/);
    assert.equal(window.other.ErrorCode, undefined);
    const made = window.eval(`var o = document.createElement("object"); o.classid = "clsid:{b48b9648-e9f0-48a3-90a5-8c588ce0898f}"; o`);
    assert.equal(made.SEH_GetSelfCertificate(10, "com1", ""), "MIIBfirst");
  });

  it("answers read-only calls synchronously from the snapshot (no host call)", async () => {
    const host = fakeHost();
    const { window } = await ready(OBJECT, { host });
    const ctl = window.SafeEngineCtl;
    const cert = ctl.SEH_GetSelfCertificate(10, "com1", "");
    assert.equal(cert, "MIIBfirst");
    assert.equal(ctl.SEH_GetCertDetail(cert, 17), "张三");
    assert.equal(ctl.SEH_GetCertDetail(cert, 14), "上海测试有限公司");
    assert.equal(ctl.SEH_GetCertInfoByOID(cert, "1.2.156.10260.4.1.4"), "91310000MA1234567X");
    assert.equal(ctl.SEH_GetCertUniqueID(cert), "SH0001");
    assert.equal(ctl.SEH_GetCertValidDate(cert), 42);
    assert.equal(ctl.ESE_GetDeviceList(), "a$$1;a$$2;");
    assert.equal(ctl.SEH_GetCertInfoByOID(cert, "1.2.156.10260.4.1.5"), "");
    assert.equal(ctl.ErrorCode, -2113667021);
    assert.equal(ctl.SEH_PEMEncode("ab"), "YWI=");
    assert.equal(ctl.ErrorCode, 0);
    assert.equal(ctl.SEH_SignData("too few"), "");
    assert.equal(ctl.ErrorCode, -2113664008, "too few arguments");
    assert.equal(host.calls.length, 0);
  });

  it("answers from the snapshot cookies in top-level inline scripts (before any async message)", () => {
    const cookies = encodeSnapshotCookies(SNAPSHOT).map((c) => `${c.name}=${c.value}`);
    const page = `${OBJECT}<script>
      var early = SafeEngineCtl.SEH_GetSelfCertificate(0xa, "com1", "");
      var earlyCn = SafeEngineCtl.SEH_GetCertDetail(early, 17);
    </script>`;
    const full = loadPage(page, { host: fakeHost({ delay: 200 }), cookies });
    assert.equal(full.window.early, "MIIBfirst");
    assert.equal(full.window.earlyCn, "张三");
    const partial = loadPage(page, { host: fakeHost({ delay: 200 }), cookies: cookies.slice(0, 1) });
    assert.equal(partial.window.early, "", "an incomplete cookie set is ignored");
  });

  it("answers 'no device' at parse time when there is no snapshot yet, with a console warning", () => {
    const { window, log } = loadPage(`${OBJECT}<script>var c = SafeEngineCtl.SEH_GetSelfCertificate(0xa, "com1", ""); var e = SafeEngineCtl.ErrorCode;</script>`, { host: fakeHost({ delay: 100 }) });
    assert.equal(window.c, "");
    assert.equal(window.e, -2113667070);
    assert.ok(!window.document.querySelector("ukeylink-notice"));
    assert.equal(log.submits.length, 0);
  });

  it("reports a token call outside a replayable context visibly and with an error code", async () => {
    const host = fakeHost();
    const { window, log } = await ready(`${OBJECT}<script>var s = SafeEngineCtl.SEH_SignData("x", 3); var e = SafeEngineCtl.ErrorCode;</script>`, { host });
    assert.equal(window.s, "");
    assert.equal(window.e, -2113664011);
    assert.ok(window.document.querySelector("ukeylink-notice"), "visible notice");
    assert.ok(log.errors.some((m) => m.includes("not replayable")));
    assert.equal(host.calls.length, 0);
  });
});

describe("suspend and replay", () => {
  it("an onclick login: suspends, runs the token operations, replays the same handler, then submits", async () => {
    const host = fakeHost();
    const finished = [];
    const { window, log } = await ready(LOGIN_PAGE, { host, engineOptions: { onFinish: (run) => finished.push(run) } });
    window.document.getElementById("go").click();
    assert.equal(log.submits.length, 0, "default action held while suspended");
    await until(() => log.submits.length === 1);
    assert.equal(window.runs, 3, "first run + one replay per token operation");
    assert.deepEqual(host.calls.map((c) => c.method), ["SEH_InitialSession", "SEH_SetConfiguration", "SEH_SignData", "SEH_ClearSession"]);
    assert.equal(new Set(window.rnds).size, 1, "Math.random journaled");
    assert.equal(new Set(window.dates).size, 1, "Date journaled");
    assert.deepEqual([...window.targets], ["go", "go", "go"], "currentTarget restored on replay");
    const r = window.rnds[0];
    assert.deepEqual(log.submits[0], { pin: "1111", cert: "MIIBfirst", signed: `sig(challenge-${r},3)`, cn: "张三", org: "91310000MA1234567X" });
    assert.equal(window.SafeEngineCtl.ErrorCode, 0);
    assert.equal(finished.length, 1);
    assert.equal(finished[0].journal.length, 0, "journal wiped (it held the PIN)");
    assert.equal(finished[0].calls.length, 0);
    assert.equal(window.eval("Math.random()") === r, false);
  });

  it("a wrong PIN: the handler sees ErrorCode, alerts once, posts nothing", async () => {
    const host = fakeHost();
    const { window, log } = await ready(LOGIN_PAGE, { host });
    window.document.getElementById("pin").value = "0000";
    window.document.getElementById("go").click();
    await until(() => host.calls.length === 2);
    await tick(30);
    assert.deepEqual(log.alerts, ["私钥密码错误"]);
    assert.equal(log.submits.length, 0);
    assert.deepEqual(host.calls.map((c) => c.method), ["SEH_InitialSession", "SEH_ClearSession"]);
    window.eval("SafeEngineCtl.SEH_InitialSession(10, 'com1', '0000', 0, 10, 'com1', '')");
    assert.equal(window.SafeEngineCtl.ErrorCode, -2113664011, "outside a handler: not replayable, never a false success");
  });

  it("journals dialogs: an alert before the token call shows once", async () => {
    const host = fakeHost();
    const { window, log } = await ready(`${OBJECT}<button id="b" onclick="alert('开始'); var ok = confirm('继续?'); window.sig = SafeEngineCtl.SEH_SignData('d', 3); alert('完成 ' + ok);">x</button>`, { host });
    window.document.getElementById("b").click();
    await until(() => window.sig !== undefined);
    assert.deepEqual(log.alerts, ["开始", "完成 true"]);
    assert.deepEqual(log.confirms, ["继续?"]);
    assert.equal(window.sig, "sig(d,3)");
  });

  it("dooms the rest of a suspended run even when the page swallows the signal", async () => {
    const host = fakeHost();
    const page = `${OBJECT}<form id="f"><input name="sig" id="sig"></form>
      <button id="b" onclick="var s = ''; try { s = SafeEngineCtl.SEH_SignData('d', 3); } catch (e) {} document.getElementById('sig').value = s; document.getElementById('f').submit();">x</button>
      <button id="c" onclick="try { SafeEngineCtl.SEH_SignData('e', 3); } catch (e) { window.leaked = String(e) + e.message; }">y</button>`;
    const { window, log } = await ready(page, { host });
    window.document.getElementById("b").click();
    assert.equal(log.submits.length, 0, "no empty post from the suspended run");
    await until(() => log.submits.length === 1);
    assert.deepEqual(log.submits, [{ sig: "sig(d,3)" }]);
    window.document.getElementById("c").click();
    assert.equal(window.leaked, undefined, "reading the signal in the suspended run rethrows");
    await until(() => host.calls.length === 2);
    await tick(30);
    assert.equal(window.leaked, undefined);
    assert.ok(!log.errors.some((m) => m.includes("waiting for the USB key")), "signal swallowed, not reported as an error");
  });

  it("replays addEventListener listeners (function and handleEvent object) and removes them", async () => {
    const host = fakeHost();
    const { window } = await ready(`${OBJECT}<button id="b">x</button><script>
      var got = [];
      var f = function (ev) { got.push("f:" + SafeEngineCtl.SEH_SignData("f", 3) + ":" + (this === ev.currentTarget)); };
      var o = { handleEvent: function (ev) { got.push("o:" + SafeEngineCtl.SEH_Digest("o", 3) + ":" + (this === o)); } };
      document.getElementById("b").addEventListener("click", f);
      document.getElementById("b").addEventListener("click", o);
    </script>`, { host });
    window.document.getElementById("b").click();
    await until(() => window.got.length === 2);
    assert.deepEqual([...window.got].sort(), ["f:sig(f,3):true", "o::true"]);
    window.eval(`document.getElementById("b").removeEventListener("click", f); document.getElementById("b").removeEventListener("click", o);`);
    window.document.getElementById("b").click();
    await tick(30);
    assert.equal(window.got.length, 2, "removed");
  });

  it("replays timers and javascript: URLs", async () => {
    const host = fakeHost();
    const { window } = await ready(`${OBJECT}<a id="a" href="javascript:window.viaUrl = SafeEngineCtl.SEH_SignData('u', 3)">sign</a>
      <script>setTimeout(function (x) { window.viaTimer = SafeEngineCtl.SEH_SignData('t', x); }, 1, 3);</script>`, { host });
    await until(() => window.viaTimer !== undefined);
    assert.equal(window.viaTimer, "sig(t,3)");
    window.document.getElementById("a").click();
    await until(() => window.viaUrl !== undefined);
    assert.equal(window.viaUrl, "sig(u,3)");
  });

  it("waits for the snapshot in a replayable context when it has not arrived (onload)", async () => {
    const host = fakeHost({ delay: 40 });
    const { window } = loadPage(`${OBJECT}<script>window.onload = function () { window.loadedCert = SafeEngineCtl.SEH_GetSelfCertificate(0xa, "com1", ""); window.loadedCode = SafeEngineCtl.ErrorCode; };</script>`, { host });
    await until(() => window.loadedCert !== undefined);
    assert.equal(window.loadedCert, "MIIBfirst");
    assert.equal(window.loadedCode, 0);
  });

  it("gives up after the run cap with a visible notice and wipes the journal", async () => {
    const host = fakeHost({ delay: 1 });
    const gaveUp = [];
    const finished = [];
    const { window } = await ready(`${OBJECT}<button id="b" onclick="for (var i = 0; i < 12; i++) SafeEngineCtl.SEH_SignData('d' + i, 3); window.done = true;">x</button>`,
      { host, engineOptions: { onGiveUp: (r) => gaveUp.push(r.runs), onFinish: (r) => finished.push(r) } });
    window.document.getElementById("b").click();
    await until(() => gaveUp.length === 1);
    assert.deepEqual(gaveUp, [8]);
    assert.equal(window.done, undefined, "never completed with wrong data");
    assert.equal(host.calls.length, 8);
    assert.ok(window.document.querySelector("ukeylink-notice"));
    assert.equal(finished[0].journal.length + finished[0].calls.length, 0);
  });

  it("a page that prevents the default on replay keeps the form unsubmitted", async () => {
    const host = fakeHost();
    const { window, log } = await ready(`${OBJECT}<form id="f"><button id="go">go</button></form>
      <script>document.getElementById("f").addEventListener("submit", function (ev) { window.s = SafeEngineCtl.SEH_SignData("x", 3); ev.preventDefault(); window.prevented = ev.defaultPrevented; });</script>`, { host });
    window.document.getElementById("go").click();
    await until(() => window.s !== undefined);
    await tick(20);
    assert.equal(window.prevented, true);
    assert.equal(log.submits.length, 0);
  });

  it("does not resend a fire-and-forget call on replay", async () => {
    const host = fakeHost();
    const { window } = await ready(`${OBJECT}<button id="b" onclick="SafeEngineCtl.SEH_ClearSession(); SafeEngineCtl.SEH_InitialSession(10,'com1','1111',0,10,'com1',''); window.s = SafeEngineCtl.SEH_SignData('x', 3);">x</button>`, { host });
    window.document.getElementById("b").click();
    await until(() => window.s !== undefined);
    assert.deepEqual(host.calls.map((c) => c.method), ["SEH_ClearSession", "SEH_InitialSession", "SEH_SignData"]);
  });
});
