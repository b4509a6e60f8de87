// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

/**
 * Frozen defaults. Units are in the comments. Only the keys listed in
 * OVERRIDABLE can be changed (by managed storage), and only with a value of
 * the same typeof (shared/configManager.js).
 */
const config = Object.freeze({
  /** Native-messaging host name (also in ids.json). */
  NATIVE_HOST_NAME: "cn.sheca.ukeylink",
  /** Protocol major version this extension speaks (host.version handshake). */
  PROTOCOL_MAJOR: 1,
  /** Project prefix of every runtime message action and bridge event. */
  ACTION_PREFIX: "ukeylink:",
  /** Origin sent to the host for the extension's own UI (popup). */
  UI_ORIGIN: "ukeylink:ui",

  /**
   * Bytes (UTF-8) of one browser → host message; the host's default limits.maxRequestBytes.
   * 32 MiB: a 20 MiB document travels as 27 MiB of base64 (the host holds it once).
   */
  NATIVE_MESSAGE_MAX_BYTES: 32 * 1024 * 1024,
  /**
   * Bytes (UTF-8) of request text in one request chunk: a request whose JSON
   * text is larger goes to the host as chunks (protocol.md "Request chunks";
   * Firefox writes one big message in quadratic time). At most the host's
   * 1 MiB per chunk, and at least its 512 KiB for all but the last.
   */
  REQUEST_CHUNK_BYTES: 1024 * 1024 - 4096,
  /** Protocol minor version from which the host takes request chunks (major 1). */
  REQUEST_CHUNKS_MINOR: 1,
  /** Bytes (UTF-8) of one page → extension bridge message. */
  PAGE_MESSAGE_MAX_BYTES: 32 * 1024 * 1024,
  /** Characters of one reassembled chunked host response. */
  REASSEMBLED_MAX_CHARS: 64 * 1024 * 1024,
  /** Chunks of one chunked host response. */
  MAX_CHUNKS: 128,
  /** Arguments of one SafeEngine call. */
  MAX_SE_ARGS: 16,
  /**
   * Progress events passed on for one request; later ones are dropped. The
   * host sends one per request chunk (≤ 129 at its 64 MiB maximum) and one
   * per 256 KiB downloaded (≤ 1024 at its 256 MiB cap): a host that sends
   * more cannot make the background queue messages to the tab without end.
   */
  MAX_PROGRESS_EVENTS: 2048,

  /** Milliseconds for the host.version handshake. */
  HANDSHAKE_TIMEOUT: 5000,
  /** Milliseconds for an ordinary request (read certificates, list tokens). */
  REQUEST_TIMEOUT: 30000,
  /** Milliseconds for token operations (PIN entry on pinpads, signing). */
  TOKEN_TIMEOUT: 120000,
  /** Milliseconds for enroll.* / seal.* / unlock.* (key generation, downloads). */
  LONG_TIMEOUT: 600000,
  /** Milliseconds between reconnect attempts after the host exits. */
  RECONNECT_DELAYS: Object.freeze([1000, 3000, 10000]),

  /** PIN-bearing calls allowed per tab within PIN_WINDOW. */
  PIN_ATTEMPTS_MAX: 5,
  /** Milliseconds of the PIN rate-limit window. */
  PIN_WINDOW: 60000,

  /** Days before notAfter from which the popup badge warns (portal renews 3 months ahead). */
  EXPIRY_WARNING_DAYS: 90,
  /** Minutes between background expiry checks (alarms). */
  EXPIRY_CHECK_MINUTES: 720,

  /** Runs of one suspended handler (first run + replays) before giving up. */
  MAX_RUNS: 8,

  /** Origins that always get the page APIs and the portal API. */
  DEFAULT_PORTAL_ORIGINS: Object.freeze(["https://issp.sheca.com", "https://issp.shcca.com"]),

  /** Name prefix of the snapshot cookies (ukeylink_s0 …, ukeylink_sn = count). */
  SNAPSHOT_COOKIE_PREFIX: "ukeylink_s",
  /** Characters of one snapshot cookie value. */
  SNAPSHOT_COOKIE_CHUNK: 3800,
  /**
   * Cookies of one snapshot. Kept small: the site's server receives them
   * in every request's Cookie header, which servers often cap at 8 KB.
   */
  SNAPSHOT_COOKIE_MAX: 2,
  /** Seconds a snapshot cookie lives. */
  SNAPSHOT_COOKIE_MAX_AGE: 600,

  // Overridable by managed storage (same typeof only):
  /** Portal page where certificates are renewed. */
  portalUrl: "https://issp.sheca.com/",
  /** Where users get the native application. */
  helpUrl: "https://issp.sheca.com/",
  /** One of "error", "warn", "info", "debug". */
  logLevel: "warn",
});

/** Keys managed storage may override. */
export const OVERRIDABLE = Object.freeze(["portalUrl", "helpUrl", "logLevel"]);

export default config;
