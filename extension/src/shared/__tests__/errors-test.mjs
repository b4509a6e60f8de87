// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors

import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { describe, it } from "node:test";

import ErrorCode, { LAST_ERROR } from "../errors/ErrorCode.js";
import HostError from "../errors/HostError.js";
import UnknownError from "../errors/UnknownError.js";
import { deserializeError, lastErrorOf, serializeError } from "../errors/errorSerializer.js";

const dir = new URL("../errors/", import.meta.url);
const classFiles = readdirSync(dir).filter((f) => /Error\.js$/.test(f) && !["UKeyLinkError.js", "HostError.js"].includes(f));

describe("errors", () => {
  it("has one class per ErrorCode (HOST_ERROR: HostError)", () => {
    assert.equal(classFiles.length, Object.keys(ErrorCode).length - 1);
  });
  for (const file of classFiles) {
    it(`${file}: round-trips through the serializer without a stack`, async () => {
      const Cls = (await import(new URL(file, dir).href)).default;
      const e = new Cls();
      assert.equal(e.name, file.replace(/\.js$/, ""));
      assert.ok(e instanceof Error);
      assert.equal(typeof e.code, "string");
      assert.equal(e.lastError, LAST_ERROR[e.code]);
      assert.ok(e.message.length > 0 && e.messageEn.length > 0);
      const s = serializeError(e);
      assert.equal(s.stack, undefined);
      assert.deepEqual(Object.keys(s).sort(), ["code", "lastError", "message", "messageEn", "name"]);
      const back = deserializeError(JSON.parse(JSON.stringify(s)));
      assert.ok(back instanceof Cls);
      assert.equal(back.lastError, e.lastError);
    });
  }
  it("numeric codes are distinct and in the extension's range", () => {
    const values = Object.entries(LAST_ERROR).filter(([k]) => k !== "HOST_ERROR").map(([, v]) => v);
    assert.equal(new Set(values).size, values.length);
    for (const v of values) assert.ok(v <= -2113664000 && v > -2113664100);
  });
  it("keeps the host's numeric code and retries for HostError", () => {
    const e = new HostError({ code: -2113667069, name: "PIN_INCORRECT", message: "私钥密码错误", message_en: "Incorrect PIN", retriesLeft: 2 });
    const s = serializeError(e);
    assert.deepEqual(s, { code: "HOST_ERROR", name: "HostError", message: "私钥密码错误", messageEn: "Incorrect PIN",
      lastError: -2113667069, hostName: "PIN_INCORRECT", retriesLeft: 2 });
    const back = deserializeError(s);
    assert.ok(back instanceof HostError);
    assert.equal(back.retriesLeft, 2);
    assert.equal(lastErrorOf(s), -2113667069);
  });
  const unknowns = [new Error("boom"), "string", null, { message: "x" }, new TypeError("t")];
  unknowns.forEach((x, i) => it(`serializes foreign value #${i} as UnknownError`, () => {
    const s = serializeError(x);
    assert.equal(s.code, "UNKNOWN_ERROR");
    assert.equal(s.message, new UnknownError().message);
  }));
  const bad = [null, 5, {}, { code: "NO_SUCH" }, { code: "__proto__" }, { code: "HOST_ERROR", lastError: "x" }];
  bad.forEach((x, i) => it(`deserializes malformed #${i} as UnknownError`, () => assert.ok(deserializeError(x) instanceof UnknownError)));
});
