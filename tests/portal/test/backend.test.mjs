// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink authors
// The replica's backend: issuance with GM/T 0015 extensions, login
// signature + chain checks, renewal and change, seals, CRL and OCSP.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { certExtensions } from "../lib/der.mjs";
import { OID } from "../lib/oids.mjs";
import { checkCert, parseCert, verifySignature } from "../lib/verify.mjs";
import { demo, login, newCsr, request, seSign, startPortal } from "./helpers.mjs";

let portal, d;
before(async () => { portal = await startPortal(); d = demo(portal); });
after(() => portal.close());

describe("issuance", () => {
  it("puts the unit's numbers in GM/T 0015 extensions and a Chinese subject", () => {
    const c = parseCert(d.der.toString("base64"));
    assert.equal(c.subject.O, "上海UKeyLink演示有限公司");
    assert.equal(c.subject.CN, "上海UKeyLink演示有限公司");
    assert.equal(c.ext[OID.orgCode], "91310000MA1K000017");
    assert.equal(c.ext[OID.regNo], "310000000123456");
    assert.equal(c.ext[OID.taxNo], "91310000MA1K000017");
    assert.equal(c.ext[OID.socialNo], "31000012345678");
    assert.equal(c.ext[OID.fundNo], undefined, "the demo certificate lacks the fund number");
    assert.equal(checkCert(portal.ca, c), null);
    // openssl reads the same text
    const txt = execFileSync("openssl", ["x509", "-in", d.certPath, "-noout", "-text"]).toString();
    assert.match(txt, /1\.2\.156\.10260\.4\.1\.4:\s*\n\s*\.\.91310000MA1K000017/);
  });

  it("gives the demo certificate 80 days left", () => {
    const days = (new Date(d.notAfter) - Date.now()) / 86400_000;
    assert.ok(days > 79 && days <= 80, String(days));
  });

  it("extension values wrapped in an OCTET STRING are read too", () => {
    // a certificate from openssl with an OCTET STRING-wrapped value
    const dir = fs.mkdtempSync(path.join(portal.dir, "oct-"));
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", path.join(dir, "k"),
      "-out", path.join(dir, "c"), "-subj", "/CN=x", "-days", "1", "-outform", "DER",
      "-addext", "1.2.156.10260.4.1.4=DER:04:0a:0c:08:31:32:33:34:35:36:37:38"], { stdio: "pipe" });
    assert.equal(certExtensions(fs.readFileSync(path.join(dir, "c")))["1.2.156.10260.4.1.4"], "12345678");
  });
});

