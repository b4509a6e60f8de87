// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

import ErrorCode from "./ErrorCode.js";
import UKeyLinkError from "./UKeyLinkError.js";

/** The native port disconnected while a request was waiting. */
export default class HostDisconnectedError extends UKeyLinkError {
  /**
   * @param {string} [message] Chinese text (default above)
   * @param {string} [messageEn] English text
   */
  constructor(message, messageEn) {
    super(ErrorCode.HOST_DISCONNECTED, message ?? "与 UKeyLink 本地程序的连接已断开", messageEn ?? "The connection to the UKeyLink native application was lost");
    this.name = "HostDisconnectedError";
  }
}
