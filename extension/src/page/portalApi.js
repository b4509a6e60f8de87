// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

/** Events a portal page can listen to. */
export const PORTAL_EVENTS = Object.freeze([
  "token.inserted", "token.removed", "reader.added", "reader.removed", "progress", "host.disconnected",
]);

const HASHES = Object.freeze(["sha1", "sha256", "sm3"]);

/**
 * @typedef {object} UKeyLinkError what portal API promises reject with (an Error)
 * @property {string} code stable string code (e.g. "HOST_ERROR", "NATIVE_HOST_NOT_FOUND")
 * @property {number} lastError SafeEngine-compatible number (e.g. -2113667069 wrong PIN)
 * @property {string} message Chinese text
 * @property {string} messageEn English text
 * @property {string} [hostName] the host's stable name (e.g. "PIN_INCORRECT")
 * @property {number} [retriesLeft]
 */

/**
 * Installs `window.UKeyLink`, the Promise API for the portal's own flows
 * (login challenge signing, renewal, seal install, unlock, progress). Only
 * on portal origins; the background and the host check that again.
 *
 * @example
 *   const tokens = await UKeyLink.listTokens();
 *   await UKeyLink.login(tokens[0].token, pin);
 *   const certs = await UKeyLink.listCertificates(tokens[0].token);
 *   const signature = await UKeyLink.signChallenge({
 *     token: tokens[0].token, certId: certs[0].certId, challenge: serverNonceBase64, hash: "sha256" });
 *   UKeyLink.on("token.removed", (e) => location.reload());
 *   const r = await UKeyLink.call("enroll.begin", {...});   // params defined by the host (protocol.md)
 *   const { cms } = await UKeyLink.call("sign.cms", { token, certId, data }, {
 *     onProgress(p) { bar.value = p.done / p.total; } });   // p: {stage: "upload", done: 3, total: 28}
 *
 * @param {Window & typeof globalThis} win
 * @param {{bridge: import("./bridge.js").Bridge, version: string}} deps
 */
