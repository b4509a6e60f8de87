// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

import ErrorCode from "./ErrorCode.js";
import UKeyLinkError from "./UKeyLinkError.js";

/** Anything that is not one of the known errors. */
export default class UnknownError extends UKeyLinkError {
  /**
   * @param {string} [message] Chinese text (default above)
   * @param {string} [messageEn] English text
   */
  constructor(message, messageEn) {
    super(ErrorCode.UNKNOWN_ERROR, message ?? "未知错误", messageEn ?? "Unknown error");
    this.name = "UnknownError";
  }
}
