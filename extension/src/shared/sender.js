// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

import config from "./config.js";
import OriginNotAllowedError from "./errors/OriginNotAllowedError.js";

/**
 * @typedef {object} SenderLike
 * @property {string} [id] extension id of the sender
 * @property {string} [url] URL of the sending document (browser-supplied)
 * @property {string} [origin] origin of the sending document (Chromium)
 * @property {{id?: number}} [tab] the sending tab (absent for extension pages)
 * @property {number} [frameId]
 */

/**
 * The origin to send to the host, from the browser's sender record — never
 * from page data. Extension pages (popup) map to "ukeylink:ui". Throws when
 * the record carries no usable origin.
 *
 * @param {SenderLike | undefined} sender
 * @param {{extensionId: string, extensionBaseUrl: string}} self this extension
 * @returns {string}
 */
export default function getSenderOrigin(sender, self) {
  if (!sender || sender.id !== self.extensionId) {
    throw new OriginNotAllowedError();
  }
  const url = typeof sender.url === "string" ? sender.url : "";
  // The extension's own pages (popup, or the popup opened in a tab): only
  // they have this URL; content scripts report the page's URL.
  if (url.startsWith(self.extensionBaseUrl)) {
    return config.UI_ORIGIN;
  }
  if (!sender.tab) throw new OriginNotAllowedError();
  let origin = typeof sender.origin === "string" ? sender.origin : "";
  if (!origin && url) {
    try {
      origin = new URL(url).origin;
    } catch {
      origin = "";
    }
  }
  if (!origin || origin === "null" || !/^https?:\/\//.test(origin)) {
    throw new OriginNotAllowedError();
  }
  return origin;
}