export default function installPortalApi(win, deps) {
  if (Object.hasOwn(win, "UKeyLink")) return;
  const { bridge, version } = deps;
  /** @type {Map<string, Set<Function>>} */
  const listeners = new Map();

  /** @param {any} ev */
  const emit = (ev) => {
    if (!ev || typeof ev.event !== "string") return;
    for (const fn of listeners.get(ev.event) ?? []) {
      try {
        fn(JSON.parse(JSON.stringify(ev)));
      } catch (e) {
        win.console.error(e);
      }
    }
  };
  bridge.onPush("event", emit);
  // A call's progress reaches on("progress") too, with the page-side
  // number of the call as id (never the host's request id).
  bridge.observe({ progress: (id, p) => emit({ event: "progress", id, stage: p.stage, done: p.done, total: p.total }) });

  /**
   * @param {any} e serialized error from the bridge
   * @returns {Error & UKeyLinkError}
   */
  const toError = (e) => {
    const err = /** @type {any} */ (new win.Error(typeof e?.message === "string" ? e.message : "UKeyLink error"));
    err.name = "UKeyLinkError";
    err.code = typeof e?.code === "string" ? e.code : "UNKNOWN_ERROR";
    err.lastError = Number.isInteger(e?.lastError) ? e.lastError : -2113664000;
    err.messageEn = typeof e?.messageEn === "string" ? e.messageEn : "";
    if (typeof e?.hostName === "string") err.hostName = e.hostName;
    if (typeof e?.retriesLeft === "number") err.retriesLeft = e.retriesLeft;
    return err;
  };

  /**
   * @param {string} message
   * @returns {Promise<never>}
   */
  const invalid = (message) => win.Promise.reject(toError({ code: "INVALID_ARGUMENT", lastError: -2113664008, message, messageEn: message }));

  const api = {
    /**
     * @returns {string} the extension's version
     */
    version() {
      return version;
    },

    /**
     * Calls any host method allowed for this origin (protocol.md), e.g.
     * "enroll.begin", "seal.install", "unlock.request", "host.version".
     *
     * `options.onProgress(p)` receives this call's progress, in order, until
     * the promise settles: `p` is `{stage, done, total}` — stage "upload"
     * (a big request on its way to the host: done of total chunks, each up
     * to 1 MiB), "download" (bytes; total 0 when unknown) or "pinpad" (0 of
     * 1 while the PIN pad waits for the user, 1 of 1 when it answered).
     *
     * @param {string} method "area.name"
     * @param {Record<string, unknown>} [params] JSON data
     * @param {{onProgress?: (p: {stage: string, done: number, total: number}) => void}} [options]
     * @returns {Promise<any>} the host's result; rejects with UKeyLinkError
     */
    call(method, params = {}, options = undefined) {
      if (typeof method !== "string") return invalid("method");
      const onProgress = options?.onProgress;
      if ((options !== undefined && (options === null || typeof options !== "object"))
        || (onProgress !== undefined && typeof onProgress !== "function")) {
        return invalid("call: options must be {onProgress: function}");
      }
      const opts = onProgress ? {
        onProgress: (/** @type {{stage: string, done: number, total: number}} */ p) => {
          const o = new win.Object();
          o.stage = p.stage;
          o.done = p.done;
          o.total = p.total;
          onProgress.call(undefined, o);
        },
      } : {};
      return bridge.request("portal.call", { method, params }, opts).then((r) => r, (e) => {
        throw toError(e);
      });
    },

    /**
     * @param {string} name one of token.inserted, token.removed, reader.added, reader.removed, progress, host.disconnected
     * @param {(event: object) => void} handler
     */
    on(name, handler) {
      if (!PORTAL_EVENTS.includes(name) || typeof handler !== "function") throw new win.TypeError("UKeyLink.on: unknown event or handler");
      const set = listeners.get(name) ?? new Set();
      set.add(handler);
      listeners.set(name, set);
    },

    /**
     * @param {string} name
     * @param {(event: object) => void} handler
     */
    off(name, handler) {
      listeners.get(name)?.delete(handler);
    },

    /**
     * @returns {Promise<Array<{token: string, label: string, serial: string, pin: object}>>} plugged tokens (token.list)
     */
    listTokens() {
      return api.call("token.list", {}).then((r) => r.tokens);
    },

    /**
     * @param {string} [token] only this token's certificates
     * @returns {Promise<Array<{token: string, certId: string, der: string, subject: object, serial: string, notBefore: string, notAfter: string, daysLeft: number}>>}
     */
    listCertificates(token) {
      return api.call("cert.list", token === undefined ? {} : { token }).then((r) => r.certs);
    },

    /**
     * Logs in to a token for this page (ends with the page, token removal or the host's idle timeout).
     *
     * @param {string} token
     * @param {string} pin
     * @returns {Promise<void>} rejects with lastError -2113667069 (wrong PIN) and retriesLeft
     */
    login(token, pin) {
      if (typeof token !== "string" || typeof pin !== "string" || !pin) return invalid("token/pin");
      return api.call("token.login", { token, pin }).then(() => undefined);
    },

    /**
     * @param {string} token
     * @returns {Promise<void>}
     */
    logout(token) {
      return api.call("token.logout", { token }).then(() => undefined);
    },

    /**
     * Signs a server challenge with the certificate's key (sign.data).
     * Without `hash` the host picks the key's own: SHA-256 for RSA/EC, SM3
     * for SM2 (which can sign with nothing else: another hash is refused).
     *
     * @param {{token: string, certId: string, challenge: string, hash?: "sha1" | "sha256" | "sm3"}} req challenge is base64
     * @returns {Promise<string>} base64 signature
     */
    signChallenge(req) {
      const r = req ?? /** @type {any} */ ({});
      if (typeof r.token !== "string" || typeof r.certId !== "string" || typeof r.challenge !== "string"
        || !/^[A-Za-z0-9+/]+={0,2}$/.test(r.challenge) || (r.hash !== undefined && !HASHES.includes(r.hash))) {
        return invalid("signChallenge: token, certId, base64 challenge, hash sha1|sha256|sm3");
      }
      const params = { token: r.token, certId: r.certId, data: r.challenge };
      return api.call("sign.data", r.hash === undefined ? params : { ...params, hash: r.hash }).then((x) => x.signature);
    },
  };
  Object.freeze(api);
  Object.defineProperty(win, "UKeyLink", { value: api, writable: false, configurable: false, enumerable: false });
  try {
    win.dispatchEvent(new win.Event("ukeylink:portalready"));
  } catch {
    // no DOM events (tests)
  }
}
