// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import config from "../config.js";
import HostError from "../errors/HostError.js";
import InvalidArgumentError from "../errors/InvalidArgumentError.js";
import MessageTooLargeError from "../errors/MessageTooLargeError.js";
import ProtocolError from "../errors/ProtocolError.js";
import { PROGRESS_STAGES, readProgress } from "../progress.js";
import { isHostEvent, validateHostResponse, validatePageRequest, validateProgressEvent } from "../validation.js";
import { SNAPSHOT } from "./fixtures.mjs";

describe("validatePageRequest", () => {
  const accepted = [
    [{ action: "hello" }, { action: "hello", payload: {} }],
    [{ action: "se.snapshot", payload: {} }, { action: "se.snapshot", payload: {} }],
    [{ action: "se.call", payload: { method: "SEH_SignData", args: ["d", "3"] } },
      { action: "se.call", payload: { method: "SEH_SignData", args: ["d", 3] } }],
    [{ action: "se.call", payload: { method: "ESE_SignData", args: ["d", 3], session: ["a", "com1", "1", "0", "", "", ""] } },
      { action: "se.call", payload: { method: "ESE_SignData", args: ["d", 3], session: [10, "com1", "1", 0, 0, "", ""] } }],
    [{ action: "portal.call", payload: { method: "enroll.begin", params: { a: [1, { b: "c" }] } } },
      { action: "portal.call", payload: { method: "enroll.begin", params: { a: [1, { b: "c" }] } } }],
    [{ action: "portal.call", payload: { method: "token.list" } },
      { action: "portal.call", payload: { method: "token.list", params: {} } }],
  ];
  for (const [input, want] of accepted) {
    it(`accepts ${JSON.stringify(input).slice(0, 80)}`, () => assert.deepEqual(validatePageRequest(input), want));
  }
  const rejected = [
    null, "hello", [], { action: "nope" }, { action: "hello", payload: { x: 1 } }, { action: "hello", extra: 1 },
    { action: "se.call", payload: { method: "SEH_Bogus", args: [] } },
    { action: "se.call", payload: { method: "SEH_PEMEncode", args: ["x"] } },
    { action: "se.call", payload: { method: "SEH_SignData", args: ["d"] } },
    { action: "se.call", payload: { method: "SEH_SignData", args: ["d", 3, "extra"] } },
    { action: "se.call", payload: { method: "SEH_SignData", args: ["d", "x"] } },
    { action: "se.call", payload: { method: "SEH_SignData", args: "d,3" } },
    { action: "se.call", payload: { method: "SEH_SignData", args: ["d", 3], session: ["a"] } },
    { action: "se.call", payload: { method: "SEH_SignData", args: ["d", 3], origin: "https://evil" } },
    { action: "se.call", payload: { method: "SEH_ClearSession", args: new Array(17).fill("") } },
    { action: "portal.call", payload: { method: "evil.thing", params: {} } },
    { action: "portal.call", payload: { method: "enroll", params: {} } },
    { action: "portal.call", payload: { method: "token.list", params: [] } },
    { action: "portal.call", payload: { method: "token.list", params: { n: Number.NaN } } },
    { action: "portal.call", payload: { method: "token.list", params: {}, origin: "x" } },
  ];
  rejected.forEach((input, i) => {
    it(`rejects #${i} ${JSON.stringify(input)?.slice(0, 70)}`, () => assert.throws(() => validatePageRequest(input), InvalidArgumentError));
  });
  it("rejects a too deeply nested portal param", () => {
    let deep = {};
    for (let i = 0; i < 20; i++) deep = { d: deep };
    assert.throws(() => validatePageRequest({ action: "portal.call", payload: { method: "seal.write", params: deep } }), InvalidArgumentError);
  });
  it("rejects an oversized message", () => {
    const big = "x".repeat(config.PAGE_MESSAGE_MAX_BYTES + 1);
    assert.throws(() => validatePageRequest({ action: "se.call", payload: { method: "SEH_Digest", args: [big, 3] } }), MessageTooLargeError);
  });
});