describe("login verification", () => {
  it("accepts SHA1withRSA over the random, and rejects a wrong one", () => {
    const c = parseCert(d.der.toString("base64"));
    assert.ok(verifySignature(c, "ABCDEF", seSign(d.keyPath, "ABCDEF"), 3));
    assert.ok(!verifySignature(c, "ABCDEG", seSign(d.keyPath, "ABCDEF"), 3));
    assert.ok(!verifySignature(c, "ABCDEF", "", 3));
  });

  it("portal login sets a session; replayed random, bad signature, foreign cert are refused", async () => {
    const cookie = await login(portal, d);
    assert.match(cookie, /^ISSP_SID=/);
    const s = await request(portal, "GET", "/api/session", { cookie });
    assert.equal(s.json.serial, d.serial);

    const page = await request(portal, "GET", "/ie/login?next=renew");
    assert.match(page.text, /CLSID:B48B9648-E9F0-48A3-90A5-8C588CE0898F/);
    assert.match(page.text, /SafeEngineCtl\.ErrorCode != 0/);
    const random = /name="random" value="([0-9A-F]+)"/.exec(page.text)[1];
    const bad = await request(portal, "POST", "/login", { form: { random, cert: d.der.toString("base64"),
      signed: seSign(d.keyPath, "other"), next: "renew", style: "ie" } });
    assert.equal(bad.status, 403);
    assert.match(bad.text, /签名验证失败/);
    const again = await request(portal, "POST", "/login", { form: { random, cert: d.der.toString("base64"),
      signed: seSign(d.keyPath, random), next: "renew", style: "ie" } });
    assert.equal(again.status, 403, "a random is single use");

    const dir = fs.mkdtempSync(path.join(portal.dir, "foreign-"));
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", path.join(dir, "k"),
      "-out", path.join(dir, "c"), "-subj", "/O=上海UKeyLink演示有限公司", "-days", "1", "-outform", "DER"], { stdio: "pipe" });
    const p2 = await request(portal, "GET", "/async/login");
    const r2 = /name="random" value="([0-9A-F]+)"/.exec(p2.text)[1];
    const foreign = await request(portal, "POST", "/login", { form: { random: r2,
      cert: fs.readFileSync(path.join(dir, "c")).toString("base64"), signed: seSign(path.join(dir, "k"), r2) } });
    assert.equal(foreign.status, 403);
    assert.match(foreign.text, /不是由本CA签发/);
  });

  it("gov login checks the fields the page read with GetCertDetail / GetCertInfoByOID", async () => {
    for (const style of ["ie", "async"]) {
      const page = await request(portal, "GET", `/gov/${style}/`);
      for (const call of ["SEH_InitialSession", "SEH_SetConfiguration", "SEH_GetSelfCertificate", "SEH_GetCertDetail",
        "SEH_GetCertInfoByOID", "SEH_SignData"]) assert.ok(page.text.includes(call), call);
      const random = /name="random" value="([0-9A-F]+)"/.exec(page.text)[1];
      const f = { random, cert: d.der.toString("base64"), signed: seSign(d.keyPath, random), method: "3",
        org: "上海UKeyLink演示有限公司", cn: "上海UKeyLink演示有限公司", orgCode: "91310000MA1K000017", style };
      const ok = await request(portal, "POST", "/gov/login", { form: f });
      assert.equal(ok.status, 200, ok.text);
      assert.match(ok.text, /登录成功/);
      const p2 = await request(portal, "GET", `/gov/${style}/`);
      const r2 = /name="random" value="([0-9A-F]+)"/.exec(p2.text)[1];
      const wrong = await request(portal, "POST", "/gov/login", { form: { ...f, random: r2,
        signed: seSign(d.keyPath, r2), orgCode: "X" } });
      assert.equal(wrong.status, 403);
    }
  });
});

