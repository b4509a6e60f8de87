// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

const encoder = new TextEncoder();

/**
 * Size in UTF-8 bytes of a value serialized as JSON (what the browser sends
 * to the native host).
 *
 * @param {unknown} value
 * @returns {number}
 */
export default function jsonSize(value) {
  return encoder.encode(JSON.stringify(value) ?? "").byteLength;
}
