// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

import ErrorCode from "./ErrorCode.js";
import UKeyLinkError from "./UKeyLinkError.js";

/** A message or argument failed validation. */
export default class InvalidArgumentError extends UKeyLinkError {
  /**
   * @param {string} [message] Chinese text (default above)
   * @param {string} [messageEn] English text
   */
  constructor(message, messageEn) {
    super(ErrorCode.INVALID_ARGUMENT, message ?? "参数错误", messageEn ?? "Invalid argument");
    this.name = "InvalidArgumentError";
  }
}
