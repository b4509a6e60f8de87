// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

/** @type {Readonly<Record<string, number>>} */
const LEVELS = Object.freeze({ error: 0, warn: 1, info: 2, debug: 3 });

/**
 * @typedef {{error: (...a: unknown[]) => void, warn: (...a: unknown[]) => void, info: (...a: unknown[]) => void, debug: (...a: unknown[]) => void}} Logger
 */

/**
 * A console logger filtered by the configured logLevel (managed storage).
 * Callers pass actions, methods, codes and durations only — never request
 * parameters (they may hold a PIN).
 *
 * @param {() => string} getLevel
 * @param {Pick<Console, "error" | "warn" | "info" | "debug">} [sink]
 * @returns {Logger}
 */
export default function createLogger(getLevel, sink = console) {
  /**
   * @param {"error" | "warn" | "info" | "debug"} level
   * @returns {(...a: unknown[]) => void}
   */
  const at = (level) => (...args) => {
    const max = LEVELS[getLevel()] ?? LEVELS.warn;
    if (LEVELS[level] <= max) sink[level]("[UKeyLink]", ...args);
  };
  return { error: at("error"), warn: at("warn"), info: at("info"), debug: at("debug") };
}
