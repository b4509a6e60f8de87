// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink authors
// Minimal DER reader: enough to pull X.509 extensions and PKCS#10 fields
// that node:crypto does not expose.

/** Reads one TLV at off; returns {tag, len, hdr, start, end}. */
export function tlv(buf, off) {
  if (off + 2 > buf.length) throw new Error("DER: truncated header");
  const tag = buf[off];
  let len = buf[off + 1];
  let hdr = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n < 1 || n > 4 || off + 2 + n > buf.length) throw new Error("DER: bad length");
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[off + 2 + i];
    hdr += n;
  }
  const start = off + hdr;
  if (start + len > buf.length) throw new Error("DER: truncated value");
  return { tag, len, hdr, start, end: start + len };
}

/** Children of a constructed TLV. */
export function children(buf, t) {
  const out = [];
  for (let off = t.start; off < t.end;) {
    const c = tlv(buf, off);
    out.push(c);
    off = c.end;
  }
  return out;
}

export function oidToString(bytes) {
  const parts = [Math.floor(bytes[0] / 40), bytes[0] % 40];
  let v = 0;
  for (let i = 1; i < bytes.length; i++) {
    v = v * 128 + (bytes[i] & 0x7f);
    if (!(bytes[i] & 0x80)) { parts.push(v); v = 0; }
  }
  return parts.join(".");
}

/** Decodes a string-ish DER value; unwraps one OCTET STRING layer. */
export function decodeText(buf) {
  if (buf.length === 0) return "";
  let t;
  try { t = tlv(buf, 0); } catch { return buf.toString("utf8"); }
  if (t.end !== buf.length) return buf.toString("utf8");
  const v = buf.subarray(t.start, t.end);
  switch (t.tag) {
    case 0x04: return decodeText(v);              // OCTET STRING wrapper
    case 0x0c: case 0x13: case 0x16: case 0x14: case 0x1a: return v.toString("utf8");
    case 0x1e: {                                  // BMPString
      let s = "";
      for (let i = 0; i + 1 < v.length; i += 2) s += String.fromCharCode(v.readUInt16BE(i));
      return s;
    }
    default: return v.toString("hex");
  }
}

/** Map oid → text value of every extension of a DER certificate. */
export function certExtensions(der) {
  const cert = tlv(der, 0);
  const [tbs] = children(der, cert);
  const out = {};
  for (const f of children(der, tbs)) {
    if (f.tag !== 0xa3) continue;
    const [seq] = children(der, f);
    for (const ext of children(der, seq)) {
      const parts = children(der, ext);
      const oid = oidToString(der.subarray(parts[0].start, parts[0].end));
      const val = parts[parts.length - 1];
      out[oid] = decodeText(der.subarray(val.start, val.end));
    }
  }
  return out;
}

/** The SubjectPublicKeyInfo DER of a PKCS#10 request (DER). */
export function csrPublicKey(der) {
  const req = tlv(der, 0);
  const [info] = children(der, req);
  const f = children(der, info);
  return der.subarray(f[2].start - f[2].hdr, f[2].end);
}
