// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

/**
 * Stable string codes of the errors the extension itself raises, grouped by
 * kind. Host errors keep the host's numeric SafeEngine code (HOST_ERROR).
 * The numeric value is what page code sees as LastError / ErrorCode; the
 * extension's own conditions use the free range -2113664000 … -2113664099
 * (the SafeEngine engine never used it). README.md has the same table.
 *
 * @readonly
 * @enum {string}
 */
const ErrorCode = Object.freeze({
  // Installation and connection
  NATIVE_HOST_NOT_FOUND: "NATIVE_HOST_NOT_FOUND",
  NATIVE_HOST_FORBIDDEN: "NATIVE_HOST_FORBIDDEN",
  HOST_VERSION_UNSUPPORTED: "HOST_VERSION_UNSUPPORTED",
  HOST_DISCONNECTED: "HOST_DISCONNECTED",
  REQUEST_TIMEOUT: "REQUEST_TIMEOUT",
  // Bad input, refused before reaching the host
  INVALID_ARGUMENT: "INVALID_ARGUMENT",
  MESSAGE_TOO_LARGE: "MESSAGE_TOO_LARGE",
  ORIGIN_NOT_ALLOWED: "ORIGIN_NOT_ALLOWED",
  RATE_LIMITED: "RATE_LIMITED",
  // Legacy synchronous pages
  NOT_REPLAYABLE: "NOT_REPLAYABLE",
  REPLAY_LIMIT: "REPLAY_LIMIT",
  // Host answers
  HOST_ERROR: "HOST_ERROR",
  PROTOCOL_ERROR: "PROTOCOL_ERROR",
  // Anything else
  UNKNOWN_ERROR: "UNKNOWN_ERROR",
});

/**
 * Numeric LastError / ErrorCode for each string code.
 * @type {Readonly<Record<string, number>>}
 */
export const LAST_ERROR = Object.freeze({
  UNKNOWN_ERROR: -2113664000,
  NATIVE_HOST_NOT_FOUND: -2113664001,
  NATIVE_HOST_FORBIDDEN: -2113664002,
  HOST_VERSION_UNSUPPORTED: -2113664003,
  HOST_DISCONNECTED: -2113664004,
  REQUEST_TIMEOUT: -2113664005,
  MESSAGE_TOO_LARGE: -2113664006,
  ORIGIN_NOT_ALLOWED: -2113664007,
  INVALID_ARGUMENT: -2113664008,
  PROTOCOL_ERROR: -2113664009,
  RATE_LIMITED: -2113664010,
  NOT_REPLAYABLE: -2113664011,
  REPLAY_LIMIT: -2113664012,
  // HOST_ERROR carries the host's own number instead.
  HOST_ERROR: -2113664000,
});

export default ErrorCode;
