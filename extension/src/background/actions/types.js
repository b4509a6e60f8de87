// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

/**
 * Shared JSDoc types of the actions.
 *
 * @typedef {object} Caller
 * @property {string} origin from the browser's sender record (or "ukeylink:ui")
 * @property {number | string} key tab id, or "ui"
 * @property {(p: import("../../shared/progress.js").Progress) => void} [onProgress]
 *   the host's progress for this call, on its way back to the page's call
 *
 * @typedef {object} Context
 * @property {any} api browser API
 * @property {import("../services/PolicyService.js").default} policy
 * @property {import("../services/TabSessions.js").default} sessions
 * @property {import("../services/PinGuard.js").default} pinGuard
 * @property {import("../services/CookieService.js").default} cookies
 * @property {import("../services/BadgeService.js").default} badge
 * @property {import("../services/ErrorLog.js").default} errors
 * @property {{id: string, baseUrl: string, version: string, userAgent: string}} extension
 * @property {(key: number | string, kind: string, data: unknown) => void} push
 *   a message to a tab's content script (top frame); nothing for the popup
 */

export default {};
