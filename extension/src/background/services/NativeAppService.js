// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

import ChunkAssembler, { isChunkMessage } from "../../shared/chunks.js";
import config from "../../shared/config.js";
import HostDisconnectedError from "../../shared/errors/HostDisconnectedError.js";
import HostVersionError from "../../shared/errors/HostVersionError.js";
import MessageTooLargeError from "../../shared/errors/MessageTooLargeError.js";
import NativeHostForbiddenError from "../../shared/errors/NativeHostForbiddenError.js";
import NativeHostNotFoundError from "../../shared/errors/NativeHostNotFoundError.js";
import ProtocolError from "../../shared/errors/ProtocolError.js";
import RequestTimeoutError from "../../shared/errors/RequestTimeoutError.js";
import UKeyLinkError from "../../shared/errors/UKeyLinkError.js";
import UnknownError from "../../shared/errors/UnknownError.js";
import { encodeJson, requestChunks } from "../../shared/requestChunks.js";
import { isHostEvent, validateHostResponse, validateProgressEvent } from "../../shared/validation.js";

/**
 * States of the native port. A request is only sent in READY (the
 * handshake itself in CONNECTING); CLOSED means the host exited or was
 * never reached: the next request connects again.
 *
 * @readonly
 * @enum {string}
 */
export const PortState = Object.freeze({
  IDLE: "idle",
  CONNECTING: "connecting",
  READY: "ready",
  CLOSED: "closed",
});

/**
 * @typedef {object} PortLike the subset of runtime.Port used here
 * @property {(msg: unknown) => void} postMessage
 * @property {() => void} disconnect
 * @property {{addListener: (fn: (msg: unknown) => void) => void}} onMessage
 * @property {{addListener: (fn: (port: PortLike) => void) => void}} onDisconnect
 * @property {{message?: string} | null} [error] Firefox: why it disconnected
 *
 * @typedef {object} HostInfo host.version result
 * @property {string} name
 * @property {string} version
 * @property {{major: number, minor: number}} protocol
 *
 * @typedef {object} RequestOptions
 * @property {(p: import("../../shared/progress.js").Progress) => void} [onProgress]
 *   the host's progress events for this request ({stage, done, total},
 *   checked), in the order they come, only while it is pending
 *
 * @typedef {object} PendingRequest
 * @property {string} method
 * @property {(r: Record<string, unknown>) => void} resolve
 * @property {(e: Error) => void} reject
 * @property {ReturnType<typeof setTimeout>} timer
 * @property {RequestOptions["onProgress"]} onProgress
 * @property {number} progressCount events passed on so far (MAX_PROGRESS_EVENTS)
 *
 * @typedef {object} NativeAppOptions
 * @property {(name: string) => PortLike} connectNative runtime.connectNative
 * @property {() => (string | undefined)} [lastErrorMessage] Chromium: runtime.lastError?.message
 * @property {string} origin sent with every request (from the sender record)
 * @property {string} [hostName]
 * @property {(event: Record<string, unknown>) => void} [onEvent]
 * @property {(state: string, error: UKeyLinkError | null, expected: boolean) => void} [onStateChange]
 * @property {number} [handshakeTimeout] ms
 */

/**
 * Maps the browser's disconnect reason to an error.
 * Chromium: "Specified native messaging host not found." / "Access to the
 * specified native messaging host is forbidden." / "Native host has exited.";
 * Firefox: "No such native application cn.sheca.ukeylink" / null on exit.
 *
 * @param {string | undefined} message
 * @returns {UKeyLinkError}
 */
export function disconnectError(message) {
  const m = message ?? "";
  if (/not found|No such native application/i.test(m)) return new NativeHostNotFoundError();
  if (/forbidden|not allowed|Access denied/i.test(m)) return new NativeHostForbiddenError();
  return new HostDisconnectedError();
}

/**
 * All native I/O of one page (one tab) or of the popup: one long-lived
 * port to ukeylink-host, opened lazily, host.version handshake first,
 * request ids, every wait raced against a timeout and the port's
 * disconnect, chunk reassembly, events passed to onEvent. The request ids
 * are the service's own: a progress event for a pending request goes to
 * that request's onProgress (never to onEvent, so the host id stays here);
 * one for any other id goes to onEvent, as other events do.
 */
