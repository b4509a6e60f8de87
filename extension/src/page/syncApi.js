// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

import { LAST_ERROR } from "../shared/errors/ErrorCode.js";
import SE_CODES from "../shared/seCodes.js";
import { SE_METHOD_NAMES, lookupSeMethod, normalizeIeArgs } from "../shared/seMethods.js";
import answerFromSnapshot from "../shared/snapshot.js";
import { named } from "./asyncApi.js";
import answerLocal from "./local.js";

/** CLSID of SafeEngineCtl (ProgID SafeEngineCOM.SafeEngineCtl). */
export const SAFEENGINE_CLSID = "B48B9648-E9F0-48A3-90A5-8C588CE0898F";

/**
 * @param {string | null} classid e.g. "CLSID:B48B9648-…" or "clsid:{b48b…}"
 * @returns {boolean}
 */
export function isSafeEngineClassid(classid) {
  if (!classid) return false;
  const s = classid.trim().toUpperCase().replace(/^CLSID:/, "").replace(/^\{|\}$/g, "");
  return s === SAFEENGINE_CLSID;
}

/**
 * The IE branch: `<object id="SafeEngineCtl" classid="CLSID:B48B9648-…">`
 * gets every SEH_/ESE_ method and ErrorCode/errorCode, via
 * HTMLObjectElement.prototype (active only for that CLSID, also for objects
 * created in script). Read-only calls are answered from the snapshot;
 * token calls suspend and replay (replay.js); calls outside a replayable
 * context are reported visibly and answer an error code.
 *
 * @param {Window & typeof globalThis} win
 * @param {object} deps
 * @param {import("./replay.js").ReplayEngine} deps.engine
 * @param {import("./bridge.js").Bridge} deps.bridge
 * @param {import("./snapshotStore.js").SnapshotStore} deps.store
 * @param {string} deps.version
 * @param {(zh: string, en: string) => void} deps.notice
 * @param {(e: any) => void} [deps.onHostError]
 */
export default function installSyncApi(win, deps) {
  const { engine, bridge, store, version, notice } = deps;
  const proto = win.HTMLObjectElement.prototype;
  const stringify = JSON.stringify;
  const getAttribute = win.Element.prototype.getAttribute;
  let errorCode = 0;
  let notifiedNotReplayable = false;

  /**
   * @param {unknown} el
   * @returns {boolean}
   */
  const isSafeEngine = (el) => el instanceof win.HTMLObjectElement && isSafeEngineClassid(getAttribute.call(el, "classid"));

  /**
   * @param {import("../shared/snapshot.js").SeAnswer} r
   * @returns {string | number}
   */
  const apply = (r) => {
    errorCode = r.errorCode;
    return r.errorCode === 0 ? r.value : (typeof r.value === "number" ? r.value : "");
  };

  /**
   * @param {string} method
   * @returns {string | number}
   */
  const notReplayable = (method) => {
    if (!notifiedNotReplayable) {
      notifiedNotReplayable = true;
      notice("此页面在无法恢复的位置同步调用了 USB Key，请点击页面按钮重试",
        `${method} was called synchronously where it cannot be resumed (page load script, promise callback); retry from a button`);
    }
    win.console.error(`[UKeyLink] ${method}: not replayable here; ErrorCode ${LAST_ERROR.NOT_REPLAYABLE}`);
    return apply({ value: "", errorCode: LAST_ERROR.NOT_REPLAYABLE });
  };

  /**
   * @param {string} name
   * @param {ReadonlyArray<string | number>} args
   * @returns {string | number}
   */
  const tokenCall = (name, args) => {
    const key = stringify([name, args]);
    const r = engine.hostCall(key, () => bridge.request("se.call", { method: name, args: [...args] }).then(
      (res) => res,
      (e) => {
        deps.onHostError?.(e);
        return { value: "", errorCode: Number.isInteger(e?.lastError) ? e.lastError : LAST_ERROR.UNKNOWN_ERROR };
      },
    ));
    if (!r.replayable) return notReplayable(name);
    return apply(/** @type {any} */ (r.result));
  };

  /**
   * @param {string} name
   * @param {unknown[]} raw
   * @returns {string | number}
   */
  const call = (name, raw) => {
    engine.checkDoom();
    const m = lookupSeMethod(name);
    const args = normalizeIeArgs(name, raw);
    if (!m || !args) return apply({ value: "", errorCode: LAST_ERROR.INVALID_ARGUMENT });
    switch (m.spec.kind) {
      case "local":
        return apply(answerLocal(name, args, version));
      case "post":
        engine.hostCall(stringify([name, args]), () => bridge.request("se.call", { method: name, args: [...args] }), { fireAndForget: true });
        return apply({ value: "", errorCode: SE_CODES.OK });
      case "snapshot": {
        const hit = answerFromSnapshot(store.snapshot, name, args);
        if (hit) return apply(hit);
        if (!store.snapshot) {
          if (store.error) return apply({ value: "", errorCode: store.error.lastError ?? LAST_ERROR.UNKNOWN_ERROR });
          if (engine.inRun()) engine.suspend(store.whenSettled());
          const deviceQuery = m.base === "GetDeviceList" || m.base === "GetDeviceInfo"
            || (m.base === "GetSelfCertificate" && args[2] === "");
          if (deviceQuery) {
            win.console.warn(`[UKeyLink] ${name} before the token snapshot arrived: answered "no device"`);
            return apply({ value: "", errorCode: SE_CODES.NO_DEVICE });
          }
        }
        return tokenCall(name, args);
      }
      default:
        return tokenCall(name, args);
    }
  };

  for (const name of SE_METHOD_NAMES) {
    const fn = named(name, function (/** @type {unknown[]} */ ...args) {
      // @ts-ignore `this` is the <object> the page calls the method on
      if (!isSafeEngine(this)) throw new win.TypeError(`${name} is not a function`);
      return call(name, args);
    });
    Object.defineProperty(proto, name, { value: fn, writable: true, configurable: true, enumerable: false });
  }
  for (const prop of ["ErrorCode", "errorCode"]) {
    Object.defineProperty(proto, prop, {
      configurable: true,
      enumerable: false,
      get() {
        if (!isSafeEngine(this)) return undefined;
        engine.checkDoom();
        return errorCode;
      },
      set() {
        // read-only, as on the ActiveX control
      },
    });
  }
  if (!("classid" in proto)) {
    Object.defineProperty(proto, "classid", {
      configurable: true,
      enumerable: false,
      get() {
        return getAttribute.call(this, "classid") ?? "";
      },
      set(v) {
        this.setAttribute("classid", String(v));
      },
    });
  }

  return {
    /** @returns {number} the current ErrorCode (tests) */
    errorCode: () => errorCode,
  };
}
