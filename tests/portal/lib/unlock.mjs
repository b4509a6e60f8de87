// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink authors
// The CA side of the unlock envelope v1 (host/doc/protocol.md, "Unlock
// envelope"): ECDH P-256 between the host's ephemeral key and a fresh CA
// ephemeral key → HKDF-SHA256(salt = challenge, info = "UKeyLink unlock v1"
// ‖ tokenSerial) → AES-256-GCM key; AAD = challenge ‖ tokenSerial;
// plaintext {"soPin": "…", "newPin"?: "…"}.

import crypto from "node:crypto";

export const INFO_PREFIX = "UKeyLink unlock v1";

/** The 32-byte AES key from a shared secret. */
export function deriveKey(shared, challenge, tokenSerial) {
  const info = Buffer.concat([Buffer.from(INFO_PREFIX, "utf8"), Buffer.from(tokenSerial, "utf8")]);
  return Buffer.from(crypto.hkdfSync("sha256", shared, challenge, info, 32));
}

function ecdh(privateKey, spkiB64) {
  const pub = crypto.createPublicKey({ key: Buffer.from(spkiB64, "base64"), format: "der", type: "spki" });
  if (pub.asymmetricKeyType !== "ec" || pub.asymmetricKeyDetails?.namedCurve !== "prime256v1")
    throw new Error("unlock: ephemeralKey must be a P-256 public key");
  return crypto.diffieHellman({ privateKey, publicKey: pub });
}

/**
 * Builds the CA's answer to an unlock request.
 * opts.caKey / opts.iv pin the randomness (test vectors only).
 */
export function sealResponse(request, secret, opts = {}) {
  if (request?.version !== 1) throw new Error("unlock: request.version must be 1");
  const challenge = Buffer.from(request.challenge, "base64");
  if (challenge.length < 16) throw new Error("unlock: challenge too short");
  const caKey = opts.caKey || crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey;
  const key = deriveKey(ecdh(caKey, request.ephemeralKey), challenge, request.tokenSerial);
  const iv = opts.iv || crypto.randomBytes(12);
  const c = crypto.createCipheriv("aes-256-gcm", key, iv);
  c.setAAD(Buffer.concat([challenge, Buffer.from(request.tokenSerial, "utf8")]));
  const plain = {};
  plain.soPin = secret.soPin;
  if (secret.newPin) plain.newPin = secret.newPin;
  const ct = Buffer.concat([c.update(JSON.stringify(plain), "utf8"), c.final()]);
  const spki = crypto.createPublicKey(caKey).export({ format: "der", type: "spki" });
  return {
    version: 1,
    ephemeralKey: spki.toString("base64"),
    iv: iv.toString("base64"),
    ciphertext: ct.toString("base64"),
    tag: c.getAuthTag().toString("base64"),
  };
}

/** The host's side, for tests: opens a response with the host's private key. */
export function openResponse(request, response, hostKey) {
  const challenge = Buffer.from(request.challenge, "base64");
  const key = deriveKey(ecdh(hostKey, response.ephemeralKey), challenge, request.tokenSerial);
  const d = crypto.createDecipheriv("aes-256-gcm", key, Buffer.from(response.iv, "base64"));
  d.setAAD(Buffer.concat([challenge, Buffer.from(request.tokenSerial, "utf8")]));
  d.setAuthTag(Buffer.from(response.tag, "base64"));
  const pt = Buffer.concat([d.update(Buffer.from(response.ciphertext, "base64")), d.final()]);
  return JSON.parse(pt.toString("utf8"));
}

/** Fresh 8-digit PIN (the portal resets to 8 digits). */
export function eightDigitPin() {
  return String(crypto.randomInt(0, 100_000_000)).padStart(8, "0");
}