export default class NativeAppService {
  /** @param {NativeAppOptions} options */
  constructor(options) {
    this.options = options;
    this.hostName = options.hostName ?? config.NATIVE_HOST_NAME;
    /** @type {string} */
    this.state = PortState.IDLE;
    /** @type {PortLike | null} */
    this.port = null;
    /** @type {HostInfo | null} */
    this.hostInfo = null;
    /** @type {UKeyLinkError | null} */
    this.lastError = null;
    /** @type {Promise<HostInfo> | null} */
    this.connecting = null;
    this.nextId = 0;
    /** @type {Map<number, PendingRequest>} */
    this.pending = new Map();
    this.chunks = new ChunkAssembler();
    this.closing = false;
  }

  /**
   * @param {string} state
   * @param {UKeyLinkError | null} [error]
   * @param {boolean} [expected]
   */
  setState(state, error = null, expected = true) {
    this.state = state;
    this.options.onStateChange?.(state, error, expected);
  }

  /**
   * Opens the port and performs the version handshake (once; concurrent
   * callers share it).
   *
   * @returns {Promise<HostInfo>}
   */
  connect() {
    if (this.state === PortState.READY && this.hostInfo) return Promise.resolve(this.hostInfo);
    if (this.connecting) return this.connecting;
    this.connecting = this.doConnect().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  /** @returns {Promise<HostInfo>} */
  async doConnect() {
    this.closing = false;
    this.setState(PortState.CONNECTING);
    let port;
    try {
      port = this.options.connectNative(this.hostName);
    } catch (e) {
      const err = disconnectError(e instanceof Error ? e.message : String(e));
      this.lastError = err;
      this.setState(PortState.CLOSED, err, false);
      throw err;
    }
    this.port = port;
    port.onMessage.addListener((msg) => {
      if (this.port === port) this.onMessage(msg);
    });
    port.onDisconnect.addListener((p) => {
      const message = p?.error?.message ?? port.error?.message ?? this.options.lastErrorMessage?.();
      if (this.port === port) this.onDisconnect(message);
    });
    try {
      const info = /** @type {HostInfo} */ (/** @type {unknown} */ (await this.send("host.version", {},
        this.options.handshakeTimeout ?? config.HANDSHAKE_TIMEOUT)));
      if (info.protocol.major !== config.PROTOCOL_MAJOR) throw new HostVersionError();
      this.hostInfo = info;
      this.lastError = null;
      this.setState(PortState.READY);
      return info;
    } catch (e) {
      const err = e instanceof UKeyLinkError ? e : new UnknownError();
      this.lastError = err;
      if (this.port === port) this.shutdown(err, false);
      throw err;
    }
  }

  /**
   * Sends one request, connecting first when needed.
   *
   * @param {string} method
   * @param {Record<string, unknown>} params
   * @param {number} [timeoutMs]
   * @param {RequestOptions} [options]
   * @returns {Promise<Record<string, unknown>>}
   */
  async request(method, params, timeoutMs = config.REQUEST_TIMEOUT, options = {}) {
    await this.connect();
    return this.send(method, params, timeoutMs, options);
  }

  /**
   * @param {string} method
   * @param {Record<string, unknown>} params
   * @param {number} timeoutMs
   * @param {RequestOptions} [options]
   * @returns {Promise<Record<string, unknown>>}
   */
  send(method, params, timeoutMs, options = {}) {
    const handshake = method === "host.version" && this.state === PortState.CONNECTING;
    if (!this.port || (!handshake && this.state !== PortState.READY)) {
      return Promise.reject(this.lastError ?? new HostDisconnectedError());
    }
    const id = ++this.nextId;
    const message = { id, method, params, origin: this.options.origin };
    // Serialised once, for the size check and for the chunks.
    const bytes = encodeJson(message);
    if (bytes.byteLength > config.NATIVE_MESSAGE_MAX_BYTES) {
      return Promise.reject(new MessageTooLargeError());
    }
    const chunked = bytes.byteLength > config.REQUEST_CHUNK_BYTES && this.hostTakesChunks();
    const port = this.port;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        this.chunks.drop(id);
        reject(new RequestTimeoutError());
      }, timeoutMs);
      this.pending.set(id, { method, resolve, reject, timer, onProgress: options.onProgress, progressCount: 0 });
      try {
        if (!chunked) {
          port.postMessage(message);
        } else {
          // Back to back, synchronously: nothing can come in between.
          for (const chunk of requestChunks(id, bytes, config.REQUEST_CHUNK_BYTES)) port.postMessage(chunk);
        }
      } catch {
        this.settle(id, new HostDisconnectedError());
      }
    });
  }

  /**
   * Whether the host takes big requests in chunks (protocol 1.1); an older
   * host gets them in one message, as before.
   *
   * @returns {boolean}
   */
  hostTakesChunks() {
    const p = this.hostInfo?.protocol;
    return !!p && p.major === config.PROTOCOL_MAJOR && p.minor >= config.REQUEST_CHUNKS_MINOR;
  }

  /**
   * @param {number} id
   * @param {Error | null} error
   * @param {Record<string, unknown>} [result]
   */
  settle(id, error, result) {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    if (error) p.reject(error);
    else p.resolve(/** @type {Record<string, unknown>} */ (result));
  }

  /** @param {unknown} msg */
  onMessage(msg) {
    let response = msg;
    if (isChunkMessage(msg)) {
      try {
        response = this.chunks.accept(msg);
      } catch (e) {
        const id = /** @type {any} */ (e).id;
        if (typeof id === "number") this.settle(id, new ProtocolError());
        return;
      }
      if (!response) return;
    }
    if (isHostEvent(response)) {
      if (/** @type {Record<string, unknown>} */ (response).event === "progress") this.onProgressEvent(response);
      else this.options.onEvent?.(/** @type {Record<string, unknown>} */ (response));
      return;
    }
    const r = /** @type {Record<string, unknown>} */ (response);
    const id = r && typeof r === "object" ? r.id : undefined;
    if (typeof id !== "number") return; // e.g. {"id": null, "error": …}: nothing to answer
    const p = this.pending.get(id);
    if (!p) return; // late answer after a timeout
    try {
      this.settle(id, null, validateHostResponse(p.method, r));
    } catch (e) {
      this.settle(id, e instanceof UKeyLinkError ? e : new UnknownError());
    }
  }

  /**
   * A progress event: checked (a bad one is dropped), then to its pending
   * request's onProgress — at most MAX_PROGRESS_EVENTS of them, and none
   * for a request that did not ask — or, for an id that is not pending
   * (never was, or settled), to onEvent as before.
   *
   * @param {unknown} msg
   */
  onProgressEvent(msg) {
    const ev = validateProgressEvent(msg);
    if (!ev) return;
    const p = this.pending.get(ev.id);
    if (!p) {
      this.options.onEvent?.(ev);
      return;
    }
    if (!p.onProgress || ++p.progressCount > config.MAX_PROGRESS_EVENTS) return;
    try {
      p.onProgress({ stage: ev.stage, done: ev.done, total: ev.total });
    } catch {
      // the listener's problem; the request goes on
    }
  }

  /** @param {string | undefined} message */
  onDisconnect(message) {
    const err = this.closing ? new HostDisconnectedError() : disconnectError(message);
    this.shutdown(err, this.closing);
  }

  /**
   * @param {UKeyLinkError} err
   * @param {boolean} expected closed by us
   */
  shutdown(err, expected) {
    const port = this.port;
    this.port = null;
    this.hostInfo = null;
    if (!expected) this.lastError = err;
    for (const id of [...this.pending.keys()]) this.settle(id, err);
    this.chunks.clear();
    if (port) {
      try {
        port.disconnect();
      } catch {
        // already gone
      }
    }
    this.setState(PortState.CLOSED, expected ? null : err, expected);
  }

  /** Closes the port on purpose (tab closed, new page); the host exits on EOF. */
  close() {
    this.closing = true;
    if (this.port || this.state !== PortState.CLOSED) this.shutdown(new HostDisconnectedError(), true);
  }
}
