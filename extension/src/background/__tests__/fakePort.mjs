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

export const VERSION = { name: "ukeylink-host", version: "0.1.0", protocol: { major: 1, minor: 1 } };

/**
 * Glues request chunks together as the host does (in order, same id and
 * of); returns the request when the last one came, else null.
 */
function reassemble(msg, port) {
  if (!Object.hasOwn(msg, "chunk")) return msg;
  const r = port.reassembly;
  if (msg.chunk === 0) port.reassembly = { id: msg.id, of: msg.of, next: 1, text: msg.data };
  else if (r && r.id === msg.id && r.of === msg.of && r.next === msg.chunk) {
    r.text += msg.data;
    r.next++;
  } else throw new Error(`request chunk out of order: ${JSON.stringify({ ...msg, data: undefined })}`);
  if (port.reassembly.next < msg.of) return null;
  const text = port.reassembly.text;
  port.reassembly = null;
  return JSON.parse(text);
}

/**
 * @param {(msg: any, port: FakePort) => void} [rest] handles everything but host.version
 * @param {object} [version]
 */
export function scriptedHost(rest = () => {}, version = VERSION) {
  return (raw, port) => {
    const msg = reassemble(raw, port);
    if (!msg) return;
    if (msg.method === "host.version") port.emit({ id: msg.id, result: version });
    else rest(msg, port);
  };
}