describe("renewal and change", () => {
  it("renewal: payment first, a new key, 3 years, old certificate revoked (CRL and OCSP)", async () => {
    const dd = demo(portal);
    const cookie = await login(portal, dd);
    const csr = newCsr(portal.dir);
    const unpaid = await request(portal, "POST", "/api/enroll/issue", { cookie, json: { mode: "renew", months: 36, csr: csr.b64 } });
    assert.equal(unpaid.status, 400);
    assert.match(unpaid.json.error, /支付/);
    await request(portal, "POST", "/api/pay", { cookie, json: { months: 36, method: "wechat" } });
    // the old key is refused
    const oldKeyCsr = execFileSync("openssl", ["req", "-new", "-key", dd.keyPath, "-subj", "/CN=x", "-outform", "DER"]);
    const same = await request(portal, "POST", "/api/enroll/issue", { cookie, json: { mode: "renew", months: 36, csr: oldKeyCsr.toString("base64") } });
    assert.equal(same.status, 400);
    // countersigned by the old key (CMS, attached)
    const cs = execFileSync("openssl", ["cms", "-sign", "-signer", dd.certPath, "-inkey", dd.keyPath, "-binary",
      "-nodetach", "-outform", "DER"], { input: csr.der });
    const r = await request(portal, "POST", "/api/enroll/issue", { cookie, json: { mode: "renew", months: 36, csr: csr.b64,
      countersignature: cs.toString("base64") } });
    assert.equal(r.status, 200, r.text);
    const nc = parseCert(r.json.cert);
    assert.notEqual(nc.serial, dd.serial);
    const years = (new Date(nc.x.validTo) - new Date(nc.x.validFrom)) / (365 * 86400_000);
    assert.ok(years > 2.99 && years < 3.01, String(years));
    assert.equal(nc.ext[OID.orgCode], "91310000MA1K000017");
    assert.equal(r.json.chain.length, 1);
    // a countersignature by another key is refused
    const other = newCsr(portal.dir);
    const otherCert = path.join(portal.dir, "other-cert.pem");
    execFileSync("openssl", ["req", "-x509", "-key", other.key, "-subj", "/CN=other", "-days", "1", "-out", otherCert]);
    const badcs = execFileSync("openssl", ["cms", "-sign", "-signer", otherCert, "-inkey", other.key, "-binary",
      "-nodetach", "-outform", "DER"], { input: csr.der, stdio: ["pipe", "pipe", "pipe"] });
    const rb = await request(portal, "POST", "/api/enroll/issue", { cookie, json: { mode: "renew", months: 36, csr: csr.b64,
      countersignature: badcs.toString("base64") } });
    assert.equal(rb.status, 400);

    const done = await request(portal, "POST", "/api/enroll/done", { cookie, json: { serial: nc.serial } });
    assert.equal(done.status, 200, done.text);
    assert.equal(done.json.retired, dd.serial);
    assert.ok(portal.ca.isRevoked(dd.serial));
    const crl = await request(portal, "GET", "/crl/sub.crl");
    const crlText = execFileSync("openssl", ["crl", "-inform", "DER", "-noout", "-text"], { input: crl.buf }).toString();
    assert.ok(crlText.toUpperCase().includes(dd.serial.toUpperCase()));
    // OCSP: the old one revoked, the new one good
    const dir = fs.mkdtempSync(path.join(portal.dir, "ocsp-"));
    fs.writeFileSync(path.join(dir, "new.pem"), parseCert(r.json.cert).x.toString());
    for (const [pem, want] of [[dd.certPath, /revoked/], [path.join(dir, "new.pem"), /: good/]]) {
      execFileSync("openssl", ["ocsp", "-issuer", portal.ca.p("sub.pem"), "-cert", pem, "-reqout", path.join(dir, "req.der"), "-no_nonce"]);
      const req = fs.readFileSync(path.join(dir, "req.der"));
      const resp = await request(portal, "POST", "/ocsp", { body: req });
      fs.writeFileSync(path.join(dir, "resp.der"), resp.buf);
      const out = execFileSync("openssl", ["ocsp", "-respin", path.join(dir, "resp.der"), "-issuer", portal.ca.p("sub.pem"),
        "-cert", pem, "-CAfile", portal.ca.p("root.pem"), "-no_nonce"], { stdio: ["pipe", "pipe", "pipe"] }).toString();
      assert.match(out, want);
    }
    // the session follows the new certificate
    const s = await request(portal, "GET", "/api/session", { cookie });
    assert.equal(s.json.serial, nc.serial);
  });

  it("change: adds the registry's new number, keeps notAfter", async () => {
    const dd = demo(portal);
    const cookie = await login(portal, dd, "change");
    await request(portal, "POST", "/admin/unit", { json: { fundNo: "000123456789" } });
    const page = await request(portal, "GET", "/async/change", { cookie });
    assert.match(page.text, /单位公积金账号/);
    assert.match(page.text, /000123456789/);
    const csr = newCsr(portal.dir);
    const r = await request(portal, "POST", "/api/enroll/issue", { cookie, json: { mode: "change", csr: csr.b64 } });
    assert.equal(r.status, 200, r.text);
    const nc = parseCert(r.json.cert);
    assert.equal(nc.ext[OID.fundNo], "000123456789");
    assert.equal(new Date(nc.x.validTo).getTime(), new Date(dd.notAfter).getTime());
    await request(portal, "POST", "/admin/unit", { json: { fundNo: "" } });
  });
});

