// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink authors
// The user-visible flows, written once for both browsers. Each step prints
// a line and writes a screenshot; each flow asserts what the server saw and
// what is on the key afterwards.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { PIN } from "./world.mjs";

const SEAL_PNG = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "portal", "public", "seal-demo.png");
const ORG_CODE = "91310000MA1K000017";
const ORG = "上海UKeyLink演示有限公司";

/**
 * The big document's bytes, the same formula in the page and here (and in
 * tests/unit/test_token.c test_cms_20mib): byte i = (i · 2654435761 mod 2^32) >> 24.
 */
export function bigDocument(size) {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) b[i] = Math.imul(i, 0x9E3779B1) >>> 24;
  return b;
}

const MIB = 1024 * 1024;
const sha256 = (b) => crypto.createHash("sha256").update(b).digest("hex");

/** Peak and current RSS (KiB) of a process, from /proc (null once it has exited). */
function procMem(pid) {
  try {
    const st = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const kib = (k) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, "m").exec(st)?.[1]);
    return { hwm: kib("VmHWM"), rss: kib("VmRSS") };
  } catch { return null; }
}

function sameSerial(a, b) {
  const n = (s) => String(s || "").toUpperCase().replace(/[^0-9A-F]/g, "").replace(/^0+/, "");
  return n(a) === n(b);
}

export class Flows {
  constructor({ world, session, log }) {
    this.w = world;
    this.s = session;
    this.log = log;
    this.pin = PIN;
  }

  get origin() { return this.w.origin; }

  /** Waits for sel to show, failing at once when the page reports an error. */
  async visibleOrError(tab, sel, timeout = 30_000) {
    const r = await tab.until(`${sel} or an error`, (sel) => {
      const st = document.getElementById("status");
      if (st && st.getAttribute("data-state") === "error") return { error: st.textContent };
      const e = document.querySelector(sel);
      return e && !e.closest("[hidden]") ? { ok: true } : false;
    }, sel, timeout);
    if (r.error) throw new Error(`the page reports: ${r.error}`);
  }

  async step(tab, name, what) {
    const file = await tab.shot(name);
    this.log(`  ✓ ${what}${file ? `  [${path.basename(file)}]` : ""}`);
  }

  events(type) { return this.w.portal.events.filter((e) => e.type === type); }

  /** Certificates on the key, through the portal API in the page. */
  async keyCerts(tab) {
    const r = await tab.uk("cert.list", {});
    if (r.error) throw new Error("cert.list failed: " + r.error);
    return r.result.certs;
  }

  async keySeals(tab, token) {
    const r = await tab.uk("seal.list", { token });
    if (r.error) throw new Error("seal.list failed: " + r.error);
    return r.result.seals;
  }

  /** Portal login (both styles); ends on /<style>/<next>. */
  async portalLogin(tab, style, next, pin = this.pin) {
    await tab.goto(`${this.origin}/${style}/login?next=${next}`);
    await tab.fill("#pin", pin);
    await this.step(tab, `${next}-login-${style}`, `${style} login page for ${next}, PIN entered`);
    const before = this.events("login").length;
    await tab.click("#login");
    await tab.until(`login to ${next}`, ({ next, style }) => {
      const st = document.getElementById("status");
      if (st && st.getAttribute("data-state") === "error") return "error: " + st.textContent;
      return location.pathname === `/${style}/${next}` && document.readyState === "complete" ? "ok" : false;
    }, { next, style }, 60_000).then((r) => {
      if (r !== "ok") throw new Error(`portal login (${style}) failed on the page: ${r}`);
    });
    assert.equal(this.events("login").length, before + 1, "the server accepted one login");
    await this.step(tab, `${next}-loggedin-${style}`, `logged in (${style}); server verified the signature and the chain`);
  }

