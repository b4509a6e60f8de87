// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink authors
// What the replica's login endpoints check: the certificate chains to the
// test CA, is within its validity and not revoked, and the signature over
// the server's random verifies with the certificate's key.

import crypto from "node:crypto";

import { certExtensions } from "./der.mjs";

const HASH_BY_METHOD = { 3: "sha1", 4: "sha256", sha1: "sha1", sha256: "sha256" };

/** Parses a base64 DER (or PEM) certificate; throws a readable error. */
export function parseCert(b64) {
  const s = String(b64 || "").trim();
  if (!s) throw new Error("没有证书 (empty certificate)");
  const der = s.includes("BEGIN") ? new crypto.X509Certificate(s).raw : Buffer.from(s.replace(/\s+/g, ""), "base64");
  const x = new crypto.X509Certificate(der);
  return { x, der, ext: certExtensions(der), subject: parseDn(x.subject), serial: x.serialNumber };
}

/** "C=CN\nO=…" (node's form) → {C, O, …}. */
export function parseDn(s) {
  const out = {};
  for (const line of s.split("\n")) {
    const i = line.indexOf("=");
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/** Checks chain, dates and revocation. Returns null or a Chinese reason. */
export function checkCert(ca, c, now = new Date()) {
  if (!c.x.checkIssued(ca.sub) || !c.x.verify(ca.sub.publicKey)) return "证书不是由本CA签发 (chain)";
  if (!ca.sub.verify(ca.root.publicKey)) return "证书链错误";
  if (now < new Date(c.x.validFrom)) return "证书尚未生效";
  if (now > new Date(c.x.validTo)) return "证书已过期";
  if (ca.isRevoked(c.serial)) return "证书已废除";
  return null;
}

/**
 * Verifies a SafeEngine signature (SEH_SignData(data, method)): PKCS#1 v1.5
 * over the UTF-8 bytes of the data string. Method 3 = SHA1withRSA.
 */
export function verifySignature(c, data, sigB64, method = 3) {
  const hash = HASH_BY_METHOD[method];
  if (!hash) return false;
  const sig = Buffer.from(String(sigB64 || "").replace(/\s+/g, ""), "base64");
  if (!sig.length) return false;
  try {
    return crypto.verify(hash, Buffer.from(String(data), "utf8"), c.x.publicKey, sig);
  } catch {
    return false;
  }
}
