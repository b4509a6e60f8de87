// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

import ErrorCode from "./ErrorCode.js";
import UKeyLinkError from "./UKeyLinkError.js";

/** A synchronous token call outside an event handler, timer or form submit. */
export default class NotReplayableError extends UKeyLinkError {
  /**
   * @param {string} [message] Chinese text (default above)
   * @param {string} [messageEn] English text
   */
  constructor(message, messageEn) {
    super(ErrorCode.NOT_REPLAYABLE, message ?? "此页面在当前浏览器中无法同步调用 USB Key，请在按钮点击后重试", messageEn ?? "This page called the USB key synchronously where it cannot be resumed; retry from a button click");
    this.name = "NotReplayableError";
  }
}
