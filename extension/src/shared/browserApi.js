// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

/**
 * The WebExtension API object: `browser` in Firefox, `chrome` in Chromium
 * (both promise-based in Manifest V3). Undefined outside an extension.
 *
 * @type {any}
 */
const browserApi = /** @type {any} */ (globalThis).browser ?? /** @type {any} */ (globalThis).chrome;

export default browserApi;
