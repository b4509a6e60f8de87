// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

import OriginNotAllowedError from "../../shared/errors/OriginNotAllowedError.js";
import timeoutFor from "../services/timeouts.js";

/**
 * A portal API call (window.UKeyLink.call): any host method, only from the
 * portal's origins; the host grants enroll/seal/unlock per origin again.
 *
 * @param {import("./types.js").Context} ctx
 * @param {{method: string, params: Record<string, unknown>}} payload validated
 * @param {import("./types.js").Caller} caller
 * @returns {Promise<Record<string, unknown>>}
 */
export default async function portalCall(ctx, payload, caller) {
  if (!ctx.policy.isPortal(caller.origin)) throw new OriginNotAllowedError();
  const s = ctx.sessions.get(caller.key, caller.origin);
  return ctx.pinGuard.guard(caller.key, payload.method, payload.params, () => ctx.sessions.serialize(s,
    () => s.service.request(payload.method, payload.params, timeoutFor(payload.method, payload.params), { onProgress: caller.onProgress })));
}
