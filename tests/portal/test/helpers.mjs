// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink authors
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import https from "node:https";
import os from "node:os";
import path from "node:path";

import { Portal } from "../lib/app.mjs";
import { demoUnit, issueDemoCert } from "../lib/demo.mjs";

/** One CA for the whole test process (key generation is the slow part). */
let shared;
export async function startPortal() {
  if (!shared) shared = fs.mkdtempSync(path.join(os.tmpdir(), "ukeylink-portal-test-"));
  const dir = fs.mkdtempSync(path.join(shared, "p-"));
  // reuse the CA between portals of one run
  const caDir = path.join(shared, "ca");
  if (fs.existsSync(caDir)) fs.cpSync(caDir, path.join(dir, "ca"), { recursive: true });
  const portal = new Portal({ dir });
  if (!fs.existsSync(caDir)) fs.cpSync(path.join(dir, "ca"), caDir, { recursive: true });
  await portal.listen(0);
  return portal;
}

export function demo(portal, opts) {
  return issueDemoCert(portal.ca, demoUnit(), fs.mkdtempSync(path.join(portal.dir, "demo-")), opts);
}

/** HTTPS request trusting the portal's root. */
export function request(portal, method, p, { body, json, cookie, form } = {}) {
  return new Promise((resolve, reject) => {
    const headers = {};
    let data;
    if (json !== undefined) { data = JSON.stringify(json); headers["Content-Type"] = "application/json"; }
    if (form !== undefined) { data = new URLSearchParams(form).toString(); headers["Content-Type"] = "application/x-www-form-urlencoded"; }
    if (body !== undefined) data = body;
    if (cookie) headers.Cookie = cookie;
    const req = https.request({ host: "127.0.0.1", port: portal.port, method, path: p, headers,
      ca: portal.ca.rootPem, servername: "issp.sheca.com" }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const buf = Buffer.concat(chunks);
        let parsed;
        try { parsed = JSON.parse(buf.toString("utf8")); } catch { parsed = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, text: buf.toString("utf8"), buf, json: parsed });
      });
    });
    req.on("error", reject);
    if (data !== undefined) req.write(data);
    req.end();
  });
}

/** Signs like SEH_SignData(data, 3): SHA1withRSA over the UTF-8 bytes. */
export function seSign(keyPath, data) {
  return crypto.sign("sha1", Buffer.from(data, "utf8"), fs.readFileSync(keyPath)).toString("base64");
}

/** Logs in to the portal with a key file; returns the session cookie. */
export async function login(portal, d, next = "renew") {
  const page = await request(portal, "GET", `/async/login?next=${next}`);
  const random = /name="random" value="([0-9A-F]+)"/.exec(page.text)[1];
  const r = await request(portal, "POST", "/login", { form: {
    random, cert: d.der.toString("base64"), signed: seSign(d.keyPath, random), method: "3", next, style: "async" } });
  if (r.status !== 302) throw new Error("login failed: " + r.status + " " + r.text.slice(0, 500));
  return r.headers["set-cookie"][0].split(";")[0];
}

/** A fresh RSA key and a PKCS#10 request (base64 DER) for it. */
export function newCsr(dir) {
  const key = path.join(dir, "new-" + crypto.randomBytes(3).toString("hex") + ".pem");
  execFileSync("openssl", ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key], { stdio: "pipe" });
  const der = execFileSync("openssl", ["req", "-new", "-key", key, "-subj", "/CN=whatever", "-outform", "DER"], { stdio: "pipe" });
  return { key, der, b64: der.toString("base64") };
}
