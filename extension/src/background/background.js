// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

import browserApi from "../shared/browserApi.js";
import config from "../shared/config.js";
import InvalidArgumentError from "../shared/errors/InvalidArgumentError.js";
import OriginNotAllowedError from "../shared/errors/OriginNotAllowedError.js";
import { serializeError } from "../shared/errors/errorSerializer.js";
import createLogger from "../shared/log.js";
import getSenderOrigin from "../shared/sender.js";
import { validatePageRequest } from "../shared/validation.js";
import hello from "./actions/hello.js";
import portalCall from "./actions/portalCall.js";
import seCall from "./actions/seCall.js";
import seSnapshot from "./actions/seSnapshot.js";
import uiChangePin from "./actions/uiChangePin.js";
import uiDiagnostics from "./actions/uiDiagnostics.js";
import uiSetSiteEnabled from "./actions/uiSetSiteEnabled.js";
import uiStatus from "./actions/uiStatus.js";
import uiVerifyPin from "./actions/uiVerifyPin.js";
import BadgeService from "./services/BadgeService.js";
import CookieService from "./services/CookieService.js";
import ErrorLog from "./services/ErrorLog.js";
import PinGuard from "./services/PinGuard.js";
import PolicyService from "./services/PolicyService.js";
import TabSessions from "./services/TabSessions.js";

const P = config.ACTION_PREFIX;
/** Milliseconds the popup's host process stays after the last popup request. */
const UI_IDLE_CLOSE = 60000;

/**
 * @param {unknown} sender
 * @param {import("./actions/types.js").Context} ctx
 * @returns {import("./actions/types.js").Caller}
 */
function pageCaller(sender, ctx) {
  const s = /** @type {import("../shared/sender.js").SenderLike} */ (sender);
  const origin = getSenderOrigin(s, { extensionId: ctx.extension.id, extensionBaseUrl: ctx.extension.baseUrl });
  if (origin === config.UI_ORIGIN || !ctx.policy.isAllowed(origin)) throw new OriginNotAllowedError();
  if (s.frameId !== 0 || typeof s.tab?.id !== "number") throw new OriginNotAllowedError();
  return { origin, key: s.tab.id };
}

/**
 * @param {unknown} sender
 * @param {import("./actions/types.js").Context} ctx
 * @returns {import("./actions/types.js").Caller}
 */
function uiCaller(sender, ctx) {
  const s = /** @type {import("../shared/sender.js").SenderLike} */ (sender);
  const origin = getSenderOrigin(s, { extensionId: ctx.extension.id, extensionBaseUrl: ctx.extension.baseUrl });
  if (origin !== config.UI_ORIGIN) throw new OriginNotAllowedError();
  return { origin, key: "ui" };
}

/**
 * Where the progress of a page's call goes: to the tab, as a "progress"
 * push carrying the content script's number for the call (`call` in the
 * runtime message, a safe integer ≥ 0); the content script turns it into
 * the page's call id. No number: nobody listens.
 *
 * @param {import("./actions/types.js").Context} ctx
 * @param {import("./actions/types.js").Caller} caller
 * @param {unknown} call
 */
function routeProgress(ctx, caller, call) {
  if (call === undefined) return;
  if (!Number.isSafeInteger(call) || /** @type {number} */ (call) < 0) throw new InvalidArgumentError();
  caller.onProgress = (p) => ctx.push(caller.key, "progress", { call, stage: p.stage, done: p.done, total: p.total });
}

/**
 * Routes one runtime message to its action. Page actions come through the
 * content script and are validated here again; ui.* only from the
 * extension's own pages. The origin always comes from the sender record.
 *
 * @param {import("./actions/types.js").Context} ctx
 * @param {unknown} message
 * @param {unknown} sender
 * @returns {Promise<unknown>}
 */
export async function route(ctx, message, sender) {
  const m = /** @type {{action?: unknown, payload?: unknown, call?: unknown}} */ (message ?? {});
  const action = typeof m.action === "string" && m.action.startsWith(P) ? m.action.slice(P.length) : "";
  const payload = m.payload && typeof m.payload === "object" ? /** @type {Record<string, any>} */ (m.payload) : {};
  switch (action) {
    case "hello":
    case "se.snapshot":
    case "se.call":
    case "portal.call": {
      const caller = pageCaller(sender, ctx);
      const req = validatePageRequest({ action, payload });
      routeProgress(ctx, caller, m.call);
      switch (req.action) {
        case "hello": return hello(ctx, req.payload, caller);
        case "se.snapshot": return seSnapshot(ctx, req.payload, caller);
        case "se.call": return seCall(ctx, req.payload, caller);
        default: return portalCall(ctx, req.payload, caller);
      }
    }
    case "ui.status": uiCaller(sender, ctx); return uiStatus(ctx, payload);
    case "ui.verifyPin": uiCaller(sender, ctx); return uiVerifyPin(ctx, payload);
    case "ui.changePin": uiCaller(sender, ctx); return uiChangePin(ctx, payload);
    case "ui.setSiteEnabled": uiCaller(sender, ctx); return uiSetSiteEnabled(ctx, payload);
    case "ui.diagnostics": uiCaller(sender, ctx); return uiDiagnostics(ctx);
    default:
      throw new InvalidArgumentError();
  }
}

