// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink authors
// The replica's test CA: a root, an issuing CA for "法人一证通" certificates,
// a seal-signing certificate and the server's TLS certificate. Everything
// goes through the openssl command (openssl ca keeps an index, so revocation,
// CRLs and OCSP come for free).

import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

import { OID } from "./oids.mjs";

const CA_CNF = `[ca]
default_ca = issuing
[issuing]
dir = DIR
database = DIR/index.txt
new_certs_dir = DIR/newcerts
serial = DIR/serial
crlnumber = DIR/crlnumber
default_md = sha256
default_crl_days = 30
policy = anything
unique_subject = no
copy_extensions = none
[anything]
countryName = optional
stateOrProvinceName = optional
localityName = optional
organizationName = optional
organizationalUnitName = optional
commonName = supplied
emailAddress = optional
[root_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[sub_ext]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[seal_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = emailProtection
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ocsp_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = OCSPSigning
[server_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:issp.sheca.com, DNS:issp.shcca.com, DNS:localhost
`;

function run(args, opts = {}) {
  try {
    return execFileSync("openssl", args, { stdio: ["pipe", "pipe", "pipe"], ...opts });
  } catch (e) {
    throw new Error(`openssl ${args[0]} failed: ${e.stderr?.toString() || e.message}`);
  }
}

/** Escapes one RDN value for openssl's -subj syntax. */
function rdn(v) {
  return String(v).replace(/[\\/+,=]/g, (c) => "\\" + c);
}

/** YYYYMMDDHHMMSSZ for openssl ca -startdate/-enddate. */
export function asn1Time(d) {
  return d.toISOString().replace(/[-:T]/g, "").slice(0, 14) + "Z";
}

export function randomSerial() {
  // SHECA-like: 16 hex digits, first nibble non-zero
  return (crypto.randomInt(1, 16).toString(16) + crypto.randomBytes(8).toString("hex").slice(1)).toUpperCase();
}

export class TestCA {
  constructor(dir) {
    this.dir = path.resolve(dir);
    this.p = (f) => path.join(this.dir, f);
  }

