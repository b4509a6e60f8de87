// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

import ErrorCode from "./ErrorCode.js";
import UKeyLinkError from "./UKeyLinkError.js";

/** A message exceeds the configured size limit. */
export default class MessageTooLargeError extends UKeyLinkError {
  /**
   * @param {string} [message] Chinese text (default above)
   * @param {string} [messageEn] English text
   */
  constructor(message, messageEn) {
    super(ErrorCode.MESSAGE_TOO_LARGE, message ?? "数据过大", messageEn ?? "The message is too large");
    this.name = "MessageTooLargeError";
  }
}
