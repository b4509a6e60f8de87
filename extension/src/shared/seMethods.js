// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

/**
 * THE table of SafeEngine methods (both prefixes SEH_ and ESE_). Everything
 * that maps, validates or answers a SafeEngine call reads this table; the
 * table in README.md is generated from the same facts.
 *
 * - own:      names of the method's own arguments, in the order the
 *             synchronous (IE) object receives them.
 * - numeric:  own arguments converted to integers ("3" → 3, "0xa" → 10).
 * - asyncOwn: own arguments of the async form (`new SEH_x(7 session args,
 *             …asyncOwn, flag)`) when they differ from `own`; `fromSession`
 *             names the IE arguments filled from the session arguments.
 * - kind:     how the synchronous object answers:
 *             "snapshot" read-only, from the token snapshot (host on a miss),
 *             "token"    needs the token/host: suspend and replay,
 *             "post"     sent without waiting, ErrorCode 0 at once,
 *             "local"    computed in the page.
 * - cap:      host capability the call needs (protocol.md).
 * - pin:      own arguments that carry a PIN (rate limit, never logged).
 * - session:  the async form sends its seven session arguments along, so
 *             the host opens (or reuses) the token session first. Methods
 *             that only parse data (certificate fields, digests) do not.
 *
 * @typedef {"snapshot" | "token" | "post" | "local"} SeKind
 * @typedef {object} SeMethodSpec
 * @property {readonly string[]} own
 * @property {readonly number[]} numeric
 * @property {readonly string[]} [asyncOwn]
 * @property {readonly string[]} [fromSession]
 * @property {SeKind} kind
 * @property {"read" | "sign"} cap
 * @property {readonly number[]} [pin]
 * @property {boolean} [session]
 */

/** Names of the seven SEH_InitialSession arguments, in order. */
export const SESSION_ARGS = Object.freeze([
  "devType", "devParam", "pin", "timeout", "chainDevType", "chainDevParam", "chainPwd",
]);
/** Indexes of the numeric session arguments. */
export const SESSION_NUMERIC = Object.freeze([0, 3, 4]);

/** @type {Readonly<Record<string, SeMethodSpec>>} */
export const SE_METHODS = Object.freeze({
  InitialSession: { own: SESSION_ARGS, numeric: SESSION_NUMERIC, asyncOwn: [],
    fromSession: SESSION_ARGS, kind: "token", cap: "sign", pin: [2, 6] },
  ClearSession: { own: [], numeric: [], kind: "post", cap: "sign" },
  SetConfiguration: { own: ["mode"], numeric: [0], kind: "post", cap: "read" },
  GetSelfCertificate: { own: ["devType", "devParam", "pwd"], numeric: [0], asyncOwn: [],
    fromSession: ["devType", "devParam", "pin"], kind: "snapshot", cap: "read", session: true, pin: [2] },
  GetCertDetail: { own: ["cert", "itemNo"], numeric: [1], kind: "snapshot", cap: "read" },
  GetCertInfoByOID: { own: ["cert", "oid"], numeric: [], kind: "snapshot", cap: "read" },
  GetCertUniqueID: { own: ["cert"], numeric: [], kind: "snapshot", cap: "read" },
  GetCertValidDate: { own: ["cert"], numeric: [], kind: "snapshot", cap: "read" },
  VerifyCertificate: { own: ["cert"], numeric: [], kind: "token", cap: "read" },
  SignData: { own: ["data", "method"], numeric: [1], kind: "token", cap: "sign", session: true },
  VerifySignData: { own: ["data", "method", "signature", "cert"], numeric: [1], kind: "token", cap: "read" },
  ChangePassword: { own: ["devType", "devParam", "oldPin", "newPin"], numeric: [0],
    asyncOwn: ["oldPin", "newPin"], fromSession: ["devType", "devParam"], kind: "token", cap: "sign", pin: [2, 3] },
  GenRandomBytes: { own: ["length"], numeric: [0], kind: "token", cap: "read" },
  Digest: { own: ["data", "method"], numeric: [1], kind: "token", cap: "read" },
  Envelope: { own: ["type", "data", "cert"], numeric: [0], kind: "token", cap: "sign", session: true },
  EnvelopeEx: { own: ["type", "data", "cert", "alg"], numeric: [0, 3], kind: "token", cap: "sign", session: true },
  EncryptData: { own: ["data", "key"], numeric: [], kind: "token", cap: "read" },
  DecryptData: { own: ["data", "key"], numeric: [], kind: "token", cap: "read" },
  PEMEncode: { own: ["data"], numeric: [], kind: "local", cap: "read" },
  PEMDecode: { own: ["data"], numeric: [], kind: "local", cap: "read" },
  ShowVersion: { own: [], numeric: [], kind: "local", cap: "read" },
  GetDeviceList: { own: [], numeric: [], kind: "snapshot", cap: "read" },
  GetDeviceInfo: { own: [], numeric: [], kind: "snapshot", cap: "read" },
});

/** Both prefixes: SEH_ (RSA engine) and ESE_ (SM2 engine), same surface. */
export const SE_PREFIXES = Object.freeze(["SEH_", "ESE_"]);

/** Every page-visible method name, e.g. "SEH_SignData", "ESE_SignData". */
export const SE_METHOD_NAMES = Object.freeze(
  SE_PREFIXES.flatMap((p) => Object.keys(SE_METHODS).map((b) => p + b)),
);

/** Most characters of one string argument. */
const MAX_STRING_ARG = 4 * 1024 * 1024;