  /** Creates the CA in dir (or loads it when it is already there). */
  init() {
    const p = this.p;
    fs.mkdirSync(p("newcerts"), { recursive: true });
    fs.writeFileSync(p("ca.cnf"), CA_CNF.replaceAll("DIR", this.dir));
    if (!fs.existsSync(p("root.pem"))) {
      fs.writeFileSync(p("index.txt"), "");
      fs.writeFileSync(p("crlnumber"), "1000\n");
      const cnf = p("ca.cnf");
      run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", p("root.key"), "-out", p("root.pem"),
        "-days", "7300", "-utf8", "-subj", "/C=CN/O=UKeyLink 测试/CN=UKeyLink 测试根CA",
        "-config", cnf, "-extensions", "root_ext"]);
      this._signed("sub", "/C=CN/O=UKeyLink 测试/CN=UKeyLink 测试 SHECA 法人一证通 CA", "sub_ext", 3650);
      this._signed("seal", "/C=CN/O=UKeyLink 测试/CN=UKeyLink 测试电子印章签发", "seal_ext", 3650);
      this._signed("ocsp", "/C=CN/O=UKeyLink 测试/CN=UKeyLink 测试 OCSP", "ocsp_ext", 3650, "sub");
      this._signed("server", "/C=CN/O=UKeyLink 测试/CN=issp.sheca.com", "server_ext", 825);
      fs.writeFileSync(p("chain.pem"), fs.readFileSync(p("sub.pem")) + fs.readFileSync(p("root.pem")));
    }
    this.rootPem = fs.readFileSync(p("root.pem"), "utf8");
    this.subPem = fs.readFileSync(p("sub.pem"), "utf8");
    this.root = new crypto.X509Certificate(this.rootPem);
    this.sub = new crypto.X509Certificate(this.subPem);
    this.sealPem = fs.readFileSync(p("seal.pem"), "utf8");
    this.tls = { key: fs.readFileSync(p("server.key")), cert: fs.readFileSync(p("server.pem")) };
    return this;
  }

  /** A key + certificate issued by the root (or by issuer). */
  _signed(name, subj, ext, days, issuer = "root") {
    const p = this.p;
    run(["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", p(name + ".key"), "-out", p(name + ".csr"),
      "-utf8", "-subj", subj]);
    fs.writeFileSync(p("serial"), randomSerial() + "\n");
    run(["ca", "-batch", "-config", p("ca.cnf"), "-cert", p(issuer + ".pem"), "-keyfile", p(issuer + ".key"),
      "-in", p(name + ".csr"), "-out", p(name + ".pem"), "-utf8", "-subj", subj, "-days", String(days),
      "-extfile", p("ca.cnf"), "-extensions", ext, "-notext"]);
  }

  /**
   * Issues a "法人一证通" certificate from a PKCS#10 request. The subject and
   * the registry numbers come from the CA's records (unit), never from the
   * request. Returns {pem, der (Buffer), serial, notBefore, notAfter}.
   */
  issue({ csr, unit, days, notAfter, notBefore, serial }) {
    const p = this.p;
    const csrPem = Buffer.isBuffer(csr) ? derToPem(csr, "CERTIFICATE REQUEST")
      : csr.includes("BEGIN") ? csr : derToPem(Buffer.from(csr, "base64"), "CERTIFICATE REQUEST");
    const tmp = fs.mkdtempSync(path.join(this.dir, "iss-"));
    try {
      fs.writeFileSync(path.join(tmp, "req.pem"), csrPem);
      // proof of possession: the request must verify with its own key
      run(["req", "-in", path.join(tmp, "req.pem"), "-noout", "-verify"]);
      const lines = ["[leaf]", "basicConstraints = critical, CA:FALSE",
        "keyUsage = critical, digitalSignature, nonRepudiation, keyEncipherment",
        "extendedKeyUsage = clientAuth, emailProtection",
        "subjectKeyIdentifier = hash", "authorityKeyIdentifier = keyid",
        "certificatePolicies = 1.2.156.112570.1.1.3"];
      for (const [field, oid] of Object.entries(OID)) {
        const v = unit[field];
        if (v) lines.push(`${oid} = ASN1:UTF8String:${v}`);
      }
      fs.writeFileSync(path.join(tmp, "ext.cnf"), lines.join("\n") + "\n");
      const sn = serial || randomSerial();
      fs.writeFileSync(p("serial"), sn + "\n");
      const start = notBefore || new Date(Date.now() - 60_000);
      const end = notAfter || new Date(start.getTime() + days * 86400_000);
      const subj = `/C=CN/ST=上海/L=上海/O=${rdn(unit.name)}/OU=${rdn(unit.kind || "一证通企业身份证书")}/CN=${rdn(unit.name)}`;
      run(["ca", "-batch", "-config", p("ca.cnf"), "-cert", p("sub.pem"), "-keyfile", p("sub.key"),
        "-in", path.join(tmp, "req.pem"), "-out", path.join(tmp, "cert.pem"), "-utf8", "-subj", subj,
        "-startdate", asn1Time(start), "-enddate", asn1Time(end),
        "-extfile", path.join(tmp, "ext.cnf"), "-extensions", "leaf", "-notext"]);
      const pem = fs.readFileSync(path.join(tmp, "cert.pem"), "utf8");
      const x = new crypto.X509Certificate(pem);
      return { pem, der: x.raw, serial: x.serialNumber, notBefore: x.validFrom, notAfter: x.validTo };
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }

  /** Marks a certificate revoked (superseded by default) in the index. */
  revoke(certPem, reason = "superseded") {
    const tmp = this.p("revoke-" + crypto.randomBytes(4).toString("hex") + ".pem");
    fs.writeFileSync(tmp, certPem);
    try {
      run(["ca", "-config", this.p("ca.cnf"), "-cert", this.p("sub.pem"), "-keyfile", this.p("sub.key"),
        "-revoke", tmp, "-crl_reason", reason]);
    } finally { fs.rmSync(tmp, { force: true }); }
  }

  /** True when the index lists this serial (hex) as revoked. */
  isRevoked(serialHex) {
    const idx = fs.readFileSync(this.p("index.txt"), "utf8");
    const want = serialHex.toUpperCase().replace(/^0+/, "");
    return idx.split("\n").some((l) => {
      const f = l.split("\t");
      return f[0] === "R" && f[3]?.toUpperCase().replace(/^0+/, "") === want;
    });
  }

  /** DER CRL of the issuing CA. */
  crl() {
    const out = this.p("sub.crl.pem");
    run(["ca", "-config", this.p("ca.cnf"), "-cert", this.p("sub.pem"), "-keyfile", this.p("sub.key"),
      "-gencrl", "-out", out]);
    return run(["crl", "-in", out, "-outform", "DER"]);
  }

  /** Answers a DER OCSP request for certificates of the issuing CA. */
  ocsp(reqDer) {
    const tmp = fs.mkdtempSync(path.join(this.dir, "ocsp-"));
    try {
      fs.writeFileSync(path.join(tmp, "req.der"), reqDer);
      run(["ocsp", "-index", this.p("index.txt"), "-CA", this.p("sub.pem"), "-rsigner", this.p("ocsp.pem"),
        "-rkey", this.p("ocsp.key"), "-reqin", path.join(tmp, "req.der"), "-respout", path.join(tmp, "resp.der"),
        "-nmin", "60"]);
      return fs.readFileSync(path.join(tmp, "resp.der"));
    } finally { fs.rmSync(tmp, { recursive: true, force: true }); }
  }

  /**
   * Seal package (protocol.md): CMS SignedData, attached, signed by the seal
   * certificate, content JSON {version, certSerial, name, image, issuedAt}.
   */
  signSeal({ certSerial, name, image }) {
    const content = JSON.stringify({ version: 1, certSerial: certSerial.toUpperCase(), name, image,
      issuedAt: new Date().toISOString() });
    return run(["cms", "-sign", "-signer", this.p("seal.pem"), "-inkey", this.p("seal.key"),
      "-certfile", this.p("chain.pem"), "-outform", "DER", "-nodetach", "-binary", "-md", "sha256"],
    { input: content });
  }

  /** Verifies a seal package against the root; returns the parsed content. */
  verifySeal(der) {
    const out = run(["cms", "-verify", "-inform", "DER", "-CAfile", this.p("root.pem"), "-purpose", "any"],
      { input: der });
    return JSON.parse(out.toString("utf8"));
  }
}

export function derToPem(der, label) {
  const b64 = Buffer.from(der).toString("base64").replace(/(.{64})/g, "$1\n").replace(/\n$/, "");
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}
