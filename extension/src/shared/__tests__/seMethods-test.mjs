// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 UKeyLink contributors

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  SE_METHODS, SE_METHOD_NAMES, mapAsyncCall, normalizeIeArgs, toSeNumber,
} from "../seMethods.js";

const S = [10, "com1", "1111", 0, 10, "com1", ""];
const RAW_S = ["a", "com1", "1111", "0", "a", "com1", ""];

/**
 * Every method: the async-form own arguments, the IE args expected in
 * se.call, and whether the seven session arguments go along.
 * @type {Record<string, {own: unknown[], args: unknown[], session: boolean}>}
 */
const ASYNC_CASES = {
  InitialSession: { own: [], args: S, session: false },
  ClearSession: { own: [], args: [], session: false },
  SetConfiguration: { own: ["0"], args: [0], session: false },
  GetSelfCertificate: { own: [], args: [10, "com1", "1111"], session: true },
  GetCertDetail: { own: ["MIIB", "17"], args: ["MIIB", 17], session: false },
  GetCertInfoByOID: { own: ["MIIB", "1.2.156.10260.4.1.4"], args: ["MIIB", "1.2.156.10260.4.1.4"], session: false },
  GetCertUniqueID: { own: ["MIIB"], args: ["MIIB"], session: false },
  GetCertValidDate: { own: ["MIIB"], args: ["MIIB"], session: false },
  VerifyCertificate: { own: ["MIIB"], args: ["MIIB"], session: false },
  SignData: { own: ["hello", "3"], args: ["hello", 3], session: true },
  VerifySignData: { own: ["hello", "3", "c2ln", "MIIB"], args: ["hello", 3, "c2ln", "MIIB"], session: false },
  ChangePassword: { own: ["1111", "2222"], args: [10, "com1", "1111", "2222"], session: false },
  GenRandomBytes: { own: ["16"], args: [16], session: false },
  Digest: { own: ["hello", "3"], args: ["hello", 3], session: false },
  Envelope: { own: ["1", "hello", "MIIB"], args: [1, "hello", "MIIB"], session: true },
  EnvelopeEx: { own: ["2", "hello", "MIIB", "0x10"], args: [2, "hello", "MIIB", 16], session: true },
  EncryptData: { own: ["hello", "k"], args: ["hello", "k"], session: false },
  DecryptData: { own: ["aGVsbG8=", "k"], args: ["aGVsbG8=", "k"], session: false },
  PEMEncode: { own: ["hello"], args: ["hello"], session: false },
  PEMDecode: { own: ["aGVsbG8="], args: ["aGVsbG8="], session: false },
  ShowVersion: { own: [], args: [], session: false },
  GetDeviceList: { own: [], args: [], session: false },
  GetDeviceInfo: { own: [], args: [], session: false },
};

describe("SE method table", () => {
  it("has a test case for every method", () => {
    assert.deepEqual(Object.keys(ASYNC_CASES).sort(), Object.keys(SE_METHODS).sort());
    assert.equal(SE_METHOD_NAMES.length, 2 * Object.keys(SE_METHODS).length);
  });

  for (const prefix of ["SEH_", "ESE_"]) {
    for (const [base, c] of Object.entries(ASYNC_CASES)) {
      const name = prefix + base;
      it(`maps async ${name} with and without the trailing flag`, () => {
        const expected = c.session ? { method: name, args: c.args, session: S } : { method: name, args: c.args };
        assert.deepEqual(mapAsyncCall(name, [...RAW_S, ...c.own, "0"]), expected);
        assert.deepEqual(mapAsyncCall(name, [...RAW_S, ...c.own]), expected);
      });
      it(`rejects async ${name} with missing or extra arguments`, () => {
        assert.equal(mapAsyncCall(name, RAW_S.slice(0, 6)), null);
        assert.equal(mapAsyncCall(name, [...RAW_S, ...c.own, "0", "extra"]), null);
        if (c.own.length) assert.equal(mapAsyncCall(name, [...RAW_S, ...c.own.slice(1)].slice(0, 7 + c.own.length - 1)), null);
      });
      it(`normalizes IE-style ${name} arguments and refuses too few`, () => {
        const spec = SE_METHODS[base];
        assert.deepEqual(normalizeIeArgs(name, c.args), c.args);
        assert.deepEqual(normalizeIeArgs(name, [...c.args, "ignored"]), c.args);
        if (spec.own.length) assert.equal(normalizeIeArgs(name, c.args.slice(0, -1)), null);
      });
    }
  }

  it("maps the field examples of the compat reference", () => {
    assert.deepEqual(mapAsyncCall("SEH_SignData", [10, "com1", "1111", "0", "", "", "", "data", "3", "0"]), {
      method: "SEH_SignData", args: ["data", 3], session: [10, "com1", "1111", 0, 0, "", ""],
    });
    assert.deepEqual(mapAsyncCall("SEH_GetCertUniqueID", ["", "", "", "0", "", "", "", "MIIB", "0"]), {
      method: "SEH_GetCertUniqueID", args: ["MIIB"],
    });
    assert.deepEqual(mapAsyncCall("SEH_GetSelfCertificate", ["0xa", "com2", "p", "0", "", "", "", "0"]), {
      method: "SEH_GetSelfCertificate", args: [10, "com2", "p"], session: [10, "com2", "p", 0, 0, "", ""],
    });
  });

  it("rejects unknown methods and bad argument types", () => {
    assert.equal(mapAsyncCall("SEH_Nope", RAW_S), null);
    assert.equal(mapAsyncCall("seh_SignData", [...RAW_S, "d", "3"]), null);
    assert.equal(mapAsyncCall("SEH_SignData", [...RAW_S, "d", "three"]), null);
    assert.equal(mapAsyncCall("SEH_SignData", [...RAW_S, { x: 1 }, "3"]), null);
    assert.equal(mapAsyncCall("SEH_SignData", [{}, "com1", "", "0", "", "", "", "d", "3"]), null);
    assert.equal(mapAsyncCall("SEH_SignData", "not an array"), null);
    assert.equal(normalizeIeArgs("SEH_GenRandomBytes", [1.5]), null);
    assert.equal(normalizeIeArgs("SEH_GenRandomBytes", [""]), null);
  });
});

describe("toSeNumber", () => {
  const accepted = [[3, 3], ["3", 3], [" 3 ", 3], ["-1", -1], ["0xa", 10], ["0XFF", 255]];
  const rejected = ["", "a", "3.5", "1e3", null, undefined, {}, Number.NaN, 1.5, "0x", "12345678901234567"];
  for (const [input, want] of accepted) {
    it(`accepts ${JSON.stringify(input)}`, () => assert.equal(toSeNumber(input), want));
  }
  for (const input of rejected) {
    it(`rejects ${String(input)}`, () => assert.equal(toSeNumber(input), null));
  }
  it("accepts bare hex and empty for device types", () => {
    assert.equal(toSeNumber("a", { hexDigits: true }), 10);
    assert.equal(toSeNumber("1b", { hexDigits: true }), 27);
    assert.equal(toSeNumber("10", { hexDigits: true }), 10);
    assert.equal(toSeNumber("", { emptyIsZero: true }), 0);
    assert.equal(toSeNumber("g", { hexDigits: true }), null);
  });
});
