// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink authors
// The demo unit in the replica's "法人库" and its first certificate.

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

/** The demo legal entity. The first certificate lacks fundNo (the change flow adds it). */
export function demoUnit() {
  return {
    name: "上海UKeyLink演示有限公司",
    kind: "一证通企业身份证书",
    regNo: "310000000123456",
    taxNo: "91310000MA1K000017",
    orgCode: "91310000MA1K000017",
    socialNo: "31000012345678",
    fundNo: "",
    uniqueId: "SH3100000012345678",   // SHECA unique id of the holder (SEH_GetCertUniqueID)
    certIndex: 2,             // second 法人一证通 of the unit: renewal asks for payment
  };
}

/**
 * Makes an RSA key (PKCS#8 PEM) and a certificate issued by ca for unit;
 * writes key.pem, cert.pem, cert.der into outDir. Returns the issued record.
 */
export function issueDemoCert(ca, unit, outDir, { days = 80, omit = ["fundNo"] } = {}) {
  fs.mkdirSync(outDir, { recursive: true });
  const key = path.join(outDir, "key.pem");
  const csr = path.join(outDir, "req.pem");
  execFileSync("openssl", ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key],
    { stdio: "pipe" });
  execFileSync("openssl", ["req", "-new", "-key", key, "-out", csr, "-subj", "/CN=demo"], { stdio: "pipe" });
  const u = { ...unit };
  for (const f of omit) u[f] = "";
  const r = ca.issue({ csr: fs.readFileSync(csr, "utf8"), unit: u, days,
    notBefore: new Date(Date.now() - (1095 - days) * 86400_000),
    notAfter: new Date(Date.now() + days * 86400_000) });
  fs.writeFileSync(path.join(outDir, "cert.pem"), r.pem);
  fs.writeFileSync(path.join(outDir, "cert.der"), r.der);
  fs.rmSync(csr, { force: true });
  return { ...r, keyPath: key, certPath: path.join(outDir, "cert.pem") };
}
