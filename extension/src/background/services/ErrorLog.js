// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

/**
 * The last errors, for "copy diagnostics": time, action, method, code and
 * numeric code only — never parameters (they may hold a PIN).
 */
export default class ErrorLog {
  /** @param {number} [size] */
  constructor(size = 20) {
    this.size = size;
    /** @type {Array<{time: string, action: string, method: string, code: string, lastError: number}>} */
    this.entries = [];
  }

  /**
   * @param {string} action
   * @param {string} method
   * @param {{code: string, lastError: number}} error serialized error
   */
  add(action, method, error) {
    this.entries.push({ time: new Date().toISOString(), action, method, code: error.code, lastError: error.lastError });
    if (this.entries.length > this.size) this.entries.shift();
  }
}
