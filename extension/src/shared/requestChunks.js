// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors
// @ts-check

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * A request serialised once: its JSON text as UTF-8 bytes. The size check
 * and the chunking both use these bytes (serialising a 27 MiB request costs
 * ~0.2 s; it is done once). Same approach as jsonSize.js.
 *
 * @param {unknown} value
 * @returns {Uint8Array}
 */
export function encodeJson(value) {
  return encoder.encode(JSON.stringify(value) ?? "");
}

/**
 * Cuts UTF-8 text into slices of at most maxBytes bytes, each ending on a
 * character boundary (a UTF-8 boundary is a code point boundary: an emoji's
 * surrogate pair is never split). Returns the end offsets of the slices.
 *
 * @param {Uint8Array} bytes
 * @param {number} maxBytes at least 4
 * @returns {number[]}
 */
export function sliceEnds(bytes, maxBytes) {
  const ends = [];
  let start = 0;
  while (start < bytes.length) {
    let end = Math.min(start + maxBytes, bytes.length);
    // continuation bytes are 10xxxxxx: back up to the character's start
    while (end < bytes.length && end > start && (bytes[end] & 0xc0) === 0x80) end--;
    ends.push(end);
    start = end;
  }
  return ends;
}

/**
 * The request chunk messages of a request text (host/doc/protocol.md,
 * "Request chunks"): {id, chunk, of, data}, data being the slices of the
 * text in order. Made one at a time, so only one slice exists besides the
 * bytes while they are posted.
 *
 * @param {number} id
 * @param {Uint8Array} bytes the request's JSON text
 * @param {number} maxBytes of one slice
 * @returns {Generator<{id: number, chunk: number, of: number, data: string}>}
 */
export function* requestChunks(id, bytes, maxBytes) {
  const ends = sliceEnds(bytes, maxBytes);
  let start = 0;
  for (let k = 0; k < ends.length; k++) {
    yield { id, chunk: k, of: ends.length, data: decoder.decode(bytes.subarray(start, ends[k])) };
    start = ends[k];
  }
}
