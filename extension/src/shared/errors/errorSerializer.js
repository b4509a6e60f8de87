// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

import ErrorCode, { LAST_ERROR } from "./ErrorCode.js";
import HostDisconnectedError from "./HostDisconnectedError.js";
import HostError from "./HostError.js";
import HostVersionError from "./HostVersionError.js";
import InvalidArgumentError from "./InvalidArgumentError.js";
import MessageTooLargeError from "./MessageTooLargeError.js";
import NativeHostForbiddenError from "./NativeHostForbiddenError.js";
import NativeHostNotFoundError from "./NativeHostNotFoundError.js";
import NotReplayableError from "./NotReplayableError.js";
import OriginNotAllowedError from "./OriginNotAllowedError.js";
import ProtocolError from "./ProtocolError.js";
import RateLimitedError from "./RateLimitedError.js";
import ReplayLimitError from "./ReplayLimitError.js";
import RequestTimeoutError from "./RequestTimeoutError.js";
import UKeyLinkError from "./UKeyLinkError.js";
import UnknownError from "./UnknownError.js";

/**
 * @typedef {object} SerializedError
 * @property {string} code stable string code
 * @property {string} name class name
 * @property {string} message Chinese text
 * @property {string} messageEn English text
 * @property {number} lastError numeric code for pages (SafeEngine numbering)
 * @property {string} [hostName] host's stable error name (HOST_ERROR only)
 * @property {number} [retriesLeft] PIN retries left (HOST_ERROR only)
 */

/** Code → class. Anything not in the table deserializes as UnknownError. */
const ERROR_CLASSES = Object.freeze({
  [ErrorCode.HOST_DISCONNECTED]: HostDisconnectedError,
  [ErrorCode.HOST_VERSION_UNSUPPORTED]: HostVersionError,
  [ErrorCode.INVALID_ARGUMENT]: InvalidArgumentError,
  [ErrorCode.MESSAGE_TOO_LARGE]: MessageTooLargeError,
  [ErrorCode.NATIVE_HOST_FORBIDDEN]: NativeHostForbiddenError,
  [ErrorCode.NATIVE_HOST_NOT_FOUND]: NativeHostNotFoundError,
  [ErrorCode.NOT_REPLAYABLE]: NotReplayableError,
  [ErrorCode.ORIGIN_NOT_ALLOWED]: OriginNotAllowedError,
  [ErrorCode.PROTOCOL_ERROR]: ProtocolError,
  [ErrorCode.RATE_LIMITED]: RateLimitedError,
  [ErrorCode.REPLAY_LIMIT]: ReplayLimitError,
  [ErrorCode.REQUEST_TIMEOUT]: RequestTimeoutError,
  [ErrorCode.UNKNOWN_ERROR]: UnknownError,
});

/**
 * Turns any thrown value into a plain object safe to hand to a page: code,
 * texts and numbers only, never a stack.
 *
 * @param {unknown} error
 * @returns {SerializedError}
 */
export function serializeError(error) {
  const e = error instanceof UKeyLinkError ? error : new UnknownError();
  /** @type {SerializedError} */
  const out = {
    code: e.code,
    name: e.name,
    message: String(e.message),
    messageEn: String(e.messageEn),
    lastError: e.lastError,
  };
  if (e instanceof HostError) {
    out.hostName = e.hostName;
    if (e.retriesLeft !== undefined) out.retriesLeft = e.retriesLeft;
  }
  return out;
}

/**
 * Rebuilds an error from serializeError's output. Unknown codes or
 * malformed input become UnknownError.
 *
 * @param {unknown} data
 * @returns {UKeyLinkError}
 */
export function deserializeError(data) {
  if (!data || typeof data !== "object") return new UnknownError();
  const d = /** @type {Record<string, unknown>} */ (data);
  const message = typeof d.message === "string" ? d.message : undefined;
  const messageEn = typeof d.messageEn === "string" ? d.messageEn : undefined;
  if (d.code === ErrorCode.HOST_ERROR && Number.isInteger(d.lastError)) {
    return new HostError({
      code: /** @type {number} */ (d.lastError),
      name: typeof d.hostName === "string" ? d.hostName : undefined,
      message,
      message_en: messageEn,
      retriesLeft: typeof d.retriesLeft === "number" ? d.retriesLeft : undefined,
    });
  }
  const code = typeof d.code === "string" ? d.code : "";
  const Cls = Object.hasOwn(ERROR_CLASSES, code) ? ERROR_CLASSES[code] : UnknownError;
  return new Cls(message, messageEn);
}

/**
 * The numeric code a page sees for a serialized error.
 *
 * @param {SerializedError | undefined} data
 * @returns {number}
 */
export function lastErrorOf(data) {
  return data && Number.isInteger(data.lastError) ? data.lastError : LAST_ERROR.UNKNOWN_ERROR;
}

export default { serializeError, deserializeError, lastErrorOf };
