// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors

/**
 * A fake runtime.Port to a scripted host. `handler(msg, port)` answers each
 * request; the default answers host.version with protocol 1.0.
 */
export class FakePort {
  constructor(handler) {
    this.handler = handler;
    this.sent = [];
    this.msgListeners = [];
    this.discListeners = [];
    this.disconnected = false;
    this.error = null;
    this.onMessage = { addListener: (fn) => this.msgListeners.push(fn) };
    this.onDisconnect = { addListener: (fn) => this.discListeners.push(fn) };
  }

  postMessage(msg) {
    if (this.disconnected) throw new Error("Attempting to use a disconnected port object");
    this.sent.push(structuredClone(msg));
    queueMicrotask(() => this.handler(msg, this));
  }

  /** Host → extension. */
  emit(msg) {
    for (const fn of this.msgListeners) fn(structuredClone(msg));
  }

  /** The host goes away (message: Firefox's port.error). */
  hostExit(message) {
    this.disconnected = true;
    this.error = message ? { message } : null;
    for (const fn of this.discListeners) fn(this);
  }

  disconnect() {
    this.disconnected = true;
  }
}

export const VERSION = { name: "ukeylink-host", version: "0.1.0", protocol: { major: 1, minor: 0 } };

/**
 * @param {(msg: any, port: FakePort) => void} [rest] handles everything but host.version
 * @param {object} [version]
 */
export function scriptedHost(rest = () => {}, version = VERSION) {
  return (msg, port) => {
    if (msg.method === "host.version") port.emit({ id: msg.id, result: version });
    else rest(msg, port);
  };
}
