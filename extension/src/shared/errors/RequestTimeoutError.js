// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

import ErrorCode from "./ErrorCode.js";
import UKeyLinkError from "./UKeyLinkError.js";

/** No answer from the host within the request's timeout. */
export default class RequestTimeoutError extends UKeyLinkError {
  /**
   * @param {string} [message] Chinese text (default above)
   * @param {string} [messageEn] English text
   */
  constructor(message, messageEn) {
    super(ErrorCode.REQUEST_TIMEOUT, message ?? "操作超时", messageEn ?? "The operation timed out");
    this.name = "RequestTimeoutError";
  }
}
