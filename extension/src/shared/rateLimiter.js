// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

/**
 * Sliding-window limiter per key (tab): at most `max` hits within `windowMs`.
 */
export default class RateLimiter {
  /**
   * @param {number} max
   * @param {number} windowMs milliseconds
   * @param {() => number} [now]
   */
  constructor(max, windowMs, now = Date.now) {
    this.max = max;
    this.windowMs = windowMs;
    this.now = now;
    /** @type {Map<string | number, number[]>} */
    this.hits = new Map();
  }

  /**
   * Records a hit when allowed.
   *
   * @param {string | number} key
   * @returns {boolean} false when the key is over its limit
   */
  tryHit(key) {
    const t = this.now();
    const list = (this.hits.get(key) ?? []).filter((x) => t - x < this.windowMs);
    if (list.length >= this.max) {
      this.hits.set(key, list);
      return false;
    }
    list.push(t);
    this.hits.set(key, list);
    return true;
  }

  /**
   * Records a hit without checking.
   *
   * @param {string | number} key
   */
  hit(key) {
    const t = this.now();
    const list = (this.hits.get(key) ?? []).filter((x) => t - x < this.windowMs);
    list.push(t);
    this.hits.set(key, list);
  }

  /**
   * @param {string | number} key
   * @returns {boolean} whether the key has reached its limit
   */
  isLimited(key) {
    const t = this.now();
    return (this.hits.get(key) ?? []).filter((x) => t - x < this.windowMs).length >= this.max;
  }

  /** @param {string | number} key */
  forget(key) {
    this.hits.delete(key);
  }
}
