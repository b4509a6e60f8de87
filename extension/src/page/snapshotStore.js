// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

import { decodeSnapshotCookies } from "../shared/snapshotCookie.js";
import { isSnapshot } from "../shared/validation.js";

const STORAGE_KEY = "ukeylink.snapshot";

/**
 * @typedef {object} SnapshotStore
 * @property {import("../shared/snapshot.js").Snapshot | null} snapshot current snapshot, or null
 * @property {{code: string, lastError: number, message?: string, messageEn?: string} | null} error why the host could not give one
 * @property {(s: import("../shared/snapshot.js").Snapshot) => void} set
 * @property {(e: any) => void} fail
 * @property {() => Promise<void>} whenSettled resolves at the next set/fail
 */

/**
 * The token snapshot in the page, available synchronously from the first
 * line of page script: from the snapshot cookies set by the background, or
 * else from this tab's sessionStorage copy of an earlier load; then kept
 * fresh by the content script (host snapshot, insert/remove).
 *
 * @param {Window & typeof globalThis} win
 * @returns {SnapshotStore}
 */
export default function createSnapshotStore(win) {
  const stringify = JSON.stringify;
  const parse = JSON.parse;
  /** @type {Storage | null} */
  let storage = null;
  try {
    storage = win.sessionStorage;
  } catch {
    storage = null;
  }
  /** @type {Array<() => void>} */
  let waiters = [];
  const settle = () => {
    const w = waiters;
    waiters = [];
    for (const fn of w) fn();
  };
  /** @type {SnapshotStore} */
  const store = {
    snapshot: null,
    error: null,
    set(s) {
      if (!isSnapshot(s)) return;
      store.snapshot = s;
      store.error = null;
      try {
        storage?.setItem(STORAGE_KEY, stringify(s));
      } catch {
        // storage full or disabled: the cookie still works
      }
      settle();
    },
    fail(e) {
      store.error = e && typeof e === "object" ? e : { code: "UNKNOWN_ERROR", lastError: -2113664000 };
      settle();
    },
    whenSettled() {
      return new win.Promise((resolve) => waiters.push(() => resolve(undefined)));
    },
  };
  let initial = null;
  try {
    initial = decodeSnapshotCookies(win.document.cookie);
  } catch {
    initial = null;
  }
  if (!initial && storage) {
    try {
      const s = parse(storage.getItem(STORAGE_KEY) ?? "null");
      if (isSnapshot(s)) initial = s;
    } catch {
      initial = null;
    }
  }
  store.snapshot = initial;
  return store;
}
