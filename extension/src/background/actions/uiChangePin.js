// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

import config from "../../shared/config.js";
import InvalidArgumentError from "../../shared/errors/InvalidArgumentError.js";

/**
 * Popup "change PIN".
 *
 * @param {import("./types.js").Context} ctx
 * @param {{token?: unknown, oldPin?: unknown, newPin?: unknown}} payload
 * @returns {Promise<{ok: true}>}
 */
export default async function uiChangePin(ctx, payload) {
  const { token, oldPin, newPin } = payload;
  const pinOk = (/** @type {unknown} */ p) => typeof p === "string" && p.length >= 1 && p.length <= 64;
  if (typeof token !== "string" || !token || !pinOk(oldPin) || !pinOk(newPin)) throw new InvalidArgumentError();
  const s = ctx.sessions.get("ui", config.UI_ORIGIN);
  await ctx.pinGuard.guard("ui", "token.changePin", {},
    () => s.service.request("token.changePin", { token, oldPin, newPin }, config.TOKEN_TIMEOUT));
  return { ok: true };
}
