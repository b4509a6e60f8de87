// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

import ErrorCode from "./ErrorCode.js";
import UKeyLinkError from "./UKeyLinkError.js";

/** The browser found no native-messaging host manifest for cn.sheca.ukeylink. */
export default class NativeHostNotFoundError extends UKeyLinkError {
  /**
   * @param {string} [message] Chinese text (default above)
   * @param {string} [messageEn] English text
   */
  constructor(message, messageEn) {
    super(ErrorCode.NATIVE_HOST_NOT_FOUND, message ?? "未安装 UKeyLink 本地程序，请先安装后重试", messageEn ?? "The UKeyLink native application is not installed; install it and try again");
    this.name = "NativeHostNotFoundError";
  }
}
