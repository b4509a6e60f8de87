// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

import { LAST_ERROR } from "./ErrorCode.js";

/**
 * Base of every error the extension raises. Each has a stable string code,
 * a numeric lastError (what pages see), a Chinese message (message) and an
 * English one (messageEn).
 */
export default class UKeyLinkError extends Error {
  /**
   * @param {string} code stable string code (ErrorCode)
   * @param {string} message Chinese text shown to users
   * @param {string} messageEn English text
   * @param {number} [lastError] numeric code for pages; default from LAST_ERROR
   */
  constructor(code, message, messageEn, lastError) {
    super(message);
    this.name = "UKeyLinkError";
    /** @type {string} */
    this.code = code;
    /** @type {string} */
    this.messageEn = messageEn;
    /** @type {number} */
    this.lastError = lastError ?? LAST_ERROR[code] ?? LAST_ERROR.UNKNOWN_ERROR;
  }
}
