// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

import config from "../../shared/config.js";
import { serializeError } from "../../shared/errors/errorSerializer.js";
import { parseOrigin } from "../../shared/origin.js";

/**
 * What the popup shows: host status, plugged tokens, certificates, the
 * current site's state.
 *
 * @param {import("./types.js").Context} ctx
 * @param {{siteUrl?: string}} payload
 * @returns {Promise<Record<string, unknown>>}
 */
export default async function uiStatus(ctx, payload) {
  const s = ctx.sessions.get("ui", config.UI_ORIGIN);
  const p = ctx.policy.policy;
  /** @type {Record<string, unknown>} */
  const out = {
    extensionVersion: ctx.extension.version,
    portalUrl: p.config.portalUrl,
    helpUrl: p.config.helpUrl,
    warningDays: config.EXPIRY_WARNING_DAYS,
    site: siteState(ctx, payload.siteUrl),
  };
  try {
    out.host = await s.service.connect();
    const tokens = await s.service.request("token.list", {});
    const certs = await s.service.request("cert.list", {});
    out.tokens = tokens.tokens;
    out.certs = /** @type {any[]} */ (certs.certs).map((c) => ({
      token: c.token, certId: c.certId, cn: c.subject?.CN ?? "", o: c.subject?.O ?? "",
      serial: c.serial ?? "", notBefore: c.notBefore ?? "", notAfter: c.notAfter, daysLeft: c.daysLeft,
    }));
    await ctx.badge.update(/** @type {any[]} */ (out.certs).map((c) => c.daysLeft)).catch(() => {});
  } catch (e) {
    out.error = serializeError(e);
  }
  return out;
}

/**
 * @param {import("./types.js").Context} ctx
 * @param {string | undefined} siteUrl
 * @returns {{origin: string, enabled: boolean, source: string | null, canToggle: boolean} | null}
 */
function siteState(ctx, siteUrl) {
  let origin = null;
  try {
    origin = siteUrl ? new URL(siteUrl).origin : null;
  } catch {
    origin = null;
  }
  if (!origin || origin === "null") return null;
  const p = ctx.policy.policy;
  const source = p.portalOrigins.includes(origin) ? "portal"
    : p.extraOrigins.includes(origin) ? "policy"
      : p.userOrigins.includes(origin) ? "user" : null;
  const canToggle = (source === null || source === "user") && parseOrigin(origin) !== null;
  return { origin, enabled: source !== null, source, canToggle };
}