describe("validateHostResponse", () => {
  const accepted = [
    ["host.version", { id: 1, result: { name: "ukeylink-host", version: "0.1.0", protocol: { major: 1, minor: 0 } } }],
    ["se.call", { id: 2, result: { value: "c2ln", errorCode: 0 } }],
    ["se.call", { id: 2, result: { value: 42, errorCode: 0 } }],
    ["se.snapshot", { id: 3, result: SNAPSHOT }],
    ["token.list", { id: 4, result: { tokens: [{ token: "t1" }] } }],
    ["cert.list", { id: 5, result: { certs: [{ der: "MIIB", subject: { CN: "张三" }, notAfter: "2027-01-01T00:00:00Z" }] } }],
    ["enroll.begin", { id: 6, result: { anything: true } }],
  ];
  for (const [method, msg] of accepted) {
    it(`accepts ${method} ${JSON.stringify(msg).slice(0, 60)}`, () => assert.deepEqual(validateHostResponse(method, msg), msg.result));
  }
  const rejected = [
    ["host.version", { id: 1, result: { name: "x", version: "1", protocol: { major: "1", minor: 0 } } }],
    ["host.version", { id: 1, result: { name: "x" } }],
    ["se.call", { id: 2, result: { value: {}, errorCode: 0 } }],
    ["se.call", { id: 2, result: { value: "x" } }],
    ["se.snapshot", { id: 3, result: { devices: [] } }],
    ["token.list", { id: 4, result: { tokens: [{ label: "no handle" }] } }],
    ["cert.list", { id: 5, result: { certs: [{ der: "MIIB" }] } }],
    ["token.list", { id: 4, result: [] }],
    ["token.list", { id: 4 }],
    ["token.list", { id: 4, result: {}, error: { code: 1, name: "X", message: "y" } }],
    ["token.list", { id: "4", result: {} }],
    ["token.list", { id: 4, error: { code: "1", name: "X", message: "y" } }],
    ["token.list", { id: 4, error: { code: 1, message: "y" } }],
    ["token.list", null],
  ];
  rejected.forEach(([method, msg], i) => {
    it(`rejects #${i} ${method} ${JSON.stringify(msg)?.slice(0, 60)}`, () => assert.throws(() => validateHostResponse(method, msg), ProtocolError));
  });
  it("turns a well-formed error into HostError with the numeric code", () => {
    assert.throws(() => validateHostResponse("token.login", {
      id: 9, error: { code: -2113667069, name: "PIN_INCORRECT", message: "私钥密码错误", message_en: "Incorrect PIN", retriesLeft: 2 },
    }), (e) => e instanceof HostError && e.lastError === -2113667069 && e.retriesLeft === 2 && e.hostName === "PIN_INCORRECT");
  });
});

describe("isHostEvent", () => {
  it("accepts events", () => {
    assert.equal(isHostEvent({ event: "token.inserted", reader: "r" }), true);
    assert.equal(isHostEvent({ event: "progress", id: 3, done: 1, total: 2 }), true);
    assert.equal(isHostEvent({ event: "progress", id: 3, result: {} }), false);
    assert.equal(isHostEvent({ event: 5 }), false);
    assert.equal(isHostEvent({ event: "<script>" }), false);
  });
});

describe("progress (readProgress, validateProgressEvent)", () => {
  it("knows the host's stages", () => assert.deepEqual(PROGRESS_STAGES, ["upload", "download", "pinpad"]));

  const good = [
    [{ stage: "upload", done: 1, total: 28 }],
    [{ stage: "upload", done: 27, total: 28 }],
    [{ stage: "pinpad", done: 0, total: 1 }],
    [{ stage: "pinpad", done: 1, total: 1 }],
    [{ stage: "download", done: 0, total: 0 }],
    [{ stage: "download", done: 5242880, total: 0 }, "a download of unknown length"],
    [{ stage: "download", done: Number.MAX_SAFE_INTEGER, total: Number.MAX_SAFE_INTEGER }],
  ];
  for (const [p, why] of good) {
    it(`accepts ${why ?? JSON.stringify(p)}`, () => {
      assert.deepEqual(readProgress({ ...p, id: 3, extra: 1 }), p, "a copy of just stage, done, total");
      assert.deepEqual(validateProgressEvent({ event: "progress", id: 3, ...p, extra: 1 }), { event: "progress", id: 3, ...p });
    });
  }

  const bad = [
    { stage: "Upload", done: 1, total: 2 }, { stage: "toString", done: 1, total: 2 }, { stage: "", done: 0, total: 0 },
    { done: 1, total: 2 }, { stage: 1, done: 1, total: 2 }, { stage: "upload", done: 3, total: 2 },
    { stage: "pinpad", done: 1, total: 0 }, { stage: "upload", done: 1, total: 0 },
    { stage: "upload", done: -1, total: 2 }, { stage: "upload", done: 0, total: -1 },
    { stage: "upload", done: 0.5, total: 2 }, { stage: "upload", done: "1", total: "2" },
    { stage: "download", done: 1, total: 2 ** 53 }, { stage: "download", done: NaN, total: 2 },
    { stage: "upload", total: 2 }, { stage: "upload", done: 1 },
  ];
  for (const p of bad) {
    it(`refuses ${JSON.stringify(p)}`, () => {
      assert.equal(readProgress(p), null);
      assert.equal(validateProgressEvent({ event: "progress", id: 3, ...p }), null);
    });
  }

  it("refuses what is not a progress event of a request", () => {
    const p = { stage: "upload", done: 1, total: 2 };
    for (const m of [null, "x", [], { event: "progress", ...p }, { event: "progress", id: -1, ...p }, { event: "progress", id: 1.5, ...p },
      { event: "progress", id: "3", ...p }, { event: "progress", id: 2 ** 53, ...p }, { event: "token.inserted", id: 3, ...p }]) {
      assert.equal(validateProgressEvent(m), null, JSON.stringify(m));
    }
    for (const v of [null, undefined, 7, "upload"]) assert.equal(readProgress(v), null);
  });
});
