// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

import { LAST_ERROR } from "../shared/errors/ErrorCode.js";
import { SE_METHOD_NAMES, lookupSeMethod, mapAsyncCall } from "../shared/seMethods.js";
import answerLocal from "./local.js";

/**
 * The rejection value of the async API: SafeEngine pages read LastError.
 *
 * @param {any} win
 * @param {{lastError?: number, message?: string, messageEn?: string, code?: string, retriesLeft?: number}} e
 * @returns {object}
 */
export function rejection(win, e) {
  const o = new win.Object();
  o.LastError = Number.isInteger(e.lastError) ? e.lastError : LAST_ERROR.UNKNOWN_ERROR;
  if (typeof e.message === "string") o.message = e.message;
  if (typeof e.messageEn === "string") o.messageEn = e.messageEn;
  if (typeof e.code === "string") o.code = e.code;
  if (typeof e.retriesLeft === "number") o.retriesLeft = e.retriesLeft;
  return o;
}

/**
 * Gives a function the page-visible name of the method it implements.
 *
 * @template {Function} F
 * @param {string} name
 * @param {F} fn
 * @returns {F}
 */
export function named(name, fn) {
  Object.defineProperty(fn, "name", { value: name });
  return fn;
}

/**
 * SHECA's non-IE branch: global constructors called with `new`, each
 * returning a thenable (a Promise of the page's realm).
 *
 *   new UCCGetPluggedeKey().then(r => r.DevPluggedTypeList)   // "a$$1;…"
 *   new SEH_SignData(devType, devParam, pin, timeout, chainDevType,
 *                    chainDevParam, chainPwd, data, "3", "0").then(sig => …, err => err.LastError)
 *
 * Resolves with the method's value when the host answers errorCode 0;
 * rejects with {LastError} otherwise. Mapping: shared/seMethods.js.
 *
 * @param {Window & typeof globalThis} win
 * @param {{bridge: import("./bridge.js").Bridge, store: import("./snapshotStore.js").SnapshotStore, version: string, onHostError?: (e: any) => void}} deps
 */
export default function installAsyncApi(win, deps) {
  const { bridge, store, version } = deps;
  const PromiseCtor = win.Promise;
  /** @type {Record<string, Function>} */
  const globals = {};

  globals.UCCGetPluggedeKey = function UCCGetPluggedeKey() {
    return bridge.request("se.snapshot", {}).then((s) => {
      store.set(s);
      const out = new win.Object();
      out.DevPluggedTypeList = s.pluggedTypeList;
      return out;
    }, (e) => {
      deps.onHostError?.(e);
      throw rejection(win, e);
    });
  };

  for (const name of SE_METHOD_NAMES) {
    globals[name] = named(name, function (/** @type {unknown[]} */ ...args) {
      const call = mapAsyncCall(name, args);
      if (!call) return PromiseCtor.reject(rejection(win, { lastError: LAST_ERROR.INVALID_ARGUMENT, code: "INVALID_ARGUMENT" }));
      const m = lookupSeMethod(name);
      if (m?.spec.kind === "local") {
        const r = answerLocal(name, call.args, version);
        return r.errorCode === 0 ? PromiseCtor.resolve(r.value) : PromiseCtor.reject(rejection(win, { lastError: r.errorCode }));
      }
      return bridge.request("se.call", /** @type {any} */ (call)).then((r) => {
        if (r.errorCode !== 0) throw rejection(win, { lastError: r.errorCode });
        return r.value;
      }, (e) => {
        deps.onHostError?.(e);
        throw rejection(win, e);
      });
    });
  }

  for (const [name, fn] of Object.entries(globals)) {
    Object.defineProperty(win, name, { value: fn, writable: true, configurable: true, enumerable: false });
  }
}
