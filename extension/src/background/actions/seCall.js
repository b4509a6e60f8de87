// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

import timeoutFor from "../services/timeouts.js";

/**
 * One SafeEngine call from either page API (se.call), serialised with the
 * tab's other token operations and guarded against PIN retry burning.
 *
 * @param {import("./types.js").Context} ctx
 * @param {{method: string, args: Array<string | number>, session?: Array<string | number>}} payload validated
 * @param {import("./types.js").Caller} caller
 * @returns {Promise<Record<string, unknown>>} {value, errorCode}
 */
export default async function seCall(ctx, payload, caller) {
  const s = ctx.sessions.get(caller.key, caller.origin);
  return ctx.pinGuard.guard(caller.key, "se.call", payload, () => ctx.sessions.serialize(s,
    () => s.service.request("se.call", payload, timeoutFor("se.call", payload), { onProgress: caller.onProgress })));
}