  // ---- 1. government-site login ------------------------------------
  async govLogin(style, pin = this.pin, origin = this.origin) {
    const tab = await this.s.newTab();
    try {
      await tab.goto(`${origin}/gov/${style}/`);
      if (origin !== this.origin) {
        // an origin added by policy: the extension registers its scripts for it once it has read managed storage
        const t0 = Date.now();
        while (!(await tab.eval(() => !!window.UCCGetPluggedeKey))) {
          if (Date.now() - t0 > 120_000)
            throw new Error(`the extension did not inject into ${origin} (added by managed policy) within 120 s`);
          await new Promise((r) => setTimeout(r, 2000));
          await tab.goto(`${origin}/gov/${style}/`);
        }
        this.log(`  ✓ page APIs present on ${origin} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      }
      await tab.fill("#password", pin);
      await this.step(tab, `gov-${style}-form`, `gov login page (${style} style), PIN entered`);
      const before = this.events("gov-login").length;
      await tab.click("#btnLogin");
      const r = await tab.until("gov login result", () => {
        const res = document.getElementById("result");
        if (res) return { ok: res.getAttribute("data-ok"), text: document.body.innerText };
        const m = document.getElementById("msg");
        return m && m.textContent ? { ok: "page-error", text: m.textContent } : false;
      }, null, 60_000);
      await this.step(tab, `gov-${style}-result`, `gov login result: ${r.ok === "true" ? "登录成功" : r.text.slice(0, 80)}`);
      assert.equal(r.ok, "true", `gov login (${style}) failed: ${r.text}\ndialogs: ${tab.dialogs.join(" | ")}`);
      assert.equal(await tab.text("#org"), ORG);
      assert.equal(await tab.text("#org-code"), ORG_CODE);
      const ev = this.events("gov-login");
      assert.equal(ev.length, before + 1);
      assert.equal(ev.at(-1).style, style);
      return r;
    } finally { await tab.close(); }
  }

  /** A wrong PIN is refused with 私钥密码错误 and nothing is posted. */
  async govWrongPin(style) {
    const tab = await this.s.newTab();
    try {
      await tab.goto(`${this.origin}/gov/${style}/`);
      await tab.fill("#password", "00000000");
      const before = this.events("gov-login").length + this.events("gov-login-failed").length;
      await tab.click("#btnLogin");
      const msg = await tab.until("wrong-PIN message", () => {
        const m = document.getElementById("msg");
        return m && m.textContent ? m.textContent : false;
      }, null, 60_000);
      await this.step(tab, `gov-${style}-wrongpin`, `wrong PIN refused: ${msg}`);
      assert.match(msg, /-2113667069|私钥密码错误|-2113662966|锁定/);
      assert.equal(this.events("gov-login").length + this.events("gov-login-failed").length, before, "nothing posted");
      return msg;
    } finally { await tab.close(); }
  }

  // ---- 9. a 20 MiB document signed as attached PKCS#7 --------------------
  /**
   * The portal page logs in through window.UKeyLink and signs a document of
   * `size` bytes made in the page with sign.cms (attached): page → content
   * script → background → native port (one ~27 MiB request) and back as
   * ~27 chunks reassembled by the background. The CMS is then verified here
   * with the openssl command against the replica's root, its content
   * compared with the same bytes made here, and its DER checked canonical.
   * The page passes onProgress: it must see the host's "upload" progress of
   * this call, one event per request chunk but the last (done 1, 2, …,
   * total − 1; total = the chunks the host says it got), with the page's
   * upload notice up meanwhile and gone when the call ends.
   * Measures the call's wall time in the page and the host's peak RSS.
   */
  async bigSign(size = 20 * MIB) {
    const tab = await this.s.newTab();
    const dir = fs.mkdtempSync(path.join(this.w.tmp, "bigdoc-"));
    try {
      // this tab's host: the one process started after this point (the
      // page's first request, se.snapshot at load, starts it)
      const pidsBefore = new Set(this.w.hostPids());
      await tab.goto(`${this.origin}/async/`);
      await tab.until("window.UKeyLink", () => !!window.UKeyLink, null, 20_000);
      const login = await tab.eval(async (pin) => {
        const tokens = await window.UKeyLink.listTokens();
        const t = tokens.find((x) => x.label === "UKeyLink Demo") || tokens[0];
        if (!t) return { error: "no token" };
        await window.UKeyLink.login(t.token, pin);
        const certs = await window.UKeyLink.listCertificates(t.token);
        const c = certs.find((x) => x.hasKey !== false);
        return c ? { token: t.token, certId: c.certId, der: c.der, serial: c.serial } : { error: "no certificate with a key" };
      }, this.pin).catch((e) => ({ error: String(e?.message || e) }));
      assert.ok(!login.error, `login through window.UKeyLink: ${login.error}`);
      const pids = this.w.hostPids().filter((p) => !pidsBefore.has(p));
      assert.equal(pids.length, 1, `one new host process for this tab (new: ${pids.join(", ")})`);
      const pid = pids[0];
      const base = procMem(pid);
      this.log(`  ✓ logged in through window.UKeyLink (certificate ${login.serial}); host pid ${pid}, VmHWM ${base.hwm} KiB`);

      // The document and its base64 are made in the page; the page keeps
      // the CMS (window.__ukBig) and returns its size, hash and timings.
      const r = await tab.eval(async ({ token, certId, size }) => {
        const progress = [];
        const onProgress = (e) => progress.push(e);
        window.UKeyLink.on("progress", onProgress);
        // this call's own progress, and whether the upload notice was up at each event
        const uploads = [];
        const callProgress = (p) => uploads.push({ stage: p.stage, done: p.done, total: p.total, at: Date.now(),
          notice: !!document.querySelector("ukeylink-notice") });
        const g0 = performance.now();
        const doc = new Uint8Array(size);
        for (let i = 0; i < size; i++) doc[i] = Math.imul(i, 0x9E3779B1) >>> 24;
        const parts = [];
        const step = 3 * 8192; // a multiple of 3: the pieces' base64 concatenates without padding inside
        for (let o = 0; o < size; o += step) parts.push(btoa(String.fromCharCode.apply(null, doc.subarray(o, o + step))));
        const data = parts.join("");
        parts.length = 0;
        const hash = [...new Uint8Array(await crypto.subtle.digest("SHA-256", doc))].map((b) => b.toString(16).padStart(2, "0")).join("");
        const genMs = performance.now() - g0;
        const c0 = performance.now();
        const startedAt = Date.now();
        try {
          const res = await window.UKeyLink.call("sign.cms", { token, certId, data }, { onProgress: callProgress });
          const callMs = performance.now() - c0;
          const endedAt = Date.now();
          window.__ukBig = res.cms;
          return { ok: true, genMs, callMs, startedAt, endedAt, hash, dataChars: data.length, cmsChars: typeof res.cms === "string" ? res.cms.length : -1,
            keys: Object.keys(res), progress, uploads, noticeAfter: !!document.querySelector("ukeylink-notice") };
        } catch (e) {
          return { ok: false, genMs, callMs: performance.now() - c0, hash, dataChars: data.length, progress, uploads,
            error: `${e?.message} ${e?.code || ""} ${e?.lastError ?? ""} ${e?.hostName || ""}` };
        } finally {
          window.UKeyLink.off("progress", onProgress);
        }
      }, { token: login.token, certId: login.certId, size });
      const mem = procMem(pid);
      await this.step(tab, "bigdoc-signed", `sign.cms of ${+(size / MIB).toFixed(3)} MiB: ${r.ok ? "ok" : r.error} in ${(r.callMs / 1000).toFixed(1)} s`
        + ` (document + base64 made in the page in ${(r.genMs / 1000).toFixed(1)} s)`);
      assert.ok(r.ok, `sign.cms of ${size} bytes through the extension failed after ${(r.callMs / 1000).toFixed(1)} s: ${r.error}`);
      assert.deepEqual(r.keys, ["cms"]);
      assert.equal(r.dataChars, 4 * Math.ceil(size / 3), "the page's base64 has the expected length");

      // The same bytes here: the page made exactly this document.
      const doc = bigDocument(size);
      assert.equal(r.hash, sha256(doc), "the page's document is the one regenerated here");

      // The CMS out of the page in slices (no 27 MiB string in one protocol message).
      const SLICE = 4 * MIB;
      let b64 = "";
      for (let o = 0; o < r.cmsChars; o += SLICE)
        b64 += await tab.eval(({ o, n }) => window.__ukBig.slice(o, o + n), { o, n: SLICE });
      await tab.eval(() => { delete window.__ukBig; });
      assert.equal(b64.length, r.cmsChars);
      assert.match(b64.slice(0, 64), /^[A-Za-z0-9+/]+$/);
      const der = Buffer.from(b64, "base64");
      assert.equal(der.toString("base64"), b64, "the cms is canonical base64");
      const cmsFile = path.join(dir, "big.p7");
      fs.writeFileSync(cmsFile, der);

      // Independent check with the openssl command: the signature verifies
      // and chains to the replica's root, the signer is the key's
      // certificate, the attached content is the document. The CMS carries
      // the signer's certificate only and `openssl cms` (3.0) has no
      // -untrusted: its -CAfile is the replica's chain (root + issuing CA,
      // the chain still has to end at the root), and the signer is checked
      // again by `openssl verify` with the root alone as trust anchor.
      const out = path.join(dir, "big.out");
      const signer = path.join(dir, "signer.pem");
      const ca = (f) => this.w.portal.ca.p(f);
      const ossl = (args, what) => {
        try {
          return execFileSync("openssl", args, { stdio: ["ignore", "pipe", "pipe"], maxBuffer: 256 * MIB });
        } catch (e) {
          throw new Error(`${what}: ${e.stderr?.toString() || e.message}`);
        }
      };
      ossl(["cms", "-verify", "-binary", "-inform", "DER", "-in", cmsFile, "-CAfile", ca("chain.pem"),
        "-purpose", "any", "-out", out, "-signer", signer], "openssl cms -verify refused the page's CMS");
      ossl(["verify", "-CAfile", ca("root.pem"), "-untrusted", ca("sub.pem"), "-purpose", "any", signer],
        "openssl verify: the signer does not chain to the replica's root");
      const content = fs.readFileSync(out);
      assert.equal(content.length, size, "attached content length");
      assert.equal(sha256(content), sha256(doc), "the signed content is the document");
      const signerDer = new crypto.X509Certificate(fs.readFileSync(signer)).raw;
      assert.equal(signerDer.toString("base64"), login.der, "the signer is the certificate the page chose");
      // DER canonicity: OpenSSL's re-encoding is byte for byte the host's
      const again = ossl(["cms", "-cmsout", "-inform", "DER", "-outform", "DER", "-in", cmsFile], "openssl cms -cmsout");
      assert.ok(again.equals(der), `re-encoded DER differs (${again.length} vs ${der.length} bytes)`);

      // Host memory: the ~27 MiB request is held once (host/doc/protocol.md "Big data").
      const reqBytes = r.dataChars + 256;
      const limitKib = Math.round((2 * reqBytes + 40 * MIB) / 1024);
      assert.ok(mem, `host ${pid} still running after the call`);
      this.log(`  ✓ openssl cms -verify: ok, content = the ${+(size / MIB).toFixed(3)} MiB document (sha256 ${r.hash.slice(0, 16)}…), `
        + `signer = the token's certificate, DER canonical (${der.length} bytes)`);
      this.log(`  ✓ host pid ${pid}: VmHWM ${mem.hwm} KiB (before ${base.hwm} KiB; request ~${Math.round(reqBytes / 1024)} KiB;`
        + ` limit ${limitKib} KiB), VmRSS now ${mem.rss} KiB`);
      // Upload progress: one event per request chunk but the last, in
      // order, for this call; total = the chunks the host reassembled.
      const hostLines = this.w.tail(this.w.hostLog, 4000).split("\n").filter((l) => l.includes(`ukeylink-host[${pid}]`));
      const arriving = hostLines.map((l) => / arriving in (\d+) chunks$/.exec(l)).filter(Boolean).at(-1);
      assert.ok(arriving, "the host logged the request's chunks");
      const chunks = Number(arriving[1]);
      const up = r.uploads.filter((p) => p.stage === "upload");
      assert.deepEqual(r.uploads.map((p) => p.stage), up.map(() => "upload"), "only upload progress for sign.cms");
      assert.ok(chunks >= 2 && up.length > 0, `upload progress seen (${up.length} events, ${chunks} chunks)`);
      assert.deepEqual(up.map((p) => p.total), up.map(() => chunks), "total = the number of request chunks");
      assert.deepEqual(up.map((p) => p.done), Array.from({ length: chunks - 1 }, (_, k) => k + 1),
        "done 1, 2, … chunks − 1, increasing, none lost");
      if (chunks >= 4) {
        assert.ok(up.every((p) => p.notice), "the upload notice is up while the chunks go");
        assert.equal(r.noticeAfter, false, "and gone when the call has ended");
      }
      assert.equal(r.progress.filter((e) => e.stage === "upload").length, up.length, "on(\"progress\") saw them too");
      this.log(`  ✓ upload progress: ${up.length} events (done 1 … ${chunks - 1} of ${chunks} chunks) in `
        + `${((up.at(-1).at - r.startedAt) / 1000).toFixed(1)} s, the page's notice up meanwhile`);
      // where the time went: the host logs a request when it has handled it, before sending the answer
      const done = hostLines.filter((l) => / sign\.cms from .*: ok$/.test(l)).at(-1);
      const hostDone = done ? Date.parse(done.slice(0, done.indexOf(" "))) : NaN;
      if (Number.isFinite(hostDone))
        this.log(`  ✓ the host had received and signed the document ${((hostDone - r.startedAt) / 1000).toFixed(1)} s after the page's call; `
          + `the answer (chunks) reached the page ${((r.endedAt - hostDone) / 1000).toFixed(1)} s later`);
      this.log(`  BIGDOC ${this.s.name}: sign.cms ${+(size / MIB).toFixed(3)} MiB call ${(r.callMs / 1000).toFixed(2)} s, `
        + `page generation ${(r.genMs / 1000).toFixed(2)} s, host VmHWM ${(mem.hwm / 1024).toFixed(1)} MiB`);
      assert.ok(mem.hwm < limitKib, `host peak RSS ${mem.hwm} KiB ≥ 2 × request + 40 MiB = ${limitKib} KiB`);
      return { callMs: r.callMs, genMs: r.genMs, hwmKib: mem.hwm, baseKib: base.hwm, progress: r.progress.length, uploads: up.length };
    } finally {
      await tab.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  // ---- 2. renewal ---------------------------------------------------
  async renewal(style, { killHostAt = null } = {}) {
    const tab = await this.s.newTab();
    try {
      await this.portalLogin(tab, style, "renew");
      const oldSerial = (await tab.text("#cert-serial")).replace(/\s+/g, "");
      const sealsBefore = await this.sealsOnKey(tab);
      for (const [b, what] of [["#next1", "机构代码确认"], ["#next2", "社会保险号确认"], ["#next3", "单位公积金账号确认"]]) {
        await this.step(tab, `renew-${b.slice(1)}`, what);
        await tab.click(b);
      }
      await tab.eval(() => { const s = document.getElementById("period"); s.value = "36"; s.dispatchEvent(new Event("change")); });
      assert.equal(await tab.text("#fee"), "360", "36 months = 360 yuan");
      await this.step(tab, "renew-confirm", "确认提交: 三年, 360 元");
      await tab.click("#confirm");
      await tab.waitVisible("#pay");
      for (const [id, v] of [["#recipient", "张三"], ["#phone", "021-62345678"], ["#address", "上海市虹口区四川北路1717号"], ["#postcode", "200080"]])
        await tab.fill(id, v);
      await this.step(tab, "renew-payment", "订单信息 (payment form) filled");
      await tab.click("#pay-confirm");
      await tab.waitVisible("#pinstep");
      await tab.fill("#pin", this.pin);
      if (killHostAt === "issue") this.w.portal.issueHold = new Promise((r) => { this.release = r; });
      await tab.click("#start");
      if (killHostAt === "issue") return await this.killDuringIssue(tab, oldSerial);
      return await this.finishRenewal(tab, oldSerial, sealsBefore);
    } finally { await tab.close(); }
  }

  async sealsOnKey(tab) {
    const certs = await this.keyCerts(tab);
    const token = certs[0]?.token;
    return token ? { token, seals: await this.keySeals(tab, token) } : { token: null, seals: [] };
  }

  async watchProgress(tab, prefix, timeout = 120_000) {
    const seen = new Set();
    const end = Date.now() + timeout;
    for (;;) {
      const st = await tab.eval(() => {
        const s = document.getElementById("status");
        const t = document.getElementById("progress-title");
        return { state: s.getAttribute("data-state"), text: s.textContent, title: t ? t.textContent : "" };
      });
      if (st.title && !seen.has(st.title) && st.state === "busy") {
        seen.add(st.title);
        await this.step(tab, `${prefix}-progress-${seen.size}`, `progress: ${st.title}`);
      }
      if (st.state === "ok" || st.state === "error") return st;
      if (Date.now() > end) throw new Error(`${prefix}: no result after ${timeout} ms (${st.text})`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async finishRenewal(tab, oldSerial, sealsBefore) {
    const st = await this.watchProgress(tab, "renew");
    await this.step(tab, "renew-result", `result: ${st.text}`);
    assert.equal(st.state, "ok", `renewal failed on the page: ${st.text}\n${await tab.text("#log")}`);
    assert.equal(await tab.text("#done-title"), "开通应用更新成功");
    const newSerial = await tab.text("#new-serial");
    assert.ok(newSerial && !sameSerial(newSerial, oldSerial), `new serial ${newSerial} vs old ${oldSerial}`);
    const done = this.events("enroll-done").at(-1);
    assert.ok(sameSerial(done.serial, newSerial) && sameSerial(done.retired, oldSerial));
    assert.ok(this.w.portal.ca.isRevoked(oldSerial), "the CA revoked the old certificate");
    const certs = await this.keyCerts(tab);
    assert.ok(certs.some((c) => sameSerial(c.serial, newSerial) && c.hasKey !== false), "new certificate (with key) on the key");
    assert.ok(!certs.some((c) => sameSerial(c.serial, oldSerial)), "old certificate retired from the key");
    if (sealsBefore.seals.length) {
      const seals = await this.keySeals(tab, certs[0].token);
      assert.ok(seals.length >= 1, "seal still on the key");
      assert.ok(seals.some((s) => sameSerial(s.certSerial, newSerial)), `seal re-bound to ${newSerial}: ${JSON.stringify(seals)}`);
      this.log(`  ✓ seal re-bound to the new certificate ${newSerial}`);
    }
    this.log(`  ✓ renewed: ${oldSerial} → ${newSerial}, validity ${await tab.text("#new-validity")}`);
    return { oldSerial, newSerial };
  }

  // ---- 6. host killed mid-renewal ------------------------------------
  async killDuringIssue(tab, oldSerial) {
    await tab.until("the CA request to be held", () => true, null, 1000);
    const end = Date.now() + 60_000;
    while (this.w.portal.issueWaiting === 0) {
      if (Date.now() > end) throw new Error("renewal never reached the CA: " + (await tab.text("#status")));
      await new Promise((r) => setTimeout(r, 100));
    }
    await this.step(tab, "kill-before", "renewal waiting for the CA; killing the host now");
    const pids = this.w.killHosts();
    assert.ok(pids.length > 0, "a host process was running");
    this.log(`  ✓ killed host pid(s) ${pids.join(", ")} (SIGKILL)`);
    await new Promise((r) => setTimeout(r, 500));
    this.w.portal.issueHold = null;
    this.release();
    const st = await tab.waitStatus(120_000);
    await this.step(tab, "kill-error", `page after the kill: ${st.text}`);
    assert.equal(st.state, "error", `expected a clear error after the host was killed, got: ${st.text}`);
    assert.match(st.text, /本地程序|连接|断开|HOST_DISCONNECTED|-2113664004/, `the error names the lost host: ${st.text}`);
    // the key still works: the old certificate is there with its key
    const certs = await this.keyCerts(tab);
    assert.ok(certs.some((c) => sameSerial(c.serial, oldSerial)), "old certificate still on the key after the crash");
    this.log("  ✓ after the crash the old certificate is still on the key");
    // retry: the host restarts, recovers the transaction, the renewal completes
    await tab.fill("#pin", this.pin);
    await tab.click("#retry-btn");
    await tab.until("the retry to start", () => document.getElementById("status").getAttribute("data-state") !== "error", null, 30_000);
    return this.finishRenewal(tab, oldSerial, { seals: [] });
  }

  // ---- 3. change (添加证件) -------------------------------------------
  async change(style, fundNo = "000123456789") {
    this.w.portal.admin("/admin/unit", { fundNo }, new URL("https://x/"));
    const tab = await this.s.newTab();
    try {
      await this.portalLogin(tab, style, "change");
      const oldSerial = (await tab.text("#cert-serial")).replace(/\s+/g, "");
      await tab.click("#tip-ok");
      await tab.waitVisible("#numbers");
      const add = await tab.text("#add-table");
      assert.match(add, /单位公积金账号/);
      assert.ok(add.includes(fundNo));
      await tab.fill("#pin", this.pin);
      await this.step(tab, "change-numbers", `numbers to add: ${add.replace(/\s+/g, " ")}`);
      await tab.click("#start");
      const st = await this.watchProgress(tab, "change");
      await this.step(tab, "change-result", `result: ${st.text}`);
      assert.equal(st.state, "ok", `change failed on the page: ${st.text}\n${await tab.text("#log")}`);
      assert.equal(await tab.text("#done-title"), "变更成功");
      assert.ok((await tab.text("#new-numbers")).includes(fundNo));
      const issued = this.events("issued").at(-1);
      assert.equal(issued.mode, "change");
      const old = this.w.portal.issued.get(issued.serial);
      assert.ok(old);
      const certs = await this.keyCerts(tab);
      const nc = certs.find((c) => sameSerial(c.serial, issued.serial));
      assert.ok(nc, "changed certificate on the key");
      assert.ok(!certs.some((c) => sameSerial(c.serial, oldSerial)), "old certificate retired");
      this.log(`  ✓ changed: ${oldSerial} → ${issued.serial} with 单位公积金账号 ${fundNo}, notAfter unchanged (${issued.notAfter})`);
    } finally { await tab.close(); }
  }

  // ---- 4. seal --------------------------------------------------------
  async seal(style) {
    const tab = await this.s.newTab();
    try {
      await this.portalLogin(tab, style, "seal");
      assert.equal(await tab.text("#seal-status"), "未申请印章");
      await tab.upload("#seal-file", SEAL_PNG);
      await tab.until("seal preview", () => (document.getElementById("seal-preview").src || "").startsWith("data:image/png"));
      await this.step(tab, "seal-upload", "未申请印章: seal image uploaded, preview shown");
      await tab.click("#seal-apply");
      await this.visibleOrError(tab, "#seal-status[data-status=pending]");
      await tab.until("application pending", () => document.getElementById("seal-status").getAttribute("data-status") === "pending");
      await this.step(tab, "seal-pending", "application submitted (审核中)");
      this.w.portal.admin("/admin/seal/approve", {}, new URL("https://x/"));
      await tab.until("approval", () => document.getElementById("seal-status").getAttribute("data-status") === "approved", null, 20_000);
      assert.equal(await tab.text("#seal-status"), "申请审核通过");
      await tab.fill("#pin", this.pin);
      await this.step(tab, "seal-approved", "申请审核通过 (admin approved); 下载印章");
      await tab.click("#seal-download");
      const st = await tab.waitStatus(60_000);
      await this.step(tab, "seal-downloaded", `result: ${st.text}`);
      assert.equal(st.state, "ok", `seal download failed: ${st.text}\n${await tab.text("#log")}`);
      const { seals } = await this.sealsOnKey(tab);
      const serial = this.events("login").at(-1).serial;
      assert.ok(seals.some((s) => sameSerial(s.certSerial, serial)), `seal bound to ${serial} on the key: ${JSON.stringify(seals)}`);
      this.log(`  ✓ seal on the key, bound to ${serial}`);
    } finally { await tab.close(); }
  }

  // ---- 5. unlock ------------------------------------------------------
  async unlock(style) {
    const tab = await this.s.newTab();
    try {
      await tab.goto(`${this.origin}/${style}/unlock`);
      await tab.until("key detected", () => !document.getElementById("unlock-submit").disabled, null, 30_000);
      const info = { media: await tab.text("#media-type"), name: await tab.text("#cert-name"),
        serial: await tab.text("#cert-serial"), validity: await tab.text("#cert-validity") };
      await this.step(tab, "unlock-detected", `detected without PIN: ${JSON.stringify(info)}`);
      assert.equal(info.name, ORG);
      assert.match(info.validity, /^\d{4}年\d{2}月\d{2}日至\d{4}年\d{2}月\d{2}日$/);
      await tab.click("#unlock-submit");
      await this.visibleOrError(tab, "#submitted");
      const id = await tab.text("#unlock-id");
      await this.step(tab, "unlock-submitted", `您的解锁申请已成功提交 (id ${id})`);
      this.w.portal.admin("/admin/unlock/approve", { id }, new URL("https://x/"));
      await this.visibleOrError(tab, "#approved", 20_000);
      await this.step(tab, "unlock-approved", "审核已通过 (admin approved)");
      await tab.click("#unlock-apply");
      const st = await tab.waitStatus(60_000);
      await this.step(tab, "unlock-result", `result: ${st.text}`);
      assert.equal(st.state, "ok", `unlock failed: ${st.text}\n${await tab.text("#log")}`);
      const pin = await tab.text("#new-pin");
      assert.match(pin, /^\d{8}$/, "new PIN has 8 digits");
      this.pin = pin;
      this.w.currentPin = pin;
      this.log(`  ✓ PIN reset to an 8-digit PIN (${pin})`);
      return pin;
    } finally { await tab.close(); }
  }

  // ---- popup (Chromium: the real action popup) --------------------------
  async popup() {
    const page = await this.s.newTab();
    await page.goto(`${this.origin}/async/`);
    const tab = await this.s.popupTab(this.w.ext.chromiumId);
    return { page, tab, close: async () => { await tab.close(); await page.close(); } };
  }

  async popupExpiry() {
    const p = await this.popup();
    try {
      const li = await p.tab.until("a certificate in the popup", () => {
        const x = document.querySelector("#certs li:not(.note)");
        return x ? { cls: x.className, text: x.innerText } : false;
      }, null, 20_000);
      await this.step(p.tab, "popup-expiry", `popup certificate: ${li.text.replace(/\s+/g, " ")} [${li.cls}]`);
      assert.equal(li.cls, "warn", "the 80-day certificate is marked for renewal");
      assert.match(li.text, /\b(79|80)\b/, "days left shown");
      assert.ok(await p.tab.eval(() => !!document.querySelector("#certs li.warn a")), "a renew link");
    } finally { await p.close(); }
  }

  async popupChangePin(newPin) {
    const p = await this.popup();
    try {
      await p.tab.until("token options", () => document.querySelectorAll("#change-token option").length > 0, null, 20_000);
      await p.tab.eval(() => { document.querySelector("#change-form").closest("details").open = true; });
      await p.tab.fill("#change-old", this.pin);
      await p.tab.fill("#change-new", newPin);
      await p.tab.fill("#change-new2", newPin);
      await this.step(p.tab, "popup-changepin-form", "popup: change PIN");
      await p.tab.eval(() => document.querySelector("#change-form").requestSubmit());
      const r = await p.tab.until("PIN change result", () => {
        const x = document.getElementById("change-result");
        return x && x.textContent ? { cls: x.className, text: x.textContent } : false;
      }, null, 30_000);
      await this.step(p.tab, "popup-changepin-result", `popup: ${r.text}`);
      assert.match(r.cls, /ok/, `PIN change failed: ${r.text}`);
      this.pin = newPin;
      this.w.currentPin = newPin;
    } finally { await p.close(); }
  }

  async popupHostMissing() {
    const p = await this.popup();
    try {
      const t = await p.tab.until("install message", () => {
        const x = document.querySelector("#host .error");
        return x ? x.innerText : false;
      }, null, 20_000);
      await this.step(p.tab, "nohost-popup", `popup: ${t}`);
      assert.match(t, /安装|not installed|install/i);
    } finally { await p.close(); }
  }

  // ---- 7. host not installed -------------------------------------------
  async hostMissing(style) {
    const tab = await this.s.newTab();
    try {
      await tab.goto(`${this.origin}/${style}/`);
      const t = await tab.until("an install message", () => {
        const k = document.getElementById("key-state");
        const body = document.body.innerText;
        return /安装/.test(body) && k && k.getAttribute("data-state") === "error" ? k.textContent : false;
      }, null, 30_000);
      await this.step(tab, `nohost-${style}-home`, `home page: ${t}`);
      assert.match(t, /未安装|安装/);
      // an IE-style gov page: the login shows the install message as well
      await tab.goto(`${this.origin}/gov/${style}/`);
      await tab.fill("#password", this.pin);
      await tab.click("#btnLogin");
      const m = await tab.until("gov install message", () => {
        const x = document.getElementById("msg");
        return x && x.textContent ? x.textContent + " " + document.body.innerText : false;
      }, null, 30_000);
      await this.step(tab, `nohost-${style}-gov`, `gov page: ${m.slice(0, 120)}`);
      assert.match(m, /-2113664001|未安装|安装/);
      return t;
    } finally { await tab.close(); }
  }
}
