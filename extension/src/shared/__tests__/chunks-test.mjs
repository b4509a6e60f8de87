// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import ChunkAssembler, { isChunkMessage } from "../chunks.js";
import ProtocolError from "../errors/ProtocolError.js";

/**
 * @param {object} response
 * @param {number} n
 */
function split(response, n) {
  const text = JSON.stringify(response);
  const size = Math.ceil(text.length / n);
  return Array.from({ length: n }, (_, i) => ({ id: response.id, chunk: i, of: n, data: text.slice(i * size, (i + 1) * size) }));
}

const RESPONSE = { id: 7, result: { value: "签名".repeat(50), errorCode: 0 } };

describe("ChunkAssembler", () => {
  it("reassembles chunks in order", () => {
    const a = new ChunkAssembler();
    const parts = split(RESPONSE, 4);
    assert.equal(a.accept(parts[0]), null);
    assert.equal(a.accept(parts[1]), null);
    assert.equal(a.accept(parts[2]), null);
    assert.deepEqual(a.accept(parts[3]), RESPONSE);
    assert.equal(a.pending.size, 0);
  });
  it("reassembles chunks out of order", () => {
    const a = new ChunkAssembler();
    const parts = split(RESPONSE, 3);
    assert.equal(a.accept(parts[2]), null);
    assert.equal(a.accept(parts[0]), null);
    assert.deepEqual(a.accept(parts[1]), RESPONSE);
  });
  it("keeps interleaved responses apart", () => {
    const a = new ChunkAssembler();
    const other = { id: 8, result: { x: 1 } };
    const p1 = split(RESPONSE, 2);
    const p2 = split(other, 2);
    assert.equal(a.accept(p1[0]), null);
    assert.equal(a.accept(p2[1]), null);
    assert.deepEqual(a.accept(p1[1]), RESPONSE);
    assert.deepEqual(a.accept(p2[0]), other);
  });
  it("waits while a chunk is missing (the request timeout ends it) and drop() forgets it", () => {
    const a = new ChunkAssembler();
    const parts = split(RESPONSE, 3);
    assert.equal(a.accept(parts[0]), null);
    assert.equal(a.accept(parts[2]), null);
    assert.equal(a.pending.size, 1);
    a.drop(7);
    assert.equal(a.pending.size, 0);
  });
  it("accepts a single chunk", () => {
    assert.deepEqual(new ChunkAssembler().accept(split(RESPONSE, 1)[0]), RESPONSE);
  });

  const rejected = [
    ["duplicate chunk", (a, p) => { a.accept(p[0]); a.accept(p[0]); }],
    ["of changes", (a, p) => { a.accept(p[0]); a.accept({ ...p[1], of: 5 }); }],
    ["index out of range", (a, p) => a.accept({ ...p[0], chunk: 3 })],
    ["negative index", (a, p) => a.accept({ ...p[0], chunk: -1 })],
    ["of zero", (a, p) => a.accept({ ...p[0], of: 0 })],
    ["of too large", (a, p) => a.accept({ ...p[0], of: 100000 })],
    ["data not a string", (a, p) => a.accept({ ...p[0], data: 5 })],
    ["extra member", (a, p) => a.accept({ ...p[0], extra: 1 })],
    ["bad JSON after reassembly", (a) => { a.accept({ id: 7, chunk: 0, of: 2, data: "{\"id\":7," }); a.accept({ id: 7, chunk: 1, of: 2, data: "oops" }); }],
    ["id mismatch inside", (a) => a.accept({ id: 7, chunk: 0, of: 1, data: "{\"id\":8,\"result\":{}}" })],
    ["oversized", (a, p) => { const small = new ChunkAssembler({ maxChars: 60 }); small.accept(p[0]); small.accept(p[1]); }],
  ];
  for (const [name, fn] of rejected) {
    it(`fails the response on ${name}`, () => {
      const a = new ChunkAssembler();
      assert.throws(() => fn(a, split(RESPONSE, 3)), (e) => e instanceof ProtocolError && e.id === 7);
      assert.equal(a.pending.size, 0);
    });
  }
  it("refuses a chunk without a usable id", () => {
    assert.throws(() => new ChunkAssembler().accept({ id: "7", chunk: 0, of: 1, data: "" }), ProtocolError);
  });
  it("recognizes chunk messages", () => {
    assert.equal(isChunkMessage({ id: 1, chunk: 0, of: 1, data: "" }), true);
    assert.equal(isChunkMessage({ id: 1, result: {} }), false);
    assert.equal(isChunkMessage(null), false);
  });
});