describe("seals", () => {
  it("apply → approve → CMS package bound to the certificate → rebind after renewal", async () => {
    const dd = demo(portal);
    const cookie = await login(portal, dd, "seal");
    const page = await request(portal, "GET", "/async/seal", { cookie });
    assert.match(page.text, /未申请印章/);
    const png = fs.readFileSync(new URL("../public/seal-demo.png", import.meta.url));
    const early = await request(portal, "POST", "/api/seal/package", { cookie, json: {} });
    assert.equal(early.status, 400);
    const bad = await request(portal, "POST", "/api/seal/apply", { cookie, json: { image: "data:image/png;base64,AAAA" } });
    assert.equal(bad.status, 400);
    const ap = await request(portal, "POST", "/api/seal/apply", { cookie, json: { image: "data:image/png;base64," + png.toString("base64") } });
    assert.equal(ap.json.status, "pending");
    await request(portal, "POST", "/admin/seal/approve", { json: {} });
    const page2 = await request(portal, "GET", "/async/seal", { cookie });
    assert.match(page2.text, /申请审核通过/);
    const pk = await request(portal, "POST", "/api/seal/package", { cookie, json: { certSerial: dd.serial } });
    assert.equal(pk.status, 200, pk.text);
    const content = portal.ca.verifySeal(Buffer.from(pk.json.package, "base64"));
    assert.equal(content.version, 1);
    assert.equal(content.certSerial, dd.serial);
    assert.equal(content.image, png.toString("base64"));
    // renewal re-binds it
    await request(portal, "POST", "/api/pay", { cookie, json: {} });
    const csr = newCsr(portal.dir);
    const r = await request(portal, "POST", "/api/enroll/issue", { cookie, json: { mode: "renew", months: 12, csr: csr.b64 } });
    const rb = await request(portal, "POST", "/api/seal/rebind", { cookie, json: { package: pk.json.package, certSerial: r.json.serial } });
    assert.equal(rb.status, 200, rb.text);
    assert.equal(portal.ca.verifySeal(Buffer.from(rb.json.package, "base64")).certSerial, r.json.serial);
    // a tampered package is refused
    const t = Buffer.from(pk.json.package, "base64");
    t[t.length - 10] ^= 1;
    const rt = await request(portal, "POST", "/api/seal/rebind", { cookie, json: { package: t.toString("base64"), certSerial: r.json.serial } });
    assert.equal(rt.status, 400);
  });
});

describe("pages", () => {
  it("every page exists in both styles with the portal's Chinese texts", async () => {
    const dd = demo(portal);
    for (const style of ["ie", "async"]) {
      const home = await request(portal, "GET", `/${style}/`);
      for (const t of ["证书更新", "添加证件", "印章申请", "介质解锁", "驱动下载", "021-962600"]) assert.ok(home.text.includes(t), t);
      const cookie = await login(portal, dd);
      const renew = await request(portal, "GET", `/${style}/renew`, { cookie });
      for (const t of ["单位名称", "证书种类名称", "工商注册号", "纳税人识别号", "组织机构代码", "社会保险号", "单位公积金账号",
        "更新有效期", "证书服务收费金额", "收件人", "联系电话", "发票邮寄地址", "邮编", "证书更新中，请不要拔出 usbkey",
        "开通应用更新成功"]) assert.ok(renew.text.includes(t), t);
      assert.equal(renew.text.includes("SafeEngineCtl.SEH_InitialSession"), style === "ie");
      assert.equal(renew.text.includes("new SEH_InitialSession"), style === "async");
      const change = await request(portal, "GET", `/${style}/change`, { cookie });
      for (const t of ["证书签发中", "更新印章", "开通应用"]) assert.ok(change.text.includes(t), t);
      const unlock = await request(portal, "GET", `/${style}/unlock`);
      for (const t of ["介质类型", "证书名称", "证书序列号", "证书有效期", "提交申请"]) assert.ok(unlock.text.includes(t), t);
    }
    const q = await request(portal, "GET", "/renew?style=ie");
    assert.equal(q.status, 302);
    assert.equal(q.headers.location, "/ie/renew");
    const noSession = await request(portal, "GET", "/async/renew");
    assert.equal(noSession.status, 302);
  });
});

describe("server TLS certificate", () => {
  it("covers 127.0.0.1 and issp.sheca.com", () => {
    const x = new crypto.X509Certificate(portal.ca.tls.cert);
    assert.match(x.subjectAltName, /IP Address:127\.0\.0\.1/);
    assert.match(x.subjectAltName, /DNS:issp\.sheca\.com/);
    assert.ok(x.verify(portal.ca.root.publicKey));
  });
});
