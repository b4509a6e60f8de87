// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

/**
 * A page with the content scripts has (re)loaded in a tab: its earlier host
 * session ends (a login lives as long as the page), and the page learns
 * whether it gets the portal API.
 *
 * @param {import("./types.js").Context} ctx
 * @param {{}} _payload
 * @param {import("./types.js").Caller} caller
 * @returns {Promise<{portal: boolean, version: string, helpUrl: string}>}
 */
export default async function hello(ctx, _payload, caller) {
  ctx.sessions.close(caller.key);
  return { portal: ctx.policy.isPortal(caller.origin), version: ctx.extension.version, helpUrl: ctx.policy.policy.config.helpUrl };
}
