// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

import config, { OVERRIDABLE } from "./config.js";

const LOG_LEVELS = Object.freeze(["error", "warn", "info", "debug"]);

/**
 * Applies overrides (e.g. from managed storage) to the defaults: only keys
 * in OVERRIDABLE, only with a value of the same typeof, URLs only https.
 * Everything else is ignored.
 *
 * @param {unknown} overrides
 * @param {typeof config} [defaults]
 * @returns {typeof config}
 */
export default function configManager(overrides, defaults = config) {
  /** @type {Record<string, unknown>} */
  const out = { ...defaults };
  if (overrides && typeof overrides === "object" && !Array.isArray(overrides)) {
    const o = /** @type {Record<string, unknown>} */ (overrides);
    for (const key of OVERRIDABLE) {
      if (!Object.hasOwn(o, key)) continue;
      const value = o[key];
      if (typeof value !== typeof defaults[/** @type {keyof typeof config} */ (key)]) continue;
      if (key === "logLevel" && !LOG_LEVELS.includes(/** @type {string} */ (value))) continue;
      if ((key === "portalUrl" || key === "helpUrl") && !isHttpsUrl(/** @type {string} */ (value))) continue;
      out[key] = value;
    }
  }
  return /** @type {typeof config} */ (Object.freeze(out));
}

/**
 * @param {string} s
 * @returns {boolean}
 */
function isHttpsUrl(s) {
  try {
    const u = new URL(s);
    return u.protocol === "https:" && !u.username && !u.password;
  } catch {
    return false;
  }
}
