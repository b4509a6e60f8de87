// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

import config from "../../shared/config.js";
import InvalidArgumentError from "../../shared/errors/InvalidArgumentError.js";

/**
 * Popup "verify PIN": log in and out again. The PIN goes to the host and is
 * dropped; it is never stored or logged.
 *
 * @param {import("./types.js").Context} ctx
 * @param {{token?: unknown, pin?: unknown}} payload
 * @returns {Promise<{ok: true}>}
 */
export default async function uiVerifyPin(ctx, payload) {
  const { token, pin } = payload;
  if (typeof token !== "string" || !token || typeof pin !== "string" || !pin || pin.length > 64) {
    throw new InvalidArgumentError();
  }
  const s = ctx.sessions.get("ui", config.UI_ORIGIN);
  await ctx.pinGuard.guard("ui", "token.login", {}, () => s.service.request("token.login", { token, pin }, config.TOKEN_TIMEOUT));
  await s.service.request("token.logout", { token }, config.TOKEN_TIMEOUT).catch(() => {});
  return { ok: true };
}
