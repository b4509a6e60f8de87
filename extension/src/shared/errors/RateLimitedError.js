// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

import ErrorCode from "./ErrorCode.js";
import UKeyLinkError from "./UKeyLinkError.js";

/** Too many PIN-bearing calls from one tab in a short time. */
export default class RateLimitedError extends UKeyLinkError {
  /**
   * @param {string} [message] Chinese text (default above)
   * @param {string} [messageEn] English text
   */
  constructor(message, messageEn) {
    super(ErrorCode.RATE_LIMITED, message ?? "尝试次数过多，请稍后再试", messageEn ?? "Too many attempts; try again later");
    this.name = "RateLimitedError";
  }
}
