// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink authors
// Unlock envelope v1 (host/doc/protocol.md): round trip, a fixed vector,
// an independent check of that vector (Python's cryptography package), and
// the HTTP flow request → approve → response.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import crypto from "node:crypto";
import { after, before, describe, it } from "node:test";

import { eightDigitPin, openResponse, sealResponse } from "../lib/unlock.mjs";
import { request, startPortal } from "./helpers.mjs";

/** A P-256 private key from a fixed scalar (hex). */
function p256(dhex) {
  const e = crypto.createECDH("prime256v1");
  e.setPrivateKey(Buffer.from(dhex, "hex"));
  const p = e.getPublicKey();
  return crypto.createPrivateKey({ format: "jwk", key: { kty: "EC", crv: "P-256",
    d: Buffer.from(dhex, "hex").toString("base64url"),
    x: p.subarray(1, 33).toString("base64url"), y: p.subarray(33).toString("base64url") } });
}

const HOST_D = "11".repeat(32);
const CA_D = "22".repeat(32);
const VECTOR = {
  request: {
    version: 1, tokenSerial: "0123456789ABCDEF", make: { type: 10, name: "十八" },
    cert: { serial: "3A20122100101011" },
    challenge: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
    ephemeralKey: "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEAhfmF/C2RDkoJ4+WmZ5pojpPLBUr321s32bluAKC1O0ZSn3ry5dxLS3aPKhaqHZaVvRfx1hZllLyiXxlMG5XlA==",
  },
  secret: { soPin: "12345678", newPin: "87654321" },
  iv: "a0a1a2a3a4a5a6a7a8a9aaab",
  response: {
    version: 1,
    ephemeralKey: "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE1lqTl3yqPRsIGFL/V6eeRl8WYFdzBLrq1QXdOkhYnPNQGF6JU3LfYiHqOhN1V+Rz/dtnVfBb1QfDxTP86ckShQ==",
    iv: "oKGio6Slpqeoqaqr",
    ciphertext: "J6GEsBrsQufe52KUyENKbBwqpMoTXYpsYblyMdS5N82h9YPi8dwO9w==",
    tag: "S4m7e2Ix1S4tnFLWeWim3A==",
  },
};

describe("unlock envelope", () => {
  it("reproduces the fixed vector byte for byte", () => {
    const r = sealResponse(VECTOR.request, VECTOR.secret, { caKey: p256(CA_D), iv: Buffer.from(VECTOR.iv, "hex") });
    assert.deepEqual(r, VECTOR.response);
    assert.deepEqual(openResponse(VECTOR.request, r, p256(HOST_D)), VECTOR.secret);
  });

  it("the vector opens with an independent implementation (Python cryptography)", (t) => {
    const py = `
import base64, json, sys
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
v = json.load(sys.stdin)
req, resp = v["request"], v["response"]
host = ec.derive_private_key(int(v["hostD"], 16), ec.SECP256R1())
peer = serialization.load_der_public_key(base64.b64decode(resp["ephemeralKey"]))
shared = host.exchange(ec.ECDH(), peer)
ch = base64.b64decode(req["challenge"]); ts = req["tokenSerial"].encode()
key = HKDF(algorithm=hashes.SHA256(), length=32, salt=ch, info=b"UKeyLink unlock v1" + ts).derive(shared)
pt = AESGCM(key).decrypt(base64.b64decode(resp["iv"]), base64.b64decode(resp["ciphertext"]) + base64.b64decode(resp["tag"]), ch + ts)
print(pt.decode())`;
    const out = execFileSync("python3", ["-c", py], { input: JSON.stringify({ ...VECTOR, hostD: HOST_D }) }).toString();
    assert.deepEqual(JSON.parse(out), VECTOR.secret);
  });

  it("round trip with fresh keys; tampering is detected", () => {
    const host = crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const req = { ...VECTOR.request, challenge: crypto.randomBytes(32).toString("base64"),
      ephemeralKey: host.publicKey.export({ format: "der", type: "spki" }).toString("base64") };
    const r = sealResponse(req, { soPin: "so-secret" });
    assert.deepEqual(openResponse(req, r, host.privateKey), { soPin: "so-secret" });
    const bad = { ...r, tag: Buffer.alloc(16).toString("base64") };
    assert.throws(() => openResponse(req, bad, host.privateKey));
    assert.throws(() => openResponse({ ...req, tokenSerial: "other" }, r, host.privateKey), "AAD binds the token serial");
    assert.throws(() => sealResponse({ ...req, ephemeralKey: crypto.generateKeyPairSync("ec", { namedCurve: "secp384r1" })
      .publicKey.export({ format: "der", type: "spki" }).toString("base64") }, { soPin: "x" }), /P-256/);
  });

  it("new PINs have 8 digits", () => {
    for (let i = 0; i < 50; i++) assert.match(eightDigitPin(), /^\d{8}$/);
  });
});

describe("unlock over HTTP", () => {
  let portal;
  before(async () => { portal = await startPortal(); });
  after(() => portal.close());

  it("request → pending → admin approves → the CA's answer opens with the host's key", async () => {
    const host = crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const req = { ...VECTOR.request, tokenSerial: "TOKEN-1", challenge: crypto.randomBytes(32).toString("base64"),
      ephemeralKey: host.publicKey.export({ format: "der", type: "spki" }).toString("base64") };
    const r = await request(portal, "POST", "/api/unlock/request", { json: { request: req } });
    assert.equal(r.status, 200, r.text);
    const id = r.json.id;
    assert.equal((await request(portal, "GET", `/api/unlock/status?id=${id}`)).json.status, "pending");
    const early = await request(portal, "POST", "/api/unlock/response", { json: { id } });
    assert.equal(early.status, 400);
    await request(portal, "POST", "/admin/unlock/approve", { json: { id } });
    const noSo = await request(portal, "POST", "/api/unlock/response", { json: { id } });
    assert.equal(noSo.status, 400, "no SO PIN on record");
    await request(portal, "POST", "/admin/token", { json: { tokenSerial: "TOKEN-1", soPin: "87654321" } });
    const resp = await request(portal, "POST", "/api/unlock/response", { json: { id } });
    assert.equal(resp.status, 200, resp.text);
    assert.deepEqual(openResponse(req, resp.json.response, host.privateKey), { soPin: "87654321" });
    const again = await request(portal, "POST", "/api/unlock/response", { json: { id } });
    assert.equal(again.status, 400, "answered once");
  });
});