/**
 * @param {string} name e.g. "SEH_SignData"
 * @returns {{prefix: string, base: string, spec: SeMethodSpec} | null}
 */
export function lookupSeMethod(name) {
  if (typeof name !== "string") return null;
  const prefix = SE_PREFIXES.find((p) => name.startsWith(p));
  if (!prefix) return null;
  const base = name.slice(prefix.length);
  if (!Object.hasOwn(SE_METHODS, base)) return null;
  return { prefix, base, spec: SE_METHODS[base] };
}

/**
 * Converts a numeric SafeEngine argument. Accepts integers, decimal strings,
 * "0x" hex strings; for device types (hexDigits) also bare hex such as "a"
 * (the DevPluggedTypeList form); "" is 0 where emptyIsZero. Returns null when
 * the value is not acceptable.
 *
 * @param {unknown} v
 * @param {{hexDigits?: boolean, emptyIsZero?: boolean}} [opts]
 * @returns {number | null}
 */
export function toSeNumber(v, opts = {}) {
  if (typeof v === "number") return Number.isSafeInteger(v) ? v : null;
  if (typeof v !== "string") return null;
  const s = v.trim();
  if (s === "") return opts.emptyIsZero ? 0 : null;
  if (/^-?\d{1,15}$/.test(s)) return Number(s);
  if (/^0x[0-9a-f]{1,12}$/i.test(s)) return parseInt(s.slice(2), 16);
  if (opts.hexDigits && /^[0-9a-f]{1,12}$/i.test(s)) return parseInt(s, 16);
  return null;
}

/**
 * Converts a string argument the way the COM object coerced: numbers and
 * booleans become text, undefined/null become "". Objects are refused.
 *
 * @param {unknown} v
 * @returns {string | null}
 */
export function toSeString(v) {
  if (v === undefined || v === null) return "";
  if (typeof v === "string") return v.length <= MAX_STRING_ARG ? v : null;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return null;
}

/**
 * Normalizes the seven session arguments (numbers for devType, timeout,
 * chainDevType; strings for the rest). Returns null when one is not
 * acceptable.
 *
 * @param {readonly unknown[]} raw
 * @returns {Array<string | number> | null}
 */
export function normalizeSession(raw) {
  if (!Array.isArray(raw) || raw.length < SESSION_ARGS.length) return null;
  /** @type {Array<string | number>} */
  const out = [];
  for (let i = 0; i < SESSION_ARGS.length; i++) {
    const v = SESSION_NUMERIC.includes(i)
      ? toSeNumber(raw[i], { hexDigits: i !== 3, emptyIsZero: true })
      : toSeString(raw[i]);
    if (v === null) return null;
    out.push(v);
  }
  return out;
}

/**
 * Normalizes the IE-style (own) arguments of a method: count checked (extra
 * arguments are ignored, as JavaScript does), numbers converted, strings
 * coerced. Returns null when they are not acceptable.
 *
 * @param {string} name e.g. "SEH_SignData"
 * @param {readonly unknown[]} raw
 * @returns {Array<string | number> | null}
 */
export function normalizeIeArgs(name, raw) {
  const m = lookupSeMethod(name);
  if (!m || !Array.isArray(raw)) return null;
  const { spec } = m;
  if (spec.own === SESSION_ARGS) return normalizeSession(raw);
  if (raw.length < spec.own.length) return null;
  /** @type {Array<string | number>} */
  const out = [];
  for (let i = 0; i < spec.own.length; i++) {
    const isDev = spec.own[i] === "devType";
    const v = spec.numeric.includes(i)
      ? toSeNumber(raw[i], { hexDigits: isDev, emptyIsZero: isDev })
      : toSeString(raw[i]);
    if (v === null) return null;
    out.push(v);
  }
  return out;
}

/**
 * @typedef {object} SeCall
 * @property {string} method e.g. "SEH_SignData"
 * @property {Array<string | number>} args IE-style arguments
 * @property {Array<string | number>} [session] the seven session arguments (async form)
 */

/**
 * Maps an async-form call `new SEH_x(devType, devParam, pin, timeout,
 * chainDevType, chainDevParam, chainPwd, …own, flag)` onto the host's
 * se.call params. The trailing flag is optional and not forwarded (its
 * meaning is unknown; README.md). Methods whose own arguments come from the
 * session (GetSelfCertificate, ChangePassword) get them filled in.
 * Returns null for an unknown method or unacceptable arguments.
 *
 * @param {string} name
 * @param {readonly unknown[]} argList
 * @returns {SeCall | null}
 */
export function mapAsyncCall(name, argList) {
  const m = lookupSeMethod(name);
  if (!m || !Array.isArray(argList)) return null;
  const { spec } = m;
  const asyncOwn = spec.asyncOwn ?? spec.own;
  const n = SESSION_ARGS.length + asyncOwn.length;
  if (argList.length < n || argList.length > n + 1) return null;
  const session = normalizeSession(argList.slice(0, SESSION_ARGS.length));
  if (!session) return null;
  const given = argList.slice(SESSION_ARGS.length, n);
  /** @type {unknown[]} */
  const ieRaw = spec.own.map((argName) => {
    const ai = asyncOwn.indexOf(argName);
    if (ai >= 0) return given[ai];
    const si = SESSION_ARGS.indexOf(argName === "pwd" ? "pin" : argName);
    return session[si];
  });
  const args = normalizeIeArgs(name, ieRaw);
  if (!args) return null;
  if (!spec.session) return { method: name, args };
  return { method: name, args, session };
}

export default SE_METHODS;