/**
 * Builds the background: services, listeners. `api` is the browser API
 * (injected so tests can pass a fake).
 *
 * @param {any} api
 * @param {Pick<Console, "error" | "warn" | "info" | "debug">} [sink] log output
 * @returns {{ctx: import("./actions/types.js").Context, handle: (message: unknown, sender: unknown) => Promise<{ok: boolean, result?: unknown, error?: unknown}>}}
 */
export function createBackground(api, sink = console) {
  const manifest = api.runtime.getManifest();
  /** @type {import("./actions/types.js").Context} */
  const ctx = /** @type {any} */ ({
    api,
    policy: new PolicyService(api),
    pinGuard: new PinGuard(),
    cookies: new CookieService(api),
    badge: new BadgeService(api),
    errors: new ErrorLog(),
    extension: {
      id: api.runtime.id,
      baseUrl: api.runtime.getURL(""),
      version: manifest.version,
      userAgent: globalThis.navigator?.userAgent ?? "",
    },
  });
  const push = (/** @type {number | string} */ key, /** @type {string} */ kind, /** @type {unknown} */ data) => {
    if (typeof key !== "number") return;
    api.tabs.sendMessage(key, { type: `${P}push`, kind, data }, { frameId: 0 }).catch(() => {});
  };
  ctx.push = push;
  const refreshSnapshot = (/** @type {number | string} */ key) => {
    const s = ctx.sessions.sessions.get(key);
    if (!s || typeof key !== "number") return;
    seSnapshot(ctx, {}, { origin: s.origin, key }).then((snap) => push(key, "snapshot", snap), () => {});
  };
  ctx.sessions = new TabSessions({
    connectNative: (name) => api.runtime.connectNative(name),
    lastErrorMessage: () => api.runtime.lastError?.message,
    onEvent: (key, event) => {
      push(key, "event", event);
      if (event.event === "token.inserted" || event.event === "token.removed") refreshSnapshot(key);
    },
    onReconnected: (key) => refreshSnapshot(key),
    onError: (key, error) => {
      ctx.errors.add("port", String(key), serializeError(error));
      push(key, "event", { event: "host.disconnected", error: serializeError(error) });
    },
  });
  const log = createLogger(() => ctx.policy.policy.config.logLevel, sink);
  /** @type {ReturnType<typeof setTimeout> | null} */
  let uiTimer = null;
  const ready = ctx.policy.load().catch(() => ctx.policy.policy);

  /**
   * @param {unknown} message
   * @param {unknown} sender
   */
  const handle = async (message, sender) => {
    await ready;
    const action = String(/** @type {any} */ (message)?.action ?? "").slice(0, 64);
    const m = /** @type {any} */ (message)?.payload?.method;
    const method = typeof m === "string" ? m.slice(0, 64) : "";
    const started = Date.now();
    try {
      const result = await route(ctx, message, sender);
      log.debug(action, method, `${Date.now() - started} ms`);
      return { ok: true, result };
    } catch (e) {
      const error = serializeError(e);
      ctx.errors.add(action, method, error);
      log.warn(action, method, error.code, error.lastError);
      return { ok: false, error };
    } finally {
      if (action.startsWith(`${P}ui.`)) {
        if (uiTimer) clearTimeout(uiTimer);
        uiTimer = setTimeout(() => ctx.sessions.close("ui"), UI_IDLE_CLOSE);
        /** @type {any} */ (uiTimer).unref?.(); // Node (tests) only: do not keep the process alive
      }
    }
  };
  return { ctx, handle };
}

/** Wires the listeners in the real extension. */
function main() {
  const api = browserApi;
  const { ctx, handle } = createBackground(api);
  api.runtime.onMessage.addListener((/** @type {unknown} */ message, /** @type {unknown} */ sender, /** @type {(r: unknown) => void} */ sendResponse) => {
    handle(message, sender).then(sendResponse);
    return true;
  });
  const sync = () => ctx.policy.load().then(() => ctx.policy.syncRegistrations()).catch((e) => {
    ctx.errors.add("policy", "sync", serializeError(e));
  });
  api.runtime.onInstalled.addListener(sync);
  api.runtime.onStartup.addListener(sync);
  api.storage.onChanged.addListener((/** @type {unknown} */ _changes, /** @type {string} */ area) => {
    if (area === "managed" || area === "local") sync();
  });
  api.tabs.onRemoved.addListener((/** @type {number} */ tabId) => ctx.sessions.close(tabId));
  // A tab that leaves for another origin ends its page's host session (and
  // login) at once, not only when an enabled page loads in it again.
  api.tabs.onUpdated.addListener((/** @type {number} */ tabId, /** @type {{url?: string}} */ change) => {
    const s = ctx.sessions.sessions.get(tabId);
    if (!s || typeof change.url !== "string") return;
    let origin = "";
    try {
      origin = new URL(change.url).origin;
    } catch {
      origin = "";
    }
    if (origin !== s.origin) ctx.sessions.close(tabId);
  });
  api.alarms?.create("expiry", { periodInMinutes: config.EXPIRY_CHECK_MINUTES, delayInMinutes: 1 });
  api.alarms?.onAlarm.addListener((/** @type {{name: string}} */ alarm) => {
    if (alarm.name !== "expiry") return;
    const s = ctx.sessions.get("ui", config.UI_ORIGIN);
    s.service.request("cert.list", {})
      .then((r) => ctx.badge.update(/** @type {any[]} */ (r.certs).map((c) => c.daysLeft)))
      .catch(() => {})
      .finally(() => ctx.sessions.close("ui"));
  });
  sync();
}

if (browserApi?.runtime?.id) main();
