// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

import config from "../../shared/config.js";
import { encodeSnapshotCookies, snapshotCookieNames } from "../../shared/snapshotCookie.js";

/**
 * Sets the snapshot cookies for an allowed origin so that the next page
 * load can answer read-only SafeEngine calls synchronously, even from
 * top-level inline scripts (reference/legacy-replay.md). Certificate data
 * only; never a PIN.
 */
export default class CookieService {
  /** @param {any} api browser API (cookies) */
  constructor(api) {
    this.api = api;
  }

  /**
   * @param {string} origin
   * @param {import("../../shared/snapshot.js").Snapshot} snapshot
   * @param {() => number} [now]
   */
  async set(origin, snapshot, now = Date.now) {
    const url = `${origin}/`;
    const secure = origin.startsWith("https:");
    const cookies = encodeSnapshotCookies(snapshot);
    const wanted = new Set(cookies.map((c) => c.name));
    const expirationDate = Math.floor(now() / 1000) + config.SNAPSHOT_COOKIE_MAX_AGE;
    for (const c of cookies) {
      await this.api.cookies.set({ url, name: c.name, value: c.value, path: "/", secure, sameSite: "strict", expirationDate });
    }
    for (const name of snapshotCookieNames()) {
      if (!wanted.has(name)) await this.api.cookies.remove({ url, name }).catch(() => {});
    }
  }
}
