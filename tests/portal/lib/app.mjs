// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink authors
// The replica of the SHECA self-service portal (issp.sheca.com) and of a
// government login page built on SafeEngine: routes, state, backend.

import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import https from "node:https";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { TestCA } from "./ca.mjs";
import { csrPublicKey } from "./der.mjs";
import { demoUnit } from "./demo.mjs";
import { OID, NUMBER_FIELDS } from "./oids.mjs";
import * as pages from "./pages.mjs";
import { eightDigitPin, sealResponse } from "./unlock.mjs";
import { checkCert, parseCert, verifySignature } from "./verify.mjs";

const PUBLIC = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "public");
const STYLES = new Set(["ie", "async"]);
const MAX_BODY = 4 * 1024 * 1024;

export class Portal {
  /** opts: {dir (CA + state), log (fn)} */
  constructor(opts) {
    this.dir = opts.dir;
    this.log = opts.log || (() => {});
    this.ca = new TestCA(path.join(opts.dir, "ca")).init();
    this.units = new Map();             // orgCode → unit (the "法人库")
    this.challenges = new Map();        // random → expiry ms
    this.sessions = new Map();          // sid → {serial, orgCode, certPem}
    this.seals = new Map();             // orgCode → {status, image, name}
    this.unlocks = new Map();           // id → {request, status, tokenSerial}
    this.tokens = new Map();            // tokenSerial → {soPin}
    this.issued = new Map();            // serial → {pem, orgCode, mode, replaces}
    this.events = [];                   // what the backend did, for tests
    this.unlockNewPin = opts.unlockNewPin || "host";
    this.renewWindowDays = 92;          // renewal opens three months before expiry
    this.issueHold = null;              // tests: a promise that /api/enroll/issue waits for
    this.issueWaiting = 0;
    const u = demoUnit();
    this.units.set(u.orgCode, u);
  }

  event(type, data) {
    const e = { type, at: new Date().toISOString(), ...data };
    this.events.push(e);
    this.log(`[portal] ${type} ${JSON.stringify(data)}`);
  }

