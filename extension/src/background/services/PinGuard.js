// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

import config from "../../shared/config.js";
import HostError from "../../shared/errors/HostError.js";
import RateLimitedError from "../../shared/errors/RateLimitedError.js";
import RateLimiter from "../../shared/rateLimiter.js";
import { lookupSeMethod } from "../../shared/seMethods.js";

/** SafeEngine code of a wrong PIN (私钥密码错误). */
export const PIN_INCORRECT = -2113667069;

/**
 * Stops a page (or a looping replay) from burning the token's PIN retries:
 * after PIN_ATTEMPTS_MAX wrong PINs from one tab within PIN_WINDOW, further
 * PIN-bearing calls from that tab are refused with RATE_LIMITED until the
 * window passes. Only counts failures: pages that resend the PIN with every
 * async call are not slowed down. PINs themselves are never kept.
 */
export default class PinGuard {
  /** @param {() => number} [now] */
  constructor(now) {
    this.limiter = new RateLimiter(config.PIN_ATTEMPTS_MAX, config.PIN_WINDOW, now);
  }

  /**
   * Whether a host request carries a PIN.
   *
   * @param {string} method host method
   * @param {Record<string, unknown>} params
   * @returns {boolean}
   */
  static carriesPin(method, params) {
    if (method === "token.login" || method === "token.changePin") return true;
    if (method !== "se.call") return false;
    const m = lookupSeMethod(/** @type {string} */ (params.method));
    if (!m) return false;
    const args = /** @type {unknown[]} */ (params.args ?? []);
    const session = /** @type {unknown[] | undefined} */ (params.session);
    return (m.spec.pin ?? []).some((i) => args[i] !== "" && args[i] !== undefined)
      || (!!session && session[2] !== "");
  }

  /**
   * Runs a host request, refusing it when the key is over the limit and
   * counting a wrong-PIN answer (error or se.call errorCode).
   *
   * @template {Record<string, unknown>} T
   * @param {string | number} key tab id or "ui"
   * @param {string} method
   * @param {Record<string, unknown>} params
   * @param {() => Promise<T>} run
   * @returns {Promise<T>}
   */
  async guard(key, method, params, run) {
    if (!PinGuard.carriesPin(method, params)) return run();
    if (this.limiter.isLimited(key)) throw new RateLimitedError();
    try {
      const result = await run();
      if (result && result.errorCode === PIN_INCORRECT) this.limiter.hit(key);
      return result;
    } catch (e) {
      if (e instanceof HostError && (e.lastError === PIN_INCORRECT || e.hostName === "PIN_INCORRECT")) this.limiter.hit(key);
      throw e;
    }
  }
}
