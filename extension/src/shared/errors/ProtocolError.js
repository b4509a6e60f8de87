// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

import ErrorCode from "./ErrorCode.js";
import UKeyLinkError from "./UKeyLinkError.js";

/** A host reply or chunk sequence failed validation. */
export default class ProtocolError extends UKeyLinkError {
  /**
   * @param {string} [message] Chinese text (default above)
   * @param {string} [messageEn] English text
   */
  constructor(message, messageEn) {
    super(ErrorCode.PROTOCOL_ERROR, message ?? "本地程序返回了无效数据", messageEn ?? "The native application sent an invalid reply");
    this.name = "ProtocolError";
  }
}
