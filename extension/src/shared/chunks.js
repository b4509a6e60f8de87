// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

import config from "./config.js";
import ProtocolError from "./errors/ProtocolError.js";

/**
 * @typedef {object} ChunkMessage
 * @property {number} id
 * @property {number} chunk 0 … of-1
 * @property {number} of
 * @property {string} data slice of the response JSON text
 */

/**
 * @param {unknown} msg
 * @returns {boolean} whether msg has the chunk shape (validated by accept)
 */
export function isChunkMessage(msg) {
  return !!msg && typeof msg === "object" && Object.hasOwn(msg, "chunk");
}

/**
 * Reassembles chunked host responses: `{"id","chunk","of","data"}`;
 * concatenating the data strings in chunk order gives the response JSON.
 * Chunks may come out of order. A duplicate chunk, a changing `of`, an
 * out-of-range index or an oversized total fails that response (the request
 * timeout covers missing chunks).
 */
export default class ChunkAssembler {
  /**
   * @param {{maxChars?: number, maxChunks?: number}} [limits]
   */
  constructor(limits = {}) {
    this.maxChars = limits.maxChars ?? config.REASSEMBLED_MAX_CHARS;
    this.maxChunks = limits.maxChunks ?? config.MAX_CHUNKS;
    /** @type {Map<number, {of: number, parts: Array<string | undefined>, received: number, chars: number}>} */
    this.pending = new Map();
  }

  /**
   * Takes one chunk message. Returns the parsed response when it was the
   * last missing chunk, else null. Throws ProtocolError (with `id` set when
   * known) for an invalid chunk; the partial response is then dropped.
   *
   * @param {unknown} raw
   * @returns {Record<string, unknown> | null}
   */
  accept(raw) {
    const msg = /** @type {Record<string, unknown>} */ (raw);
    const id = msg.id;
    if (!Number.isSafeInteger(id) || /** @type {number} */ (id) < 0) {
      throw new ProtocolError();
    }
    const nid = /** @type {number} */ (id);
    const { chunk, of, data } = msg;
    const bad = () => {
      this.pending.delete(nid);
      const e = new ProtocolError();
      /** @type {any} */ (e).id = nid;
      return e;
    };
    if (Object.keys(msg).length !== 4) throw bad();
    if (!Number.isInteger(of) || /** @type {number} */ (of) < 1 || /** @type {number} */ (of) > this.maxChunks) throw bad();
    const nof = /** @type {number} */ (of);
    if (!Number.isInteger(chunk) || /** @type {number} */ (chunk) < 0 || /** @type {number} */ (chunk) >= nof) throw bad();
    const nchunk = /** @type {number} */ (chunk);
    if (typeof data !== "string") throw bad();
    let entry = this.pending.get(nid);
    if (!entry) {
      entry = { of: nof, parts: new Array(nof), received: 0, chars: 0 };
      this.pending.set(nid, entry);
    }
    if (entry.of !== nof || entry.parts[nchunk] !== undefined) throw bad();
    entry.chars += data.length;
    if (entry.chars > this.maxChars) throw bad();
    entry.parts[nchunk] = data;
    entry.received += 1;
    if (entry.received < entry.of) return null;
    this.pending.delete(nid);
    let parsed;
    try {
      parsed = JSON.parse(entry.parts.join(""));
    } catch {
      throw bad();
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed) || parsed.id !== nid) throw bad();
    return parsed;
  }

  /**
   * Forgets a partial response (its request ended: timeout, disconnect).
   *
   * @param {number} id
   */
  drop(id) {
    this.pending.delete(id);
  }

  /** Forgets everything (port closed). */
  clear() {
    this.pending.clear();
  }
}
