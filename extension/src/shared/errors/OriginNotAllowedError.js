// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

import ErrorCode from "./ErrorCode.js";
import UKeyLinkError from "./UKeyLinkError.js";

/** The sender origin is not enabled, or lacks the capability. */
export default class OriginNotAllowedError extends UKeyLinkError {
  /**
   * @param {string} [message] Chinese text (default above)
   * @param {string} [messageEn] English text
   */
  constructor(message, messageEn) {
    super(ErrorCode.ORIGIN_NOT_ALLOWED, message ?? "此网站未被允许使用 USB Key", messageEn ?? "This site is not allowed to use the USB key");
    this.name = "OriginNotAllowedError";
  }
}
