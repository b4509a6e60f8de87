// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

import config from "../../shared/config.js";
import NativeAppService, { PortState } from "./NativeAppService.js";

/**
 * @typedef {object} TabSession
 * @property {number | string} key tab id, or "ui" for the popup
 * @property {string} origin
 * @property {NativeAppService} service
 * @property {Promise<unknown>} queue token operations of the tab, one after another
 * @property {boolean} wasReady
 * @property {number} reconnectAttempt
 * @property {ReturnType<typeof setTimeout> | null} reconnectTimer
 */

/**
 * One native port (one host process) per tab: the host keeps the page's
 * token session (SEH_InitialSession … SEH_SignData across replays, a portal
 * login, an enrolment in progress), so each page gets its own process and
 * a page can never use another page's login. Opened lazily, closed when the
 * tab closes or loads a new page; after an unexpected host exit it is
 * reopened with backoff so the page keeps receiving insert/remove events.
 */
export default class TabSessions {
  /**
   * @param {object} deps
   * @param {(name: string) => import("./NativeAppService.js").PortLike} deps.connectNative
   * @param {() => (string | undefined)} [deps.lastErrorMessage]
   * @param {(key: number | string, event: Record<string, unknown>) => void} deps.onEvent
   * @param {(key: number | string) => void} [deps.onReconnected]
   * @param {(key: number | string, error: Error) => void} [deps.onError]
   * @param {readonly number[]} [deps.reconnectDelays] ms
   */
  constructor(deps) {
    this.deps = deps;
    /** @type {Map<number | string, TabSession>} */
    this.sessions = new Map();
  }

  /**
   * The session of a tab for an origin; a different origin than before
   * closes the old one (a host session never crosses origins).
   *
   * @param {number | string} key
   * @param {string} origin
   * @returns {TabSession}
   */
  get(key, origin) {
    const existing = this.sessions.get(key);
    if (existing && existing.origin === origin) return existing;
    if (existing) this.close(key);
    /** @type {TabSession} */
    const s = {
      key,
      origin,
      queue: Promise.resolve(),
      wasReady: false,
      reconnectAttempt: 0,
      reconnectTimer: null,
      service: /** @type {any} */ (null),
    };
    s.service = new NativeAppService({
      origin,
      connectNative: this.deps.connectNative,
      lastErrorMessage: this.deps.lastErrorMessage,
      onEvent: (event) => this.deps.onEvent(key, event),
      onStateChange: (state, error, expected) => this.onStateChange(s, state, error, expected),
    });
    this.sessions.set(key, s);
    return s;
  }

  /**
   * @param {TabSession} s
   * @param {string} state
   * @param {Error | null} error
   * @param {boolean} expected
   */
  onStateChange(s, state, error, expected) {
    if (state === PortState.READY) {
      s.wasReady = true;
      s.reconnectAttempt = 0;
      return;
    }
    if (state !== PortState.CLOSED || expected || !s.wasReady) return;
    if (error) this.deps.onError?.(s.key, error);
    if (this.sessions.get(s.key) !== s) return;
    const delays = this.deps.reconnectDelays ?? config.RECONNECT_DELAYS;
    if (s.reconnectAttempt >= delays.length) return;
    const delay = delays[s.reconnectAttempt++];
    s.reconnectTimer = setTimeout(() => {
      s.reconnectTimer = null;
      if (this.sessions.get(s.key) !== s) return;
      s.service.connect().then(() => this.deps.onReconnected?.(s.key), () => {});
    }, delay);
  }

  /**
   * Runs fn after the tab's earlier token operations (serialised per tab).
   *
   * @template T
   * @param {TabSession} s
   * @param {() => Promise<T>} fn
   * @returns {Promise<T>}
   */
  serialize(s, fn) {
    const run = s.queue.then(fn, fn);
    s.queue = run.catch(() => {});
    return run;
  }

  /** @param {number | string} key */
  close(key) {
    const s = this.sessions.get(key);
    if (!s) return;
    this.sessions.delete(key);
    if (s.reconnectTimer) clearTimeout(s.reconnectTimer);
    s.service.close();
  }

  /** @returns {Array<TabSession>} */
  all() {
    return [...this.sessions.values()];
  }
}
