// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

import config from "../../shared/config.js";
import { lookupSeMethod } from "../../shared/seMethods.js";

/**
 * Milliseconds to wait for a host method: long operations (key generation,
 * downloads) get LONG_TIMEOUT, PIN entry and signing TOKEN_TIMEOUT (pinpad
 * readers wait for the user), the rest REQUEST_TIMEOUT.
 *
 * @param {string} method host method
 * @param {Record<string, unknown>} [params]
 * @returns {number}
 */
export default function timeoutFor(method, params = {}) {
  if (/^(enroll|seal|unlock)\./.test(method)) return config.LONG_TIMEOUT;
  if (method === "se.call") {
    const m = lookupSeMethod(/** @type {string} */ (params.method));
    return m && m.spec.kind !== "snapshot" && m.spec.kind !== "local" ? config.TOKEN_TIMEOUT : config.REQUEST_TIMEOUT;
  }
  if (/^(token\.(login|logout|changePin)|sign\.|cert\.verify$)/.test(method)) return config.TOKEN_TIMEOUT;
  return config.REQUEST_TIMEOUT;
}
