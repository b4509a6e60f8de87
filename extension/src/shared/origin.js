// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

const ORIGIN_RE = /^(https?):\/\/([a-z0-9.-]+|\[[0-9a-f:.]+\])(?::(\d{1,5}))?$/;
const LABEL_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Validates an origin string strictly: `scheme://host[:port]` with nothing
 * else (no path, no trailing slash, no wildcard, no user info, no query).
 * `https` always; `http` only when allowHttp (an origin IT listed
 * explicitly). Returns the normalized origin (lower case, default port
 * dropped) or null.
 *
 * @param {unknown} value
 * @param {{allowHttp?: boolean}} [options]
 * @returns {string | null}
 */
export function parseOrigin(value, options = {}) {
  if (typeof value !== "string" || value.length > 300) return null;
  const s = value.toLowerCase();
  const m = ORIGIN_RE.exec(s);
  if (!m) return null;
  const [, scheme, host, port] = m;
  if (scheme === "http" && !options.allowHttp) return null;
  if (port !== undefined) {
    const n = Number(port);
    if (n < 1 || n > 65535 || port.startsWith("0")) return null;
  }
  if (!host.startsWith("[")) {
    const labels = host.split(".");
    if (labels.some((l) => !LABEL_RE.test(l))) return null;
    if (/^[0-9.]+$/.test(host) && !isIPv4(host)) return null;
  }
  let url;
  try {
    url = new URL(s);
  } catch {
    return null;
  }
  if (url.pathname !== "/" || url.username || url.password) return null;
  return url.origin;
}

/**
 * @param {string} host
 * @returns {boolean}
 */
function isIPv4(host) {
  const parts = host.split(".");
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

/**
 * Validates a list of origins; returns the valid ones (deduplicated, sorted)
 * and the rejected entries.
 *
 * @param {unknown} list
 * @param {{allowHttp?: boolean}} [options]
 * @returns {{origins: string[], rejected: unknown[]}}
 */
export function parseOriginList(list, options = {}) {
  /** @type {Set<string>} */
  const origins = new Set();
  /** @type {unknown[]} */
  const rejected = [];
  if (!Array.isArray(list)) return { origins: [], rejected: list === undefined ? [] : [list] };
  for (const entry of list.slice(0, 1000)) {
    const o = parseOrigin(entry, options);
    if (o) origins.add(o);
    else rejected.push(entry);
  }
  return { origins: [...origins].sort(), rejected };
}

/**
 * The content-script match pattern of an origin. The port is dropped:
 * Firefox never injects for a pattern with a port, and the background checks
 * the exact origin (with port) of every request anyway.
 *
 * @param {string} origin a value returned by parseOrigin
 * @returns {string}
 */
export function originToMatchPattern(origin) {
  const url = new URL(origin);
  return `${url.protocol}//${url.hostname}/*`;
}

export default parseOrigin;
