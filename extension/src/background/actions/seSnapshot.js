// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

import timeoutFor from "../services/timeouts.js";

/**
 * The token snapshot for a page (se.snapshot): also stored in the origin's
 * snapshot cookies for the next page load and fed to the expiry badge.
 *
 * @param {import("./types.js").Context} ctx
 * @param {{}} _payload
 * @param {import("./types.js").Caller} caller
 * @returns {Promise<import("../../shared/snapshot.js").Snapshot>}
 */
export default async function seSnapshot(ctx, _payload, caller) {
  const s = ctx.sessions.get(caller.key, caller.origin);
  const snapshot = /** @type {import("../../shared/snapshot.js").Snapshot} */ (/** @type {unknown} */ (
    await s.service.request("se.snapshot", {}, timeoutFor("se.snapshot"))));
  await ctx.cookies.set(caller.origin, snapshot).catch(() => {});
  await ctx.badge.update(snapshot.certs.map((c) => c.validDays)).catch(() => {});
  return snapshot;
}
