// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

import InvalidArgumentError from "../../shared/errors/InvalidArgumentError.js";
import { parseOrigin } from "../../shared/origin.js";

/**
 * Popup "enable on this site": adds or removes an https origin from the
 * user's list and re-registers the content scripts. Portal and policy
 * origins cannot be changed here.
 *
 * @param {import("./types.js").Context} ctx
 * @param {{origin?: unknown, enabled?: unknown}} payload
 * @returns {Promise<{origin: string, enabled: boolean}>}
 */
export default async function uiSetSiteEnabled(ctx, payload) {
  const origin = parseOrigin(payload.origin);
  if (!origin || typeof payload.enabled !== "boolean") throw new InvalidArgumentError();
  const p = ctx.policy.policy;
  if (p.portalOrigins.includes(origin) || p.extraOrigins.includes(origin)) throw new InvalidArgumentError();
  await ctx.policy.setUserOrigin(origin, payload.enabled);
  return { origin, enabled: payload.enabled };
}
