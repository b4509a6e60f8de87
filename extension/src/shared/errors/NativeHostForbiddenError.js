// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

import ErrorCode from "./ErrorCode.js";
import UKeyLinkError from "./UKeyLinkError.js";

/** The host manifest exists but does not list this extension id. */
export default class NativeHostForbiddenError extends UKeyLinkError {
  /**
   * @param {string} [message] Chinese text (default above)
   * @param {string} [messageEn] English text
   */
  constructor(message, messageEn) {
    super(ErrorCode.NATIVE_HOST_FORBIDDEN, message ?? "UKeyLink 本地程序不允许此扩展访问，请重新安装", messageEn ?? "The UKeyLink native application does not allow this extension; reinstall it");
    this.name = "NativeHostForbiddenError";
  }
}
