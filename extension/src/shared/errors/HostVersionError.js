// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

import ErrorCode from "./ErrorCode.js";
import UKeyLinkError from "./UKeyLinkError.js";

/** host.version answered a protocol major version other than 1. */
export default class HostVersionError extends UKeyLinkError {
  /**
   * @param {string} [message] Chinese text (default above)
   * @param {string} [messageEn] English text
   */
  constructor(message, messageEn) {
    super(ErrorCode.HOST_VERSION_UNSUPPORTED, message ?? "UKeyLink 本地程序版本不兼容，请安装最新版本", messageEn ?? "The UKeyLink native application version is not supported; install the latest version");
    this.name = "HostVersionError";
  }
}
