// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

import ErrorCode from "./ErrorCode.js";
import UKeyLinkError from "./UKeyLinkError.js";

/** A synchronous handler needed more replays than the cap. */
export default class ReplayLimitError extends UKeyLinkError {
  /**
   * @param {string} [message] Chinese text (default above)
   * @param {string} [messageEn] English text
   */
  constructor(message, messageEn) {
    super(ErrorCode.REPLAY_LIMIT, message ?? "页面重复调用 USB Key 次数过多", messageEn ?? "The page called the USB key too many times in one action");
    this.name = "ReplayLimitError";
  }
}
