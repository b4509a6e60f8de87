// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

import config from "./config.js";
import { isSnapshot } from "./validation.js";

/**
 * The snapshot travels to legacy pages early through cookies that the
 * background sets and the MAIN-world script reads synchronously through
 * document.cookie (reference/legacy-replay.md: the only channel that beats
 * top-level inline scripts). Value: base64url of the UTF-8 JSON, split into
 * cookies `ukeylink_s0` … and the count in `ukeylink_sn`. Only certificate
 * data (public) and device types travel — never a PIN.
 */

/**
 * @param {string} text
 * @returns {string}
 */
function toBase64Url(text) {
  const bytes = new TextEncoder().encode(text);
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * @param {string} b64url
 * @returns {string | null}
 */
function fromBase64Url(b64url) {
  if (!/^[A-Za-z0-9_-]*$/.test(b64url)) return null;
  try {
    const bin = atob(b64url.replace(/-/g, "+").replace(/_/g, "/"));
    return new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
  } catch {
    return null;
  }
}

/**
 * Cookies (name/value) carrying a snapshot. When it does not fit in
 * SNAPSHOT_COOKIE_MAX cookies, only the first certificate travels; when even
 * that does not fit, none (the page then waits for the async snapshot).
 *
 * @param {import("./snapshot.js").Snapshot} snapshot
 * @returns {Array<{name: string, value: string}>}
 */
export function encodeSnapshotCookies(snapshot) {
  const max = config.SNAPSHOT_COOKIE_MAX * config.SNAPSHOT_COOKIE_CHUNK;
  let value = toBase64Url(JSON.stringify(snapshot));
  if (value.length > max && snapshot.certs.length > 1) {
    // Too large: keep the first token's signing certificate only.
    value = toBase64Url(JSON.stringify({ ...snapshot, certs: snapshot.certs.slice(0, 1) }));
  }
  if (value.length > max) return [];
  const n = Math.max(1, Math.ceil(value.length / config.SNAPSHOT_COOKIE_CHUNK));
  const out = [{ name: `${config.SNAPSHOT_COOKIE_PREFIX}n`, value: String(n) }];
  for (let i = 0; i < n; i++) {
    out.push({ name: config.SNAPSHOT_COOKIE_PREFIX + i, value: value.slice(i * config.SNAPSHOT_COOKIE_CHUNK, (i + 1) * config.SNAPSHOT_COOKIE_CHUNK) });
  }
  return out;
}

/**
 * Names of every cookie encodeSnapshotCookies may set (to remove stale ones).
 *
 * @returns {string[]}
 */
export function snapshotCookieNames() {
  return [`${config.SNAPSHOT_COOKIE_PREFIX}n`,
    ...Array.from({ length: config.SNAPSHOT_COOKIE_MAX }, (_, i) => config.SNAPSHOT_COOKIE_PREFIX + i)];
}

/**
 * Reads a snapshot back from a document.cookie string. The page could have
 * written these cookies itself: the result is shape-checked and only ever
 * used for read-only answers to that same page.
 *
 * @param {string} cookieString
 * @returns {import("./snapshot.js").Snapshot | null}
 */
export function decodeSnapshotCookies(cookieString) {
  /** @type {Record<string, string>} */
  const jar = {};
  for (const part of String(cookieString).split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (name.startsWith(config.SNAPSHOT_COOKIE_PREFIX)) jar[name] = part.slice(eq + 1).trim();
  }
  const n = Number(jar[`${config.SNAPSHOT_COOKIE_PREFIX}n`]);
  if (!Number.isInteger(n) || n < 1 || n > config.SNAPSHOT_COOKIE_MAX) return null;
  let value = "";
  for (let i = 0; i < n; i++) {
    const v = jar[config.SNAPSHOT_COOKIE_PREFIX + i];
    if (typeof v !== "string") return null;
    value += v;
  }
  const text = fromBase64Url(value);
  if (text === null) return null;
  try {
    const s = JSON.parse(text);
    return isSnapshot(s) ? s : null;
  } catch {
    return null;
  }
}

export default encodeSnapshotCookies;