  listen(port = 0, host = "127.0.0.1") {
    this.server = https.createServer(this.ca.tls, (req, res) => this.handle(req, res).catch((e) => {
      this.log(`[portal] ${req.method} ${req.url}: ${e.stack || e}`);
      if (!res.headersSent) send(res, 500, { error: String(e.message || e) });
    }));
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        this.port = this.server.address().port;
        this.origin = `https://127.0.0.1:${this.port}`;
        resolve(this);
      });
    });
  }

  close() {
    return new Promise((r) => { this.server.closeAllConnections?.(); this.server.close(() => r()); });
  }

  newChallenge() {
    const r = crypto.randomBytes(16).toString("hex").toUpperCase();
    this.challenges.set(r, Date.now() + 10 * 60_000);
    return r;
  }

  takeChallenge(r) {
    const exp = this.challenges.get(r);
    this.challenges.delete(r);
    return exp !== undefined && exp > Date.now();
  }

  session(req) {
    const sid = cookies(req).ISSP_SID;
    return sid ? this.sessions.get(sid) : undefined;
  }

  unitOf(c) {
    return this.units.get(c.ext[OID.orgCode] || "");
  }

  /** Login: challenge signature + certificate. Returns {c, unit} or throws a Chinese message. */
  verifyLogin(f) {
    if (!this.takeChallenge(f.random)) throw new Error("登录随机数无效或已过期，请刷新页面重新登录");
    let c;
    try { c = parseCert(f.cert); } catch (e) { throw new Error("证书格式错误: " + e.message); }
    const why = checkCert(this.ca, c);
    if (why) throw new Error(why);
    if (!verifySignature(c, f.random, f.signed, Number(f.method || 3)))
      throw new Error("签名验证失败 (SHA1withRSA)");
    return { c, unit: this.unitOf(c) };
  }

  async handle(req, res) {
    const url = new URL(req.url, "https://127.0.0.1");
    const p = url.pathname;
    const m = req.method;
    if (m === "GET" && p.startsWith("/static/")) return this.static(res, p.slice(8));
    if (m === "GET" && (p === "/" || p === "/index.html")) return html(res, pages.home("async"));
    if (m === "GET" && url.searchParams.has("style") && !p.startsWith("/ie/") && !p.startsWith("/async/")
        && STYLES.has(url.searchParams.get("style"))) {
      return redirect(res, `/${url.searchParams.get("style")}${p}`);
    }
    if (p.startsWith("/api/") || p.startsWith("/admin/")) return this.api(req, res, m, p, url);
    if (p.startsWith("/ca/") || p.startsWith("/crl/") || p === "/ocsp") return this.pki(req, res, m, p);
    if (m === "POST" && p === "/login") return this.postLogin(req, res);
    if (m === "POST" && p === "/gov/login") return this.postGovLogin(req, res);
    if (m === "GET" && p === "/download") return html(res, pages.download());
    if (m === "GET" && p === "/logout") {
      const sid = cookies(req).ISSP_SID;
      if (sid) this.sessions.delete(sid);
      return redirect(res, "/");
    }
    const gm = /^\/gov\/(ie|async)\/(login)?$/.exec(p);
    if (m === "GET" && gm) return html(res, pages.govLogin(gm[1], this.newChallenge()));
    const sm = /^\/(ie|async)\/([a-z]*)$/.exec(p);
    if (m === "GET" && sm) return this.portalPage(req, res, sm[1], sm[2] || "home", url);
    return send(res, 404, { error: "not found" });
  }

  portalPage(req, res, style, name, url) {
    if (name === "home") return html(res, pages.home(style));
    if (name === "login") {
      const next = ["renew", "change", "seal"].includes(url.searchParams.get("next")) ? url.searchParams.get("next") : "renew";
      return html(res, pages.login(style, next, this.newChallenge()));
    }
    if (name === "unlock") return html(res, pages.unlock(style));
    if (!["renew", "change", "seal"].includes(name)) return send(res, 404, { error: "not found" });
    const s = this.session(req);
    if (!s) return redirect(res, `/${style}/login?next=${name}`);
    const c = parseCert(s.certPem);
    const unit = this.units.get(s.orgCode);
    const view = certView(c, unit);
    if (name === "renew") return html(res, pages.renew(style, view, unit, this.renewWindowDays));
    if (name === "change") return html(res, pages.change(style, view, unit, missingNumbers(c, unit)));
    return html(res, pages.seal(style, view, this.sealState(s.orgCode)));
  }

  sealState(orgCode) {
    return this.seals.get(orgCode) || { status: "none" };
  }

  async postLogin(req, res) {
    const f = await form(req);
    const style = STYLES.has(f.style) ? f.style : "async";
    const next = ["renew", "change", "seal"].includes(f.next) ? f.next : "renew";
    try {
      const { c, unit } = this.verifyLogin(f);
      if (!unit) throw new Error("法人库中没有该单位 (组织机构代码 " + (c.ext[OID.orgCode] || "无") + ")");
      const sid = crypto.randomBytes(18).toString("base64url");
      this.sessions.set(sid, { serial: c.serial, orgCode: unit.orgCode, certPem: c.x.toString(), style });
      this.event("login", { serial: c.serial, style });
      res.writeHead(302, { Location: `/${style}/${next}`, "Set-Cookie": `ISSP_SID=${sid}; Path=/; HttpOnly; Secure; SameSite=Lax` });
      return res.end();
    } catch (e) {
      this.event("login-failed", { reason: e.message, style });
      return html(res, pages.login(style, next, this.newChallenge(), e.message), 403);
    }
  }

  async postGovLogin(req, res) {
    const f = await form(req);
    const style = STYLES.has(f.style) ? f.style : "async";
    try {
      const { c } = this.verifyLogin(f);
      // the page read these with SEH_GetCertDetail / SEH_GetCertInfoByOID:
      // they must be what the certificate says
      const want = { org: c.subject.O || "", cn: c.subject.CN || "", orgCode: c.ext[OID.orgCode] || "" };
      for (const k of Object.keys(want))
        if ((f[k] || "") !== want[k]) throw new Error(`页面读取的证书字段 ${k} 不符: "${f[k]}" ≠ "${want[k]}"`);
      this.event("gov-login", { serial: c.serial, style, org: want.org, orgCode: want.orgCode });
      return html(res, pages.govResult(true, { ...want, serial: c.serial, style }));
    } catch (e) {
      this.event("gov-login-failed", { reason: e.message, style });
      return html(res, pages.govResult(false, { reason: e.message, style }), 403);
    }
  }

  static(res, name) {
    if (!/^[a-z0-9-]+\.(js|css|png)$/.test(name)) return send(res, 404, { error: "not found" });
    const f = path.join(PUBLIC, name);
    if (!fs.existsSync(f)) return send(res, 404, { error: "not found" });
    const type = { js: "text/javascript; charset=utf-8", css: "text/css; charset=utf-8", png: "image/png" }[name.split(".").pop()];
    res.writeHead(200, { "Content-Type": type, "Cache-Control": "no-store" });
    res.end(fs.readFileSync(f));
  }

  async pki(req, res, m, p) {
    const files = { "/ca/root.pem": "root.pem", "/ca/sub.pem": "sub.pem", "/ca/seal.pem": "seal.pem", "/ca/chain.pem": "chain.pem" };
    if (m === "GET" && files[p]) {
      res.writeHead(200, { "Content-Type": "application/x-pem-file" });
      return res.end(fs.readFileSync(this.ca.p(files[p])));
    }
    if (m === "GET" && p === "/crl/sub.crl") {
      res.writeHead(200, { "Content-Type": "application/pkix-crl" });
      return res.end(this.ca.crl());
    }
    if (m === "POST" && p === "/ocsp") {
      const body = await readBody(req);
      res.writeHead(200, { "Content-Type": "application/ocsp-response" });
      return res.end(this.ca.ocsp(body));
    }
    return send(res, 404, { error: "not found" });
  }

  async api(req, res, m, p, url) {
    const body = m === "POST" ? await json(req) : {};
    if (p.startsWith("/admin/")) return send(res, 200, this.admin(p, body, url));
    const s = this.session(req);
    const key = `${m} ${p}`;
    try {
      switch (key) {
        case "POST /api/unlock/request": return send(res, 200, this.unlockRequest(body));
        case "GET /api/unlock/status": return send(res, 200, this.unlockStatus(url.searchParams.get("id")));
        case "POST /api/unlock/response": return send(res, 200, this.unlockResponse(body));
        case "POST /api/unlock/done": return send(res, 200, this.unlockDone(body));
        default: break;
      }
      if (!s) return send(res, 401, { error: "未登录或会话已过期，请重新登录" });
      switch (key) {
        case "GET /api/session": return send(res, 200, { serial: s.serial, orgCode: s.orgCode, paid: !!s.paid });
        case "POST /api/pay": s.paid = true; this.event("paid", { serial: s.serial, ...pick(body, ["months", "method"]) });
          return send(res, 200, { paid: true });
        case "POST /api/enroll/issue":
          if (this.issueHold) {
            this.issueWaiting++;
            try { await this.issueHold; } finally { this.issueWaiting--; }
          }
          return send(res, 200, this.enrollIssue(s, body));
        case "POST /api/enroll/done": return send(res, 200, this.enrollDone(s, body));
        case "POST /api/enroll/failed": this.event("enroll-failed", { serial: s.serial, ...pick(body, ["stage", "error"]) });
          return send(res, 200, {});
        case "POST /api/seal/apply": return send(res, 200, this.sealApply(s, body));
        case "GET /api/seal/status": return send(res, 200, this.sealState(s.orgCode));
        case "POST /api/seal/package": return send(res, 200, this.sealPackage(s, body));
        case "POST /api/seal/rebind": return send(res, 200, this.sealRebind(s, body));
        case "POST /api/seal/installed": {
          const st = this.sealState(s.orgCode);
          if (st.status === "approved" || st.status === "installed") st.status = "installed";
          this.event("seal-installed", { serial: s.serial, ...pick(body, ["id"]) });
          return send(res, 200, st);
        }
        default: return send(res, 404, { error: "not found" });
      }
    } catch (e) {
      return send(res, 400, { error: e.message });
    }
  }

  enrollIssue(s, b) {
    const unit = this.units.get(s.orgCode);
    const mode = b.mode === "change" ? "change" : "renew";
    const months = Number(b.months || 36);
    if (mode === "renew" && ![12, 24, 36].includes(months)) throw new Error("更新有效期只能是一至三年");
    if (mode === "renew" && unit.certIndex >= 2 && !s.paid) throw new Error("请先完成支付");
    if (!b.csr) throw new Error("缺少证书请求 (csr)");
    const csrDer = Buffer.from(b.csr, "base64");
    const old = parseCert(s.certPem);
    const newKey = crypto.createPublicKey({ key: csrPublicKey(csrDer), format: "der", type: "spki" });
    if (newKey.export({ format: "der", type: "spki" }).equals(old.x.publicKey.export({ format: "der", type: "spki" })))
      throw new Error("新证书请求必须使用新的密钥对");
    if (b.countersignature) this.checkCountersignature(old, csrDer, b.countersignature);
    const opts = mode === "renew" ? { days: Math.round(months * 365 / 12) }
      : { notAfter: new Date(old.x.validTo), notBefore: new Date(Date.now() - 60_000) };
    const r = this.ca.issue({ csr: csrDer, unit, ...opts });
    this.issued.set(r.serial, { pem: r.pem, orgCode: unit.orgCode, mode, replaces: old.serial });
    this.event("issued", { mode, serial: r.serial, replaces: old.serial, notAfter: r.notAfter,
      countersigned: !!b.countersignature });
    return { cert: r.der.toString("base64"), chain: [this.ca.sub.raw.toString("base64")],
      serial: r.serial, notBefore: r.notBefore, notAfter: r.notAfter };
  }

  /** The old key's CMS signature over the request (enroll.createRequest countersign). */
  checkCountersignature(old, csrDer, cmsB64) {
    const dir = fs.mkdtempSync(path.join(this.dir, "cs-"));
    try {
      fs.writeFileSync(path.join(dir, "cms.der"), Buffer.from(cmsB64, "base64"));
      fs.writeFileSync(path.join(dir, "csr.der"), csrDer);
      fs.writeFileSync(path.join(dir, "old.pem"), old.x.toString());
      const args = ["cms", "-verify", "-inform", "DER", "-in", path.join(dir, "cms.der"), "-noverify", "-nointern",
        "-certfile", path.join(dir, "old.pem"), "-out", path.join(dir, "out")];
      // detached or attached: try attached first, then detached over the CSR
      try { execOpenssl(args); } catch { execOpenssl([...args, "-content", path.join(dir, "csr.der"), "-binary"]); }
    } catch (e) {
      throw new Error("旧密钥会签验证失败: " + e.message.slice(0, 200));
    } finally { fs.rmSync(dir, { recursive: true, force: true }); }
  }

  enrollDone(s, b) {
    const rec = this.issued.get(String(b.serial || "").toUpperCase());
    if (!rec || rec.orgCode !== s.orgCode) throw new Error("未知的新证书序列号");
    if (!this.ca.isRevoked(rec.replaces)) this.ca.revoke(s.certPem);
    const oldSerial = s.serial;
    s.serial = String(b.serial).toUpperCase();
    s.certPem = rec.pem;
    this.event("enroll-done", { mode: rec.mode, serial: s.serial, retired: oldSerial, sealRebound: !!b.sealId });
    const c = parseCert(rec.pem);
    return { serial: c.serial, notBefore: c.x.validFrom, notAfter: c.x.validTo, retired: oldSerial,
      numbers: NUMBER_FIELDS.map(([k, label]) => ({ label, value: c.ext[OID[k]] || "" })) };
  }

  sealApply(s, b) {
    const m = /^data:image\/png;base64,([A-Za-z0-9+/=]+)$/.exec(b.image || "");
    if (!m) throw new Error("请上传 PNG 格式的盖章图片");
    const img = Buffer.from(m[1], "base64");
    if (img.length < 8 || !img.subarray(0, 8).equals(Buffer.from("89504e470d0a1a0a", "hex")))
      throw new Error("请上传 PNG 格式的盖章图片");
    const unit = this.units.get(s.orgCode);
    this.seals.set(s.orgCode, { status: "pending", image: m[1], name: unit.name + "电子印章" });
    this.event("seal-applied", { orgCode: s.orgCode, bytes: img.length });
    return this.sealState(s.orgCode);
  }

  sealPackage(s, b) {
    const st = this.sealState(s.orgCode);
    if (st.status !== "approved" && st.status !== "installed") throw new Error("印章尚未审核通过");
    const serial = String(b.certSerial || s.serial).toUpperCase();
    if (serial !== s.serial) throw new Error("印章只能绑定当前登录的证书");
    const der = this.ca.signSeal({ certSerial: serial, name: st.name, image: st.image });
    this.event("seal-package", { serial, bytes: der.length });
    return { package: der.toString("base64"), certSerial: serial };
  }

  /** Renewal: the seal on the key, re-issued for the new certificate. */
  sealRebind(s, b) {
    let content;
    try { content = this.ca.verifySeal(Buffer.from(b.package || "", "base64")); } catch (e) {
      throw new Error("印章包签名验证失败: " + e.message.slice(0, 200));
    }
    if (String(content.certSerial).toUpperCase() !== s.serial.toUpperCase()) throw new Error("印章不属于当前证书");
    const serial = String(b.certSerial || "").toUpperCase();
    const rec = this.issued.get(serial);
    if (!rec || rec.replaces.toUpperCase() !== s.serial.toUpperCase()) throw new Error("新证书不是当前证书的更新");
    const der = this.ca.signSeal({ certSerial: serial, name: content.name, image: content.image });
    this.event("seal-rebound", { from: s.serial, to: serial });
    return { package: der.toString("base64"), certSerial: serial };
  }

  unlockRequest(b) {
    const r = b.request;
    if (!r || r.version !== 1 || !r.tokenSerial || !r.challenge || !r.ephemeralKey)
      throw new Error("解锁申请格式错误");
    crypto.createPublicKey({ key: Buffer.from(r.ephemeralKey, "base64"), format: "der", type: "spki" });
    const id = crypto.randomBytes(6).toString("hex").toUpperCase();
    this.unlocks.set(id, { request: r, status: "pending", tokenSerial: r.tokenSerial });
    this.event("unlock-requested", { id, tokenSerial: r.tokenSerial, certSerial: r.cert?.serial });
    return { id, status: "pending" };
  }

  unlockStatus(id) {
    const u = this.unlocks.get(id || "");
    if (!u) throw new Error("没有该解锁申请");
    return { id, status: u.status };
  }

  unlockResponse(b) {
    const u = this.unlocks.get(b.id || "");
    if (!u) throw new Error("没有该解锁申请");
    if (u.status !== "approved") throw new Error("解锁申请尚未审核通过");
    const t = this.tokens.get(u.tokenSerial);
    if (!t) throw new Error("CA 没有该介质的管理员密码记录 (token " + u.tokenSerial + ")");
    const secret = { soPin: t.soPin };
    if (this.unlockNewPin === "server") secret.newPin = eightDigitPin();
    const response = sealResponse(u.request, secret);
    u.status = "answered";
    this.event("unlock-answered", { id: b.id, tokenSerial: u.tokenSerial });
    return { response };
  }

  unlockDone(b) {
    const u = this.unlocks.get(b.id || "");
    if (u) u.status = "done";
    this.event("unlock-done", { id: b.id });
    return {};
  }

  admin(p, b, url) {
    switch (p) {
      case "/admin/state":
        return { units: [...this.units.values()], seals: Object.fromEntries([...this.seals].map(([k, v]) => [k, { status: v.status }])),
          unlocks: Object.fromEntries([...this.unlocks].map(([k, v]) => [k, { status: v.status, tokenSerial: v.tokenSerial }])),
          issued: [...this.issued].map(([k, v]) => ({ serial: k, mode: v.mode, replaces: v.replaces, revoked: this.ca.isRevoked(k) })),
          events: this.events.slice(-200) };
      case "/admin/unit": {
        const u = this.units.get(b.orgCode || demoUnit().orgCode);
        if (!u) throw new Error("no unit");
        for (const k of ["name", "regNo", "taxNo", "socialNo", "fundNo", "certIndex"]) if (k in b) u[k] = b[k];
        return u;
      }
      case "/admin/seal/approve": {
        const oc = b.orgCode || url.searchParams.get("orgCode") || demoUnit().orgCode;
        const st = this.seals.get(oc);
        if (!st) throw new Error("no seal application");
        st.status = "approved";
        this.event("seal-approved", { orgCode: oc });
        return { status: st.status };
      }
      case "/admin/unlock/approve": {
        const ids = b.id ? [b.id] : [...this.unlocks].filter(([, v]) => v.status === "pending").map(([k]) => k);
        for (const id of ids) { const u = this.unlocks.get(id); if (u) u.status = "approved"; }
        this.event("unlock-approved", { ids });
        return { approved: ids };
      }
      case "/admin/config":
        if ("renewWindowDays" in b) this.renewWindowDays = Number(b.renewWindowDays);
        return { renewWindowDays: this.renewWindowDays };
      case "/admin/token":
        this.tokens.set(String(b.tokenSerial), { soPin: String(b.soPin) });
        return { ok: true };
      default: throw new Error("unknown admin endpoint");
    }
  }
}

