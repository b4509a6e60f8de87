// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

import config from "./config.js";
import HostError from "./errors/HostError.js";
import InvalidArgumentError from "./errors/InvalidArgumentError.js";
import MessageTooLargeError from "./errors/MessageTooLargeError.js";
import ProtocolError from "./errors/ProtocolError.js";
import jsonSize from "./jsonSize.js";
import { readProgress } from "./progress.js";
import { lookupSeMethod, normalizeIeArgs, normalizeSession } from "./seMethods.js";

/** Actions a page (through the content script) may ask for. */
export const PAGE_ACTIONS = Object.freeze(["hello", "se.call", "se.snapshot", "portal.call"]);

/** Method areas the portal API may call (the host checks capabilities). */
export const PORTAL_AREAS = Object.freeze([
  "host", "reader", "token", "cert", "sign", "se", "enroll", "seal", "unlock",
]);

const HOST_METHOD_RE = /^([a-z]+)\.([A-Za-z][A-Za-z0-9]{0,63})$/;

/**
 * @param {unknown} v
 * @returns {v is Record<string, unknown>}
 */
export function isPlainObject(v) {
  if (!v || typeof v !== "object" || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * @param {Record<string, unknown>} obj
 * @param {readonly string[]} allowed
 * @returns {boolean}
 */
function onlyKeys(obj, allowed) {
  return Object.keys(obj).every((k) => allowed.includes(k));
}

/**
 * @param {unknown} v
 * @param {number} depth
 * @returns {boolean} whether v is JSON data nested at most `depth` levels
 */
function isJsonData(v, depth) {
  if (v === null || typeof v === "string" || typeof v === "boolean") return true;
  if (typeof v === "number") return Number.isFinite(v);
  if (depth <= 0) return false;
  if (Array.isArray(v)) return v.every((x) => isJsonData(x, depth - 1));
  if (isPlainObject(v)) return Object.values(v).every((x) => isJsonData(x, depth - 1));
  return false;
}

/**
 * @typedef {{action: "hello" | "se.snapshot", payload: {}}
 *   | {action: "se.call", payload: {method: string, args: Array<string|number>, session?: Array<string|number>}}
 *   | {action: "portal.call", payload: {method: string, params: Record<string, unknown>}}} PageRequest
 */

/**
 * Validates a request relayed from a page (already JSON-parsed) and returns
 * a normalized copy. Throws InvalidArgumentError / MessageTooLargeError.
 *
 * @param {unknown} msg
 * @returns {PageRequest}
 */
export function validatePageRequest(msg) {
  if (!isPlainObject(msg) || !onlyKeys(msg, ["action", "payload"])) throw new InvalidArgumentError();
  if (jsonSize(msg) > config.PAGE_MESSAGE_MAX_BYTES) throw new MessageTooLargeError();
  const { action } = msg;
  const payload = msg.payload ?? {};
  if (typeof action !== "string" || !PAGE_ACTIONS.includes(action) || !isPlainObject(payload)) {
    throw new InvalidArgumentError();
  }
  switch (action) {
    case "hello":
    case "se.snapshot":
      if (Object.keys(payload).length) throw new InvalidArgumentError();
      return { action, payload: {} };
    case "se.call": {
      if (!onlyKeys(payload, ["method", "args", "session"])) throw new InvalidArgumentError();
      const method = /** @type {string} */ (payload.method);
      const m = lookupSeMethod(method);
      if (!m || m.spec.kind === "local") throw new InvalidArgumentError();
      if (!Array.isArray(payload.args) || payload.args.length > config.MAX_SE_ARGS) throw new InvalidArgumentError();
      const args = normalizeIeArgs(method, payload.args);
      if (!args || args.length !== payload.args.length) throw new InvalidArgumentError();
      if (payload.session === undefined) return { action, payload: { method, args } };
      if (!Array.isArray(payload.session) || payload.session.length !== 7) throw new InvalidArgumentError();
      const session = normalizeSession(payload.session);
      if (!session) throw new InvalidArgumentError();
      return { action, payload: { method, args, session } };
    }
    case "portal.call": {
      if (!onlyKeys(payload, ["method", "params"])) throw new InvalidArgumentError();
      const method = payload.method;
      const params = payload.params ?? {};
      const mm = typeof method === "string" ? HOST_METHOD_RE.exec(method) : null;
      if (!mm || !PORTAL_AREAS.includes(mm[1])) throw new InvalidArgumentError();
      if (!isPlainObject(params) || !isJsonData(params, 15)) throw new InvalidArgumentError();
      return { action, payload: { method: /** @type {string} */ (method), params } };
    }
    default:
      throw new InvalidArgumentError();
  }
}

/**
 * Validates the snapshot shape (host reply, or a copy read back from a cookie
 * or sessionStorage).
 *
 * @param {unknown} s
 * @returns {boolean}
 */
export function isSnapshot(s) {
  if (!isPlainObject(s)) return false;
  if (!Array.isArray(s.devices) || typeof s.pluggedTypeList !== "string" || !Array.isArray(s.certs)) return false;
  return s.certs.every((c) => isPlainObject(c)
    && typeof c.der === "string"
    && isStringMap(c.details)
    && isStringMap(c.oids)
    // The host leaves uniqueId out for a certificate without the SHECA
    // extension; SEH_GetCertUniqueID then answers CERT_UNIQUE_ID.
    && (c.uniqueId === undefined || typeof c.uniqueId === "string")
    && Number.isInteger(c.validDays));
}

/**
 * @param {unknown} v
 * @returns {boolean}
 */
function isStringMap(v) {
  return isPlainObject(v) && Object.values(v).every((x) => typeof x === "string");
}

/** @type {Readonly<Record<string, (r: Record<string, unknown>) => boolean>>} */
const RESULT_VALIDATORS = Object.freeze({
  "host.version": (r) => typeof r.name === "string" && typeof r.version === "string"
    && isPlainObject(r.protocol) && Number.isInteger(r.protocol.major) && Number.isInteger(r.protocol.minor),
  "se.call": (r) => Number.isInteger(r.errorCode)
    && (r.value === null || ["string", "number", "boolean"].includes(typeof r.value)),
  "se.snapshot": (r) => isSnapshot(r),
  "token.list": (r) => Array.isArray(r.tokens) && r.tokens.every((t) => isPlainObject(t) && typeof t.token === "string"),
  "cert.list": (r) => Array.isArray(r.certs) && r.certs.every((c) => isPlainObject(c)
    && typeof c.der === "string" && isPlainObject(c.subject) && typeof c.notAfter === "string"),
  "reader.list": (r) => Array.isArray(r.readers) && r.readers.every((x) => isPlainObject(x) && typeof x.name === "string"),
});

/**
 * Checks a host response for the request it answers. Returns the result or
 * throws: HostError for a well-formed error answer, ProtocolError for
 * anything malformed (missing fields, both or neither of result/error, a
 * result of the wrong shape for the method).
 *
 * @param {string} method the request's method
 * @param {unknown} msg parsed response
 * @returns {Record<string, unknown>}
 */
export function validateHostResponse(method, msg) {
  if (!isPlainObject(msg) || !Number.isSafeInteger(msg.id)) throw new ProtocolError();
  const hasResult = Object.hasOwn(msg, "result");
  const hasError = Object.hasOwn(msg, "error");
  if (hasResult === hasError) throw new ProtocolError();
  if (hasError) {
    const e = msg.error;
    if (!isPlainObject(e) || !Number.isInteger(e.code) || typeof e.name !== "string" || typeof e.message !== "string") {
      throw new ProtocolError();
    }
    throw new HostError(/** @type {any} */ (e));
  }
  const r = msg.result;
  if (!isPlainObject(r)) throw new ProtocolError();
  const check = Object.hasOwn(RESULT_VALIDATORS, method) ? RESULT_VALIDATORS[method] : null;
  if (check && !check(r)) throw new ProtocolError();
  return r;
}

/**
 * Checks an event message from the host: `{"event": "token.inserted", …}`
 * (a progress event also carries the `id` of its running request).
 *
 * @param {unknown} msg
 * @returns {boolean}
 */
export function isHostEvent(msg) {
  return isPlainObject(msg) && !Object.hasOwn(msg, "result") && !Object.hasOwn(msg, "error")
    && typeof msg.event === "string" && /^[a-z]+(\.[a-zA-Z]+)?$/.test(msg.event);
}

/**
 * Checks a host progress event (`{"event": "progress", "id", "done",
 * "total", "stage"}`, protocol.md "Events"): the id of a request (safe
 * integer ≥ 0) and the members readProgress accepts. Returns a copy of
 * just those members, or null (the host is checked like any input).
 *
 * @param {unknown} msg
 * @returns {{event: "progress", id: number} & import("./progress.js").Progress | null}
 */
export function validateProgressEvent(msg) {
  if (!isPlainObject(msg) || msg.event !== "progress" || !Number.isSafeInteger(msg.id) || /** @type {number} */ (msg.id) < 0) return null;
  const p = readProgress(msg);
  return p && { event: "progress", id: /** @type {number} */ (msg.id), ...p };
}

export default validatePageRequest;
