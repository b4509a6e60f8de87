// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

import ErrorCode from "./ErrorCode.js";
import UKeyLinkError from "./UKeyLinkError.js";

/**
 * An error answered by the host: keeps the host's numeric SafeEngine code
 * (e.g. -2113667069 wrong PIN), its stable name and retriesLeft.
 */
export default class HostError extends UKeyLinkError {
  /**
   * @param {{code: number, name?: string, message?: string, message_en?: string, retriesLeft?: number}} hostError
   */
  constructor(hostError) {
    super(ErrorCode.HOST_ERROR, hostError.message ?? "本地程序错误",
      hostError.message_en ?? "Native application error", hostError.code);
    this.name = "HostError";
    /** @type {string} stable host name such as PIN_INCORRECT */
    this.hostName = typeof hostError.name === "string" ? hostError.name : "UNKNOWN";
    /** @type {number | undefined} */
    this.retriesLeft = typeof hostError.retriesLeft === "number" ? hostError.retriesLeft : undefined;
  }
}