/** What the pages show about a certificate. */
export function certView(c, unit) {
  const ext = c.ext;
  const days = Math.floor((new Date(c.x.validTo) - Date.now()) / 86400_000);
  return {
    serial: c.serial, serialShown: c.serial.replace(/(.{8})(?=.)/g, "$1 "),
    name: c.subject.O || c.subject.CN || "", cn: c.subject.CN || "", kind: unit?.kind || c.subject.OU || "",
    notBefore: c.x.validFrom, notAfter: c.x.validTo, daysLeft: days,
    numbers: Object.fromEntries(NUMBER_FIELDS.map(([k]) => [k, ext[OID[k]] || ""])),
  };
}

/** Registry numbers the certificate lacks (or carries with another value). */
export function missingNumbers(c, unit) {
  return NUMBER_FIELDS.filter(([k]) => unit[k] && c.ext[OID[k]] !== unit[k])
    .map(([k, label]) => ({ key: k, label, value: unit[k], current: c.ext[OID[k]] || "" }));
}

function execOpenssl(args) {
  try {
    return execFileSync("openssl", args, { stdio: "pipe" });
  } catch (e) {
    throw new Error(e.stderr?.toString() || e.message);
  }
}

function pick(o, keys) {
  return Object.fromEntries(keys.filter((k) => o && k in o).map((k) => [k, o[k]]));
}

function cookies(req) {
  const out = {};
  for (const part of (req.headers.cookie || "").split(";")) {
    const i = part.indexOf("=");
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let n = 0;
    req.on("data", (c) => {
      n += c.length;
      if (n > MAX_BODY) { reject(new Error("body too large")); req.destroy(); } else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

async function form(req) {
  return Object.fromEntries(new URLSearchParams((await readBody(req)).toString("utf8")));
}

async function json(req) {
  const b = (await readBody(req)).toString("utf8");
  if (!b) return {};
  try { return JSON.parse(b); } catch { return {}; }
}

function send(res, code, obj) {
  res.writeHead(code, { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" });
  res.end(JSON.stringify(obj));
}

function html(res, body, code = 200) {
  res.writeHead(code, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
  res.end(body);
}

function redirect(res, loc) {
  res.writeHead(302, { Location: loc });
  res.end();
}
