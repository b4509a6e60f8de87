// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink authors
// Talks to the host the way a browser does (native messaging framing),
// without a browser: for checks of the key's state from outside the page.

import { spawn } from "node:child_process";

export class HostClient {
  /** cmd: the wrapper or the host; callerArg: "chrome-extension://ID/". */
  constructor(cmd, callerArg, { env } = {}) {
    this.p = spawn(cmd, [callerArg], { stdio: ["pipe", "pipe", "inherit"], env: env || process.env });
    this.buf = Buffer.alloc(0);
    this.next = 1;
    this.waiting = new Map();
    this.events = [];
    this.chunks = new Map();
    this.p.stdout.on("data", (d) => this.onData(d));
    this.closed = new Promise((r) => this.p.on("exit", (code) => {
      for (const [, w] of this.waiting) w.reject(new Error(`host exited (${code})`));
      r(code);
    }));
  }

  onData(d) {
    this.buf = Buffer.concat([this.buf, d]);
    while (this.buf.length >= 4) {
      const n = this.buf.readUInt32LE(0);
      if (this.buf.length < 4 + n) break;
      const msg = JSON.parse(this.buf.subarray(4, 4 + n).toString("utf8"));
      this.buf = this.buf.subarray(4 + n);
      this.onMessage(msg);
    }
  }

  onMessage(m) {
    if (m.chunk !== undefined) {
      const parts = this.chunks.get(m.id) || [];
      parts[m.chunk] = m.data;
      this.chunks.set(m.id, parts);
      if (parts.filter((x) => x !== undefined).length === m.of) {
        this.chunks.delete(m.id);
        this.onMessage(JSON.parse(parts.join("")));
      }
      return;
    }
    if (m.id === undefined || m.id === null || !this.waiting.has(m.id)) {
      this.events.push(m);
      return;
    }
    const w = this.waiting.get(m.id);
    this.waiting.delete(m.id);
    if (m.error) {
      const e = new Error(`${m.error.name}: ${m.error.message_en || m.error.message}`);
      Object.assign(e, m.error);
      w.reject(e);
    } else w.resolve(m.result);
  }

  call(method, params = {}, origin = "https://issp.sheca.com") {
    const id = this.next++;
    const body = Buffer.from(JSON.stringify({ id, method, params, origin }), "utf8");
    const hdr = Buffer.alloc(4);
    hdr.writeUInt32LE(body.length);
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.p.stdin.write(Buffer.concat([hdr, body]));
    });
  }

  close() {
    this.p.stdin.end();
    return this.closed;
  }
}
