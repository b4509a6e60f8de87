// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

import config from "../shared/config.js";
import { readProgress } from "../shared/progress.js";

/**
 * @typedef {import("../shared/progress.js").Progress} Progress
 *
 * @typedef {object} CallObserver sees every call of the page (notices)
 * @property {(id: number, p: Progress) => void} [progress] a call's progress
 * @property {(id: number) => void} [end] a call got its response
 *
 * @typedef {object} Bridge
 * @property {(action: string, payload: Record<string, unknown>, opts?: {onProgress?: (p: Progress) => void}) => Promise<any>} request
 *   resolves with the background's result; rejects with a serialized error
 *   ({code, message, messageEn, lastError, …}). onProgress gets the host's
 *   progress for this call (a new object each time, checked), in order,
 *   only until the call settles.
 * @property {(kind: string, fn: (data: any) => void) => void} onPush
 * @property {(observer: CallObserver) => void} observe
 */

/**
 * MAIN-world side of the page ⇄ content-script bridge: CustomEvents on
 * window with JSON-string details (object details fail across Firefox's
 * Xray boundary). Captures the DOM and JSON functions it needs before any
 * page script runs. Nothing here is trusted: the content script and the
 * background validate everything again.
 *
 * @param {Window & typeof globalThis} win
 * @returns {Bridge}
 */
export default function createBridge(win) {
  const P = config.ACTION_PREFIX;
  const ET = win.EventTarget.prototype;
  const add = ET.addEventListener;
  const dispatch = ET.dispatchEvent;
  const CE = win.CustomEvent;
  const PromiseCtor = win.Promise;
  const stringify = JSON.stringify;
  const parse = JSON.parse;
  let ready = false;
  let nextId = 0;
  /** @type {string[]} */
  const queue = [];
  /** @type {Map<number, {resolve: (v: any) => void, reject: (e: any) => void, onProgress?: (p: Progress) => void}>} */
  const pending = new Map();
  /** @type {CallObserver[]} */
  const observers = [];
  /** @type {Map<string, Array<(data: any) => void>>} */
  const pushHandlers = new Map();

  /** @param {string} type @param {string} detail */
  const fire = (type, detail) => dispatch.call(win, new CE(P + type, { detail }));

  /**
   * Calls a listener; what it throws goes to the console, not to us.
   *
   * @param {Function | undefined} fn
   * @param {...unknown} args
   */
  const safely = (fn, ...args) => {
    if (typeof fn !== "function") return;
    try {
      fn(...args);
    } catch (e) {
      win.console.error("[UKeyLink]", e);
    }
  };

  /** @param {any} data {id, stage, done, total} from the content script */
  const progress = (data) => {
    const id = data?.id;
    const p = typeof id === "number" ? pending.get(id) : undefined;
    const checked = p && readProgress(data);
    if (!p || !checked) return; // settled, never ours, or malformed
    for (const o of observers) safely(o.progress, id, { ...checked });
    safely(p.onProgress, { ...checked });
  };

  /** @param {Event} ev @returns {any} */
  const read = (ev) => {
    const d = /** @type {CustomEvent} */ (ev).detail;
    if (typeof d !== "string") return null;
    try {
      return parse(d);
    } catch {
      return null;
    }
  };

  add.call(win, P + "ready", () => {
    if (ready) return;
    ready = true;
    for (const detail of queue.splice(0)) fire("request", detail);
  });
  add.call(win, P + "response", (ev) => {
    const msg = read(ev);
    if (!msg || typeof msg.id !== "number") return;
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    for (const o of observers) safely(o.end, msg.id);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(msg.error ?? { code: "UNKNOWN_ERROR", lastError: -2113664000 });
  });
  add.call(win, P + "push", (ev) => {
    const msg = read(ev);
    if (!msg || typeof msg.kind !== "string") return;
    if (msg.kind === "progress") {
      progress(msg.data);
      return;
    }
    for (const fn of pushHandlers.get(msg.kind) ?? []) {
      try {
        fn(msg.data);
      } catch (e) {
        win.console.error("[UKeyLink]", e);
      }
    }
  });
  fire("ping", "{}");

  return {
    request(action, payload, opts = {}) {
      return new PromiseCtor((resolve, reject) => {
        const id = ++nextId;
        pending.set(id, { resolve, reject, onProgress: opts.onProgress });
        const detail = stringify({ id, action, payload });
        if (ready) fire("request", detail);
        else queue.push(detail);
      });
    },
    onPush(kind, fn) {
      const list = pushHandlers.get(kind) ?? [];
      list.push(fn);
      pushHandlers.set(kind, list);
    },
    observe(observer) {
      observers.push(observer);
    },
  };
}
