// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

import config from "../../shared/config.js";
import configManager from "../../shared/configManager.js";
import { originToMatchPattern, parseOrigin, parseOriginList } from "../../shared/origin.js";

/** ids of the dynamically registered content scripts. */
export const SCRIPT_IDS = Object.freeze({ content: "ukeylink-content", page: "ukeylink-page" });

/**
 * @typedef {object} Policy
 * @property {typeof config} config
 * @property {string[]} portalOrigins default portal origins + managed portalOrigins
 * @property {string[]} extraOrigins managed extraOrigins
 * @property {string[]} userOrigins enabled by the user from the popup
 * @property {string[]} allowedOrigins all of the above
 * @property {unknown[]} rejected policy entries that failed validation
 */

/**
 * Computes the effective policy. Managed lists may name http:// origins
 * (explicit IT choice, flagged in diagnostics); user-enabled origins are
 * https only.
 *
 * @param {unknown} managed storage.managed contents
 * @param {unknown} userOrigins storage.local userOrigins
 * @returns {Policy}
 */
export function computePolicy(managed, userOrigins) {
  const m = managed && typeof managed === "object" ? /** @type {Record<string, unknown>} */ (managed) : {};
  const portal = parseOriginList(m.portalOrigins, { allowHttp: true });
  const extra = parseOriginList(m.extraOrigins, { allowHttp: true });
  const user = parseOriginList(userOrigins);
  const portalOrigins = [...new Set([...config.DEFAULT_PORTAL_ORIGINS, ...portal.origins])].sort();
  const allowedOrigins = [...new Set([...portalOrigins, ...extra.origins, ...user.origins])].sort();
  return {
    config: configManager(m),
    portalOrigins,
    extraOrigins: extra.origins,
    userOrigins: user.origins,
    allowedOrigins,
    rejected: [...portal.rejected, ...extra.rejected, ...user.rejected],
  };
}

/**
 * Match patterns to register dynamically: every allowed origin except the
 * default portal origins (static content_scripts in the manifest).
 *
 * @param {Policy} policy
 * @returns {string[]}
 */
export function dynamicPatterns(policy) {
  const dynamic = policy.allowedOrigins.filter((o) => !config.DEFAULT_PORTAL_ORIGINS.includes(o));
  return [...new Set(dynamic.map(originToMatchPattern))].sort();
}

/**
 * Where the page APIs run: the portal origins (static), origins IT lists in
 * managed storage, origins the user enabled from the popup.
 */
export default class PolicyService {
  /** @param {any} api browser API (storage, scripting) */
  constructor(api) {
    this.api = api;
    /** @type {Policy} */
    this.policy = computePolicy({}, []);
  }

  /** @returns {Promise<Policy>} */
  async load() {
    let managed = {};
    try {
      managed = (await this.api.storage.managed.get()) ?? {};
    } catch {
      managed = {}; // no policy (Firefox throws when there is none)
    }
    const local = await this.api.storage.local.get("userOrigins");
    this.policy = computePolicy(managed, local?.userOrigins ?? []);
    return this.policy;
  }

  /** @param {string} origin exact origin (with port) */
  isAllowed(origin) {
    return this.policy.allowedOrigins.includes(origin);
  }

  /** @param {string} origin */
  isPortal(origin) {
    return this.policy.portalOrigins.includes(origin);
  }

  /**
   * Enables or disables the page APIs for a site from the popup.
   *
   * @param {string} origin https origin
   * @param {boolean} enabled
   * @returns {Promise<Policy>}
   */
  async setUserOrigin(origin, enabled) {
    const o = parseOrigin(origin);
    if (!o) throw new TypeError("origin");
    const local = await this.api.storage.local.get("userOrigins");
    const list = new Set(parseOriginList(local?.userOrigins ?? []).origins);
    if (enabled) list.add(o);
    else list.delete(o);
    await this.api.storage.local.set({ userOrigins: [...list].sort() });
    await this.load();
    await this.syncRegistrations();
    return this.policy;
  }

  /**
   * Registers the MAIN shim and ISOLATED bridge for the dynamic origins;
   * re-registers only when the list changed.
   *
   * @returns {Promise<string[]>} the registered patterns
   */
  async syncRegistrations() {
    const patterns = dynamicPatterns(this.policy);
    const scripting = this.api.scripting;
    const ids = [SCRIPT_IDS.content, SCRIPT_IDS.page];
    const existing = await scripting.getRegisteredContentScripts({ ids });
    const same = existing.length === 2
      && existing.every((/** @type {{matches?: string[]}} */ s) => JSON.stringify([...(s.matches ?? [])].sort()) === JSON.stringify(patterns));
    if (same) return patterns;
    if (existing.length) await scripting.unregisterContentScripts({ ids: existing.map((/** @type {{id: string}} */ s) => s.id) });
    if (patterns.length === 0) return patterns;
    const common = { matches: patterns, runAt: "document_start", allFrames: false, persistAcrossSessions: true };
    await scripting.registerContentScripts([
      { ...common, id: SCRIPT_IDS.content, js: ["content/content.js"], world: "ISOLATED" },
      { ...common, id: SCRIPT_IDS.page, js: ["page/page.js"], world: "MAIN" },
    ]);
    return patterns;
  }
}
